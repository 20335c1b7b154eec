#!/usr/bin/env python3
"""Assembles the GPU kit from a built tree, on a machine without a GPU.

Usage: make_kit.py --build-dir BUILD --out KIT [--arch sm_90]

KIT holds everything scripts/gpu-check.sh needs on a GPU machine that has
CUDA but no MLIR, so nothing is compiled or installed there:
  bin/mpc-run               the runtime-only mpc-run (no MLIR)
  bin/mpc-gpu-kernel-tests  the GPU kernel tests
  bin/mpc-cuda-gpu-tests    the GPU tests of the executor and the runtime's
                            per-op hooks, with their inputs in test-inputs/
  lib/libmpc_cuda_runtime.so
  include/{cuda,core}/      the runtime's headers, for a step.cu compiled
                            there (the executor tests compile one)
  artifacts/M-D/            both examples (mlp, gpt) in f32, bf16 and f16:
                            step.cu, manifest.json and step.<arch>.so
  bench/                    bench/gpu/prepare.sh's graphs and artifacts
                            (GPT-2 small, the large MLP), libraries prebuilt
  data/                     the examples' training data
  reference.json            the CPU reference executor's first losses of
                            every example artifact and the digits accuracy
  python/                   the scripts the check runs
  KIT.json                  commit, arch, nvcc, build time and size
The kit is written beside KIT and renamed into place, so a failed build
never leaves half a kit; it must stay within MAX_KIT_BYTES.
"""

import argparse
import concurrent.futures
import datetime
import glob
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

import cuda_parity  # noqa: E402
import mpc_e2e  # noqa: E402
from kit_models import (DTYPES, EXAMPLES, MAX_KIT_BYTES, Kit,  # noqa: E402
                        example_artifacts)

PYTHON_FILES = (["tests/e2e/mpc_e2e.py", "tests/e2e/cuda_parity.py",
                 "bench/gpu/run.sh"] +
                sorted(os.path.relpath(p, ROOT) for p in
                       glob.glob(os.path.join(ROOT, "scripts", "gpu", "*.py")) +
                       glob.glob(os.path.join(ROOT, "bench", "gpu", "*.py"))))


def run(argv, **kwargs):
    """Runs argv; exits with its output when it fails."""
    result = subprocess.run(argv, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"make_kit: `{' '.join(argv)}` failed (exit "
                 f"{result.returncode}):\n{result.stdout}")
    return result.stdout


def copy_binaries(build, kit):
    sources = {
        os.path.join(build, "bin", "mpc-run-runtime"): kit.mpc_run,
        os.path.join(build, "tests", "gpu", "kernels",
                     "mpc-gpu-kernel-tests"): kit.kernel_tests,
        os.path.join(build, "tests", "unit", "cuda",
                     "mpc-cuda-gpu-tests"): kit.executor_tests,
        os.path.join(build, "lib", "libmpc_cuda_runtime.so"):
            os.path.join(kit.lib, "libmpc_cuda_runtime.so"),
    }
    for source, destination in sources.items():
        if not os.path.isfile(source):
            sys.exit(f"make_kit: {source} is missing: build mpc with the CUDA "
                     "toolkit and the tests first (scripts/build.sh)")
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        shutil.copy2(source, destination)


def write_artifact(mpc_run, model_file, dtype, directory, arch):
    run([mpc_run, model_file, "--dtype", dtype, "--artifact", directory,
         "--arch", arch])


def cpu_losses(mpc_run, model_file, data, dtype):
    log = run([mpc_run, model_file, "--data", data, "--dtype", dtype,
               "--steps", str(cuda_parity.STEPS), "--log-every", "1",
               "--seed", "0", "--device", "cpu"])
    return mpc_e2e.step_losses(log)


def cpu_accuracy(mpc_run, model_file, data, dtype):
    steps = cuda_parity.ACCURACY_STEPS
    log = run([mpc_run, model_file, "--data", data, "--dtype", dtype,
               "--steps", str(steps), "--log-every", str(steps), "--seed",
               "0", "--device", "cpu"])
    evaluations = mpc_e2e.evaluations(log)
    if not evaluations or evaluations[-1].accuracy is None:
        sys.exit(f"make_kit: no accuracy in the log of {model_file}:\n{log}")
    return evaluations[-1].accuracy


