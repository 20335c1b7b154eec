/*===- DType.h - the element types every layer of mpc names ------*- C -*-===*
 *
 * One vocabulary of element types for the driver (data files, checkpoints),
 * the CPU reference kernels, the manifest and the CUDA runtime: the values
 * of the C enum mpc_dtype (the CUDA ABI's, so this header is C as well), and
 * for C++ the scoped mpc::DType with each type's name and size. The device
 * holds integer tensors as int32 (ids, labels) and the overflow flag as one
 * byte (i1); i64 exists on the host only (data files, checkpoints).
 *
 *===----------------------------------------------------------------------===*/

#ifndef MPC_RUNTIME_CORE_DTYPE_H
#define MPC_RUNTIME_CORE_DTYPE_H

typedef enum mpc_dtype {
  MPC_F32 = 0,
  MPC_F16 = 1,
  MPC_BF16 = 2,
  MPC_I32 = 3,
  MPC_I1 = 4,
  MPC_I64 = 5, /* host only */
} mpc_dtype;

#ifdef __cplusplus

#include <cstddef>
#include <optional>
#include <string_view>

namespace mpc {

enum class DType : int {
  F32 = MPC_F32,
  F16 = MPC_F16,
  BF16 = MPC_BF16,
  I32 = MPC_I32,
  I1 = MPC_I1,
  I64 = MPC_I64,
};

/// What mpc knows of an element type: its name (in graphs and manifests),
/// its name in safetensors checkpoints, its enumerator in the CUDA ABI, the
/// C type that stores it on the device, and its size.
struct DTypeInfo {
  DType dtype;
  const char *name;
  const char *safetensorsName;
  const char *abiName;
  const char *cudaType;
  size_t bytes;
  bool isFloat;
};

inline constexpr DTypeInfo kDTypes[] = {
    {DType::F32, "f32", "F32", "MPC_F32", "float", 4, true},
    {DType::F16, "f16", "F16", "MPC_F16", "__half", 2, true},
    {DType::BF16, "bf16", "BF16", "MPC_BF16", "__nv_bfloat16", 2, true},
    {DType::I32, "i32", "I32", "MPC_I32", "int32_t", 4, false},
    {DType::I1, "i1", "BOOL", "MPC_I1", "uint8_t", 1, false},
    {DType::I64, "i64", "I64", "MPC_I64", "int64_t", 8, false},
};

/// The entry of `dtype`, or null for a value outside the enum (a corrupt
/// argument of the C ABI).
constexpr const DTypeInfo *findDType(DType dtype) {
  for (const DTypeInfo &info : kDTypes)
    if (info.dtype == dtype)
      return &info;
  return nullptr;
}

/// "f32", ...; "unknown dtype" outside the enum.
constexpr const char *dtypeName(DType dtype) {
  return findDType(dtype) ? findDType(dtype)->name : "unknown dtype";
}
/// Bytes per element; 0 outside the enum.
constexpr size_t elementSize(DType dtype) {
  return findDType(dtype) ? findDType(dtype)->bytes : 0;
}
constexpr bool isFloat(DType dtype) {
  return findDType(dtype) && findDType(dtype)->isFloat;
}
/// "F32", ...: the name in safetensors files.
constexpr const char *safetensorsName(DType dtype) {
  return findDType(dtype) ? findDType(dtype)->safetensorsName : "unknown dtype";
}

/// The same for the C enum of the CUDA ABI.
constexpr const char *dtypeName(mpc_dtype dtype) {
  return dtypeName(static_cast<DType>(dtype));
}
constexpr size_t elementSize(mpc_dtype dtype) {
  return elementSize(static_cast<DType>(dtype));
}
constexpr bool isFloat(mpc_dtype dtype) {
  return isFloat(static_cast<DType>(dtype));
}

/// The type named `name` ("f32", ...), if any.
constexpr std::optional<DType> parseDType(std::string_view name) {
  for (const DTypeInfo &info : kDTypes)
    if (name == info.name)
      return info.dtype;
  return std::nullopt;
}

/// The type a safetensors file names `name` ("F32", ...), if any.
constexpr std::optional<DType> parseSafetensorsDType(std::string_view name) {
  for (const DTypeInfo &info : kDTypes)
    if (name == info.safetensorsName)
      return info.dtype;
  return std::nullopt;
}

} // namespace mpc

#endif // __cplusplus

#endif // MPC_RUNTIME_CORE_DTYPE_H
