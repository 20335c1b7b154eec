"""Checks of trained and evaluated ONNX models, for lit tests (numpy).

  onnx_checks.py loss-falls METRICS   the last logged loss is below 90% of
                                      the first
  onnx_checks.py close A.npy B.npy    same shape and dtype, |a - b| <= 1e-5
  onnx_checks.py differ A.npy B.npy   same shape, some element differs by
                                      more than 1e-3
  onnx_checks.py resumed-below METRICS LOG
                                      the last loss LOG prints is below the
                                      first loss in METRICS
  onnx_checks.py xent LOSS.npy LOGITS.npy Y.npy
                                      LOSS is the mean softmax cross-entropy
                                      of LOGITS against the labels Y over
                                      the rows whose label is not -100
                                      (PyTorch's ignore_index)
  onnx_checks.py checkpoint-logits CKPT X.npy LOGITS.npy
                                      LOGITS is X @ wt.T + b with the wt and
                                      b the safetensors checkpoint holds
  onnx_checks.py linear-grads GRADS X.npy Y.npy WT.npy B.npy
                                      GRADS/wt.npy and GRADS/b.npy are the
                                      gradients of the mean cross-entropy of
                                      X @ WT.T + B against the labels Y (the
                                      rows labelled -100 skipped), within
                                      1e-6 of their largest magnitude
"""

import json
import struct
import sys

import numpy as np


def loss_falls(metrics):
    losses = step_losses(metrics)
    first, last = losses[0], losses[-1]
    print("%d log points, loss %s" %
          (len(losses), "falls" if last < 0.9 * first else "does not fall"))


def step_losses(metrics):
    return [record["loss"] for record in map(json.loads, open(metrics))
            if record.get("event") == "step"]


def resumed_below(metrics, log):
    first = step_losses(metrics)[0]
    last = [float(line.split()[3]) for line in open(log)
            if line.startswith("step ")][-1]
    print("resumed below the first loss" if last < first
          else "resumed at %g, the first loss was %g" % (last, first))


def close(a, b):
    a, b = np.load(a), np.load(b)
    same = a.shape == b.shape and a.dtype == b.dtype
    print("close" if same and np.allclose(a, b, rtol=0, atol=1e-5)
          else "not close: %s %s vs %s %s" % (a.dtype, a.shape, b.dtype, b.shape))


def differ(a, b):
    a, b = np.load(a), np.load(b)
    print("differ" if a.shape == b.shape and np.abs(a - b).max() > 1e-3
          else "same")


IGNORE_INDEX = -100


def xent(loss, logits, labels):
    loss, logits, labels = np.load(loss), np.load(logits), np.load(labels)
    kept = labels != IGNORE_INDEX
    logits, labels = logits[kept], labels[kept]
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    expected = -log_p[np.arange(len(labels)), labels].mean()
    print("loss is the cross-entropy of the logits"
          if loss.shape == () and abs(float(loss) - expected) <= 1e-4
          else "loss %s, cross-entropy %g" % (loss, expected))


def checkpoint_tensors(path):
    data = open(path, "rb").read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = {"F32": np.float32, "I64": np.int64}[entry["dtype"]]
        tensors[name] = np.frombuffer(body[begin:end], dtype).reshape(
            entry["shape"])
    return tensors


def checkpoint_logits(ckpt, x, logits):
    tensors = checkpoint_tensors(ckpt)
    expected = np.load(x) @ tensors["wt"].T + tensors["b"]
    print("matches the checkpoint"
          if np.allclose(np.load(logits), expected, rtol=0, atol=1e-5)
          else "does not match the checkpoint")


def linear_grads(grads, x, y, wt, b):
    x, y, wt, b = (np.load(path).astype(np.float64) for path in (x, y, wt, b))
    logits = x @ wt.T + b
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    kept = y != IGNORE_INDEX
    rows = np.arange(len(y))[kept]
    p[rows, y[kept].astype(np.int64)] -= 1
    p[~kept] = 0
    d_logits = p / kept.sum()
    for name, expected in (("wt", d_logits.T @ x), ("b", d_logits.sum(0))):
        got = np.load("%s/%s.npy" % (grads, name))
        error = np.abs(got - expected).max() / np.abs(expected).max()
        print("%s: %s" % (name, "the gradient" if got.shape == expected.shape
                          and error <= 1e-6 else
                          "off by %g of its scale" % error))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"loss-falls": loss_falls, "close": close, "differ": differ, "xent": xent,
     "resumed-below": resumed_below,
     "checkpoint-logits": checkpoint_logits,
     "linear-grads": linear_grads}[command](*args)
