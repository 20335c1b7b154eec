#!/usr/bin/env python3
"""Checks the Python copy of mpc's initializers and batches against mpc-run.

Usage: test_init.py MPC_RUN SOURCE_DIR WORK_DIR

Saves mpc-run's checkpoint after 0 steps (parameters as initialized, state
zero) of examples/gpt.json, examples/mlp.json and a graph using every init
kind, under two run seeds, and requires mpc_random.init_values to give every
parameter bit for bit. Exits 77 (skipped) without numpy.
"""

import json
import os
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("test_init: numpy is not installed; skipped")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mpc_checkpoint import read_checkpoint  # noqa: E402
from mpc_graph import Graph  # noqa: E402
from mpc_random import init_values  # noqa: E402

ALL_KINDS = {
    "version": 1,
    "name": "kinds",
    "inputs": [{"name": "x", "shape": ["batch", 64]},
               {"name": "y", "shape": ["batch"], "dtype": "i32"}],
    "params": [
        {"name": "w", "shape": [64, 10], "init": {"kind": "xavier_normal", "gain": 1.5}},
        {"name": "b", "shape": [10], "init": {"kind": "constant", "value": 0.1}},
        {"name": "n", "shape": [3, 700], "init": {"kind": "normal", "mean": -1, "std": 3}},
        {"name": "n.seeded", "shape": [900], "init": {"kind": "normal", "seed": 12345}},
        {"name": "u", "shape": [5, 7, 11], "init": {"kind": "uniform", "low": -2, "high": 0.5}},
        {"name": "xu", "shape": [2, 33, 65], "init": {"kind": "xavier_uniform", "gain": 0.7}},
        {"name": "ones", "shape": [4], "init": {"kind": "ones"}},
        {"name": "zeros", "shape": [4], "init": {"kind": "zeros"}},
    ],
    "nodes": [
        {"op": "matmul", "inputs": ["x", "w"], "outputs": ["xw"]},
        {"op": "add", "inputs": ["xw", "b"], "outputs": ["logits"]},
        {"op": "softmax_cross_entropy", "inputs": ["logits", "y"], "outputs": ["loss"]},
    ],
    "loss": "loss",
    "training": {"batch_size": 32, "optimizer": "adamw", "learning_rate": 0.001},
}


def check(mpc_run, graph_path, data, work, seed):
    ckpt = os.path.join(work, "%s.seed%d.ckpt" % (os.path.basename(graph_path), seed))
    run = subprocess.run([mpc_run, graph_path, "--data", data, "--steps", "0",
                          "--seed", str(seed), "--save", ckpt],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if run.returncode != 0:
        print("test_init: mpc-run failed on %s:\n%s" % (graph_path, run.stdout))
        return 1
    metadata, tensors = read_checkpoint(ckpt)
    graph = Graph(graph_path)
    failures = 0
    for p in graph.params:
        ours = init_values(p["init"], p["name"], p["shape"], seed)
        theirs = tensors[p["name"]]
        same = ours.shape == theirs.shape and np.array_equal(
            ours.view(np.uint32), theirs.view(np.uint32))
        if not same:
            diff = np.nonzero(ours.ravel().view(np.uint32) != theirs.ravel().view(np.uint32))[0]
            print("test_init: %s seed %d: param '%s' differs at %d of %d elements (first %d)"
                  % (graph_path, seed, p["name"], len(diff), ours.size, diff[0]))
            failures += 1
    state = [name for name in tensors if name not in {p["name"] for p in graph.params}]
    for name in state:
        if np.any(tensors[name] != 0):
            print("test_init: %s: state '%s' is not zero after 0 steps" % (graph_path, name))
            failures += 1
    if metadata.get("seed") != str(seed) or metadata.get("step") != "0":
        print("test_init: %s: checkpoint metadata %s" % (graph_path, metadata))
        failures += 1
    print("test_init: %s seed %d: %d params, %d state tensors, %d failures"
          % (os.path.basename(graph_path), seed, len(graph.params), len(state), failures))
    return failures


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    mpc_run, source, work = argv
    os.makedirs(work, exist_ok=True)
    kinds = os.path.join(work, "kinds.json")
    with open(kinds, "w", encoding="ascii") as f:
        json.dump(ALL_KINDS, f)
    examples = os.path.join(source, "examples")
    digits = os.path.join(examples, "data", "digits.csv.gz")
    fortunes = os.path.join(examples, "data", "fortunes.txt")
    failures = 0
    for seed in (0, 7):
        failures += check(mpc_run, os.path.join(examples, "gpt.json"), fortunes, work, seed)
        failures += check(mpc_run, os.path.join(examples, "mlp.json"), digits, work, seed)
        failures += check(mpc_run, kinds, digits, work, seed)
    print("test_init: %s" % ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
