#!/usr/bin/env python3
"""mpc-run --metrics writes the run as JSON Lines (docs/training.md).

- Every record has every field of the format, of its documented type; the
  steps rise strictly; log points and evaluations are where the flags put
  them, an evaluation at a log point shares its record, and the train
  losses are the ones the log prints.
- A run resumed from a checkpoint continues the same file: the steps after
  the checkpoint that an earlier, longer run wrote (and a last line cut
  short) are dropped and written again, so no step appears twice, and the
  losses equal those of the uninterrupted run.
- An f16 run whose first loss scale overflows records the scale backing off
  and the skipped steps; an f32 run records no scale.
- With --grad-norm every log point records the gradients' global norm, and
  the run trains exactly as without it; without, there is none.
- The GPT's records count tokens; a file of another graph is refused."""

import json
import os
import tempfile

import mpc_e2e

START_FIELDS = {
    "event": str, "format": str, "version": int, "step": int,
    "wall_time": float, "graph": str, "device": str, "dtype": (str, None),
    "batch": int, "seed": int, "steps": int, "items": str,
    "learning_rate": (float, None),
}
STEP_FIELDS = {
    "event": str, "step": int, "wall_time": float, "elapsed": float,
    "loss": (float, None), "val_loss": (float, None),
    "val_accuracy": (float, None), "learning_rate": (float, None),
    "loss_scale": (float, None), "skipped_steps": (int, None),
    "grad_norm": (float, None), "items_per_second": (float, None),
    "device": str,
}


def is_type(value, expected):
    """JSON's types as Python reads them: an int is no float here, so a
    step written as 20.0 fails, while a float field may hold an integer
    (65536 is a valid loss scale)."""
    options = expected if isinstance(expected, tuple) else (expected,)
    for option in options:
        if option is None and value is None:
            return True
        if option is float and isinstance(value, (int, float)) \
                and not isinstance(value, bool):
            return True
        if option in (int, str) and type(value) is option:
            return True
    return False


