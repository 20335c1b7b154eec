"""Writes small ONNX models with initializers, and their data, for lit tests.

The protobuf is encoded here, by field number (onnx/onnx.proto), so the
tests need no ONNX or protobuf package:

  onnx_models.py linear DIR   DIR/linear.onnx: logits = x @ Transpose(wt) + b,
                              loss = SoftmaxCrossEntropyLoss(logits, y) with
                              ignore_index -100, and
                              scaled = x * s (s does not reach the loss);
                              DIR/inference.onnx: the logits alone, no loss;
                              DIR/x.npy, DIR/y.npy: 64 rows of a separable
                              3-class problem; DIR/x4.npy, DIR/y4.npy: 4 rows;
                              DIR/y4_ignored.npy: y4 with row 1 labelled
                              -100, DIR/y4_bad.npy with -1; DIR/y_ignored.npy:
                              y with every fourth label -100;
                              DIR/expected_logits.npy: numpy's x4 @ wt.T + b;
                              DIR/wt.npy, DIR/b.npy: the initializers
  onnx_models.py masks DIR    DIR/masks.onnx: a weight, an additive padding
                              mask holding -inf (not causal) and a table
                              gathered at constant
                              positions, into a loss; DIR/declared.onnx: the
                              same graph declaring w and the table trainable
                              in its "mpc.parameters" metadata;
                              DIR/declared-{notjson,notlist,unknown}.onnx:
                              three broken declarations
  onnx_models.py silu DIR     DIR/silu.onnx: Mul(x, Sigmoid(x)) as
                              torch.onnx exports torch.nn.SiLU, the same
                              with the operands swapped, and the near miss
                              Mul(y, Sigmoid(x))
  onnx_models.py rms_norm DIR DIR/rms_norm.onnx: LLaMA's RMSNorm as
                              torch.onnx exports it (Pow, ReduceMean over
                              the last axis, Add eps, Sqrt, Div 1 / ., Mul x,
                              Mul weight), the same with Reciprocal and the
                              operands swapped, one without the weight, and
                              two near misses: the mean over axis 1, and
                              another tensor times the statistic of x
  onnx_models.py pow DIR      DIR/pow.onnx: Pow(x, c) for the constant
                              exponents c = 1.5, -3.25, 2 and 0.5
  onnx_models.py where DIR    DIR/where.onnx: Where with a bool graph input or
                              a constant condition, with and without a
                              constant splat branch, into a loss
  onnx_models.py slices DIR   DIR/slices.onnx: Slice, Split and Concat of
                              computed tensors, and a Concat of shape
                              constants that is folded
  onnx_models.py float_mask DIR
                              DIR/float_mask.onnx: Equal(tril buffer, 0)
                              into Where(mask, -inf, x), as nanoGPT's causal
                              mask exports
  onnx_models.py key_transpose DIR
                              DIR/key_transpose.onnx: q times keys permuted
                              (0, 2, 3, 1), as attention scores export
  onnx_models.py additive_mask DIR
                              DIR/additive_mask.onnx: scores plus constant
                              masks, as LLaMA's triu(-inf, diagonal=1) mask
                              exports, and masks that are not causal
  onnx_models.py step_names DIR
                              DIR/step_names.onnx: weights named like the
                              training step's own symbols (step, loss_scale,
                              grad_norm, accumulate.phase, train_step,
                              forward), one named onnx.step, and w, into a
                              loss; DIR/step_names_declared.onnx: the same
                              declaring step and w trainable in its
                              "mpc.parameters" metadata; DIR/x.npy: 8 rows
  onnx_models.py big_table DIR
                              DIR/big_table.onnx: x times a table of 65537
                              distinct values
"""

import os
import struct
import sys

import numpy as np

FLOAT, INT64, BOOL = 1, 7, 9


def varint(value):
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, payload):
    """A length-delimited field (strings, bytes, messages)."""
    if isinstance(payload, str):
        payload = payload.encode()
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def int_field(number, value):
    return varint(number << 3) + varint(value)


