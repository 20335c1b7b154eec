"""Writes x.npy and y.npy for examples/mlp.json: ordinary pixel values.

x ([rows, 64] float32) holds the values 0-15, y ([rows] int64) labels 0-9.
mpc-run refuses data holding inf or NaN, so a model that overflows on every
row scales its inputs past the float range. Usage: overflow_data.py DIR [ROWS]
"""

import struct
import sys


def write_npy(path, descr, shape, fmt, values):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr,
        "".join("%d, " % dim for dim in shape),
    )
    # The header is padded with spaces to a multiple of 64 bytes, newline last.
    padding = 64 - (10 + len(header) + 1) % 64
    header += " " * padding + "\n"
    with open(path, "wb") as out:
        out.write(b"\x93NUMPY\x01\x00")
        out.write(struct.pack("<H", len(header)))
        out.write(header.encode("latin1"))
        out.write(struct.pack("<%d%s" % (len(values), fmt), *values))


def main():
    directory = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    features = []
    for row in range(rows):
        features.extend(float((row + i) % 16) for i in range(64))
    write_npy(directory + "/x.npy", "<f4", (rows, 64), "f", features)
    write_npy(directory + "/y.npy", "<i8", (rows,), "q", [r % 10 for r in range(rows)])


if __name__ == "__main__":
    main()
