//===- Softmax.cu - softmax, log-softmax and their gradients --------------===//
//
// Along the axis of an [outer, axis, inner] view. With inner == 1 (the last
// axis) a block owns a row and reduces it with warp shuffles; otherwise a
// thread owns one (outer, inner) column and walks the axis, so neighbouring
// threads read neighbouring addresses.
//
//===----------------------------------------------------------------------===//

#include "BlockReduce.cuh"
#include "Context.h"
#include "DeviceMath.cuh"

namespace mpc::cuda {
namespace {

enum class Mode { Softmax, LogSoftmax, SoftmaxGrad, LogSoftmaxGrad };

/// The operands of one of the four functions: `a` is the input (forward) or
/// dy (gradient), `b` the forward output y (gradient only).
struct SoftmaxArgs {
  const void *a, *b;
  mpc_dtype aType, bType;
  void *out;
  mpc_dtype outType;
  int64_t outer, axis, inner;
};

__global__ void softmaxRowsKernel(SoftmaxArgs args, Mode mode) {
  int64_t base = static_cast<int64_t>(blockIdx.x) * args.axis;
  int64_t n = args.axis;
  auto a = [&](int64_t j) { return loadAs(args.a, args.aType, base + j); };
  auto b = [&](int64_t j) { return loadAs(args.b, args.bType, base + j); };
  auto store = [&](int64_t j, float value) {
    storeAs(args.out, args.outType, base + j, value);
  };
  if (mode == Mode::Softmax || mode == Mode::LogSoftmax) {
    float max = -INFINITY;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x)
      max = fmaxf(max, a(j));
    max = blockMax(max);
    float sum = 0.0f;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x)
      sum += expf(a(j) - max);
    sum = blockSum(sum);
    if (mode == Mode::Softmax) {
      for (int64_t j = threadIdx.x; j < n; j += blockDim.x)
        store(j, expf(a(j) - max) / sum);
    } else {
      float logSum = logf(sum);
      for (int64_t j = threadIdx.x; j < n; j += blockDim.x)
        store(j, a(j) - max - logSum);
    }
    return;
  }
  float sum = 0.0f;
  for (int64_t j = threadIdx.x; j < n; j += blockDim.x)
    sum += mode == Mode::SoftmaxGrad ? a(j) * b(j) : a(j);
  sum = blockSum(sum);
  for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
    if (mode == Mode::SoftmaxGrad)
      store(j, b(j) * (a(j) - sum));
    else
      store(j, a(j) - expf(b(j)) * sum);
  }
}

__global__ void softmaxColumnsKernel(SoftmaxArgs args, Mode mode) {
  int64_t columns = args.outer * args.inner;
  for (int64_t c = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; c < columns;
       c += int64_t(gridDim.x) * blockDim.x) {
    int64_t o = c / args.inner, i = c % args.inner;
    int64_t base = o * args.axis * args.inner + i, stride = args.inner;
    auto a = [&](int64_t j) {
      return loadAs(args.a, args.aType, base + j * stride);
    };
    auto b = [&](int64_t j) {
      return loadAs(args.b, args.bType, base + j * stride);
    };
    auto store = [&](int64_t j, float value) {
      storeAs(args.out, args.outType, base + j * stride, value);
    };
    if (mode == Mode::Softmax || mode == Mode::LogSoftmax) {
      float max = -INFINITY;
      for (int64_t j = 0; j < args.axis; ++j)
        max = fmaxf(max, a(j));
      float sum = 0.0f;
      for (int64_t j = 0; j < args.axis; ++j)
        sum += expf(a(j) - max);
      float logSum = logf(sum);
      for (int64_t j = 0; j < args.axis; ++j)
        store(j, mode == Mode::Softmax ? expf(a(j) - max) / sum
                                       : a(j) - max - logSum);
      continue;
    }
    float sum = 0.0f;
    for (int64_t j = 0; j < args.axis; ++j)
      sum += mode == Mode::SoftmaxGrad ? a(j) * b(j) : a(j);
    for (int64_t j = 0; j < args.axis; ++j)
      store(j, mode == Mode::SoftmaxGrad ? b(j) * (a(j) - sum)
                                         : a(j) - expf(b(j)) * sum);
  }
}

int launchSoftmax(mpc_rt *rt, const char *what, const SoftmaxArgs &args,
                  Mode mode) {
  if (checkSizes(rt, what, {args.outer, args.axis, args.inner}) ||
      checkFloat(rt, what, "the input", args.aType) ||
      checkFloat(rt, what, "the output", args.outType))
    return -1;
  if (args.outer * args.axis * args.inner == 0)
    return 0;
  if (args.inner == 1) {
    if (args.outer > 0x7fffffff)
      return mpc_rt_fail(rt, "%s: %lld rows exceed the grid", what,
                         static_cast<long long>(args.outer));
    softmaxRowsKernel<<<static_cast<unsigned>(args.outer),
                        rowThreads(args.axis), 0, rt->stream>>>(args, mode);
  } else {
    softmaxColumnsKernel<<<gridFor(args.outer * args.inner, 256), 256, 0,
                           rt->stream>>>(args, mode);
  }
  return mpc_rt_check_launch(rt, what);
}

} // namespace
} // namespace mpc::cuda

using namespace mpc::cuda;

extern "C" {

int mpc_rt_softmax(mpc_rt *rt, const void *in, mpc_dtype in_type, void *out,
                   mpc_dtype out_type, int64_t outer, int64_t axis,
                   int64_t inner) {
  return launchSoftmax(
      rt, "mpc_rt_softmax",
      {in, nullptr, in_type, in_type, out, out_type, outer, axis, inner},
      Mode::Softmax);
}

int mpc_rt_log_softmax(mpc_rt *rt, const void *in, mpc_dtype in_type, void *out,
                       mpc_dtype out_type, int64_t outer, int64_t axis,
                       int64_t inner) {
  return launchSoftmax(
      rt, "mpc_rt_log_softmax",
      {in, nullptr, in_type, in_type, out, out_type, outer, axis, inner},
      Mode::LogSoftmax);
}

int mpc_rt_softmax_grad(mpc_rt *rt, const void *dy, const void *y, void *dx,
                        mpc_dtype type, int64_t outer, int64_t axis,
                        int64_t inner) {
  return launchSoftmax(rt, "mpc_rt_softmax_grad",
                       {dy, y, type, type, dx, type, outer, axis, inner},
                       Mode::SoftmaxGrad);
}

int mpc_rt_log_softmax_grad(mpc_rt *rt, const void *dy, const void *y, void *dx,
                            mpc_dtype type, int64_t outer, int64_t axis,
                            int64_t inner) {
  return launchSoftmax(rt, "mpc_rt_log_softmax_grad",
                       {dy, y, type, type, dx, type, outer, axis, inner},
                       Mode::LogSoftmaxGrad);
}

} // extern "C"
