//===- Flags.cpp - mpc-run's command line ---------------------------------===//

#include "tools/mpc-run/Flags.h"

#include "runtime/core/OneLineText.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace mpc::run {

namespace {

const char *kUsage = R"(usage: mpc-run MODEL --data FILE [options]

MODEL is a JSON graph (.json), an ONNX model (.onnx, docs/onnx.md) or an
mpc module (.mlir); a module without a @train_step gets one built with the
graph's training settings. With
--device cuda, MODEL may also be a CUDA artifact directory (manifest.json
and step.cu, as --artifact writes them).

  --data FILE        training data: .csv/.csv.gz rows (features, then an
                     integer label), a .txt character corpus, or .npy arrays
                     (repeat --data, optionally NAME=FILE.npy); repeatable
  --steps N          train until N steps have run (default: the graph's
                     training.steps)
  --batch B          batch size (default: the graph's training.batch_size)
  --accumulate N     gradient accumulation: each optimizer step sums the
                     gradients of N micro-batches of B, as one step on a
                     batch of N x B (default: the graph's
                     training.accumulate, else 1)
  --device D         where to run: cpu (the reference executor) or cuda
                     (the first GPU; needs nvcc, found as $MPC_NVCC,
                     $CUDA_HOME/bin/nvcc, /usr/local/cuda/bin/nvcc or on
                     PATH; compiled steps are cached in $MPC_CACHE_DIR,
                     else $XDG_CACHE_HOME/mpc, else ~/.cache/mpc)
  --cuda-sync        with --device cuda: debug mode (also MPC_CUDA_SYNC=1);
                     every step runs op by op without a CUDA graph, each op
                     synchronised and checked, so the first failure names
                     the op, its node and its place in the graph file
  --artifact DIR     compile MODEL for CUDA into DIR (step.cu and
                     manifest.json) and exit without training; needs no GPU;
                     DIR is replaced whole, so it must be new, empty or an
                     artifact
  --arch sm_NN       with --artifact: also build the step library for that
                     GPU (DIR/step.sm_NN.so, with nvcc), which --device cuda
                     then loads without compiling
  --seed S           seed of initialization, batch order and dropout masks
                     (default: the graph's training.seed, else 0; a resumed
                     run: the checkpoint's)
  --log-every K      print the mean loss every K steps (default 50)
  --eval-every K     evaluate on the validation split every K steps
                     (default: only at the end)
  --save CKPT        write parameters and optimizer state at the end
                     (safetensors, written atomically; the path is checked
                     before anything else)
  --resume CKPT      continue a run from a checkpoint, bit for bit (same
                     seed, batch and --dtype)
  --metrics FILE     write every log point and evaluation to FILE as JSON
                     Lines (loss, validation, loss scale, throughput; see
                     docs/training.md); a resumed run continues the file

Mixed precision (when compiling a graph):
  --dtype T          f32 (default), f16 or bf16: run allowed ops in T with
                     f32 master weights (mpc-autocast)
  --policy FILE      a JSON file moving ops between autocast categories
                     (with --dtype f16 or bf16)
  --loss-scaling M   none, static or dynamic (default: dynamic for f16,
                     none otherwise)
  --init-scale S     the first loss scale (default 65536; with loss
                     scaling)
  --precision-report table|json
                     print every op's precision and the casts before training
  --grad-norm        store the gradients' global norm each step, for
                     --metrics (a step that clips stores it anyway); costs
                     one pass over the gradients

Numerics:
  --check-numerics   measure the outputs of every f16/bf16 op at each step
                     (inf/NaN, those produced from finite inputs, values
                     flushed to zero or subnormals, max |x|) and print one
                     line per op that points at a precision problem
  --check-numerics-all
                     the same for every float op, f32 ones too
  --numerics-report FILE
                     also write the whole report as JSON to FILE
  --repair-precision measure every float op at each step and, when a 16-bit
                     op overflows (inf/NaN from finite inputs) or flushes
                     over 1% of its values to zero, move its graph nodes to
                     f32, compile the step again and run that step again
                     with the state carried over; stop when the model
                     overflows in f32 itself (docs/mixed-precision.md);
                     CPU device only
  --repair-policy-out FILE
                     with --repair-precision: write the policy file with the
                     moved nodes and their evidence to FILE (give it to
                     --policy to keep the repair; default: a temporary file)

Learning-rate schedule (when compiling a graph; default: the graph's
training settings, else constant):
  --lr-schedule K    constant, cosine, linear or step: what the rate does
                     after the warmup
  --warmup-steps N   steps of linear warmup to the peak rate
  --decay-steps N    cosine, linear: the step the decay reaches its floor at,
                     warmup included (default: the graph's training.steps)
  --min-lr-ratio R   cosine, linear: the floor, a fraction of the peak
                     (default 0)
  --lr-step-size N   step: steps between two decays
  --lr-gamma G       step: the factor of each decay

Optimizer (when compiling a graph; default: the graph's training settings,
else AdamW with learning rate 1e-3):
  --optimizer O      sgd, momentum or adamw
  --learning-rate LR the peak step size
  --weight-decay W   weight decay (decoupled for AdamW)
  --loss NAME        an ONNX model's graph output that is the loss (default:
                     its only scalar float output)
  --training FILE    a JSON file holding a graph's "training" object alone
                     (optimizer, learning rate, schedule, batch size, steps,
                     ...), for a model with no place for them (ONNX); its
                     keys replace the graph's own, and the flags above
                     override it (docs/training.md)

Forward (CPU device; docs/mpc-run.md):
  --forward          evaluate @forward once on the given inputs instead of
                     training, with --resume CKPT on the trained weights
  --input NAME=FILE  a .npy array for the input NAME; repeat for each input
  --output-dir DIR   write every output as DIR/NAME.npy (DIR is created, or
                     replaced whole when it holds only .npy files)
  --gradients-out DIR
                     also write the gradient of the loss with respect to
                     every trainable param, on the same inputs and weights,
                     as DIR/PARAM.npy (as --output-dir: created, or replaced
                     whole)
)";

/// The flags that take a value; --data may repeat.
const char *const kValueFlags[] = {"steps",
                                   "batch",
                                   "accumulate",
                                   "device",
                                   "seed",
                                   "log-every",
                                   "eval-every",
                                   "save",
                                   "resume",
                                   "data",
                                   "dtype",
                                   "policy",
                                   "loss-scaling",
                                   "init-scale",
                                   "precision-report",
                                   "artifact",
                                   "arch",
                                   "metrics",
                                   "numerics-report",
                                   "lr-schedule",
                                   "warmup-steps",
                                   "decay-steps",
                                   "min-lr-ratio",
                                   "lr-step-size",
                                   "lr-gamma",
                                   "repair-policy-out",
                                   "optimizer",
                                   "learning-rate",
                                   "weight-decay",
                                   "loss",
                                   "training",
                                   "input",
                                   "output-dir",
                                   "gradients-out"};
/// The flags without a value.
const char *const kSwitchFlags[] = {"cuda-sync",        "grad-norm",
                                    "check-numerics",   "check-numerics-all",
                                    "repair-precision", "forward"};
/// The flags whose value names a file or directory, which cannot be empty.
const char *const kPathFlags[] = {
    "data",     "save",       "resume",          "policy",
    "artifact", "metrics",    "numerics-report", "repair-policy-out",
    "input",    "output-dir", "gradients-out",   "training"};

} // namespace

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "mpc-run: %s\n", oneLine(message).c_str());
  std::exit(1);
}

