#!/usr/bin/env python3
"""Check that docs/graph.schema.json accepts every graph mpc imports.

Usage: schema_accepts_importable.py MPC_OPT FILE...

The schema cannot check what needs the whole graph (names, shapes), so it
may accept graphs the importer rejects; it must never reject one the
importer accepts. Exits 1 on such a graph, or when jsonschema is missing.
"""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 1
    try:
        import jsonschema
    except ImportError:
        print("error: the jsonschema package is needed "
              "(apt-get install python3-jsonschema)", file=sys.stderr)
        return 1
    with open(os.path.join(ROOT, "docs", "graph.schema.json"), encoding="utf-8") as f:
        validator = jsonschema.Draft202012Validator(json.load(f))

    mpc_opt, files = argv[0], argv[1:]
    imported = disagreements = 0
    for path in files:
        run = subprocess.run([mpc_opt, path, "-o", os.devnull],
                             capture_output=True)
        if run.returncode != 0:
            continue
        with open(path, "rb") as f:
            try:
                graph = json.loads(f.read())
            except ValueError:
                continue  # mpc-opt read it as MLIR, not as a graph
        imported += 1
        errors = list(validator.iter_errors(graph))
        for error in errors[:1]:
            print("%s: error: imports, but the schema rejects it: %s" % (path, error.message),
                  file=sys.stderr)
        disagreements += bool(errors)
    print("%d of %d graphs import; the schema rejects %d of those"
          % (imported, len(files), disagreements))
    return 1 if disagreements or imported == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
