"""Writes .npy files (format 1.0, C order) without numpy, for lit tests."""

import struct

# The struct code of each dtype the tests write.
FORMATS = {"<f4": "f", "<f8": "d", "<i8": "q", "<i2": "h", "|u1": "B"}


def write_npy(path, descr, shape, values):
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
        out.write(struct.pack("<%d%s" % (len(values), FORMATS[descr]), *values))
