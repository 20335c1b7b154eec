//===- MpcAttrs.td - mpc attributes ------------------------*- tablegen -*-===//

#ifndef MPC_ATTRS_TD
#define MPC_ATTRS_TD

include "dialects/mpc/MpcDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

class Mpc_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Mpc_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Mpc_InitKind : I32EnumAttr<"InitKind", "parameter initializer", [
  I32EnumAttrCase<"zeros", 0>,
  I32EnumAttrCase<"ones", 1>,
  I32EnumAttrCase<"constant", 2>,
  I32EnumAttrCase<"normal", 3>,
  I32EnumAttrCase<"uniform", 4>,
  I32EnumAttrCase<"xavier_uniform", 5>,
  I32EnumAttrCase<"xavier_normal", 6>
]> {
  let cppNamespace = "::mpc";
  let genSpecializedAttr = 0;
}

def Mpc_InitAttr : Mpc_Attr<"Init", "init"> {
  let summary = "How a parameter's initial value is drawn";
  let description = [{
    The initializer of an `mpc.param`. Each kind names its arguments; an
    argument left out of the text takes its default. `seed` fixes the random
    stream of this parameter; without it the run's seed decides.

    ```mlir
    #mpc.init<zeros>
    #mpc.init<constant, value = 5.000000e-01>
    #mpc.init<normal, mean = 0.000000e+00, std = 2.000000e-02, seed = 7>
    #mpc.init<uniform, low = -1.000000e-01, high = 1.000000e-01>
    #mpc.init<xavier_uniform, gain = 1.000000e+00>
    ```

    Arguments: `constant` takes `value`; `normal` takes `mean` (0) and
    `std` (1); `uniform` takes `low` (0) and `high` (1); the xavier kinds take
    `gain` (1), with fan_in = shape[-2] and fan_out = shape[-1].
  }];
  let parameters = (ins
    "::mpc::InitKind":$kind,
    APFloatParameter<"first argument (value, mean, low or gain)">:$first,
    APFloatParameter<"second argument (std or high)">:$second,
    OptionalParameter<"std::optional<uint64_t>", "random seed">:$seed
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Builds an initializer with the defaults of `kind` for its arguments.
    static InitAttr getDefault(::mlir::MLIRContext *context, InitKind kind);
    /// Checks that this initializer can fill a tensor of `type`: xavier
    /// needs rank >= 2, every kind but zeros a float element type.
    ::llvm::LogicalResult
    verifyFor(::mlir::RankedTensorType type,
              ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError) const;
    double getFirstValue() const { return getFirst().convertToDouble(); }
    double getSecondValue() const { return getSecond().convertToDouble(); }
  }];
}

//===----------------------------------------------------------------------===//
// Learning-rate schedules
//===----------------------------------------------------------------------===//

/// A double argument written as a plain float (`0.1`), elided at its
/// default.
class Mpc_F64Parameter<string desc, string value>
    : AttrOrTypeParameter<"::llvm::APFloat", desc> {
  let comparator = "$_lhs.bitwiseIsEqual($_rhs)";
  let parser = [{
    [&]() -> ::mlir::FailureOr<::llvm::APFloat> {
      double value;
      if ($_parser.parseFloat(value))
        return ::mlir::failure();
      return ::llvm::APFloat(value);
    }()
  }];
  let printer = [{ $_printer.printFloat($_self) }];
  let defaultValue = "::llvm::APFloat(" # value # ")";
}

// The values are runtime/core/LrSchedule.h's mpc_lr_schedule_kind.
def Mpc_LrScheduleKind : I32EnumAttr<"LrScheduleKind",
    "what the learning rate does after its warmup", [
  I32EnumAttrCase<"constant", 0>,
  I32EnumAttrCase<"cosine", 1>,
  I32EnumAttrCase<"linear", 2>,
  I32EnumAttrCase<"step", 3>
]> {
  let cppNamespace = "::mpc";
  let genSpecializedAttr = 0;
}

