#!/usr/bin/env python3
"""The sanitizer stage of scripts/gpu-check.sh.

Usage: check_sanitizer.py --kit KIT --out DIR [--timeout SECONDS]

Runs compute-sanitizer's memcheck on one debug-mode step (mpc-run
--cuda-sync) of each artifact in kit_models.SANITIZED, and its racecheck on
the kernel tests' f32 cases of the kernel library's own kernels (the cuBLASLt
GEMMs are left out: their kernels are not mpc's). Each run has its own time
limit and its log (DIR/sanitizer-NAME.log). Writes DIR/sanitizer.json, prints
a line per run and exits 1 when a run reports an error or fails.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

from kit_models import SANITIZED, Kit

# The kernel library's own kernels, f32 instances: small and quick enough to
# race-check.
RACECHECK_FILTER = "Types/*/0"
ERRORS = re.compile(r"ERROR SUMMARY: (\d+) error")
HAZARDS = re.compile(r"RACECHECK SUMMARY: (\d+) hazard")


def sanitizer():
    found = shutil.which("compute-sanitizer")
    default = "/usr/local/cuda/bin/compute-sanitizer"
    return found or (default if os.access(default, os.X_OK) else None)


def run(name, argv, out, timeout):
    """(ok, detail) of one sanitizer run; its output goes to a log file."""
    log = os.path.join(out, f"sanitizer-{name}.log")
    try:
        with open(log, "w", encoding="utf-8") as f:
            status = subprocess.run(argv, stdout=f, stderr=subprocess.STDOUT,
                                    timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        return False, f"no answer within {timeout} s ({os.path.basename(log)})"
    with open(log, encoding="utf-8", errors="replace") as f:
        text = f.read()
    counts = [int(m) for m in ERRORS.findall(text) + HAZARDS.findall(text)]
    if status != 0 or any(counts):
        return False, (f"exit {status}, {sum(counts)} error(s)/hazard(s) "
                       f"({os.path.basename(log)})")
    return True, "no errors"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kit", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=int, default=60)
    args = parser.parse_args(argv)
    kit = Kit(args.kit)
    tool = sanitizer()
    results = []
    if not tool:
        results.append({"name": "compute-sanitizer", "ok": False,
                        "detail": "compute-sanitizer not found"})
    else:
        runs = []
        for name in SANITIZED:
            model = name.split("-")[0]
            runs.append((f"memcheck-{name}", [
                tool, "--tool", "memcheck", "--error-exitcode", "99",
                "--print-limit", "20", kit.mpc_run, kit.artifact(name),
                "--device", "cuda", "--data", kit.data_of(model), "--steps",
                "1", "--log-every", "1", "--seed", "0", "--cuda-sync"]))
        runs.append(("racecheck-kernels", [
            tool, "--tool", "racecheck", "--error-exitcode", "99",
            "--print-limit", "20", kit.kernel_tests,
            f"--gtest_filter={RACECHECK_FILTER}"]))
        for name, command in runs:
            ok, detail = run(name, command, args.out, args.timeout)
            results.append({"name": name, "ok": ok, "detail": detail})
            print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)
    with open(os.path.join(args.out, "sanitizer.json"), "w",
              encoding="utf-8") as f:
        json.dump({"runs": results}, f, indent=1)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
