#!/usr/bin/env python3
"""--check-numerics on the GPU finds what the CPU reference executor finds:
examples/sum_overflow.json in f16, whose f16 sum of the raw pixels
overflows, run 3 steps with `--check-numerics --numerics-report` on
`--device cuda` and on `--device cpu`, gives the same probes, the same
element, inf/NaN and produced-from-finite counts per probe, the same steps
and first culprits, and the same overflow findings.

Not compared: the counts the CPU takes from the f32 value before rounding
(overflowed_by_rounding, and flushed, since the device sees a value rounded
to zero as a zero; docs/mixed-precision.md), and max |x|, which may differ
in the last bit between the devices' sums.

Exits 77 (ctest's skip code) when the machine has no CUDA device.
"""

import json
import os
import tempfile

import mpc_e2e
from cuda_matches_cpu import skip_without_device

STEPS = 3
PROBE_FIELDS = ("function", "op", "location", "backward", "dtype", "nodes")
COUNT_FIELDS = ("elements", "non_finite", "produced_from_finite",
                "first_non_finite_step", "last_non_finite_step",
                "non_finite_steps", "first_culprit_steps")


def report(paths, device, directory):
    path = os.path.join(directory, f"{device}.json")
    model = os.path.join(paths.examples, "sum_overflow.json")
    mpc_e2e.run([paths.mpc_run, model, "--data", paths.digits, "--steps",
                 str(STEPS), "--seed", "0", "--dtype", "f16", "--device",
                 device, "--check-numerics", "--numerics-report", path])
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def overflows(op):
    return "overflow" in op["findings"]


def main():
    paths = mpc_e2e.parse_arguments(__doc__)
    skip_without_device(paths)
    with tempfile.TemporaryDirectory() as directory:
        cpu, cuda = (report(paths, device, directory)
                     for device in ("cpu", "cuda"))
    mpc_e2e.check(cpu["steps"] == cuda["steps"] == STEPS,
                  f"steps: cpu {cpu['steps']}, cuda {cuda['steps']}")
    mpc_e2e.check(len(cpu["ops"]) == len(cuda["ops"]) > 0,
                  f"probes: cpu {len(cpu['ops'])}, cuda {len(cuda['ops'])}")
    for index, (a, b) in enumerate(zip(cpu["ops"], cuda["ops"])):
        for field in PROBE_FIELDS + COUNT_FIELDS:
            mpc_e2e.check(a[field] == b[field],
                          f"probe {index} ({a['op']} {a['location']}): "
                          f"{field} is {a[field]!r} on the cpu, "
                          f"{b[field]!r} on cuda")
        mpc_e2e.check(overflows(a) == overflows(b),
                      f"probe {index} ({a['op']}): findings {a['findings']} "
                      f"on the cpu, {b['findings']} on cuda")
    flagged = [op["op"] for op in cpu["ops"] if overflows(op)]
    mpc_e2e.check(flagged, "the cpu flags no overflow: the graph changed")
    print(f"sum_overflow f16: {len(cpu['ops'])} probes agree over {STEPS} "
          f"steps; overflow flagged on both at {', '.join(flagged)}")


if __name__ == "__main__":
    main()
