//===- CudaStepExecutor.cpp - the training loop on a GPU ------------------===//
//
// One device allocation holds, at 256-byte aligned offsets: the parameters
// and optimizer state (manifest order), the arena, each function's input
// block ({seed, step}, then its inputs) and output block, and the loss ring.
// A training step costs the host one packed copy into pinned memory, one
// asynchronous upload and one graph launch. The first step runs eagerly
// with each op checked (DebugMode.h), the second is captured into the graph;
// both enqueue exactly what a replay does. A step that --check-numerics
// instrumented also zeroes its probes' counts (one ProbeCounts per probe,
// after the loss ring) first, and the host reads them back after every
// step into the numerics report: a wait per step, the price of the check.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/executor/CudaStepExecutor.h"

#include "runtime/core/NumericsCheck.h"
#include "runtime/cuda/executor/DebugMode.h"
#include "runtime/cuda/executor/DeviceTensors.h"
#include "runtime/cuda/executor/LossHistory.h"
#include "runtime/cuda/executor/StepCompiler.h"
#include "runtime/cuda/executor/StepLibrary.h"
#include "runtime/cuda/mpc_cuda_runtime.h"
#include "runtime/driver/InitValues.h"
#include "runtime/driver/ParamInit.h"
#include "runtime/train/StateCopies.h"

#include <algorithm>
#include <cstring>

namespace mpc::cuda {
namespace {

constexpr size_t kAlignment = 256;
/// cuBLASLt's workspace; 32 MiB is what its heuristics want on Hopper.
constexpr size_t kWorkspaceBytes = size_t(32) << 20;
/// Steps whose losses the device keeps before the host must read them.
constexpr uint32_t kLossCapacity = 1024;
/// The {seed, step} pair that heads every input block.
constexpr size_t kSeedStepBytes = 2 * sizeof(uint64_t);

size_t alignUp(size_t bytes) {
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

/// Aligned offsets of consecutive tensors after a header of `headerBytes`.
struct Block {
  std::vector<size_t> offsets;
  size_t bytes = 0;
};

Block layoutBlock(const std::vector<size_t> &sizes, size_t headerBytes) {
  Block block;
  block.bytes = alignUp(headerBytes);
  for (size_t size : sizes) {
    block.offsets.push_back(block.bytes);
    block.bytes += alignUp(size);
  }
  return block;
}

std::vector<size_t> inputSizes(const FunctionSpec &function) {
  std::vector<size_t> sizes;
  for (const TensorSpec &input : function.inputs)
    sizes.push_back(input.bytes());
  return sizes;
}

/// Results arrive as f32 (floats) or int32 (integers): four bytes each.
std::vector<size_t> outputSizes(const FunctionSpec &function) {
  std::vector<size_t> sizes;
  for (const TensorSpec &output : function.outputs)
    sizes.push_back(size_t(output.numElements()) * 4);
  return sizes;
}

/// The device type a result arrives in.
DType resultType(const TensorSpec &output) {
  return isFloat(output.dtype) ? DType::F32 : DType::I32;
}

/// Where everything lives in the one device allocation.
struct Layout {
  Block state;
  size_t arena = 0;
  struct Function {
    size_t inputs = 0, outputs = 0;
    Block inputBlock, outputBlock;
  };
  Function train, forward;
  size_t lossRing = 0, lossCount = 0, stuckRun = 0;
  /// The probes' counts (numerics::ProbeCounts each), when instrumented.
  size_t probeCounts = 0, probeCountsBytes = 0;
  size_t total = 0;

  explicit Layout(const Manifest &manifest) {
    std::vector<size_t> stateSizes;
    for (const StateSpec &spec : manifest.state)
      stateSizes.push_back(spec.bytes());
    state = layoutBlock(stateSizes, 0);
    size_t end = state.bytes;
    arena = end;
    end += alignUp(size_t(manifest.arenaBytes));
    for (auto [function, name] :
         {std::pair(&train, kTrainStep), std::pair(&forward, kForward)}) {
      const FunctionSpec &spec = *manifest.function(name);
      function->inputBlock = layoutBlock(inputSizes(spec), kSeedStepBytes);
      function->outputBlock = layoutBlock(outputSizes(spec), 0);
      function->inputs = end;
      end += function->inputBlock.bytes;
      function->outputs = end;
      end += function->outputBlock.bytes;
    }
    lossRing = end;
    end += alignUp(kLossCapacity * sizeof(float));
    lossCount = end;
    end += alignUp(sizeof(unsigned long long));
    stuckRun = end;
    end += alignUp(sizeof(StuckLossScaleRun));
    probeCounts = end;
    if (manifest.numericsProbes)
      probeCountsBytes =
          manifest.numericsProbes->size() * sizeof(numerics::ProbeCounts);
    end += alignUp(probeCountsBytes);
    total = end;
  }
};

bool check(cudaError_t status, const char *call, std::string &error) {
  if (status == cudaSuccess)
    return true;
  error = std::string(call) + " failed: " + cudaGetErrorString(status);
  return false;
}

/// What a failure that surfaces in a wait says outside debug mode, where the
/// op that failed is not known.
constexpr char kFindTheOp[] =
    " (MPC_CUDA_SYNC=1 runs every step op by op and names the failing op)";

} // namespace

size_t requiredDeviceBytes(const Manifest &manifest) {
  return Layout(manifest).total + kWorkspaceBytes;
}

/// The buffers and entry of one step function.
struct FunctionBuffers {
  const FunctionSpec *spec = nullptr;
  mpc_step_fn entry = nullptr;
  std::vector<void *> inputs, outputs;
  mpc_step_args args{};
};

struct CudaStepExecutor::Impl {
  Impl(Manifest manifest)
      : manifest(std::move(manifest)), layout(this->manifest) {}
  ~Impl();

