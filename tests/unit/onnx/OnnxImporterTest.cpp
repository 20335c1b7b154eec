//===- OnnxImporterTest.cpp - the ONNX front end on built models ----------===//
//
// Models built here with ONNX's protobuf classes, for what the node tests
// do not reach: the error lines, symbolic dims, the loss, external data,
// the folder on exporter-style shape arithmetic and the rewrite patterns.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/OnnxImporter.h"
#include "compiler/ModelLoader.h"
#include "dialects/mpc/MpcDialect.h"
#include "dialects/mpc/MpcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <string>
#include <variant>
#include <vector>

using namespace mlir;

namespace {

using Dim = std::variant<int64_t, std::string>;

/// A model of the default domain at `opset`.
onnx::ModelProto makeModel(int64_t opset = 17) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto *import = model.add_opset_import();
  import->set_domain("");
  import->set_version(opset);
  model.mutable_graph()->set_name("test");
  return model;
}

void addInput(onnx::ModelProto &model, const std::string &name,
              std::initializer_list<Dim> dims,
              int elementType = onnx::TensorProto_DataType_FLOAT) {
  auto *input = model.mutable_graph()->add_input();
  input->set_name(name);
  auto *type = input->mutable_type()->mutable_tensor_type();
  type->set_elem_type(elementType);
  auto *shape = type->mutable_shape();
  for (const Dim &dim : dims) {
    auto *entry = shape->add_dim();
    if (auto *value = std::get_if<int64_t>(&dim))
      entry->set_dim_value(*value);
    else
      entry->set_dim_param(std::get<std::string>(dim));
  }
}

/// A float graph output of rank `rank` (ONNX requires the type and the
/// rank; shape inference gives the dims).
void addOutput(onnx::ModelProto &model, const std::string &name, int rank) {
  auto *output = model.mutable_graph()->add_output();
  output->set_name(name);
  auto *type = output->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto_DataType_FLOAT);
  auto *shape = type->mutable_shape();
  for (int i = 0; i < rank; ++i)
    shape->add_dim();
}

onnx::NodeProto &addNode(onnx::ModelProto &model, const std::string &op,
                         std::initializer_list<std::string> inputs,
                         std::initializer_list<std::string> outputs,
                         const std::string &name = "") {
  auto *node = model.mutable_graph()->add_node();
  node->set_op_type(op);
  node->set_name(name);
  for (const std::string &input : inputs)
    node->add_input(input);
  for (const std::string &output : outputs)
    node->add_output(output);
  return *node;
}

void addFloats(onnx::ModelProto &model, const std::string &name,
               std::vector<int64_t> dims, std::vector<float> values) {
  auto *tensor = model.mutable_graph()->add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(onnx::TensorProto_DataType_FLOAT);
  for (int64_t dim : dims)
    tensor->add_dims(dim);
  for (float value : values)
    tensor->add_float_data(value);
}

void addInts(onnx::ModelProto &model, const std::string &name,
             std::vector<int64_t> values) {
  auto *tensor = model.mutable_graph()->add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(onnx::TensorProto_DataType_INT64);
  tensor->add_dims(static_cast<int64_t>(values.size()));
  for (int64_t value : values)
    tensor->add_int64_data(value);
}

void setInt(onnx::NodeProto &node, const std::string &name, int64_t value) {
  auto *attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto_AttributeType_INT);
  attribute->set_i(value);
}

void setInts(onnx::NodeProto &node, const std::string &name,
             std::vector<int64_t> values) {
  auto *attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto_AttributeType_INTS);
  for (int64_t value : values)
    attribute->add_ints(value);
}

class OnnxImporterTest : public ::testing::Test {
protected:
  /// Imports `model` (named `path` in errors); the module's text with
  /// locations, or empty with `errors` filled.
  std::string importModel(const onnx::ModelProto &model,
                          const mpc::OnnxImportOptions &options = {},
                          const std::string &path = "model.onnx") {
    return importBytes(model.SerializeAsString(), options, path);
  }
  std::string importBytes(const std::string &bytes,
                          const mpc::OnnxImportOptions &options = {},
                          const std::string &path = "model.onnx") {
    errors.clear();
    module = mpc::importOnnxModelBytes(bytes, path, &context, options, errors);
    if (!module)
      return "";
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os, OpPrintingFlags().enableDebugInfo());
    return text;
  }
  /// The number of ops of class OpTy in @forward.
  template <typename OpTy> int count() {
    int n = 0;
    module->walk([&](OpTy) { ++n; });
    return n;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  std::vector<std::string> errors;
};

TEST_F(OnnxImporterTest, CorruptProtobufIsOneLine) {
  importBytes("this is not a protobuf \x01\x02\xff");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "model.onnx: error: not a valid ONNX model (the "
                       "protobuf does not parse)");
}

