#!/usr/bin/env python3
"""examples/gpt.json learns more than byte frequencies: after 600 steps on
fortunes.txt its validation loss is well below the corpus's unigram entropy
(by at least 0.7 nats), which is the best a model blind to context can do."""

import collections
import math
import time

import mpc_e2e

STEPS = 600
EVAL_EVERY = 200
MARGIN = 0.7  # nats below the unigram entropy


def unigram_entropy(path):
    """The entropy in nats of the byte distribution of the file at `path`."""
    data = mpc_e2e.read_bytes(path)
    counts = collections.Counter(data)
    total = len(data)
    return -sum(n / total * math.log(n / total) for n in counts.values())


def main():
    paths = mpc_e2e.parse_arguments(__doc__)
    entropy = unigram_entropy(paths.fortunes)
    print(f"unigram entropy of {paths.fortunes}: {entropy:.4f} nats")

    argv = [paths.mpc_run, paths.gpt, "--data", paths.fortunes,
            "--steps", str(STEPS), "--eval-every", str(EVAL_EVERY),
            "--seed", "0", "--log-every", "100", "--device", "cpu"]
    start = time.monotonic()
    log = mpc_e2e.run(argv).stdout
    seconds = time.monotonic() - start
    print(log, end="")

    evals = mpc_e2e.evaluations(log)
    steps = [e.step for e in evals]
    expected = list(range(EVAL_EVERY, STEPS + 1, EVAL_EVERY))
    mpc_e2e.check(steps == expected,
                  f"expected eval lines at steps {expected}, got {steps}")
    final = evals[-1].loss
    bound = entropy - MARGIN
    print(f"wall time: {seconds:.1f} s for {STEPS} steps "
          f"({seconds / STEPS * 1000:.0f} ms per step, evaluations included)")
    print(f"final val_loss {final:.4f} nats; required <= {bound:.4f} "
          f"(entropy {entropy:.4f} - {MARGIN}); "
          f"{entropy - final:.4f} nats below the entropy")
    mpc_e2e.check(final <= bound,
                  f"val_loss {final:.4f} after {STEPS} steps is not {MARGIN} "
                  f"nats below the unigram entropy {entropy:.4f}")
    print("PASS")


if __name__ == "__main__":
    main()
