//===- OpCoverageTest.cpp - every op meets every backend ------------------===//
//
// For every op of the mpc dialect, each backend (the JSON importer,
// autodiff, the precision policy, the CPU reference and the CUDA emitter)
// either handles it or rejects it by explicit declaration, with a reason.
// An op a backend forgot fails here, one line per gap. Also: the elementwise
// op lists of runtime/core/ScalarMath.h agree with the dialect, and the
// declared reasons are what the backends say at run time.
//
//===----------------------------------------------------------------------===//

#include "dialects/mpc/OpCoverage.h"
#include "compiler/import/json/GraphImporter.h"
#include "compiler/import/json/NodeImporter.h"
#include "compiler/reference/OpEvaluator.h"
#include "compiler/target/cuda/CudaEmitter.h"
#include "dialects/mpc/MpcOps.h"
#include "passes/Autodiff.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace mlir;

namespace {

/// A backend and its coverage function.
struct Backend {
  const char *name;
  mpc::Coverage (*coverage)(OperationName);
};

const Backend kBackends[] = {
    {"importer", mpc::NodeImporter::coverage},
    {"autodiff", mpc::autodiffCoverage},
    {"precision policy", mpc::precisionCoverage},
    {"CPU reference", mpc::cpu::executorCoverage},
    {"CUDA emitter", mpc::cudaCoverage},
};

class OpCoverageTest : public ::testing::Test {
protected:
  OpCoverageTest()
      : handler(&context, [this](Diagnostic &diagnostic) {
          errors.push_back(diagnostic.str());
          return success();
        }) {
    context.loadDialect<mpc::MpcDialect, func::FuncDialect>();
  }

  /// Every registered op of the mpc dialect.
  std::vector<RegisteredOperationName> mpcOps() {
    std::vector<RegisteredOperationName> ops;
    for (RegisteredOperationName name : context.getRegisteredOperations())
      if (name.getDialectNamespace() == mpc::MpcDialect::getDialectNamespace())
        ops.push_back(name);
    return ops;
  }

