//===- OnnxNode.cpp - one ONNX node as the mappings see it ----------------===//

#include "compiler/import/onnx/OnnxNode.h"

#include "compiler/import/onnx/OnnxParams.h"

#include "dialects/mpc/MpcOps.h"

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace mpc::onnx_import {

bool normalizeAxis(int64_t &axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return false;
  if (axis < 0)
    axis += rank;
  return true;
}

llvm::StringRef NodeContext::opType() const { return node.op_type(); }

Value NodeContext::value(size_t index) {
  if (index >= inputs.size())
    return Value();
  if (inputs[index].value)
    return inputs[index].value;
  const Literal *literal = inputs[index].literal;
  if (!literal)
    return Value();
  auto constant = builder.create<ConstantOp>(
      loc, denseAttrOf(*literal, builder.getContext()));
  if (!literal->initializer.empty())
    constant->setAttr(kInitializerAttrName,
                      builder.getStringAttr(literal->initializer));
  return constant;
}

RankedTensorType NodeContext::type(size_t index) const {
  const NodeInput &input = inputs[index];
  if (input.value)
    return cast<RankedTensorType>(input.value.getType());
  return RankedTensorType::get(
      input.literal->shape,
      elementTypeOf(input.literal->kind, builder.getContext()));
}

size_t NodeContext::numOutputs() const { return node.output_size(); }

bool NodeContext::usesOutput(size_t index) const {
  return static_cast<int>(index) < node.output_size() &&
         !node.output(static_cast<int>(index)).empty();
}

const onnx::AttributeProto *NodeContext::attribute(llvm::StringRef name) const {
  for (const onnx::AttributeProto &attribute : node.attribute())
    if (attribute.name() == name)
      return &attribute;
  return nullptr;
}

int64_t NodeContext::intAttr(llvm::StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *found = attribute(name);
  return found && found->has_i() ? found->i() : defaultValue;
}

double NodeContext::floatAttr(llvm::StringRef name, double defaultValue) const {
  const onnx::AttributeProto *found = attribute(name);
  return found && found->has_f() ? found->f() : defaultValue;
}

std::string NodeContext::stringAttr(llvm::StringRef name,
                                    llvm::StringRef defaultValue) const {
  const onnx::AttributeProto *found = attribute(name);
  return found && found->has_s() ? found->s() : defaultValue.str();
}

std::optional<std::vector<int64_t>>
NodeContext::intsAttr(llvm::StringRef name) const {
  const onnx::AttributeProto *found = attribute(name);
  if (!found)
    return std::nullopt;
  return std::vector<int64_t>(found->ints().begin(), found->ints().end());
}

LogicalResult NodeContext::unsupported(const llvm::Twine &reason) {
  return emitError(loc) << reason;
}

} // namespace mpc::onnx_import