def tensor(name, array):
    """A TensorProto with raw_data."""
    array = np.ascontiguousarray(array)
    kind = {np.float32: FLOAT, np.int64: INT64, np.bool_: BOOL}[array.dtype.type]
    out = b"".join(int_field(1, dim) for dim in array.shape)
    out += int_field(2, kind) + field(8, name) + field(9, array.tobytes())
    return out


def value_info(name, kind, shape):
    dims = b"".join(
        field(1, field(2, dim) if isinstance(dim, str) else int_field(1, dim))
        for dim in shape)
    tensor_type = int_field(1, kind) + field(2, dims)
    return field(1, name) + field(2, field(1, tensor_type))


def node(op_type, inputs, outputs, name, attributes=b""):
    out = b"".join(field(1, i) for i in inputs)
    out += b"".join(field(2, o) for o in outputs)
    return out + field(3, name) + field(4, op_type) + attributes


def string_attribute(name, value):
    # AttributeProto: name = 1, s = 4, type = 20 (STRING = 3).
    return field(5, field(1, name) + field(4, value) + int_field(20, 3))


def model(graph_name, nodes, initializers, inputs, outputs, metadata=None):
    graph = b"".join(field(1, n) for n in nodes) + field(2, graph_name)
    graph += b"".join(field(5, t) for t in initializers)
    graph += b"".join(field(11, i) for i in inputs)
    graph += b"".join(field(12, o) for o in outputs)
    # ir_version = 1, graph = 7, opset_import = 8 (version = 2),
    # metadata_props = 14 (key = 1, value = 2).
    out = int_field(1, 8) + field(7, graph) + field(8, int_field(2, 17))
    for key, value in (metadata or {}).items():
        out += field(14, field(1, key) + field(2, value))
    return out


def linear(directory):
    rng = np.random.default_rng(7)
    wt = rng.normal(0, 0.5, (3, 3)).astype(np.float32)  # [classes, features]
    b = np.array([0.1, -0.2, 0.05], np.float32)
    s = np.full(3, 2.0, np.float32)  # A splat, which the CUDA backend holds.
    nodes = [
        node("Transpose", ["wt"], ["w"], "w_t"),
        node("MatMul", ["x", "w"], ["h"], "matmul"),
        node("Add", ["h", "b"], ["logits"], "bias"),
        # With PyTorch's ignore_index, which its exporter always writes.
        node("SoftmaxCrossEntropyLoss", ["logits", "y"], ["loss"], "sce",
             string_attribute("reduction", "mean") +
             field(5, field(1, "ignore_index") + int_field(3, -100) +
                   int_field(20, 2))),
        node("Mul", ["x", "s"], ["scaled"], "scale"),
    ]
    data = model(
        "linear", nodes,
        [tensor("wt", wt), tensor("b", b), tensor("s", s)],
        [value_info("x", FLOAT, ["batch", 3]),
         value_info("y", INT64, ["batch"])],
        [value_info("loss", FLOAT, []),
         value_info("logits", FLOAT, ["batch", 3]),
         value_info("scaled", FLOAT, ["batch", 3])])
    with open(os.path.join(directory, "linear.onnx"), "wb") as out:
        out.write(data)
    # The same logits without a loss: a graph for inference.
    data = model(
        "inference", nodes[:3], [tensor("wt", wt), tensor("b", b)],
        [value_info("x", FLOAT, ["batch", 3])],
        [value_info("logits", FLOAT, ["batch", 3])])
    with open(os.path.join(directory, "inference.onnx"), "wb") as out:
        out.write(data)
    # Three separable classes: the label is the largest feature.
    x = rng.normal(0, 1, (64, 3)).astype(np.float32)
    y = np.argmax(x, axis=1).astype(np.int64)
    np.save(os.path.join(directory, "x.npy"), x)
    np.save(os.path.join(directory, "y.npy"), y)
    np.save(os.path.join(directory, "x4.npy"), x[:4])
    np.save(os.path.join(directory, "y4.npy"), y[:4])
    # A row the loss ignores (PyTorch's -100), and a label that is neither
    # a class nor ignored.
    np.save(os.path.join(directory, "y4_ignored.npy"),
            np.array([y[0], -100, y[2], y[3]], np.int64))
    np.save(os.path.join(directory, "y4_bad.npy"),
            np.array([y[0], -1, y[2], y[3]], np.int64))
    # Every fourth label ignored.
    y_ignored = y.copy()
    y_ignored[::4] = -100
    np.save(os.path.join(directory, "y_ignored.npy"), y_ignored)
    np.save(os.path.join(directory, "expected_logits.npy"), x[:4] @ wt.T + b)
    np.save(os.path.join(directory, "wt.npy"), wt)
    np.save(os.path.join(directory, "b.npy"), b)


