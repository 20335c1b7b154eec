//===- NumericsProbes.h - --check-numerics on the CPU executor --*- C++ -*-===//
//
// The reference executor's side of mpc-check-numerics: the statistics of a
// probed op's outputs, taken from its f32 results before they are rounded
// to their element types (the probes' names are the step contract's,
// readNumericsProbes in dialects/mpc/StepContract.h).
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_REFERENCE_NUMERICSPROBES_H
#define MPC_COMPILER_REFERENCE_NUMERICSPROBES_H

#include "runtime/core/NumericsCheck.h"
#include "runtime/driver/Tensor.h"
#include "runtime/train/NumericsReport.h"

#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <vector>

namespace mpc::cpu {

/// The probe index of `op` (its mpc.numerics_probe), if it has one.
std::optional<unsigned> numericsProbeOf(mlir::Operation *op);

/// Rounds `op`'s float results, evaluated in f32, to their element types
/// (as roundResults does) and returns their statistics, taken from each
/// value before and after rounding: one pass over the outputs. Values
/// stored non-finite count as produced when every float operand is finite.
numerics::NumericsCounts
roundAndMeasure(mlir::Operation *op,
                llvm::ArrayRef<const driver::HostTensor *> operands,
                llvm::MutableArrayRef<driver::HostTensor> results);

} // namespace mpc::cpu

#endif // MPC_COMPILER_REFERENCE_NUMERICSPROBES_H