  bool open(const std::string &libraryPath, const std::string &manifestPath,
            std::string &error);
  /// Packs `inputs` after {seed, step} into `staging` as `function` takes
  /// them.
  bool pack(const FunctionBuffers &function, const Layout::Function &layout,
            const std::vector<HostTensor> &inputs, uint64_t step, char *staging,
            std::string &error);
  /// Enqueues the training step's calls, then the append of its loss to
  /// the ring: what the captured graph holds.
  bool enqueueTrainStep(std::string &error);
  bool captureTrainStep(std::string &error);
  /// Runs the training step eagerly, each op checked, and waits for it.
  bool runCheckedTrainStep(std::string &error);
  /// Moves the losses on the device ring to `drained`; waits for the
  /// device.
  bool drainLosses(std::string &error);
  /// Waits for the step just launched and records its probes' counts as
  /// step `step` of the numerics report.
  bool recordNumerics(uint64_t step, std::string &error);
  /// A wait for the device; a failure of earlier work that it reports
  /// says how to find the op outside debug mode.
  bool waited(cudaError_t status, const char *call, std::string &error) {
    if (check(status, call, error))
      return true;
    if (!debug)
      error += kFindTheOp;
    return false;
  }
  bool synchronize(std::string &error) {
    return waited(cudaStreamSynchronize(stream), "cudaStreamSynchronize",
                  error);
  }
  /// The first error of a call that cannot return one is kept.
  void defer(const std::string &error) const {
    if (deferred.empty())
      deferred = error;
  }
  char *stateAt(size_t index) { return device + layout.state.offsets[index]; }
  StuckLossScaleRun *stuckRun() {
    return reinterpret_cast<StuckLossScaleRun *>(device + layout.stuckRun);
  }