def masks(directory):
    w = np.full((4, 4), 0.25, np.float32)
    # A padding mask hiding the last key: it holds -inf but is not causal,
    # so it stays an add of a constant.
    additive = np.zeros((4, 4), np.float32)
    additive[:, 3] = -np.inf
    # A rotary-style table, gathered at constant positions.
    rope = np.arange(32, dtype=np.float32).reshape(8, 4) / 32
    nodes = [
        node("MatMul", ["x", "w"], ["h"], "matmul"),
        node("Gather", ["rope", "positions"], ["table"], "gather"),
        node("Mul", ["h", "table"], ["rotated"], "rotate"),
        node("Add", ["rotated", "additive"], ["masked"], "add_mask"),
        node("Softmax", ["masked"], ["p"], "softmax"),
        node("ReduceSum", ["p"], ["loss"], "sum",
             field(5, field(1, "keepdims") + int_field(3, 0) +
                   int_field(20, 2))),
    ]
    declarations = {
        "masks": None,
        "declared": '["w", "rope"]',
        "declared-notjson": '["w"',
        "declared-notlist": '{"w": 1}',
        "declared-unknown": '["w", "x"]',
    }
    for name, declared in declarations.items():
        data = model(
            "masks", nodes,
            [tensor("w", w), tensor("additive", additive),
             tensor("rope", rope),
             tensor("positions", np.arange(4, dtype=np.int64))],
            [value_info("x", FLOAT, [4, 4])],
            [value_info("loss", FLOAT, [])],
            None if declared is None else {"mpc.parameters": declared})
        with open(os.path.join(directory, name + ".onnx"), "wb") as out:
            out.write(data)


def silu(directory):
    nodes = [
        node("Sigmoid", ["x"], ["s0"], "sigmoid0"),
        node("Mul", ["x", "s0"], ["silu"], "silu"),
        node("Sigmoid", ["x"], ["s1"], "sigmoid1"),
        node("Mul", ["s1", "x"], ["swapped"], "swapped"),
        node("Sigmoid", ["x"], ["s2"], "sigmoid2"),
        node("Mul", ["y", "s2"], ["gated"], "gated"),
    ]
    data = model(
        "silu", nodes, [],
        [value_info("x", FLOAT, [2, 8]), value_info("y", FLOAT, [2, 8])],
        [value_info(name, FLOAT, [2, 8])
         for name in ("silu", "swapped", "gated")])
    with open(os.path.join(directory, "silu.onnx"), "wb") as out:
        out.write(data)


def ints_attribute(name, values):
    # AttributeProto: name = 1, ints = 8, type = 20 (INTS = 7).
    return field(5, field(1, name) + b"".join(int_field(8, v) for v in values)
                 + int_field(20, 7))


def int_attribute(name, value):
    # AttributeProto: name = 1, i = 3, type = 20 (INT = 2).
    return field(5, field(1, name) + int_field(3, value) + int_field(20, 2))


