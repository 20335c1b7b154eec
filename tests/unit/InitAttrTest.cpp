//===- InitAttrTest.cpp - the #mpc.init attribute -------------------------===//

#include "dialects/mpc/MpcAttrs.h"
#include "dialects/mpc/MpcDialect.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mpc;

namespace {

class InitAttrTest : public ::testing::Test {
protected:
  InitAttrTest()
      : handler(&context, [this](Diagnostic &diagnostic) {
          lastError = diagnostic.str();
          return success();
        }) {
    context.loadDialect<MpcDialect>();
  }

  std::string print(Attribute attribute) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << attribute;
    return text;
  }

  MLIRContext context;
  ScopedDiagnosticHandler handler;
  std::string lastError;
};

TEST_F(InitAttrTest, OmittedArgumentsTakeTheirDefaults) {
  auto init = llvm::dyn_cast_or_null<InitAttr>(
      parseAttribute("#mpc.init<normal, std = 0.5>", &context));
  ASSERT_TRUE(init);
  EXPECT_EQ(init.getKind(), InitKind::normal);
  EXPECT_EQ(init.getFirstValue(), 0.0);
  EXPECT_EQ(init.getSecondValue(), 0.5);
  EXPECT_FALSE(init.getSeed().has_value());
  EXPECT_EQ(init, InitAttr::get(&context, InitKind::normal, llvm::APFloat(0.0),
                                llvm::APFloat(0.5), std::nullopt));
}

TEST_F(InitAttrTest, PrintsEveryArgumentAndReparses) {
  auto init = InitAttr::get(&context, InitKind::uniform, llvm::APFloat(-0.25),
                            llvm::APFloat(0.25), uint64_t(3));
  std::string text = print(init);
  EXPECT_EQ(text, "#mpc.init<uniform, low = -2.500000e-01, high = "
                  "2.500000e-01, seed = 3>");
  EXPECT_EQ(parseAttribute(text, &context), init);
}

TEST_F(InitAttrTest, DefaultsPerKind) {
  auto xavier = InitAttr::getDefault(&context, InitKind::xavier_normal);
  EXPECT_EQ(xavier.getFirstValue(), 1.0);
  auto uniform = InitAttr::getDefault(&context, InitKind::uniform);
  EXPECT_EQ(uniform.getFirstValue(), 0.0);
  EXPECT_EQ(uniform.getSecondValue(), 1.0);
  EXPECT_EQ(print(InitAttr::getDefault(&context, InitKind::zeros)),
            "#mpc.init<zeros>");
}

TEST_F(InitAttrTest, RejectsArgumentsTheKindDoesNotTake) {
  EXPECT_FALSE(parseAttribute("#mpc.init<zeros, std = 1.0>", &context));
  EXPECT_NE(lastError.find("takes no argument 'std'"), std::string::npos);
  EXPECT_FALSE(parseAttribute("#mpc.init<gaussian>", &context));
  EXPECT_NE(lastError.find("unknown initializer kind"), std::string::npos);
}

TEST_F(InitAttrTest, VerifierRejectsImpossibleArguments) {
  EXPECT_FALSE(parseAttribute("#mpc.init<normal, std = -1.0>", &context));
  EXPECT_NE(lastError.find("std >= 0"), std::string::npos);
  EXPECT_FALSE(
      parseAttribute("#mpc.init<uniform, low = 1.0, high = 1.0>", &context));
  EXPECT_NE(lastError.find("low < high"), std::string::npos);
}

} // namespace
