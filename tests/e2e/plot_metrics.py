#!/usr/bin/env python3
"""scripts/mpc-plot draws real runs' metrics, and refuses bad input.

Three short runs of the digits MLP (f32, bf16, and f16 starting at a loss
scale that overflows, so the scale backs off) write metrics files; mpc-plot
draws them overlaid into a PNG, which must be a valid PNG of 1000 x 900
pixels (decoded here, CRCs and all) with content: enough non-white pixels,
and the colour of each of the three runs. The SVG of the same runs must
parse and hold the panels' titles. Bad input (an empty, malformed or
unknown-version file, a missing one, an output of another kind) must give
one line on stderr, exit status 1, and no picture.

mpc-plot runs with /usr/bin/python3 and Debian's matplotlib
(python3-matplotlib, which scripts/install-deps.sh installs); without it
the test reports itself skipped (exit status 77)."""

import os
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
import zlib

import mpc_e2e

SKIPPED = 77
WIDTH, HEIGHT = 1000, 900
# matplotlib's first three colours (tab:blue, tab:orange, tab:green): one
# per run, in the order the files are given.
RUN_COLOURS = {"f32": (0x1F, 0x77, 0xB4), "bf16": (0xFF, 0x7F, 0x0E),
               "f16": (0x2C, 0xA0, 0x2C)}


def decode_png(path):
    """(width, height, rows of (r, g, b) pixels) of an 8-bit RGB or RGBA
    PNG; fails on anything malformed."""
    data = mpc_e2e.read_bytes(path)
    mpc_e2e.check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: no PNG signature")
    at, chunks = 8, []
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        crc = struct.unpack(">I", data[at + 8 + length:at + 12 + length])[0]
        mpc_e2e.check(zlib.crc32(kind + body) == crc,
                      f"{path}: bad CRC in chunk {kind}")
        chunks.append((kind, body))
        at += 12 + length
    mpc_e2e.check(chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND",
                  f"{path}: chunks {[c[0] for c in chunks]}")
    width, height, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    mpc_e2e.check(depth == 8 and colour in (2, 6),
                  f"{path}: depth {depth}, colour type {colour}")
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    stride = width * channels
    mpc_e2e.check(len(raw) == height * (stride + 1),
                  f"{path}: {len(raw)} bytes of pixels for {width}x{height}")
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else \
                    up if pb <= pc else corner
                line[x] = (line[x] + predictor) & 0xFF
            else:
                mpc_e2e.check(kind == 0, f"{path}: filter {kind} in row {y}")
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, channels)])
        previous = line
    return width, height, rows


def check_png(path):
    width, height, rows = decode_png(path)
    mpc_e2e.check((width, height) == (WIDTH, HEIGHT),
                  f"{path}: {width}x{height}, expected {WIDTH}x{HEIGHT}")
    pixels = [pixel for row in rows for pixel in row]
    inked = sum(1 for pixel in pixels if pixel != (255, 255, 255))
    mpc_e2e.check(inked > 0.02 * len(pixels),
                  f"{path}: only {inked} of {len(pixels)} pixels are not "
                  f"white: the picture is blank")
    present = set(pixels)
    for run, colour in RUN_COLOURS.items():
        near = sum(1 for pixel in present
                   if max(abs(a - b) for a, b in zip(pixel, colour)) <= 8)
        mpc_e2e.check(near > 0, f"{path}: no pixel in the colour of the "
                                f"{run} run {colour}")
    print(f"{path}: {width}x{height}, {inked} inked pixels, "
          f"the three runs' colours")


def plot(plotter, argv, expect_status=0):
    return mpc_e2e.run([plotter] + argv, expect_status=expect_status)


def check_refused(plotter, directory, name, contents, expected):
    metrics = os.path.join(directory, name)
    if contents is not None:
        with open(metrics, "wb") as f:
            f.write(contents)
    output = os.path.join(directory, f"{name}.png")
    result = plot(plotter, [metrics, "-o", output], expect_status=1)
    lines = result.stderr.splitlines()
    mpc_e2e.check(len(lines) == 1 and lines[0].startswith(
                      f"mpc-plot: {metrics}{expected}"),
                  f"{name}: stderr {result.stderr!r}, expected "
                  f"'mpc-plot: {metrics}{expected}...'")
    mpc_e2e.check(not os.path.exists(output),
                  f"{name}: a picture was written for bad input")
    print(f"refused {name}: {lines[0]}")


def main():
    paths = mpc_e2e.parse_arguments(__doc__)
    plotter = os.path.join(paths.source_dir, "scripts", "mpc-plot")
    if subprocess.run(["/usr/bin/python3", "-c", "import matplotlib"],
                      capture_output=True).returncode != 0:
        print("SKIPPED: /usr/bin/python3 has no matplotlib "
              "(install python3-matplotlib)")
        sys.exit(SKIPPED)
    with tempfile.TemporaryDirectory() as directory:
        files = []
        for dtype in RUN_COLOURS:
            metrics = os.path.join(directory, f"{dtype}.jsonl")
            extra = ["--init-scale", "16777216"] if dtype == "f16" else []
            mpc_e2e.run([paths.mpc_run, paths.mlp, "--data", paths.digits,
                         "--steps", "60", "--log-every", "5", "--eval-every",
                         "20", "--dtype", dtype, "--metrics", metrics]
                        + extra)
            files.append(metrics)

        png = os.path.join(directory, "curves.png")
        plot(plotter, files + ["-o", png])
        check_png(png)
        svg = os.path.join(directory, "curves.svg")
        plot(plotter, files + ["-o", svg, "--label", "A", "--label", "B",
                               "--label", "C"])
        root = ElementTree.parse(svg).getroot()
        mpc_e2e.check(root.tag == "{http://www.w3.org/2000/svg}svg",
                      f"{svg}: root element {root.tag}")
        text = mpc_e2e.read_bytes(svg).decode("utf-8")
        for title in ("loss scale", "throughput", "A train", "C skipped steps"):
            mpc_e2e.check(title in text, f"{svg}: no '{title}'")
        print(f"{svg}: SVG with every panel and the given labels")

        check_refused(plotter, directory, "empty.jsonl", b"",
                      ": no records (an empty file)")
        good = mpc_e2e.read_bytes(files[0])
        bad_line = len(good.splitlines()) + 1
        check_refused(plotter, directory, "malformed.jsonl",
                      good + b"{\"event\": step}\n",
                      f":{bad_line}: not JSON")
        version = mpc_e2e.read_bytes(files[0]).replace(b'"version":1',
                                                       b'"version":2', 1)
        check_refused(plotter, directory, "version.jsonl", version,
                      ":1: metrics format version 2")
        check_refused(plotter, directory, "missing.jsonl", None,
                      ": cannot read")
        result = plot(plotter, [files[0], "-o",
                                os.path.join(directory, "curves.gif")],
                      expect_status=1)
        mpc_e2e.check("must end in .png, .svg or .pdf" in result.stderr,
                      f"a .gif output: {result.stderr!r}")
    print("PASS")


if __name__ == "__main__":
    main()
