#!/usr/bin/env python3
"""Write a GPT-style decoder-only transformer as an mpc JSON graph (format v1).

Usage: make_gpt.py [OUT] [--layers N] [--channels C] [--heads H] [--seq T]
                   [--vocab V] [--batch B]

OUT defaults to examples/gpt.json next to this script. The defaults describe a
small character-level model (token id = ASCII byte) trained on
examples/data/fortunes.txt. GPT-2 small shapes:

    make_gpt.py gpt2.json --layers 12 --channels 768 --heads 12 \
        --seq 1024 --vocab 50257 --batch 8

The output depends only on the options. Nothing is printed on success.
"""

import argparse
import json
import math
import os
import sys


class Graph:
    def __init__(self):
        self.params = []
        self.nodes = []

    def param(self, name, shape, init):
        self.params.append({"name": name, "shape": shape, "init": init})
        return name

    def node(self, op, inputs, out, **attrs):
        node = {"op": op, "inputs": list(inputs), "outputs": [out]}
        if attrs:
            node["attrs"] = attrs
        self.nodes.append(node)
        return out


def normal(std):
    return {"kind": "normal", "std": std}


ZEROS = {"kind": "zeros"}
ONES = {"kind": "ones"}


def build(layers, channels, heads, seq, vocab, batch):
    C, H, T, V = channels, heads, seq, vocab
    D = C // H
    proj_std = 0.02 / math.sqrt(2 * layers)
    g = Graph()

    g.param("wte", [V, C], normal(0.02))
    g.param("wpe", [T, C], normal(0.02))
    tok = g.node("embedding", ["tokens", "wte"], "embed.tok")
    x = g.node("add", [tok, "wpe"], "embed")

    for i in range(layers):
        p = "h%d" % i
        g.param(p + ".ln1.g", [C], ONES)
        g.param(p + ".ln1.b", [C], ZEROS)
        # q, k and v from one [C, 3C] projection, as GPT-2 stores them.
        g.param(p + ".attn.wqkv", [C, 3 * C], normal(0.02))
        g.param(p + ".attn.wo", [C, C], normal(proj_std))
        g.param(p + ".ln2.g", [C], ONES)
        g.param(p + ".ln2.b", [C], ZEROS)
        g.param(p + ".mlp.w_fc", [C, 4 * C], normal(0.02))
        g.param(p + ".mlp.b_fc", [4 * C], ZEROS)
        g.param(p + ".mlp.w_proj", [4 * C, C], normal(proj_std))
        g.param(p + ".mlp.b_proj", [C], ZEROS)

        # Attention: [B,T,C] -> q, k, v [B,T,3C] -> heads [B,H,T,D] -> [B,T,C].
        a = p + ".attn"
        ln1 = g.node("layer_norm", [x, p + ".ln1.g", p + ".ln1.b"], p + ".ln1")
        qkv = g.node("matmul", [ln1, a + ".wqkv"], a + ".qkv")
        heads_of = {}
        for part, w in enumerate(("q", "k", "v")):
            v = g.node("slice", [qkv], "%s.%s" % (a, w), axes=[2],
                       starts=[part * C], ends=[(part + 1) * C])
            v = g.node("reshape", [v], "%s.%s_split" % (a, w),
                       shape=["batch", T, H, D])
            heads_of[w] = g.node("transpose", [v], "%s.%s_heads" % (a, w),
                                 perm=[0, 2, 1, 3])
        s = g.node("matmul", [heads_of["q"], heads_of["k"]], a + ".scores",
                   transpose_b=True)
        c = g.node("constant", [], a + ".inv_sqrt_d", value=1.0 / math.sqrt(D))
        s = g.node("mul", [s, c], a + ".scaled")
        s = g.node("causal_mask", [s], a + ".masked")
        s = g.node("softmax", [s], a + ".probs", axis=-1)
        y = g.node("matmul", [s, heads_of["v"]], a + ".ctx")
        y = g.node("transpose", [y], a + ".ctx_t", perm=[0, 2, 1, 3])
        y = g.node("reshape", [y], a + ".ctx_merged", shape=["batch", T, C])
        y = g.node("matmul", [y, a + ".wo"], a + ".proj")
        x = g.node("add", [x, y], p + ".res1")

        # MLP: [B,T,C] -> [B,T,4C] -> [B,T,C].
        m = p + ".mlp"
        ln2 = g.node("layer_norm", [x, p + ".ln2.g", p + ".ln2.b"], p + ".ln2")
        y = g.node("matmul", [ln2, m + ".w_fc"], m + ".fc")
        y = g.node("add", [y, m + ".b_fc"], m + ".fc_bias")
        y = g.node("gelu", [y], m + ".gelu")
        y = g.node("matmul", [y, m + ".w_proj"], m + ".proj")
        y = g.node("add", [y, m + ".b_proj"], m + ".proj_bias")
        x = g.node("add", [x, y], p + ".out")

    g.param("lnf.g", [C], ONES)
    g.param("lnf.b", [C], ZEROS)
    g.param("w_head", [C, V], normal(0.02))
    x = g.node("layer_norm", [x, "lnf.g", "lnf.b"], "lnf")
    g.node("matmul", [x, "w_head"], "logits")
    g.node("softmax_cross_entropy", ["logits", "targets"], "loss")

    return {
        "version": 1,
        "name": "gpt",
        "inputs": [
            {"name": "tokens", "shape": ["batch", T], "dtype": "i32"},
            {"name": "targets", "shape": ["batch", T], "dtype": "i32"},
        ],
        "params": g.params,
        "nodes": g.nodes,
        "loss": "loss",
        "outputs": ["logits"],
        "training": {
            "batch_size": batch,
            "optimizer": "adamw",
            "learning_rate": 0.003,
            "steps": 2000,
            "seed": 0,
            # Warmup, then cosine decay to a tenth of the peak at `steps`
            # (nanoGPT's and llm.c's schedule): measured in
            # docs/training.md#the-examples-schedules.
            "lr_schedule": "cosine",
            "warmup_steps": 100,
            "min_lr_ratio": 0.1,
        },
    }


