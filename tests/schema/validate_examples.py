#!/usr/bin/env python3
"""Validate every examples/*.json against docs/graph.schema.json.

Usage: validate_examples.py [FILE...]   (default: all examples/*.json)

Exits 0 when every file validates, 1 when one does not or when the
jsonschema package (Debian: python3-jsonschema) is missing.
"""

import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = os.path.join(ROOT, "docs", "graph.schema.json")


def pointer(path):
    """JSON pointer (RFC 6901) for a jsonschema error path."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else ""


def main(argv):
    try:
        import jsonschema
    except ImportError:
        print("error: the jsonschema package is needed "
              "(apt-get install python3-jsonschema)", file=sys.stderr)
        return 1

    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    files = argv or sorted(glob.glob(os.path.join(ROOT, "examples", "*.json")))
    if not files:
        print("error: no examples/*.json found", file=sys.stderr)
        return 1

    failed = 0
    for path in files:
        shown = os.path.relpath(path, ROOT) if not argv else path
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print("%s: error: %s" % (shown, e), file=sys.stderr)
            failed += 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
        for e in errors:
            print("%s: error: %s (at %s)" % (shown, e.message, pointer(e.absolute_path)),
                  file=sys.stderr)
        if errors:
            failed += 1
        else:
            print("ok: %s" % shown)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
