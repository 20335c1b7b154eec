//===- BlockPartials.h - column sums over many blocks -----------*- C++ -*-===//
//
// A kernel that sums columns over many rows (the parameter gradients of
// layer and RMS norm, a reduction over a middle axis) cuts the rows into
// contiguous slices, one per block. Each block writes one f32 partial sum
// per column to the context's scratch; the last block to finish (a counter
// after the scratch, LastBlock.cuh) adds the partials of every block in
// block order. The sums are deterministic: a fixed order, whatever order
// the blocks run in.
//
// The plans are plain C++: the CUDA runtime launches with them, the cost
// report (passes/CostReport.cpp) counts the bytes they move, and the unit
// tests walk them on the CPU. sliceSum is the order a launch adds in, on
// the host, so the tests check it against the CPU reference's sums.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_BLOCKPARTIALS_H
#define MPC_RUNTIME_CUDA_BLOCKPARTIALS_H

#include "runtime/core/HostDevice.h"
#include "runtime/core/ScalarMath.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace mpc::cuda {

/// The bytes of device scratch every context owns (Context.h): layer- and
/// RMS-norm-grad and column-reduction partial sums, loss and norm partials,
/// and the f32 accumulator of GEMMs whose epilogue cuBLASLt cannot fuse
/// (chunked to fit). Here so the cost report plans against it too.
inline constexpr size_t kScratchBytes = size_t(64) << 20;

/// The blocks a split launch aims for: two per SM of a 132-SM H100 or H200.
/// A fixed number, not the device's, so a sum's order (and its bits) is the
/// same on every GPU.
inline constexpr int64_t kFillBlocks = 2 * 132;

/// The last-block counter lives after the bytes of the scratch that kernels
/// carve their temporaries from, so none of them overwrites it; it is zero
/// between launches.
inline constexpr size_t kCounterBytes = 256;

/// Where the counter starts in the scratch allocation of a context whose
/// usable scratch is `scratchBytes`: after it, 256-byte aligned.
inline size_t counterOffset(size_t scratchBytes) {
  return (scratchBytes + 255) / 256 * 256;
}

/// [0, length) cut into `slices` contiguous slices of `perSlice` elements,
/// the last one possibly shorter, none empty (length 0: one empty slice).
struct SliceSplit {
  int64_t length = 0, slices = 1, perSlice = 0;

  MPC_HD int64_t begin(int64_t slice) const {
    int64_t first = slice * perSlice;
    return first < length ? first : length;
  }
  MPC_HD int64_t end(int64_t slice) const { return begin(slice + 1); }
};

/// `length` cut into at most `maxSlices` slices (at least one) of at least
/// `minPerSlice` elements each where the length allows.
inline SliceSplit splitLength(int64_t length, int64_t maxSlices,
                              int64_t minPerSlice) {
  SliceSplit split;
  split.length = length;
  if (length <= 0)
    return split;
  int64_t slices =
      std::min(maxSlices, length / std::max<int64_t>(1, minPerSlice));
  slices = std::max<int64_t>(1, slices);
  split.perSlice = (length + slices - 1) / slices;
  split.slices = (length + split.perSlice - 1) / split.perSlice;
  return split;
}

/// The f32 sum of term(0), ..., term(count - 1), added in that order from
/// zero: how a block adds its lanes and the last block adds the partials.
template <typename Term> MPC_HD float sumInOrder(int64_t count, Term term) {
  float sum = 0.0f;
  for (int64_t k = 0; k < count; ++k)
    sum = math::add(sum, term(k));
  return sum;
}

/// What a launch planned by `split` computes for one column, on the host:
/// `lanes` interleaved lanes of each slice add the slice's rows (lane l the
/// rows begin + l, begin + l + lanes, ...) in order from zero, the lanes are
/// added in order into the slice's partial, and the partials in slice
/// order. A launch of one slice writes that slice's sum as it is.
template <typename Term>
float sliceSum(const SliceSplit &split, int64_t lanes, Term term) {
  auto slice = [&](int64_t s) {
    int64_t begin = split.begin(s), end = split.end(s);
    return sumInOrder(lanes, [&](int64_t lane) {
      float sum = 0.0f;
      for (int64_t row = begin + lane; row < end; row += lanes)
        sum = math::add(sum, term(row));
      return sum;
    });
  };
  return split.slices == 1 ? slice(0) : sumInOrder(split.slices, slice);
}

//===----------------------------------------------------------------------===//
// Row normalization backward (LayerNorm.cu, RmsNorm.cu)
//===----------------------------------------------------------------------===//

