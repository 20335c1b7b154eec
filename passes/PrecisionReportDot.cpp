//===- PrecisionReportDot.cpp - the precision plan as a Graphviz graph ----===//
//
// mpc-precision-report format=dot: one function as a `digraph`, for
// `dot -Tsvg`. Ops are nodes filled by the element type of their first
// float result (f32 blue, f16 orange, bf16 green, none grey) and labelled
// with their graph node's name (the JSON node they come from), the op and
// the precisions they read and write. Parameters and graph inputs are
// nodes of their own; constants, loads, stores and the return are left
// out. A cast is no node but a red edge from the value it converts to each
// op that reads the copy, labelled with the conversion; its first edge
// also carries the bytes the cast moves per step, as the table counts them.
//
// The ops after the loss are split in two clusters: the optimizer (the
// update, clipping and loss-scaling ops, everything computed from their
// results, and what does not depend on the forward pass at all, such as
// the step count) and the backward (the rest: the gradients).
//
//===----------------------------------------------------------------------===//

#include "passes/PrecisionReport.h"

#include "dialects/mpc/OpCoverage.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <map>
#include <set>

using namespace mlir;

namespace mpc::precision_report {
namespace {

enum class Cluster { Forward, Backward, Optimizer };

/// The fill colour of a precision: colour-blind-safe hues, light enough for
/// black text.
StringRef fillOf(StringRef precision) {
  return llvm::StringSwitch<StringRef>(precision)
      .Case("f32", "#9ecae1")
      .Case("f16", "#fdae6b")
      .Case("bf16", "#a1d99b")
      .Default("#d9d9d9");
}

/// `text` as the inside of a DOT string: quotes and backslashes escaped,
/// control characters as spaces.
std::string quoted(StringRef text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  }
  return out;
}

/// The name of the graph node an op comes from: the first name of its
/// location that is not a JSON Pointer (`fc1`), or "".
std::string nodeName(Location loc) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc)) {
    StringRef text = name.getName().strref();
    return text.starts_with("/") ? nodeName(name.getChildLoc()) : text.str();
  }
  if (auto call = llvm::dyn_cast<CallSiteLoc>(loc))
    return nodeName(call.getCallee());
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc))
    for (Location part : fused.getLocations())
      if (std::string text = nodeName(part); !text.empty())
        return text;
  return "";
}

/// The element type of the first float result, or "" for none.
std::string floatPrecisionOf(TypeRange types) {
  for (Type type : types)
    if (llvm::isa<FloatType>(getElementTypeOrSelf(type)))
      return precisionOf(type);
  return "";
}

/// "bf16" when an op reads and writes one precision, "bf16→f32" when it
/// reads another (or several): distinct element types in order of use.
std::string precisionsInWords(Operation *op) {
  SmallVector<std::string> inputs, outputs;
  auto add = [](SmallVector<std::string> &list, Type type) {
    std::string precision = precisionOf(type);
    if (!llvm::is_contained(list, precision))
      list.push_back(precision);
  };
  for (Type type : op->getOperandTypes())
    add(inputs, type);
  for (Type type : op->getResultTypes())
    add(outputs, type);
  std::string out = llvm::join(outputs, " ");
  if (inputs.empty() || inputs == outputs)
    return out;
  return llvm::join(inputs, " ") + "→" + out;
}

/// The clusters of the ops after the boundary (see the file comment).
llvm::DenseMap<Operation *, Cluster> clustersOf(ArrayRef<Operation *> ops,
                                                const FunctionOps &body) {
  llvm::DenseMap<Operation *, Cluster> clusters;
  llvm::DenseSet<Operation *> fromForward, fromUpdate;
  for (Operation *op : ops) {
    if (!body.isBackward(op)) {
      clusters[op] = Cluster::Forward;
      if (!llvm::isa<LoadOp, ConstantOp>(op))
        fromForward.insert(op);
      continue;
    }
    bool update = OptimizerOps::contains(op->getName()) ||
                  LossScalingOps::contains(op->getName());
    bool forward = false;
    for (Value operand : op->getOperands()) {
      Operation *producer = operand.getDefiningOp();
      forward |= !producer || fromForward.contains(producer);
      update |= producer && fromUpdate.contains(producer);
    }
    if (forward)
      fromForward.insert(op);
    if (update)
      fromUpdate.insert(op);
    clusters[op] = update || !forward ? Cluster::Optimizer : Cluster::Backward;
  }
  return clusters;
}

