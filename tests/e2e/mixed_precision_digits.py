#!/usr/bin/env python3
"""examples/mlp.json trained on the digits in bf16 and in f16 (with the
default dynamic loss scaling) lands within 1 percentage point of the same
run in f32: same seed, same batches, 1000 steps."""

import re
import time

import mpc_e2e

STEPS = 1000
MAX_GAP = 1.0  # percentage points
MIN_ACCURACY = 95.0  # percent
SUMMARY = re.compile(r"^loss scaling: (\d+) of (\d+) steps skipped",
                     re.MULTILINE)


def train(paths, dtype):
    argv = [paths.mpc_run, paths.mlp, "--data", paths.digits,
            "--steps", str(STEPS), "--seed", "0", "--log-every", "100",
            "--dtype", dtype]
    start = time.monotonic()
    log = mpc_e2e.run(argv).stdout
    seconds = time.monotonic() - start
    evals = mpc_e2e.evaluations(log)
    mpc_e2e.check(evals and evals[-1].step == STEPS
                  and evals[-1].accuracy is not None,
                  f"{dtype}: no eval line with accuracy at step {STEPS}:\n{log}")
    print(f"{dtype:>4}: val_accuracy {evals[-1].accuracy:.2f}%  "
          f"val_loss {evals[-1].loss:.4f}  ({seconds:.1f} s)")
    return evals[-1], log


def main():
    paths = mpc_e2e.parse_arguments(__doc__)
    reference, _ = train(paths, "f32")
    for dtype in ("bf16", "f16"):
        result, log = train(paths, dtype)
        gap = abs(result.accuracy - reference.accuracy)
        mpc_e2e.check(gap <= MAX_GAP,
                      f"{dtype}: val_accuracy {result.accuracy:.2f}% is "
                      f"{gap:.2f} points from f32's {reference.accuracy:.2f}%")
        mpc_e2e.check(result.accuracy >= MIN_ACCURACY,
                      f"{dtype}: val_accuracy {result.accuracy:.2f}% is below "
                      f"{MIN_ACCURACY:.0f}%")
        summary = SUMMARY.search(log)
        if dtype == "f16":
            mpc_e2e.check(summary is not None,
                          f"f16 trained without loss scaling:\n{log}")
            skipped, steps = int(summary.group(1)), int(summary.group(2))
            mpc_e2e.check(skipped < steps // 100,
                          f"f16 skipped {skipped} of {steps} steps")
            print(f"f16: {skipped} of {steps} steps skipped by loss scaling")
        else:
            mpc_e2e.check(summary is None,
                          f"bf16 used loss scaling, which it does not need:\n"
                          f"{log}")
    print("PASS")


if __name__ == "__main__":
    main()
