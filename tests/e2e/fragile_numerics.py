#!/usr/bin/env python3
"""Graphs that break in f16 for known reasons, and --check-numerics naming
the op behind each. Every graph learns the digits in f32; in f16 it does
not, and the numerics report (JSON) blames exactly the op that breaks:

- sum_overflow.json: the sum of raw pixel values (x 1024) over a row, which
  the graph forces to f16, exceeds 65504 and overflows;
- exp_logits.json: exp of unnormalized scores, forced to f16, overflows
  above 11; the step goes NaN and the run stops at a stuck loss scale;
- variance_f16.json: the square of centred activations, forced to f16,
  overflows above 256 before the variance is taken;
- underflow.json without loss scaling: the loss gradient (about 2^-25) is
  flushed to zero when cast to f16 for backward.

The log names the op on one line, and only that op is flagged.

With --repair-precision each reaches f32's validation accuracy within
REACHED points in f16: the op's node (for the underflow, the nodes that
consume the flushed gradient) moves to f32 and training goes on. In bf16,
where the forced f16 nodes break the same way, the repaired run learns.
The table at the end gives every accuracy."""

import json
import os
import tempfile

import mpc_e2e

STEPS = 300
STALLED = 20.0  # percent: 10 classes, chance is about 10%
LEARNED = 80.0  # percent, after 300 steps
REACHED = 1.0  # points below f32's accuracy that a repaired f16 run may be


def train(paths, model, extra, report=None, expect_status=0):
    argv = [paths.mpc_run, model, "--data", paths.digits,
            "--steps", str(STEPS), "--seed", "0", "--log-every", "100"] + extra
    if report:
        argv += ["--check-numerics", "--numerics-report", report]
    result = mpc_e2e.run(argv, expect_status=expect_status)
    evals = mpc_e2e.evaluations(result.stdout)
    accuracy = evals[-1].accuracy if evals else None
    shown = "stopped" if accuracy is None else f"{accuracy:6.2f}%"
    print(f"{os.path.basename(model):<20} {' '.join(extra):<28} {shown}")
    return accuracy, result


def check_repaired(paths, model, node, f32, extra):
    """Trains with --repair-precision: `node` is the first node moved, and
    the run reaches f32's accuracy (f16) or learns (bf16)."""
    name = os.path.basename(model)
    repaired, result = train(paths, model, extra + ["--repair-precision"])
    moves = [line for line in result.stdout.splitlines()
             if line.startswith("repair: moving ")]
    mpc_e2e.check(len(moves) > 0 and
                  moves[0].startswith(f"repair: moving {node} to f32 ("),
                  f"{name} {extra}: the repair did not move {node} first:\n"
                  f"{result.stdout}")
    if "f16" in extra:
        mpc_e2e.check(repaired is not None and repaired >= f32 - REACHED,
                      f"{name} {extra} with repair reached {repaired}%, f32 "
                      f"{f32}%")
    else:
        mpc_e2e.check(repaired is not None and repaired >= LEARNED,
                      f"{name} {extra} with repair reached {repaired}%")
    return repaired


def shown(accuracy):
    return "stopped" if accuracy is None else f"{accuracy:.2f}%"


def flagged(report_path):
    with open(report_path) as f:
        report = json.load(f)
    return [op for op in report["ops"] if op["findings"]]


def check_culprit(report_path, node, finding, backward):
    ops = flagged(report_path)
    names = [f"{op['location']} {op['findings']}" for op in ops]
    mpc_e2e.check(len(ops) == 1,
                  f"{report_path}: expected one flagged op ({node}), got "
                  f"{names}")
    op = ops[0]
    mpc_e2e.check(op["location"].startswith(node + " ("),
                  f"{report_path}: flagged {op['location']}, not {node}")
    mpc_e2e.check(finding in op["findings"],
                  f"{report_path}: {node} flagged for {op['findings']}, not "
                  f"{finding}")
    mpc_e2e.check(op["backward"] == backward,
                  f"{report_path}: {node} backward={op['backward']}")
    if finding == "overflow":
        mpc_e2e.check(op["produced_from_finite"] > 0 and
                      op["first_culprit_steps"] > 0,
                      f"{report_path}: {node} is not the first producer")


def main():
    paths = mpc_e2e.parse_arguments(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        table = []
        for name, node in [("sum_overflow", "ink_total"),
                           ("exp_logits", "gate_exp"),
                           ("variance_f16", "norm_square")]:
            model = os.path.join(paths.examples, name + ".json")
            f32, _ = train(paths, model, ["--dtype", "f32"])
            mpc_e2e.check(f32 is not None and f32 >= LEARNED,
                          f"{name} in f32 reached {f32}%: it does not learn")
            report = os.path.join(tmp, name + ".json")
            # exp_logits goes NaN: the run stops, the report still comes.
            status = 1 if name == "exp_logits" else 0
            f16, result = train(paths, model, ["--dtype", "f16"], report,
                                expect_status=status)
            mpc_e2e.check(f16 is None or f16 <= STALLED,
                          f"{name} in f16 reached {f16}%: nothing broke")
            lines = [line for line in result.stdout.splitlines()
                     if line.startswith("numerics: train_step ")]
            mpc_e2e.check(len(lines) == 1 and f" {node} (" in lines[0],
                          f"{name}: the log does not name {node} alone:\n"
                          f"{result.stdout}")
            check_culprit(report, node, "overflow", backward=False)
            repaired = check_repaired(paths, model, node, f32,
                                      ["--dtype", "f16"])
            bf16 = check_repaired(paths, model, node, f32,
                                  ["--dtype", "bf16"])
            table.append((name, f32, f16, repaired, bf16))

        model = os.path.join(paths.examples, "underflow.json")
        report = os.path.join(tmp, "underflow.json")
        unscaled, _ = train(paths, model,
                            ["--dtype", "f16", "--loss-scaling", "none"],
                            report)
        mpc_e2e.check(unscaled is not None and unscaled <= STALLED,
                      f"underflow.json without loss scaling reached "
                      f"{unscaled}%")
        check_culprit(report, "xent", "underflow", backward=True)
        unscaled_f32, _ = train(paths, model, ["--dtype", "f32"])
        mpc_e2e.check(unscaled_f32 is not None and unscaled_f32 >= LEARNED,
                      f"underflow.json in f32 reached {unscaled_f32}%")
        # The loss gradient reaches fc2's backward first.
        repaired = check_repaired(paths, model, "fc2", unscaled_f32,
                                  ["--dtype", "f16", "--loss-scaling", "none"])
        table.append(("underflow (no loss scaling)", unscaled_f32, unscaled,
                      repaired, None))

    print(f"{'graph':<28} {'f32':>8} {'f16':>8} {'f16+repair':>11} "
          f"{'bf16+repair':>12}")
    for name, f32, f16, repaired, bf16 in table:
        print(f"{name:<28} {shown(f32):>8} {shown(f16):>8} "
              f"{shown(repaired):>11} {'-' if bf16 is None else shown(bf16):>12}")
    print("PASS")


if __name__ == "__main__":
    main()
