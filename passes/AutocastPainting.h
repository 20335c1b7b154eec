//===- AutocastPainting.h - which ops of a graph run low --------*- C++ -*-===//
//
// The graph colouring of mpc-autocast, independent of MLIR: nodes are ops
// with a category, edges follow values from producer to consumer.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_PASSES_AUTOCASTPAINTING_H
#define MPC_PASSES_AUTOCASTPAINTING_H

#include "dialects/mpc/MpcAttrs.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/SmallVector.h"

namespace mpc {

class PaintGraph {
public:
  /// Adds a node; nodes must be added in a topological order.
  unsigned addNode(PrecisionCategory category);
  void addEdge(unsigned producer, unsigned consumer);

  unsigned size() const { return categories.size(); }
  PrecisionCategory category(unsigned node) const { return categories[node]; }
  llvm::ArrayRef<unsigned> inputs(unsigned node) const { return fanin[node]; }
  llvm::ArrayRef<unsigned> outputs(unsigned node) const { return fanout[node]; }

private:
  llvm::SmallVector<PrecisionCategory> categories;
  llvm::SmallVector<llvm::SmallVector<unsigned, 2>> fanin, fanout;
};

/// The nodes that run in the low precision:
///  1. allow nodes;
///  2. not deny nodes, nor infer/clear nodes on a path from a deny node
///     through infer/clear nodes to a deny or infer node (deny spreads
///     forward where it would otherwise cause a cast back);
///  3. infer/clear nodes both downstream and upstream of low nodes through
///     infer/clear nodes (no f32 islands between low ops);
///  4. with `inferFollowsAllow` (bf16), infer nodes with a low input and no
///     deny input;
///  5. clear nodes connected to low nodes through clear nodes.
llvm::BitVector paintLowPrecision(const PaintGraph &graph,
                                  bool inferFollowsAllow);

} // namespace mpc

#endif // MPC_PASSES_AUTOCASTPAINTING_H
