#!/usr/bin/env python3
"""Write a multilayer perceptron classifier as an mpc JSON graph (format v1).

Usage: make_mlp.py [OUT] [--features F] [--hidden H] [--layers N]
                   [--classes K] [--batch B] [--activation relu|gelu]

The graph has the structure of examples/mlp.json: input x ["batch", F] f32
and labels y ["batch"] i32, then N hidden layers (matmul, bias add,
activation) of width H and a linear output layer of K logits under
softmax_cross_entropy. Weights are xavier_uniform, biases zeros; AdamW.
The defaults give a large model for GPU benchmarks:

    make_mlp.py mlp-large.json --features 1024 --hidden 4096 --layers 4 \
        --classes 1000 --batch 4096

The output depends only on the options. Nothing is printed on success.
"""

import argparse
import sys

from make_gpt import dump  # the same one-object-per-line layout


def build(features, hidden, layers, classes, batch, activation):
    params, nodes = [], []
    x, width = "x", features
    for i in range(layers + 1):
        last = i == layers
        out = classes if last else hidden
        w, b = "w%d" % (i + 1), "b%d" % (i + 1)
        params.append({"name": w, "shape": [width, out], "init": {"kind": "xavier_uniform"}})
        params.append({"name": b, "shape": [out], "init": {"kind": "zeros"}})
        fc = "fc%d" % (i + 1)
        nodes.append({"name": fc, "op": "matmul", "inputs": [x, w], "outputs": [fc + "_out"]})
        pre = "logits" if last else "h%d_pre" % (i + 1)
        nodes.append({"name": fc + "_bias", "op": "add", "inputs": [fc + "_out", b],
                      "outputs": [pre]})
        if not last:
            x = "h%d" % (i + 1)
            nodes.append({"name": "act%d" % (i + 1), "op": activation, "inputs": [pre],
                          "outputs": [x]})
        width = out
    nodes.append({"name": "xent", "op": "softmax_cross_entropy", "inputs": ["logits", "y"],
                  "outputs": ["loss"]})
    return {
        "version": 1,
        "name": "mlp",
        "inputs": [
            {"name": "x", "shape": ["batch", features], "dtype": "f32"},
            {"name": "y", "shape": ["batch"], "dtype": "i32"},
        ],
        "params": params,
        "nodes": nodes,
        "loss": "loss",
        "outputs": ["logits"],
        "training": {
            "batch_size": batch,
            "optimizer": "adamw",
            "learning_rate": 0.001,
            "steps": 500,
            "seed": 0,
        },
    }


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="output file")
    ap.add_argument("--features", type=int, default=1024)
    ap.add_argument("--hidden", type=int, default=4096)
    ap.add_argument("--layers", type=int, default=4, help="hidden layers")
    ap.add_argument("--classes", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=4096)
    ap.add_argument("--activation", choices=("relu", "gelu"), default="relu")
    args = ap.parse_args(argv)
    for opt in ("features", "hidden", "classes", "batch"):
        if getattr(args, opt) < 1:
            ap.error("--%s must be at least 1" % opt)
    if args.layers < 0:
        ap.error("--layers must be at least 0")

    graph = build(args.features, args.hidden, args.layers, args.classes,
                  args.batch, args.activation)
    with open(args.out, "w", encoding="ascii", newline="\n") as f:
        f.write(dump(graph))


if __name__ == "__main__":
    main(sys.argv[1:])