/// Writes one function's digraph: the clusters of op nodes, the parameter
/// and input nodes, the legend, then every edge.
class DotWriter {
public:
  DotWriter(llvm::raw_ostream &os, FunctionOpInterface function,
            const FunctionReport &report, bool forwardOnly)
      : os(os), function(function), report(report), forwardOnly(forwardOnly) {}

  void write() {
    FunctionOps body = functionOps(function);
    // Ops of the body itself: a fused op is drawn as one node.
    SmallVector<Operation *> ops;
    for (Operation *op : body.ops)
      if (op->getParentOp() == function.getOperation())
        ops.push_back(op);
    clusters = clustersOf(ops, body);
    for (Operation *op : ops)
      if (isDrawn(op))
        nodes[op] = "n" + std::to_string(nodes.size());
    for (Operation *op : ops)
      if (nodes.count(op))
        collectEdges(op);

    os << "digraph \"" << quoted(report.name) << "\" {\n";
    std::string title = quoted(headline(report));
    if (forwardOnly)
      title += " (forward only)";
    if (!report.casts.empty())
      title += "\\nred edges: casts, with the bytes they move per step on "
               "the first edge of each";
    os << "  graph [label=\"" << title << "\", labelloc=t, "
       << "fontname=\"Helvetica\", fontsize=12, rankdir=TB];\n";
    os << "  node [shape=box, style=\"rounded,filled\", "
          "fontname=\"Helvetica\", fontsize=10];\n";
    os << "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n";
    writeCluster(Cluster::Forward, ops, "forward");
    writeCluster(Cluster::Backward, ops, "backward");
    writeCluster(Cluster::Optimizer, ops, "optimizer");
    for (const auto &[key, source] : sources)
      if (!source.inOptimizer)
        writeSource(source);
    writeLegend();
    for (const std::string &edge : edges)
      os << "  " << edge << "\n";
    os << "}\n";
  }

private:
  /// A parameter (by symbol) or a graph input (by argument) an edge starts
  /// at.
  struct Source {
    std::string id, label, precision;
    bool input = false;
    /// Whether every op reading it is an optimizer op: then it is drawn in
    /// that cluster (optimizer state, the loss scaler's counters).
    bool inOptimizer = true;
  };

  bool isDrawn(Operation *op) const {
    if (llvm::isa<ConstantOp, LoadOp, StoreOp, CastOp>(op) ||
        op->hasTrait<mlir::OpTrait::IsTerminator>())
      return false;
    return !forwardOnly || clusters.lookup(op) == Cluster::Forward;
  }

  /// The id of the node `value` comes from, making a source node for a
  /// parameter or an input; "" for a constant or an op not drawn.
  std::string sourceOf(Value value, Operation *user) {
    bool optimizerUser = clusters.lookup(user) == Cluster::Optimizer;
    auto source = [&](std::string key, auto fill) -> std::string {
      auto [it, added] = sources.try_emplace(key);
      if (added) {
        it->second.id = "s" + std::to_string(sources.size() - 1);
        fill(it->second);
      }
      it->second.inOptimizer &= optimizerUser;
      return it->second.id;
    };
    if (auto load = value.getDefiningOp<LoadOp>()) {
      StringRef symbol = load.getParam();
      return source(("param:" + symbol).str(), [&](Source &s) {
        s.label = symbol.str();
        s.precision = precisionOf(load.getType());
      });
    }
    if (auto argument = llvm::dyn_cast<BlockArgument>(value)) {
      unsigned number = argument.getArgNumber();
      return source("input:" + std::to_string(number), [&](Source &s) {
        auto name = function.getArgAttrOfType<StringAttr>(
            number, MpcDialect::kNameAttrName);
        s.label = name ? name.str() : "argument " + std::to_string(number);
        s.precision = precisionOf(argument.getType());
        s.input = true;
      });
    }
    auto it = nodes.find(value.getDefiningOp());
    return it == nodes.end() ? "" : it->second;
  }

