// A step library written by hand in the form mpc-translate --mpc-to-cuda
// gives (docs/cuda-backend.md), for the executor's GPU tests: state w[4];
// train_step updates w -= 0.5 x[0, :] and returns mean((w - x[0, :])^2)
// plus the step number read on the device; forward returns the same loss
// without the update. With COUNTER_FAULT defined, the last op of
// train_step writes to an unmapped address.

#include "mpc_cuda_runtime.h"

#include <stdint.h>

static_assert(MPC_CUDA_ABI_VERSION == 8, "written for mpc CUDA ABI 8");

__global__ void counter_add_step(const float *loss, const uint64_t *seed_step, float *out) {
  out[0] = loss[0] + (float)seed_step[1];
}

#ifdef COUNTER_FAULT
#define COUNTER_LOSS_OUT ((float *)(uintptr_t)64)
#else
#define COUNTER_LOSS_OUT ((float *)args->outputs[0])
#endif

extern "C" int mpc_fn_forward(mpc_rt *rt, const mpc_step_args *args) {
  // node 'loss' at counter.json:3:5 (mpc.mse_loss)
  static const char op_0[] = "node 'loss' at counter.json:3:5 (mpc.mse_loss)";
  if (mpc_rt_mse_loss(rt, args->state[0], args->inputs[0], MPC_F32, (float *)(args->arena + 0), 4))
    return mpc_rt_op_failed(rt, op_0);
  if (mpc_rt_op_done(rt, op_0))
    return -1;
  // node 'step' at counter.json:4:5 (mpc.fused)
  static const char op_1[] = "node 'step' at counter.json:4:5 (mpc.fused)";
  counter_add_step<<<1, 1, 0, mpc_rt_stream(rt)>>>((const float *)(args->arena + 0), args->seed_step, (float *)args->outputs[0]);
  if (mpc_rt_check_launch(rt, "counter_add_step"))
    return mpc_rt_op_failed(rt, op_1);
  if (mpc_rt_op_done(rt, op_1))
    return -1;
  return 0;
}

extern "C" int mpc_fn_train_step(mpc_rt *rt, const mpc_step_args *args) {
  // node 'update' at counter.json:2:5 (mpc.sgd_update)
  static const char op_0[] = "node 'update' at counter.json:2:5 (mpc.sgd_update)";
  if (mpc_rt_sgd(rt, (float *)args->state[0], args->inputs[0], MPC_F32, 4, NULL, 0.5, mpc_lr_schedule{0, 0, 0, 0.0, 0, 1.0}, 0.0, NULL))
    return mpc_rt_op_failed(rt, op_0);
  if (mpc_rt_op_done(rt, op_0))
    return -1;
  // node 'loss' at counter.json:3:5 (mpc.mse_loss)
  static const char op_1[] = "node 'loss' at counter.json:3:5 (mpc.mse_loss)";
  if (mpc_rt_mse_loss(rt, args->state[0], args->inputs[0], MPC_F32, (float *)(args->arena + 0), 4))
    return mpc_rt_op_failed(rt, op_1);
  if (mpc_rt_op_done(rt, op_1))
    return -1;
  // node 'step' at counter.json:4:5 (mpc.fused)
  static const char op_2[] = "node 'step' at counter.json:4:5 (mpc.fused)";
  counter_add_step<<<1, 1, 0, mpc_rt_stream(rt)>>>((const float *)(args->arena + 0), args->seed_step, COUNTER_LOSS_OUT);
  if (mpc_rt_check_launch(rt, "counter_add_step"))
    return mpc_rt_op_failed(rt, op_2);
  if (mpc_rt_op_done(rt, op_2))
    return -1;
  return 0;
}

extern "C" int mpc_abi_version(void) { return 8; }

extern "C" int mpc_step_init(mpc_rt *) { return 0; }

extern "C" const char *mpc_manifest_json(void) {
  return R"mpc_json({"abi": 8, "graph": "counter", "arena_bytes": 256,
 "state": [{"name": "w", "shape": [4], "dtype": "f32", "trainable": true,
            "init": {"kind": "constant", "first": 1.0, "second": 0.0,
                     "seed": null}}],
 "functions": [
   {"name": "forward", "entry": "mpc_fn_forward", "arena_bytes": 256,
    "peak_live_bytes": 4,
    "inputs": [{"name": "x", "shape": [2, 4], "dtype": "f32"}],
    "outputs": [{"name": "loss", "shape": [], "dtype": "f32"}]},
   {"name": "train_step", "entry": "mpc_fn_train_step", "arena_bytes": 256,
    "peak_live_bytes": 4,
    "inputs": [{"name": "x", "shape": [2, 4], "dtype": "f32"}],
    "outputs": [{"name": "loss", "shape": [], "dtype": "f32"}]}],
 "label_input": -1,
 "loss_scaling": null})mpc_json";
}
