"""Reads an mpc checkpoint (runtime/driver/Checkpoint.h) without extra packages.

A checkpoint is a safetensors file: an 8-byte little-endian header length N,
N bytes of JSON header ({name: {"dtype", "shape", "data_offsets"}, plus
"__metadata__"}), then the raw little-endian tensor data. mpc writes F32 and
I64 tensors.
"""

import json
import struct

import numpy as np

_DTYPES = {"F32": np.dtype("<f4"), "I64": np.dtype("<i8"), "F16": np.dtype("<f2"),
           "I32": np.dtype("<i4")}


def read_checkpoint(path):
    """Returns (metadata dict, {name: numpy array}) of the checkpoint at path."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError("%s: too short for a safetensors header" % path)
    (size,) = struct.unpack("<Q", blob[:8])
    if 8 + size > len(blob):
        raise ValueError("%s: header length %d exceeds the file" % (path, size))
    header = json.loads(blob[8:8 + size].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = memoryview(blob)[8 + size:]
    tensors = {}
    for name, entry in header.items():
        dtype = _DTYPES.get(entry["dtype"])
        if dtype is None:
            raise ValueError("%s: tensor '%s' has unsupported dtype %s"
                             % (path, name, entry["dtype"]))
        begin, end = entry["data_offsets"]
        shape = tuple(entry["shape"])
        count = int(np.prod(shape, dtype=np.int64))
        if end - begin != count * dtype.itemsize or end > len(data):
            raise ValueError("%s: tensor '%s' has bad data offsets" % (path, name))
        tensors[name] = np.frombuffer(data[begin:end], dtype).reshape(shape).copy()
    return metadata, tensors
