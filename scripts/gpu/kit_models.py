"""What the GPU kit holds and checks: one home for the example artifacts,
their data and the layout of a kit directory, shared by the script that
builds a kit (make_kit.py) and the ones that check it on a GPU."""

import os

DTYPES = ("f32", "bf16", "f16")
# Example graph -> its training data in examples/data.
EXAMPLES = {"mlp": "digits.csv.gz", "gpt": "fortunes.txt"}
# The artifacts compute-sanitizer's memcheck runs one debug step of.
SANITIZED = ("mlp-f16", "gpt-bf16")
# The kit may take at most this much of the 64 MiB a GPU call carries.
MAX_KIT_BYTES = 48 << 20


def artifact_name(model, dtype):
    return f"{model}-{dtype}"


def example_artifacts():
    """(name, model, dtype) of every example artifact."""
    return [(artifact_name(m, d), m, d) for m in EXAMPLES for d in DTYPES]


class Kit:
    """The paths inside a kit directory."""

    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.bin = os.path.join(self.root, "bin")
        self.lib = os.path.join(self.root, "lib")
        self.mpc_run = os.path.join(self.bin, "mpc-run")
        self.kernel_tests = os.path.join(self.bin, "mpc-gpu-kernel-tests")
        self.executor_tests = os.path.join(self.bin, "mpc-cuda-gpu-tests")
        # What nvcc gets as -I: runtime/cuda's headers (core/ beside it).
        self.include = os.path.join(self.root, "include", "cuda")
        self.test_inputs = os.path.join(self.root, "test-inputs")
        self.artifacts = os.path.join(self.root, "artifacts")
        self.data = os.path.join(self.root, "data")
        self.bench = os.path.join(self.root, "bench")
        self.python = os.path.join(self.root, "python")
        self.reference = os.path.join(self.root, "reference.json")
        self.description = os.path.join(self.root, "KIT.json")

    def artifact(self, name):
        return os.path.join(self.artifacts, name)

    def data_of(self, model):
        return os.path.join(self.data, EXAMPLES[model])
