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
