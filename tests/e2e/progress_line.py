#!/usr/bin/env python3
"""mpc-run's progress: every log line of an unfinished run ends with the
time left ("eta 12s"), the last one does not; when standard error is a
terminal, one line there is rewritten in place between log points
("\\r\\x1b[K" then "step N/M") and erased before each log line; when it is
not, standard error stays empty and the log lines are the same."""

import os
import pty
import re
import subprocess

import mpc_e2e

STEPS, LOG_EVERY = 30, 10
ERASE = "\r\x1b[K"


def run_mlp(paths, stderr):
    argv = [paths.mpc_run, paths.mlp, "--data", paths.digits, "--steps",
            str(STEPS), "--log-every", str(LOG_EVERY), "--seed", "0"]
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=stderr,
                          text=True)


def step_lines(log):
    return [line for line in log.splitlines() if line.startswith("step ")]


def check_log(label, log):
    lines = step_lines(log)
    mpc_e2e.check(len(lines) == STEPS // LOG_EVERY,
                  f"{label}: step lines {lines}")
    for line in lines[:-1]:
        mpc_e2e.check(mpc_e2e.STEP_LINE.match(line)
                      and re.search(r"  eta \d+s$", line),
                      f"{label}: no time left at the end of {line!r}")
    mpc_e2e.check(mpc_e2e.STEP_LINE.match(lines[-1])
                  and "eta" not in lines[-1],
                  f"{label}: the last step line {lines[-1]!r}")
    mpc_e2e.check("\r" not in log and "\x1b" not in log,
                  f"{label}: control characters in the log {log!r}")
    return lines


def main():
    paths = mpc_e2e.parse_arguments(__doc__)

    piped = run_mlp(paths, subprocess.PIPE)
    mpc_e2e.check(piped.returncode == 0, f"piped run failed: {piped.stderr}")
    check_log("piped", piped.stdout)
    mpc_e2e.check(piped.stderr == "",
                  f"stderr is no terminal, yet it got {piped.stderr!r}")
    print("piped: plain log lines with the time left; nothing on stderr")

    controller, terminal = pty.openpty()
    try:
        result = run_mlp(paths, terminal)
        os.close(terminal)
        terminal = None
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if terminal is not None:
            os.close(terminal)
        os.close(controller)
    shown = b"".join(chunks).decode("utf-8", "replace")
    mpc_e2e.check(result.returncode == 0, f"run on a terminal failed: {shown}")
    check_log("terminal", result.stdout)
    # The first step after the start is drawn at once; later ones at most
    # five times a second. Every drawing is erased before the log line.
    mpc_e2e.check(shown.startswith(f"{ERASE}step 1/{STEPS}"),
                  f"terminal: the progress line {shown!r}")
    drawn = re.findall(r"\r\x1b\[Kstep (\d+)/(\d+)(?:  eta \d+s)?", shown)
    mpc_e2e.check(drawn and all(int(total) == STEPS and int(step) % LOG_EVERY
                                for step, total in drawn),
                  f"terminal: progress at a log point, or of another total: "
                  f"{drawn}")
    mpc_e2e.check(shown.endswith(ERASE) and "\n" not in shown.replace("\r\n",
                                                                      ""),
                  f"terminal: the progress line is not erased at the end, or "
                  f"holds line breaks: {shown!r}")
    print(f"terminal: {len(drawn)} progress drawings, erased before the log "
          f"lines, which are unchanged")
    print("PASS")


if __name__ == "__main__":
    main()
