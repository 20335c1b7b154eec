#!/usr/bin/env python3
"""The cost report's totals for a GPT training step in f32, bf16 and f16.

    bench/cost_report.py [--mpc-opt build/bin/mpc-opt] [--chip h100-sxm]

Writes the GPT graph (GPT-2 small by default: the bench/gpu model, 12 layers,
768 channels, 12 heads, T = 1024, V = 50304, batch 8), compiles its training
step for the CUDA backend in each precision with `--mpc-cost-report`, and
prints a Markdown table of the step's totals (launches, HBM bytes, GEMM and
non-GEMM bytes, predicted time, model FLOPs, MFU, arena, planned device
memory), then the launch kinds with the most predicted time for each dtype.
Nothing runs on a GPU: every figure is the compiler's cost model
(docs/performance.md, "Cost report").

--check also asserts that the report's model FLOPs are llm.c's
(6 N + 6 L T C) per token for the graph's dimensions, N the GEMM weights.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DTYPES = ("f32", "bf16", "f16")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mpc-opt", default=os.path.join(ROOT, "build", "bin", "mpc-opt"))
    parser.add_argument("--chip", default="h100-sxm")
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--channels", type=int, default=768)
    parser.add_argument("--heads", type=int, default=12)
    parser.add_argument("--seq", type=int, default=1024)
    parser.add_argument("--vocab", type=int, default=50304)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--top", type=int, default=8, help="launch kinds listed per dtype")
    parser.add_argument("--check", action="store_true",
                        help="assert the model FLOPs against llm.c's formula")
    return parser.parse_args()


def report(args, graph, dtype, workdir):
    out = os.path.join(workdir, f"cost-{dtype}.json")
    subprocess.run([args.mpc_opt, graph, f"--mpc-train-pipeline=dtype={dtype}",
                    f"--mpc-cuda-pipeline=cost-report={out} cost-format=json chip={args.chip}",
                    "-o", os.devnull], check=True)
    with open(out) as f:
        data = json.load(f)
    step = next(f for f in data["functions"] if f["name"] == "train_step")
    return step, data["device_bytes"]


def llmc_model_flops(args):
    c, layers, t = args.channels, args.layers, args.seq
    weights = layers * 12 * c * c + c * args.vocab  # QKV, proj, MLP; LM head
    tokens = args.batch * t
    return tokens * (6 * weights + 6 * layers * t * c)


def gb(value):
    return f"{value / 1e9:.2f} GB"


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        graph = os.path.join(workdir, "gpt.json")
        subprocess.run([sys.executable, os.path.join(ROOT, "examples", "make_gpt.py"), graph,
                        "--layers", str(args.layers), "--channels", str(args.channels),
                        "--heads", str(args.heads), "--seq", str(args.seq),
                        "--vocab", str(args.vocab), "--batch", str(args.batch)],
                       check=True, stdout=subprocess.DEVNULL)
        steps = {dtype: report(args, graph, dtype, workdir) for dtype in DTYPES}

    print(f"GPT {args.layers}x{args.channels}, {args.heads} heads, T={args.seq}, "
          f"V={args.vocab}, batch {args.batch}: training step on {args.chip} (cost model)\n")
    print("| dtype | launches | GEMMs | HBM bytes | outside GEMMs | predicted | model FLOPs | MFU "
          "| arena | device memory |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for dtype, (step, device) in steps.items():
        s = step["summary"]
        print(f"| {dtype} | {s['launches']} | {s['gemm_launches']} "
              f"| {gb(s['bytes_read'] + s['bytes_written'])} | {gb(s['non_gemm_bytes'])} "
              f"| {s['seconds'] * 1e3:.2f} ms | {s['model_flops'] / 1e12:.3f} T "
              f"| {s['mfu'] * 100:.1f}% | {gb(s['arena_bytes'])} | {gb(device)} |")
    for dtype, (step, _) in steps.items():
        total = step["summary"]["seconds"]
        print(f"\n{dtype}: launch kinds by predicted time\n")
        print("| launch | count | bytes | time | share |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for c in step["classes"][:args.top]:
            print(f"| {c['class']} | {c['launches']} | {gb(c['bytes'])} "
                  f"| {c['seconds'] * 1e3:.2f} ms | {c['seconds'] / total * 100:.1f}% |")

    if args.check:
        expected = llmc_model_flops(args)
        for dtype, (step, _) in steps.items():
            got = step["summary"]["model_flops"]
            if got != expected:
                sys.exit(f"cost_report.py: {dtype} model FLOPs {got}, llm.c's formula {expected}")
        print(f"\nmodel FLOPs match llm.c's (6 N + 6 L T C) per token: {expected}")


if __name__ == "__main__":
    main()
