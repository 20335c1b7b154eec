"""mpc's counter-based random numbers in Python, bit for bit.

The same draws as runtime/driver/Random.h (SplitMix64 mix, hash, uniform01,
below), runtime/driver/ParamInit.cpp (parameter initializers: Box-Muller
normals, FNV-1a stream per name) and runtime/driver/CharCorpusDataset.cpp
(training windows of a character corpus). A model run by another framework
from these starts from mpc's initial weights and sees mpc's batches.

Integer arithmetic wraps modulo 2^64 as in C++. The initializers are
vectorized with numpy; numpy's float64 log and cos may differ from the C
library's in the last bits, so every element whose float32 rounding such a
difference could change is recomputed with Python's math module (the C
library's functions, as mpc calls them).
"""

import math

import numpy as np

MASK = (1 << 64) - 1


def mix(x):
    """SplitMix64's finalizer on a Python int."""
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def hash3(seed, a, b):
    """64 random bits for counter b of stream a under seed."""
    return mix(mix(mix(seed) ^ (a & MASK)) ^ (b & MASK))


def below(bits, n):
    """An integer in [0, n) from 64 bits: the high half of bits * n."""
    return (bits * n) >> 64


def name_hash(name):
    """FNV-1a of a parameter's name (its UTF-8 bytes)."""
    h = 0xCBF29CE484222325
    for c in name.encode("utf-8"):
        h = ((h ^ c) * 0x100000001B3) & MASK
    return h


def _mix_array(x):
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _hash_array(stream, index, b):
    """hash3(stream, index[i], b) for a uint64 array of counters."""
    return _mix_array(_mix_array(index ^ np.uint64(mix(stream))) ^ np.uint64(b))


def _uniform01_array(bits):
    return (bits >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _uniform01(bits):
    return float(bits >> 11) * 2.0**-53


def _normal(stream, i):
    """One Box-Muller draw exactly as ParamInit.cpp computes it."""
    u1 = _uniform01(hash3(stream, i, 0))
    u2 = _uniform01(hash3(stream, i, 1))
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


def _uniform(stream, i, low, high):
    return low + (high - low) * _uniform01(hash3(stream, i, 2))


def _near_rounding_boundary(values, rounded):
    """Elements whose float32 rounding a few-ulp float64 error could flip."""
    r64 = rounded.astype(np.float64)
    toward = np.where(values >= r64, np.inf, -np.inf).astype(np.float32)
    neighbour = np.nextafter(rounded, toward).astype(np.float64)
    midpoint = (r64 + neighbour) * 0.5
    return np.abs(values - midpoint) <= np.abs(values) * 2.0**-40


def init_stream(name, run_seed, seed):
    """The stream of a parameter: its init's own seed, else (run seed, name)."""
    if seed is not None:
        return mix(seed)
    return hash3(run_seed, name_hash(name), 3)


def init_values(init, name, shape, run_seed):
    """A float32 array as mpc initializes param `name` of `shape`.

    `init` is the graph's init object ({"kind": ..., arguments, "seed"}),
    with the graph format's defaults for missing arguments.
    """
    kind = init["kind"]
    n = int(np.prod(shape, dtype=np.int64))
    if kind == "zeros":
        return np.zeros(shape, np.float32)
    if kind == "ones":
        return np.ones(shape, np.float32)
    if kind == "constant":
        return np.full(shape, float(init["value"]), np.float32)
    stream = init_stream(name, run_seed, init.get("seed"))
    fan_in = float(shape[-2]) if len(shape) >= 2 else 1.0
    fan_out = float(shape[-1]) if len(shape) >= 2 else 1.0
    if kind in ("normal", "xavier_normal"):
        if kind == "normal":
            first, second = float(init.get("mean", 0.0)), float(init.get("std", 1.0))
        else:
            first = float(init.get("gain", 1.0)) * math.sqrt(2.0 / (fan_in + fan_out))
            second = None

        def scalar(i):
            draw = _normal(stream, i)
            return first * draw if second is None else first + second * draw
    elif kind in ("uniform", "xavier_uniform"):
        if kind == "uniform":
            low, high = float(init.get("low", 0.0)), float(init.get("high", 1.0))
        else:
            bound = float(init.get("gain", 1.0)) * math.sqrt(6.0 / (fan_in + fan_out))
            low, high = -bound, bound

        def scalar(i):
            return _uniform(stream, i, low, high)
    else:
        raise ValueError("param '%s': unknown init kind '%s'" % (name, kind))

    out = np.empty(n, np.float32)
    chunk = 1 << 22
    for start in range(0, n, chunk):
        index = np.arange(start, min(n, start + chunk), dtype=np.uint64)
        if kind in ("normal", "xavier_normal"):
            u1 = _uniform01_array(_hash_array(stream, index, 0))
            u2 = _uniform01_array(_hash_array(stream, index, 1))
            draw = np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * math.pi * u2)
            values = first * draw if second is None else first + second * draw
        else:
            u = _uniform01_array(_hash_array(stream, index, 2))
            values = low + (high - low) * u
        rounded = values.astype(np.float32)
        for j in np.nonzero(_near_rounding_boundary(values, rounded))[0]:
            rounded[j] = np.float32(scalar(start + int(j)))
        out[start:start + len(index)] = rounded
    return out.reshape(shape)


def corpus_training_length(length):
    """The bytes of a corpus of `length` bytes that train (the first 90%)."""
    return length // 10 * 9 + length % 10 * 9 // 10


def corpus_batch(text, seed, step, batch, window):
    """Training batch `step` of a character corpus as mpc-run draws it.

    Returns (tokens, targets), int64 arrays of shape [batch, window]: row b
    is the window at offset below(hash(seed, step, b), train_length - window)
    and the targets are the tokens shifted by one.
    """
    starts = corpus_training_length(len(text)) - window
    tokens = np.empty((batch, window), np.int64)
    targets = np.empty((batch, window), np.int64)
    data = np.frombuffer(text, np.uint8)
    for b in range(batch):
        offset = below(hash3(seed, step, b), starts)
        tokens[b] = data[offset:offset + window]
        targets[b] = data[offset + 1:offset + window + 1]
    return tokens, targets
