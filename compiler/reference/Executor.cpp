//===- Executor.cpp - the CPU reference executor --------------------------===//
//
// Each function is flattened once into a list of instructions over numbered
// registers; a register is freed after its last use, so a step's memory is
// its live set, not every intermediate.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Executor.h"

#include "compiler/reference/NumericsProbes.h"
#include "compiler/reference/OpEvaluator.h"
#include "compiler/reference/ParamInit.h"
#include "dialects/mpc/ElementTypes.h"
#include "dialects/mpc/MpcOps.h"
#include "dialects/mpc/ParamValue.h"
#include "dialects/mpc/StepContract.h"
#include "runtime/driver/MemoryBudget.h"
#include "runtime/driver/Text.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;
using mpc::driver::HostTensor;

namespace mpc::cpu {

/// One op with its operand and result registers.
struct Instruction {
  Operation *op;
  SmallVector<unsigned> operands;
  SmallVector<unsigned> results;
  /// Registers whose last use is this instruction.
  SmallVector<unsigned> releases;
  /// Its mpc.numerics_probe, when --check-numerics measures it.
  std::optional<unsigned> probe;
};

struct CompiledFunction {
  func::FuncOp function;
  unsigned numRegisters = 0;
  SmallVector<unsigned> arguments;
  std::vector<Instruction> body;
  SmallVector<unsigned> returned;
};

struct Executor::Impl {
  ModuleOp module;
  llvm::StringMap<CompiledFunction> functions;
  std::vector<ParamOp> paramOps;
  /// Per param: its own initial value, or null when a rule draws it.
  std::vector<std::shared_ptr<std::vector<float>>> initialValues;
};

namespace {

/// The params that are 16-bit copies of others (copy_of).
std::vector<train::StateCopy> copiesOf(ArrayRef<ParamOp> params) {
  std::vector<StateSpec> specs;
  for (ParamOp param : params) {
    StateSpec &spec = specs.emplace_back();
    spec.name = param.getSymName().str();
    spec.dtype = deviceDType(param.getTensorType().getElementType())
                     .value_or(DType::F32);
    if (auto source = param.getCopyOfAttr())
      spec.copyOf = source.getValue().str();
  }
  return train::stateCopies(specs);
}

/// Numbers the values of `function` and records each register's last use.
FailureOr<CompiledFunction> compile(func::FuncOp function, std::string &error) {
  CompiledFunction compiled;
  compiled.function = function;
  llvm::DenseMap<Value, unsigned> registers;
  auto number = [&](Value value) {
    registers[value] = compiled.numRegisters;
    return compiled.numRegisters++;
  };
  if (!function.getBody().hasOneBlock()) {
    error = "function @" + function.getName().str() + " must have one block";
    return failure();
  }
  Block &block = function.getBody().front();
  for (Value argument : block.getArguments())
    compiled.arguments.push_back(number(argument));
  for (Operation &op : block) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value value : ret.getOperands())
        compiled.returned.push_back(registers.lookup(value));
      continue;
    }
    if (!isSupported(&op)) {
      error = describeLocation(op.getLoc()) + ": " +
              op.getName().getStringRef().str() +
              " is not supported by the CPU executor";
      return failure();
    }
    Instruction instruction{&op, {}, {}, {}, numericsProbeOf(&op)};
    for (Value operand : op.getOperands())
      instruction.operands.push_back(registers.lookup(operand));
    for (Value result : op.getResults())
      instruction.results.push_back(number(result));
    compiled.body.push_back(std::move(instruction));
  }
  // Last uses, found walking backward; returned values stay alive.
  llvm::DenseSet<unsigned> live(compiled.returned.begin(),
                                compiled.returned.end());
  for (Instruction &instruction : llvm::reverse(compiled.body))
    for (unsigned reg : instruction.operands)
      if (live.insert(reg).second)
        instruction.releases.push_back(reg);
  return compiled;
}

std::vector<HostTensor> specsOf(TypeRange types, ArrayAttr names) {
  std::vector<HostTensor> specs;
  for (auto [index, type] : llvm::enumerate(types)) {
    HostTensor spec = describe(type);
    if (names)
      if (auto dict = dyn_cast_or_null<DictionaryAttr>(names[index]))
        if (auto name = dict.getAs<StringAttr>(MpcDialect::kNameAttrName))
          spec.name = name.str();
    specs.push_back(std::move(spec));
  }
  return specs;
}

} // namespace

std::unique_ptr<Executor> Executor::create(ModuleOp module,
                                           std::string &error) {
  std::unique_ptr<Executor> executor(new Executor());
  executor->impl_ = std::make_unique<Impl>();
  Impl &impl = *executor->impl_;
  impl.module = module;
  for (auto function : module.getOps<func::FuncOp>()) {
    FailureOr<CompiledFunction> compiled = compile(function, error);
    if (failed(compiled))
      return nullptr;
    impl.functions[function.getName()] = std::move(*compiled);
  }
  // Every parameter is allocated now: their sizes are checked first.
  uint64_t paramBytes = 0;
  for (auto param : module.getOps<ParamOp>()) {
    std::optional<uint64_t> bytes = hostBytes(param.getType());
    std::optional<uint64_t> total =
        bytes ? driver::addBytes(paramBytes, *bytes) : std::nullopt;
    if (!total) {
      error = "@" + param.getSymName().str() + ": " +
              driver::formatShape(describe(param.getType()).shape) +
              " has more elements than memory can hold";
      return nullptr;
    }
    paramBytes = *total;
  }
  if (!driver::checkHostMemory(paramBytes, "the parameters and state", error))
    return nullptr;
  std::optional<std::vector<train::NumericsProbe>> probes =
      readNumericsProbes(module, error);
  if (!probes)
    return nullptr;
  for (const auto &[name, compiled] : impl.functions)
    for (const Instruction &instruction : compiled.body)
      if (instruction.probe && *instruction.probe >= probes->size()) {
        error = describeLocation(instruction.op->getLoc()) +
                ": numerics probe " + std::to_string(*instruction.probe) +
                " is not in the module's " +
                MpcDialect::kNumericsProbesAttrName.str();
        return nullptr;
      }
  executor->numericsProbes_ = std::move(*probes);
  for (auto param : module.getOps<ParamOp>()) {
    impl.paramOps.push_back(param);
    HostTensor value = allocate(param.getType());
    value.name = param.getSymName().str();
    // A param's own initial value is read once, here, so that a blob
    // without data fails before anything runs.
    std::shared_ptr<std::vector<float>> initial;
    if (ElementsAttr attr = param.getInitialValue()) {
      initial = std::make_shared<std::vector<float>>();
      std::string problem;
      if (!readParamValue(attr, *initial, problem)) {
        error = "@" + value.name + ": " + problem;
        return nullptr;
      }
    }
    impl.initialValues.push_back(std::move(initial));
    executor->params_.push_back(std::move(value));
    executor->isState_.push_back(param.getState());
  }
  executor->copies_ = copiesOf(impl.paramOps);
  return executor;
}

