#!/usr/bin/env python3
"""The training stage of scripts/gpu-check.sh: on a GPU, the kit's CUDA
artifacts train like the CPU reference executor.

Usage: check_training.py --kit KIT --out DIR [--timeout SECONDS]

For every example artifact of the kit (kit_models.example_artifacts):
  1. one debug-mode step (mpc-run --cuda-sync): every op runs eagerly and is
     synchronised and checked, so a failure is one line naming the op, its
     JSON node and source location;
  2. cuda_parity.STEPS normal steps (the first eager, then the captured
     graph), compared step by step with the CPU reference losses the kit
     holds (cuda_parity.LossComparison);
and the digits MLP's validation accuracy after cuda_parity.ACCURACY_STEPS
steps in each dtype against the reference's. Every mpc-run has its own time
limit, so a hang costs one check. Writes DIR/training.json, prints a line
per check and exits 1 when any check fails.
"""

import argparse
import json
import os
import subprocess
import sys

import cuda_parity
import mpc_e2e
from kit_models import DTYPES, Kit, example_artifacts


class Checks:
    def __init__(self):
        self.results = []

    def add(self, name, ok, detail):
        self.results.append({"name": name, "ok": ok, "detail": detail})
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)

    @property
    def failed(self):
        return [r for r in self.results if not r["ok"]]


def mpc_run(kit, name, model, steps, log_every, timeout, extra=()):
    """(log, error line or None) of training artifact `name`."""
    argv = [kit.mpc_run, kit.artifact(name), "--device", "cuda", "--data",
            kit.data_of(model), "--steps", str(steps), "--log-every",
            str(log_every), "--seed", "0", *extra]
    try:
        result = subprocess.run(argv, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        return "", f"no answer within {timeout} s"
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or ["(no message)"]
        return result.stdout, f"exit {result.returncode}: {lines[-1]}"
    return result.stdout, None


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kit", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=int, default=60,
                        help="seconds for each mpc-run")
    args = parser.parse_args(argv)
    kit = Kit(args.kit)
    with open(kit.reference, encoding="utf-8") as f:
        reference = json.load(f)
    checks = Checks()
    deviation = {}
    for name, model, dtype in example_artifacts():
        _, error = mpc_run(kit, name, model, 1, 1, args.timeout,
                           ["--cuda-sync"])
        checks.add(f"{name} debug step", error is None,
                   error or "every op ran and synchronised cleanly")
        log, error = mpc_run(kit, name, model, reference["steps"], 1,
                             args.timeout)
        if error:
            checks.add(f"{name} {reference['steps']} steps", False, error)
            continue
        # JSON keys are text; mpc_e2e.step_losses keys steps by number.
        cpu = {int(step): loss
               for step, loss in reference["losses"][name].items()}
        comparison = cuda_parity.LossComparison(
            cpu, mpc_e2e.step_losses(log), dtype, reference["steps"])
        deviation[dtype] = max(deviation.get(dtype, 0.0), comparison.worst)
        detail = (f"worst relative loss difference {comparison.worst:.2e} "
                  f"(allowed {comparison.tolerance:.2e})")
        if comparison.problems:
            detail += "; " + comparison.problems[0]
        checks.add(f"{name} {reference['steps']} steps vs cpu", comparison.ok,
                   detail)
    accuracy = {}
    for dtype in DTYPES:
        steps = reference["accuracy_steps"]
        log, error = mpc_run(kit, f"mlp-{dtype}", "mlp", steps, steps,
                             args.timeout)
        evaluations = mpc_e2e.evaluations(log)
        if error or not evaluations or evaluations[-1].accuracy is None:
            checks.add(f"mlp-{dtype} accuracy", False,
                       error or "no eval line with an accuracy")
            continue
        cuda, cpu = evaluations[-1].accuracy, reference["accuracy"][dtype]
        accuracy[dtype] = {"cuda": cuda, "cpu": cpu}
        checks.add(f"mlp-{dtype} accuracy after {steps} steps",
                   cuda_parity.accuracy_gap_ok(cpu, cuda),
                   f"cuda {cuda:.2f}%, cpu {cpu:.2f}% (allowed gap "
                   f"{cuda_parity.MAX_ACCURACY_GAP} points)")
    with open(os.path.join(args.out, "training.json"), "w",
              encoding="utf-8") as f:
        json.dump({"checks": checks.results, "max_relative_deviation":
                   deviation, "accuracy": accuracy}, f, indent=1)
    print(f"training: {len(checks.results) - len(checks.failed)} of "
          f"{len(checks.results)} checks passed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
