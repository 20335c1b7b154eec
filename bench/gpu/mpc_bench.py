#!/usr/bin/env python3
"""Times mpc's CUDA training step through mpc-run and reads its losses.

Usage:
  mpc_bench.py ARTIFACT --mpc-run BIN --graph GRAPH --data FILE [--data ...]
               [--warmup W] [--windows R] [--label NAME] [--json OUT]
  mpc_bench.py ARTIFACT --mpc-run BIN --data FILE --losses OUT [--steps N]

Timing: mpc-run ARTIFACT --device cuda trains W·(R+1) steps with
--log-every W. The CUDA executor enqueues steps without waiting and reads the
losses (waiting for the device) only at log points, so each progress line's
rate covers exactly W steps of device work plus the host's batch assembly
overlapping it. The first window (library load, cuBLASLt plans) is the
warm-up; ms/step is the median over the other R windows.

Memory: the planned device bytes of the manifest (parameters and state, the
arena, every function's inputs and outputs; not the cuBLASLt workspace nor
the CUDA context), and the process's peak from nvidia-smi sampled every
0.1 s (which includes the context).

--losses runs N steps (default 20) with --log-every 1 and writes
{"losses": [...]} for torch_bench.py --check.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading

from mpc_graph import Graph

LINE = re.compile(r"^step (\d+)/(\d+)\s+loss (\S+)\s+([0-9.]+) (\w+)/s")
BYTES = {"f32": 4, "f16": 2, "bf16": 2, "i32": 4, "i1": 1}


def planned_bytes(manifest):
    def size(spec):
        n = 1
        for d in spec["shape"]:
            n *= d
        return n * BYTES[spec["dtype"]]
    total = sum(size(s) for s in manifest["state"]) + manifest["arena_bytes"]
    for function in manifest["functions"]:
        total += sum(size(s) for s in function["inputs"] + function["outputs"])
    return total


class GpuMemorySampler:
    """The largest GPU memory nvidia-smi reports for one process."""

    def __init__(self, pid):
        self.pid, self.peak, self.done = pid, None, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        query = ["nvidia-smi", "--query-compute-apps=pid,used_memory",
                 "--format=csv,noheader,nounits"]
        while not self.done.wait(0.1):
            try:
                out = subprocess.run(query, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, timeout=5).stdout
            except (OSError, subprocess.TimeoutExpired):
                return
            for line in out.splitlines():
                fields = [f.strip() for f in line.split(",")]
                if len(fields) == 2 and fields[0] == str(self.pid) and fields[1].isdigit():
                    mib = int(fields[1])
                    self.peak = max(self.peak or 0, mib * 2**20)

    def stop(self):
        self.done.set()
        self.thread.join()
        return self.peak


def run_mpc(mpc_run, artifact, data, steps, log_every):
    command = [mpc_run, artifact, "--device", "cuda", "--steps", str(steps),
               "--log-every", str(log_every)]
    for d in data:
        command += ["--data", d]
    print("+ " + " ".join(command), flush=True)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    sampler = GpuMemorySampler(process.pid)
    lines = []
    for line in process.stdout:
        sys.stdout.write("  " + line)
        lines.append(line.rstrip("\n"))
    status = process.wait()
    peak = sampler.stop()
    if status != 0:
        raise SystemExit("mpc_bench: mpc-run failed (exit %d) on %s" % (status, artifact))
    matches = [LINE.match(line) for line in lines]
    return [m for m in matches if m], peak


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("artifact")
    ap.add_argument("--mpc-run", required=True)
    ap.add_argument("--graph", help="the JSON graph the artifact was compiled from")
    ap.add_argument("--data", action="append", required=True)
    ap.add_argument("--warmup", type=int, default=10, help="steps per window")
    ap.add_argument("--windows", type=int, default=5, help="timed windows")
    ap.add_argument("--peak-tflops", type=float, default=989.0)
    ap.add_argument("--label", help="the configuration's name in the table")
    ap.add_argument("--json")
    ap.add_argument("--losses", help="write the first losses here instead of timing")
    ap.add_argument("--steps", type=int, default=20, help="steps of --losses")
    args = ap.parse_args(argv)

    if args.losses:
        progress, _ = run_mpc(args.mpc_run, args.artifact, args.data, args.steps, 1)
        losses = [float(m.group(3)) for m in progress]
        with open(args.losses, "w", encoding="utf-8") as f:
            json.dump({"artifact": args.artifact, "losses": losses}, f, indent=1)
        return 0

    if not args.graph or not args.json:
        ap.error("timing needs --graph and --json")
    with open(os.path.join(args.artifact, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    batch = manifest["functions"][0]["inputs"][0]["shape"][0]
    graph = Graph(args.graph, batch)
    items, unit = graph.items_per_step()
    progress, process_peak = run_mpc(args.mpc_run, args.artifact, args.data,
                                     args.warmup * (args.windows + 1), args.warmup)
    rates = [float(m.group(4)) for m in progress[1:]]
    if not rates:
        raise SystemExit("mpc_bench: mpc-run printed no timed progress lines")
    ms = statistics.median(items * 1000.0 / r for r in rates)
    result = {
        "label": args.label or os.path.basename(os.path.normpath(args.artifact)),
        "artifact": args.artifact,
        "graph": args.graph,
        "batch": batch,
        "unit": unit,
        "items_per_step": items,
        "ms_per_step": ms,
        "items_per_s": items * 1000.0 / ms,
        "flops_per_item": graph.flops_per_item(),
        "peak_tflops": args.peak_tflops,
        "planned_device_bytes": planned_bytes(manifest),
        "process_peak_bytes": process_peak,
    }
    result["mfu"] = result["items_per_s"] * result["flops_per_item"] / (args.peak_tflops * 1e12)
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    print("%-22s %9.2f ms/step  %12.0f %s/s  planned %7.2f GiB  MFU %5.1f%%"
          % (result["label"], ms, result["items_per_s"], unit,
             result["planned_device_bytes"] / 2**30, 100.0 * result["mfu"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
