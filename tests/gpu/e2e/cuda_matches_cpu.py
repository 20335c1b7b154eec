#!/usr/bin/env python3
"""The CUDA backend trains like the CPU reference executor: for the digits
MLP and the GPT example in f32, bf16 and f16, the first 20 training losses of
`mpc-run --device cuda` agree with `--device cpu`, and the MLP reaches the
same validation accuracy after 1000 steps. The same holds for an MLP with
dropout (rate 0.5) at seed 5, which only a GPU drawing the CPU's masks for
the run's seed, the op's seed and the step can match. And for an MLP whose
cross-entropy ignores the rows of class 3 (ignore_index 3), whose mean and
gradient the GPU divides by the kept rows it counts itself.

Exits 77 (ctest's skip code) when the machine has no CUDA device.

Tolerances: tests/e2e/cuda_parity.py.
"""

import os
import subprocess
import sys

import mpc_e2e
from cuda_parity import (ACCURACY_STEPS, MAX_ACCURACY_GAP, RELATIVE_TOLERANCE,
                         STEPS, LossComparison, accuracy_gap_ok)

SKIP = 77


def train(paths, model, data, device, dtype, steps, log_every, seed=0):
    argv = [paths.mpc_run, model, "--data", data, "--steps", str(steps),
            "--seed", str(seed), "--log-every", str(log_every), "--device",
            device, "--dtype", dtype]
    return mpc_e2e.run(argv).stdout


def skip_without_device(paths):
    argv = [paths.mpc_run, paths.mlp, "--data", paths.digits, "--steps", "1",
            "--device", "cuda"]
    result = subprocess.run(argv, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if result.returncode != 0 and "no CUDA device" in result.stderr:
        print(f"skipped: {result.stderr.strip()}")
        sys.exit(SKIP)


def compare_losses(paths, name, model, data, seed=0):
    for dtype in RELATIVE_TOLERANCE:
        cpu = mpc_e2e.step_losses(train(paths, model, data, "cpu", dtype,
                                        STEPS, 1, seed))
        cuda = mpc_e2e.step_losses(train(paths, model, data, "cuda", dtype,
                                         STEPS, 1, seed))
        comparison = LossComparison(cpu, cuda, dtype)
        mpc_e2e.check(comparison.ok,
                      f"{name} {dtype}: " + "; ".join(comparison.problems))
        print(f"{name:>4} {dtype:>4}: {STEPS} losses agree, worst relative "
              f"difference {comparison.worst:.2e} (allowed "
              f"{comparison.tolerance:.2e})")


def final_accuracy(paths, device):
    log = train(paths, paths.mlp, paths.digits, device, "f32", ACCURACY_STEPS,
                ACCURACY_STEPS)
    evals = mpc_e2e.evaluations(log)
    mpc_e2e.check(evals and evals[-1].accuracy is not None,
                  f"{device}: no eval line with accuracy:\n{log}")
    return evals[-1].accuracy


def main():
    paths = mpc_e2e.parse_arguments(__doc__)
    skip_without_device(paths)
    compare_losses(paths, "mlp", paths.mlp, paths.digits)
    compare_losses(paths, "gpt", paths.gpt, paths.fortunes)
    dropout = os.path.join(paths.source_dir, "tests", "lit", "mpc-run",
                           "Inputs", "mlp_dropout.json")
    compare_losses(paths, "mlp_dropout", dropout, paths.digits, seed=5)
    ignore_class = os.path.join(paths.source_dir, "tests", "lit", "mpc-run",
                                "Inputs", "mlp_ignore_class.json")
    compare_losses(paths, "mlp_ignore_class", ignore_class, paths.digits)
    cpu, cuda = final_accuracy(paths, "cpu"), final_accuracy(paths, "cuda")
    print(f"digits MLP after {ACCURACY_STEPS} steps: val_accuracy cpu "
          f"{cpu:.2f}%, cuda {cuda:.2f}%")
    mpc_e2e.check(accuracy_gap_ok(cpu, cuda),
                  f"cuda accuracy {cuda:.2f}% is more than "
                  f"{MAX_ACCURACY_GAP} points from cpu's {cpu:.2f}%")


if __name__ == "__main__":
    main()
