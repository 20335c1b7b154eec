//===- InitSpec.h - how a parameter is initialized --------------*- C++ -*-===//
//
// The mpc.param `init` attribute without MLIR: what the manifest carries and
// what the driver's initializers (runtime/driver/ParamInit.h) read. The kind
// names are the dialect's InitKind names; dialects/mpc/StepContract.cpp maps
// one onto the other by name, and a test checks that every kind has one.
// One more kind, `values`, is a param that holds its initial value (an
// imported model's pretrained weights) instead of a rule.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_INITSPEC_H
#define MPC_RUNTIME_CORE_INITSPEC_H

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpc {

/// `first` and `second` mean what InitAttr's values mean for the kind
/// (constant: the value; normal: mean, stddev; uniform: low, high; xavier:
/// the gain).
struct InitSpec {
  enum class Kind {
    Zeros,
    Ones,
    Constant,
    Normal,
    Uniform,
    XavierUniform,
    XavierNormal,
    Values
  };
  Kind kind = Kind::Zeros;
  double first = 0, second = 0;
  /// The initializer's own random stream; otherwise the run's seed and the
  /// parameter's name select it.
  std::optional<uint64_t> seed;
  /// Kind::Values: the initial values, row-major as f32 (shared: a large
  /// model's weights are not copied with the spec). Null in a manifest just
  /// read, until its values file is loaded.
  std::shared_ptr<const std::vector<float>> values;
  /// Kind::Values in a manifest: the .npy file holding the values, relative
  /// to the artifact directory.
  std::string file;
};

inline bool operator==(const InitSpec &a, const InitSpec &b) {
  bool sameValues =
      a.values == b.values || (a.values && b.values && *a.values == *b.values);
  return a.kind == b.kind && a.first == b.first && a.second == b.second &&
         a.seed == b.seed && sameValues && a.file == b.file;
}
inline bool operator!=(const InitSpec &a, const InitSpec &b) {
  return !(a == b);
}

struct InitKindName {
  InitSpec::Kind kind;
  const char *name;
};

inline constexpr InitKindName kInitKinds[] = {
    {InitSpec::Kind::Zeros, "zeros"},
    {InitSpec::Kind::Ones, "ones"},
    {InitSpec::Kind::Constant, "constant"},
    {InitSpec::Kind::Normal, "normal"},
    {InitSpec::Kind::Uniform, "uniform"},
    {InitSpec::Kind::XavierUniform, "xavier_uniform"},
    {InitSpec::Kind::XavierNormal, "xavier_normal"},
    {InitSpec::Kind::Values, "values"}};

/// The kind named `name` ("xavier_uniform"), or none.
constexpr std::optional<InitSpec::Kind> parseInitKind(std::string_view name) {
  for (const InitKindName &entry : kInitKinds)
    if (name == entry.name)
      return entry.kind;
  return std::nullopt;
}

/// The name of `kind` as parseInitKind reads it.
constexpr const char *initKindName(InitSpec::Kind kind) {
  for (const InitKindName &entry : kInitKinds)
    if (entry.kind == kind)
      return entry.name;
  return "zeros";
}

} // namespace mpc

#endif // MPC_RUNTIME_CORE_INITSPEC_H