def rms_norm(directory):
    def statistic(prefix, x, axis, reciprocal=False, swap=False):
        """rsqrt(mean(x^2, axis) + eps) as the exporter writes it."""
        mean = ints_attribute("axes", [axis]) + int_attribute("keepdims", 1)
        add = ["eps", prefix + "m"] if swap else [prefix + "m", "eps"]
        invert = (node("Reciprocal", [prefix + "r"], [prefix + "s"],
                       prefix + "inv") if reciprocal else
                  node("Div", ["one", prefix + "r"], [prefix + "s"],
                       prefix + "inv"))
        return [
            node("Pow", [x, "two"], [prefix + "sq"], prefix + "pow"),
            node("ReduceMean", [prefix + "sq"], [prefix + "m"],
                 prefix + "mean", mean),
            node("Add", add, [prefix + "v"], prefix + "add"),
            node("Sqrt", [prefix + "v"], [prefix + "r"], prefix + "sqrt"),
            invert,
        ]

    nodes = statistic("a_", "x", -1) + [
        node("Mul", ["x", "a_s"], ["a_n"], "a_mul"),
        node("Mul", ["weight", "a_n"], ["normed"], "a_weight"),
    ] + statistic("b_", "x", -1, reciprocal=True, swap=True) + [
        node("Mul", ["b_s", "x"], ["b_n"], "b_mul"),
        node("Mul", ["b_n", "weight"], ["swapped"], "b_weight"),
    ] + statistic("c_", "x", -1) + [
        node("Mul", ["x", "c_s"], ["unweighted"], "c_mul"),
    ] + statistic("d_", "x", 1) + [
        node("Mul", ["x", "d_s"], ["wrong_axis"], "d_mul"),
    ] + statistic("e_", "x", -1) + [
        node("Mul", ["y", "e_s"], ["other"], "e_mul"),
    ]
    data = model(
        "rms_norm", nodes,
        [tensor("two", np.array(2.0, np.float32)),
         tensor("eps", np.array(1e-5, np.float32)),
         tensor("one", np.array(1.0, np.float32)),
         tensor("weight", np.linspace(0.5, 1.5, 8, dtype=np.float32))],
        [value_info("x", FLOAT, [2, 3, 8]), value_info("y", FLOAT, [2, 3, 8])],
        [value_info(name, FLOAT, [2, 3, 8])
         for name in ("normed", "swapped", "unweighted", "wrong_axis",
                      "other")])
    with open(os.path.join(directory, "rms_norm.onnx"), "wb") as out:
        out.write(data)


def pow_model(directory):
    exponents = {"p15": 1.5, "pm325": -3.25, "p2": 2.0, "p05": 0.5}
    nodes = [node("Pow", ["x", "e_" + name], [name], name)
             for name in exponents]
    data = model(
        "pow", nodes,
        [tensor("e_" + name, np.array(value, np.float32))
         for name, value in exponents.items()],
        [value_info("x", FLOAT, [2, 8])],
        [value_info(name, FLOAT, [2, 8]) for name in exponents])
    with open(os.path.join(directory, "pow.onnx"), "wb") as out:
        out.write(data)


def where(directory):
    fallback = np.array([1.0, 2.0, 3.0], np.float32)
    fill = np.array(-1e4, np.float32)
    keep = np.array([[True, False, True]])
    nodes = [
        node("Where", ["c", "x", "fallback"], ["chosen"], "choose"),
        node("Where", ["c", "fill", "chosen"], ["filled"], "fill_true"),
        node("Where", ["keep", "filled", "fill"], ["kept"], "fill_false"),
        node("Where", ["keep", "kept", "x"], ["mixed"], "constant_condition"),
        node("ReduceSum", ["mixed"], ["loss"], "sum",
             field(5, field(1, "keepdims") + int_field(3, 0) +
                   int_field(20, 2))),
    ]
    data = model(
        "where", nodes,
        [tensor("fallback", fallback), tensor("fill", fill),
         tensor("keep", keep)],
        [value_info("c", BOOL, [2, 3]), value_info("x", FLOAT, [2, 3])],
        [value_info("loss", FLOAT, [])])
    with open(os.path.join(directory, "where.onnx"), "wb") as out:
        out.write(data)


