//===- NoCpuDevice.cpp - No CPU executor without the compiler -------------===//
//
// The CPU reference executor interprets mpc IR, so a build without the
// compiler has none: a run uses the GPU by default, and --device cpu is
// refused with one line.
//
//===----------------------------------------------------------------------===//

#include "tools/mpc-run/Device.h"

namespace mpc::run {

const char *const kDefaultDevice = "cuda";

Model openOnCpu(const Flags &) {
  fail("--device cpu: this build of mpc-run has no compiler (the CPU "
       "executor runs mpc IR); use --device cuda");
}

Model openForRepair(const Flags &) {
  fail("--repair-precision: this build of mpc-run has no compiler, which "
       "compiles the repaired step");
}

void runForwardAndExit(const Flags &) {
  fail("--forward runs on the CPU reference executor, which this build of "
       "mpc-run lacks (it has no compiler)");
}

} // namespace mpc::run
