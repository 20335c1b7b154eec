"""Copies safetensors checkpoint IN to OUT with metadata KEY set to VALUE,
whose backslash escapes (\\n, \\x1b, ...) are decoded first.

Usage: set_metadata.py IN OUT KEY VALUE
"""

import codecs
import json
import struct
import sys


def main():
    source, target, key, value = sys.argv[1:5]
    with open(source, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    header["__metadata__"][key] = codecs.decode(value, "unicode_escape")
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(target, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data[8 + length :])


if __name__ == "__main__":
    main()
