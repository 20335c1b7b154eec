#!/usr/bin/env python3
"""Times PyTorch training steps of an mpc JSON graph on a CUDA GPU.

Usage:
  torch_bench.py GRAPH [--batch B] [--corpus FILE] [--modes M,...]
                 [--warmup W] [--steps N] [--peak-tflops P] [--json OUT]
  torch_bench.py GRAPH --check MPC_LOSSES.json [--corpus FILE] [--tolerance R]

Every mode builds the graph's model afresh (torch_model.GraphModule) from
mpc's initial weights (the initializers of the graph, bit for bit, under
training.seed), with the graph's optimizer, and runs W + N steps on the same
batches: mpc-run's batches of the corpus with --corpus, else random inputs
under a fixed seed. A step is forward, backward and optimizer update.

Modes:
  eager-f32              f32 with TF32 off (matmuls in full f32)
  eager-tf32             f32 with TF32 matmuls (not run by default)
  eager-autocast-bf16    torch.autocast bf16
  eager-autocast-f16     torch.autocast f16 with GradScaler
  compile-autocast-bf16  torch.compile(model) under autocast bf16
  compile-autocast-f16   torch.compile(model) under autocast f16, GradScaler

Each step is bracketed by CUDA events; ms/step is the median over the N timed
steps after W warm-up steps (which include compilation). Peak memory is
torch.cuda.max_memory_allocated over the mode's run (parameters, gradients,
optimizer state, activations and batches; not the CUDA context). MFU = items
per second x model FLOPs per item / peak FLOP/s, with the peak named (default
989 TFLOP/s: H100/H200 SXM dense bf16/f16; the f32 modes are also reported
against it). One line per mode goes to stdout; --json writes every figure and
the losses of the first 20 steps.

--check runs eager-f32 for as many steps as the mpc losses file holds (at most
20) and compares the losses: it exits 1 when one differs by more than
--tolerance relative.
"""

import argparse
import gc
import json
import math
import os
import statistics
import sys
import time

import torch

from mpc_graph import Graph, step_inputs
from torch_model import GraphModule, make_optimizer

ALL_MODES = ["eager-f32", "eager-tf32", "eager-autocast-bf16", "eager-autocast-f16",
             "compile-autocast-bf16", "compile-autocast-f16"]
DEFAULT_MODES = [m for m in ALL_MODES if m != "eager-tf32"]
RECORDED_LOSSES = 20
DEFAULT_PEAK = 989.0
PEAK_NAME = "H100/H200 SXM dense bf16/f16 989 TFLOP/s"


def autocast_dtype(mode):
    if mode.endswith("bf16"):
        return torch.bfloat16
    if mode.endswith("f16"):
        return torch.float16
    return None


def host_batches(graph, count, corpus, seed):
    """`count` batches (steps 0..count-1) in pinned host memory."""
    batches = []
    for step in range(count):
        arrays = step_inputs(graph, step, corpus, seed)
        batches.append([torch.from_numpy(a).pin_memory() for a in arrays])
    return batches


def run_mode(graph, mode, batches, warmup, steps, fused):
    """Trains W + N steps in `mode`; returns its figures and first losses."""
    torch.backends.cuda.matmul.allow_tf32 = mode == "eager-tf32"
    torch.backends.cudnn.allow_tf32 = mode == "eager-tf32"
    # Nothing of an earlier mode may stay allocated or cached by dynamo.
    gc.collect()
    torch._dynamo.reset()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    baseline = torch.cuda.memory_allocated()
    device = torch.device("cuda")
    model = GraphModule(graph)
    model.initialize()
    model.to(device).train()
    optimizer, optimizer_kind = make_optimizer(graph, model.parameters(), fused)
    step_model = torch.compile(model) if mode.startswith("compile") else model
    dtype = autocast_dtype(mode)
    scaler = torch.amp.GradScaler("cuda") if dtype is torch.float16 else None

    def train_step(inputs):
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=dtype, enabled=dtype is not None):
            loss = step_model(*inputs)
        if scaler:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            optimizer.step()
        return loss.detach()

    total = warmup + steps
    events = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True))
              for _ in range(steps)]
    losses = []
    wall_start = None
    for step in range(total):
        if step == warmup:
            torch.cuda.synchronize()
            wall_start = time.perf_counter()
        inputs = [t.to(device, non_blocking=True) for t in batches[step % len(batches)]]
        timed = step >= warmup
        if timed:
            events[step - warmup][0].record()
        loss = train_step(inputs)
        if timed:
            events[step - warmup][1].record()
        if step < RECORDED_LOSSES:
            losses.append(loss)
    torch.cuda.synchronize()
    wall = time.perf_counter() - wall_start if steps else 0.0
    times = [start.elapsed_time(end) for start, end in events]
    result = {
        "mode": mode,
        "optimizer": optimizer_kind,
        "ms_per_step": statistics.median(times) if times else None,
        "ms_per_step_wall_mean": 1000.0 * wall / steps if steps else None,
        "peak_memory_bytes": torch.cuda.max_memory_allocated() - baseline,
        "losses": [float(l) for l in losses],
    }
    return result


