//===- GraphImporterTest.cpp - the JSON graph importer's C++ API ----------===//

#include "compiler/import/json/GraphImporter.h"
#include "dialects/mpc/MpcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

class GraphImporterTest : public ::testing::Test {
protected:
  GraphImporterTest()
      : handler(&context, [this](Diagnostic &diagnostic) {
          errors.push_back(diagnostic.str());
          locations.push_back(diagnostic.getLocation());
          return success();
        }) {}

  OwningOpRef<ModuleOp> import(llvm::StringRef text,
                               mpc::GraphImportOptions options = {}) {
    return mpc::importGraph(text, "graph.json", &context, options);
  }

  MLIRContext context;
  ScopedDiagnosticHandler handler;
  std::vector<std::string> errors;
  std::vector<Location> locations;
};

constexpr const char *kLinear = R"({
  "version": 1,
  "name": "linear",
  "inputs": [{"name": "x", "shape": ["batch", 3]},
             {"name": "t", "shape": ["batch", 1]}],
  "params": [{"name": "w", "shape": [3, 1], "init": {"kind": "xavier_uniform"}}],
  "nodes": [
    {"op": "mse_loss", "inputs": ["y", "t"], "outputs": ["loss"]},
    {"op": "matmul", "inputs": ["x", "w"], "outputs": ["y"], "name": "fc",
     "precision": "bf16"}
  ],
  "loss": "loss",
  "training": {"batch_size": 4}
})";

TEST_F(GraphImporterTest, BuildsForwardWithSortedNodes) {
  OwningOpRef<ModuleOp> module = import(kLinear);
  ASSERT_TRUE(module) << (errors.empty() ? "" : errors.front());
  EXPECT_EQ(module->getSymName(), "linear");
  auto forward = module->lookupSymbol<func::FuncOp>("forward");
  ASSERT_TRUE(forward);
  // The matmul comes before the loss that uses it, whatever the file order.
  auto matmul = *forward.getOps<mpc::MatmulOp>().begin();
  auto loss = *forward.getOps<mpc::MseLossOp>().begin();
  EXPECT_TRUE(matmul->isBeforeInBlock(loss));
  EXPECT_EQ(matmul.getType().getShape(), llvm::ArrayRef<int64_t>({4, 1}));
  // The precision override is kept for the mixed-precision passes.
  auto precision = matmul->getAttrOfType<TypeAttr>("mpc.precision");
  ASSERT_TRUE(precision);
  EXPECT_TRUE(precision.getValue().isBF16());
  // The node's name and JSON position are its location.
  auto name = llvm::dyn_cast<NameLoc>(matmul.getLoc());
  ASSERT_TRUE(name);
  EXPECT_EQ(name.getName().getValue(), "fc");
  auto pointer = llvm::dyn_cast<NameLoc>(name.getChildLoc());
  ASSERT_TRUE(pointer);
  EXPECT_EQ(pointer.getName().getValue(), "/nodes/1");
  auto file = llvm::dyn_cast<FileLineColLoc>(pointer.getChildLoc());
  ASSERT_TRUE(file);
  EXPECT_EQ(file.getLine(), 9u);
  EXPECT_EQ(file.getColumn(), 5u);
  EXPECT_TRUE(forward.getResultAttr(0, "mpc.loss"));
}

TEST_F(GraphImporterTest, BatchSizeOptionOverridesTheGraph) {
  mpc::GraphImportOptions options;
  options.batchSize = 7;
  OwningOpRef<ModuleOp> module = import(kLinear, options);
  ASSERT_TRUE(module);
  auto forward = module->lookupSymbol<func::FuncOp>("forward");
  EXPECT_EQ(
      llvm::cast<RankedTensorType>(forward.getArgumentTypes()[0]).getShape(),
      llvm::ArrayRef<int64_t>({7, 3}));
}

TEST_F(GraphImporterTest, ErrorNamesPointerAndPosition) {
  std::string text = kLinear;
  text.replace(text.find("[\"x\", \"w\"]"), 10, "[\"x\", \"wq\"]");
  EXPECT_FALSE(import(text));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors.front(), "/nodes/1/inputs/1: unknown value 'wq' (did you "
                            "mean 'w'?)");
  auto file = llvm::dyn_cast<FileLineColLoc>(locations.front());
  ASSERT_TRUE(file);
  EXPECT_EQ(file.getFilename().getValue(), "graph.json");
  EXPECT_EQ(file.getLine(), 9u);
  EXPECT_EQ(file.getColumn(), 38u);
}

TEST_F(GraphImporterTest, MalformedJsonReportsLineAndColumn) {
  EXPECT_FALSE(import("{\n  \"version\": 1,\n  \"nodes\": [,]\n}"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors.front().rfind("malformed JSON: ", 0), 0u) << errors.front();
  auto file = llvm::dyn_cast<FileLineColLoc>(locations.front());
  ASSERT_TRUE(file);
  EXPECT_EQ(file.getLine(), 3u);
  EXPECT_EQ(file.getColumn(), 13u);
}

TEST_F(GraphImporterTest, RecognizesJsonInput) {
  EXPECT_TRUE(mpc::looksLikeJsonGraph("  \n{\"version\": 1}"));
  EXPECT_FALSE(mpc::looksLikeJsonGraph("module {}"));
  EXPECT_FALSE(mpc::looksLikeJsonGraph("// {"));
}

} // namespace
