"""How closely the CUDA backend must train like the CPU reference executor.

One home for the tolerances that the GPU end-to-end test
(tests/gpu/e2e/cuda_matches_cpu.py) and the GPU kit's check
(scripts/gpu-check.sh) both apply.

The GPU differs from the reference only in the order of f32 accumulation and
in GEMM epilogues rounding once instead of twice, so a loss may move by a few
units of roundoff u of the step's compute type (f32 2^-24, bf16 2^-8, f16
2^-11) per step. Losses are compared relative to their size with 4u for
16-bit steps and 1e-4 for f32 (20 steps of AdamW amplify f32 reordering well
above u), never below the printed resolution 5e-5 (mpc-run prints four
decimals).
"""

STEPS = 20
ACCURACY_STEPS = 1000
MAX_ACCURACY_GAP = 0.5  # percentage points
RELATIVE_TOLERANCE = {"f32": 1e-4, "bf16": 4 * 2.0**-8, "f16": 4 * 2.0**-11}
PRINT_RESOLUTION = 5e-5


class LossComparison:
    """The step-by-step comparison of two runs' losses ({step: loss})."""

    def __init__(self, cpu, cuda, dtype, steps=STEPS):
        self.tolerance = RELATIVE_TOLERANCE[dtype]
        self.worst = 0.0
        self.problems = []
        if len(cpu) != steps or len(cuda) != steps:
            self.problems.append(f"expected {steps} losses, got {len(cpu)} "
                                 f"(cpu) and {len(cuda)} (cuda)")
        for step in sorted(set(cpu) & set(cuda)):
            want, got = float(cpu[step]), float(cuda[step])
            allowed = max(self.tolerance * abs(want), PRINT_RESOLUTION)
            if not abs(got - want) <= allowed:
                self.problems.append(f"step {step}: cuda loss {got} vs cpu "
                                     f"{want} (allowed {allowed:.2e})")
            self.worst = max(self.worst,
                             abs(got - want) / max(abs(want), 1e-30))

    @property
    def ok(self):
        return not self.problems


def accuracy_gap_ok(cpu, cuda):
    """Whether two validation accuracies (percent) agree closely enough."""
    return abs(cpu - cuda) <= MAX_ACCURACY_GAP
