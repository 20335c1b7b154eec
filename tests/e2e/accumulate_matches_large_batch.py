#!/usr/bin/env python3
"""Gradient accumulation trains as the large batch does. On the CPU
reference executor in f32, the digits MLP trained K optimizer steps with
`--batch 8 --accumulate 4` must end with the parameters and optimizer state
of K steps with `--batch 32`, and log the same losses, to rounding: both
runs see the same 32 rows per step (the loop feeds the batch that
(seed, step) defines in four slices of 8) and differ only in the order of
their f32 sums.

Tolerance: each f32 addition rounds by at most 2^-24 (6e-8) relative. A
weight gradient sums 32 rows, in one accumulation or as four sums of 8 and
a sum of those; either order is within 32 * 6e-8 = 2e-6 of the exact sum,
relative to the sum of the terms' magnitudes. AdamW divides the first
moment by the square root of the second, which cancels most of a relative
error in the gradient, and K = 5 steps add at most five such errors, each
scaled by the learning rate 1e-3, to parameters of order 0.1 to 1. 1e-5
relative (to the larger of |value| and 1e-2, the smallest magnitude that
still carries the updates' information; a gradient sum that cancels to
nearly 0 has only an absolute error) bounds that with a margin of 5. The
comparison can fail: a run on half the rows per step (--accumulate 2) must
differ from the large batch by far more. (AdamW hardly sees a gradient's
scale, so a missing division by N is caught by the unit test
AccumulateGradientsTest, which trains with SGD and momentum too.) The
losses are compared as the metrics file records them, at full precision,
with the same relative tolerance.
"""

import json
import os
import struct
import tempfile

import mpc_e2e

STEPS = 5
MICRO = 8
COUNT = 4
TOLERANCE = 1e-5
FLOOR = 1e-2


def read_safetensors(path):
    """{name: [float]} of an f32 safetensors file."""
    data = mpc_e2e.read_bytes(path)
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    body = data[8 + size:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        mpc_e2e.check(entry["dtype"] == "F32", f"{path}: {name} is not F32")
        begin, end = entry["data_offsets"]
        tensors[name] = list(struct.unpack(f"<{(end - begin) // 4}f",
                                           body[begin:end]))
    return tensors, header.get("__metadata__", {})


def metrics_losses(path):
    losses = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if "loss" in record and "step" in record:
                losses[record["step"]] = record["loss"]
    return losses


def train(paths, directory, name, flags):
    checkpoint = os.path.join(directory, f"{name}.ckpt")
    metrics = os.path.join(directory, f"{name}.jsonl")
    argv = [paths.mpc_run, paths.mlp, "--data", paths.digits,
            "--steps", str(STEPS), "--seed", "0", "--log-every", "1",
            "--device", "cpu", "--save", checkpoint, "--metrics", metrics]
    log = mpc_e2e.run(argv + flags).stdout
    tensors, metadata = read_safetensors(checkpoint)
    return log, tensors, metadata, metrics_losses(metrics)


def worst_difference(expected, actual):
    """The largest |a - e| / max(|e|, FLOOR) over the tensors of `expected`."""
    worst = 0.0
    for name, values in expected.items():
        mpc_e2e.check(name in actual, f"tensor {name} missing")
        for e, a in zip(values, actual[name]):
            worst = max(worst, abs(a - e) / max(abs(e), FLOOR))
    return worst


def main():
    paths = mpc_e2e.parse_arguments(__doc__)
    with tempfile.TemporaryDirectory() as directory:
        _, large, _, large_losses = train(
            paths, directory, "large", ["--batch", str(MICRO * COUNT)])
        log, micro, metadata, micro_losses = train(
            paths, directory, "micro",
            ["--batch", str(MICRO), "--accumulate", str(COUNT)])
        mpc_e2e.check(f"batch {MICRO * COUNT} ({COUNT} micro-batches of "
                      f"{MICRO})" in log, f"no batch line in:\n{log}")
        mpc_e2e.check(metadata.get("accumulate") == str(COUNT),
                      f"checkpoint metadata {metadata}")
        mpc_e2e.check(micro["accumulate.phase"] == [0.0],
                      "the phase of a saved run is not 0")
        mpc_e2e.check(micro["step"] == [float(STEPS)],
                      f"step count {micro['step']}, expected {STEPS}")
        worst = worst_difference(large, micro)
        mpc_e2e.check(worst <= TOLERANCE,
                      f"parameters differ by {worst:.2e} relative "
                      f"(allowed {TOLERANCE:.0e})")
        mpc_e2e.check(sorted(large_losses) == list(range(1, STEPS + 1)) and
                      sorted(micro_losses) == sorted(large_losses),
                      f"steps logged: {sorted(large_losses)} and "
                      f"{sorted(micro_losses)}")
        for step, loss in large_losses.items():
            mpc_e2e.check(abs(micro_losses[step] - loss) <= TOLERANCE * abs(loss),
                          f"step {step}: loss {micro_losses[step]} with "
                          f"accumulation, {loss} without")

        # The comparison can fail: half the rows per step is another run.
        _, half, _, _ = train(paths, directory, "half",
                              ["--batch", str(MICRO), "--accumulate",
                               str(COUNT // 2)])
        other = worst_difference(large, half)
        mpc_e2e.check(other > 10 * TOLERANCE,
                      f"a run on half the rows differs by only {other:.2e}")
        print(f"{STEPS} steps of {COUNT} x {MICRO}: parameters within "
              f"{worst:.2e} of batch {MICRO * COUNT} (allowed {TOLERANCE:.0e}); "
              f"half the rows: {other:.2e}")


if __name__ == "__main__":
    main()
