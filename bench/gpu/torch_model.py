"""PyTorch execution of an mpc JSON graph: the same architecture, op for op.

GraphModule runs one torch op per graph node with the semantics of
docs/graph-format.md (gelu is the tanh approximation, layer_norm normalizes
over gamma's dims, causal_mask fills j > i, softmax_cross_entropy is the mean
over all positions). Its parameters start from mpc's initializers
(mpc_random.init_values, bit for bit) or from an mpc checkpoint, and
make_optimizer builds the optimizer of the graph's "training" section with
mpc's defaults (docs/training.md).

Dropout uses PyTorch's own random mask, not mpc's counter-based one, so a
graph with dropout is the same architecture but not the same computation.
"""

import math

import torch
import torch.nn.functional as F

from mpc_checkpoint import read_checkpoint
from mpc_random import init_values

DTYPES = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16,
          "i32": torch.int64, "i64": torch.int64, "bool": torch.bool}


def _fill_value(value):
    if value == "inf":
        return math.inf
    if value == "-inf":
        return -math.inf
    return float(value)


def _constant_value(value):
    if isinstance(value, list):
        return [_constant_value(v) for v in value]
    if isinstance(value, bool):
        return value
    return _fill_value(value)


class GraphModule(torch.nn.Module):
    """Computes the graph's loss from its inputs (in graph input order)."""

    def __init__(self, graph):
        super().__init__()
        self.graph = graph
        self.param_names = [p["name"] for p in graph.params]
        self.weights = torch.nn.ParameterList(
            torch.nn.Parameter(torch.zeros(p["shape"], dtype=torch.float32))
            for p in graph.params)
        self.input_names = [spec["name"] for spec in graph.inputs]
        self.constants = {}
        for index, node in enumerate(graph.nodes):
            if node["op"] == "constant":
                attrs = node["attrs"]
                dtype = DTYPES[attrs.get("dtype", "f32")]
                value = torch.tensor(_constant_value(attrs["value"]), dtype=dtype)
                if "shape" in attrs:
                    value = value.expand(graph.shape(attrs["shape"])).clone()
                buffer = "constant%d" % index
                self.register_buffer(buffer, value, persistent=False)
                self.constants[node["outputs"][0]] = buffer

    def initialize(self, seed=None):
        """Draws every parameter as mpc does for run seed `seed`."""
        seed = self.graph.training["seed"] if seed is None else seed
        with torch.no_grad():
            for p, w in zip(self.graph.params, self.weights):
                w.copy_(torch.from_numpy(init_values(p["init"], p["name"], p["shape"], seed)))

    def load_checkpoint(self, path):
        """Takes the parameters of an mpc checkpoint (optimizer state ignored)."""
        _, tensors = read_checkpoint(path)
        with torch.no_grad():
            for name, w in zip(self.param_names, self.weights):
                if name not in tensors:
                    raise ValueError("%s: no tensor '%s'" % (path, name))
                value = torch.from_numpy(tensors[name])
                if tuple(value.shape) != tuple(w.shape):
                    raise ValueError("%s: '%s' has shape %s, the graph %s"
                                     % (path, name, list(value.shape), list(w.shape)))
                w.copy_(value)

    def forward(self, *inputs):
        env = dict(zip(self.input_names, inputs))
        env.update(zip(self.param_names, self.weights))
        for name, buffer in self.constants.items():
            env[name] = getattr(self, buffer)
        for node in self.graph.nodes:
            if node["op"] != "constant":
                args = [env[name] for name in node.get("inputs", [])]
                env[node["outputs"][0]] = self._apply(node, args)
        return env[self.graph.json["loss"]]

    def _apply(self, node, args):
        op, attrs = node["op"], node.get("attrs", {})
        if op == "matmul":
            a, b = args
            if attrs.get("transpose_a"):
                a = a.transpose(-1, -2)
            if attrs.get("transpose_b"):
                b = b.transpose(-1, -2)
            return torch.matmul(a, b)
        if op in _BINARY:
            return _BINARY[op](*args)
        if op in _UNARY:
            return _UNARY[op](args[0])
        if op == "softmax":
            return torch.softmax(args[0], dim=attrs.get("axis", -1))
        if op == "log_softmax":
            return torch.log_softmax(args[0], dim=attrs.get("axis", -1))
        if op == "layer_norm":
            x, gamma, beta = args
            return F.layer_norm(x, gamma.shape, gamma, beta, attrs.get("eps", 1e-5))
        if op in ("reduce_sum", "reduce_mean"):
            x = args[0]
            axes = attrs.get("axes", list(range(x.dim())))
            reduce = torch.sum if op == "reduce_sum" else torch.mean
            return reduce(x, dim=axes, keepdim=attrs.get("keepdims", False))
        if op == "reshape":
            return args[0].reshape(self.graph.shape(attrs["shape"]))
        if op == "transpose":
            x = args[0]
            return x.permute(attrs.get("perm", list(range(x.dim() - 1, -1, -1))))
        if op == "embedding":
            return F.embedding(args[0], args[1])
        if op == "causal_mask":
            x = args[0]
            rows, cols = x.shape[-2], x.shape[-1]
            later = torch.ones(rows, cols, dtype=torch.bool, device=x.device).triu(1)
            return x.masked_fill(later, _fill_value(attrs.get("value", "-inf")))
        if op == "masked_fill":
            return args[0].masked_fill(args[1], _fill_value(attrs["value"]))
        if op == "dropout":
            return F.dropout(args[0], attrs["rate"], self.training)
        if op == "softmax_cross_entropy":
            logits, labels = args
            return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
        if op == "mse_loss":
            return F.mse_loss(args[0], args[1])
        if op == "cast":
            return args[0].to(DTYPES[attrs["dtype"]])
        raise ValueError("%s: node '%s': op '%s' has no PyTorch form"
                         % (self.graph.path, node.get("name", node["outputs"][0]), op))


_BINARY = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
_UNARY = {
    "relu": torch.relu,
    "gelu": lambda x: F.gelu(x, approximate="tanh"),
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "rsqrt": torch.rsqrt,
}


def make_optimizer(graph, parameters, fused):
    """The graph's optimizer with mpc's defaults; returns (optimizer, kind).

    `fused` asks for the single-kernel implementation; kind says which
    implementation was built ("fused", "foreach").
    """
    t = graph.training
    name = t["optimizer"]
    lr = float(t["learning_rate"])
    params = list(parameters)
    if name == "adamw":
        args = dict(lr=lr, betas=(0.9, 0.999), eps=1e-8,
                    weight_decay=float(t.get("weight_decay", 0.01)))
        cls = torch.optim.AdamW
    elif name in ("sgd", "momentum"):
        args = dict(lr=lr, weight_decay=float(t.get("weight_decay", 0.0)),
                    momentum=0.9 if name == "momentum" else 0.0)
        cls = torch.optim.SGD
    else:
        raise ValueError("%s: unknown optimizer '%s'" % (graph.path, name))
    if fused:
        try:
            return cls(params, fused=True, **args), "fused"
        except (RuntimeError, TypeError, ValueError):
            pass
    return cls(params, foreach=True, **args), "foreach"
