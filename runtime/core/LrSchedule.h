/*===- LrSchedule.h - a learning-rate schedule, as data ----------*- C -*-===*
 *
 * The learning-rate schedule of a training step as the CUDA step ABI passes
 * it (by value) and as the compiler, the CPU reference and the driver read
 * it: a kind and its arguments. The rate itself is
 * mpc::math::scheduledLearningRate (ScalarMath.h), one formula for the host
 * and the device. C, for mpc_cuda_runtime.h.
 *
 *===----------------------------------------------------------------------===*/

#ifndef MPC_RUNTIME_CORE_LRSCHEDULE_H
#define MPC_RUNTIME_CORE_LRSCHEDULE_H

#include <stdint.h>

/* What the rate does after the warmup. */
typedef enum mpc_lr_schedule_kind {
  MPC_LR_CONSTANT = 0, /* stays at the peak */
  MPC_LR_COSINE = 1,   /* half a cosine down to min_ratio at decay_steps */
  MPC_LR_LINEAR = 2,   /* a straight line down to min_ratio at decay_steps */
  MPC_LR_STEP = 3,     /* times gamma every step_size steps */
} mpc_lr_schedule_kind;

/* A schedule: the factor the peak learning rate is multiplied by, as a
 * function of the optimizer steps completed. A linear warmup over
 * warmup_steps (0: none) comes first for every kind. decay_steps counts
 * from step 0, warmup included (cosine, linear); min_ratio is the floor as
 * a fraction of the peak (cosine, linear); step_size and gamma are the step
 * decay's. */
typedef struct mpc_lr_schedule {
  int32_t kind; /* mpc_lr_schedule_kind */
  int64_t warmup_steps;
  int64_t decay_steps;
  double min_ratio;
  int64_t step_size;
  double gamma;
} mpc_lr_schedule;

#endif /* MPC_RUNTIME_CORE_LRSCHEDULE_H */
