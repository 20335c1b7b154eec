//===- TestFiles.h - Scratch files for the driver tests ---------*- C++ -*-===//
//
// A per-test scratch directory and writers of plain, gzipped and .npy files.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_TESTS_UNIT_DRIVER_TESTFILES_H
#define MPC_TESTS_UNIT_DRIVER_TESTFILES_H

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace mpc::driver::test {

/// A fresh directory under testing::TempDir(), removed with its contents
/// when the test ends.
class ScratchDir {
public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir &) = delete;
  ScratchDir &operator=(const ScratchDir &) = delete;

  /// The path of `name` inside the directory.
  std::string path(const std::string &name) const { return root + "/" + name; }
  const std::string &rootPath() const { return root; }
  /// The names of the files in the directory, sorted.
  std::vector<std::string> list() const;

private:
  std::string root;
};

void writeFile(const std::string &path, std::string_view bytes);
void writeGzip(const std::string &path, std::string_view bytes);
std::string readFile(const std::string &path);

/// The raw little-endian bytes of `values`.
template <typename T> std::string rawBytes(const std::vector<T> &values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  if (!values.empty())
    std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

/// A .npy file of format version `major`.0 with header dict `dict` (padded
/// as NumPy pads it) followed by `data`.
std::string npyFile(const std::string &dict, std::string_view data,
                    int major = 1);

/// The dict NumPy writes for a C-order array.
std::string npyDict(const std::string &descr, const std::string &shape);

} // namespace mpc::driver::test

#endif // MPC_TESTS_UNIT_DRIVER_TESTFILES_H
