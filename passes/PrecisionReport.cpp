//===- PrecisionReport.cpp - what autocast decided and what it costs ------===//
//
// Reads the `mpc.autocast` decisions and the `mpc.cast` ops of every
// function and writes one section per function: a headline in the manner of
// TensorFlow's "Converted X/Y nodes to float16 using Z casts", one row per
// decided op (location, op, category, input and output precisions, reason),
// one row per float-to-float cast with the bytes it moves per execution, and
// a summary. The module is never changed.
//
// Forward and backward: the op that defines the function's `mpc.loss`
// result is the boundary. Ops after it are backward (and optimizer) ops; a
// value defined by an op at or before it (not a load or a constant) and
// used by an op after it is saved for backward. Its bytes are compared with
// what an all-f32 step would save: float element types at 4 bytes, a value
// and its float-to-float casts counted once, and casts of parameters,
// constants and arguments not at all, since an f32 step has no such copies
// (the report gives their bytes apart). A function without a loss result,
// or with nothing after the loss op but casts, gets no activation figures.
//
// format=dot writes one function as a Graphviz graph instead
// (PrecisionReportDot.cpp): @train_step unless `function` names another.
//
// format=json writes one object (the f16 digits classifier, abridged):
//
//   {"functions": [{
//      "name": "train_step",
//      "ops": [{"op": "matmul", "location": "fc1 (mlp.json:17:5)",
//               "backward": false, "category": "allow",
//               "reason": "default_policy", "inputs": ["f16", "f16"],
//               "outputs": ["f16"]}, ...],
//      "casts": [{"location": "w1 (mlp.json:9:5)", "backward": false,
//                 "from": "f32", "to": "f16", "elements": 8192,
//                 "bytes": 49152}, ...],
//      "summary": {"ops_by_precision": {"f16": 5, "f32": 10}, "casts": 6,
//                  "cast_bytes": 96384, "activation_bytes": 24320,
//                  "activation_copy_bytes": 2560,
//                  "activation_bytes_f32": 42240}}, ...]}
//
// Each op, cast and summary is written on one line.
// An op whose precision a policy file's node entry set with a reason (a
// precision repair's evidence, mpc.precision_note) adds it: `"note"` in
// JSON, after the reason in the table.
// `category` and `reason` are the enum names of #mpc.autocast; `inputs` and
// `outputs` are element types; a cast's `location` is that of the value it
// converts; `bytes` is elements × (source + destination element bytes) per
// execution. `activation_bytes` includes `activation_copy_bytes`. The three
// activation figures are null where the table prints no activation line.
//
//===----------------------------------------------------------------------===//

#include "passes/PrecisionReport.h"
#include "passes/Passes.h"

#include "dialects/mpc/MpcOps.h"
#include "passes/ReportSupport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <map>

namespace mpc {
#define GEN_PASS_DEF_PRECISIONREPORT
#include "passes/Passes.h.inc"
} // namespace mpc

using namespace mlir;