  Manifest manifest;
  Layout layout;
  std::string deviceName;
  /// Debug mode: every call checked, nothing captured.
  bool debug = false;
  /// Training steps and evaluations this executor has run.
  uint64_t stepsRun = 0, evaluationsRun = 0;
  std::unique_ptr<StepLibrary> library;
  cudaStream_t stream = nullptr;
  mpc_rt *rt = nullptr;
  char *device = nullptr;
  /// Pinned host memory: two training input slots, the evaluation input
  /// and output blocks, and the loss read-back.
  char *pinned = nullptr;
  char *trainStaging[2] = {nullptr, nullptr};
  char *evalInputs = nullptr, *evalOutputs = nullptr;
  float *lossStaging = nullptr;
  /// The probes' counts read back (--check-numerics).
  numerics::ProbeCounts *numericsStaging = nullptr;
  std::unique_ptr<train::NumericsReport> numericsReport;
  /// Recorded after the upload from each training slot; the slot is reused
  /// once it has completed, two steps later.
  cudaEvent_t uploaded[2] = {nullptr, nullptr};
  int slot = 0;
  std::vector<void *> statePointers;
  /// With loss scaling that counts skipped steps: the scale the step cannot
  /// go below, the state counting skipped steps and the dynamic scale's
  /// state (null for a static scale), which each step's count reads.
  std::optional<float> lowestScale;
  std::optional<size_t> skippedIndex;
  const float *scaleState = nullptr;
  /// The accumulation phase, when the step accumulates gradients.
  const float *phaseState = nullptr;
  FunctionBuffers train, forward;
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t graphExec = nullptr;
  /// The run's seed (initialize), which heads every input block with the
  /// step: dropout masks mix it in.
  uint64_t seed = 0;
  /// Steps enqueued (each appends its loss to the ring), and those whose
  /// losses the host has read.
  uint64_t launched = 0, taken = 0;
  std::vector<double> drained;
  mutable std::string deferred;
};

CudaStepExecutor::Impl::~Impl() {
  if (stream)
    cudaStreamSynchronize(stream);
  if (graphExec)
    cudaGraphExecDestroy(graphExec);
  if (graph)
    cudaGraphDestroy(graph);
  for (cudaEvent_t event : uploaded)
    if (event)
      cudaEventDestroy(event);
  if (rt)
    mpc_rt_destroy(rt);
  if (stream)
    cudaStreamDestroy(stream);
  if (device)
    cudaFree(device);
  if (pinned)
    cudaFreeHost(pinned);
}

bool CudaStepExecutor::Impl::open(const std::string &libraryPath,
                                  const std::string &manifestPath,
                                  std::string &error) {
  library = StepLibrary::open(libraryPath, manifestPath, manifest, error);
  if (!library)
    return false;
  if (!check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking),
             "cudaStreamCreateWithFlags", error))
    return false;
  char message[512] = "";
  rt = mpc_rt_create(stream, kWorkspaceBytes, message, sizeof message);
  if (!rt) {
    error = std::string("mpc_rt_create failed: ") + message;
    return false;
  }
  // Before any capture: the library looks up device addresses here.
  if (reinterpret_cast<mpc_step_init_fn>(library->init())(rt) != 0) {
    error = mpc_rt_last_error(rt);
    return false;
  }
  if (!check(cudaMalloc(reinterpret_cast<void **>(&device), layout.total),
             "cudaMalloc", error) ||
      !check(cudaMemsetAsync(device, 0, layout.total, stream),
             "cudaMemsetAsync", error))
    return false;
  size_t trainBytes = layout.train.inputBlock.bytes;
  size_t pinnedBytes = 2 * trainBytes + layout.forward.inputBlock.bytes +
                       layout.forward.outputBlock.bytes +
                       kLossCapacity * sizeof(float) + layout.probeCountsBytes;
  if (!check(cudaHostAlloc(reinterpret_cast<void **>(&pinned), pinnedBytes,
                           cudaHostAllocDefault),
             "cudaHostAlloc", error))
    return false;
  trainStaging[0] = pinned;
  trainStaging[1] = pinned + trainBytes;
  evalInputs = pinned + 2 * trainBytes;
  evalOutputs = evalInputs + layout.forward.inputBlock.bytes;
  lossStaging =
      reinterpret_cast<float *>(evalOutputs + layout.forward.outputBlock.bytes);
  numericsStaging =
      reinterpret_cast<numerics::ProbeCounts *>(lossStaging + kLossCapacity);
  if (manifest.numericsProbes)
    numericsReport =
        std::make_unique<train::NumericsReport>(*manifest.numericsProbes);
  for (cudaEvent_t &event : uploaded)
    if (!check(cudaEventCreateWithFlags(&event, cudaEventDisableTiming),
               "cudaEventCreateWithFlags", error))
      return false;
  for (size_t i = 0; i < manifest.state.size(); ++i)
    statePointers.push_back(stateAt(i));
  if (std::optional<size_t> phase = manifest.accumulatePhaseIndex())
    phaseState = reinterpret_cast<const float *>(stateAt(*phase));
  if (const std::optional<LossScalingSpec> &scaling = manifest.lossScaling;
      scaling && scaling->skipped) {
    skippedIndex = manifest.stateIndex(*scaling->skipped);
    if (!scaling->dynamic)
      lowestScale = static_cast<float>(scaling->staticScale.value_or(1));
    else if (scaling->floor && scaling->scale) {
      lowestScale = static_cast<float>(*scaling->floor);
      scaleState = reinterpret_cast<const float *>(
          stateAt(*manifest.stateIndex(*scaling->scale)));
    }
  }
  for (auto [function, functionLayout, name] :
       {std::tuple(&train, &layout.train, kTrainStep),
        std::tuple(&forward, &layout.forward, kForward)}) {
    function->spec = manifest.function(name);
    function->entry = reinterpret_cast<mpc_step_fn>(library->entry(name));
    char *inputs = device + functionLayout->inputs;
    for (size_t offset : functionLayout->inputBlock.offsets)
      function->inputs.push_back(inputs + offset);
    for (size_t offset : functionLayout->outputBlock.offsets)
      function->outputs.push_back(device + functionLayout->outputs + offset);
    function->args.arena = device + layout.arena;
    function->args.state = statePointers.data();
    function->args.inputs = function->inputs.data();
    function->args.outputs = function->outputs.data();
    function->args.seed_step = reinterpret_cast<const uint64_t *>(inputs);
  }
  // Only the training step is probed.
  if (layout.probeCountsBytes)
    train.args.numerics = device + layout.probeCounts;
  return synchronize(error);
}

