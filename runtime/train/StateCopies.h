//===- StateCopies.h - the 16-bit copies among a step's state ---*- C++ -*-===//
//
// A state tensor with copy_of (mpc-weight-copies) is a parameter rounded to
// f16 or bf16, which the optimizer update keeps in step with its source.
// Executors keep the copies to themselves: they set each from its source
// whenever the state is set from outside (initializers, checkpoints), and
// the state they show leaves them out, so checkpoints are the same with or
// without copies.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_TRAIN_STATECOPIES_H
#define MPC_RUNTIME_TRAIN_STATECOPIES_H

#include "runtime/core/StepContract.h"
#include "runtime/driver/Tensor.h"

#include <vector>

namespace mpc::train {

using driver::HostTensor;

/// State tensor `copy` holds state tensor `source` rounded to `dtype`.
struct StateCopy {
  size_t copy, source;
  DType dtype;
};

/// The copies of `specs` (module order), each after its source.
std::vector<StateCopy> stateCopies(const std::vector<StateSpec> &specs);

/// Sets every copy of `state` (one f32 tensor per state tensor) to its
/// source rounded to nearest even.
void refreshCopies(const std::vector<StateCopy> &copies,
                   std::vector<HostTensor> &state);

/// The state an executor shows: `all` without the copies.
std::vector<HostTensor> withoutCopies(const std::vector<StateSpec> &specs,
                                      std::vector<HostTensor> all);

/// The inverse of withoutCopies: `shown` with each copy inserted and set
/// from its source. A short `shown` stays short where it ends (the executor
/// reports the missing tensor).
std::vector<HostTensor> withCopies(const std::vector<StateSpec> &specs,
                                   std::vector<HostTensor> shown);

} // namespace mpc::train

#endif // MPC_RUNTIME_TRAIN_STATECOPIES_H
