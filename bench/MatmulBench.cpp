//===- MatmulBench.cpp - throughput of the CPU matmul kernel --------------===//
//
// Prints the GFLOP/s of mpc::cpu::matmul for square sizes and for the
// products of a small GPT training step, and that of a naive triple loop at
// 256 for comparison. Each figure is the median of several timed samples;
// each sample repeats the call until it has run for a few milliseconds.
//
// Usage: mpc-bench-matmul [SAMPLES]
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels/Kernels.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using mpc::cpu::Shape;

namespace {

struct Case {
  std::string name;
  Shape aShape;
  bool transposeA;
  Shape bShape;
  bool transposeB;
  Shape outShape;
};

/// Deterministic values in [-1, 1).
std::vector<float> makeData(int64_t n, uint32_t seed) {
  std::vector<float> data(static_cast<size_t>(n));
  uint32_t state = seed;
  for (float &value : data) {
    state = state * 1664525u + 1013904223u;
    value = static_cast<float>(state >> 8) * 0x1p-23f - 1.0f;
  }
  return data;
}

/// 2 * (multiply-adds) of a product with output `outShape` and depth `k`.
double flopsOf(const Shape &outShape, int64_t k) {
  return 2.0 * static_cast<double>(mpc::cpu::numElements(outShape)) *
         static_cast<double>(k);
}

/// Median seconds per call of `run` over `samples` samples.
template <typename Run> double medianSeconds(Run &&run, int samples) {
  using Clock = std::chrono::steady_clock;
  run(); // Warm the caches and the allocator.
  // Enough calls per sample for ~20 ms, so timer resolution does not matter.
  auto start = Clock::now();
  run();
  double once = std::chrono::duration<double>(Clock::now() - start).count();
  int calls = std::max(1, static_cast<int>(0.02 / std::max(once, 1e-9)));
  std::vector<double> times;
  for (int s = 0; s < samples; ++s) {
    start = Clock::now();
    for (int c = 0; c < calls; ++c)
      run();
    times.push_back(
        std::chrono::duration<double>(Clock::now() - start).count() / calls);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

/// C[M, N] = A[M, K] * B[K, N] the textbook way.
void naiveMatmul(const float *a, const float *b, float *c, int64_t m, int64_t n,
                 int64_t k) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float sum = 0.0f;
      for (int64_t p = 0; p < k; ++p)
        sum += a[i * k + p] * b[p * n + j];
      c[i * n + j] = sum;
    }
}

double runCase(const Case &c, int samples) {
  std::vector<float> a = makeData(mpc::cpu::numElements(c.aShape), 1);
  std::vector<float> b = makeData(mpc::cpu::numElements(c.bShape), 2);
  std::vector<float> out(
      static_cast<size_t>(mpc::cpu::numElements(c.outShape)));
  int64_t k = c.transposeA ? c.aShape[c.aShape.size() - 2] : c.aShape.back();
  double seconds = medianSeconds(
      [&] {
        mpc::cpu::matmul(a.data(), c.aShape, c.transposeA, b.data(), c.bShape,
                         c.transposeB, out.data(), c.outShape);
      },
      samples);
  return flopsOf(c.outShape, k) / seconds * 1e-9;
}

} // namespace

int main(int argc, char **argv) {
  int samples = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;

  std::vector<Case> cases;
  for (int64_t size : {64, 128, 256, 512, 1024})
    cases.push_back({"square " + std::to_string(size),
                     {size, size},
                     false,
                     {size, size},
                     false,
                     {size, size}});
  cases.push_back({"gpt qkv   [1024x64]x[64x192]",
                   {1024, 64},
                   false,
                   {64, 192},
                   false,
                   {1024, 192}});
  cases.push_back({"gpt fc1   [1024x64]x[64x256]",
                   {1024, 64},
                   false,
                   {64, 256},
                   false,
                   {1024, 256}});
  cases.push_back({"gpt fc2   [1024x256]x[256x64]",
                   {1024, 256},
                   false,
                   {256, 64},
                   false,
                   {1024, 64}});
  cases.push_back({"gpt attn  64x[64x16]x[16x64]^T",
                   {64, 64, 16},
                   false,
                   {64, 64, 16},
                   true,
                   {64, 64, 64}});

  std::printf("%-34s %10s\n", "matmul", "GFLOP/s");
  double blocked256 = 0;
  for (const Case &c : cases) {
    double gflops = runCase(c, samples);
    if (c.name == "square 256")
      blocked256 = gflops;
    std::printf("%-34s %10.2f\n", c.name.c_str(), gflops);
  }

  const int64_t size = 256;
  std::vector<float> a = makeData(size * size, 1), b = makeData(size * size, 2);
  std::vector<float> out(static_cast<size_t>(size * size));
  double seconds = medianSeconds(
      [&] { naiveMatmul(a.data(), b.data(), out.data(), size, size, size); },
      samples);
  // Read a result so the timed loop cannot be optimized away.
  volatile float sink = out[0];
  (void)sink;
  double naive = flopsOf({size, size}, size) / seconds * 1e-9;
  std::printf("%-34s %10.2f\n", "naive triple loop 256", naive);
  std::printf("%-34s %10.1fx\n", "blocked / naive at 256", blocked256 / naive);
  return 0;
}
