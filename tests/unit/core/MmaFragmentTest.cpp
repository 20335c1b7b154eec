//===- MmaFragmentTest.cpp - the m16n8k16 fragment layout -----------------===//
//
// runtime/core/MmaFragment.h against the PTX ISA's layout of
// mma.sync.aligned.m16n8k16 with 16-bit A and B and f32 C and D, and
// products through fragments against plain matmuls on a software
// emulation of the instruction: each lane's registers are loaded with the
// index functions, as the CUDA attention kernels load them, up to the
// kernels' chain of a score product and a probabilities-times-values one.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/MmaFragment.h"
#include "runtime/core/ScalarMath.h"

#include <gtest/gtest.h>

#include <array>
#include <random>

namespace mpc::mma {
namespace {

// The PTX ISA's description ("Matrix Fragments for mma.m16n8k16 with
// floating point type"), with groupID = laneid >> 2 and
// threadID_in_group = laneid % 4, written out as it reads there.
Coord ptxA(int lane, int i) {
  int group = lane >> 2, thread = lane % 4;
  int row = (i < 2 || (i >= 4 && i < 6)) ? group : group + 8;
  int col = i < 4 ? thread * 2 + (i & 1) : thread * 2 + (i & 1) + 8;
  return {row, col};
}
Coord ptxB(int lane, int i) {
  int group = lane >> 2, thread = lane % 4;
  return {i < 2 ? thread * 2 + (i & 1) : thread * 2 + (i & 1) + 8, group};
}
Coord ptxC(int lane, int i) {
  int group = lane >> 2, thread = lane % 4;
  return {i < 2 ? group : group + 8, thread * 2 + (i & 1)};
}

/// The registers of a warp: A's four, B's two and C's four per lane.
struct Warp {
  std::array<std::array<uint32_t, 4>, kLanes> a{};
  std::array<std::array<uint32_t, 2>, kLanes> b{};
  std::array<std::array<float, kCElements>, kLanes> c{};
};

using Decode = float (*)(uint16_t);

/// The 16-bit element `e` of a lane's registers (two a register, the
/// lower half first).
template <size_t N> uint16_t half(const std::array<uint32_t, N> &regs, int e) {
  return static_cast<uint16_t>(regs[e / 2] >> (16 * (e % 2)));
}

/// What the instruction does, per the PTX layout: gathers A and B from
/// every lane, multiplies in double (exact for the small integers used
/// here) and adds into each lane's C.
void emulateMma(Warp &warp, Decode decode) {
  double a[kM][kK], b[kK][kN];
  for (int lane = 0; lane < kLanes; ++lane) {
    for (int i = 0; i < kAElements; ++i) {
      Coord at = ptxA(lane, i);
      a[at.row][at.col] = decode(half(warp.a[lane], i));
    }
    for (int i = 0; i < kBElements; ++i) {
      Coord at = ptxB(lane, i);
      b[at.row][at.col] = decode(half(warp.b[lane], i));
    }
  }
  for (int lane = 0; lane < kLanes; ++lane)
    for (int i = 0; i < kCElements; ++i) {
      Coord at = ptxC(lane, i);
      double sum = warp.c[lane][i];
      for (int k = 0; k < kK; ++k)
        sum += a[at.row][k] * b[k][at.col];
      warp.c[lane][i] = static_cast<float>(sum);
    }
}

/// Integers in [-bound, bound]: exact in f16, bf16 and every product and
/// sum here.
std::vector<float> smallIntegers(int n, unsigned seed, int bound = 8) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(-bound, bound);
  std::vector<float> values(n);
  for (float &value : values)
    value = static_cast<float>(dist(rng));
  return values;
}

/// Loads row-major A (kM x kK) and B (kK x kN) into the warp's registers
/// through aElement and bElement.
void loadFragments(Warp &warp, const std::vector<float> &a,
                   const std::vector<float> &b, uint16_t (*encode)(float)) {
  for (int lane = 0; lane < kLanes; ++lane) {
    for (int r = 0; r < kAElements / 2; ++r) {
      Coord lo = aElement(lane, 2 * r), hi = aElement(lane, 2 * r + 1);
      warp.a[lane][r] = packPair(encode(a[lo.row * kK + lo.col]),
                                 encode(a[hi.row * kK + hi.col]));
    }
    for (int r = 0; r < kBElements / 2; ++r) {
      Coord lo = bElement(lane, 2 * r), hi = bElement(lane, 2 * r + 1);
      warp.b[lane][r] = packPair(encode(b[lo.row * kN + lo.col]),
                                 encode(b[hi.row * kN + hi.col]));
    }
  }
}

std::vector<float> matmul(const std::vector<float> &a,
                          const std::vector<float> &b, int m, int k, int n) {
  std::vector<float> c(m * n, 0.0f);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      for (int l = 0; l < k; ++l)
        c[i * n + j] += a[i * k + l] * b[l * n + j];
  return c;
}

TEST(MmaFragmentTest, IndexFunctionsAreThePtxLayout) {
  for (int lane = 0; lane < kLanes; ++lane) {
    for (int e = 0; e < kAElements; ++e) {
      EXPECT_EQ(aElement(lane, e).row, ptxA(lane, e).row) << lane << " " << e;
      EXPECT_EQ(aElement(lane, e).col, ptxA(lane, e).col) << lane << " " << e;
    }
    for (int e = 0; e < kBElements; ++e) {
      EXPECT_EQ(bElement(lane, e).row, ptxB(lane, e).row) << lane << " " << e;
      EXPECT_EQ(bElement(lane, e).col, ptxB(lane, e).col) << lane << " " << e;
    }
    for (int e = 0; e < kCElements; ++e) {
      EXPECT_EQ(cElement(lane, e).row, ptxC(lane, e).row) << lane << " " << e;
      EXPECT_EQ(cElement(lane, e).col, ptxC(lane, e).col) << lane << " " << e;
    }
  }
}

TEST(MmaFragmentTest, EveryElementHasExactlyOneHolder) {
  int a[kM][kK] = {}, b[kK][kN] = {}, c[kM][kN] = {};
  for (int lane = 0; lane < kLanes; ++lane) {
    for (int e = 0; e < kAElements; ++e)
      ++a[aElement(lane, e).row][aElement(lane, e).col];
    for (int e = 0; e < kBElements; ++e)
      ++b[bElement(lane, e).row][bElement(lane, e).col];
    for (int e = 0; e < kCElements; ++e)
      ++c[cElement(lane, e).row][cElement(lane, e).col];
  }
  for (int r = 0; r < kM; ++r)
    for (int col = 0; col < kK; ++col)
      EXPECT_EQ(a[r][col], 1) << r << " " << col;
  for (int r = 0; r < kK; ++r)
    for (int col = 0; col < kN; ++col)
      EXPECT_EQ(b[r][col], 1) << r << " " << col;
  for (int r = 0; r < kM; ++r)
    for (int col = 0; col < kN; ++col)
      EXPECT_EQ(c[r][col], 1) << r << " " << col;
}

/// A 16x16 by 16x8 product through the fragments, read back with
/// cElement, equals the plain matmul plus the accumulator it started from.
void expectProductIsTheMatmul(uint16_t (*encode)(float), Decode decode) {
  std::vector<float> a = smallIntegers(kM * kK, 1),
                     b = smallIntegers(kK * kN, 2),
                     c0 = smallIntegers(kM * kN, 3);
  Warp warp;
  loadFragments(warp, a, b, encode);
  for (int lane = 0; lane < kLanes; ++lane)
    for (int e = 0; e < kCElements; ++e)
      warp.c[lane][e] = c0[cElement(lane, e).row * kN + cElement(lane, e).col];
  emulateMma(warp, decode);
  std::vector<float> want = matmul(a, b, kM, kK, kN);
  for (int lane = 0; lane < kLanes; ++lane)
    for (int e = 0; e < kCElements; ++e) {
      Coord at = cElement(lane, e);
      EXPECT_EQ(warp.c[lane][e],
                want[at.row * kN + at.col] + c0[at.row * kN + at.col])
          << "row " << at.row << " col " << at.col;
    }
}

TEST(MmaFragmentTest, ProductThroughFragmentsIsTheMatmul) {
  expectProductIsTheMatmul(math::floatToBFloat16Bits,
                           math::bfloat16BitsToFloat);
  expectProductIsTheMatmul(math::floatToHalfBits, math::halfBitsToFloat);
}

// The kernels' second product: (X Y) Z with X Y's accumulators (two tiles
// of 8 columns) handed to the next product as A through tileOfA and cOfA.
TEST(MmaFragmentTest, AccumulatorsBecomeTheNextProductsA) {
  // X Y's entries are at most 16 * 2 * 2 = 64 in magnitude: integers that
  // bf16's 8 significant bits hold exactly.
  std::vector<float> x = smallIntegers(kM * kK, 4, 2),
                     y = smallIntegers(kK * kK, 5, 2),
                     z = smallIntegers(kK * kN, 6);
  // X Y in two tiles of kN columns.
  std::array<Warp, 2> tiles;
  for (int t = 0; t < 2; ++t) {
    std::vector<float> yTile(kK * kN);
    for (int r = 0; r < kK; ++r)
      for (int col = 0; col < kN; ++col)
        yTile[r * kN + col] = y[r * kK + t * kN + col];
    loadFragments(tiles[t], x, yTile, math::floatToBFloat16Bits);
    emulateMma(tiles[t], math::bfloat16BitsToFloat);
  }
  std::vector<float> unused(kK * kN, 0.0f);
  Warp next;
  loadFragments(next, unused, z, math::floatToBFloat16Bits);
  for (int lane = 0; lane < kLanes; ++lane)
    for (int r = 0; r < kAElements / 2; ++r) {
      auto element = [&](int e) {
        return math::floatToBFloat16Bits(tiles[tileOfA(e)].c[lane][cOfA(e)]);
      };
      next.a[lane][r] = packPair(element(2 * r), element(2 * r + 1));
    }
  emulateMma(next, math::bfloat16BitsToFloat);
  std::vector<float> xy = matmul(x, y, kM, kK, kK);
  std::vector<float> want = matmul(xy, z, kM, kK, kN);
  for (int lane = 0; lane < kLanes; ++lane)
    for (int e = 0; e < kCElements; ++e) {
      Coord at = cElement(lane, e);
      EXPECT_EQ(next.c[lane][e], want[at.row * kN + at.col])
          << "row " << at.row << " col " << at.col;
    }
}

// The attention kernels' chain on tiles in shared memory: scores
// S = X Kᵀ (16 rows of X against a 32-row tile of keys, two k-steps over
// a 32-wide head dim), then S V with S's accumulators as A and B read from
// a 32-row tile of values; the tiles are row-major with padded rows, read
// through transposedBOffset and bOffset as the kernels read them.
TEST(MmaFragmentTest, TileProductsChainAsTheAttentionKernelsDo) {
  constexpr int kRowsOfX = kM, kTile = 32, kDim = 32, kStride = kDim + 8;
  // S's entries are at most 32 * 2 * 2 = 128 in magnitude: exact in bf16.
  std::vector<float> x = smallIntegers(kRowsOfX * kDim, 7, 2),
                     keys = smallIntegers(kTile * kDim, 8, 2),
                     values = smallIntegers(kTile * kDim, 9);
  std::vector<uint16_t> keyTile(kTile * kStride, 0xffff),
      valueTile(kTile * kStride, 0xffff);
  for (int r = 0; r < kTile; ++r)
    for (int c = 0; c < kDim; ++c) {
      keyTile[r * kStride + c] = math::floatToBFloat16Bits(keys[r * kDim + c]);
      valueTile[r * kStride + c] =
          math::floatToBFloat16Bits(values[r * kDim + c]);
    }
  auto encode = math::floatToBFloat16Bits;
  auto decode = math::bfloat16BitsToFloat;
  // X's A fragments, one per k-step.
  Warp rows[kDim / kK];
  for (int s = 0; s < kDim / kK; ++s)
    for (int lane = 0; lane < kLanes; ++lane)
      for (int r = 0; r < kAElements / 2; ++r) {
        auto element = [&](int e) {
          Coord at = aElement(lane, e);
          return encode(x[at.row * kDim + s * kK + at.col]);
        };
        rows[s].a[lane][r] = packPair(element(2 * r), element(2 * r + 1));
      }
  // S, in kTile / kN accumulator tiles.
  Warp scores[kTile / kN];
  for (int t = 0; t < kTile / kN; ++t)
    for (int s = 0; s < kDim / kK; ++s) {
      scores[t].a = rows[s].a;
      for (int lane = 0; lane < kLanes; ++lane)
        for (int r = 0; r < kBElements / 2; ++r)
          scores[t].b[lane][r] = packPair(
              keyTile[transposedBOffset(lane, 2 * r, t, s, kStride)],
              keyTile[transposedBOffset(lane, 2 * r + 1, t, s, kStride)]);
      emulateMma(scores[t], decode);
    }
  std::vector<float> keysT(kDim * kTile);
  for (int r = 0; r < kTile; ++r)
    for (int c = 0; c < kDim; ++c)
      keysT[c * kTile + r] = keys[r * kDim + c];
  std::vector<float> wantScores = matmul(x, keysT, kRowsOfX, kDim, kTile);
  for (int t = 0; t < kTile / kN; ++t)
    for (int lane = 0; lane < kLanes; ++lane)
      for (int e = 0; e < kCElements; ++e) {
        Coord at = cElement(lane, e);
        EXPECT_EQ(scores[t].c[lane][e],
                  wantScores[at.row * kTile + t * kN + at.col])
            << "score tile " << t << " lane " << lane << " element " << e;
      }
  // S V, S's accumulators as A, one k-step per 16 keys.
  Warp out[kDim / kN];
  for (int t = 0; t < kDim / kN; ++t)
    for (int s = 0; s < kTile / kK; ++s) {
      for (int lane = 0; lane < kLanes; ++lane) {
        auto element = [&](int e) {
          return encode(scores[2 * s + tileOfA(e)].c[lane][cOfA(e)]);
        };
        for (int r = 0; r < kAElements / 2; ++r)
          out[t].a[lane][r] = packPair(element(2 * r), element(2 * r + 1));
        for (int r = 0; r < kBElements / 2; ++r)
          out[t].b[lane][r] =
              packPair(valueTile[bOffset(lane, 2 * r, s, t, kStride)],
                       valueTile[bOffset(lane, 2 * r + 1, s, t, kStride)]);
      }
      emulateMma(out[t], decode);
    }
  std::vector<float> want = matmul(wantScores, values, kRowsOfX, kTile, kDim);
  for (int t = 0; t < kDim / kN; ++t)
    for (int lane = 0; lane < kLanes; ++lane)
      for (int e = 0; e < kCElements; ++e) {
        Coord at = cElement(lane, e);
        EXPECT_EQ(out[t].c[lane][e], want[at.row * kDim + t * kN + at.col])
            << "output tile " << t << " lane " << lane << " element " << e;
      }
}

} // namespace
} // namespace mpc::mma
