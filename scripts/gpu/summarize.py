#!/usr/bin/env python3
"""Writes OUTDIR/summary.md of a scripts/gpu-check.sh run.

Usage: summarize.py OUTDIR KIT

Reads OUTDIR/stages.tsv (one line per stage: name, status, seconds, detail;
status pass, fail, timeout or skipped) and the stages' JSON (gtest's
kernel-tests.json and executor-tests.json, training.json, sanitizer.json) and report.md, and writes
one page: a table of the stages, then what each stage found.
"""

import datetime
import json
import os
import subprocess
import sys

from kit_models import Kit

MAX_NAMES = 10


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def gtest_results(path):
    """(detail line, failing [(name, first message line)]) of gtest JSON."""
    report = read_json(path)
    if not report:
        return None, []
    passed = skipped = 0
    failing = []
    for suite in report.get("testsuites", []):
        for test in suite.get("testsuite", []):
            name = f"{suite['name']}.{test['name']}"
            if test.get("failures"):
                message = test["failures"][0].get("failure", "").strip()
                failing.append((name, message.splitlines()[0] if message
                                else ""))
            elif test.get("result") == "SKIPPED":
                skipped += 1
            else:
                passed += 1
    detail = f"{passed} passed, {len(failing)} failed, {skipped} skipped"
    if failing:
        detail += ": " + ", ".join(n for n, _ in failing[:3])
    return detail, failing


def checks_section(title, checks):
    lines = [f"## {title}", "", "| check | result | detail |",
             "| --- | --- | --- |"]
    for check in checks:
        detail = check["detail"].replace("|", "\\|")
        lines.append(f"| {check['name']} | {'pass' if check['ok'] else 'FAIL'}"
                     f" | {detail} |")
    return lines + [""]


def repository_head():
    result = subprocess.run(["git", "rev-parse", "HEAD"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    return result.stdout.strip()


def main(argv):
    out, kit = argv[0], Kit(argv[1])
    stages = []
    with open(os.path.join(out, "stages.tsv"), encoding="utf-8") as f:
        for line in f:
            name, status, seconds, detail = line.rstrip("\n").split("\t", 3)
            stages.append([name, status, seconds, detail])
    failing = []
    for name, report in (("tests", "kernel-tests.json"),
                         ("executor", "executor-tests.json")):
        detail, failed = gtest_results(os.path.join(out, report))
        failing += failed
        for stage in stages:
            if stage[0] == name and detail and stage[1] in ("pass", "fail"):
                stage[3] = detail
    description = read_json(kit.description) or {}
    now = datetime.datetime.now(datetime.timezone.utc)
    lines = [f"# mpc GPU check, {now.isoformat(timespec='seconds')}", ""]
    commit = description.get("commit", "unknown")
    head = repository_head()
    lines.append(f"- kit: commit {commit[:12]}, built "
                 f"{description.get('created', '?')} for "
                 f"{description.get('arch', '?')} with "
                 f"{description.get('nvcc', '?')}")
    if head and not commit.startswith(head):
        lines.append(f"- **the kit is stale**: the repository is at "
                     f"{head[:12]}; rebuild it with scripts/gpu-kit.sh")
    device = next((s[3] for s in stages if s[0] == "device"), "?")
    lines += [f"- device: {device}", "",
              "| stage | result | seconds | detail |",
              "| --- | --- | ---: | --- |"]
    for name, status, seconds, detail in stages:
        shown = status if status in ("pass", "skipped") else status.upper()
        lines.append(f"| {name} | {shown} | {seconds} | "
                     f"{detail.replace('|', chr(92) + '|')} |")
    lines.append("")
    if failing:
        lines += ["## Failing GPU tests", ""]
        lines += [f"- `{name}`: {message}" for name, message in
                  failing[:MAX_NAMES]]
        if len(failing) > MAX_NAMES:
            lines.append(f"- ... and {len(failing) - MAX_NAMES} more "
                         "(kernel-tests.json, executor-tests.json)")
        lines.append("")
    training = read_json(os.path.join(out, "training.json"))
    if training:
        lines += checks_section("Training against the CPU reference",
                                training["checks"])
        for dtype, worst in sorted(training["max_relative_deviation"].items()):
            lines.append(f"- max relative loss deviation {dtype}: {worst:.2e}")
        lines.append("")
    sanitizer = read_json(os.path.join(out, "sanitizer.json"))
    if sanitizer:
        lines += checks_section("compute-sanitizer", sanitizer["runs"])
    report = os.path.join(out, "bench", "report.md")
    if os.path.isfile(report):
        with open(report, encoding="utf-8") as f:
            lines += ["## Benchmark", "", f.read().rstrip(), ""]
    with open(os.path.join(out, "summary.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
