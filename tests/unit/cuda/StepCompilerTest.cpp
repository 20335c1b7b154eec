//===- StepCompilerTest.cpp - nvcc flags and the step cache key -----------===//

#include "runtime/cuda/executor/StepCompiler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using mpc::cuda::nvccFlags;
using mpc::cuda::stepCacheKey;

bool contains(const std::vector<std::string> &flags, const std::string &flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

TEST(StepCompilerTest, FlagsTargetTheDeviceAndLinkTheRuntime) {
  std::vector<std::string> flags = nvccFlags({90}, "/inc", "/lib");
  for (const char *flag :
       {"-O3", "-std=c++17", "-shared", "-fPIC", "-fmad=false", "-I/inc",
        "-L/lib", "-lmpc_cuda_runtime", "-rpath=/lib"})
    EXPECT_TRUE(contains(flags, flag)) << flag;
  EXPECT_TRUE(contains(flags, "arch=compute_90,code=sm_90"));
  EXPECT_FALSE(contains(flags, "arch=compute_80,code=sm_80"));
  std::vector<std::string> both = nvccFlags({80, 90}, "/inc", "/lib");
  EXPECT_TRUE(contains(both, "arch=compute_80,code=sm_80"));
  EXPECT_TRUE(contains(both, "arch=compute_90,code=sm_90"));
}

TEST(StepCompilerTest, KeyDependsOnEveryInput) {
  std::vector<std::string> flags = nvccFlags({90}, "/inc", "/lib");
  std::string key = stepCacheKey("source", "nvcc 13.0", flags);
  EXPECT_EQ(key.size(), 16u);
  EXPECT_EQ(key, stepCacheKey("source", "nvcc 13.0", flags));
  EXPECT_NE(key, stepCacheKey("source ", "nvcc 13.0", flags));
  EXPECT_NE(key, stepCacheKey("source", "nvcc 13.1", flags));
  EXPECT_NE(key, stepCacheKey("source", "nvcc 13.0",
                              nvccFlags({80}, "/inc", "/lib")));
  EXPECT_NE(key, stepCacheKey("source", "nvcc 13.0",
                              nvccFlags({90}, "/inc", "/lib2")));
  // Bytes moved from one part to the next make another key.
  EXPECT_NE(stepCacheKey("ab", "c", {}), stepCacheKey("a", "bc", {}));
}

TEST(StepCompilerTest, CacheDirectoryFollowsTheEnvironment) {
  setenv("MPC_CACHE_DIR", "/tmp/mpc-explicit", 1);
  setenv("XDG_CACHE_HOME", "/tmp/xdg", 1);
  EXPECT_EQ(mpc::cuda::cacheDirectory(), "/tmp/mpc-explicit");
  unsetenv("MPC_CACHE_DIR");
  EXPECT_EQ(mpc::cuda::cacheDirectory(), "/tmp/xdg/mpc");
  unsetenv("XDG_CACHE_HOME");
  setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(mpc::cuda::cacheDirectory(), "/home/someone/.cache/mpc");
}

TEST(StepCompilerTest, RuntimeDirectoriesCanBeOverridden) {
  setenv("MPC_CUDA_INCLUDE_DIR", "/opt/mpc/include", 1);
  setenv("MPC_CUDA_LIB_DIR", "/opt/mpc/lib", 1);
  EXPECT_EQ(mpc::cuda::runtimeIncludeDirectory(), "/opt/mpc/include");
  EXPECT_EQ(mpc::cuda::runtimeLibraryDirectory(), "/opt/mpc/lib");
  unsetenv("MPC_CUDA_INCLUDE_DIR");
  unsetenv("MPC_CUDA_LIB_DIR");
  EXPECT_NE(mpc::cuda::runtimeIncludeDirectory(), "/opt/mpc/include");
  EXPECT_NE(mpc::cuda::runtimeLibraryDirectory(), "/opt/mpc/lib");
}

} // namespace

TEST(StepCompilerTest, ArchitecturesParseFromSmNames) {
  EXPECT_EQ(mpc::cuda::parseArch("sm_90"), 90);
  EXPECT_EQ(mpc::cuda::parseArch("80"), 80);
  EXPECT_EQ(mpc::cuda::parseArch("sm_100"), 100);
  for (const char *bad :
       {"", "sm_", "sm_9x", "compute_90", "sm_090", "-90", "sm_1000", "90a"})
    EXPECT_FALSE(mpc::cuda::parseArch(bad)) << bad;
  EXPECT_EQ(mpc::cuda::prebuiltLibraryName(90), "step.sm_90.so");
}

/// A scratch artifact directory, removed at the end of the test.
class ArtifactDirectory {
public:
  ArtifactDirectory() {
    char name[] = "/tmp/mpc-step-compiler-XXXXXX";
    path = mkdtemp(name);
  }
  ~ArtifactDirectory() {
    for (const char *file : {"/step.sm_90.so", "/step.cu"})
      std::remove((path + file).c_str());
    rmdir(path.c_str());
  }
  void write(const char *file) {
    std::FILE *f = std::fopen((path + file).c_str(), "w");
    ASSERT_TRUE(f);
    std::fclose(f);
  }
  std::string path;
};

