//===- MovementTest.cpp - reduce, transpose, slice, embedding, masks ------===//
//
// The data-movement kernels are exact: transpose, the strided copy of
// slice and concat, embedding, the causal
// mask, dropout, fill and the f32 embedding gradient (same summation order
// as the CPU) must equal the CPU reference bit for bit.
//
//===----------------------------------------------------------------------===//

#include "GpuTestUtil.h"

#include "runtime/cpu/kernels/Kernels.h"

#include <cmath>
#include <cstring>

using namespace mpc::gputest;
namespace cpu = mpc::cpu;

namespace {

class Movement : public GpuTest,
                 public ::testing::WithParamInterface<mpc_dtype> {};

TEST_P(Movement, ReduceSumAndMean) {
  mpc_dtype type = GetParam();
  // Rows; columns over one slice of the axis; columns over many slices
  // (partials added by the last block), GPT-2's bias gradient among them.
  for (auto [outer, axis, inner] :
       {std::tuple<int64_t, int64_t, int64_t>{5, 777, 1},
        {1, 513, 70},
        {4, 9, 33},
        {1, 8192, 768},
        {3, 2000, 70}}) {
    cpu::Shape shape{outer, axis, inner};
    std::vector<float> x = randomValues(outer * axis * inner, -1, 1, 14, type);
    std::vector<float> sum(outer * inner), mean(outer * inner);
    cpu::reduceSum(x.data(), shape, {1}, sum.data());
    cpu::reduceMean(x.data(), shape, {1}, mean.data());
    DeviceBuffer dx = upload(x, type);
    DeviceBuffer dSum(outer * inner * 4), dMean(outer * inner * 4);
    ok(mpc_rt_reduce(rt, dx.get(), type, dSum.get(), type, outer, axis, inner,
                     1.0));
    ok(mpc_rt_reduce(rt, dx.get(), type, dMean.get(), MPC_F32, outer, axis,
                     inner, 1.0 / axis));
    // Again, into a NaN-filled buffer: the launch before must have left the
    // last-block counter at zero, and the sums are deterministic.
    DeviceBuffer dSum2(outer * inner * 4);
    ASSERT_EQ(cudaMemset(dSum2.get(), 0xff, outer * inner * 4), cudaSuccess);
    ok(mpc_rt_reduce(rt, dx.get(), type, dSum2.get(), type, outer, axis, inner,
                     1.0));
    sync();
    std::string what =
        std::string(typeName(type)) + " axis " + std::to_string(axis);
    expectClose(download(dSum.get(), type, outer * inner), roundedTo(sum, type),
                tolerance(type, axis, axis), "sum " + what);
    expectClose(download(dMean.get(), MPC_F32, outer * inner), mean,
                tolerance(MPC_F32, axis, 1.0), "mean " + what);
    expectBitEqual(download(dSum2.get(), type, outer * inner),
                   download(dSum.get(), type, outer * inner),
                   "second sum " + what);
  }
}

TEST_P(Movement, EmbeddingIsExactAndGradientMatches) {
  mpc_dtype type = GetParam();
  // dim 64 takes the vectorized path, dim 13 the scalar one.
  for (int64_t dim : {64, 13}) {
    int64_t rows = 50, n = 300;
    std::vector<float> table = randomValues(rows * dim, -1, 1, 15, type);
    std::vector<float> dy = randomValues(n * dim, -1, 1, 16, type);
    std::vector<int64_t> ids(n);
    std::vector<int32_t> ids32(n);
    for (int64_t i = 0; i < n; ++i)
      ids[i] = ids32[i] = static_cast<int32_t>((i * i + 3 * i) % rows);
    std::vector<float> want(n * dim), wantGrad(rows * dim);
    ASSERT_EQ(
        cpu::embedding(ids.data(), n, table.data(), rows, dim, want.data()),
        -1);
    cpu::embeddingGrad(dy.data(), ids.data(), n, rows, dim, wantGrad.data());
    DeviceBuffer dTable = upload(table, type), dDy = upload(dy, type);
    DeviceBuffer dIds = uploadBytes(ids32.data(), n * 4);
    DeviceBuffer out(n * dim * 4), grad(rows * dim * 4);
    ok(mpc_rt_embedding(rt, dIds.as<int32_t>(), n, dTable.get(), type,
                        out.get(), MPC_F32, rows, dim));
    ok(mpc_rt_embedding_grad(rt, dDy.get(), type, dIds.as<int32_t>(), n,
                             grad.get(), type, rows, dim));
    sync();
    std::string what =
        std::string(typeName(type)) + " dim " + std::to_string(dim);
    expectBitEqual(download(out.get(), MPC_F32, n * dim), want,
                   "embedding " + what);
    // Same order of f32 additions as the CPU, one rounding to the type.
    expectBitEqual(download(grad.get(), type, rows * dim),
                   roundedTo(wantGrad, type), "embedding_grad " + what);
  }
}

TEST_P(Movement, CausalMaskDropoutAndFillAreExact) {
  mpc_dtype type = GetParam();
  int64_t batch = 3, rows = 17, cols = 19, n = batch * rows * cols;
  std::vector<float> x = randomValues(n, -3, 3, 17, type);
  std::vector<float> masked(n), dropped(n);
  cpu::causalMask(x.data(), masked.data(), {batch, rows, cols}, -1e9f);
  // {the run's seed, the step}, as a step's args->seed_step holds them.
  uint64_t seedStep[2] = {1234, 7}, opSeed = 99;
  cpu::dropout(x.data(), dropped.data(), n, 0.3, seedStep[0], opSeed,
               seedStep[1]);
  DeviceBuffer dx = upload(x, type), inPlace = upload(x, type);
  DeviceBuffer mask(n * 4), drop(n * 4), fill((n + 5) * 4);
  DeviceBuffer dSeed = uploadBytes(seedStep, sizeof seedStep);
  ok(mpc_rt_causal_mask(rt, dx.get(), mask.get(), type, batch, rows, cols,
                        -1e9));
  ok(mpc_rt_causal_mask(rt, inPlace.get(), inPlace.get(), type, batch, rows,
                        cols, -1e9));
  ok(mpc_rt_dropout(rt, dx.get(), drop.get(), type, n, 0.3, opSeed,
                    dSeed.as<uint64_t>()));
  // An unaligned start exercises the scalar head of the vector loop.
  char *unaligned = fill.as<char>() + sizeOf(type);
  ok(mpc_rt_fill(rt, unaligned, type, n, 0.1));
  sync();
  std::string what = typeName(type);
  expectBitEqual(download(mask.get(), type, n), roundedTo(masked, type),
                 "causal_mask " + what);
  expectBitEqual(download(inPlace.get(), type, n), roundedTo(masked, type),
                 "causal_mask in place " + what);
  expectBitEqual(download(drop.get(), type, n), roundedTo(dropped, type),
                 "dropout " + what);
  expectBitEqual(download(unaligned, type, n),
                 roundedTo(std::vector<float>(n, 0.1f), type), "fill " + what);
}

INSTANTIATE_TEST_SUITE_P(Types, Movement,
                         ::testing::Values(MPC_F32, MPC_F16, MPC_BF16));

TEST_F(GpuTest, TransposeIsExactForEveryElementSize) {
  std::vector<int64_t> shape{3, 4, 5, 6};
  std::vector<int64_t> perm{2, 0, 3, 1};
  int64_t n = 3 * 4 * 5 * 6;
  std::vector<float> x = randomValues(n, -1, 1, 18);
  std::vector<float> want(n);
  cpu::transpose(x.data(), shape, perm, want.data());
  for (int size : {1, 2, 4, 8}) {
    // Element e of size `size` holds the byte pattern of index e.
    std::vector<uint8_t> in(n * size), expected(n * size);
    for (int64_t e = 0; e < n; ++e)
      for (int b = 0; b < size; ++b)
        in[e * size + b] = static_cast<uint8_t>((e * 31 + b * 7) & 0xff);
    std::vector<float> index(n), permuted(n);
    for (int64_t e = 0; e < n; ++e)
      index[e] = static_cast<float>(e);
    cpu::transpose(index.data(), shape, perm, permuted.data());
    for (int64_t e = 0; e < n; ++e)
      std::memcpy(&expected[e * size],
                  &in[static_cast<int64_t>(permuted[e]) * size], size);
    DeviceBuffer dIn = uploadBytes(in.data(), in.size()), dOut(in.size());
    ok(mpc_rt_transpose(rt, dIn.get(), dOut.get(), size, 4, shape.data(),
                        perm.data()));
    sync();
    EXPECT_EQ(downloadBytes(dOut.get(), in.size()), expected)
        << "element size " << size;
  }
  int64_t badPerm[4] = {0, 0, 1, 2};
  DeviceBuffer scratch(16);
  EXPECT_EQ(mpc_rt_transpose(rt, scratch.get(), scratch.get(), 4, 4,
                             shape.data(), badPerm),
            -1);
}

TEST_F(GpuTest, StridedCopyMatchesTheCpuSliceAndConcat) {
  // A slice with a negative and a positive step of a [4, 5, 6] tensor.
  cpu::Shape inShape{4, 5, 6}, outShape{2, 5, 2};
  cpu::Shape firsts{3, 0, 1}, steps{-2, 1, 3};
  int64_t n = 4 * 5 * 6, m = 2 * 5 * 2;
  std::vector<float> x = randomValues(n, -1, 1, 19), want(m);
  cpu::slice(x.data(), inShape, firsts, steps, want.data(), outShape);
  int64_t inStrides[3] = {-2 * 30, 6, 3}, outStrides[3] = {10, 2, 1};
  DeviceBuffer dIn = uploadBytes(x.data(), n * 4), dOut(m * 4);
  ok(mpc_rt_strided_copy(rt, dIn.get(), dOut.get(), 4, 3, outShape.data(),
                         3 * 30 + 1, inStrides, 0, outStrides));
  sync();
  std::vector<uint8_t> got = downloadBytes(dOut.get(), m * 4);
  EXPECT_EQ(std::memcmp(got.data(), want.data(), m * 4), 0);

  // The slice written back (its gradient's scatter), as 2-byte words.
  std::vector<uint16_t> small(m), back(n, 0), expected(n, 0);
  for (int64_t i = 0; i < m; ++i)
    small[i] = static_cast<uint16_t>(i * 977);
  for (int64_t a = 0; a < 2; ++a)
    for (int64_t b = 0; b < 5; ++b)
      for (int64_t c = 0; c < 2; ++c)
        expected[(3 - 2 * a) * 30 + b * 6 + 1 + 3 * c] =
            small[a * 10 + b * 2 + c];
  DeviceBuffer dSmall = uploadBytes(small.data(), m * 2),
               dBack = uploadBytes(back.data(), n * 2);
  int64_t contiguous[3] = {10, 2, 1};
  ok(mpc_rt_strided_copy(rt, dSmall.get(), dBack.get(), 2, 3, outShape.data(),
                         0, contiguous, 3 * 30 + 1, inStrides));
  sync();
  std::vector<uint8_t> raw = downloadBytes(dBack.get(), n * 2);
  EXPECT_EQ(std::memcmp(raw.data(), expected.data(), n * 2), 0);

  DeviceBuffer scratch(16);
  int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  EXPECT_EQ(mpc_rt_strided_copy(rt, scratch.get(), scratch.get(), 4, 9, nine, 0,
                                nine, 0, nine),
            -1);
}

TEST_F(GpuTest, FillIntegerAndFlagTypes) {
  DeviceBuffer ints(40), flags(10);
  ok(mpc_rt_fill(rt, ints.get(), MPC_I32, 10, -3.0));
  ok(mpc_rt_fill(rt, flags.get(), MPC_I1, 10, 1.0));
  sync();
  std::vector<uint8_t> raw = downloadBytes(ints.get(), 40);
  for (int i = 0; i < 10; ++i) {
    int32_t value;
    std::memcpy(&value, &raw[4 * i], 4);
    EXPECT_EQ(value, -3);
  }
  EXPECT_EQ(downloadBytes(flags.get(), 10), std::vector<uint8_t>(10, 1));
}

} // namespace
