"""Writes x.npy and y.npy for examples/mlp.json: ordinary pixel values.

x ([rows, 64] float32) holds the values 0-15, y ([rows] int64) labels 0-9.
mpc-run refuses data holding inf or NaN, so a model that overflows on every
row scales its inputs past the float range. Usage: overflow_data.py DIR [ROWS]
"""

import os
import sys

# The .npy writer the lit tests share, in tests/lit/Inputs.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Inputs"))
from npy_file import write_npy  # noqa: E402


def main():
    directory = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    features = []
    for row in range(rows):
        features.extend(float((row + i) % 16) for i in range(64))
    write_npy(directory + "/x.npy", "<f4", (rows, 64), features)
    write_npy(directory + "/y.npy", "<i8", (rows,), [r % 10 for r in range(rows)])


if __name__ == "__main__":
    main()