TEST_F(OnnxImporterTest, UnknownDomainIsOneLine) {
  onnx::ModelProto model = makeModel();
  auto *import = model.add_opset_import();
  import->set_domain("com.example");
  import->set_version(1);
  addInput(model, "x", {2});
  addNode(model, "Relu", {"x"}, {"y"});
  addOutput(model, "y", 1);
  importModel(model);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "model.onnx: error: opset domain 'com.example' is not "
                       "supported: mpc imports the default ONNX domain only");
}

TEST_F(OnnxImporterTest, LeadingSymbolicDimTakesTheBatchSize) {
  onnx::ModelProto model = makeModel();
  addInput(model, "x", {std::string("batch"), 4});
  addNode(model, "Relu", {"x"}, {"y"});
  addOutput(model, "y", 2);

  importModel(model);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "model.onnx: error: input 'x' dim 0 ('batch') is "
                       "symbolic: give the batch size (--batch-size N)");

  mpc::OnnxImportOptions options;
  options.batchSize = 3;
  std::string text = importModel(model, options);
  ASSERT_TRUE(errors.empty()) << errors[0];
  EXPECT_NE(text.find("tensor<3x4xf32> {mpc.name = \"x\"}"), std::string::npos)
      << text;
}

TEST_F(OnnxImporterTest, InnerSymbolicDimCannotBeBound) {
  onnx::ModelProto model = makeModel();
  addInput(model, "x", {2, std::string("seq")});
  addNode(model, "Relu", {"x"}, {"y"});
  addOutput(model, "y", 2);
  mpc::OnnxImportOptions options;
  options.batchSize = 2;
  importModel(model, options);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "model.onnx: error: input 'x' dim 1 ('seq') cannot be bound: only "
            "a leading dim is bound, by the batch size; export the model with "
            "a static size for it");
}

TEST_F(OnnxImporterTest, EveryUnsupportedNodeGetsItsLine) {
  onnx::ModelProto model = makeModel();
  addInput(model, "x", {2, 3});
  addNode(model, "Abs", {"x"}, {"a"}, "first_abs");
  addNode(model, "Relu", {"a"}, {"r"}, "after_abs");
  addNode(model, "Floor", {"x"}, {"f"}, "a_floor");
  addNode(model, "Relu", {"x"}, {"ok"}, "fine");
  addOutput(model, "r", 2);
  addOutput(model, "f", 2);
  addOutput(model, "ok", 2);
  importModel(model);
  // The Relu after Abs depends on it and says nothing of its own.
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "model.onnx: error: node 'first_abs' (Abs, #0): op Abs "
                       "has no mpc mapping");
  EXPECT_EQ(errors[1], "model.onnx: error: node 'a_floor' (Floor, #2): op "
                       "Floor has no mpc mapping");
}

TEST_F(OnnxImporterTest, TheModelLoaderGivesEveryLine) {
  // What mpc-run reads a model with: the first line and the others.
  onnx::ModelProto model = makeModel();
  addInput(model, "x", {2, 3});
  addNode(model, "Abs", {"x"}, {"a"}, "first_abs");
  addNode(model, "Floor", {"x"}, {"f"}, "a_floor");
  addOutput(model, "a", 2);
  addOutput(model, "f", 2);
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("unsupported", "onnx", path));
  {
    std::ofstream out(path.str().str(), std::ios::binary);
    out << model.SerializeAsString();
  }
  MLIRContext loaderContext;
  std::string error;
  std::vector<std::string> moreErrors;
  auto loaded = mpc::loadTrainingModule(path.str().str(), {}, loaderContext,
                                        error, &moreErrors);
  llvm::sys::fs::remove(path);
  EXPECT_FALSE(loaded);
  EXPECT_EQ(error, path.str().str() +
                       ": error: node 'first_abs' (Abs, #0): op Abs has no "
                       "mpc mapping");
  ASSERT_EQ(moreErrors.size(), 1u);
  EXPECT_EQ(moreErrors[0], path.str().str() +
                               ": error: node 'a_floor' (Floor, #1): op Floor "
                               "has no mpc mapping");
}

TEST_F(OnnxImporterTest, LossIsTheScalarFloatOutput) {
  onnx::ModelProto model = makeModel();
  addInput(model, "x", {2, 3});
  addNode(model, "Relu", {"x"}, {"r"});
  auto &mean = addNode(model, "ReduceMean", {"r"}, {"loss"});
  setInt(mean, "keepdims", 0);
  addOutput(model, "r", 2);
  addOutput(model, "loss", 0);
  std::string text = importModel(model);
  ASSERT_TRUE(errors.empty()) << errors[0];
  // The loss comes first, marked.
  EXPECT_NE(text.find("-> (tensor<f32> {mpc.loss, mpc.name = \"loss\"}, "
                      "tensor<2x3xf32> {mpc.name = \"r\"})"),
            std::string::npos)
      << text;

  mpc::OnnxImportOptions options;
  options.loss = "r";
  importModel(model, options);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "model.onnx: error: the loss 'r' must be a scalar "
                       "float, got tensor<2x3xf32>");
}

