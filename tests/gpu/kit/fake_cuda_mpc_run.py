#!/usr/bin/env python3
"""Stands in for the kit's mpc-run on a machine without a GPU, so the GPU
kit's training check can be tested here: `mpc-run ARTIFACT --device cuda ...`
runs the example graph the artifact was compiled from on the CPU reference
executor (MPC_FAKE_MPC_RUN, the compiler's mpc-run) with the artifact's
dtype; --cuda-sync is dropped. MPC_FAKE_SHIFT=NAME adds 0.5 to every loss
the artifact NAME prints, as a backend that trains wrong would.
"""

import os
import re
import subprocess
import sys

STEP = re.compile(r"^(step \d+/\d+  loss )(\S+)(.*)$")


def main(argv):
    artifact, rest = argv[0], [a for a in argv[1:] if a != "--cuda-sync"]
    name = os.path.basename(os.path.normpath(artifact))
    model, dtype = name.rsplit("-", 1)
    examples = os.environ["MPC_FAKE_EXAMPLES"]
    rest[rest.index("--device") + 1] = "cpu"
    result = subprocess.run(
        [os.environ["MPC_FAKE_MPC_RUN"], os.path.join(examples, model + ".json"),
         "--dtype", dtype] + rest, stdout=subprocess.PIPE, text=True)
    shift = 0.5 if os.environ.get("MPC_FAKE_SHIFT") == name else 0.0
    for line in result.stdout.splitlines():
        match = STEP.match(line)
        if match and shift:
            line = f"{match.group(1)}{float(match.group(2)) + shift:.4f}{match.group(3)}"
        print(line)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
