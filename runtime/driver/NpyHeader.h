//===- NpyHeader.h - The header dict of NumPy .npy files --------*- C++ -*-===//
//
// A .npy header is a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// This parses just enough Python literal syntax to read one.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_DRIVER_NPYHEADER_H
#define MPC_RUNTIME_DRIVER_NPYHEADER_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpc::driver {

/// The three keys every .npy header holds.
struct NpyHeader {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

/// Parses the header dict `text`. Unknown keys are skipped. On failure sets
/// `error` to a phrase without the file name (the caller adds it).
std::optional<NpyHeader> parseNpyHeader(std::string_view text,
                                        std::string &error);

} // namespace mpc::driver

#endif // MPC_RUNTIME_DRIVER_NPYHEADER_H
