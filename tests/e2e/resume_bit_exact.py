#!/usr/bin/env python3
"""A resumed run continues bit-exactly. Run A trains N steps in one go; run
B trains K steps, saves, and a second process resumes from that checkpoint
to N. B's losses after K must equal A's, and the checkpoints A and B save at
step N must be byte-identical: parameters, optimizer state, step and seed.

Checked for both examples (the GPT for a few steps) and for each optimizer:
AdamW (the graphs' own setting), SGD and momentum (modules compiled with
mpc-opt), every run with --seed 3. Last, the MLP's run is resumed without
--seed: the run's seed is in the checkpoint, so it must continue the same
way (the seed picks the batch order and the train/validation split)."""

import os
import tempfile

import mpc_e2e

SEED = "3"
OPTIMIZERS = [
    ("adamw", None),
    ("sgd", "optimizer=sgd learning-rate=0.1"),
    ("momentum", "optimizer=momentum learning-rate=0.05 momentum=0.9"),
]


def train(paths, model, data, steps, directory, name, extra=()):
    """Runs mpc-run; returns its log and the path of the checkpoint it saved."""
    checkpoint = os.path.join(directory, f"{name}.ckpt")
    argv = [paths.mpc_run, model, "--data", data, "--steps", str(steps),
            "--log-every", "1", "--device", "cpu", "--save", checkpoint]
    log = mpc_e2e.run(argv + list(extra)).stdout
    mpc_e2e.check(f"saved {checkpoint} at step {steps}" in log.splitlines(),
                  f"run {name} did not report saving {checkpoint} at step "
                  f"{steps}:\n{log}")
    return log, checkpoint


def check_case(paths, label, model, data, total, split, directory,
               resume_seed=("--seed", SEED)):
    """Runs A and B and compares them; `resume_seed` are the seed flags of
    the resumed run."""
    log_a, ckpt_a = train(paths, model, data, total, directory, "A",
                          ["--seed", SEED])
    log_b1, ckpt_b1 = train(paths, model, data, split, directory, "B1",
                            ["--seed", SEED])
    log_b2, ckpt_b2 = train(paths, model, data, total, directory, "B2",
                            ["--resume", ckpt_b1, *resume_seed])

    mpc_e2e.check(f"resumed from {ckpt_b1} at step {split}"
                  in log_b2.splitlines(),
                  f"{label}: the resumed run did not report resuming at step "
                  f"{split}:\n{log_b2}")
    losses_a = mpc_e2e.step_losses(log_a)
    losses_b1 = mpc_e2e.step_losses(log_b1)
    losses_b2 = mpc_e2e.step_losses(log_b2)
    mpc_e2e.check(sorted(losses_a) == list(range(1, total + 1)),
                  f"{label}: run A logged steps {sorted(losses_a)}")
    mpc_e2e.check(losses_b1 == {s: losses_a[s] for s in range(1, split + 1)},
                  f"{label}: the first {split} steps differ between runs A "
                  f"and B: {losses_a} vs {losses_b1}")
    expected = {s: losses_a[s] for s in range(split + 1, total + 1)}
    mpc_e2e.check(losses_b2 == expected,
                  f"{label}: the resumed run's losses differ from run A's:\n"
                  + "\n".join(f"  step {s}: A {expected.get(s)}  "
                              f"resumed {losses_b2.get(s)}"
                              for s in sorted(set(expected) | set(losses_b2))))
    final_a = mpc_e2e.evaluations(log_a)[-1].line
    final_b2 = mpc_e2e.evaluations(log_b2)[-1].line
    mpc_e2e.check(final_a == final_b2,
                  f"{label}: final evaluations differ:\n  A:       {final_a}\n"
                  f"  resumed: {final_b2}")

    bytes_a = mpc_e2e.read_bytes(ckpt_a)
    bytes_b1 = mpc_e2e.read_bytes(ckpt_b1)
    bytes_b2 = mpc_e2e.read_bytes(ckpt_b2)
    # The checkpoint must hold the training state: after more steps it differs.
    mpc_e2e.check(bytes_a != bytes_b1,
                  f"{label}: the checkpoints at step {split} and step {total} "
                  f"are identical; the checkpoint does not record training")
    if bytes_a != bytes_b2:
        first = next((i for i, (x, y) in enumerate(zip(bytes_a, bytes_b2))
                      if x != y), min(len(bytes_a), len(bytes_b2)))
        mpc_e2e.fail(f"{label}: {ckpt_a} ({len(bytes_a)} bytes) and {ckpt_b2} "
                     f"({len(bytes_b2)} bytes) differ, first at byte {first}")
    print(f"{label}: steps {split + 1}..{total} match "
          f"(step {total} loss {losses_a[total]}), checkpoints identical "
          f"({len(bytes_a)} bytes)")


def main():
    paths = mpc_e2e.parse_arguments(__doc__)
    examples = [
        ("mlp", paths.mlp, paths.digits, 20, 10),
        ("gpt", paths.gpt, paths.fortunes, 6, 3),
    ]
    for name, graph, data, total, split in examples:
        for optimizer, options in OPTIMIZERS:
            label = f"{name} {optimizer}"
            with tempfile.TemporaryDirectory(prefix="mpc-resume-") as directory:
                model = graph
                if options:
                    model = mpc_e2e.compile_step(
                        paths, graph, options,
                        os.path.join(directory, f"{name}-{optimizer}.mlir"))
                check_case(paths, label, model, data, total, split, directory)
    with tempfile.TemporaryDirectory(prefix="mpc-resume-") as directory:
        check_case(paths, "mlp adamw, resumed without --seed", paths.mlp,
                   paths.digits, 20, 10, directory, resume_seed=())
    print("PASS")


if __name__ == "__main__":
    main()