TEST(StepCompilerTest, PrebuiltLibraryIsTakenWithoutNvcc) {
  ArtifactDirectory artifact;
  artifact.write("/step.cu");
  // No compiler anywhere: a prebuilt library for the device is still found.
  setenv("MPC_NVCC", "/nonexistent/nvcc", 1);
  std::string error;
  EXPECT_FALSE(mpc::cuda::hasPrebuiltLibrary(artifact.path, 90));
  EXPECT_FALSE(mpc::cuda::stepLibraryFor(artifact.path, 90, error));
  EXPECT_EQ(error, "nvcc not found (looked in $MPC_NVCC=/nonexistent/nvcc)");
  artifact.write("/step.sm_90.so");
  EXPECT_TRUE(mpc::cuda::hasPrebuiltLibrary(artifact.path, 90));
  EXPECT_EQ(mpc::cuda::stepLibraryFor(artifact.path, 90, error),
            artifact.path + "/step.sm_90.so");
  // One for another architecture is not.
  EXPECT_FALSE(mpc::cuda::hasPrebuiltLibrary(artifact.path, 80));
  EXPECT_FALSE(mpc::cuda::stepLibraryFor(artifact.path, 80, error));
  unsetenv("MPC_NVCC");
}

namespace {

/// Writes `text` to `path`.
void writeText(const std::string &path, const std::string &text) {
  std::ofstream file(path, std::ios::binary);
  ASSERT_TRUE(file) << path;
  file << text;
}

TEST(StepCompilerTest, KeyDependsOnTheRuntimeHeaders) {
  std::vector<std::string> flags = nvccFlags({90}, "/inc", "/lib");
  std::string key = stepCacheKey("source", "nvcc 13.0", flags, {"a", "b"});
  EXPECT_EQ(key, stepCacheKey("source", "nvcc 13.0", flags, {"a", "b"}));
  EXPECT_NE(key, stepCacheKey("source", "nvcc 13.0", flags, {"a", "c"}));
  EXPECT_NE(key, stepCacheKey("source", "nvcc 13.0", flags, {"a"}));
  EXPECT_NE(key, stepCacheKey("source", "nvcc 13.0", flags));
  EXPECT_NE(stepCacheKey("s", "v", {}, {"ab", "c"}),
            stepCacheKey("s", "v", {}, {"a", "bc"}));

  // A step including a header of the -I directory that includes a sibling
  // folder's header by a relative path, as mpc_step.cuh reaches
  // runtime/core: both headers count, each once, the toolkit's do not.
  char name[] = "/tmp/mpc-step-headers-XXXXXX";
  std::string root = mkdtemp(name);
  for (const char *folder : {"/artifact", "/cuda", "/core"})
    ASSERT_EQ(mkdir((root + folder).c_str(), 0755), 0);
  writeText(root + "/artifact/step.cu",
            "#include \"top.cuh\"\n#include <cuda_fp16.h>\nint x;\n");
  writeText(root + "/cuda/top.cuh", "  #  include \"../core/math.h\"\n"
                                    "#include \"top.cuh\"\n");
  writeText(root + "/core/math.h", "float f(float x) { return x + 1; }\n");
  std::vector<std::string> headers = mpc::cuda::includedHeaderTexts(
      root + "/artifact/step.cu", root + "/cuda");
  EXPECT_EQ(headers,
            (std::vector<std::string>{"  #  include \"../core/math.h\"\n"
                                      "#include \"top.cuh\"\n",
                                      "float f(float x) { return x + 1; }\n"}));
  std::string before = stepCacheKey("step", "nvcc", flags, headers);
  // An edited formula makes another library.
  writeText(root + "/core/math.h", "float f(float x) { return x + 2; }\n");
  EXPECT_NE(before,
            stepCacheKey("step", "nvcc", flags,
                         mpc::cuda::includedHeaderTexts(
                             root + "/artifact/step.cu", root + "/cuda")));
  std::filesystem::remove_all(root);
}

TEST(StepCompilerTest, GeneratedStepHeadersReachScalarMath) {
  // What a generated step.cu includes, against this tree's runtime headers.
  char name[] = "/tmp/mpc-step-real-XXXXXX";
  std::string root = mkdtemp(name);
  writeText(root + "/step.cu",
            "#include \"mpc_cuda_runtime.h\"\n#include \"mpc_step.cuh\"\n");
  unsetenv("MPC_CUDA_INCLUDE_DIR");
  std::vector<std::string> headers = mpc::cuda::includedHeaderTexts(
      root + "/step.cu", mpc::cuda::runtimeIncludeDirectory());
  std::filesystem::remove_all(root);
  auto defines = [&](const char *guard) {
    return std::count_if(headers.begin(), headers.end(),
                         [&](const std::string &text) {
                           return text.find(std::string("#define ") + guard) !=
                                  std::string::npos;
                         });
  };
  for (const char *guard :
       {"MPC_CUDA_RUNTIME_H", "MPC_RUNTIME_CUDA_MPC_STEP_CUH",
        "MPC_RUNTIME_CUDA_DEVICEMATH_CUH", "MPC_RUNTIME_CORE_SCALARMATH_H",
        "MPC_RUNTIME_CORE_HOSTDEVICE_H", "MPC_RUNTIME_CORE_RANDOM_H",
        "MPC_RUNTIME_CORE_DTYPE_H"})
    EXPECT_EQ(defines(guard), 1) << guard;
}

} // namespace