Flags parseFlags(int argc, char **argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (arg.rfind("--", 0) != 0) {
      if (!flags.model.empty())
        fail("unexpected argument '" + arg + "' (the model is '" + flags.model +
             "')");
      flags.model = arg;
      continue;
    }
    std::string name = arg.substr(2), value;
    bool hasValue = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      hasValue = true;
    }
    if (std::find(std::begin(kSwitchFlags), std::end(kSwitchFlags), name) !=
        std::end(kSwitchFlags)) {
      if (hasValue)
        fail("--" + name + " takes no value");
      if (!flags.switches.insert(name).second)
        fail("--" + name + " given twice");
      continue;
    }
    if (std::find(std::begin(kValueFlags), std::end(kValueFlags), name) ==
        std::end(kValueFlags))
      fail("unknown flag '--" + name + "' (see mpc-run --help)");
    if (!hasValue) {
      // A value that starts with "--" is taken as the next flag; such a
      // value can still be given as --flag=--value.
      if (i + 1 >= argc || std::string(argv[i + 1]).rfind("--", 0) == 0)
        fail("--" + name + " needs a value");
      value = argv[++i];
    }
    if (value.empty() && std::find(std::begin(kPathFlags), std::end(kPathFlags),
                                   name) != std::end(kPathFlags))
      fail("--" + name + " needs a path, got ''");
    if (name == "data")
      flags.data.push_back(value);
    else if (name == "input")
      flags.inputs.push_back(value);
    else if (!flags.values.emplace(name, value).second)
      fail("--" + name + " given twice");
  }
  if (flags.model.empty())
    fail("no model given (see mpc-run --help)");
  if (flags.data.empty() && !flags.values.count("artifact") &&
      !flags.switches.count("forward"))
    fail("no --data given");
  return flags;
}

int64_t integerFlag(const Flags &flags, const std::string &name,
                    int64_t fallback, int64_t minimum) {
  auto it = flags.values.find(name);
  if (it == flags.values.end())
    return fallback;
  char *end = nullptr;
  errno = 0;
  long long value = std::strtoll(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end || errno || value < minimum)
    fail("--" + name + " must be an integer >= " + std::to_string(minimum) +
         ", got '" + it->second + "'");
  return value;
}

std::string stringFlag(const Flags &flags, const std::string &name,
                       std::initializer_list<const char *> allowed) {
  auto it = flags.values.find(name);
  if (it == flags.values.end())
    return "";
  std::string expected;
  for (const char *value : allowed) {
    if (it->second == value)
      return it->second;
    expected += expected.empty() ? value : std::string(", ") + value;
  }
  fail("--" + name + " must be one of " + expected + ", got '" + it->second +
       "'");
}

double numberFlag(const Flags &flags, const std::string &name) {
  const std::string &text = flags.values.at(name);
  char *end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end || errno || !std::isfinite(value))
    fail("--" + name + " must be a finite number, got '" + text + "'");
  return value;
}

double positiveFlag(const Flags &flags, const std::string &name) {
  const std::string &text = flags.values.at(name);
  char *end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end || errno || !(value > 0) || std::isinf(value))
    fail("--" + name + " must be a positive number, got '" + text + "'");
  return value;
}

} // namespace mpc::run
