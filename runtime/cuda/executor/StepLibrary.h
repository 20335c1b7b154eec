//===- StepLibrary.h - a loaded step.so -------------------------*- C++ -*-===//

#ifndef MPC_RUNTIME_CUDA_EXECUTOR_STEPLIBRARY_H
#define MPC_RUNTIME_CUDA_EXECUTOR_STEPLIBRARY_H

#include "runtime/cuda/executor/Manifest.h"

#include <map>
#include <memory>
#include <string>

namespace mpc::cuda {

/// A step library opened with dlopen, checked against the runtime's ABI
/// version and its manifest.
class StepLibrary {
public:
  /// Opens `path`; fails unless it exports mpc_abi_version() of this
  /// runtime, an embedded manifest equal to the text of `manifestPath`,
  /// mpc_step_init and the entry of every function of `manifest`.
  static std::unique_ptr<StepLibrary> open(const std::string &path,
                                           const std::string &manifestPath,
                                           const Manifest &manifest,
                                           std::string &error);
  ~StepLibrary();

  /// The entry of function `name` (an mpc_step_fn), as dlsym returned it.
  void *entry(const std::string &name) const { return entries.at(name); }
  /// mpc_step_init (an mpc_step_init_fn), as dlsym returned it: called once
  /// before any entry.
  void *init() const { return initEntry; }

private:
  StepLibrary(void *handle) : handle(handle) {}

  void *handle;
  void *initEntry = nullptr;
  std::map<std::string, void *> entries;
};

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_EXECUTOR_STEPLIBRARY_H