TEST_F(OnnxImporterTest, OpsAreLocatedAtTheirNode) {
  onnx::ModelProto model = makeModel();
  addInput(model, "x", {2, 3});
  addNode(model, "Relu", {"x"}, {"y"}, "act1");
  addOutput(model, "y", 2);
  importModel(model);
  ASSERT_TRUE(errors.empty()) << errors[0];
  mpc::ReluOp relu;
  module->walk([&](mpc::ReluOp op) { relu = op; });
  ASSERT_TRUE(relu);
  std::string loc;
  llvm::raw_string_ostream(loc) << relu.getLoc();
  // The node's name, its op type, and its position in the node list.
  EXPECT_EQ(loc, "loc(\"act1\"(\"Relu\"(\"model.onnx\":0:0)))");
}

TEST_F(OnnxImporterTest, ShapeArithmeticFoldsIntoTheReshape) {
  // The exporter's x.view(x.size(0), -1): Shape, Gather, Unsqueeze, Concat.
  onnx::ModelProto model = makeModel();
  addInput(model, "x", {std::string("batch"), 3, 4});
  addInts(model, "zero", {0});
  addInts(model, "minus_one", {-1});
  addNode(model, "Shape", {"x"}, {"shape"});
  auto &gather = addNode(model, "Gather", {"shape", "zero"}, {"n"});
  setInt(gather, "axis", 0);
  auto &concat = addNode(model, "Concat", {"n", "minus_one"}, {"target"});
  setInt(concat, "axis", 0);
  addNode(model, "Reshape", {"x", "target"}, {"y"});
  addOutput(model, "y", 2);
  mpc::OnnxImportOptions options;
  options.batchSize = 5;
  std::string text = importModel(model, options);
  ASSERT_TRUE(errors.empty()) << errors[0];
  EXPECT_EQ(count<mpc::ReshapeOp>(), 1);
  EXPECT_EQ(count<mpc::ConstantOp>(), 0) << text;
  EXPECT_NE(text.find("-> tensor<5x12xf32>"), std::string::npos) << text;
}

TEST_F(OnnxImporterTest, GemmIsMatmulAndAdd) {
  onnx::ModelProto model = makeModel();
  addInput(model, "a", {4, 3});
  addFloats(model, "b", {2, 3}, {1, 2, 3, 4, 5, 6});
  addFloats(model, "c", {2}, {0.5f, -0.5f});
  auto &gemm = addNode(model, "Gemm", {"a", "b", "c"}, {"y"});
  setInt(gemm, "transB", 1);
  addOutput(model, "y", 2);
  std::string text = importModel(model);
  ASSERT_TRUE(errors.empty()) << errors[0];
  EXPECT_NE(text.find("transpose_b"), std::string::npos) << text;
  EXPECT_EQ(count<mpc::MatmulOp>(), 1);
  EXPECT_EQ(count<mpc::AddOp>(), 1);
}

TEST_F(OnnxImporterTest, TransposedWeightFoldsIntoMatmul) {
  onnx::ModelProto model = makeModel();
  addInput(model, "x", {4, 3});
  addInput(model, "w", {2, 3});
  auto &transpose = addNode(model, "Transpose", {"w"}, {"wt"});
  setInts(transpose, "perm", {1, 0});
  addNode(model, "MatMul", {"x", "wt"}, {"y"});
  addOutput(model, "y", 2);
  std::string text = importModel(model);
  ASSERT_TRUE(errors.empty()) << errors[0];
  EXPECT_EQ(count<mpc::TransposeOp>(), 0) << text;
  EXPECT_NE(text.find("mpc.matmul %arg0, %arg1 {transpose_b}"),
            std::string::npos)
      << text;
}

TEST_F(OnnxImporterTest, ReciprocalSqrtBecomesRsqrt) {
  onnx::ModelProto model = makeModel();
  addInput(model, "x", {4});
  addFloats(model, "one", {}, {1.0f});
  addNode(model, "Sqrt", {"x"}, {"s"});
  addNode(model, "Div", {"one", "s"}, {"y"});
  addOutput(model, "y", 1);
  importModel(model);
  ASSERT_TRUE(errors.empty()) << errors[0];
  EXPECT_EQ(count<mpc::RsqrtOp>(), 1);
  EXPECT_EQ(count<mpc::DivOp>(), 0);
  EXPECT_EQ(count<mpc::SqrtOp>(), 0);
}

