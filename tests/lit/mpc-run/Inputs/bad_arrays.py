"""Writes .npy arrays for examples/mlp.json and examples/gpt.json, each good
but for one value or its type or shape, into DIR.

For the MLP (x: [200, 64] pixels 0-15, y: [200] labels 0-9):
  x.npy, y.npy          good
  x-nan.npy             x[199, 5] is NaN
  x-inf.npy             x[3, 63] is -inf
  x-f8-huge.npy         <f8, x[150, 0] is 1e300, beyond the float range
  x-narrow.npy          [200, 63]
  y-label10.npy         y[199] is 10, beyond the 10 classes
  y-negative.npy        y[42] is -1
  y-float.npy           <f4 labels
For the GPT (tokens, targets: [40, 64] byte ids, a vocabulary of 128):
  tokens.npy, targets.npy  good (<i2, |u1)
  tokens-128.npy        tokens[37, 5] is 128
  targets-200.npy       targets[0, 63] is 200

Usage: bad_arrays.py DIR
"""

import os
import sys

# The .npy writer the lit tests share, in tests/lit/Inputs.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Inputs"))
from npy_file import write_npy  # noqa: E402


def with_value(values, index, value):
    changed = list(values)
    changed[index] = value
    return changed


def main():
    out = sys.argv[1] + "/"
    rows, features = 200, 64
    x = [float((r + i) % 16) for r in range(rows) for i in range(features)]
    y = [r % 10 for r in range(rows)]
    write_npy(out + "x.npy", "<f4", (rows, features), x)
    write_npy(out + "y.npy", "<i8", (rows,), y)
    write_npy(out + "x-nan.npy", "<f4", (rows, features),
              with_value(x, 199 * features + 5, float("nan")))
    write_npy(out + "x-inf.npy", "<f4", (rows, features),
              with_value(x, 3 * features + 63, float("-inf")))
    write_npy(out + "x-f8-huge.npy", "<f8", (rows, features),
              with_value(x, 150 * features, 1e300))
    write_npy(out + "x-narrow.npy", "<f4", (rows, features - 1),
              x[: rows * (features - 1)])
    write_npy(out + "y-label10.npy", "<i8", (rows,), with_value(y, 199, 10))
    write_npy(out + "y-negative.npy", "<i8", (rows,), with_value(y, 42, -1))
    write_npy(out + "y-float.npy", "<f4", (rows,), [float(v) for v in y])

    windows, length = 40, 64
    text = [97 + (w * 7 + t) % 26 for w in range(windows) for t in range(length)]
    write_npy(out + "tokens.npy", "<i2", (windows, length), text)
    write_npy(out + "targets.npy", "|u1", (windows, length), text)
    write_npy(out + "tokens-128.npy", "<i2", (windows, length),
              with_value(text, 37 * length + 5, 128))
    write_npy(out + "targets-200.npy", "|u1", (windows, length),
              with_value(text, 63, 200))


if __name__ == "__main__":
    main()
