//===- StepCompilerTest.cpp - nvcc flags and the step cache key -----------===//

#include "runtime/cuda/executor/StepCompiler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
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