TEST_F(OnnxImporterTest, TanhGeluChainBecomesGelu) {
  // torch.nn.GELU(approximate="tanh") as torch.onnx exports it:
  // 0.5 * (x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * (x * (x * x)))))).
  onnx::ModelProto model = makeModel();
  addInput(model, "x", {2, 8});
  addFloats(model, "half", {}, {0.5f});
  addFloats(model, "one", {}, {1.0f});
  addFloats(model, "beta", {}, {0.7978845608f});
  addFloats(model, "kappa", {}, {0.044715f});
  addNode(model, "Mul", {"x", "x"}, {"x2"});
  addNode(model, "Mul", {"x", "x2"}, {"x3"});
  addNode(model, "Mul", {"kappa", "x3"}, {"kx3"});
  addNode(model, "Add", {"x", "kx3"}, {"inner"});
  addNode(model, "Mul", {"beta", "inner"}, {"arg"});
  addNode(model, "Tanh", {"arg"}, {"t"});
  addNode(model, "Add", {"one", "t"}, {"onePlus"});
  addNode(model, "Mul", {"x", "onePlus"}, {"xt"});
  addNode(model, "Mul", {"half", "xt"}, {"y"});
  addOutput(model, "y", 2);
  std::string text = importModel(model);
  ASSERT_TRUE(errors.empty()) << errors[0];
  EXPECT_EQ(count<mpc::GeluOp>(), 1) << text;
  EXPECT_EQ(count<mpc::TanhOp>(), 0) << text;
  EXPECT_EQ(count<mpc::MulOp>(), 0) << text;
}

TEST_F(OnnxImporterTest, ExternalDataIsRead) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("onnx-external", dir));
  float weights[] = {0.0f, 1.5f, -2.0f, 4.0f};
  {
    std::ofstream out((dir + "/weights.bin").str(), std::ios::binary);
    out.write("pad!", 4); // The tensor starts at offset 4.
    out.write(reinterpret_cast<const char *>(weights), sizeof weights);
  }
  onnx::ModelProto model = makeModel();
  addInput(model, "x", {4});
  auto *tensor = model.mutable_graph()->add_initializer();
  tensor->set_name("w");
  tensor->set_data_type(onnx::TensorProto_DataType_FLOAT);
  tensor->add_dims(4);
  tensor->set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
  auto addEntry = [&](const char *key, const char *value) {
    auto *entry = tensor->add_external_data();
    entry->set_key(key);
    entry->set_value(value);
  };
  addEntry("location", "weights.bin");
  addEntry("offset", "4");
  addEntry("length", "16");
  addNode(model, "Add", {"x", "w"}, {"y"});
  addOutput(model, "y", 1);
  std::string path = (dir + "/model.onnx").str();
  std::string text = importModel(model, {}, path);
  ASSERT_TRUE(errors.empty()) << errors[0];
  EXPECT_NE(text.find("dense<[0.000000e+00, 1.500000e+00, -2.000000e+00, "
                      "4.000000e+00]>"),
            std::string::npos)
      << text;

  // A file shorter than the tensor is one line.
  tensor->mutable_external_data(2)->set_value("64");
  importModel(model, {}, path);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("tensor 'w': external data"), std::string::npos)
      << errors[0];
  EXPECT_NE(errors[0].find("is 20 bytes, shorter than offset 4 + length 64"),
            std::string::npos)
      << errors[0];
  llvm::sys::fs::remove_directories(dir);
}

TEST_F(OnnxImporterTest, OlderOpsetsAreConverted) {
  // Opset 11's Unsqueeze takes its axes as an attribute; 17's as an input.
  onnx::ModelProto model = makeModel(11);
  addInput(model, "x", {3});
  auto &unsqueeze = addNode(model, "Unsqueeze", {"x"}, {"y"});
  setInts(unsqueeze, "axes", {0});
  addOutput(model, "y", 2);
  std::string text = importModel(model);
  ASSERT_TRUE(errors.empty()) << errors[0];
  EXPECT_NE(text.find("-> (tensor<1x3xf32>"), std::string::npos) << text;
}

TEST_F(OnnxImporterTest, TensorFileErrorsNameTheFile) {
  mpc::driver::HostTensor tensor;
  std::string error;
  EXPECT_FALSE(
      mpc::readOnnxTensorFile("/nonexistent/input_0.pb", tensor, error));
  EXPECT_NE(error.find("/nonexistent/input_0.pb: cannot open"),
            std::string::npos)
      << error;
}

} // namespace