def add_rates(result, graph, peak_tflops):
    items, unit = graph.items_per_step()
    ms = result["ms_per_step"]
    result["items_per_step"] = items
    result["unit"] = unit
    result["items_per_s"] = items * 1000.0 / ms if ms else None
    result["flops_per_item"] = graph.flops_per_item()
    result["mfu"] = (result["items_per_s"] * result["flops_per_item"] / (peak_tflops * 1e12)
                     if ms else None)


def format_line(result):
    return ("%-22s %9.2f ms/step  %12.0f %s/s  peak %7.2f GiB  MFU %5.1f%%  (%s optimizer)"
            % (result["mode"], result["ms_per_step"], result["items_per_s"], result["unit"],
               result["peak_memory_bytes"] / 2**30, 100.0 * result["mfu"], result["optimizer"]))


def read_mpc_losses(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    losses = data["losses"] if isinstance(data, dict) else data
    return [float(l) for l in losses]


def check(graph, batches, mpc_losses, tolerance, fused):
    steps = min(len(mpc_losses), RECORDED_LOSSES)
    result = run_mode(graph, "eager-f32", batches, steps, 0, fused)
    worst = 0.0
    failed = False
    print("step  mpc          torch        rel.diff")
    for i, (m, t) in enumerate(zip(mpc_losses[:steps], result["losses"])):
        rel = abs(m - t) / max(abs(m), 1e-12)
        worst = max(worst, rel)
        bad = not math.isfinite(t) or rel > tolerance
        failed |= bad
        print("%4d  %-11.6g  %-11.6g  %.2e%s" % (i + 1, m, t, rel, "  <-- over tolerance" if bad else ""))
    print("check: %d steps, worst relative difference %.2e, tolerance %.1e: %s"
          % (steps, worst, tolerance, "FAIL" if failed else "ok"))
    return 1 if failed else 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("graph")
    ap.add_argument("--batch", type=int, help="batch size (default: training.batch_size)")
    ap.add_argument("--corpus", help="character corpus: use mpc-run's batches of it")
    ap.add_argument("--seed", type=int, help="run seed (default: training.seed)")
    ap.add_argument("--modes", default=",".join(DEFAULT_MODES))
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--peak-tflops", type=float, default=DEFAULT_PEAK,
                    help="peak FLOP/s for MFU, in TFLOP/s (default: %s)" % PEAK_NAME)
    ap.add_argument("--no-fused", action="store_true", help="use the foreach optimizer")
    ap.add_argument("--json", help="write every figure and the first losses here")
    ap.add_argument("--check", metavar="MPC_LOSSES", help="compare eager-f32 losses with mpc's")
    ap.add_argument("--tolerance", type=float, default=5e-3)
    args = ap.parse_args(argv)
    if not torch.cuda.is_available():
        print("torch_bench: no CUDA device", file=sys.stderr)
        return 1
    graph = Graph(args.graph, args.batch)
    seed = graph.training["seed"] if args.seed is None else args.seed
    corpus = None
    if args.corpus:
        with open(args.corpus, "rb") as f:
            corpus = f.read()
    fused = not args.no_fused

    if args.check:
        mpc_losses = read_mpc_losses(args.check)
        batches = host_batches(graph, min(len(mpc_losses), RECORDED_LOSSES), corpus, seed)
        return check(graph, batches, mpc_losses, args.tolerance, fused)

    modes = args.modes.split(",")
    for mode in modes:
        if mode not in ALL_MODES:
            ap.error("unknown mode '%s' (modes: %s)" % (mode, ", ".join(ALL_MODES)))
    if args.steps < 1 or args.warmup < 0:
        ap.error("--steps must be at least 1 and --warmup at least 0")
    batches = host_batches(graph, min(args.warmup + args.steps, RECORDED_LOSSES), corpus, seed)
    items, unit = graph.items_per_step()
    print("torch_bench: %s (graph '%s'), batch %d, %d %s/step, %.3g FLOPs/%s, %s, "
          "torch %s, peak %.0f TFLOP/s"
          % (args.graph, graph.name, graph.batch, items, unit, graph.flops_per_item(),
             unit[:-1], torch.cuda.get_device_name(), torch.__version__, args.peak_tflops))
    results = []
    for mode in modes:
        result = run_mode(graph, mode, batches, args.warmup, args.steps, fused)
        add_rates(result, graph, args.peak_tflops)
        print(format_line(result), flush=True)
        results.append(result)
        # Rewritten after every mode, so a run stopped by a time limit keeps
        # the modes it finished.
        if args.json:
            write_results(args, graph, results)
    return 0


def write_results(args, graph, results):
    temporary = args.json + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump({"graph": args.graph, "name": graph.name, "batch": graph.batch,
                   "device": torch.cuda.get_device_name(), "torch": torch.__version__,
                   "peak_tflops": args.peak_tflops, "warmup": args.warmup,
                   "steps": args.steps, "results": results}, f, indent=1)
    os.replace(temporary, args.json)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
