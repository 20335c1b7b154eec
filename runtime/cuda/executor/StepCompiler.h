//===- StepCompiler.h - step.cu to step.so, with a cache --------*- C++ -*-===//
//
// Compiles an artifact's step.cu with nvcc into a shared library linked
// against libmpc_cuda_runtime. Libraries are cached by a hash of everything
// that determines them, so a model is compiled once per machine.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CUDA_EXECUTOR_STEPCOMPILER_H
#define MPC_RUNTIME_CUDA_EXECUTOR_STEPCOMPILER_H

#include "runtime/driver/ArtifactCache.h"

#include <optional>
#include <string>
#include <vector>

namespace mpc::cuda {

/// Where mpc keeps compiled artifacts; step libraries go to its cuda/.
using driver::cacheDirectory;

/// The directory holding mpc_cuda_runtime.h: $MPC_CUDA_INCLUDE_DIR, else
/// the source tree's runtime/cuda.
std::string runtimeIncludeDirectory();
/// The directory holding libmpc_cuda_runtime.so: $MPC_CUDA_LIB_DIR, else
/// the build tree's.
std::string runtimeLibraryDirectory();

/// nvcc's flags for a step library running on the SM architectures `archs`
/// (e.g. 90 for sm_90).
std::vector<std::string> nvccFlags(const std::vector<int> &archs,
                                   const std::string &includeDirectory,
                                   const std::string &libraryDirectory);

/// The cache key of a step library: a hash of the source, nvcc's version
/// text, the flags, the runtime ABI version and the texts of the runtime
/// headers the source includes (includedHeaderTexts: an edited formula in
/// runtime/core/ScalarMath.h makes another library), as 16 hex digits.
std::string stepCacheKey(const std::string &source,
                         const std::string &nvccVersion,
                         const std::vector<std::string> &flags,
                         const std::vector<std::string> &headers = {});

/// The texts of the files `sourcePath` reaches through #include "..."
/// directives, transitively, each once, in the order nvcc first reads them
/// (include guards aside).
/// A quoted include is looked up beside the including file, then in
/// `includeDirectory`, as nvcc does with one -I; one found in neither is
/// left to nvcc to report. <...> includes are the toolkit's, which nvcc's
/// version covers.
std::vector<std::string>
includedHeaderTexts(const std::string &sourcePath,
                    const std::string &includeDirectory);

/// What `nvcc --version` prints, or none with a one-line error.
std::optional<std::string> nvccVersion(const std::string &nvcc,
                                       std::string &error);

/// Compiles `artifactDirectory`/step.cu for `archs` into `output`, written
/// under a temporary name and renamed (driver::publishAtomically), so no
/// reader sees a partial file; nvcc's output goes to `logPath`. A failed
/// compile is one line naming step.cu and the log.
bool compileStepLibrary(const std::string &artifactDirectory,
                        const std::string &nvcc, const std::vector<int> &archs,
                        const std::string &output, const std::string &logPath,
                        std::string &error);

/// Returns the path of the step library of `artifactDirectory`/step.cu for
/// `archs`, compiling it into the cache (cuda/step-KEY.so, nvcc's output
/// beside it in step-KEY.log) unless it is there.
std::optional<std::string>
buildStepLibrary(const std::string &artifactDirectory, const std::string &nvcc,
                 const std::vector<int> &archs, std::string &error);

/// The file name of an artifact's step library prebuilt for sm_`arch`
/// (mpc-run --artifact DIR --arch sm_90 writes step.sm_90.so).
std::string prebuiltLibraryName(int arch);

/// Whether `artifactDirectory` holds a step library prebuilt for sm_`arch`.
bool hasPrebuiltLibrary(const std::string &artifactDirectory, int arch);

/// The architecture number of "sm_90" or "90"; none for anything else.
std::optional<int> parseArch(const std::string &text);

/// The step library of an artifact for a device of sm_`arch`: the one
/// prebuilt in the artifact when it is there, so no compiler is needed;
/// else the cached build of step.cu, compiled with the nvcc findNvcc finds.
std::optional<std::string> stepLibraryFor(const std::string &artifactDirectory,
                                          int arch, std::string &error);

} // namespace mpc::cuda

#endif // MPC_RUNTIME_CUDA_EXECUTOR_STEPCOMPILER_H
