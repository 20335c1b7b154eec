//===- CudaEmitterSupport.cpp - spelling IR facts in CUDA C++ -------------===//

#include "compiler/target/cuda/CudaEmitterSupport.h"

#include "dialects/mpc/ElementTypes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <cstring>

using namespace mlir;

namespace mpc {

namespace {
/// What the device holds a tensor of `elementType` as; f32 for a type it
/// has no tensors of (the emitter refuses those before it spells them).
const DTypeInfo &deviceInfo(Type elementType) {
  return *findDType(deviceDType(elementType).value_or(DType::F32));
}
} // namespace

StringRef cudaStorageType(Type elementType) {
  return deviceInfo(elementType).cudaType;
}

StringRef cudaComputeType(Type elementType) {
  if (elementType.isInteger(1))
    return "bool";
  if (elementType.isInteger())
    return "int32_t";
  return "float";
}

StringRef cudaDtype(Type elementType) {
  return deviceInfo(elementType).abiName;
}

int64_t cudaElementSize(Type elementType) {
  return static_cast<int64_t>(deviceInfo(elementType).bytes);
}

Type elementTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getElementType();
}

int64_t numElementsOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getNumElements();
}

/// `text` (a %g rendering) with a decimal point or exponent, so that it reads
/// as a floating-point literal.
static std::string withPoint(std::string text) {
  if (text.find_first_of(".e") == std::string::npos)
    text += ".0";
  return text;
}

std::string floatLiteral(float value) {
  if (!std::isfinite(value)) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    return "__int_as_float(0x" + llvm::utohexstr(bits, /*LowerCase=*/true) +
           ")";
  }
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.9g", value);
  return withPoint(buffer) + "f";
}

std::string doubleLiteral(double value) {
  if (std::isnan(value))
    return "NAN";
  if (std::isinf(value))
    return value > 0 ? "HUGE_VAL" : "-HUGE_VAL";
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%.17g", value);
  return withPoint(buffer);
}

std::string cStringLiteral(StringRef text) {
  std::string literal = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\' || c == '?')
      literal += '\\';
    if (c < 0x20 || c >= 0x7f) {
      // Octal escapes end after three digits, unlike hexadecimal ones.
      literal += '\\';
      literal += static_cast<char>('0' + (c >> 6));
      literal += static_cast<char>('0' + ((c >> 3) & 7));
      literal += static_cast<char>('0' + (c & 7));
      continue;
    }
    literal += static_cast<char>(c);
  }
  return literal + "\"";
}

std::string cIdentifier(StringRef text) {
  std::string identifier;
  for (char c : text)
    identifier += llvm::isAlnum(c) ? c : '_';
  return identifier;
}

std::string nodeName(Location loc) {
  std::string node;
  loc->walk([&](Location inner) {
    if (auto name = dyn_cast<NameLoc>(inner)) {
      node = name.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return node;
}

/// The first file position in `loc`, or "".
static std::string filePosition(Location loc) {
  std::string position;
  loc->walk([&](Location inner) {
    if (auto file = dyn_cast<FileLineColLoc>(inner)) {
      position = (file.getFilename().str() + ":" + Twine(file.getLine()) + ":" +
                  Twine(file.getColumn()))
                     .str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return position;
}

std::string describeOp(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  std::string node = nodeName(op->getLoc());
  std::string position = filePosition(op->getLoc());
  if (!node.empty())
    os << "node '" << node << "' ";
  if (!position.empty())
    os << "at " << position << " ";
  os << "(" << op->getName().getStringRef() << ")";
  // An op the compiler made without a location is found by its function.
  if (node.empty() && position.empty())
    if (auto function = op->getParentOfType<func::FuncOp>())
      os << " in @" << function.getSymName();
  return oneLine(text);
}

std::string oneLine(StringRef text) {
  std::string line = text.str();
  for (char &c : line)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = ' ';
  return line;
}

} // namespace mpc
