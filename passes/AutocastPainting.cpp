//===- AutocastPainting.cpp - TensorFlow-style precision painting ---------===//
//
// The rules of TensorFlow's auto mixed precision pass, on mpc's categories.
//
//===----------------------------------------------------------------------===//

#include "passes/AutocastPainting.h"

#include "llvm/ADT/STLFunctionalExtras.h"

using namespace mpc;
using llvm::BitVector;

unsigned PaintGraph::addNode(PrecisionCategory category) {
  categories.push_back(category);
  fanin.emplace_back();
  fanout.emplace_back();
  return categories.size() - 1;
}

void PaintGraph::addEdge(unsigned producer, unsigned consumer) {
  fanout[producer].push_back(consumer);
  fanin[consumer].push_back(producer);
}

namespace {

enum class Direction { Inputs, Outputs, Both };

/// Depth-first from `root`, entering a neighbour when `enter` says so;
/// `visit` sees the root and every entered node once.
void traverse(const PaintGraph &graph, unsigned root, Direction direction,
              llvm::function_ref<bool(unsigned)> enter,
              llvm::function_ref<void(unsigned)> visit) {
  BitVector seen(graph.size());
  llvm::SmallVector<unsigned> stack{root};
  seen.set(root);
  while (!stack.empty()) {
    unsigned node = stack.pop_back_val();
    visit(node);
    auto follow = [&](llvm::ArrayRef<unsigned> next) {
      for (unsigned neighbour : next)
        if (!seen.test(neighbour) && enter(neighbour)) {
          seen.set(neighbour);
          stack.push_back(neighbour);
        }
    };
    if (direction != Direction::Outputs)
      follow(graph.inputs(node));
    if (direction != Direction::Inputs)
      follow(graph.outputs(node));
  }
}

class Painter {
public:
  Painter(const PaintGraph &graph)
      : graph(graph), low(graph.size()), deny(graph.size()) {}

  BitVector run(bool inferFollowsAllow) {
    for (unsigned node = 0; node < graph.size(); ++node)
      if (is(node, PrecisionCategory::allow))
        low.set(node);
    spreadDenyForward();
    paintBetweenLow();
    if (inferFollowsAllow)
      paintInferAfterLow();
    spreadLowThroughClear();
    return low;
  }

private:
  bool is(unsigned node, PrecisionCategory category) const {
    return graph.category(node) == category;
  }
  bool isInferOrClear(unsigned node) const {
    return is(node, PrecisionCategory::infer) ||
           is(node, PrecisionCategory::clear);
  }

  void spreadDenyForward() {
    // Deny and infer nodes, and the clear nodes upstream of them.
    BitVector upstreamOfDenyOrInfer(graph.size());
    for (unsigned root = 0; root < graph.size(); ++root)
      if (is(root, PrecisionCategory::deny) ||
          is(root, PrecisionCategory::infer))
        traverse(
            graph, root, Direction::Inputs,
            [&](unsigned n) {
              return !upstreamOfDenyOrInfer.test(n) &&
                     is(n, PrecisionCategory::clear);
            },
            [&](unsigned n) { upstreamOfDenyOrInfer.set(n); });
    for (unsigned root = 0; root < graph.size(); ++root)
      if (is(root, PrecisionCategory::deny) && !deny.test(root))
        traverse(
            graph, root, Direction::Outputs,
            [&](unsigned n) {
              return !deny.test(n) && !is(n, PrecisionCategory::allow) &&
                     upstreamOfDenyOrInfer.test(n);
            },
            [&](unsigned n) { deny.set(n); });
  }

  bool paintable(unsigned node) const {
    return !low.test(node) && !deny.test(node) && isInferOrClear(node);
  }

  void paintBetweenLow() {
    BitVector downstreamOfLow(graph.size());
    for (unsigned root = 0; root < graph.size(); ++root)
      if (low.test(root))
        traverse(
            graph, root, Direction::Outputs,
            [&](unsigned n) {
              return !downstreamOfLow.test(n) && paintable(n);
            },
            [&](unsigned n) { downstreamOfLow.set(n); });
    BitVector upstreamOfLow(graph.size());
    BitVector between(graph.size());
    for (unsigned root = 0; root < graph.size(); ++root)
      if (low.test(root))
        traverse(
            graph, root, Direction::Inputs,
            [&](unsigned n) {
              return !upstreamOfLow.test(n) && downstreamOfLow.test(n);
            },
            [&](unsigned n) {
              upstreamOfLow.set(n);
              between.set(n);
            });
    low |= between;
  }

  void paintInferAfterLow() {
    // Nodes are in topological order, so chains of infer nodes follow.
    for (unsigned node = 0; node < graph.size(); ++node) {
      if (!is(node, PrecisionCategory::infer) || !paintable(node))
        continue;
      bool lowInput = false;
      for (unsigned input : graph.inputs(node)) {
        if (deny.test(input)) {
          lowInput = false;
          break;
        }
        lowInput |= low.test(input);
      }
      if (lowInput)
        low.set(node);
    }
  }

  void spreadLowThroughClear() {
    BitVector lowRoots = low;
    for (unsigned root : lowRoots.set_bits())
      traverse(
          graph, root, Direction::Both,
          [&](unsigned n) {
            return is(n, PrecisionCategory::clear) && !low.test(n) &&
                   !deny.test(n);
          },
          [&](unsigned n) { low.set(n); });
  }

  const PaintGraph &graph;
  BitVector low, deny;
};

} // namespace

BitVector mpc::paintLowPrecision(const PaintGraph &graph,
                                 bool inferFollowsAllow) {
  return Painter(graph).run(inferFollowsAllow);
}