def read_records(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    mpc_e2e.check(text.endswith("\n"), f"{path} does not end with a newline")
    return [json.loads(line) for line in text.splitlines()]


def check_fields(label, records):
    for number, record in enumerate(records, 1):
        fields = START_FIELDS if record.get("event") == "start" else STEP_FIELDS
        mpc_e2e.check(set(record) == set(fields),
                      f"{label}: record {number} has fields {sorted(record)}, "
                      f"expected {sorted(fields)}")
        for key, expected in fields.items():
            mpc_e2e.check(is_type(record[key], expected),
                          f"{label}: record {number}: {key} = {record[key]!r} "
                          f"is not of type {expected}")
    start = records[0]
    mpc_e2e.check(start["event"] == "start" and start["format"] == "mpc-metrics"
                  and start["version"] == 1,
                  f"{label}: the first record is not a version 1 start "
                  f"record: {start}")


def step_records(records):
    return [r for r in records if r["event"] == "step"]


def train(paths, model, data, steps, metrics, extra=()):
    argv = [paths.mpc_run, model, "--data", data, "--steps", str(steps),
            "--seed", "0", "--device", "cpu", "--metrics", metrics]
    return mpc_e2e.run(argv + list(extra)).stdout


def check_fresh_run(paths, directory):
    """Fields, types, placement and values of one MLP run."""
    metrics = os.path.join(directory, "fresh.jsonl")
    # A file left by an earlier run is replaced by a new run.
    with open(metrics, "w") as f:
        f.write('{"event": "step", "step": 999}\n')
    log = train(paths, paths.mlp, paths.digits, 60, metrics,
                ["--log-every", "10", "--eval-every", "25"])
    records = read_records(metrics)
    check_fields("mlp f32", records)
    mpc_e2e.check([r["event"] for r in records].count("start") == 1,
                  f"mlp f32: a new run kept the old file's records: {records}")
    start = records[0]
    mpc_e2e.check((start["graph"], start["device"], start["dtype"],
                   start["batch"], start["steps"], start["items"],
                   start["learning_rate"], start["step"])
                  == ("mlp", "cpu", "f32", 32, 60, "samples", 0.001, 0),
                  f"mlp f32: start record {start}")
    steps = step_records(records)
    mpc_e2e.check([r["step"] for r in steps] == [10, 20, 25, 30, 40, 50, 60],
                  f"mlp f32: records at steps {[r['step'] for r in steps]}, "
                  f"expected the log points and the evaluations at 25 and 50")
    times = [r["elapsed"] for r in steps]
    mpc_e2e.check(times == sorted(times) and times[0] >= 0,
                  f"mlp f32: elapsed times do not rise: {times}")
    logged = mpc_e2e.step_losses(log)
    evals = {e.step: e for e in mpc_e2e.evaluations(log)}
    for record in steps:
        step = record["step"]
        if step in logged:
            mpc_e2e.check(f"{record['loss']:.4f}" == logged[step]
                          and record["items_per_second"] > 0,
                          f"mlp f32: step {step}: record {record} against "
                          f"the logged loss {logged[step]}")
        else:
            mpc_e2e.check(record["loss"] is None
                          and record["items_per_second"] is None,
                          f"mlp f32: step {step} is no log point, yet its "
                          f"record has a train loss: {record}")
        if step in evals:
            mpc_e2e.check(
                f"{record['val_loss']:.4f}" == f"{evals[step].loss:.4f}"
                and abs(100 * record["val_accuracy"] - evals[step].accuracy)
                < 0.006,
                f"mlp f32: step {step}: record {record} against the eval "
                f"line {evals[step].line}")
        else:
            mpc_e2e.check(record["val_loss"] is None,
                          f"mlp f32: step {step} was not evaluated, yet its "
                          f"record has a validation loss: {record}")
        mpc_e2e.check(record["loss_scale"] is None
                      and record["skipped_steps"] is None
                      and record["grad_norm"] is None
                      and record["learning_rate"] == 0.001,
                      f"mlp f32: step {step}: {record}")
    print(f"fresh run: {len(steps)} step records, fields and values as logged")
    return records


def check_resume(paths, directory, uninterrupted):
    """Resuming at step 30 a file that a run to step 60 wrote, with a cut
    last line, gives the uninterrupted run's steps once each."""
    metrics = os.path.join(directory, "resumed.jsonl")
    checkpoint = os.path.join(directory, "half.ckpt")
    flags = ["--log-every", "10", "--eval-every", "25"]
    train(paths, paths.mlp, paths.digits, 30, metrics,
          flags + ["--save", checkpoint])
    train(paths, paths.mlp, paths.digits, 60, metrics,
          flags + ["--resume", checkpoint])
    with open(metrics, "a") as f:
        f.write('{"event": "step", "step": 7')  # a run killed mid-write
    train(paths, paths.mlp, paths.digits, 60, metrics,
          flags + ["--resume", checkpoint])
    records = read_records(metrics)
    check_fields("resumed", records)
    starts = [r["step"] for r in records if r["event"] == "start"]
    mpc_e2e.check(starts == [0, 30],
                  f"resumed: start records at steps {starts}, expected 0 and "
                  f"30 (the first resumed run's start is replaced)")
    steps = [r["step"] for r in step_records(records)]
    expected = [r["step"] for r in step_records(uninterrupted)]
    mpc_e2e.check(steps == expected,
                  f"resumed: steps {steps}, expected {expected} (each once)")
    for resumed, whole in zip(step_records(records),
                              step_records(uninterrupted)):
        # The run that saved at step 30 evaluated there at its end, which
        # the uninterrupted run did not: validation is compared where the
        # uninterrupted run has it.
        for key in ("loss", "val_loss", "val_accuracy"):
            if key != "loss" and whole[key] is None:
                continue
            mpc_e2e.check(resumed[key] == whole[key],
                          f"resumed: step {resumed['step']}: {key} "
                          f"{resumed[key]} != {whole[key]} of the "
                          f"uninterrupted run")
    times = [r["elapsed"] for r in step_records(records)]
    mpc_e2e.check(times == sorted(times),
                  f"resumed: elapsed does not continue across the resume: "
                  f"{times}")
    print(f"resumed run: steps {steps}, equal to the uninterrupted run")
    return metrics


def check_loss_scale(paths, directory):
    """2^24 overflows the f16 gradients: the scale backs off, steps are
    skipped, and the records show both."""
    metrics = os.path.join(directory, "f16.jsonl")
    train(paths, paths.mlp, paths.digits, 20, metrics,
          ["--log-every", "1", "--dtype", "f16", "--init-scale", "16777216"])
    records = read_records(metrics)
    check_fields("f16", records)
    mpc_e2e.check(records[0]["dtype"] == "f16", f"f16: {records[0]}")
    steps = step_records(records)
    scales = [r["loss_scale"] for r in steps]
    skipped = [r["skipped_steps"] for r in steps]
    mpc_e2e.check(len(set(scales)) > 1 and scales[-1] < 16777216,
                  f"f16: the loss scale never changed: {scales}")
    mpc_e2e.check(skipped == sorted(skipped) and skipped[-1] > 0,
                  f"f16: skipped steps {skipped}")
    for before, after in zip(steps, steps[1:]):
        if after["skipped_steps"] > before["skipped_steps"]:
            mpc_e2e.check(after["loss_scale"] < before["loss_scale"],
                          f"f16: step {after['step']} was skipped but the "
                          f"scale did not back off: {before} {after}")
    print(f"f16 run: scale {scales[0]:g} -> {scales[-1]:g}, "
          f"{skipped[-1]} skipped steps")


def check_grad_norm(paths, directory, uninterrupted):
    """--grad-norm records a positive norm at every log point and changes
    no loss; it needs --metrics."""
    metrics = os.path.join(directory, "norm.jsonl")
    train(paths, paths.mlp, paths.digits, 60, metrics,
          ["--log-every", "10", "--eval-every", "25", "--grad-norm"])
    records = read_records(metrics)
    check_fields("grad norm", records)
    steps = step_records(records)
    norms = [r["grad_norm"] for r in steps if r["loss"] is not None]
    mpc_e2e.check(len(norms) == 6 and all(n > 0 for n in norms),
                  f"grad norm: the log points record norms {norms}")
    mpc_e2e.check(all(r["grad_norm"] is None for r in steps
                      if r["loss"] is None),
                  f"grad norm: an evaluation-only record has a norm: {steps}")
    mpc_e2e.check([r["loss"] for r in steps]
                  == [r["loss"] for r in step_records(uninterrupted)],
                  "grad norm: recording the norm changed the losses")
    alone = mpc_e2e.run([paths.mpc_run, paths.mlp, "--data", paths.digits,
                         "--steps", "1", "--grad-norm"], expect_status=1)
    mpc_e2e.check(alone.stderr == "mpc-run: --grad-norm records the gradient "
                  "norm in the metrics; give --metrics FILE\n",
                  f"--grad-norm without --metrics: {alone.stderr!r}")
    print(f"grad norm: {norms[0]:.3f} -> {norms[-1]:.3f}, losses unchanged")


def check_tokens(paths, directory, mlp_metrics):
    """The GPT counts tokens; resuming it into the MLP's file is refused,
    before any step, and leaves that file as it was."""
    metrics = os.path.join(directory, "gpt.jsonl")
    checkpoint = os.path.join(directory, "gpt.ckpt")
    train(paths, paths.gpt, paths.fortunes, 4, metrics,
          ["--log-every", "2", "--dtype", "bf16", "--save", checkpoint])
    records = read_records(metrics)
    check_fields("gpt", records)
    mpc_e2e.check(records[0]["items"] == "tokens"
                  and records[0]["dtype"] == "bf16",
                  f"gpt: start record {records[0]}")
    mpc_e2e.check([r["step"] for r in step_records(records)] == [2, 4],
                  f"gpt: {records}")
    before = mpc_e2e.read_bytes(mlp_metrics)
    other = mpc_e2e.run([paths.mpc_run, paths.gpt, "--data", paths.fortunes,
                         "--steps", "6", "--dtype", "bf16", "--metrics",
                         mlp_metrics, "--resume", checkpoint], expect_status=1)
    mpc_e2e.check(other.stderr.startswith(f"mpc-run: {mlp_metrics}:1: "
                                          f"metrics of graph \"mlp\"")
                  and len(other.stderr.splitlines()) == 1
                  and "step 6/6" not in other.stdout,
                  f"resuming the GPT into the MLP's metrics: {other.stderr}")
    mpc_e2e.check(mpc_e2e.read_bytes(mlp_metrics) == before,
                  "the refused resume changed the MLP's metrics file")
    print("gpt run: tokens per second, bf16; another graph's file refused")


def main():
    paths = mpc_e2e.parse_arguments(__doc__)
    with tempfile.TemporaryDirectory() as directory:
        uninterrupted = check_fresh_run(paths, directory)
        resumed = check_resume(paths, directory, uninterrupted)
        check_loss_scale(paths, directory)
        check_grad_norm(paths, directory, uninterrupted)
        check_tokens(paths, directory, resumed)
    print("PASS")


if __name__ == "__main__":
    main()