  void collectEdges(Operation *user) {
    for (Value operand : user->getOperands()) {
      // Follow casts back to the value they convert.
      Value root = operand;
      int64_t castBytes = 0;
      bool firstUse = false;
      while (auto cast = root.getDefiningOp<CastOp>()) {
        if (auto size = tensorSize(cast.getType()))
          castBytes +=
              size->first *
              (elementBytes(cast.getInput().getType().getElementType()) +
               elementBytes(size->second));
        firstUse |= drawnCasts.insert(cast.getOperation()).second;
        root = cast.getInput();
      }
      std::string from = sourceOf(root, user);
      if (from.empty())
        continue;
      std::string edge = from + " -> " + nodes[user];
      if (root != operand) {
        std::string label =
            precisionOf(root.getType()) + "→" + precisionOf(operand.getType());
        if (firstUse)
          label += "\\n" + std::to_string(castBytes) + " B";
        edge += " [color=\"#d62728\", fontcolor=\"#d62728\", penwidth=2, "
                "label=\"" +
                label + "\"]";
      }
      edges.push_back(edge + ";");
    }
  }

  void writeNode(Operation *op, StringRef indent) {
    std::string label;
    if (std::string name = nodeName(op->getLoc()); !name.empty())
      label = quoted(name) + "\\n";
    label += quoted(opName(op)) + "\\n" + quoted(precisionsInWords(op));
    std::string tooltip = describe(op->getLoc());
    if (auto decision =
            op->getAttrOfType<AutocastAttr>(MpcDialect::kAutocastAttrName))
      tooltip +=
          llvm::formatv("{0}{1}, {2}", tooltip.empty() ? "" : ": ",
                        stringifyPrecisionCategory(decision.getCategory()),
                        stringifyPrecisionReason(decision.getReason()))
              .str();
    os << indent << nodes[op] << " [label=\"" << label << "\", fillcolor=\""
       << fillOf(floatPrecisionOf(op->getResultTypes())) << "\", tooltip=\""
       << quoted(tooltip) << "\"];\n";
  }

  void writeSource(const Source &source, StringRef indent = "  ") {
    os << indent << source.id << " [label=\"" << quoted(source.label) << "\\n"
       << quoted(source.precision)
       << "\", shape=" << (source.input ? "invhouse" : "cylinder")
       << ", style=filled, fillcolor=\"" << fillOf(source.precision)
       << "\"];\n";
  }

  void writeCluster(Cluster cluster, ArrayRef<Operation *> ops,
                    StringRef name) {
    SmallVector<Operation *> members;
    for (Operation *op : ops)
      if (nodes.count(op) && clusters.lookup(op) == cluster)
        members.push_back(op);
    if (members.empty())
      return;
    os << "  subgraph cluster_" << name << " {\n";
    os << "    label=\"" << name << "\"; style=\"rounded,dashed\"; "
       << "color=\"#999999\"; fontname=\"Helvetica\";\n";
    for (Operation *op : members)
      writeNode(op, "    ");
    if (cluster == Cluster::Optimizer)
      for (const auto &[key, source] : sources)
        if (source.inOptimizer)
          writeSource(source, "    ");
    os << "  }\n";
  }

  /// One swatch per precision the ops are drawn in.
  void writeLegend() {
    std::set<std::string> shown;
    for (const auto &[op, id] : nodes)
      shown.insert(floatPrecisionOf(op->getResultTypes()));
    os << "  subgraph cluster_legend {\n";
    os << "    label=\"precision\"; style=\"rounded\"; color=\"#999999\"; "
       << "fontname=\"Helvetica\";\n";
    for (StringRef precision : {"f32", "f16", "bf16"})
      if (shown.count(precision.str()))
        os << "    legend_" << precision << " [label=\"" << precision
           << "\", fillcolor=\"" << fillOf(precision) << "\"];\n";
    os << "  }\n";
  }

  llvm::raw_ostream &os;
  FunctionOpInterface function;
  const FunctionReport &report;
  bool forwardOnly;
  llvm::DenseMap<Operation *, Cluster> clusters;
  /// The drawn ops and their node ids.
  llvm::MapVector<Operation *, std::string> nodes;
  /// Parameters and inputs, by "param:NAME" or "input:N".
  std::map<std::string, Source> sources;
  llvm::DenseSet<Operation *> drawnCasts;
  std::vector<std::string> edges;
};

} // namespace

void writeDot(llvm::raw_ostream &os, FunctionOpInterface function,
              const FunctionReport &report, bool forwardOnly) {
  DotWriter(os, function, report, forwardOnly).write();
}

} // namespace mpc::precision_report