bool CudaStepExecutor::Impl::pack(const FunctionBuffers &function,
                                  const Layout::Function &functionLayout,
                                  const std::vector<HostTensor> &inputs,
                                  uint64_t step, char *staging,
                                  std::string &error) {
  const std::vector<TensorSpec> &specs = function.spec->inputs;
  if (inputs.size() != specs.size()) {
    error = function.spec->name + " takes " + std::to_string(specs.size()) +
            " inputs, got " + std::to_string(inputs.size());
    return false;
  }
  uint64_t header[2] = {seed, step};
  std::memcpy(staging, header, sizeof header);
  for (size_t i = 0; i < specs.size(); ++i)
    if (!packTensor(inputs[i], specs[i].dtype, specs[i].numElements(),
                    staging + functionLayout.inputBlock.offsets[i], error)) {
      error = "input '" + specs[i].name + "': " + error;
      return false;
    }
  return true;
}

bool CudaStepExecutor::Impl::enqueueTrainStep(std::string &error) {
  if (layout.probeCountsBytes &&
      !check(cudaMemsetAsync(device + layout.probeCounts, 0,
                             layout.probeCountsBytes, stream),
             "cudaMemsetAsync (numerics)", error))
    return false;
  if (train.entry(rt, &train.args) != 0) {
    error = train.spec->entry + " failed: " + mpc_rt_last_error(rt);
    return false;
  }
  if (!check(appendLoss(static_cast<const float *>(train.outputs[0]),
                        reinterpret_cast<float *>(device + layout.lossRing),
                        reinterpret_cast<unsigned long long *>(
                            device + layout.lossCount),
                        kLossCapacity, stream),
             "the loss history kernel launch", error))
    return false;
  return !lowestScale ||
         check(countStuckStep(
                   stuckRun(),
                   reinterpret_cast<const float *>(stateAt(*skippedIndex)),
                   scaleState, *lowestScale, phaseState, stream),
               "the stuck loss scale kernel launch", error);
}