def Mpc_LrScheduleAttr : Mpc_Attr<"LrSchedule", "lr_schedule"> {
  let summary = "The factor an optimizer's learning rate follows, per step";
  let description = [{
    The `schedule` of an optimizer update: its learning rate is the op's
    `lr` times the factor after `step - 1` completed steps
    (`mpc::math::learningRateFactor`, runtime/core/ScalarMath.h). A linear
    warmup of `warmup_steps` comes first; then `constant` stays at 1,
    `cosine` and `linear` decay to `min_ratio` at `decay_steps` (counted
    from step 0, warmup included) and stay there, `step` multiplies by
    `gamma` every `step_size` steps. Arguments at their defaults are left
    out of the text.

    ```mlir
    #mpc.lr_schedule<kind = constant, warmup_steps = 100>
    #mpc.lr_schedule<kind = cosine, warmup_steps = 100, decay_steps = 5000, min_ratio = 1.000000e-01>
    #mpc.lr_schedule<kind = step, step_size = 1000, gamma = 5.000000e-01>
    ```
  }];
  let parameters = (ins
    EnumParameter<Mpc_LrScheduleKind>:$kind,
    DefaultValuedParameter<"int64_t", "0">:$warmup_steps,
    DefaultValuedParameter<"int64_t", "0">:$decay_steps,
    Mpc_F64Parameter<"floor of cosine and linear, a fraction of lr", "0.0">:$min_ratio,
    DefaultValuedParameter<"int64_t", "0">:$step_size,
    Mpc_F64Parameter<"factor of the step decay", "1.0">:$gamma
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Autocast decisions
//===----------------------------------------------------------------------===//

def Mpc_PrecisionCategory : I32EnumAttr<"PrecisionCategory",
    "autocast category of an op", [
  I32EnumAttrCase<"allow", 0>,
  I32EnumAttrCase<"deny", 1>,
  I32EnumAttrCase<"infer", 2>,
  I32EnumAttrCase<"clear", 3>
]> {
  let cppNamespace = "::mpc";
  let genSpecializedAttr = 0;
}

def Mpc_PrecisionReason : I32EnumAttr<"PrecisionReason",
    "why autocast chose an op's precision", [
  I32EnumAttrCase<"default_policy", 0>,
  I32EnumAttrCase<"policy_file", 1>,
  I32EnumAttrCase<"node_override", 2>,
  I32EnumAttrCase<"neighbours", 3>
]> {
  let cppNamespace = "::mpc";
  let genSpecializedAttr = 0;
}

def Mpc_AutocastAttr : Mpc_Attr<"Autocast", "autocast"> {
  let summary = "The autocast category of an op and why it runs in its precision";
  let description = [{
    Set by `mpc-autocast` on every op it decided, as the discardable
    attribute `mpc.autocast`. The precision itself is the op's element
    type. `category` is the op's category under the policy in force;
    `reason` says what fixed the precision: the default policy or the policy
    file (allow and deny ops), the node's `precision` field, or the
    neighbouring ops (infer and clear ops).

    ```mlir
    %y = mpc.matmul %x, %w {mpc.autocast = #mpc.autocast<allow, default_policy>} : ...
    %z = mpc.add %y, %b {mpc.autocast = #mpc.autocast<infer, neighbours>} : ...
    ```
  }];
  let parameters = (ins EnumParameter<Mpc_PrecisionCategory>:$category,
                        EnumParameter<Mpc_PrecisionReason>:$reason);
  let assemblyFormat = "`<` $category `,` $reason `>`";
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def Mpc_LossReduction : I32EnumAttr<"LossReduction",
    "how a loss combines the losses of its kept rows", [
  I32EnumAttrCase<"mean", 0>,
  I32EnumAttrCase<"sum", 1>
]> {
  let cppNamespace = "::mpc";
}

//===----------------------------------------------------------------------===//
// Backend: GEMM epilogues and the memory plan
//===----------------------------------------------------------------------===//

def Mpc_Epilogue : I32EnumAttr<"Epilogue",
    "what a fused matmul applies to the product before its single rounding", [
  I32EnumAttrCase<"bias", 0>,
  I32EnumAttrCase<"relu", 1>,
  I32EnumAttrCase<"relu_bias", 2>,
  I32EnumAttrCase<"gelu", 3>,
  I32EnumAttrCase<"gelu_bias", 4>,
  I32EnumAttrCase<"dgelu", 5>
]> {
  let cppNamespace = "::mpc";
}

def Mpc_BufferKind : I32EnumAttr<"BufferKind",
    "where a value lives on the device", [
  I32EnumAttrCase<"arena", 0>,
  I32EnumAttrCase<"state", 1>,
  I32EnumAttrCase<"input", 2>
]> {
  let cppNamespace = "::mpc";
  let genSpecializedAttr = 0;
}

def Mpc_BufferAttr : Mpc_Attr<"Buffer", "buffer"> {
  let summary = "The device buffer mpc-plan-memory assigned to a value";
  let description = [{
    One entry per result of the discardable attribute `mpc.buffers`:

    - `#mpc.buffer<arena, 1024>`: at byte offset 1024 of the function's
      arena (offsets are multiples of 256);
    - `#mpc.buffer<state, 0, @w1>`: in the storage of parameter or state
      `@w1`, so the op updates it in place;
    - `#mpc.buffer<input, 1>`: the buffer of the function's argument 1 (the
      offset field holds the argument number).
  }];
  let parameters = (ins EnumParameter<Mpc_BufferKind>:$kind,
                        "int64_t":$offset,
                        OptionalParameter<"::mlir::FlatSymbolRefAttr">:$symbol);
  let assemblyFormat = "`<` $kind `,` $offset (`,` $symbol^)? `>`";
  let genVerifyDecl = 1;
}

#endif // MPC_ATTRS_TD
