#!/usr/bin/env python3
"""--save never leaves a damaged or half-written checkpoint. A run given
--save over an existing checkpoint that fails (on its data, on its resume
checkpoint, after training when it evaluates, or while saving) exits with
status 1 and one line on stderr, leaves the old checkpoint byte-identical,
and leaves no temporary file. A run that succeeds replaces the checkpoint
with a complete one that resumes."""

import os
import tempfile

import mpc_e2e


def csv_row(label, features=64):
    return ",".join([str((i * 7 + label) % 17) for i in range(features)]
                    + [str(label)])


def write(path, text):
    with open(path, "w", encoding="ascii") as f:
        f.write(text)
    return path


def check_failure(paths, label, argv, directory, checkpoint, before):
    """Runs `argv`, which must fail, and checks that the directory holds the
    same files as `before` and the checkpoint the same bytes."""
    listing = sorted(os.listdir(directory))
    old = mpc_e2e.read_bytes(checkpoint)
    result = mpc_e2e.run(argv, expect_status=1)
    lines = result.stderr.splitlines()
    mpc_e2e.check(len(lines) == 1 and lines[0].startswith("mpc-run: "),
                  f"{label}: expected one 'mpc-run: ' line on stderr, got:\n"
                  f"{result.stderr}")
    after = sorted(os.listdir(directory))
    mpc_e2e.check(after == listing,
                  f"{label}: the directory changed: {listing} -> {after}")
    mpc_e2e.check(mpc_e2e.read_bytes(checkpoint) == old == before,
                  f"{label}: {checkpoint} changed")
    print(f"{label}: exit 1, '{lines[0]}'; checkpoint unchanged, "
          f"no temporary file")


def main():
    paths = mpc_e2e.parse_arguments(__doc__)
    with tempfile.TemporaryDirectory(prefix="mpc-atomic-") as root:
        # Inputs live apart from the checkpoint's directory, which must hold
        # nothing but the checkpoint.
        inputs = os.path.join(root, "inputs")
        saves = os.path.join(root, "saves")
        os.mkdir(inputs)
        os.mkdir(saves)
        checkpoint = os.path.join(saves, "model.ckpt")
        mlp = [paths.mpc_run, paths.mlp, "--device", "cpu"]
        digits = ["--data", paths.digits]

        mpc_e2e.run(mlp + digits + ["--steps", "3", "--save", checkpoint])
        original = mpc_e2e.read_bytes(checkpoint)
        print(f"saved a 3-step checkpoint of {len(original)} bytes")

        # Data that fails to load: a label the 10-class MLP cannot predict.
        labels = write(os.path.join(inputs, "labels.csv"),
                       "\n".join(csv_row(l) for l in (1, 2, 12, 3)) + "\n")
        check_failure(paths, "label out of range",
                      mlp + ["--data", labels, "--steps", "5",
                             "--save", checkpoint],
                      saves, checkpoint, original)

        # A resume checkpoint that is damaged.
        damaged = os.path.join(inputs, "damaged.ckpt")
        with open(damaged, "wb") as f:
            f.write(original[: len(original) // 2])
        check_failure(paths, "truncated resume checkpoint",
                      mlp + digits + ["--steps", "5", "--resume", damaged,
                                      "--save", checkpoint],
                      saves, checkpoint, original)

        # The checkpoint itself, resumed and saved over, of another graph.
        check_failure(paths, "checkpoint of another graph",
                      [paths.mpc_run, paths.gpt, "--data", paths.fortunes,
                       "--steps", "5", "--resume", checkpoint,
                       "--save", checkpoint],
                      saves, checkpoint, original)

        # 40 rows: 32 train and 8 validation, fewer than the batch of 32;
        # the run cannot evaluate, and must not save what it trained.
        small = write(os.path.join(inputs, "small.csv"),
                      "\n".join(csv_row(i % 10) for i in range(40)) + "\n")
        check_failure(paths, "validation split smaller than a batch",
                      mlp + ["--data", small, "--steps", "5",
                             "--save", checkpoint],
                      saves, checkpoint, original)

        # Saving itself fails: the target is a directory, so the rename of
        # the finished temporary file fails and the temporary is removed.
        target = os.path.join(saves, "folder.ckpt")
        os.mkdir(target)
        check_failure(paths, "save onto a directory",
                      mlp + digits + ["--steps", "2", "--save", target],
                      saves, checkpoint, original)
        mpc_e2e.check(os.listdir(target) == [],
                      f"the directory {target} was written into")
        os.rmdir(target)

        # A run that succeeds replaces the checkpoint, completely.
        log = mpc_e2e.run(mlp + digits + ["--steps", "6", "--resume",
                                          checkpoint, "--save",
                                          checkpoint]).stdout
        mpc_e2e.check(f"saved {checkpoint} at step 6" in log.splitlines(),
                      f"the successful run did not report saving:\n{log}")
        replaced = mpc_e2e.read_bytes(checkpoint)
        mpc_e2e.check(replaced != original,
                      "the successful run left the old checkpoint")
        mpc_e2e.check(os.listdir(saves) == ["model.ckpt"],
                      f"files beside the checkpoint: {os.listdir(saves)}")
        log = mpc_e2e.run(mlp + digits + ["--steps", "6", "--resume",
                                          checkpoint]).stdout
        mpc_e2e.check(f"resumed from {checkpoint} at step 6"
                      in log.splitlines(),
                      f"the replaced checkpoint does not resume:\n{log}")
        print(f"a successful run replaced it ({len(replaced)} bytes, "
              f"resumes at step 6), no temporary file")
    print("PASS")


if __name__ == "__main__":
    main()
