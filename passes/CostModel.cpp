//===- CostModel.cpp - roofline cost of a compiled step's launches --------===//
//
// The chips' figures are NVIDIA's published datasheet peaks:
// - H100 SXM5: "NVIDIA H100 Tensor Core GPU" datasheet
//   (https://www.nvidia.com/en-us/data-center/h100/): FP32 67 TFLOPS;
//   BF16 and FP16 Tensor Core 1,979 TFLOPS with sparsity, so 989.5 dense;
//   GPU memory bandwidth 3.35 TB/s (HBM3).
// - H200 SXM: "NVIDIA H200 Tensor Core GPU" datasheet
//   (https://www.nvidia.com/en-us/data-center/h200/): the same compute peaks
//   as H100 SXM (FP32 67 TFLOPS; BF16 and FP16 1,979 TFLOPS with sparsity);
//   GPU memory bandwidth 4.8 TB/s (HBM3e).
// TB/s and TFLOPS are decimal (10^12).
//
//===----------------------------------------------------------------------===//

#include "passes/CostModel.h"

#include <algorithm>

namespace mpc::cost {

namespace {

constexpr double kTera = 1e12;

constexpr Chip kChips[] = {
    {"h100-sxm", 1979 * kTera / 2, 1979 * kTera / 2, 67 * kTera, 3.35 * kTera},
    {"h200", 1979 * kTera / 2, 1979 * kTera / 2, 67 * kTera, 4.8 * kTera},
};

} // namespace

const Chip *findChip(std::string_view name) {
  for (const Chip &chip : kChips)
    if (chip.name == name)
      return &chip;
  return nullptr;
}

std::string chipNames() {
  std::string names;
  for (const Chip &chip : kChips)
    names += (names.empty() ? "" : ", ") + std::string(chip.name);
  return names;
}

double peakFlops(const Chip &chip, Math math) {
  switch (math) {
  case Math::TensorF16:
    return chip.denseF16Flops;
  case Math::TensorBf16:
    return chip.denseBf16Flops;
  case Math::F32:
    return chip.f32Flops;
  }
  return chip.f32Flops;
}

static double computeSeconds(const LaunchCost &launch, const Chip &chip) {
  return launch.flops / peakFlops(chip, launch.math);
}

static double memorySeconds(const LaunchCost &launch, const Chip &chip) {
  return static_cast<double>(launch.bytesRead + launch.bytesWritten) /
         chip.hbmBytesPerSecond;
}

double predictedSeconds(const LaunchCost &launch, const Chip &chip) {
  return std::max(computeSeconds(launch, chip), memorySeconds(launch, chip));
}

Bound boundOf(const LaunchCost &launch, const Chip &chip) {
  return computeSeconds(launch, chip) > memorySeconds(launch, chip)
             ? Bound::Compute
             : Bound::Memory;
}

double gemmFlops(int64_t outputElements, int64_t k) {
  return 2.0 * static_cast<double>(outputElements) * static_cast<double>(k);
}

double causalPairs(int64_t heads, int64_t length) {
  return double(heads) * double(length) * double(length + 1) / 2;
}

int64_t rowPassBytes(int64_t rows, int64_t rowBytes, int passes) {
  return rows * rowBytes * (rowBytes > kCachedRowBytes ? passes : 1);
}

double modelFlops(double forwardGemmFlops) { return 3.0 * forwardGemmFlops; }

double mfu(double modelFlops, double seconds, const Chip &chip) {
  if (seconds <= 0)
    return 0;
  return modelFlops / seconds / chip.denseBf16Flops;
}

} // namespace mpc::cost
