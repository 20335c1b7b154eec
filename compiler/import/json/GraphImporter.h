//===- GraphImporter.h - JSON graph to mpc IR -------------------*- C++ -*-===//
//
// Imports a model graph in JSON format v1 (docs/graph-format.md) into a
// module of the mpc dialect: params become mpc.param symbols and the nodes a
// func.func @forward returning the loss and the extra outputs.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_COMPILER_IMPORT_JSON_GRAPHIMPORTER_H
#define MPC_COMPILER_IMPORT_JSON_GRAPHIMPORTER_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <optional>

namespace mlir {
class DialectRegistry;
class MLIRContext;
} // namespace mlir

namespace mpc {

struct GraphImportOptions {
  /// Replaces the "batch" dims of the graph; overrides the graph's
  /// training.batch_size.
  std::optional<int64_t> batchSize;
};

/// Adds the dialects imported graphs use (mpc, func) to `registry`.
void registerGraphImportDialects(mlir::DialectRegistry &registry);

/// Imports the graph `text`, read from `fileName`. On bad input emits one
/// error diagnostic at a FileLineColLoc into `fileName`, whose message starts
/// with the JSON Pointer of the offending value, and returns null.
mlir::OwningOpRef<mlir::ModuleOp>
importGraph(llvm::StringRef text, llvm::StringRef fileName,
            mlir::MLIRContext *context,
            const GraphImportOptions &options = GraphImportOptions());

/// Reads `text`, read from `fileName`, as the `training` object of a graph
/// alone (a settings file beside a model that has no place for them). Bad
/// input gets one error diagnostic as importGraph's, its JSON Pointer
/// relative to the file's root.
mlir::FailureOr<mlir::DictionaryAttr>
importTrainingSettings(llvm::StringRef text, llvm::StringRef fileName,
                       mlir::MLIRContext *context);

/// Whether `text` looks like a JSON document rather than MLIR: after an
/// optional UTF-8 byte order mark, its first non-blank character is '{' (but
/// not MLIR's "{-#" file metadata) or '['.
bool looksLikeJsonGraph(llvm::StringRef text);

/// Whether the file `fileName` holding `text` is a JSON graph: a ".json"
/// file always is, whatever it holds (so that an empty one, or one holding
/// `null`, gets the importer's one-line error, not the MLIR parser's view
/// of it); any other file, or standard input, when looksLikeJsonGraph.
bool isJsonGraphFile(llvm::StringRef fileName, llvm::StringRef text);

} // namespace mpc

#endif // MPC_COMPILER_IMPORT_JSON_GRAPHIMPORTER_H
