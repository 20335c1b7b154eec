//===- Hash.h - FNV-1a, the one hash of names and cache keys ----*- C++ -*-===//
//
// 64-bit FNV-1a. Persistent: a parameter's random stream is the hash of its
// name (runtime/driver/ParamInit.cpp), so changing it changes initial
// weights; the compile caches key their entries by it too.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_HASH_H
#define MPC_RUNTIME_CORE_HASH_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace mpc {

class Fnv1a {
public:
  Fnv1a &add(std::string_view bytes) {
    for (unsigned char c : bytes)
      addByte(c);
    return *this;
  }
  /// Ends a part with a byte no text holds, so moving bytes from one part
  /// to the next changes the hash.
  Fnv1a &separator() {
    addByte(0xff);
    return *this;
  }
  uint64_t value() const { return state; }
  /// The value as 16 hex digits (a file name in a cache).
  std::string hex() const {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx",
                  static_cast<unsigned long long>(state));
    return text;
  }

private:
  void addByte(unsigned char c) { state = (state ^ c) * 0x100000001b3ULL; }
  uint64_t state = 0xcbf29ce484222325ULL;
};

/// The FNV-1a hash of `bytes`.
inline uint64_t fnv1a(std::string_view bytes) {
  return Fnv1a().add(bytes).value();
}

} // namespace mpc

#endif // MPC_RUNTIME_CORE_HASH_H
