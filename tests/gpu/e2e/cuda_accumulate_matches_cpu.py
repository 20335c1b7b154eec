#!/usr/bin/env python3
"""Gradient accumulation on the GPU trains like the CPU reference executor:
the digits MLP with `--batch 8 --accumulate 4` in f32, bf16 and f16 logs
the same first 20 optimizer-step losses on `--device cuda` as on
`--device cpu` (the step is one captured CUDA graph replayed per
micro-batch), and its f16 run skips the same steps.

Exits 77 (ctest's skip code) when the machine has no CUDA device.

Tolerances: tests/e2e/cuda_parity.py (the micro-batches change the order of
the f32 sums alike on both devices, so the same bounds hold).
"""

import re

import mpc_e2e
from cuda_matches_cpu import skip_without_device
from cuda_parity import RELATIVE_TOLERANCE, STEPS, LossComparison

FLAGS = ["--batch", "8", "--accumulate", "4"]
SKIPPED = re.compile(r"loss scaling: (\d+) of \d+ steps skipped")


def train(paths, device, dtype):
    argv = [paths.mpc_run, paths.mlp, "--data", paths.digits, "--steps",
            str(STEPS), "--seed", "0", "--log-every", "1", "--device", device,
            "--dtype", dtype] + FLAGS
    return mpc_e2e.run(argv).stdout


def main():
    paths = mpc_e2e.parse_arguments(__doc__)
    skip_without_device(paths)
    for dtype in RELATIVE_TOLERANCE:
        cpu_log, cuda_log = train(paths, "cpu", dtype), train(paths, "cuda",
                                                               dtype)
        comparison = LossComparison(mpc_e2e.step_losses(cpu_log),
                                    mpc_e2e.step_losses(cuda_log), dtype)
        mpc_e2e.check(comparison.ok,
                      f"mlp {dtype} accumulate 4: " +
                      "; ".join(comparison.problems))
        mpc_e2e.check(SKIPPED.findall(cpu_log) == SKIPPED.findall(cuda_log),
                      f"{dtype}: skipped steps differ:\n{cpu_log}\n{cuda_log}")
        print(f"mlp {dtype:>4} accumulate 4: {STEPS} losses agree, worst "
              f"relative difference {comparison.worst:.2e} (allowed "
              f"{comparison.tolerance:.2e})")


if __name__ == "__main__":
    main()