bool CudaStepExecutor::Impl::captureTrainStep(std::string &error) {
  if (!check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal),
             "cudaStreamBeginCapture", error))
    return false;
  bool enqueued = enqueueTrainStep(error);
  cudaGraph_t captured = nullptr;
  cudaError_t end = cudaStreamEndCapture(stream, &captured);
  graph = captured;
  return enqueued && check(end, "cudaStreamEndCapture", error) &&
         check(cudaGraphInstantiate(&graphExec, graph, 0),
               "cudaGraphInstantiate", error);
}

bool CudaStepExecutor::Impl::runCheckedTrainStep(std::string &error) {
  mpc_rt_set_debug(rt, 1);
  bool enqueued = enqueueTrainStep(error);
  mpc_rt_set_debug(rt, 0);
  // Every op has been waited for; this waits for the loss append.
  return enqueued &&
         check(cudaStreamSynchronize(stream), "the loss history kernel", error);
}

bool CudaStepExecutor::Impl::drainLosses(std::string &error) {
  uint64_t pending = launched - taken;
  if (pending == 0)
    return synchronize(error);
  const float *ring = reinterpret_cast<const float *>(device + layout.lossRing);
  uint64_t start = taken % kLossCapacity;
  uint64_t first = std::min<uint64_t>(pending, kLossCapacity - start);
  if (!check(cudaMemcpyAsync(lossStaging, ring + start, first * sizeof(float),
                             cudaMemcpyDeviceToHost, stream),
             "cudaMemcpyAsync (losses)", error) ||
      (pending > first &&
       !check(cudaMemcpyAsync(lossStaging + first, ring,
                              (pending - first) * sizeof(float),
                              cudaMemcpyDeviceToHost, stream),
              "cudaMemcpyAsync (losses)", error)) ||
      !synchronize(error))
    return false;
  drained.insert(drained.end(), lossStaging, lossStaging + pending);
  taken = launched;
  return true;
}

bool CudaStepExecutor::Impl::recordNumerics(uint64_t step, std::string &error) {
  // An instrumented f32 step may probe nothing: nothing to read.
  if (layout.probeCountsBytes &&
      (!check(cudaMemcpyAsync(numericsStaging, device + layout.probeCounts,
                              layout.probeCountsBytes, cudaMemcpyDeviceToHost,
                              stream),
              "cudaMemcpyAsync (numerics)", error) ||
       !synchronize(error)))
    return false;
  std::vector<numerics::NumericsCounts> counts;
  for (size_t i = 0; i < manifest.numericsProbes->size(); ++i)
    counts.push_back(numerics::probeStatistics(numericsStaging[i]));
  numericsReport->record(step, counts);
  return true;
}

CudaStepExecutor::CudaStepExecutor(std::unique_ptr<Impl> impl)
    : impl(std::move(impl)) {}

CudaStepExecutor::~CudaStepExecutor() = default;

