# lit configuration of mpc's IR and tool tests.
import os
import shutil
import subprocess

import lit.formats
from lit.llvm import llvm_config

config.name = "mpc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.mpc_obj_root, "tests", "lit")
# Inputs that tests read but that are not tests themselves.
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py"]

config.substitutions.append(("%mpc_src_root", config.mpc_src_root))
config.substitutions.append(("%examples", os.path.join(config.mpc_src_root, "examples")))
# ONNX's node tests (Debian libonnx-testdata): models for the ONNX front end.
config.substitutions.append(("%onnx_node_tests", config.onnx_node_tests))

# The CUDA toolkit was found at configure time: GPU-backend tests need it.
if config.mpc_have_cuda:
    config.available_features.add("cuda")

# A CUDA device is present when `nvidia-smi -L` succeeds: tests of what
# happens without one are unsupported there.
try:
    if subprocess.run(["nvidia-smi", "-L"], capture_output=True).returncode == 0:
        config.available_features.add("gpu")
except OSError:
    pass

# Graphviz renders the precision plan's DOT (scripts/install-deps.sh
# installs it); without it the render test is unsupported.
if shutil.which("dot"):
    config.available_features.add("graphviz")

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.mpc_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["mpc-opt", "mpc-run", "mpc-translate"], [config.mpc_tools_dir])