def directory_bytes(root):
    return sum(os.path.getsize(os.path.join(d, f))
               for d, _, files in os.walk(root) for f in files)


def nvcc_version():
    nvcc = os.environ.get("MPC_NVCC") or shutil.which("nvcc") or \
        "/usr/local/cuda/bin/nvcc"
    try:
        text = run([nvcc, "--version"])
    except OSError:
        return "unknown"
    return text.strip().splitlines()[-1]


def git_commit():
    result = subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain",
                            "--untracked-files=no"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
    commit = result.stdout.strip() or "unknown"
    return commit + ("-dirty" if dirty.stdout.strip() else "")


def build_kit(build, kit, arch, jobs):
    mpc_run = os.path.join(build, "bin", "mpc-run")
    examples = os.path.join(ROOT, "examples")
    copy_binaries(build, kit)
    # The headers keep their folders: runtime/cuda's include runtime/core's
    # by relative paths.
    for folder in ("cuda", "core"):
        destination = os.path.join(kit.root, "include", folder)
        os.makedirs(destination)
        for pattern in ("*.h", "*.cuh"):
            for header in glob.glob(os.path.join(ROOT, "runtime", folder,
                                                 pattern)):
                shutil.copy2(header, destination)
    shutil.copytree(os.path.join(ROOT, "tests", "unit", "cuda", "Inputs"),
                    kit.test_inputs)
    os.makedirs(kit.data)
    for data in EXAMPLES.values():
        shutil.copy2(os.path.join(examples, "data", data), kit.data)
    os.makedirs(kit.python)
    for relative in PYTHON_FILES:
        shutil.copy2(os.path.join(ROOT, relative), kit.python)

    def model_file(model):
        return os.path.join(examples, model + ".json")

    def data_file(model):
        return os.path.join(examples, "data", EXAMPLES[model])

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        artifacts = [pool.submit(write_artifact, mpc_run, model_file(m), d,
                                 kit.artifact(name), arch)
                     for name, m, d in example_artifacts()]
        bench_env = dict(os.environ, MPC_RUN=mpc_run, MPC_ARTIFACT_ARCH=arch)
        bench = pool.submit(run, [os.path.join(ROOT, "bench", "gpu",
                                               "prepare.sh"), kit.bench],
                            env=bench_env)
        losses = {name: pool.submit(cpu_losses, mpc_run, model_file(m),
                                    data_file(m), d)
                  for name, m, d in example_artifacts()}
        accuracy = {d: pool.submit(cpu_accuracy, mpc_run, model_file("mlp"),
                                   data_file("mlp"), d) for d in DTYPES}
        for future in artifacts + [bench]:
            future.result()
        reference = {
            "steps": cuda_parity.STEPS,
            "accuracy_steps": cuda_parity.ACCURACY_STEPS,
            "losses": {name: f.result() for name, f in losses.items()},
            "accuracy": {d: f.result() for d, f in accuracy.items()},
        }
    with open(kit.reference, "w", encoding="utf-8") as f:
        json.dump(reference, f, indent=1, sort_keys=True)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--arch", default="sm_90")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)

    started = time.monotonic()
    destination = os.path.abspath(args.out)
    staging = destination + ".tmp"
    shutil.rmtree(staging, ignore_errors=True)
    kit = Kit(staging)
    build_kit(os.path.abspath(args.build_dir), kit, args.arch, args.jobs)
    size = directory_bytes(staging)
    description = {
        "commit": git_commit(),
        "created": datetime.datetime.now(datetime.timezone.utc)
                   .isoformat(timespec="seconds"),
        "arch": args.arch,
        "nvcc": nvcc_version(),
        "build_seconds": round(time.monotonic() - started, 1),
        "bytes": size,
    }
    with open(kit.description, "w", encoding="utf-8") as f:
        json.dump(description, f, indent=1)
    if size > MAX_KIT_BYTES:
        shutil.rmtree(staging)
        sys.exit(f"make_kit: the kit takes {size / 2**20:.1f} MiB, more than "
                 f"{MAX_KIT_BYTES >> 20} MiB")
    shutil.rmtree(destination, ignore_errors=True)
    os.rename(staging, destination)
    print(f"make_kit: {destination}: {size / 2**20:.1f} MiB for {args.arch}, "
          f"built in {description['build_seconds']} s "
          f"(commit {description['commit'][:12]})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