def slices(directory):
    """Slice with constant (negative) bounds and steps, Split by sizes and
    into equal parts, Concat of computed tensors, and a Concat of shape
    constants that the folder keeps computing."""
    w = np.full((6, 8), 0.125, np.float32)
    int_axis = lambda value: field(5, field(1, "axis") + int_field(3, value) +
                                   int_field(20, 2))
    ints = lambda values: np.array(values, np.int64)
    nodes = [
        node("MatMul", ["x", "w"], ["h"], "matmul"),
        node("Slice", ["h", "starts", "ends", "axes", "steps"], ["back"],
             "slice"),
        node("Split", ["h", "sizes"], ["left", "right"], "split",
             int_axis(1)),
        node("Split", ["h"], ["top", "bottom"], "halves"),
        node("Concat", ["back", "right", "left"], ["joined"], "concat",
             int_axis(-1)),
        node("Shape", ["top"], ["top_shape"], "shape"),
        node("Concat", ["top_shape", "one"], ["target"], "target",
             int_axis(0)),
        node("Reshape", ["bottom", "target"], ["bottom3"], "reshape"),
    ]
    data = model(
        "slices", nodes,
        [tensor("w", w), tensor("starts", ints([-1])),
         tensor("ends", ints([-100])), tensor("axes", ints([-1])),
         tensor("steps", ints([-3])), tensor("sizes", ints([3, 5])),
         tensor("one", ints([1]))],
        [value_info("x", FLOAT, [4, 6])],
        [value_info("joined", FLOAT, [4, 11]),
         value_info("bottom3", FLOAT, [2, 8, 1])])
    with open(os.path.join(directory, "slices.onnx"), "wb") as out:
        out.write(data)


def float_mask(directory):
    """nanoGPT's causal mask: a float tril buffer compared with 0, and the
    scores filled with -inf where it holds 0."""
    tril = np.tril(np.ones((3, 3), np.float32))
    nodes = [
        node("Equal", ["tril", "zero"], ["above"], "equal"),
        node("Where", ["above", "neg_inf", "x"], ["masked"], "fill"),
        node("Softmax", ["masked"], ["p"], "softmax"),
        node("ReduceSum", ["p"], ["loss"], "sum",
             field(5, field(1, "keepdims") + int_field(3, 0) +
                   int_field(20, 2))),
    ]
    data = model(
        "float_mask", nodes,
        [tensor("tril", tril), tensor("zero", np.array(0, np.float32)),
         tensor("neg_inf", np.array(-np.inf, np.float32))],
        [value_info("x", FLOAT, [3, 3])],
        [value_info("loss", FLOAT, [])],
        {"mpc.parameters": "[]"})
    with open(os.path.join(directory, "float_mask.onnx"), "wb") as out:
        out.write(data)


def key_transpose(directory):
    """Attention scores as exported: q [B, H, T, D] times the keys
    [B, T, H, D] permuted (0, 2, 3, 1) to [B, H, D, T]; and a permutation
    that does not end by swapping, which stays."""
    perm = lambda values: field(5, field(1, "perm") + b"".join(
        int_field(8, v) for v in values) + int_field(20, 7))
    nodes = [
        node("Transpose", ["k"], ["kt"], "keys", perm([0, 2, 3, 1])),
        node("MatMul", ["q", "kt"], ["scores"], "scores"),
        node("Transpose", ["k"], ["kh"], "heads", perm([0, 2, 1, 3])),
        node("MatMul", ["q", "kh"], ["other"], "other"),
    ]
    data = model(
        "key_transpose", nodes, [],
        [value_info("q", FLOAT, [1, 2, 3, 4]),
         value_info("k", FLOAT, [1, 4, 2, 4])],
        [value_info("scores", FLOAT, [1, 2, 3, 4]),
         value_info("other", FLOAT, [1, 2, 3, 4])])
    with open(os.path.join(directory, "key_transpose.onnx"), "wb") as out:
        out.write(data)


def additive_mask(directory):
    """Scores x [2, 3, 3] plus constant masks. Causal: -inf above the
    diagonal and 0 on and below it, as [3, 3] (either operand order) and
    as [1, 3, 3]. Not causal: -inf on the diagonal too (diagonal=0), -inf
    below it, -1e9 instead of -inf, a random constant, and a causal mask
    [2, 3, 3] that the scores y [3, 3] broadcast to."""
    causal = np.triu(np.full((3, 3), -np.inf, np.float32), 1)
    masks = {
        "causal": causal,
        "batched": causal[None],
        "diagonal": np.triu(np.full((3, 3), -np.inf, np.float32), 0),
        "lower": np.tril(np.full((3, 3), -np.inf, np.float32), -1),
        "finite": np.triu(np.full((3, 3), -1e9, np.float32), 1),
        "random": np.random.default_rng(3).normal(
            0, 1, (3, 3)).astype(np.float32),
        "stacked": np.stack([causal, causal]),
    }
    nodes = [node("Add", ["x", "m_causal"], ["causal"], "causal"),
             node("Add", ["m_causal", "x"], ["swapped"], "swapped"),
             node("Add", ["y", "m_stacked"], ["stacked"], "stacked")]
    nodes += [node("Add", ["x", "m_" + name], [name], name)
              for name in ("batched", "diagonal", "lower", "finite",
                           "random")]
    outputs = [(node_outputs, [2, 3, 3]) for node_outputs in
               ("causal", "swapped", "stacked", "batched", "diagonal",
                "lower", "finite", "random")]
    data = model(
        "additive_mask", nodes,
        [tensor("m_" + name, mask) for name, mask in masks.items()],
        [value_info("x", FLOAT, [2, 3, 3]), value_info("y", FLOAT, [3, 3])],
        [value_info(name, FLOAT, shape) for name, shape in outputs])
    with open(os.path.join(directory, "additive_mask.onnx"), "wb") as out:
        out.write(data)