  MLIRContext context;
  ScopedDiagnosticHandler handler;
  std::vector<std::string> errors;
};

TEST_F(OpCoverageTest, FindsTheDialectsOps) {
  // The walk below is not vacuous: it sees ops of every kind.
  std::vector<std::string> names;
  for (RegisteredOperationName name : mpcOps())
    names.push_back(name.getStringRef().str());
  for (const char *expected :
       {"mpc.param", "mpc.matmul", "mpc.add", "mpc.relu_grad", "mpc.sgd_update",
        "mpc.update_loss_scale", "mpc.fused", "mpc.yield"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end())
        << expected;
}

TEST_F(OpCoverageTest, EveryBackendHandlesOrRejectsEveryOp) {
  for (RegisteredOperationName name : mpcOps()) {
    for (const Backend &backend : kBackends) {
      mpc::Coverage coverage = backend.coverage(name);
      std::string op = name.getStringRef().str();
      if (!coverage.handled && !coverage.rejection)
        ADD_FAILURE() << op << ": " << backend.name
                      << " neither handles nor rejects it";
      if (coverage.handled && coverage.rejection)
        ADD_FAILURE() << op << ": " << backend.name
                      << " both handles it and rejects it ("
                      << coverage.rejection->str() << ")";
      if (coverage.rejection && coverage.rejection->empty())
        ADD_FAILURE() << op << ": " << backend.name
                      << " rejects it without a reason";
    }
  }
}

TEST_F(OpCoverageTest, NoOpHasTwoPrecisionCategories) {
  for (RegisteredOperationName name : mpcOps()) {
    int categories = name.hasTrait<mpc::OpTrait::AutocastAllow>() +
                     name.hasTrait<mpc::OpTrait::AutocastDeny>() +
                     name.hasTrait<mpc::OpTrait::AutocastInfer>() +
                     name.hasTrait<mpc::OpTrait::AutocastClear>() +
                     name.hasTrait<mpc::OpTrait::KeepsPrecision>();
    EXPECT_LE(categories, 1) << name.getStringRef().str()
                             << ": declares more than one precision category";
  }
}

/// Checks one row of the elementwise op lists against the dialect.
template <typename OpTy>
void checkListRow(MLIRContext &context, llvm::StringRef mnemonic) {
  std::string row = "list row '" + mnemonic.str() + "'";
  std::optional<RegisteredOperationName> name =
      RegisteredOperationName::lookup(TypeID::get<OpTy>(), &context);
  ASSERT_TRUE(name) << row << ": its op class is not registered";
  EXPECT_EQ(name->getStringRef(), "mpc." + mnemonic.str())
      << row << ": names another op";
  EXPECT_TRUE(name->hasTrait<mpc::OpTrait::Elementwise>())
      << row << ": " << name->getStringRef().str()
      << " lacks the Elementwise trait";
}

/// Whether `name` is an op of the elementwise op lists.
bool isListed(OperationName name) {
#define MPC_IS_LISTED(Name, mnemonic, function, cuda, accuracy)                \
  name.getTypeID() == TypeID::get<mpc::Name##Op>() ||
#define MPC_IS_LISTED_GRAD(Name, mnemonic, function, cuda, accuracy)           \
  name.getTypeID() == TypeID::get<mpc::Name##GradOp>() ||
  return MPC_BINARY_OPS(MPC_IS_LISTED) MPC_UNARY_OPS(MPC_IS_LISTED)
      MPC_UNARY_GRAD_OPS(MPC_IS_LISTED_GRAD) false;
#undef MPC_IS_LISTED
#undef MPC_IS_LISTED_GRAD
}

TEST_F(OpCoverageTest, ListRowsNameElementwiseOps) {
#define MPC_CHECK_ROW(Name, mnemonic, function, cuda, accuracy)                \
  checkListRow<mpc::Name##Op>(context, #mnemonic);
#define MPC_CHECK_GRAD_ROW(Name, mnemonic, function, cuda, accuracy)           \
  checkListRow<mpc::Name##GradOp>(context, #mnemonic);
  MPC_BINARY_OPS(MPC_CHECK_ROW)
  MPC_UNARY_OPS(MPC_CHECK_ROW)
  MPC_UNARY_GRAD_OPS(MPC_CHECK_GRAD_ROW)
#undef MPC_CHECK_ROW
#undef MPC_CHECK_GRAD_ROW
}

TEST_F(OpCoverageTest, EveryElementwiseOpIsListedOrStructural) {
  for (RegisteredOperationName name : mpcOps()) {
    bool listed = isListed(name);
    bool structural = mpc::StructuralElementwiseOps::contains(name);
    std::string op = name.getStringRef().str();
    if (name.hasTrait<mpc::OpTrait::Elementwise>()) {
      EXPECT_TRUE(listed || structural)
          << op << ": Elementwise, but neither in the op lists of "
          << "runtime/core/ScalarMath.h nor StructuralElementwiseOps";
      EXPECT_FALSE(listed && structural)
          << op << ": both listed and structural";
    } else {
      EXPECT_FALSE(structural)
          << op << ": in StructuralElementwiseOps without the trait";
    }
  }
}

//===----------------------------------------------------------------------===//
// The declared reasons are the run-time errors
//===----------------------------------------------------------------------===//

/// A graph of one node, whose op replaces OP.
constexpr const char *kOneNodeGraph = R"({
  "version": 1,
  "inputs": [{"name": "x", "shape": [2]}],
  "nodes": [{"op": "OP", "inputs": ["x"], "outputs": ["y"]}],
  "loss": "y"
})";

/// A gradient op between a trainable parameter and the loss.
constexpr const char *kGradientOnPath = R"mlir(
    mpc.param @w : tensor<8x3xf32> = #mpc.init<normal>
    func.func @forward(%x: tensor<8x3xf32>) -> (tensor<f32> {mpc.loss}) {
      %w = mpc.load @w : tensor<8x3xf32>
      %g = mpc.relu_grad %x, %w : tensor<8x3xf32>
      %l = mpc.reduce_sum %g [0, 1] : tensor<8x3xf32> -> tensor<f32>
      return %l : tensor<f32>
    }
  )mlir";