Executor::~Executor() = default;

void Executor::initializeParams(uint64_t seed) {
  runSeed_ = seed;
  for (auto [param, initial, value] :
       llvm::zip(impl_->paramOps, impl_->initialValues, params_)) {
    if (initial)
      value.f32 = *initial;
    else
      initializeParam(param.getInitRule(), param.getSymName(), seed, value);
  }
  train::refreshCopies(copies_, params_);
}

bool Executor::hasFunction(const std::string &function) const {
  return impl_->functions.count(function);
}

std::vector<HostTensor>
Executor::argumentSpecs(const std::string &function) const {
  func::FuncOp op = impl_->functions.find(function)->second.function;
  return specsOf(op.getArgumentTypes(), op.getArgAttrsAttr());
}

std::vector<HostTensor>
Executor::resultSpecs(const std::string &function) const {
  func::FuncOp op = impl_->functions.find(function)->second.function;
  return specsOf(op.getResultTypes(), op.getResAttrsAttr());
}

std::optional<uint64_t>
Executor::peakLiveBytes(const std::string &function) const {
  const CompiledFunction &compiled = impl_->functions.find(function)->second;
  std::vector<uint64_t> registerBytes(compiled.numRegisters, 0);
  uint64_t live = 0;
  auto add = [&](unsigned reg, Type type) {
    std::optional<uint64_t> bytes = hostBytes(type);
    std::optional<uint64_t> sum =
        bytes ? driver::addBytes(live, *bytes) : std::nullopt;
    if (!sum)
      return false;
    registerBytes[reg] = *bytes;
    live = *sum;
    return true;
  };
  // The arguments are copied into registers; each op's results are
  // allocated while its operands live, then last uses are freed.
  func::FuncOp op = compiled.function;
  for (auto [reg, type] : llvm::zip(compiled.arguments, op.getArgumentTypes()))
    if (!add(reg, type))
      return std::nullopt;
  uint64_t peak = live;
  for (const Instruction &instruction : compiled.body) {
    for (auto [reg, result] :
         llvm::zip(instruction.results, instruction.op->getResults()))
      if (!add(reg, result.getType()))
        return std::nullopt;
    peak = std::max(peak, live);
    for (unsigned reg : instruction.releases)
      live -= registerBytes[reg];
  }
  return peak;
}

void Executor::setParams(std::vector<HostTensor> values) {
  params_ = std::move(values);
  train::refreshCopies(copies_, params_);
}

bool Executor::run(const std::string &function,
                   const std::vector<HostTensor> &arguments, uint64_t step,
                   std::vector<HostTensor> &results, std::string &error) {
  auto it = impl_->functions.find(function);
  if (it == impl_->functions.end()) {
    error = "the module has no function @" + function;
    return false;
  }
  const CompiledFunction &compiled = it->second;
  if (arguments.size() != compiled.arguments.size()) {
    error = "@" + function + " takes " +
            std::to_string(compiled.arguments.size()) + " arguments, got " +
            std::to_string(arguments.size());
    return false;
  }
  numericsCounts_.assign(numericsProbes_.size(), {});
  EvalContext context;
  context.runSeed = runSeed_;
  context.step = step;
  for (HostTensor &param : params_)
    context.params[param.name] = &param;

  std::vector<HostTensor> registers(compiled.numRegisters);
  for (auto [reg, argument] : llvm::zip(compiled.arguments, arguments))
    registers[reg] = argument;
  SmallVector<const HostTensor *> operands;
  for (const Instruction &instruction : compiled.body) {
    operands.clear();
    for (unsigned reg : instruction.operands)
      operands.push_back(&registers[reg]);
    // Results are evaluated into fresh tensors, then moved into place, so
    // an op never sees its output aliasing an input.
    SmallVector<HostTensor, 3> outputs;
    for (Value result : instruction.op->getResults())
      outputs.push_back(allocate(result.getType()));
    if (!evaluateUnrounded(instruction.op, operands, outputs, context, error))
      return false;
    if (instruction.probe)
      numericsCounts_[*instruction.probe] =
          roundAndMeasure(instruction.op, operands, outputs);
    else
      roundResults(instruction.op, outputs);
    for (auto [reg, output] : llvm::zip(instruction.results, outputs))
      registers[reg] = std::move(output);
    for (unsigned reg : instruction.releases)
      registers[reg] = HostTensor();
  }
  results.clear();
  for (unsigned reg : compiled.returned)
    results.push_back(registers[reg]);
  return true;
}

} // namespace mpc::cpu
