#!/usr/bin/env python3
"""The CUDA backend trains like the CPU reference executor: for the digits
MLP and the GPT example in f32, bf16 and f16, the first 20 training losses of
`mpc-run --device cuda` agree with `--device cpu`, and the MLP reaches the
same validation accuracy after 1000 steps.

Exits 77 (ctest's skip code) when the machine has no CUDA device.

Tolerances: the GPU differs from the reference only in the order of f32
accumulation and in GEMM epilogues rounding once instead of twice, so a loss
may move by a few units of roundoff u of the step's compute type (f32 2^-24,
bf16 2^-8, f16 2^-11) per step. The losses are compared relative to their
size with 4u for 16-bit steps and 1e-4 for f32 (20 steps of AdamW amplify
f32 reordering well above u), never below the printed resolution 5e-5.
"""

import subprocess
import sys

import mpc_e2e

STEPS = 20
ACCURACY_STEPS = 1000
MAX_ACCURACY_GAP = 0.5  # percentage points
RELATIVE_TOLERANCE = {"f32": 1e-4, "bf16": 4 * 2.0**-8, "f16": 4 * 2.0**-11}
PRINT_RESOLUTION = 5e-5
SKIP = 77


def train(paths, model, data, device, dtype, steps, log_every):
    argv = [paths.mpc_run, model, "--data", data, "--steps", str(steps),
            "--seed", "0", "--log-every", str(log_every), "--device", device,
            "--dtype", dtype]
    return mpc_e2e.run(argv).stdout


def skip_without_device(paths):
    argv = [paths.mpc_run, paths.mlp, "--data", paths.digits, "--steps", "1",
            "--device", "cuda"]
    result = subprocess.run(argv, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if result.returncode != 0 and "no CUDA device" in result.stderr:
        print(f"skipped: {result.stderr.strip()}")
        sys.exit(SKIP)


def compare_losses(paths, name, model, data):
    for dtype, tolerance in RELATIVE_TOLERANCE.items():
        cpu = mpc_e2e.step_losses(train(paths, model, data, "cpu", dtype,
                                        STEPS, 1))
        cuda = mpc_e2e.step_losses(train(paths, model, data, "cuda", dtype,
                                         STEPS, 1))
        mpc_e2e.check(len(cpu) == STEPS and len(cuda) == STEPS,
                      f"{name} {dtype}: expected {STEPS} loss lines, got "
                      f"{len(cpu)} (cpu) and {len(cuda)} (cuda)")
        worst = 0.0
        for step in range(1, STEPS + 1):
            want, got = float(cpu[step]), float(cuda[step])
            allowed = max(tolerance * abs(want), PRINT_RESOLUTION)
            mpc_e2e.check(abs(got - want) <= allowed,
                          f"{name} {dtype} step {step}: cuda loss {got} vs "
                          f"cpu {want} (allowed {allowed:.2e})")
            worst = max(worst, abs(got - want) / max(abs(want), 1e-30))
        print(f"{name:>4} {dtype:>4}: {STEPS} losses agree, worst relative "
              f"difference {worst:.2e} (allowed {tolerance:.2e})")


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
    cpu, cuda = final_accuracy(paths, "cpu"), final_accuracy(paths, "cuda")
    print(f"digits MLP after {ACCURACY_STEPS} steps: val_accuracy cpu "
          f"{cpu:.2f}%, cuda {cuda:.2f}%")
    mpc_e2e.check(abs(cpu - cuda) <= MAX_ACCURACY_GAP,
                  f"cuda accuracy {cuda:.2f}% is more than "
                  f"{MAX_ACCURACY_GAP} points from cpu's {cpu:.2f}%")


if __name__ == "__main__":
    main()
