//===- MpcAttrs.cpp - mpc attributes --------------------------------------===//

#include "dialects/mpc/MpcAttrs.h"
#include "dialects/mpc/MpcDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include <cmath>

using namespace mlir;
using namespace mpc;

#include "dialects/mpc/MpcEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/mpc/MpcAttrs.cpp.inc"

llvm::ArrayRef<InitArgument> mpc::initArguments(InitKind kind) {
  static const InitArgument constant[] = {{"value", 0.0}};
  static const InitArgument normal[] = {{"mean", 0.0}, {"std", 1.0}};
  static const InitArgument uniform[] = {{"low", 0.0}, {"high", 1.0}};
  static const InitArgument xavier[] = {{"gain", 1.0}};
  switch (kind) {
  case InitKind::zeros:
  case InitKind::ones:
    return {};
  case InitKind::constant:
    return constant;
  case InitKind::normal:
    return normal;
  case InitKind::uniform:
    return uniform;
  case InitKind::xavier_uniform:
  case InitKind::xavier_normal:
    return xavier;
  }
  llvm_unreachable("unknown InitKind");
}

InitAttr InitAttr::getDefault(MLIRContext *context, InitKind kind) {
  double values[2] = {0.0, 0.0};
  for (auto [index, argument] : llvm::enumerate(initArguments(kind)))
    values[index] = argument.defaultValue;
  return InitAttr::get(context, kind, llvm::APFloat(values[0]),
                       llvm::APFloat(values[1]), std::nullopt);
}

Attribute InitAttr::parse(AsmParser &parser, Type) {
  llvm::SMLoc kindLoc = parser.getCurrentLocation();
  std::string kindName;
  if (parser.parseLess() || parser.parseKeywordOrString(&kindName))
    return {};
  std::optional<InitKind> kind = symbolizeInitKind(kindName);
  if (!kind) {
    parser.emitError(kindLoc, "unknown initializer kind '") << kindName << "'";
    return {};
  }
  llvm::ArrayRef<InitArgument> arguments = initArguments(*kind);
  double values[2] = {0.0, 0.0};
  for (auto [index, argument] : llvm::enumerate(arguments))
    values[index] = argument.defaultValue;
  std::optional<uint64_t> seed;
  llvm::SmallVector<llvm::StringRef, 3> seen;
  while (succeeded(parser.parseOptionalComma())) {
    llvm::SMLoc keyLoc = parser.getCurrentLocation();
    llvm::StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return {};
    if (llvm::is_contained(seen, key)) {
      parser.emitError(keyLoc, "initializer argument '")
          << key << "' is given more than once";
      return {};
    }
    seen.push_back(key);
    if (key == "seed") {
      llvm::SMLoc valueLoc = parser.getCurrentLocation();
      llvm::APInt value;
      if (parser.parseInteger(value))
        return {};
      // A negative literal parses with its sign bit set; a non-negative one
      // gets a clear sign bit, so 64 value bits fit in 65.
      if (value.isNegative() || value.getActiveBits() > 64) {
        parser.emitError(valueLoc, "seed must be an integer in [0, 2^64), got ")
            << llvm::toString(value, 10, /*Signed=*/true);
        return {};
      }
      seed = value.getZExtValue();
      continue;
    }
    const auto *found = llvm::find_if(
        arguments, [&](const InitArgument &a) { return a.name == key; });
    if (found == arguments.end()) {
      parser.emitError(keyLoc, "initializer '")
          << kindName << "' takes no argument '" << key << "'";
      return {};
    }
    if (parser.parseFloat(values[found - arguments.begin()]))
      return {};
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<InitAttr>(parser.getContext(), *kind,
                                     llvm::APFloat(values[0]),
                                     llvm::APFloat(values[1]), seed);
}

void InitAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyInitKind(getKind());
  const llvm::APFloat values[2] = {getFirst(), getSecond()};
  for (auto [index, argument] : llvm::enumerate(initArguments(getKind()))) {
    printer << ", " << argument.name << " = ";
    printer.printFloat(values[index]);
  }
  if (getSeed())
    printer << ", seed = " << *getSeed();
  printer << ">";
}

