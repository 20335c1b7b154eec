#!/usr/bin/env python3
"""Puts mpc's and PyTorch's figures for each model into one markdown table.

Usage: report.py RESULTS_DIR OUT.md

RESULTS_DIR holds, per model M, torch-M.json (torch_bench.py --json) and
mpc-M-<dtype>.json (mpc_bench.py --json), and optionally check-M.txt
(torch_bench.py --check output). Speedups are against PyTorch eager f32 (TF32
off) and against torch.compile under autocast of the same 16-bit type (bf16
for mpc's f32 and bf16 steps, f16 for its f16 step).
"""

import glob
import json
import os
import sys

HEADER = ("| model | config | ms/step | throughput | peak GPU memory | MFU | "
          "vs eager f32 | vs compile autocast |\n"
          "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")


def row(model, config, result, memory, eager, compiled):
    ms = result["ms_per_step"]
    return "| %s | %s | %.2f | %.0f %s/s | %.2f GiB | %.1f%% | %s | %s |" % (
        model, config, ms, result["items_per_s"], result["unit"], memory / 2**30,
        100.0 * result["mfu"], speedup(eager, ms), speedup(compiled, ms))


def speedup(reference, ms):
    return "%.2f×" % (reference["ms_per_step"] / ms) if reference else "—"


def model_table(directory, model):
    with open(os.path.join(directory, "torch-%s.json" % model), encoding="utf-8") as f:
        torch = json.load(f)
    modes = {r["mode"]: r for r in torch["results"]}
    eager = modes.get("eager-f32")
    lines = []
    for mode, result in modes.items():
        compiled = modes.get("compile-autocast-f16" if mode.endswith("-f16")
                             else "compile-autocast-bf16")
        lines.append(row(model, "PyTorch " + mode, result, result["peak_memory_bytes"],
                         eager, compiled))
    for dtype in ("f32", "bf16", "f16"):
        path = os.path.join(directory, "mpc-%s-%s.json" % (model, dtype))
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            result = json.load(f)
        compiled = modes.get("compile-autocast-f16" if dtype == "f16"
                             else "compile-autocast-bf16")
        lines.append(row(model, "mpc " + dtype, result, result["planned_device_bytes"],
                         eager, compiled))
    return torch, lines


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    directory, out = argv
    models = sorted(os.path.basename(p)[len("torch-"):-len(".json")]
                    for p in glob.glob(os.path.join(directory, "torch-*.json")))
    if not models:
        print("report: no torch-*.json in %s" % directory, file=sys.stderr)
        return 1
    body, context = [HEADER], None
    for model in models:
        context, lines = model_table(directory, model)
        body += lines
    text = ["# mpc vs PyTorch: training step on %s" % context["device"], "",
            "PyTorch %s; MFU against %.0f TFLOP/s (dense bf16/f16 peak of H100/H200 SXM; "
            "f32 rows against the same peak); median of the timed steps after %d warm-up "
            "steps. PyTorch memory: torch.cuda.max_memory_allocated; mpc memory: the "
            "manifest's planned device bytes (state, arena, inputs and outputs)."
            % (context["torch"], context["peak_tflops"], context["warmup"]), ""]
    text += body
    for model in models:
        check = os.path.join(directory, "check-%s.txt" % model)
        if os.path.exists(check):
            with open(check, encoding="utf-8") as f:
                last = f.read().strip().splitlines()[-1:]
            text += ["", "Numerics, %s: %s" % (model, last[0] if last else "no output")]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(text) + "\n")
    print("\n".join(text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
