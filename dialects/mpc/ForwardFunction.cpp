//===- ForwardFunction.cpp - the function an importer builds -------------===//

#include "dialects/mpc/ForwardFunction.h"

#include "dialects/mpc/MpcDialect.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace mpc {

void finishForwardFunction(func::FuncOp forward, Location returnLoc,
                           ValueRange results,
                           llvm::ArrayRef<std::string> inputNames,
                           llvm::ArrayRef<std::string> resultNames,
                           bool firstIsLoss) {
  Block &body = forward.getBody().front();
  OpBuilder builder = OpBuilder::atBlockEnd(&body);
  builder.create<func::ReturnOp>(returnLoc, results);
  forward.setFunctionType(
      builder.getFunctionType(body.getArgumentTypes(), results.getTypes()));
  for (auto [index, name] : llvm::enumerate(inputNames))
    forward.setArgAttr(index, MpcDialect::kNameAttrName,
                       builder.getStringAttr(name));
  for (auto [index, name] : llvm::enumerate(resultNames))
    forward.setResultAttr(index, MpcDialect::kNameAttrName,
                          builder.getStringAttr(name));
  if (firstIsLoss)
    forward.setResultAttr(0, MpcDialect::kLossAttrName, builder.getUnitAttr());
}

} // namespace mpc