namespace mpc::precision_report {

//===----------------------------------------------------------------------===//
// Types and locations in words
//===----------------------------------------------------------------------===//

std::string typeName(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

/// The element type of a tensor, else the type itself, as text.
std::string precisionOf(Type type) {
  if (auto shaped = llvm::dyn_cast<ShapedType>(type))
    return typeName(shaped.getElementType());
  return typeName(type);
}

/// Bytes one element of `type` occupies (an i1 takes a byte).
int64_t elementBytes(Type type) {
  return (type.getIntOrFloatBitWidth() + 7) / 8;
}

/// The element count and element type of a statically shaped tensor of int
/// or float elements; none for anything else.
std::optional<std::pair<int64_t, Type>> tensorSize(Type type) {
  auto tensor = llvm::dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() ||
      !tensor.getElementType().isIntOrFloat())
    return std::nullopt;
  return std::make_pair(tensor.getNumElements(), tensor.getElementType());
}

/// Where a value comes from: its defining op's location, or a function
/// argument's graph name (`mpc.name`) and location. A load is located at
/// its `mpc.param`, whose location no later pass merges or replaces.
std::string describe(Value value, SymbolTableCollection &symbols) {
  if (auto load = value.getDefiningOp<LoadOp>())
    if (Operation *param =
            symbols.lookupNearestSymbolFrom(load, load.getParamAttr()))
      return describeOrUnknown(param->getLoc());
  if (Operation *op = value.getDefiningOp())
    return describeOrUnknown(op->getLoc());
  auto argument = llvm::cast<BlockArgument>(value);
  std::string name;
  if (auto function = llvm::dyn_cast<FunctionOpInterface>(
          argument.getOwner()->getParentOp());
      function && argument.getOwner()->isEntryBlock()) {
    if (auto graphName = function.getArgAttrOfType<StringAttr>(
            argument.getArgNumber(), MpcDialect::kNameAttrName))
      name = graphName.str();
  }
  if (name.empty())
    name = llvm::formatv("argument {0}", argument.getArgNumber());
  std::string where = mpc::describe(argument.getLoc());
  if (where.empty())
    return name;
  // An argument location that already names the value is kept as is.
  if (StringRef(where).starts_with(name + " ("))
    return where;
  return name + " (" + where + ")";
}

StringRef reasonInWords(PrecisionReason reason) {
  switch (reason) {
  case PrecisionReason::default_policy:
    return "default policy";
  case PrecisionReason::policy_file:
    return "policy file";
  case PrecisionReason::node_override:
    return "node override";
  case PrecisionReason::neighbours:
    return "neighbours";
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Collecting
//===----------------------------------------------------------------------===//

/// A float-to-float mpc.cast, or null.
CastOp asFloatCast(Operation *op) {
  auto cast = llvm::dyn_cast_or_null<CastOp>(op);
  if (!cast ||
      !llvm::isa<FloatType>(cast.getInput().getType().getElementType()) ||
      !llvm::isa<FloatType>(cast.getType().getElementType()))
    return {};
  return cast;
}

/// Fills the activation figures: what crosses from ops at or before
/// `lossOp` to ops after it. `order` numbers the function's ops.
void measureActivations(FunctionReport &report, Operation *lossOp,
                        const llvm::DenseMap<Operation *, unsigned> &order,
                        ArrayRef<Operation *> ops) {
  unsigned boundary = order.lookup(lossOp);
  auto isForward = [&](Operation *op) {
    auto it = order.find(op);
    return it != order.end() && it->second <= boundary;
  };
  int64_t bytes = 0, copyBytes = 0, bytesF32 = 0;
  llvm::DenseSet<Value> roots;
  for (Operation *op : ops) {
    if (!isForward(op) || llvm::isa<LoadOp, ConstantOp>(op))
      continue;
    for (Value result : op->getResults()) {
      bool saved = llvm::any_of(result.getUsers(), [&](Operation *user) {
        return !isForward(user) &&
               !user->hasTrait<mlir::OpTrait::IsTerminator>();
      });
      auto size = tensorSize(result.getType());
      if (!saved || !size)
        continue;
      int64_t valueBytes = size->first * elementBytes(size->second);
      bytes += valueBytes;
      // An all-f32 step holds the value the casts were made from, once,
      // and no copy at all of a parameter, constant or argument.
      Value root = result;
      while (CastOp cast = asFloatCast(root.getDefiningOp()))
        root = cast.getInput();
      Operation *rootOp = root.getDefiningOp();
      if (!rootOp || llvm::isa<LoadOp, ConstantOp>(rootOp)) {
        copyBytes += valueBytes;
        continue;
      }
      if (!roots.insert(root).second)
        continue;
      auto rootSize = tensorSize(root.getType());
      if (!rootSize)
        continue;
      bytesF32 += rootSize->first * (llvm::isa<FloatType>(rootSize->second)
                                         ? 4
                                         : elementBytes(rootSize->second));
    }
  }
  report.activationBytes = bytes;
  report.activationCopyBytes = copyBytes;
  report.activationBytesF32 = bytesF32;
}

FunctionOps functionOps(FunctionOpInterface function) {
  FunctionOps body;
  function.getFunctionBody().walk<WalkOrder::PreOrder>([&](Operation *op) {
    body.order[op] = body.ops.size();
    body.ops.push_back(op);
  });
  // The loss op, where the function has a backward to separate.
  body.boundary = findLossOp(function);
  if (body.boundary && !hasBackward(body.boundary, body.order, body.ops))
    body.boundary = nullptr;
  return body;
}

bool FunctionOps::isBackward(Operation *op) const {
  return boundary && order.lookup(op) > order.lookup(boundary);
}

FunctionReport collect(FunctionOpInterface function,
                       SymbolTableCollection &symbols) {
  FunctionReport report;
  report.name = function.getName().str();

  FunctionOps body = functionOps(function);
  auto isBackward = [&](Operation *op) { return body.isBackward(op); };
  ArrayRef<Operation *> ops = body.ops;
  Operation *boundary = body.boundary;
  const llvm::DenseMap<Operation *, unsigned> &order = body.order;

  for (Operation *op : ops) {
    if (auto decision =
            op->getAttrOfType<AutocastAttr>(MpcDialect::kAutocastAttrName)) {
      OpRow row{opName(op),
                describeOrUnknown(op->getLoc()),
                isBackward(op),
                decision.getCategory(),
                decision.getReason(),
                {},
                {},
                {}};
      if (auto note =
              op->getAttrOfType<StringAttr>(MpcDialect::kPrecisionNoteAttrName))
        row.note = note.str();
      for (Type type : op->getOperandTypes())
        row.inputs.push_back(precisionOf(type));
      for (Type type : op->getResultTypes())
        row.outputs.push_back(precisionOf(type));
      std::string precision = "none";
      for (Type type : op->getResultTypes()) {
        if (llvm::isa<FloatType>(getElementTypeOrSelf(type))) {
          precision = precisionOf(type);
          break;
        }
      }
      ++report.opsByPrecision[precision];
      report.ops.push_back(std::move(row));
    }
    if (CastOp cast = asFloatCast(op)) {
      auto size = tensorSize(cast.getType());
      if (!size)
        continue;
      Type from = cast.getInput().getType().getElementType();
      int64_t bytes =
          size->first * (elementBytes(from) + elementBytes(size->second));
      report.casts.push_back({describe(cast.getInput(), symbols),
                              isBackward(op), typeName(from),
                              typeName(size->second), size->first, bytes});
      report.castBytes += bytes;
    }
  }
  if (boundary)
    measureActivations(report, boundary, order, ops);
  return report;
}

/// Low precisions first, then f32, then anything else by name: the order
/// of the headline and the JSON.
SmallVector<std::pair<std::string, int64_t>>
sortedPrecisions(const FunctionReport &report) {
  auto rank = [](StringRef precision) {
    return llvm::StringSwitch<int>(precision)
        .Case("f16", 0)
        .Case("bf16", 1)
        .Case("f32", 2)
        .Default(3);
  };
  SmallVector<std::pair<std::string, int64_t>> sorted(
      report.opsByPrecision.begin(), report.opsByPrecision.end());
  llvm::stable_sort(sorted, [&](const auto &a, const auto &b) {
    return std::make_pair(rank(a.first), StringRef(a.first)) <
           std::make_pair(rank(b.first), StringRef(b.first));
  });
  return sorted;
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

/// `98816 bytes (96.5 KiB)`; the exact figure first, for tools that grep.
std::string bytesInWords(int64_t bytes) {
  std::string text = llvm::formatv("{0} bytes", bytes);
  if (bytes >= (int64_t(1) << 20))
    text += llvm::formatv(" ({0:f1} MiB)", bytes / double(1 << 20));
  else if (bytes >= 1024)
    text += llvm::formatv(" ({0:f1} KiB)", bytes / 1024.0);
  return text;
}

std::string headline(const FunctionReport &report) {
  std::string text = "@" + report.name + ": ";
  auto precisions = sortedPrecisions(report);
  if (precisions.empty()) {
    text += "no op carries an autocast decision";
  } else {
    for (auto [i, entry] : llvm::enumerate(precisions)) {
      if (i == 0)
        text += llvm::formatv("{0} of {1} ops in {2}", entry.second,
                              report.ops.size(), entry.first);
      else
        text += llvm::formatv(", {0} in {1}", entry.second, entry.first);
    }
  }
  size_t casts = report.casts.size();
  if (casts == 0)
    return text + "; no casts";
  return text + llvm::formatv("; {0} cast{1} move{2} {3} per step", casts,
                              casts == 1 ? "" : "s", casts == 1 ? "s" : "",
                              bytesInWords(report.castBytes))
                    .str();
}

std::string joined(ArrayRef<std::string> items) {
  return items.empty() ? "-" : llvm::join(items, " ");
}

void writeTable(llvm::raw_ostream &os, ArrayRef<FunctionReport> reports) {
  for (auto [i, report] : llvm::enumerate(reports)) {
    if (i != 0)
      os << "\n";
    os << headline(report) << "\n";

    if (!report.ops.empty()) {
      SmallVector<SmallVector<std::string>> rows;
      rows.push_back(
          {"location", "op", "category", "inputs", "outputs", "reason"});
      for (const OpRow &op : report.ops)
        rows.push_back({op.location + (op.backward ? " (backward)" : ""), op.op,
                        stringifyPrecisionCategory(op.category).str(),
                        joined(op.inputs), joined(op.outputs),
                        reasonInWords(op.reason).str() +
                            (op.note.empty() ? "" : ": " + op.note)});
      os << "  ops:\n";
      writeColumns(os, rows, {false, false, false, false, false, false});
    }

    if (!report.casts.empty()) {
      SmallVector<SmallVector<std::string>> rows;
      rows.push_back({"value", "from", "to", "elements", "bytes"});
      for (const CastRow &cast : report.casts)
        rows.push_back({cast.location + (cast.backward ? " (backward)" : ""),
                        cast.from, cast.to, std::to_string(cast.elements),
                        std::to_string(cast.bytes)});
      os << "  casts:\n";
      writeColumns(os, rows, {false, false, false, true, true});
    }

    os << "  summary:\n";
    os << "    ops by precision:";
    auto precisions = sortedPrecisions(report);
    if (precisions.empty())
      os << " none";
    for (auto [j, entry] : llvm::enumerate(precisions))
      os << (j == 0 ? " " : ", ") << entry.first << " " << entry.second;
    os << "\n";
    os << "    casts: " << report.casts.size() << ", "
       << bytesInWords(report.castBytes) << " per step\n";
    if (report.activationBytes) {
      int64_t bytes = *report.activationBytes,
              bytesF32 = *report.activationBytesF32;
      os << "    saved for backward: " << bytesInWords(bytes);
      if (*report.activationCopyBytes != 0)
        os << ", of which " << bytesInWords(*report.activationCopyBytes)
           << " in casts of parameters and inputs";
      os << "; all-f32: " << bytesInWords(bytesF32);
      if (bytesF32 != 0)
        os << llvm::formatv("; {0:f2}x", double(bytes) / double(bytesF32));
      os << "\n";
    }
  }
}

void writeStrings(llvm::json::OStream &json, StringRef key,
                  ArrayRef<std::string> items) {
  json.attributeArray(key, [&] {
    for (const std::string &item : items)
      json.value(item);
  });
}

void writeOptional(llvm::json::OStream &json, StringRef key,
                   std::optional<int64_t> value) {
  if (value)
    json.attribute(key, *value);
  else
    json.attribute(key, nullptr);
}

/// Pretty-printed down to the rows, and one row per line: readable, and
/// easy to grep. Every string goes through llvm::json, which escapes it.
void writeJson(llvm::raw_ostream &os, ArrayRef<FunctionReport> reports) {
  os << "{\n  \"functions\": [";
  for (auto [i, report] : llvm::enumerate(reports)) {
    os << (i == 0 ? "\n" : ",\n") << "    {\n";
    os << "      \"name\": " << llvm::json::Value(report.name) << ",\n";

    std::vector<std::string> ops;
    for (const OpRow &op : report.ops)
      ops.push_back(jsonLine([&](llvm::json::OStream &json) {
        json.attribute("op", op.op);
        json.attribute("location", op.location);
        json.attribute("backward", op.backward);
        json.attribute("category", stringifyPrecisionCategory(op.category));
        json.attribute("reason", stringifyPrecisionReason(op.reason));
        if (!op.note.empty())
          json.attribute("note", op.note);
        writeStrings(json, "inputs", op.inputs);
        writeStrings(json, "outputs", op.outputs);
      }));
    writeArray(os, "ops", ops);

    std::vector<std::string> casts;
    for (const CastRow &cast : report.casts)
      casts.push_back(jsonLine([&](llvm::json::OStream &json) {
        json.attribute("location", cast.location);
        json.attribute("backward", cast.backward);
        json.attribute("from", cast.from);
        json.attribute("to", cast.to);
        json.attribute("elements", cast.elements);
        json.attribute("bytes", cast.bytes);
      }));
    writeArray(os, "casts", casts);

    os << "      \"summary\": " << jsonLine([&](llvm::json::OStream &json) {
      json.attributeObject("ops_by_precision", [&] {
        for (const auto &[precision, count] : sortedPrecisions(report))
          json.attribute(precision, count);
      });
      json.attribute("casts", int64_t(report.casts.size()));
      json.attribute("cast_bytes", report.castBytes);
      writeOptional(json, "activation_bytes", report.activationBytes);
      writeOptional(json, "activation_copy_bytes", report.activationCopyBytes);
      writeOptional(json, "activation_bytes_f32", report.activationBytesF32);
    }) << "\n    }";
  }
  os << (reports.empty() ? "]\n}\n" : "\n  ]\n}\n");
}

} // namespace mpc::precision_report

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {

using namespace mpc;
using namespace mpc::precision_report;

struct PrecisionReportPass
    : mpc::impl::PrecisionReportBase<PrecisionReportPass> {
  using PrecisionReportBase::PrecisionReportBase;

  /// The function format=dot draws: the one named by `function`, else
  /// @train_step, else the first; none, with an error, when there is no
  /// such function.
  std::optional<size_t>
  functionToDraw(ModuleOp module, ArrayRef<FunctionOpInterface> functions) {
    std::string wanted = function;
    auto named = [&](StringRef name) -> std::optional<size_t> {
      for (size_t i = 0; i < functions.size(); ++i)
        if (FunctionOpInterface(functions[i]).getName() == name)
          return i;
      return std::nullopt;
    };
    if (wanted.empty()) {
      if (std::optional<size_t> step = named(MpcDialect::kTrainStepFuncName))
        return step;
      if (!functions.empty())
        return 0;
      module.emitError("mpc-precision-report: no function with a body to draw");
      return std::nullopt;
    }
    if (std::optional<size_t> found = named(wanted))
      return found;
    SmallVector<std::string> names;
    for (FunctionOpInterface candidate : functions)
      names.push_back("@" + candidate.getName().str());
    module.emitError("mpc-precision-report: no function @")
        << wanted << " to draw; the module has "
        << (names.empty() ? std::string("none") : llvm::join(names, ", "));
    return std::nullopt;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    markAllAnalysesPreserved();
    if (format != "table" && format != "json" && format != "dot") {
      module.emitError("unknown report format '")
          << format << "'; expected table, json or dot";
      return signalPassFailure();
    }
    if (format != "dot" && (forwardOnly || !function.empty())) {
      module.emitError("mpc-precision-report: ")
          << (forwardOnly ? "forward-only" : "function")
          << " applies to format=dot, which draws one function";
      return signalPassFailure();
    }

    std::vector<FunctionOpInterface> functions;
    for (auto candidate : module.getOps<FunctionOpInterface>())
      if (!candidate.isExternal())
        functions.push_back(candidate);
    std::vector<FunctionReport> reports;
    SymbolTableCollection symbols;
    for (FunctionOpInterface candidate : functions)
      reports.push_back(collect(candidate, symbols));

    // Composed in memory first, so a failure leaves no partial file.
    std::string text;
    llvm::raw_string_ostream os(text);
    if (format == "dot") {
      std::optional<size_t> drawn = functionToDraw(module, functions);
      if (!drawn)
        return signalPassFailure();
      writeDot(os, functions[*drawn], reports[*drawn], forwardOnly);
    } else if (format == "json") {
      writeJson(os, reports);
    } else {
      writeTable(os, reports);
    }

    if (failed(writeReport(module, getArgument(), output, text)))
      signalPassFailure();
  }
};

} // namespace
