"""An ONNX fixture (tests/fixtures/onnx/NAME, written by
scripts/onnx-fixtures.py from a PyTorch model) imports into mpc, computes
PyTorch's loss and gradients at initialization, and trains.

  1. `mpc-run model.onnx --forward --gradients-out` in f32 on the fixture's
     batch (every DIR/<input>.npy): the loss is PyTorch's within a relative
     1e-5, and every parameter's gradient is PyTorch's within 1e-5 of the
     tensor's largest magnitude, max|mpc - torch| <= 1e-5 * max|torch|.
     Both sides compute in f32, whose unit roundoff is 2^-24 = 6e-8; they
     differ only in the order of their sums (reductions over up to a few
     hundred terms, a few dozen ops deep), which moves a result by tens of
     roundoffs of the tensor's scale: 1e-7 measured on the MLP, up to 6e-7
     on the GPT-2 and LLaMA graphs. 1e-5 is 170 roundoffs: a wrong gradient
     (a missing term, a transposed operand, a wrong scale) is off by a
     sizeable fraction of the scale and fails it by orders of magnitude.
  2. 20 AdamW steps on DIR/train/ in f32, bf16 and f16 (dynamic loss
     scaling): the mean loss of the last 5 steps is at least --min-drop
     below the first step's.
"""

import json
import os
import tempfile

import numpy as np

import mpc_e2e
from mpc_e2e import check, fail, run

# See the module docstring: f32 rounding differences between two correct
# implementations stay well below these.
LOSS_TOLERANCE = 1e-5
GRADIENT_TOLERANCE = 1e-5
STEPS = 20
LAST_STEPS = 5


def add_arguments(parser):
    parser.add_argument("--fixture", required=True,
                        help="the fixture's directory (holds model.onnx)")
    parser.add_argument("--learning-rate", required=True,
                        help="AdamW's learning rate for the training check")
    parser.add_argument("--min-drop", type=float, required=True,
                        help="how far, in nats, the loss must fall in %d "
                             "steps" % STEPS)


def fixture_inputs(fixture):
    """{input name: path}: every .npy beside the model but the loss."""
    return {name[:-len(".npy")]: os.path.join(fixture, name)
            for name in sorted(os.listdir(fixture))
            if name.endswith(".npy") and name != "loss.npy"}


def check_gradients(paths, fixture, model, work):
    inputs = fixture_inputs(fixture)
    check(inputs, "%s holds no input .npy files" % fixture)
    argv = [paths.mpc_run, model, "--forward", "--output-dir",
            os.path.join(work, "out"), "--gradients-out",
            os.path.join(work, "grads")]
    for name, path in inputs.items():
        argv += ["--input", "%s=%s" % (name, path)]
    run(argv)

    torch_loss = float(np.load(os.path.join(fixture, "loss.npy")))
    mpc_loss = float(np.load(os.path.join(work, "out", "loss.npy")))
    loss_error = abs(mpc_loss - torch_loss) / abs(torch_loss)
    print("loss: mpc %.8f, torch %.8f, relative error %.2e"
          % (mpc_loss, torch_loss, loss_error))
    check(loss_error <= LOSS_TOLERANCE,
          "the loss differs from PyTorch's by %.2e (relative), over %.0e"
          % (loss_error, LOSS_TOLERANCE))

    expected = sorted(os.listdir(os.path.join(fixture, "grads")))
    written = sorted(os.listdir(os.path.join(work, "grads")))
    check(written == expected,
          "mpc's gradients are for params %s, PyTorch's for %s"
          % (written, expected))
    worst = 0.0
    for name in expected:
        torch_grad = np.load(os.path.join(fixture, "grads", name))
        mpc_grad = np.load(os.path.join(work, "grads", name))
        check(mpc_grad.shape == torch_grad.shape,
              "%s: mpc's gradient has shape %s, PyTorch's %s"
              % (name, mpc_grad.shape, torch_grad.shape))
        scale = float(np.max(np.abs(torch_grad)))
        check(scale > 0, "%s: PyTorch's gradient is zero; the fixture "
                         "checks nothing there" % name)
        error = float(np.max(np.abs(mpc_grad.astype(np.float64) -
                                    torch_grad.astype(np.float64)))) / scale
        print("  %-44s max|torch| %.3e  max error / max|torch| %.2e"
              % (name[:-len(".npy")], scale, error))
        check(error <= GRADIENT_TOLERANCE,
              "%s: mpc's gradient is off PyTorch's by %.2e of its scale, "
              "over %.0e" % (name, error, GRADIENT_TOLERANCE))
        worst = max(worst, error)
    print("gradients: %d params, largest error %.2e of the tensor's scale"
          % (len(expected), worst))


def step_losses(metrics):
    with open(metrics) as f:
        records = [json.loads(line) for line in f]
    return [r["loss"] for r in records if r.get("event") == "step"]


def check_training(paths, fixture, model, work, learning_rate, min_drop):
    train = os.path.join(fixture, "train")
    data = []
    for name in sorted(os.listdir(train)):
        if name.endswith(".npy"):
            data += ["--data", "%s=%s" % (name[:-len(".npy")],
                                          os.path.join(train, name))]
    for dtype in ("f32", "bf16", "f16"):
        metrics = os.path.join(work, dtype + ".jsonl")
        run([paths.mpc_run, model] + data +
            ["--steps", str(STEPS), "--log-every", "1", "--dtype", dtype,
             "--optimizer", "adamw", "--learning-rate", learning_rate,
             "--seed", "0", "--metrics", metrics])
        losses = step_losses(metrics)
        check(len(losses) == STEPS, "%s: %d step losses logged, expected %d"
              % (dtype, len(losses), STEPS))
        check(all(np.isfinite(losses)), "%s: a loss is not finite: %s"
              % (dtype, losses))
        last = float(np.mean(losses[-LAST_STEPS:]))
        drop = losses[0] - last
        print("%-4s: loss %.4f at step 1, %.4f over the last %d steps: "
              "falls %.4f" % (dtype, losses[0], last, LAST_STEPS, drop))
        check(drop >= min_drop,
              "%s: the loss falls %.4f in %d steps, less than %.4f"
              % (dtype, drop, STEPS, min_drop))


def main():
    paths = mpc_e2e.parse_arguments(__doc__, add_arguments)
    fixture = paths.args.fixture
    model = os.path.join(fixture, "model.onnx")
    if not os.path.isfile(model):
        fail("%s is missing" % model)
    with tempfile.TemporaryDirectory() as work:
        check_gradients(paths, fixture, model, work)
        check_training(paths, fixture, model, work, paths.args.learning_rate,
                       paths.args.min_drop)
    print("ok")


if __name__ == "__main__":
    main()
