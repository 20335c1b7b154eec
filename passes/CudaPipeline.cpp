//===- CudaPipeline.cpp - mpc-cuda-pipeline -------------------------------===//
//
// The CUDA backend's passes between the training step and the translation
// to step.cu, in order, from one option string; the cost report reads the
// planned step on request.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

void mpc::buildCudaPipeline(OpPassManager &pm,
                            const CudaPipelineOptions &options) {
  pm.addPass(createFuse(FuseOptions{options.epilogues}));
  pm.addPass(createMultiTensorAdamW());
  pm.addPass(createWeightCopies());
  pm.addPass(createPlanMemory(PlanMemoryOptions{options.report}));
  if (!options.costReport.empty())
    pm.addPass(createCostReport(CostReportOptions{
        options.chip, options.costFormat, options.costReport}));
}

void mpc::registerCudaPipeline() {
  PassPipelineRegistration<CudaPipelineOptions>(
      "mpc-cuda-pipeline",
      "Prepares a training step for mpc-translate --mpc-to-cuda: fusion, "
      "the multi-tensor AdamW and its weight copies, then the memory plan "
      "(and, on request, the cost report)",
      buildCudaPipeline);
}
