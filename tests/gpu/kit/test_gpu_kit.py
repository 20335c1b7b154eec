#!/usr/bin/env python3
"""The GPU kit builds here, within its size, and its check behaves on a
machine without a GPU.

Usage: test_gpu_kit.py --source-dir ROOT --build-dir BUILD --work DIR

1. scripts/gpu-kit.sh --no-build builds a kit from BUILD into DIR/kit: the
   runtime-only mpc-run (no MLIR or LLVM library), the kernel tests, the
   runtime library, every example and benchmark artifact with its sm_90 step
   library, the CPU reference (cuda_parity.STEPS losses per example artifact,
   the digits accuracy per dtype), within kit_models.MAX_KIT_BYTES.
2. scripts/gpu-check.sh on that kit ends within seconds, exits 3 and writes a
   summary in which the libraries stage passed and every GPU stage says "no
   CUDA device". (On a machine with a GPU this part is skipped: the full
   check takes minutes; run it by hand.)
3. gpu-check.sh refuses a directory that is no kit, with one line and exit 2.
4. The training stage's logic (scripts/gpu/check_training.py) on a kit whose
   mpc-run is fake_cuda_mpc_run.py, the CPU reference standing in for the
   GPU: every check passes with no deviation, except for the one artifact
   whose losses the fake shifts, which fails naming its first step.
5. The summary of a run with a device (scripts/gpu/summarize.py) on stage
   results made up here: the stage table, the kernel-test counts and the
   failing test's first message from gtest's JSON, the training checks with
   the deviation per dtype, the sanitizer runs and the benchmark table.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

GPU_STAGES = ("device", "tests", "executor", "training", "sanitizer",
              "bench")
CHECK_SECONDS = 30


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def run(argv, **kwargs):
    return subprocess.run(argv, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, **kwargs)


def check_kit(kit_dir, kit_models, cuda_parity):
    kit = kit_models.Kit(kit_dir)
    check(os.path.isfile(os.path.join(kit.test_inputs, "counter", "step.cu")),
          "the kit lacks the executor tests' inputs")
    # A step compiled on the GPU machine finds every header in the kit.
    nvcc = os.environ.get("MPC_NVCC") or shutil.which("nvcc") or \
        "/usr/local/cuda/bin/nvcc"
    compiled = run([nvcc, "-std=c++17", "-arch=sm_90", "-I", kit.include,
                    "-c", os.path.join(kit.artifact("mlp-f16"), "step.cu"),
                    "-o", os.path.join(kit_dir, "..", "step-check.o")])
    check(compiled.returncode == 0,
          f"step.cu does not compile with the kit's headers:\n"
          f"{compiled.stderr}")
    for path in (kit.mpc_run, kit.kernel_tests, kit.executor_tests,
                 os.path.join(kit.lib, "libmpc_cuda_runtime.so")):
        check(os.access(path, os.X_OK) or path.endswith(".so")
              and os.path.isfile(path), f"{path} is missing")
    libraries = run(["ldd", kit.mpc_run]).stdout
    check("libLLVM" not in libraries and "libMLIR" not in libraries,
          f"the kit's mpc-run links the compiler:\n{libraries}")
    artifacts = [kit.artifact(name) for name, _, _ in
                 kit_models.example_artifacts()]
    bench = os.path.join(kit.bench, "artifacts")
    artifacts += [os.path.join(bench, name) for name in
                  ("gpt2-f32", "gpt2-bf16", "gpt2-f16", "mlp-f32", "mlp-bf16",
                   "mlp-f16")]
    for artifact in artifacts:
        for name in ("manifest.json", "step.cu", "step.sm_90.so"):
            check(os.path.isfile(os.path.join(artifact, name)),
                  f"{artifact}/{name} is missing")
    with open(kit.reference, encoding="utf-8") as f:
        reference = json.load(f)
    for name, _, _ in kit_models.example_artifacts():
        losses = reference["losses"][name]
        check(len(losses) == cuda_parity.STEPS,
              f"reference.json: {name} has {len(losses)} losses")
        check(all(0 < float(v) < 20 for v in losses.values()),
              f"reference.json: {name} has implausible losses {losses}")
    for dtype in kit_models.DTYPES:
        check(reference["accuracy"][dtype] > 90,
              f"reference.json: digits accuracy {dtype} "
              f"{reference['accuracy'][dtype]}")
    with open(kit.description, encoding="utf-8") as f:
        description = json.load(f)
    check(description["arch"] == "sm_90", f"KIT.json: {description}")
    check(0 < description["bytes"] <= kit_models.MAX_KIT_BYTES,
          f"the kit takes {description['bytes']} bytes")
    print(f"kit: {description['bytes'] / 2**20:.1f} MiB, built in "
          f"{description['build_seconds']} s")


def read_stages(path):
    stages = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            name, status, _, detail = line.rstrip("\n").split("\t", 3)
            stages[name] = (status, detail)
    return stages


def check_without_device(root, kit_dir, out):
    started = time.monotonic()
    result = run([os.path.join(root, "scripts", "gpu-check.sh"), out, "--kit",
                  kit_dir], cwd=root, timeout=120)
    seconds = time.monotonic() - started
    stages = read_stages(os.path.join(out, "stages.tsv"))
    if stages.get("device", ("",))[0] != "skipped":
        print("skipped: this machine has a CUDA device; run "
              "scripts/gpu-check.sh by hand")
        sys.exit(77)
    check(result.returncode == 3, f"gpu-check.sh exited {result.returncode}, "
          f"expected 3 (no device):\n{result.stdout}{result.stderr}")
    check(seconds < CHECK_SECONDS, f"gpu-check.sh took {seconds:.0f} s")
    check(stages.get("libraries", ("",))[0] == "pass",
          f"libraries stage: {stages.get('libraries')}")
    with open(os.path.join(out, "summary.md"), encoding="utf-8") as f:
        summary = f.read()
    for stage in GPU_STAGES:
        status, detail = stages.get(stage, ("missing", ""))
        check(status == "skipped" and detail.startswith("no CUDA device"),
              f"stage {stage}: {status} {detail}")
        check(f"| {stage} | skipped |" in summary and
              "no CUDA device" in summary,
              f"summary.md does not report {stage} as skipped:\n{summary}")
    check(os.path.isfile(os.path.join(out, "logs.tar.gz")),
          "no logs.tar.gz")
    print(f"gpu-check.sh without a device: {seconds:.1f} s, exit 3, every "
          "GPU stage skipped")


def check_refuses_non_kit(root, work):
    empty = os.path.join(work, "not-a-kit")
    os.makedirs(empty, exist_ok=True)
    result = run([os.path.join(root, "scripts", "gpu-check.sh"),
                  os.path.join(work, "unused"), "--kit", empty], cwd=root)
    lines = result.stderr.strip().splitlines()
    check(result.returncode == 2 and len(lines) == 1 and
          "not a GPU kit" in lines[0],
          f"a directory that is no kit: exit {result.returncode}, "
          f"stderr {result.stderr!r}")


def check_training_stage(root, kit_dir, build_dir, work):
    fake = os.path.join(work, "fake-kit")
    os.makedirs(os.path.join(fake, "bin"))
    for item in ("artifacts", "data", "python", "reference.json"):
        os.symlink(os.path.join(kit_dir, item), os.path.join(fake, item))
    os.symlink(os.path.join(root, "tests", "gpu", "kit",
                            "fake_cuda_mpc_run.py"),
               os.path.join(fake, "bin", "mpc-run"))
    out = os.path.join(work, "training")
    os.makedirs(out)
    env = dict(os.environ, MPC_FAKE_MPC_RUN=os.path.join(build_dir, "bin",
                                                         "mpc-run"),
               MPC_FAKE_EXAMPLES=os.path.join(root, "examples"),
               MPC_FAKE_SHIFT="gpt-f16",
               PYTHONPATH=os.path.join(kit_dir, "python"))
    result = run([sys.executable, os.path.join(kit_dir, "python",
                                               "check_training.py"),
                  "--kit", fake, "--out", out], env=env, timeout=600)
    with open(os.path.join(out, "training.json"), encoding="utf-8") as f:
        report = json.load(f)
    failed = [c for c in report["checks"] if not c["ok"]]
    check(result.returncode == 1 and len(failed) == 1 and
          failed[0]["name"] == "gpt-f16 20 steps vs cpu" and
          "step 1:" in failed[0]["detail"],
          f"check_training.py: exit {result.returncode}, failed {failed}\n"
          f"{result.stdout}{result.stderr}")
    check(len(report["checks"]) == 6 * 2 + 3,
          f"expected 15 checks, got {len(report['checks'])}")
    check(report["max_relative_deviation"]["f32"] == 0.0 and
          report["max_relative_deviation"]["bf16"] == 0.0,
          f"deviations {report['max_relative_deviation']}")
    print("training stage: 14 checks pass on the reference, the shifted "
          "artifact fails at step 1")


def check_summary(kit_dir, work):
    out = os.path.join(work, "summary")
    os.makedirs(os.path.join(out, "bench"))
    stages = [("libraries", "pass", "0", "every library resolves"),
              ("device", "pass", "2", "NVIDIA H200 (sm_90)"),
              ("tests", "fail", "40", "from the log"),
              ("training", "pass", "60", "training: 15 of 15 checks passed"),
              ("sanitizer", "timeout", "100", "stopped after 100 s"),
              ("bench", "pass", "150", "report")]
    with open(os.path.join(out, "stages.tsv"), "w", encoding="utf-8") as f:
        f.writelines("\t".join(stage) + "\n" for stage in stages)
    gtest = {"testsuites": [{"name": "Types/Gemm", "testsuite": [
        {"name": "Epilogue/0", "result": "COMPLETED"},
        {"name": "Epilogue/1", "result": "COMPLETED", "failures": [
            {"failure": "GemmTest.cpp:10\nExpected equality"}]},
        {"name": "Other/0", "result": "SKIPPED"}]}]}
    training = {"checks": [{"name": "mlp-f16 debug step", "ok": True,
                            "detail": "every op ran"}],
                "max_relative_deviation": {"f16": 1.5e-4}, "accuracy": {}}
    sanitizer = {"runs": [{"name": "memcheck-mlp-f16", "ok": False,
                           "detail": "exit 99, 2 error(s)/hazard(s)"}]}
    for name, value in (("kernel-tests.json", gtest),
                        ("training.json", training),
                        ("sanitizer.json", sanitizer)):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            json.dump(value, f)
    with open(os.path.join(out, "bench", "report.md"), "w",
              encoding="utf-8") as f:
        f.write("| model | config | ms/step |\n| gpt2 | mpc bf16 | 12.5 |\n")
    result = run([sys.executable, os.path.join(kit_dir, "python",
                                               "summarize.py"), out, kit_dir])
    check(result.returncode == 0, f"summarize.py failed: {result.stderr}")
    with open(os.path.join(out, "summary.md"), encoding="utf-8") as f:
        summary = f.read()
    for expected in ("- device: NVIDIA H200 (sm_90)",
                     "| tests | FAIL | 40 | 1 passed, 1 failed, 1 skipped: "
                     "Types/Gemm.Epilogue/1 |",
                     "- `Types/Gemm.Epilogue/1`: GemmTest.cpp:10",
                     "| sanitizer | TIMEOUT | 100 |",
                     "| mlp-f16 debug step | pass | every op ran |",
                     "- max relative loss deviation f16: 1.50e-04",
                     "| memcheck-mlp-f16 | FAIL | exit 99",
                     "| gpt2 | mpc bf16 | 12.5 |"):
        check(expected in summary, f"summary.md lacks {expected!r}:\n"
              f"{summary}")
    print("summary: stages, failing tests, checks and the benchmark table")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    root = os.path.abspath(args.source_dir)
    sys.path[:0] = [os.path.join(root, "scripts", "gpu"),
                    os.path.join(root, "tests", "e2e")]
    import cuda_parity
    import kit_models

    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    kit_dir = os.path.join(args.work, "kit")
    result = run([os.path.join(root, "scripts", "gpu-kit.sh"), "--no-build",
                  "--build-dir", args.build_dir, "--out", kit_dir], cwd=root)
    check(result.returncode == 0, f"gpu-kit.sh failed:\n{result.stdout}"
          f"{result.stderr}")
    check_kit(kit_dir, kit_models, cuda_parity)
    check_refuses_non_kit(root, args.work)
    check_training_stage(root, kit_dir, os.path.abspath(args.build_dir),
                         args.work)
    check_summary(kit_dir, args.work)
    check_without_device(root, kit_dir, os.path.join(args.work, "check"))


if __name__ == "__main__":
    main()
