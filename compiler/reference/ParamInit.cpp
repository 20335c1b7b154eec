//===- ParamInit.cpp - parameter initializers of mpc.param ----------------===//

#include "compiler/reference/ParamInit.h"

#include "dialects/mpc/StepContract.h"

namespace mpc::cpu {

void initializeParam(InitAttr init, llvm::StringRef name, uint64_t seed,
                     driver::HostTensor &value) {
  driver::initializeParam(initSpecOf(init), name.str(), seed, value);
}

} // namespace mpc::cpu