std::unique_ptr<CudaStepExecutor>
CudaStepExecutor::create(const std::string &directory, Manifest manifest,
                         const DeviceInfo &device, bool debug,
                         std::string &error) {
  std::string manifestPath = directory + "/manifest.json";
  size_t needed = requiredDeviceBytes(manifest);
  if (needed > device.freeBytes) {
    error = "the step needs " + std::to_string(needed) +
            " bytes of GPU memory, " + std::to_string(device.freeBytes) +
            " free on " + device.name;
    return nullptr;
  }
  std::optional<std::string> library =
      stepLibraryFor(directory, device.sm(), error);
  if (!library)
    return nullptr;
  // Pretrained values are read now, so a missing file fails before a step.
  if (!driver::loadInitValues(manifest, directory, error))
    return nullptr;
  auto impl = std::make_unique<Impl>(std::move(manifest));
  impl->deviceName = device.name;
  impl->debug = debug;
  if (!impl->open(*library, manifestPath, error))
    return nullptr;
  return std::unique_ptr<CudaStepExecutor>(
      new CudaStepExecutor(std::move(impl)));
}

std::string CudaStepExecutor::graphName() const { return impl->manifest.graph; }

std::vector<HostTensor> CudaStepExecutor::inputSpecs() const {
  std::vector<HostTensor> specs;
  for (const TensorSpec &input : impl->train.spec->inputs)
    specs.push_back(hostSpec(input));
  return specs;
}

std::vector<HostTensor> CudaStepExecutor::outputSpecs() const {
  std::vector<HostTensor> specs;
  for (const TensorSpec &output : impl->train.spec->outputs)
    specs.push_back(hostSpec(output));
  return specs;
}

int CudaStepExecutor::labelInput() const { return impl->manifest.labelInput; }

int64_t CudaStepExecutor::microBatches() const {
  return impl->manifest.accumulate;
}

void CudaStepExecutor::initialize(uint64_t seed) {
  impl->seed = seed;
  std::vector<HostTensor> values;
  for (const StateSpec &spec : impl->manifest.state) {
    if (spec.copyOf) // setState sets it from its source
      continue;
    HostTensor value = hostSpec(spec);
    if (value.dtype == HostTensor::DType::F32)
      value.f32.resize(size_t(spec.numElements()));
    else
      value.i64.resize(size_t(spec.numElements()));
    driver::initializeParam(spec.init, spec.name, seed, value);
    values.push_back(std::move(value));
  }
  setState(std::move(values));
}

bool CudaStepExecutor::trainStep(const std::vector<HostTensor> &inputs,
                                 uint64_t step, std::string &error) {
  Impl &s = *impl;
  if (!s.deferred.empty()) {
    error = s.deferred;
    return false;
  }
  StepRun run = trainStepRun(s.debug, s.stepsRun, s.graphExec != nullptr);
  if (run == StepRun::Capture && !s.captureTrainStep(error))
    return false;
  // The ring holds kLossCapacity losses; older ones move to the host first.
  if (s.launched - s.taken == kLossCapacity && !s.drainLosses(error))
    return false;
  s.slot ^= 1;
  char *staging = s.trainStaging[s.slot];
  if (!s.waited(cudaEventSynchronize(s.uploaded[s.slot]),
                "cudaEventSynchronize", error) ||
      !s.pack(s.train, s.layout.train, inputs, step, staging, error) ||
      !check(cudaMemcpyAsync(s.device + s.layout.train.inputs, staging,
                             s.layout.train.inputBlock.bytes,
                             cudaMemcpyHostToDevice, s.stream),
             "cudaMemcpyAsync (inputs)", error) ||
      !check(cudaEventRecord(s.uploaded[s.slot], s.stream), "cudaEventRecord",
             error))
    return false;
  if (run == StepRun::Checked ? !s.runCheckedTrainStep(error)
                              : !check(cudaGraphLaunch(s.graphExec, s.stream),
                                       "cudaGraphLaunch", error))
    return false;
  ++s.launched;
  ++s.stepsRun;
  return !s.numericsReport || s.recordNumerics(step, error);
}

bool CudaStepExecutor::takeLosses(std::vector<double> &losses,
                                  std::string &error) {
  if (!impl->deferred.empty()) {
    error = impl->deferred;
    return false;
  }
  if (!impl->drainLosses(error))
    return false;
  losses.insert(losses.end(), impl->drained.begin(), impl->drained.end());
  impl->drained.clear();
  return true;
}

