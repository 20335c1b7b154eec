//===- StepBench.cpp - training-step time of the CPU executor -------------===//
//
// mpc-bench-step [STEPS]: compiles both examples to their training step and
// times it on the reference executor (one step = forward, backward and the
// optimizer update). Inputs are fixed synthetic batches: the step's cost
// does not depend on the values. Prints the median over STEPS steps after a
// warm-up step.
//
//===----------------------------------------------------------------------===//

#include "compiler/ModelLoader.h"
#include "compiler/reference/CpuStepExecutor.h"

#include "mlir/IR/MLIRContext.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#ifndef MPC_SOURCE_DIR
#error "MPC_SOURCE_DIR must name the source tree (for the examples)"
#endif

namespace {

using mpc::driver::HostTensor;

/// Inputs of the step's shapes: small ids and labels, unit features.
std::vector<HostTensor> syntheticInputs(const mpc::cpu::CpuStepExecutor &step) {
  std::vector<HostTensor> inputs = step.inputSpecs();
  for (HostTensor &input : inputs) {
    if (input.dtype == HostTensor::DType::F32)
      input.f32.assign(input.numElements(), 1.0f);
    else
      for (int64_t i = 0; i < input.numElements(); ++i)
        input.i64.push_back(i % 7);
  }
  return inputs;
}

void benchmark(const char *example, int steps) {
  std::string path = std::string(MPC_SOURCE_DIR) + "/examples/" + example;
  mlir::MLIRContext context;
  std::string error;
  auto module = mpc::loadTrainingModule(path, {}, context, error);
  auto step = module
                  ? mpc::cpu::CpuStepExecutor::create(std::move(module), error)
                  : nullptr;
  if (!step) {
    std::fprintf(stderr, "mpc-bench-step: %s\n", error.c_str());
    std::exit(1);
  }
  step->initialize(0);
  std::vector<HostTensor> inputs = syntheticInputs(*step), outputs;
  std::vector<double> times;
  for (int i = 0; i <= steps; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (!step->trainStep(inputs, i, outputs, error)) {
      std::fprintf(stderr, "mpc-bench-step: %s\n", error.c_str());
      std::exit(1);
    }
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - start)
                    .count();
    if (i > 0)
      times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  double median = times[times.size() / 2];
  int64_t batch = inputs.front().shape.front();
  int64_t items = batch;
  if (inputs.front().shape.size() == 2 &&
      inputs.front().dtype == HostTensor::DType::I64)
    items *= inputs.front().shape[1];
  std::printf("%-10s batch %3lld  %8.2f ms/step  %10.0f %s/s\n", example,
              static_cast<long long>(batch), median,
              double(items) * 1000.0 / median,
              items == batch ? "samples" : "tokens");
}

} // namespace

int main(int argc, char **argv) {
  int steps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  std::printf("CPU reference executor, median of %d training steps\n", steps);
  benchmark("mlp.json", steps);
  benchmark("gpt.json", steps);
  return 0;
}