def dump(graph):
    """JSON text with one input, param or node object per line."""
    one = lambda v: json.dumps(v, separators=(", ", ": "))
    lines = ["{"]
    keys = list(graph)
    for n, key in enumerate(keys):
        value = graph[key]
        comma = "," if n + 1 < len(keys) else ""
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append("  %s: [" % one(key))
            for m, item in enumerate(value):
                lines.append("    " + one(item) + ("," if m + 1 < len(value) else ""))
            lines.append("  ]" + comma)
        elif isinstance(value, dict):
            lines.append("  %s: {" % one(key))
            items = list(value.items())
            for m, (k, v) in enumerate(items):
                lines.append("    %s: %s%s" % (one(k), one(v), "," if m + 1 < len(items) else ""))
            lines.append("  }" + comma)
        else:
            lines.append("  %s: %s%s" % (one(key), one(value), comma))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?",
                    default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpt.json"),
                    help="output file (default: examples/gpt.json)")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--channels", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--vocab", type=int, default=128)
    ap.add_argument("--batch", type=int, default=16)
    args = ap.parse_args(argv)
    for opt in ("layers", "channels", "heads", "seq", "vocab", "batch"):
        if getattr(args, opt) < 1:
            ap.error("--%s must be at least 1" % opt)
    if args.channels % args.heads:
        ap.error("--channels must be a multiple of --heads")

    graph = build(args.layers, args.channels, args.heads, args.seq,
                  args.vocab, args.batch)
    with open(args.out, "w", encoding="ascii", newline="\n") as f:
        f.write(dump(graph))


if __name__ == "__main__":
    main(sys.argv[1:])
