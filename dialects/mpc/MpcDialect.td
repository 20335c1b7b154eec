//===- MpcDialect.td - the mpc dialect ---------------------*- tablegen -*-===//
//
// The mpc dialect describes a model's training step on ranked tensors. The
// element type of every value is its precision.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_DIALECT_TD
#define MPC_DIALECT_TD

include "mlir/IR/OpBase.td"

def Mpc_Dialect : Dialect {
  let name = "mpc";
  let summary = "Mixed-precision training steps on ranked tensors";
  let description = [{
    Values are builtin statically shaped tensors whose element type is their
    precision (`f32`, `f16`, `bf16`; `i32`/`i64` for labels and token ids,
    `i1` for masks). Parameters and optimizer state are module-level `mpc.param`
    symbols read with `mpc.load` and written with `mpc.store`.
  }];
  let cppNamespace = "::mpc";
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  // The discardable attributes below are checked wherever they appear.
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let extraClassDeclaration = [{
    void registerAttributes();

    /// A node's precision override (f32, f16 or bf16), on any op.
    static constexpr ::llvm::StringLiteral kPrecisionAttrName = "mpc.precision";
    /// The graph's training defaults, a dictionary on the module.
    static constexpr ::llvm::StringLiteral kTrainingAttrName = "mpc.training";
    /// The graph name of a function argument or result (a string), or of
    /// a param whose symbol cannot be that name (an ONNX initializer named
    /// like one of the step's own symbols, runtime/core/StepNames.h).
    static constexpr ::llvm::StringLiteral kNameAttrName = "mpc.name";
    /// Marks the function result that is the loss (a scalar float).
    static constexpr ::llvm::StringLiteral kLossAttrName = "mpc.loss";
    /// The autocast decision of an op (an AutocastAttr).
    static constexpr ::llvm::StringLiteral kAutocastAttrName = "mpc.autocast";
    /// Why a policy file's `nodes` entry set the op's precision (a string,
    /// the entry's `reason`), beside the decision: what a precision repair
    /// measured.
    static constexpr ::llvm::StringLiteral kPrecisionNoteAttrName = "mpc.precision_note";
    /// Marks the scalar constant that seeds backward (d loss / d loss = 1);
    /// loss scaling replaces it with the scale.
    static constexpr ::llvm::StringLiteral kLossSeedAttrName = "mpc.loss_seed";
    /// On @train_step: the peak learning rate (f64, before per-group
    /// multipliers) and its schedule (an LrScheduleAttr, absent for a
    /// constant rate), which the driver logs the rate of each step from.
    static constexpr ::llvm::StringLiteral kLearningRateAttrName = "mpc.learning_rate";
    static constexpr ::llvm::StringLiteral kLrScheduleAttrName = "mpc.lr_schedule";
    /// On @train_step: the micro-batches per optimizer step (i64 > 1), set by
    /// mpc-accumulate-gradients; absent, every call is an optimizer step.
    static constexpr ::llvm::StringLiteral kAccumulateAttrName = "mpc.accumulate";
    /// The device buffer of each result of an op (an array of BufferAttr),
    /// set by mpc-plan-memory.
    static constexpr ::llvm::StringLiteral kBuffersAttrName = "mpc.buffers";
    /// On a planned function: the bytes its arena needs (i64).
    static constexpr ::llvm::StringLiteral kArenaBytesAttrName = "mpc.arena_bytes";
    /// On a planned function: the most bytes of intermediates live at once
    /// (i64); arena_bytes above it is fragmentation.
    static constexpr ::llvm::StringLiteral kPeakLiveBytesAttrName = "mpc.peak_live_bytes";
    /// An op whose outputs mpc-check-numerics measures: its index (i64)
    /// into the module's kNumericsProbesAttrName.
    static constexpr ::llvm::StringLiteral kNumericsProbeAttrName = "mpc.numerics_probe";
    /// On a module: one dictionary per numerics probe, naming its op
    /// (function, op, location, dtype, backward, and the graph nodes a
    /// precision repair moves to f32 for it), in probe order.
    static constexpr ::llvm::StringLiteral kNumericsProbesAttrName = "mpc.numerics_probes";

    // The names of the step's functions and state symbols, which passes
    // create and runtimes look up (runtime/core/StepNames.h).
    /// The imported graph, later the evaluation function.
    static constexpr ::llvm::StringLiteral kForwardFuncName = ::mpc::step::kForward;
    /// The training step mpc-build-train-step adds.
    static constexpr ::llvm::StringLiteral kTrainStepFuncName = ::mpc::step::kTrainStep;
    /// The step count (state).
    static constexpr ::llvm::StringLiteral kStepCountSymbol = ::mpc::step::kStepCount;
    /// Suffixes of a parameter's optimizer state: momentum's buffer, AdamW's
    /// moments.
    static constexpr ::llvm::StringLiteral kMomentumSuffix = ::mpc::step::kMomentumSuffix;
    static constexpr ::llvm::StringLiteral kAdamMSuffix = ::mpc::step::kAdamMSuffix;
    static constexpr ::llvm::StringLiteral kAdamVSuffix = ::mpc::step::kAdamVSuffix;
    /// The loss scaler's state (mpc-loss-scaling).
    static constexpr ::llvm::StringLiteral kLossScaleSymbol = ::mpc::step::kLossScale;
    static constexpr ::llvm::StringLiteral kLossScaleGoodStepsSymbol = ::mpc::step::kLossScaleGoodSteps;
    static constexpr ::llvm::StringLiteral kLossScaleHysteresisLeftSymbol = ::mpc::step::kLossScaleHysteresisLeft;
    static constexpr ::llvm::StringLiteral kLossScaleSkippedStepsSymbol = ::mpc::step::kLossScaleSkippedSteps;
    /// The last step's gradient norm (state), with clipping or when asked.
    static constexpr ::llvm::StringLiteral kGradNormSymbol = ::mpc::step::kGradNorm;
    /// Gradient accumulation's state (mpc-accumulate-gradients): the phase,
    /// and the suffix of a parameter's gradient sum.
    static constexpr ::llvm::StringLiteral kAccumulatePhaseSymbol = ::mpc::step::kAccumulatePhase;
    static constexpr ::llvm::StringLiteral kGradAccumSuffix = ::mpc::step::kGradAccumSuffix;
  }];
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

// Every dim is static and positive, and the element count fits in int64: the
// shape rules in ShapeFunctions.cpp compare and multiply dim sizes.
def Mpc_PositiveBoundedShape : CPred<
  "::mpc::isPositiveBoundedShape(::llvm::cast<::mlir::ShapedType>($_self).getShape())">;
class Mpc_TensorOf<list<Type> allowedTypes>
    : Type<And<[StaticShapeTensorOf<allowedTypes>.predicate,
                Mpc_PositiveBoundedShape]>,
           StaticShapeTensorOf<allowedTypes>.summary # " with positive dims",
           "::mlir::RankedTensorType">;

def Mpc_FloatTensor : Mpc_TensorOf<[F32, F16, BF16]>;
def Mpc_IndexTensor : Mpc_TensorOf<[I32, I64]>;
def Mpc_MaskTensor : Mpc_TensorOf<[I1]>;
def Mpc_AnyTensor : Mpc_TensorOf<[F32, F16, BF16, I32, I64, I1]>;
def Mpc_ScalarFloatTensor : 0DTensorOf<[F32, F16, BF16]>;
// Master weights, optimizer state and the step count are always f32.
def Mpc_F32Tensor : Mpc_TensorOf<[F32]>;
def Mpc_ScalarF32Tensor : 0DTensorOf<[F32]> {
  let builderCall = "::mlir::RankedTensorType::get({}, $_builder.getF32Type())";
}
// A step-wide condition, such as "some gradient overflowed".
def Mpc_FlagTensor : 0DTensorOf<[I1]> {
  let builderCall = "::mlir::RankedTensorType::get({}, $_builder.getI1Type())";
}

#endif // MPC_DIALECT_TD