bool CudaStepExecutor::evaluate(const std::vector<HostTensor> &inputs,
                                std::vector<HostTensor> &outputs,
                                std::string &error) {
  Impl &s = *impl;
  if (!s.deferred.empty()) {
    error = s.deferred;
    return false;
  }
  const Layout::Function &layout = s.layout.forward;
  // The pinned block may still feed the previous evaluation's upload.
  if (!s.synchronize(error) ||
      !s.pack(s.forward, layout, inputs, 0, s.evalInputs, error) ||
      !check(cudaMemcpyAsync(s.device + layout.inputs, s.evalInputs,
                             layout.inputBlock.bytes, cudaMemcpyHostToDevice,
                             s.stream),
             "cudaMemcpyAsync (inputs)", error))
    return false;
  // Evaluations are never captured: a checked one only waits for each op.
  mpc_rt_set_debug(s.rt, checkedEvaluation(s.debug, s.evaluationsRun++));
  int status = s.forward.entry(s.rt, &s.forward.args);
  mpc_rt_set_debug(s.rt, 0);
  if (status != 0) {
    error = s.forward.spec->entry + " failed: " + mpc_rt_last_error(s.rt);
    return false;
  }
  if (!check(cudaMemcpyAsync(s.evalOutputs, s.device + layout.outputs,
                             layout.outputBlock.bytes, cudaMemcpyDeviceToHost,
                             s.stream),
             "cudaMemcpyAsync (outputs)", error) ||
      !s.synchronize(error))
    return false;
  const std::vector<TensorSpec> &specs = s.forward.spec->outputs;
  outputs.clear();
  for (size_t i = 0; i < specs.size(); ++i) {
    outputs.push_back(hostSpec(specs[i]));
    unpackTensor(s.evalOutputs + layout.outputBlock.offsets[i],
                 resultType(specs[i]), specs[i].numElements(), outputs.back());
  }
  return true;
}

std::vector<HostTensor> CudaStepExecutor::state() const {
  Impl &s = *impl;
  std::vector<char> host(s.layout.state.bytes);
  std::string error;
  std::vector<HostTensor> values;
  bool copied = check(cudaMemcpyAsync(host.data(), s.device, host.size(),
                                      cudaMemcpyDeviceToHost, s.stream),
                      "cudaMemcpyAsync (state)", error) &&
                s.synchronize(error);
  if (!copied)
    s.defer(error);
  for (size_t i = 0; i < s.manifest.state.size(); ++i) {
    const StateSpec &spec = s.manifest.state[i];
    values.push_back(hostSpec(spec));
    unpackTensor(host.data() + s.layout.state.offsets[i], spec.dtype,
                 spec.numElements(), values.back());
  }
  return train::withoutCopies(s.manifest.state, std::move(values));
}

void CudaStepExecutor::setState(std::vector<HostTensor> shown) {
  Impl &s = *impl;
  std::vector<HostTensor> values =
      train::withCopies(s.manifest.state, std::move(shown));
  std::vector<char> host(s.layout.state.bytes);
  std::string error;
  for (size_t i = 0; i < s.manifest.state.size(); ++i) {
    const StateSpec &spec = s.manifest.state[i];
    if (i >= values.size() ||
        !packTensor(values[i], spec.dtype, spec.numElements(),
                    host.data() + s.layout.state.offsets[i], error)) {
      s.defer("state '" + spec.name +
              "': " + (error.empty() ? std::string("missing") : error));
      return;
    }
  }
  // Steps count from here: a checkpoint's skipped steps are not new.
  StuckLossScaleRun run = startStuckLossScaleRun(
      s.skippedIndex ? values[*s.skippedIndex].f32[0] : 0.0f);
  // The host buffers are pageable and die here: wait for the copies.
  if (!check(cudaMemcpyAsync(s.device, host.data(), host.size(),
                             cudaMemcpyHostToDevice, s.stream),
             "cudaMemcpyAsync (state)", error) ||
      !check(cudaMemcpyAsync(s.stuckRun(), &run, sizeof run,
                             cudaMemcpyHostToDevice, s.stream),
             "cudaMemcpyAsync (stuck loss scale)", error) ||
      !s.synchronize(error))
    s.defer(error);
}

