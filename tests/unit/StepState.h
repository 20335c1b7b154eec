//===- StepState.h - a CPU step's state by name, for unit tests -*- C++ -*-===//
//
// The parameters and state of a CPU step executor as f32 vectors by name,
// and the check that a step left them bit for bit as they were: what the
// tests of skipped steps assert.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_TESTS_UNIT_STEPSTATE_H
#define MPC_TESTS_UNIT_STEPSTATE_H

#include "compiler/reference/CpuStepExecutor.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace mpc::testing {

using State = std::map<std::string, std::vector<float>>;

/// Every parameter and state tensor of `executor`, by name.
inline State stateOf(const cpu::CpuStepExecutor &executor) {
  State values;
  for (const driver::HostTensor &tensor : executor.state())
    values[tensor.name] = tensor.f32;
  return values;
}

/// Expects every tensor of `before` for which `skip` is false to be in
/// `after` with the same bits.
inline void expectBitIdentical(const State &before, const State &after,
                               llvm::function_ref<bool(llvm::StringRef)> skip) {
  for (const auto &[name, values] : before) {
    if (skip(name))
      continue;
    ASSERT_TRUE(after.count(name)) << name;
    ASSERT_EQ(values.size(), after.at(name).size()) << name;
    for (size_t i = 0; i < values.size(); ++i)
      EXPECT_EQ(std::memcmp(&values[i], &after.at(name)[i], sizeof(float)), 0)
          << name << "[" << i << "]";
  }
}

} // namespace mpc::testing

#endif // MPC_TESTS_UNIT_STEPSTATE_H
