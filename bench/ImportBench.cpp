//===- ImportBench.cpp - how fast a large JSON graph imports --------------===//
//
// Generates a graph of N nodes (default 10,000) made of repeated transformer
// MLP blocks (layer_norm, matmul, bias add, gelu, matmul, residual add) and
// times importGraph on it (JSON parse, position index, IR construction and
// verification) and the whole front end of mpc-opt (also printing the module
// with its locations and parsing it back). Prints the median of several runs.
//
// Usage: mpc-bench-import [NODES] [RUNS]
//
//===----------------------------------------------------------------------===//

#include "compiler/import/json/GraphImporter.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

/// A graph of about `nodes` nodes: blocks of 7 nodes over [batch, 64].
std::string makeGraph(int nodes) {
  std::string params, body;
  auto param = [&](const std::string &name, const char *shape,
                   const char *init) {
    params += (params.empty() ? "" : ",\n") + std::string("    {\"name\": \"") +
              name + "\", \"shape\": " + shape + ", \"init\": " + init + "}";
  };
  auto node = [&](const char *op, const std::string &inputs,
                  const std::string &output, const std::string &attrs = "") {
    body += "    {\"op\": \"" + std::string(op) + "\", \"inputs\": [" + inputs +
            "], \"outputs\": [\"" + output + "\"]" +
            (attrs.empty() ? "" : ", \"attrs\": " + attrs) + "},\n";
  };
  std::string current = "x";
  int blocks = std::max(1, (nodes - 2) / 7);
  for (int i = 0; i < blocks; ++i) {
    std::string p = "b" + std::to_string(i) + ".";
    param(p + "g", "[64]", "{\"kind\": \"ones\"}");
    param(p + "beta", "[64]", "{\"kind\": \"zeros\"}");
    param(p + "w1", "[64, 256]", "{\"kind\": \"normal\", \"std\": 0.02}");
    param(p + "b1", "[256]", "{\"kind\": \"zeros\"}");
    param(p + "w2", "[256, 64]", "{\"kind\": \"normal\", \"std\": 0.02}");
    node("layer_norm", "\"" + current + "\", \"" + p + "g\", \"" + p + "beta\"",
         p + "ln", "{\"eps\": 1e-5}");
    node("matmul", "\"" + p + "ln\", \"" + p + "w1\"", p + "fc");
    node("add", "\"" + p + "fc\", \"" + p + "b1\"", p + "fcb");
    node("gelu", "\"" + p + "fcb\"", p + "act");
    node("matmul", "\"" + p + "act\", \"" + p + "w2\"", p + "proj");
    node("add", "\"" + current + "\", \"" + p + "proj\"", p + "res");
    node("relu", "\"" + p + "res\"", p + "out");
    current = p + "out";
  }
  node("mse_loss", "\"" + current + "\", \"t\"", "loss");
  body.pop_back();
  body.pop_back(); // the last ",\n"
  return "{\n  \"version\": 1,\n  \"name\": \"bench\",\n"
         "  \"inputs\": [{\"name\": \"x\", \"shape\": [\"batch\", 64]},\n"
         "             {\"name\": \"t\", \"shape\": [\"batch\", 64]}],\n"
         "  \"params\": [\n" +
         params + "\n  ],\n  \"nodes\": [\n" + body +
         "\n  ],\n  \"loss\": \"loss\",\n  \"training\": {\"batch_size\": "
         "8}\n}\n";
}

/// Prints the median, min and max of `seconds` and the node rate.
void report(const char *what, std::vector<double> seconds, int nodes) {
  std::sort(seconds.begin(), seconds.end());
  double median = seconds[seconds.size() / 2];
  llvm::outs() << llvm::format(
      "%s: median %.1f ms over %zu runs (min %.1f, max %.1f), %.0f nodes/s\n",
      what, median * 1e3, seconds.size(), seconds.front() * 1e3,
      seconds.back() * 1e3, nodes / median);
}

} // namespace

int main(int argc, char **argv) {
  int nodes = argc > 1 ? std::atoi(argv[1]) : 10000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  if (nodes < 9 || runs < 1) {
    llvm::errs() << "usage: mpc-bench-import [NODES >= 9] [RUNS >= 1]\n";
    return 1;
  }
  std::string graph = makeGraph(nodes);
  int blocks = std::max(1, (nodes - 2) / 7);
  int actualNodes = blocks * 7 + 1;

  mlir::DialectRegistry registry;
  mpc::registerGraphImportDialects(registry);
  std::vector<double> importSeconds, toolSeconds;
  for (int run = 0; run < runs; ++run) {
    // A fresh context per run, as a tool invocation would have.
    mlir::MLIRContext context(registry);
    context.disableMultithreading();
    auto start = std::chrono::steady_clock::now();
    auto module = mpc::importGraph(graph, "bench.json", &context);
    auto imported = std::chrono::steady_clock::now();
    if (!module) {
      llvm::errs() << "mpc-bench-import: the generated graph did not import\n";
      return 1;
    }
    // What mpc-opt adds before its passes: print with locations, parse back.
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os, mlir::OpPrintingFlags().enableDebugInfo());
    mlir::ParserConfig config(&context);
    auto reparsed = mlir::parseSourceString<mlir::ModuleOp>(text, config);
    auto stop = std::chrono::steady_clock::now();
    if (!reparsed) {
      llvm::errs() << "mpc-bench-import: the imported module did not parse\n";
      return 1;
    }
    importSeconds.push_back(
        std::chrono::duration<double>(imported - start).count());
    toolSeconds.push_back(std::chrono::duration<double>(stop - start).count());
  }
  llvm::outs() << "import: " << actualNodes << " nodes, " << blocks * 5
               << " params, " << graph.size() / 1024 << " KiB of JSON\n";
  report("importGraph (parse, index, build, verify)", importSeconds,
         actualNodes);
  report("mpc-opt front end (+ print with locations, parse)", toolSeconds,
         actualNodes);
  return 0;
}
