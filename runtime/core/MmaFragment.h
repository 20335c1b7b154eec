//===- MmaFragment.h - who holds what in an m16n8k16 MMA --------*- C++ -*-===//
//
// The register layout of the warp-wide tensor-core product
// mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16}: D (16x8, f32) =
// A (16x16, 16-bit) * B (16x8, 16-bit) + C. Each of the 32 lanes holds
// eight elements of A (four 32-bit registers of two 16-bit values, the
// lower half first), four of B (two registers) and four of C and D (four
// f32 registers). These functions map a lane's element to its row and
// column, so that the CUDA attention kernels load and read fragments
// through them and a CPU test checks them against the PTX ISA's layout.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_MMAFRAGMENT_H
#define MPC_RUNTIME_CORE_MMAFRAGMENT_H

#include "HostDevice.h"

#include <stdint.h>

namespace mpc::mma {

/// The product's shape: A is kM x kK, B kK x kN, C and D kM x kN.
inline constexpr int kM = 16, kN = 8, kK = 16;
/// Lanes of a warp, and each lane's elements of A, B and C.
inline constexpr int kLanes = 32, kAElements = 8, kBElements = 4,
                     kCElements = 4;

/// A matrix position.
struct Coord {
  int row, col;
};

/// Element `e` (0..7) of lane `lane`'s A fragment: rows lane/4 and
/// lane/4 + 8, columns 2 (lane % 4) + {0, 1} and the same plus 8.
MPC_HD Coord aElement(int lane, int e) {
  return {lane / 4 + 8 * ((e / 2) % 2), 2 * (lane % 4) + e % 2 + 8 * (e / 4)};
}

/// Element `e` (0..3) of lane `lane`'s B fragment: rows (k) 2 (lane % 4) +
/// {0, 1} and the same plus 8, column lane / 4.
MPC_HD Coord bElement(int lane, int e) {
  return {2 * (lane % 4) + e % 2 + 8 * (e / 2), lane / 4};
}

/// Element `e` (0..3) of lane `lane`'s C (and D) fragment: rows lane/4 and
/// lane/4 + 8, columns 2 (lane % 4) + {0, 1}.
MPC_HD Coord cElement(int lane, int e) {
  return {lane / 4 + 8 * (e / 2), 2 * (lane % 4) + e % 2};
}

/// A's element `e` for the k-step of columns [16 s, 16 s + 16) of a row of
/// accumulator tiles is, in the same lane, element cOfA(e) of the tile
/// 2 s + tileOfA(e): the two layouts agree, so a product's accumulators
/// (probabilities, score gradients) become the next product's A without
/// leaving the registers.
MPC_HD int tileOfA(int e) { return e / 4; }
MPC_HD int cOfA(int e) { return e % 4; }

/// The offset of element `e` of lane `lane`'s B fragment in a row-major
/// tile with `stride` elements between rows, for the B of X Tᵀ: the
/// transpose of the tile's rows [8 nTile, 8 nTile + 8) at columns
/// [16 kStep, 16 kStep + 16). (Scores from a tile of keys.)
MPC_HD int transposedBOffset(int lane, int e, int nTile, int kStep,
                             int stride) {
  Coord c = bElement(lane, e);
  return (nTile * kN + c.col) * stride + kStep * kK + c.row;
}

/// The same for the B of W T: the tile's rows [16 kStep, 16 kStep + 16) at
/// columns [8 nTile, 8 nTile + 8). (Probabilities times a tile of values.)
MPC_HD int bOffset(int lane, int e, int kStep, int nTile, int stride) {
  Coord c = bElement(lane, e);
  return (kStep * kK + c.row) * stride + nTile * kN + c.col;
}

/// Two 16-bit values in one 32-bit register, `low` first: the order of a
/// fragment's element pairs.
MPC_HD uint32_t packPair(uint16_t low, uint16_t high) {
  return uint32_t(low) | uint32_t(high) << 16;
}

} // namespace mpc::mma

#endif // MPC_RUNTIME_CORE_MMAFRAGMENT_H