def step_names(directory):
    """x [batch, 3] through weights named like the symbols the training
    step adds (runtime/core/StepNames.h) into a sum: the importer renames
    them, and "onnx.step" is taken, so step becomes onnx.onnx.step."""
    rng = np.random.default_rng(11)
    weights = {name: rng.normal(0, 0.5, shape).astype(np.float32)
               for name, shape in (("step", (3, 3)), ("loss_scale", (3,)),
                                   ("grad_norm", (3,)),
                                   ("accumulate.phase", (3, 3)),
                                   ("train_step", (3,)), ("forward", (3,)),
                                   ("onnx.step", (3,)), ("w", (3,)))}
    nodes = [
        node("MatMul", ["x", "step"], ["h0"], "h0"),
        node("Mul", ["h0", "loss_scale"], ["h1"], "h1"),
        node("Add", ["h1", "grad_norm"], ["h2"], "h2"),
        node("MatMul", ["h2", "accumulate.phase"], ["h3"], "h3"),
        node("Mul", ["h3", "train_step"], ["h4"], "h4"),
        node("Add", ["h4", "forward"], ["h5"], "h5"),
        node("Mul", ["h5", "onnx.step"], ["h6"], "h6"),
        node("Mul", ["h6", "w"], ["h7"], "h7"),
        node("Mul", ["h7", "h7"], ["squares"], "square"),
        node("ReduceMean", ["squares"], ["loss"], "mean",
             field(5, field(1, "keepdims") + int_field(3, 0) +
                   int_field(20, 2))),
    ]
    for file_name, declared in (("step_names", None),
                                ("step_names_declared", '["step", "w"]')):
        data = model(
            "step_names", nodes,
            [tensor(name, value) for name, value in weights.items()],
            [value_info("x", FLOAT, ["batch", 3])],
            [value_info("loss", FLOAT, [])],
            None if declared is None else {"mpc.parameters": declared})
        with open(os.path.join(directory, file_name + ".onnx"),
                  "wb") as out:
            out.write(data)
    np.save(os.path.join(directory, "x.npy"),
            rng.normal(0, 1, (8, 3)).astype(np.float32))


def big_table(directory):
    """x * table with a table of 65537 distinct values: one more than the
    CUDA backend writes into a step."""
    table = np.arange(65537, dtype=np.float32)
    nodes = [
        node("Mul", ["x", "table"], ["scaled"], "scale"),
        node("ReduceSum", ["scaled"], ["loss"], "sum",
             field(5, field(1, "keepdims") + int_field(3, 0) +
                   int_field(20, 2))),
    ]
    data = model(
        "big_table", nodes, [tensor("table", table)],
        [value_info("x", FLOAT, [65537])], [value_info("loss", FLOAT, [])],
        {"mpc.parameters": "[]"})
    with open(os.path.join(directory, "big_table.onnx"), "wb") as out:
        out.write(data)


if __name__ == "__main__":
    {"linear": linear, "masks": masks, "silu": silu, "pow": pow_model,
     "rms_norm": rms_norm,
     "where": where, "slices": slices, "float_mask": float_mask, "key_transpose": key_transpose,
     "additive_mask": additive_mask, "step_names": step_names,
     "big_table": big_table}[
        sys.argv[1]](sys.argv[2])
