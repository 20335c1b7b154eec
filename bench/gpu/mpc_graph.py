"""An mpc JSON graph (docs/graph-format.md) as the benchmarks need it.

Reads the graph, binds its "batch" dims, orders its nodes, and counts what a
training step processes (tokens or samples) and the model FLOPs it costs.
"""

import json

import numpy as np

from mpc_random import corpus_batch

TRAINING_DEFAULTS = {"optimizer": "adamw", "learning_rate": 1e-3, "seed": 0}


class Graph:
    def __init__(self, path, batch=None):
        with open(path, encoding="utf-8") as f:
            self.json = json.load(f)
        self.path = path
        self.name = self.json.get("name", "graph")
        self.training = dict(TRAINING_DEFAULTS, **self.json.get("training", {}))
        self.batch = batch if batch is not None else self.training.get("batch_size")
        if self.batch is None:
            raise ValueError("%s: no batch size (give --batch or training.batch_size)" % path)
        self.inputs = self.json.get("inputs", [])
        self.params = self.json.get("params", [])
        self.nodes = topological_order(self.json.get("nodes", []), path)

    def shape(self, dims):
        """A shape with its "batch" dims bound."""
        return [self.batch if d == "batch" else d for d in dims]

    def lookup_tables(self):
        """Params read only as embedding tables: a lookup costs no FLOPs."""
        users = {}
        for node in self.nodes:
            for i, name in enumerate(node.get("inputs", [])):
                users.setdefault(name, set()).add((node["op"], i))
        return {p["name"] for p in self.params
                if users.get(p["name"]) == {("embedding", 1)}}

    def param_count(self, exclude=()):
        count = 0
        for p in self.params:
            if p["name"] in exclude:
                continue
            n = 1
            for d in p["shape"]:
                n *= d
            count += n
        return count

    def token_shape(self):
        """[B, T] of the first integer input when the graph embeds tokens."""
        if not any(n["op"] == "embedding" for n in self.nodes):
            return None
        for spec in self.inputs:
            if spec.get("dtype", "f32") in ("i32", "i64") and len(spec["shape"]) == 2:
                return self.shape(spec["shape"])
        return None

    def items_per_step(self):
        """(count, unit): tokens of a token model, else samples."""
        tokens = self.token_shape()
        if tokens:
            return tokens[0] * tokens[1], "tokens"
        return self.batch, "samples"

    def flops_per_item(self):
        """Model FLOPs of one training step per token or sample.

        Token models: 6·N + 6·L·C·T (llm.c's count: N parameters, L causal
        attention layers, C the embedding width, T the sequence length).
        Other models: 6·N, two FLOPs per weight per sample forward and four
        backward. N leaves out tables read only by embedding lookups, so an
        untied GPT-2 counts as llm.c counts the tied one.
        """
        n = self.param_count(exclude=self.lookup_tables())
        tokens = self.token_shape()
        if not tokens:
            return 6.0 * n
        params = {p["name"]: p for p in self.params}
        tables = [params[node["inputs"][1]] for node in self.nodes
                  if node["op"] == "embedding" and node["inputs"][1] in params]
        channels = tables[0]["shape"][1] if tables else 0
        layers = sum(1 for node in self.nodes if node["op"] == "causal_mask")
        return 6.0 * n + 6.0 * layers * channels * tokens[1]


def topological_order(nodes, path):
    """The nodes ordered so each comes after the nodes defining its inputs."""
    producer = {}
    for i, node in enumerate(nodes):
        producer[node["outputs"][0]] = i
    order, state = [], [0] * len(nodes)

    def visit(i):
        stack = [(i, iter(nodes[i].get("inputs", [])))]
        state[i] = 1
        while stack:
            j, pending = stack[-1]
            for name in pending:
                k = producer.get(name)
                if k is None or state[k] == 2:
                    continue
                if state[k] == 1:
                    raise ValueError("%s: the nodes form a cycle through '%s'" % (path, name))
                state[k] = 1
                stack.append((k, iter(nodes[k].get("inputs", []))))
                break
            else:
                stack.pop()
                state[j] = 2
                order.append(nodes[j])

    for i in range(len(nodes)):
        if state[i] == 0:
            visit(i)
    return order


def step_inputs(graph, step, corpus=None, seed=0):
    """The inputs of training step `step` as numpy arrays, in graph order.

    With `corpus` (bytes of a character corpus) the two integer inputs
    [B, T] are mpc-run's batch of that step (mpc_random.corpus_batch).
    Otherwise each input is random under (seed, step): integers uniform
    below the vocabulary or class count they index, floats standard normal.
    """
    shapes = [graph.shape(spec["shape"]) for spec in graph.inputs]
    if corpus is not None:
        if len(shapes) != 2 or len(shapes[0]) != 2:
            raise ValueError("%s: a corpus feeds two [B, T] inputs" % graph.path)
        return list(corpus_batch(corpus, seed, step, shapes[0][0], shapes[0][1]))
    rng = np.random.default_rng([seed, step])
    limits = integer_input_limits(graph)
    arrays = []
    for spec, shape in zip(graph.inputs, shapes):
        if spec.get("dtype", "f32") in ("i32", "i64"):
            arrays.append(rng.integers(0, limits.get(spec["name"], 2), size=shape))
        elif spec.get("dtype") == "bool":
            arrays.append(rng.random(shape) < 0.5)
        else:
            arrays.append(rng.standard_normal(shape, dtype=np.float32))
    return arrays


def integer_input_limits(graph):
    """For each integer input, the size of what it indexes (vocabulary,
    classes) as the graph's embedding and cross-entropy nodes say."""
    params = {p["name"]: p for p in graph.params}
    limits = {}
    for node in graph.nodes:
        if node["op"] == "embedding" and node["inputs"][1] in params:
            limits[node["inputs"][0]] = params[node["inputs"][1]]["shape"][0]
    classes = _classes_of(graph)
    for node in graph.nodes:
        if node["op"] == "softmax_cross_entropy":
            logits, labels = node["inputs"]
            if logits in classes:
                limits.setdefault(labels, classes[logits])
    return limits


def _classes_of(graph):
    """The last dim of values whose width a param fixes (matmul by [K, N]
    weight, bias add), enough to size the labels of a classifier."""
    params = {p["name"]: p for p in graph.params}
    width = {}
    for node in graph.nodes:
        ins, out = node.get("inputs", []), node["outputs"][0]
        if node["op"] == "matmul" and len(ins) == 2 and ins[1] in params:
            shape = params[ins[1]]["shape"]
            width[out] = shape[-2] if node.get("attrs", {}).get("transpose_b") else shape[-1]
        elif node["op"] in ("add", "sub", "mul", "div") and ins and ins[0] in width:
            width[out] = width[ins[0]]
    return width
