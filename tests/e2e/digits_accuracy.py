#!/usr/bin/env python3
"""examples/mlp.json learns the digits: after 1000 steps (seed 0) it
classifies at least 95% of the held-out 20% correctly, and its training loss
falls to less than a quarter of where it started."""

import time

import mpc_e2e

STEPS = 1000
MIN_ACCURACY = 95.0  # percent
LOSS_DROP = 4.0


def main():
    paths = mpc_e2e.parse_arguments(__doc__)
    argv = [paths.mpc_run, paths.mlp, "--data", paths.digits,
            "--steps", str(STEPS), "--seed", "0", "--log-every", "50",
            "--device", "cpu"]
    start = time.monotonic()
    log = mpc_e2e.run(argv).stdout
    seconds = time.monotonic() - start

    losses = mpc_e2e.step_losses(log)
    mpc_e2e.check(len(losses) == STEPS // 50,
                  f"expected {STEPS // 50} loss lines, got {len(losses)}:\n{log}")
    first = float(losses[min(losses)])
    last = float(losses[max(losses)])
    evals = mpc_e2e.evaluations(log)
    mpc_e2e.check(evals and evals[-1].step == STEPS,
                  f"no eval line at step {STEPS}:\n{log}")
    final = evals[-1]
    mpc_e2e.check(final.accuracy is not None,
                  f"the eval line has no val_accuracy: {final.line}")

    print(f"digits: {STEPS} steps in {seconds:.1f} s")
    print(f"loss: first logged {first:.4f} (step {min(losses)}), "
          f"last logged {last:.4f} (step {max(losses)})")
    print(f"validation: val_loss {final.loss:.4f}, "
          f"val_accuracy {final.accuracy:.2f}% of {final.samples} samples")

    mpc_e2e.check(last < first / LOSS_DROP,
                  f"the loss fell from {first} to {last}, not below "
                  f"{first / LOSS_DROP:.4f} (a quarter of the first)")
    mpc_e2e.check(final.accuracy >= MIN_ACCURACY,
                  f"val_accuracy {final.accuracy:.2f}% is below "
                  f"{MIN_ACCURACY:.0f}%")
    print("PASS")


if __name__ == "__main__":
    main()
