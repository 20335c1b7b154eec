#!/usr/bin/env python3
"""The reason for loss scaling, reproduced. examples/underflow.json is the
digits MLP with its loss weighted by 2^-20 and the learning rate raised by
2^20 (plain SGD, so in f32 it trains exactly like the unweighted MLP). Its
logit gradients, about 2^-25 (p - y), lie below f16's smallest subnormal
2^-24: cast to f16 for the backward matmuls they flush to zero and the
weights never move. With dynamic loss scaling (2^16) they are f16 normals
and the f16 run learns as well as the f32 one."""

import mpc_e2e

STEPS = 1000
STALLED = 20.0  # percent: 10 classes, chance is about 10%
MIN_ACCURACY = 95.0  # percent
MAX_GAP = 1.0  # percentage points


def train(paths, model, extra):
    argv = [paths.mpc_run, model, "--data", paths.digits,
            "--steps", str(STEPS), "--seed", "0", "--log-every", "500"] + extra
    log = mpc_e2e.run(argv).stdout
    evals = mpc_e2e.evaluations(log)
    mpc_e2e.check(evals and evals[-1].accuracy is not None,
                  f"{' '.join(extra)}: no eval line with accuracy:\n{log}")
    print(f"{' '.join(extra):<32} val_accuracy {evals[-1].accuracy:6.2f}%")
    return evals[-1].accuracy


def main():
    paths = mpc_e2e.parse_arguments(__doc__)
    model = paths.examples + "/underflow.json"
    f32 = train(paths, model, ["--dtype", "f32"])
    unscaled = train(paths, model, ["--dtype", "f16", "--loss-scaling", "none"])
    scaled = train(paths, model, ["--dtype", "f16"])

    mpc_e2e.check(f32 >= MIN_ACCURACY,
                  f"f32 reached only {f32:.2f}%: the model itself does not learn")
    mpc_e2e.check(unscaled <= STALLED,
                  f"f16 without loss scaling reached {unscaled:.2f}%: its "
                  f"gradients did not underflow")
    mpc_e2e.check(abs(scaled - f32) <= MAX_GAP,
                  f"f16 with loss scaling reached {scaled:.2f}%, more than "
                  f"{MAX_GAP} points from f32's {f32:.2f}%")
    print("PASS")


if __name__ == "__main__":
    main()
