//===- ParamInit.cpp - parameter initializers of mpc.param ----------------===//

#include "compiler/reference/ParamInit.h"

namespace mpc::cpu {

driver::InitSpec toInitSpec(InitAttr init) {
  driver::InitSpec spec;
  // The driver names its kinds as the enum does, so the two cannot drift
  // apart silently: an unknown name would leave `zeros` and fail the
  // initializer tests.
  if (auto kind =
          driver::parseInitKind(stringifyInitKind(init.getKind()).str()))
    spec.kind = *kind;
  spec.first = init.getFirstValue();
  spec.second = init.getSecondValue();
  spec.seed = init.getSeed();
  return spec;
}

void initializeParam(InitAttr init, llvm::StringRef name, uint64_t seed,
                     driver::HostTensor &value) {
  driver::initializeParam(toInitSpec(init), name.str(), seed, value);
}

} // namespace mpc::cpu
