//===- InputSpecs.h - Checks and fills of graph input tensors ---*- C++ -*-===//
//
// Datasets are told the graph's inputs as HostTensors holding a name, shape
// and dtype. These helpers validate those specs and size them for a batch.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_INPUTSPECS_H
#define MPC_RUNTIME_DRIVER_INPUTSPECS_H

#include "runtime/driver/Tensor.h"

#include <optional>
#include <string>
#include <vector>

namespace mpc::driver {

/// "'x' (F32 [32, 64])".
std::string describeInput(const HostTensor &spec);

/// "'x' (F32 [32, 64]), 'y' (I64 [32])".
std::string describeInputs(const std::vector<HostTensor> &specs);

/// The elements of one sample of `spec` (the product of its dims after the
/// first). Nullopt, with `error` set after "PATH: ", unless the spec has a
/// positive batch dim and positive sample dims whose product fits.
std::optional<int64_t> sampleElements(const HostTensor &spec,
                                      std::string &error);

/// Sets the leading dim of `input` to `batch` and its values to zeros.
void resizeForBatch(HostTensor &input, int64_t batch);

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_INPUTSPECS_H