/// The most bytes of one block's partials that it accumulates in shared
/// memory: the 48 KB every architecture gives without opting in, less room
/// for the row reductions' own; more and it accumulates in its scratch
/// block instead.
inline constexpr size_t kSharedPartialBytes = 40 * 1024;

/// A row normalization's backward in one launch: block b handles the rows
/// of slice b of `rows`, computes their input gradients and adds each
/// row's `params` terms per column into its partials, the f32
/// [params][cols] block b of the scratch. The last block adds the blocks'
/// partials in block order into the parameter gradients.
struct NormalizationPlan {
  SliceSplit rows;
  int64_t params = 1, cols = 0;
  /// Whether a block accumulates in shared memory before writing its
  /// partials (otherwise in place, in its scratch block).
  bool inShared = true;

  int64_t blockFloats() const { return params * cols; }
  /// The scratch bytes of all blocks' partials.
  size_t partialBytes() const {
    return static_cast<size_t>(rows.slices * blockFloats()) * sizeof(float);
  }
  /// The shared memory a block accumulates in.
  size_t sharedBytes() const {
    return inShared ? static_cast<size_t>(blockFloats()) * sizeof(float) : 0;
  }
};

/// The plan for `rows` x `cols` with `params` parameter gradients and a
/// scratch of `scratchBytes`: up to kFillBlocks blocks, as many as fit.
/// rows.slices is 0 when not even one block's partials fit.
inline NormalizationPlan planNormalization(int64_t rows, int64_t cols,
                                           int64_t params,
                                           size_t scratchBytes) {
  NormalizationPlan plan;
  plan.params = params;
  plan.cols = cols;
  size_t blockBytes = static_cast<size_t>(params * cols) * sizeof(float);
  plan.inShared = blockBytes <= kSharedPartialBytes;
  auto fitting = static_cast<int64_t>(
      blockBytes == 0 ? kFillBlocks : scratchBytes / blockBytes);
  if (fitting == 0) {
    plan.rows.length = rows;
    plan.rows.slices = 0;
    return plan;
  }
  plan.rows = splitLength(rows, std::min(kFillBlocks, fitting), 1);
  return plan;
}

//===----------------------------------------------------------------------===//
// Reductions over a middle axis (Reduce.cu)
//===----------------------------------------------------------------------===//

/// The tile of a column-reduction block: 32 inner positions x 8 lanes of
/// the axis.
inline constexpr int kReduceTileInner = 32, kReduceTileAxis = 8;
/// The fewest axis elements a column-reduction block walks: 8 per lane.
inline constexpr int64_t kReduceMinSlice = 8 * kReduceTileAxis;

/// A sum over the axis of [outer, axis, inner] (inner > 1): blocks over
/// (32 inner positions, a slice of the axis, one outer index). With more
/// than one slice each block writes its partial per output to the scratch,
/// at partialIndex, and the last block adds them in slice order.
struct ColumnReducePlan {
  int64_t outer = 0, inner = 0, tiles = 0;
  SliceSplit axis;

  int64_t blocks() const { return tiles * axis.slices * outer; }
  /// The scratch bytes of the partials (none with one slice).
  size_t partialBytes() const {
    return axis.slices == 1 ? 0
                            : static_cast<size_t>(outer * axis.slices * inner) *
                                  sizeof(float);
  }
  /// Where slice `slice`'s partial of output (o, i) goes: the slices of one
  /// output are `inner` apart.
  MPC_HD int64_t partialIndex(int64_t o, int64_t slice, int64_t i) const {
    return (o * axis.slices + slice) * inner + i;
  }
};

/// Slices of the axis so that the blocks reach kFillBlocks where the axis
/// allows (at least kReduceMinSlice per slice) and the partials fit
/// `scratchBytes`.
inline ColumnReducePlan planColumnReduce(int64_t outer, int64_t axis,
                                         int64_t inner, size_t scratchBytes) {
  ColumnReducePlan plan;
  plan.outer = outer;
  plan.inner = inner;
  plan.tiles = (inner + kReduceTileInner - 1) / kReduceTileInner;
  int64_t perSlice = std::max<int64_t>(1, plan.tiles * outer);
  int64_t wanted = (kFillBlocks + perSlice - 1) / perSlice;
  int64_t outputs = std::max<int64_t>(1, outer * inner);
  auto fitting = static_cast<int64_t>(scratchBytes / sizeof(float)) / outputs;
  plan.axis = splitLength(axis, std::min(wanted, fitting), kReduceMinSlice);
  return plan;
}

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_BLOCKPARTIALS_H
