"""Shared pieces of the end-to-end tests: the command line every script
takes, running mpc-run and mpc-opt, and reading mpc-run's log lines.

Every script is run as SCRIPT --mpc-run PATH --mpc-opt PATH --source-dir DIR,
prints what it measured, and exits 1 with a line starting "FAIL:" when a
requirement does not hold.
"""

import argparse
import os
import re
import subprocess
import sys

# "step 100/500  loss 1.4212  173209 samples/s  lr 1.0000e-03", with loss
# scaling followed by "  loss_scale 65536  skipped 0", and before the last
# step by the time left, "  eta 3m05s"
STEP_LINE = re.compile(
    r"^step (\d+)/(\d+)  loss (\S+)  \d+ \w+/s  lr \S+"
    r"(?:  loss_scale \S+  skipped \d+)?"
    r"(?:  eta (?:\d+h\d\dm|\d+m\d\ds|\d+s))?$")
# "eval  step 500  val_loss 0.1418  val_accuracy 96.02%  (352 samples)"
EVAL_LINE = re.compile(
    r"^eval  step (\d+)  val_loss (\S+)(?:  val_accuracy (\S+)%)?  \((\d+) \w+\)$")


class Paths:
    """The tools and the example files, from the command line."""

    def __init__(self, args):
        self.mpc_run = args.mpc_run
        self.mpc_opt = args.mpc_opt
        self.source_dir = args.source_dir
        self.examples = os.path.join(args.source_dir, "examples")
        self.mlp = os.path.join(self.examples, "mlp.json")
        self.gpt = os.path.join(self.examples, "gpt.json")
        self.digits = os.path.join(self.examples, "data", "digits.csv.gz")
        self.fortunes = os.path.join(self.examples, "data", "fortunes.txt")


def parse_arguments(description, add_arguments=None):
    """The tools and example files; `add_arguments(parser)` adds a script's
    own arguments, which come back as `paths.args`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--mpc-run", required=True, help="the mpc-run binary")
    parser.add_argument("--mpc-opt", required=True, help="the mpc-opt binary")
    parser.add_argument("--source-dir", required=True,
                        help="the repository root (holds examples/)")
    if add_arguments:
        add_arguments(parser)
    args = parser.parse_args()
    paths = Paths(args)
    paths.args = args
    for tool in (paths.mpc_run, paths.mpc_opt):
        if not os.access(tool, os.X_OK):
            fail(f"{tool} is not an executable")
    for data in (paths.mlp, paths.gpt, paths.digits, paths.fortunes):
        if not os.path.isfile(data):
            fail(f"{data} is missing")
    return paths


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.stdout.flush()
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def command_text(argv):
    return " ".join(arg if arg and " " not in arg else repr(arg) for arg in argv)


def run(argv, expect_status=0, cwd=None):
    """Runs `argv`; fails unless it exits with `expect_status`."""
    result = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if result.returncode != expect_status:
        fail(f"`{command_text(argv)}` exited with status {result.returncode}, "
             f"expected {expect_status}\n--- stdout:\n{result.stdout}"
             f"--- stderr:\n{result.stderr}")
    return result


def step_losses(log):
    """{step: loss text} of the "step" lines of an mpc-run log."""
    losses = {}
    for line in log.splitlines():
        match = STEP_LINE.match(line)
        if match:
            losses[int(match.group(1))] = match.group(3)
    return losses


class Evaluation:
    def __init__(self, match):
        self.step = int(match.group(1))
        self.loss = float(match.group(2))
        self.accuracy = float(match.group(3)) if match.group(3) else None
        self.samples = int(match.group(4))
        self.line = match.group(0)


def evaluations(log):
    """The "eval" lines of an mpc-run log, in order."""
    found = []
    for line in log.splitlines():
        match = EVAL_LINE.match(line)
        if match:
            found.append(Evaluation(match))
    return found


def compile_step(paths, model, options, output):
    """Compiles `model` to a training-step module with pass `options`."""
    run([paths.mpc_opt, model, f"--mpc-build-train-step={options}",
         "-o", output])
    return output


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()