/// An mpc.fused that autocast meets.
constexpr const char *kFusedBeforeAutocast = R"mlir(
    func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
      %y = mpc.fused (%x) : (tensor<4xf32>) -> tensor<4xf32> {
      ^bb0(%a: tensor<4xf32>):
        %r = mpc.relu %a : tensor<4xf32>
        mpc.yield %r : tensor<4xf32>
      }
      return %y : tensor<4xf32>
    }
  )mlir";

/// A module with an mpc.param and an mpc.yield.
constexpr const char *kParamAndYield = R"mlir(
    mpc.param @w : tensor<4xf32> = #mpc.init<zeros>
    func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
      %y = mpc.fused (%x) : (tensor<4xf32>) -> tensor<4xf32> {
      ^bb0(%a: tensor<4xf32>):
        mpc.yield %a : tensor<4xf32>
      }
      return %y : tensor<4xf32>
    }
  )mlir";

TEST_F(OpCoverageTest, ImporterRejectsADeclaredOpWithItsReason) {
  int checked = 0;
  for (RegisteredOperationName name : mpcOps()) {
    std::optional<llvm::StringRef> reason =
        mpc::NodeImporter::coverage(name).rejection;
    if (!reason)
      continue;
    std::string mnemonic = name.stripDialect().str();
    std::string graph = kOneNodeGraph;
    graph.replace(graph.find("OP"), 2, mnemonic);
    errors.clear();
    EXPECT_FALSE(mpc::importGraph(graph, "graph.json", &context)) << mnemonic;
    ASSERT_EQ(errors.size(), 1u) << mnemonic;
    EXPECT_EQ(errors[0], "/nodes/0/op: op '" + mnemonic +
                             "' is not a graph node: " + reason->str());
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST_F(OpCoverageTest, AutodiffRejectsADeclaredOpWithItsReason) {
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(kGradientOnPath, &context);
  ASSERT_TRUE(module);
  std::optional<llvm::StringRef> reason =
      mpc::autodiffCoverage(OperationName("mpc.relu_grad", &context)).rejection;
  ASSERT_TRUE(reason);
  EXPECT_TRUE(failed(mpc::buildGradientFunction(*module, "grad")));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "'mpc.relu_grad' op has no gradient, but lies between "
                       "a trainable parameter and the loss: " +
                           reason->str());
}

TEST_F(OpCoverageTest, AutocastRejectsADeclaredOpWithItsReason) {
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(kFusedBeforeAutocast, &context);
  ASSERT_TRUE(module);
  std::optional<llvm::StringRef> reason =
      mpc::precisionCoverage(OperationName("mpc.fused", &context)).rejection;
  ASSERT_TRUE(reason);
  PassManager pm(&context);
  pm.addPass(mpc::createAutocast());
  EXPECT_TRUE(failed(pm.run(*module)));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "'mpc.fused' op is outside autocast: " + reason->str());
}

TEST_F(OpCoverageTest, ExecutorRejectsADeclaredOpWithItsReason) {
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(kParamAndYield, &context);
  ASSERT_TRUE(module);
  Operation *param = *module->getOps<mpc::ParamOp>().begin();
  Operation *yield = nullptr;
  module->walk([&](mpc::YieldOp op) { yield = op; });
  ASSERT_TRUE(yield);
  for (Operation *op : {param, yield}) {
    std::optional<llvm::StringRef> reason =
        mpc::cpu::executorCoverage(op->getName()).rejection;
    ASSERT_TRUE(reason);
    mpc::cpu::EvalContext evalContext;
    std::string error;
    EXPECT_FALSE(mpc::cpu::evaluate(op, {}, {}, evalContext, error));
    EXPECT_EQ(error, mpc::cpu::describeLocation(op->getLoc()) + ": " +
                         op->getName().getStringRef().str() +
                         ": not supported by the executor: " + reason->str());
  }
}

} // namespace