LogicalResult
LrScheduleAttr::verify(llvm::function_ref<InFlightDiagnostic()> emitError,
                       LrScheduleKind kind, int64_t warmupSteps,
                       int64_t decaySteps, llvm::APFloat minRatioValue,
                       int64_t stepSize, llvm::APFloat gammaValue) {
  double minRatio = minRatioValue.convertToDouble();
  double gamma = gammaValue.convertToDouble();
  // An argument that the kind does not read is an error rather than
  // silently ignored.
  bool decays =
      kind == LrScheduleKind::cosine || kind == LrScheduleKind::linear;
  bool steps = kind == LrScheduleKind::step;
  std::string name = stringifyLrScheduleKind(kind).str();
  if (warmupSteps < 0)
    return emitError() << "lr schedule: warmup_steps must be >= 0, got "
                       << warmupSteps;
  if (decays) {
    if (decaySteps <= warmupSteps)
      return emitError() << "lr schedule " << name
                         << ": decay_steps must be greater than warmup_steps ("
                         << warmupSteps << "), got " << decaySteps;
    if (!(minRatio >= 0 && minRatio <= 1))
      return emitError() << "lr schedule " << name
                         << ": min_ratio must lie in [0, 1], got " << minRatio;
  } else if (decaySteps != 0 || minRatio != 0) {
    return emitError() << "lr schedule " << name
                       << ": decay_steps and min_ratio apply to cosine and "
                          "linear only";
  }
  if (steps) {
    if (stepSize < 1)
      return emitError() << "lr schedule step: step_size must be >= 1, got "
                         << stepSize;
    if (!(gamma > 0 && gamma <= 1))
      return emitError() << "lr schedule step: gamma must lie in (0, 1], got "
                         << gamma;
  } else if (stepSize != 0 || gamma != 1) {
    return emitError() << "lr schedule " << name
                       << ": step_size and gamma apply to step only";
  }
  return success();
}

static_assert(static_cast<int>(LrScheduleKind::constant) == MPC_LR_CONSTANT &&
              static_cast<int>(LrScheduleKind::cosine) == MPC_LR_COSINE &&
              static_cast<int>(LrScheduleKind::linear) == MPC_LR_LINEAR &&
              static_cast<int>(LrScheduleKind::step) == MPC_LR_STEP);

mpc_lr_schedule mpc::toRuntimeSchedule(LrScheduleAttr schedule) {
  if (!schedule)
    return {MPC_LR_CONSTANT, 0, 0, 0.0, 0, 1.0};
  return {static_cast<int32_t>(schedule.getKind()),
          schedule.getWarmupSteps(),
          schedule.getDecaySteps(),
          schedule.getMinRatio().convertToDouble(),
          schedule.getStepSize(),
          schedule.getGamma().convertToDouble()};
}

LogicalResult
InitAttr::verify(llvm::function_ref<InFlightDiagnostic()> emitError,
                 InitKind kind, llvm::APFloat first, llvm::APFloat second,
                 std::optional<uint64_t>) {
  double a = first.convertToDouble(), b = second.convertToDouble();
  if (!std::isfinite(a) || !std::isfinite(b))
    return emitError() << "initializer arguments must be finite";
  switch (kind) {
  case InitKind::normal:
    if (b < 0)
      return emitError() << "normal initializer needs std >= 0, got " << b;
    break;
  case InitKind::uniform:
    if (!(a < b))
      return emitError() << "uniform initializer needs low < high, got low = "
                         << a << ", high = " << b;
    break;
  case InitKind::xavier_uniform:
  case InitKind::xavier_normal:
    if (a <= 0)
      return emitError() << "xavier initializer needs gain > 0, got " << a;
    break;
  default:
    break;
  }
  return success();
}

LogicalResult
InitAttr::verifyFor(RankedTensorType type,
                    llvm::function_ref<InFlightDiagnostic()> emitError) const {
  InitKind kind = getKind();
  bool xavier =
      kind == InitKind::xavier_uniform || kind == InitKind::xavier_normal;
  if (xavier && type.getRank() < 2)
    return emitError() << "xavier initializer needs rank >= 2, got " << type;
  // Zeros fill any element type; every other kind produces real numbers.
  if (kind != InitKind::zeros && !llvm::isa<FloatType>(type.getElementType()))
    return emitError() << "initializer '" << stringifyInitKind(kind)
                       << "' needs a float element type, got " << type;
  return success();
}

void MpcDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/mpc/MpcAttrs.cpp.inc"
      >();
}

LogicalResult
BufferAttr::verify(llvm::function_ref<InFlightDiagnostic()> emitError,
                   BufferKind kind, int64_t offset, FlatSymbolRefAttr symbol) {
  if (offset < 0)
    return emitError() << "buffer offset must not be negative, got " << offset;
  if ((kind == BufferKind::state) != bool(symbol))
    return emitError() << (symbol ? "only a state buffer names a symbol"
                                  : "a state buffer must name its symbol");
  if (kind == BufferKind::arena && offset % kArenaAlignment != 0)
    return emitError() << "arena offset " << offset << " is not a multiple of "
                       << kArenaAlignment;
  return success();
}
