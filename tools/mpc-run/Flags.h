//===- Flags.h - mpc-run's command line -------------------------*- C++ -*-===//
//
// The flags mpc-run takes, read into a Flags value, and the one-line error
// with exit status 1 that every part of mpc-run fails with.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_TOOLS_MPC_RUN_FLAGS_H
#define MPC_TOOLS_MPC_RUN_FLAGS_H

#include <cstdint>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mpc::run {

struct Flags {
  std::string model;
  std::vector<std::string> data;
  /// --forward's inputs, NAME=FILE.npy, in order; --input may repeat.
  std::vector<std::string> inputs;
  std::map<std::string, std::string> values;
  /// The flags without a value that were given.
  std::set<std::string> switches;
};

/// Prints "mpc-run: `message`" on stderr, on one line (control characters
/// escaped), and exits with status 1.
[[noreturn]] void fail(const std::string &message);

/// Reads the command line; --help prints the usage and exits, a bad command
/// line fails.
Flags parseFlags(int argc, char **argv);

/// Reads flag `name` as an integer >= `minimum`, or returns `fallback`.
int64_t integerFlag(const Flags &flags, const std::string &name,
                    int64_t fallback, int64_t minimum);

/// Reads flag `name`, one of `allowed`, or returns "".
std::string stringFlag(const Flags &flags, const std::string &name,
                       std::initializer_list<const char *> allowed);

/// Reads flag `name` as a finite number.
double numberFlag(const Flags &flags, const std::string &name);

/// Reads flag `name` as a finite number > 0.
double positiveFlag(const Flags &flags, const std::string &name);

} // namespace mpc::run

#endif // MPC_TOOLS_MPC_RUN_FLAGS_H
