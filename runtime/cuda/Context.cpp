//===- Context.cpp - creating and tearing down an mpc_rt ------------------===//
//
// The only place of the runtime that allocates device memory: the cuBLASLt
// workspace and the kernel scratch are made once here, so every other call
// can be captured into a CUDA graph.
//
//===----------------------------------------------------------------------===//

#include "Context.h"
#include "GemmPlan.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

mpc_rt::mpc_rt() = default;

mpc_rt::~mpc_rt() {
  gemmPlans.reset();
  if (lt)
    cublasLtDestroy(lt);
  cudaFree(workspace);
  cudaFree(scratch);
}

namespace mpc::cuda {

int checkFloat(mpc_rt *rt, const char *what, const char *operand,
               mpc_dtype type) {
  if (isFloat(type))
    return 0;
  return mpc_rt_fail(rt, "%s: %s has type %s (%d), not f32, f16 or bf16", what,
                     operand, dtypeName(type), static_cast<int>(type));
}

int checkRowNormalization(mpc_rt *rt, const char *what, mpc_dtype xType,
                          const char *param, mpc_dtype paramType,
                          mpc_dtype outType, int64_t rows, int64_t cols) {
  if (checkSizes(rt, what, {rows, cols}) || checkFloat(rt, what, "x", xType) ||
      checkFloat(rt, what, param, paramType) ||
      checkFloat(rt, what, "the output", outType))
    return -1;
  if (rows > 0x7fffffff)
    return mpc_rt_fail(rt, "%s: %lld rows exceed the grid", what,
                       static_cast<long long>(rows));
  return 0;
}

int planNormalizationScratch(mpc_rt *rt, const char *what, int64_t rows,
                             int64_t cols, int64_t params,
                             NormalizationPartials &partials) {
  partials.plan = planNormalization(rows, cols, params, rt->scratchBytes);
  if (partials.plan.rows.slices == 0)
    return mpc_rt_fail(
        rt,
        "%s: %lld x %lld needs %zu bytes of scratch, the "
        "context has %zu",
        what, static_cast<long long>(rows), static_cast<long long>(cols),
        static_cast<size_t>(params * cols) * sizeof(float), rt->scratchBytes);
  partials.scratch = static_cast<float *>(rt->scratch);
  partials.counter = rt->counter;
  return 0;
}

int checkSizes(mpc_rt *rt, const char *what,
               std::initializer_list<int64_t> sizes) {
  for (int64_t size : sizes)
    if (size < 0)
      return mpc_rt_fail(rt, "%s: negative size %lld", what,
                         static_cast<long long>(size));
  return 0;
}

} // namespace mpc::cuda

namespace {

void writeError(char *error, size_t errorSize, const char *message,
                cudaError_t status) {
  if (error && errorSize)
    std::snprintf(error, errorSize, "mpc_rt_create: %s: %s", message,
                  cudaGetErrorString(status));
}

} // namespace

mpc_rt *mpc::cuda::createContext(cudaStream_t stream, size_t workspace_bytes,
                                 size_t scratch_bytes, char *error,
                                 size_t error_size) {
  auto rt = std::make_unique<mpc_rt>();
  rt->stream = stream;
  if (workspace_bytes == 0)
    workspace_bytes = mpc::cuda::kDefaultWorkspaceBytes;
  int device = 0;
  if (cudaError_t status = cudaGetDevice(&device); status != cudaSuccess) {
    writeError(error, error_size, "no usable CUDA device", status);
    return nullptr;
  }
  if (cublasStatus_t status = cublasLtCreate(&rt->lt);
      status != CUBLAS_STATUS_SUCCESS) {
    rt->lt = nullptr;
    if (error && error_size)
      std::snprintf(error, error_size,
                    "mpc_rt_create: cublasLtCreate failed: %s",
                    cublasLtGetStatusString(status));
    return nullptr;
  }
  if (workspace_bytes) {
    if (cudaError_t status = cudaMalloc(&rt->workspace, workspace_bytes);
        status != cudaSuccess) {
      rt->workspace = nullptr;
      writeError(error, error_size, "cannot allocate the cuBLASLt workspace",
                 status);
      return nullptr;
    }
  }
  rt->workspaceBytes = workspace_bytes;
  size_t counterAt = mpc::cuda::counterOffset(scratch_bytes);
  if (cudaError_t status =
          cudaMalloc(&rt->scratch, counterAt + mpc::cuda::kCounterBytes);
      status != cudaSuccess) {
    rt->scratch = nullptr;
    writeError(error, error_size, "cannot allocate the kernel scratch", status);
    return nullptr;
  }
  rt->scratchBytes = scratch_bytes;
  rt->counter = reinterpret_cast<unsigned int *>(
      static_cast<char *>(rt->scratch) + counterAt);
  if (cudaError_t status = cudaMemset(rt->counter, 0, mpc::cuda::kCounterBytes);
      status != cudaSuccess) {
    writeError(error, error_size, "cannot clear the last-block counter",
               status);
    return nullptr;
  }
  rt->gemmPlans = std::make_unique<mpc::cuda::GemmPlanCache>();
  return rt.release();
}

extern "C" {

mpc_rt *mpc_rt_create(cudaStream_t stream, size_t workspace_bytes, char *error,
                      size_t error_size) {
  return mpc::cuda::createContext(stream, workspace_bytes,
                                  mpc::cuda::kScratchBytes, error, error_size);
}

void mpc_rt_destroy(mpc_rt *rt) { delete rt; }

cudaStream_t mpc_rt_stream(mpc_rt *rt) { return rt->stream; }

const char *mpc_rt_last_error(mpc_rt *rt) { return rt->error.c_str(); }

int mpc_rt_fail(mpc_rt *rt, const char *format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  rt->error = buffer;
  return -1;
}

int mpc_rt_check_launch(mpc_rt *rt, const char *what) {
  cudaError_t status = cudaGetLastError();
  if (status == cudaSuccess)
    return 0;
  return mpc_rt_fail(rt, "%s: kernel launch failed: %s", what,
                     cudaGetErrorString(status));
}

void mpc_rt_set_debug(mpc_rt *rt, int on) { rt->debug = on != 0; }

int mpc_rt_op_done(mpc_rt *rt, const char *op) {
  // Outside debug mode the step may be under capture, where a synchronisation
  // or a stream query would invalidate the graph.
  if (!rt->debug)
    return 0;
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  if (cudaStreamIsCapturing(rt->stream, &capture) == cudaSuccess &&
      capture != cudaStreamCaptureStatusNone) {
    rt->error = std::string(op) + ": debug mode while the stream is captured";
    return -1;
  }
  // A launch that failed, then anything that failed while running.
  cudaError_t status = cudaGetLastError();
  if (status == cudaSuccess)
    status = cudaStreamSynchronize(rt->stream);
  if (status == cudaSuccess)
    return 0;
  rt->error = std::string(op) + ": " + cudaGetErrorString(status);
  return -1;
}

int mpc_rt_op_failed(mpc_rt *rt, const char *op) {
  rt->error =
      std::string(op) + ": " +
      (rt->error.empty() ? std::string("failed without a message") : rt->error);
  return -1;
}

} // extern "C"