std::optional<double> CudaStepExecutor::learningRate() const {
  Impl &s = *impl;
  std::optional<size_t> index = s.manifest.stateIndex(step::kStepCount);
  if (!s.manifest.learningRate || !index)
    return std::nullopt;
  // The step count, read back at a log point (the loop waits there anyway).
  float count = 0;
  std::string error;
  if (!check(cudaMemcpyAsync(&count, s.stateAt(*index), sizeof count,
                             cudaMemcpyDeviceToHost, s.stream),
             "cudaMemcpyAsync (step count)", error) ||
      !s.synchronize(error)) {
    s.defer(error);
    return std::nullopt;
  }
  return s.manifest.learningRate->at(count);
}

std::optional<train::LossScaleStatus>
CudaStepExecutor::lossScaleStatus() const {
  Impl &s = *impl;
  const std::optional<LossScalingSpec> &scaling = s.manifest.lossScaling;
  if (!scaling)
    return std::nullopt;
  train::LossScaleStatus status;
  status.dynamic = scaling->dynamic;
  status.floor = scaling->floor;
  status.scale = scaling->staticScale.value_or(1);
  // Two f32 scalars read back together, in the loss staging block that no
  // step is writing while the host waits here.
  float values[2] = {0, 0};
  std::string error;
  for (auto [name, index] :
       {std::pair(&scaling->scale, 0), std::pair(&scaling->skipped, 1)})
    if (*name &&
        !check(cudaMemcpyAsync(s.lossStaging + index,
                               s.stateAt(*s.manifest.stateIndex(**name)),
                               sizeof(float), cudaMemcpyDeviceToHost, s.stream),
               "cudaMemcpyAsync (loss scale)", error)) {
      s.defer(error);
      return status;
    }
  // The stuck-step count follows them in the staging block.
  char *stagedRun = reinterpret_cast<char *>(s.lossStaging + 2);
  if (!check(cudaMemcpyAsync(stagedRun, s.stuckRun(), sizeof(StuckLossScaleRun),
                             cudaMemcpyDeviceToHost, s.stream),
             "cudaMemcpyAsync (stuck loss scale)", error) ||
      !s.synchronize(error)) {
    s.defer(error);
    return status;
  }
  std::memcpy(values, s.lossStaging, sizeof values);
  if (scaling->scale)
    status.scale = values[0];
  if (scaling->skipped)
    status.skippedSteps = static_cast<int64_t>(values[1]);
  StuckLossScaleRun run;
  std::memcpy(&run, stagedRun, sizeof run);
  status.stuckSteps = run.steps;
  return status;
}

std::optional<double> CudaStepExecutor::gradNorm() const {
  Impl &s = *impl;
  std::optional<size_t> index = s.manifest.gradNormIndex();
  if (!index)
    return std::nullopt;
  // Into pageable memory: the copy is complete when the call returns, and
  // the synchronize below reports a failure of the stream.
  float norm = 0;
  std::string error;
  if (!check(cudaMemcpyAsync(&norm, s.stateAt(*index), sizeof norm,
                             cudaMemcpyDeviceToHost, s.stream),
             "cudaMemcpyAsync (gradient norm)", error) ||
      !s.synchronize(error)) {
    s.defer(error);
    return std::nullopt;
  }
  return norm;
}

std::string CudaStepExecutor::deferredError() const { return impl->deferred; }

const train::NumericsReport *CudaStepExecutor::numericsReport() const {
  return impl->numericsReport.get();
}

} // namespace mpc::cuda
