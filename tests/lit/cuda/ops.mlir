// RUN: mpc-translate --mpc-to-cuda %s | FileCheck %s

// Each op family of a fused, planned module and the code it becomes. The
// buffers are written by hand: what matters is that each op reads and
// writes the pointers its mpc.buffers name.

// A dropout needs no device symbol of its own: the run's seed and the step
// come in args->seed_step, the op's seed as a literal.
// CHECK-NOT: __device__ uint64_t

module @ops {
  mpc.param @w : tensor<4x8xf32> = #mpc.init<xavier_uniform, gain = 1.000000e+00>
  mpc.param @g : tensor<8xf32> = #mpc.init<ones>
  mpc.param state @w.m : tensor<4x8xf32> = #mpc.init<zeros>
  mpc.param state @w.v : tensor<4x8xf32> = #mpc.init<zeros>
  mpc.param state @step : tensor<f32> = #mpc.init<zeros>

  // 48 elements, the widest (f32, int32) 4 bytes: 4 per thread, each
  // operand read at the output index moved as one vector, the broadcast
  // ones read per element.
  // CHECK-LABEL: __global__ void __launch_bounds__(MPC_BLOCK) fused_0_bias_cast(const __half *__restrict__ in0, const float *__restrict__ in1, const uint8_t *__restrict__ in2, float *__restrict__ out0, __half *__restrict__ out1, int32_t *__restrict__ out2)
  // CHECK-NEXT: for (int32_t j = (int32_t)(blockIdx.x * blockDim.x + threadIdx.x); j < 12; j += (int32_t)(gridDim.x * blockDim.x)) {
  // CHECK-NEXT: float a0[4];
  // CHECK-NEXT: mpc_load_vec(in0, j, a0);
  // CHECK-NEXT: float r0[4];
  // CHECK-NEXT: float r1[4];
  // CHECK-NEXT: int32_t r2[4];
  // CHECK-NEXT: #pragma unroll
  // CHECK-NEXT: for (int k = 0; k < 4; ++k) {
  // CHECK-NEXT: const int32_t i = j * 4 + k;
  // CHECK-NEXT: const float a1 = mpc_load(in1, (i % 8));
  // CHECK-NEXT: const bool a2 = mpc_load(in2, 0);
  // CHECK: const float v1 = mpc_round_f16(__fadd_rn(a0[k], v0));
  // CHECK: r0[k] = v9;
  // CHECK-NEXT: r1[k] = v12;
  // CHECK-NEXT: r2[k] = v10;
  // CHECK-NEXT: }
  // CHECK-NEXT: mpc_store_vec(out0, j, r0);
  // CHECK-NEXT: mpc_store_vec(out1, j, r1);
  // CHECK-NEXT: mpc_store_vec(out2, j, r2);

  // The same body one element per thread, for buffers not aligned for
  // the vectors.
  // CHECK-LABEL: fused_0_bias_cast_scalar(const __half *__restrict__ in0,
  // CHECK: for (int32_t i = (int32_t)(blockIdx.x * blockDim.x + threadIdx.x); i < 48; i += (int32_t)(gridDim.x * blockDim.x)) {
  // CHECK-NEXT: const float a0 = mpc_load(in0, i);
  // CHECK-NEXT: const float a1 = mpc_load(in1, (i % 8));
  // CHECK-NEXT: const bool a2 = mpc_load(in2, 0);
  // CHECK: const float v0 = mpc_round_f16(a1);
  // CHECK: // node 'bias' (mpc.add)
  // CHECK-NEXT: const float v1 = mpc_round_f16(__fadd_rn(a0, v0));
  // CHECK: // node 'act' (mpc.gelu)
  // CHECK-NEXT: const float v2 = mpc_round_f16(mpc_gelu(v1));
  // CHECK: const float v3 = mpc_round_f16((a2 ? 1.0f : 0.0f));
  // CHECK: const float v4 = mpc_round_f16(__fmul_rn(v2, v3));
  // CHECK: const float v5 = v4;
  // CHECK: const float v6 = mpc_round_f16(mpc_relu_grad(v1, v2));
  // CHECK: const float v7 = -0.5f;
  // CHECK: const float v8 = v7;
  // CHECK: const float v9 = a2 ? v8 : v5;
  // CHECK: const int32_t v10 = mpc_to_int(v9);
  // CHECK: const bool v11 = v6 != 0.0f;
  // CHECK: const float v12 = mpc_round_f16(v11 ? __int_as_float(0xff800000) : v6);
  // CHECK-NEXT: mpc_store(out0, i, v9);
  // CHECK-NEXT: mpc_store(out1, i, v12);
  // CHECK-NEXT: mpc_store(out2, i, v10);

  // CHECK-LABEL: extern "C" int mpc_fn_forward(mpc_rt *rt, const mpc_step_args *args) {
  func.func @forward(%x: tensor<2x3x4xf16> {mpc.name = "x"}, %flag: tensor<i1> {mpc.name = "flag"}, %ids: tensor<2x3xi32> {mpc.name = "ids"})
      -> (tensor<f32> {mpc.loss, mpc.name = "loss"}, tensor<2x3x8xf16> {mpc.name = "h"}, tensor<2x3x8xi32> {mpc.name = "n"})
      attributes {mpc.arena_bytes = 8192 : i64, mpc.peak_live_bytes = 4096 : i64} {
    // CHECK: // load @w: in place, nothing to copy
    %w = mpc.load @w {mpc.buffers = [#mpc.buffer<state, 0, @w>]} : tensor<4x8xf32>
    // CHECK: if (mpc_copy(rt, (args->arena + 3072), args->state[1], 32, "load @g"))
    // CHECK-NEXT: return mpc_rt_op_failed(rt, op_0);
    // CHECK-NEXT: if (mpc_rt_op_done(rt, op_0))
    // CHECK-NEXT: return -1;
    %g = mpc.load @g {mpc.buffers = [#mpc.buffer<arena, 3072>]} : tensor<8xf32>
    // CHECK: if (mpc_rt_fill(rt, (args->arena + 0), MPC_F16, 32, 0.5))
    %c = mpc.constant dense<5.000000e-01> : tensor<4x8xf16> {mpc.buffers = [#mpc.buffer<arena, 0>]}
    // CHECK: static const mpc_gemm_desc gemm_0 = {
    // CHECK-NEXT: /*batch=*/1, /*m=*/6, /*n=*/8, /*k=*/4, /*trans_a=*/0, /*trans_b=*/0,
    // CHECK-NEXT: /*stride_a=*/24, /*stride_b=*/32, /*stride_c=*/48,
    // CHECK-NEXT: /*a_type=*/MPC_F16, /*b_type=*/MPC_F16, /*c_type=*/MPC_F16, /*bias_type=*/MPC_F32, /*aux_type=*/MPC_F32,
    // CHECK-NEXT: MPC_EPILOGUE_NONE};
    // CHECK-NEXT: if (mpc_rt_gemm(rt, &gemm_0, args->inputs[0], (args->arena + 0), (args->arena + 256), NULL, NULL))
    %m = mpc.matmul %x, %c {mpc.buffers = [#mpc.buffer<arena, 256>]} : (tensor<2x3x4xf16>, tensor<4x8xf16>) -> tensor<2x3x8xf16> loc("fc")
    // Every pointer moved as vectors is tested against its access size;
    // the broadcast ones (in1, in2) are not.
    // CHECK: if (mpc_aligned((args->arena + 256), 8) &&
    // CHECK-NEXT: mpc_aligned((args->arena + 512), 16) &&
    // CHECK-NEXT: mpc_aligned((args->arena + 768), 8) &&
    // CHECK-NEXT: mpc_aligned((args->arena + 1024), 16))
    // CHECK-NEXT: fused_0_bias_cast<<<mpc_grid(12), MPC_BLOCK, 0, mpc_rt_stream(rt)>>>((const __half *)(args->arena + 256), (const float *)(args->arena + 3072), (const uint8_t *)args->inputs[1], (float *)(args->arena + 512), (__half *)(args->arena + 768), (int32_t *)(args->arena + 1024));
    // CHECK-NEXT: else
    // CHECK-NEXT: fused_0_bias_cast_scalar<<<mpc_grid(48), MPC_BLOCK, 0, mpc_rt_stream(rt)>>>((const __half *)(args->arena + 256), (const float *)(args->arena + 3072), (const uint8_t *)args->inputs[1], (float *)(args->arena + 512), (__half *)(args->arena + 768), (int32_t *)(args->arena + 1024));
    // CHECK-NEXT: if (mpc_rt_check_launch(rt, "fused_0_bias_cast"))
    %l, %h, %n = mpc.fused (%m, %g, %flag) {mpc.buffers = [#mpc.buffer<arena, 512>, #mpc.buffer<arena, 768>, #mpc.buffer<arena, 1024>]} : (tensor<2x3x8xf16>, tensor<8xf32>, tensor<i1>) -> (tensor<2x3x8xf32>, tensor<2x3x8xf16>, tensor<2x3x8xi32>) {
    ^bb0(%p: tensor<2x3x8xf16>, %q: tensor<8xf32>, %f: tensor<i1>):
      %qh = mpc.cast %q : tensor<8xf32> to tensor<8xf16> loc("bias")
      %s = mpc.add %p, %qh : (tensor<2x3x8xf16>, tensor<8xf16>) -> tensor<2x3x8xf16> loc("bias")
      %a = mpc.gelu %s : tensor<2x3x8xf16> loc("act")
      %ff = mpc.cast %f : tensor<i1> to tensor<f16>
      %t = mpc.mul %a, %ff : (tensor<2x3x8xf16>, tensor<f16>) -> tensor<2x3x8xf16>
      %t32 = mpc.cast %t : tensor<2x3x8xf16> to tensor<2x3x8xf32>
      %d = mpc.relu_grad %s, %a : tensor<2x3x8xf16>
      %k = mpc.constant dense<-5.000000e-01> : tensor<f32>
      %kb = mpc.broadcast %k : tensor<f32> -> tensor<2x3x8xf32>
      %sel = mpc.select %f, %kb, %t32 : tensor<2x3x8xf32>
      %i = mpc.cast %sel : tensor<2x3x8xf32> to tensor<2x3x8xi32>
      %di = mpc.cast %d : tensor<2x3x8xf16> to tensor<2x3x8xi1>
      %mf = mpc.masked_fill %d, %di value = 0xFFF0000000000000 : (tensor<2x3x8xf16>, tensor<2x3x8xi1>) -> tensor<2x3x8xf16>
      mpc.yield %sel, %mf, %i : tensor<2x3x8xf32>, tensor<2x3x8xf16>, tensor<2x3x8xi32>
    }
    // CHECK: if (mpc_rt_softmax(rt, (args->arena + 512), MPC_F32, (args->arena + 2048), MPC_F32, 6, 8, 1))
    %sm = mpc.softmax %l axis = 2 {mpc.buffers = [#mpc.buffer<arena, 2048>]} : tensor<2x3x8xf32>
    // CHECK: if (mpc_rt_log_softmax(rt, (args->arena + 512), MPC_F32, (args->arena + 2304), MPC_F32, 2, 3, 8))
    %ls = mpc.log_softmax %l axis = 1 {mpc.buffers = [#mpc.buffer<arena, 2304>]} : tensor<2x3x8xf32>
    // CHECK: if (mpc_rt_layer_norm(rt, (args->arena + 2048), MPC_F32, (args->arena + 3072), (args->arena + 3072), MPC_F32, (args->arena + 4096), MPC_F32, 6, 8, 1.0000000000000001e-05))
    %ln = mpc.layer_norm %sm, %g, %g eps = 1.000000e-05 {mpc.buffers = [#mpc.buffer<arena, 4096>]} : tensor<2x3x8xf32>, tensor<8xf32>
    // CHECK: if (mpc_rt_add_layer_norm(rt, (args->arena + 2048), (args->arena + 2304), MPC_F32, (args->arena + 7168), (args->arena + 3072), (args->arena + 3072), MPC_F32, (args->arena + 7424), MPC_F32, 6, 8, 1.0000000000000001e-05))
    %as, %ay = mpc.add_layer_norm %sm + %ls, %g, %g eps = 1.000000e-05 {mpc.buffers = [#mpc.buffer<arena, 7168>, #mpc.buffer<arena, 7424>]} : tensor<2x3x8xf32>, tensor<8xf32> -> tensor<2x3x8xf32>
    // CHECK: if (mpc_rt_rms_norm(rt, (args->arena + 2048), MPC_F32, (args->arena + 3072), MPC_F32, (args->arena + 6144), MPC_F32, 6, 8, 9.9999999999999995e-07))
    %rn = mpc.rms_norm %sm, %g eps = 1.000000e-06 {mpc.buffers = [#mpc.buffer<arena, 6144>]} : tensor<2x3x8xf32>, tensor<8xf32>
    // CHECK: if (mpc_rt_rms_norm_grad(rt, (args->arena + 6144), (args->arena + 2048), MPC_F32, (args->arena + 3072), MPC_F32, (args->arena + 6400), MPC_F32, (args->arena + 6656), 6, 8, 9.9999999999999995e-07))
    %rdx, %rdw = mpc.rms_norm_grad %rn, %sm, %g eps = 1.000000e-06 {mpc.buffers = [#mpc.buffer<arena, 6400>, #mpc.buffer<arena, 6656>]} : tensor<2x3x8xf32>, tensor<8xf32>
    // CHECK: if (mpc_rt_reduce(rt, (args->arena + 4096), MPC_F32, (args->arena + 4352), MPC_F32, 1, 6, 8, 0.16666666666666666))
    %rm = mpc.reduce_mean %ln [0, 1] {mpc.buffers = [#mpc.buffer<arena, 4352>]} : tensor<2x3x8xf32> -> tensor<8xf32>
    // CHECK: if (mpc_rt_reduce(rt, (args->arena + 4096), MPC_F32, (args->arena + 4608), MPC_F32, 6, 8, 1, 1.0))
    %rs = mpc.reduce_sum %ln [2] {keepdims, mpc.buffers = [#mpc.buffer<arena, 4608>]} : tensor<2x3x8xf32> -> tensor<2x3x1xf32>
    // CHECK: static const int64_t shape_1[] = {2, 3, 8};
    // CHECK-NEXT: static const int64_t perm_2[] = {1, 0, 2};
    // CHECK-NEXT: if (mpc_rt_transpose(rt, (args->arena + 4096), (args->arena + 4864), 4, 3, shape_1, perm_2))
    %tr = mpc.transpose %ln [1, 0, 2] {mpc.buffers = [#mpc.buffer<arena, 4864>]} : tensor<2x3x8xf32> -> tensor<3x2x8xf32>
    // A reshape is a view: its user reads the operand's buffer.
    %rh = mpc.reshape %tr {mpc.buffers = [#mpc.buffer<arena, 4864>]} : tensor<3x2x8xf32> -> tensor<6x8xf32>
    // CHECK: if (mpc_rt_embedding(rt, (const int32_t *)args->inputs[2], 6, (args->arena + 4864), MPC_F32, (args->arena + 5120), MPC_F32, 6, 8))
    %e = mpc.embedding %ids, %rh {mpc.buffers = [#mpc.buffer<arena, 5120>]} : (tensor<2x3xi32>, tensor<6x8xf32>) -> tensor<2x3x8xf32>
    // CHECK: if (mpc_rt_causal_mask(rt, (args->arena + 5120), (args->arena + 5120), MPC_F32, 2, 3, 8, -HUGE_VAL))
    %cm = mpc.causal_mask %e value = 0xFFF0000000000000 {mpc.buffers = [#mpc.buffer<arena, 5120>]} : tensor<2x3x8xf32>
    // CHECK: if (mpc_rt_dropout(rt, (args->arena + 5120), (args->arena + 5376), MPC_F32, 48, 0.10000000000000001, 7ull, args->seed_step))
    // CHECK-NEXT: return mpc_rt_op_failed(rt, [[DROPOUT:op_[0-9]+]]);
    // CHECK-NEXT: if (mpc_rt_op_done(rt, [[DROPOUT]]))
    %dr = mpc.dropout %cm rate = 1.000000e-01 seed = 7 {mpc.buffers = [#mpc.buffer<arena, 5376>]} : tensor<2x3x8xf32>
    // CHECK: if (mpc_rt_softmax_xent(rt, (args->arena + 5376), MPC_F32, (const int32_t *)args->inputs[2], (float *)(args->arena + 5632), 6, 8, MPC_NO_IGNORE_INDEX, MPC_LOSS_MEAN))
    %loss = mpc.softmax_cross_entropy %dr, %ids {mpc.buffers = [#mpc.buffer<arena, 5632>]} : (tensor<2x3x8xf32>, tensor<2x3xi32>) -> tensor<f32>
    // The loss and its gradient in one call; the gradient over the logits.
    // CHECK: if (mpc_rt_softmax_xent_with_grad(rt, (args->arena + 5376), MPC_F32, (const int32_t *)args->inputs[2], (float *)(args->arena + 5888), (args->arena + 5632), MPC_F32, (args->arena + 5376), MPC_F32, 6, 8, -100, MPC_LOSS_SUM))
    %xl, %xg = mpc.softmax_cross_entropy_with_grad %dr, %ids, %loss ignore_index = -100 reduction = sum {mpc.buffers = [#mpc.buffer<arena, 5888>, #mpc.buffer<arena, 5376>]} : (tensor<2x3x8xf32>, tensor<2x3xi32>, tensor<f32>) -> (tensor<f32>, tensor<2x3x8xf32>)
    // Results reach the host as f32 and int32.
    // CHECK: if (mpc_copy(rt, args->outputs[0], (args->arena + 5632), 4, "output #0"))
    // CHECK: mpc_convert<__half, float><<<mpc_grid(48), MPC_BLOCK, 0, mpc_rt_stream(rt)>>>((const __half *)(args->arena + 768), (float *)args->outputs[1], 48);
    // CHECK: if (mpc_copy(rt, args->outputs[2], (args->arena + 1024), 192, "output #2"))
    // CHECK: return 0;
    return %loss, %h, %n : tensor<f32>, tensor<2x3x8xf16>, tensor<2x3x8xi32>
  }

  // CHECK-LABEL: extern "C" int mpc_fn_train_step(
  func.func @train_step(%dw: tensor<4x8xf32> {mpc.name = "dw"}, %scale: tensor<f32> {mpc.name = "scale"}, %good: tensor<f32> {mpc.name = "good"}, %left: tensor<f32> {mpc.name = "left"})
      attributes {mpc.arena_bytes = 4096 : i64, mpc.peak_live_bytes = 1024 : i64} {
    // CHECK: const mpc_tensor_ref grads_0[] = {
    // CHECK-NEXT: {args->inputs[0], (args->arena + 0), MPC_F32, MPC_F32, 32},
    // CHECK-NEXT: };
    // CHECK-NEXT: if (mpc_rt_unscale_and_check(rt, grads_0, 1, (const float *)args->inputs[1], (uint8_t *)(args->arena + 256)))
    %u, %found = mpc.unscale_and_check %dw by %scale {mpc.buffers = [#mpc.buffer<arena, 0>, #mpc.buffer<arena, 256>]} : (tensor<4x8xf32>, tensor<f32>) -> (tensor<4x8xf32>, tensor<i1>)
    // CHECK: if (mpc_rt_clip_by_global_norm(rt, grads_1, 1, 1.0, (float *)(args->arena + 512)))
    %cl, %norm = mpc.clip_by_global_norm %u max_norm = 1.000000e+00 {mpc.buffers = [#mpc.buffer<arena, 0>, #mpc.buffer<arena, 512>]} : (tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<f32>)
    // The scale is updated in place: the results start as copies.
    // CHECK: if (mpc_copy(rt, (args->arena + 768), args->inputs[1], 4, "loss scale"))
    // CHECK: // loss scale good steps: in place, nothing to copy
    // CHECK: if (mpc_rt_update_loss_scale(rt, (float *)(args->arena + 768), (float *)args->inputs[2], (float *)args->inputs[3], (const uint8_t *)(args->arena + 256), 2.0, 2000, 0.5, 1, 1.0, 16777210.0))
    %s, %gs, %hl = mpc.update_loss_scale %scale, %good, %left, %found growth = 2.000000e+00 every 2000 backoff = 5.000000e-01 hysteresis = 1 range = [1.000000e+00, 1.677721e+07] {mpc.buffers = [#mpc.buffer<arena, 768>, #mpc.buffer<input, 2>, #mpc.buffer<input, 3>]}
    %w = mpc.load @w {mpc.buffers = [#mpc.buffer<state, 0, @w>]} : tensor<4x8xf32>
    %m = mpc.load @w.m {mpc.buffers = [#mpc.buffer<state, 0, @w.m>]} : tensor<4x8xf32>
    %v = mpc.load @w.v {mpc.buffers = [#mpc.buffer<state, 0, @w.v>]} : tensor<4x8xf32>
    %t = mpc.load @step {mpc.buffers = [#mpc.buffer<state, 0, @step>]} : tensor<f32>
    // CHECK: if (mpc_rt_adamw(rt, (float *)args->state[0], (args->arena + 0), MPC_F32, (float *)args->state[2], (float *)args->state[3], 32, (const float *)args->state[4], 0.001, mpc_lr_schedule{0, 0, 0, 0.0, 0, 1.0}, 0.90000000000000002, 0.999, 1e-08, 0.01, (const uint8_t *)(args->arena + 256)))
    %nw, %nm, %nv = mpc.adamw_update %w, %cl, %m, %v, %t lr = 1.000000e-03 betas = (9.000000e-01, 9.990000e-01) eps = 1.000000e-08 weight_decay = 1.000000e-02 skip_if %found {mpc.buffers = [#mpc.buffer<state, 0, @w>, #mpc.buffer<state, 0, @w.m>, #mpc.buffer<state, 0, @w.v>]} : tensor<4x8xf32>
    // CHECK: // store @w: in place, nothing to copy
    mpc.store %nw, @w : tensor<4x8xf32>
    // An update the plan did not put in place starts from a copy.
    // CHECK: if (mpc_copy(rt, (args->arena + 1024), args->state[0], 128, "sgd parameter"))
    // CHECK: if (mpc_rt_sgd(rt, (float *)(args->arena + 1024), (args->arena + 0), MPC_F32, 32, NULL, 0.10000000000000001, mpc_lr_schedule{0, 0, 0, 0.0, 0, 1.0}, 0.0, NULL))
    %sw = mpc.sgd_update %nw, %cl lr = 1.000000e-01 weight_decay = 0.000000e+00 {mpc.buffers = [#mpc.buffer<arena, 1024>]} : tensor<4x8xf32>
    // A scheduled update reads the step count; the schedule is passed by value.
    // CHECK: if (mpc_rt_momentum(rt, (float *)(args->arena + 1024), (args->arena + 0), MPC_F32, (float *)args->state[2], 32, (const float *)args->state[4], 0.10000000000000001, mpc_lr_schedule{1, 10, 100, 0.10000000000000001, 0, 1.0}, 0.90000000000000002, 0.0, NULL))
    %mw, %mb = mpc.momentum_update %sw, %cl, %nm step %t lr = 1.000000e-01 momentum = 9.000000e-01 weight_decay = 0.000000e+00 {schedule = #mpc.lr_schedule<kind = cosine, warmup_steps = 10, decay_steps = 100, min_ratio = 0.1>, mpc.buffers = [#mpc.buffer<arena, 1024>, #mpc.buffer<state, 0, @w.m>]} : tensor<4x8xf32>
    // CHECK: if (mpc_copy(rt, args->state[0], (args->arena + 1024), 128, "store @w"))
    mpc.store %mw, @w : tensor<4x8xf32>
    return
  }
}

// CHECK: extern "C" int mpc_abi_version(void) { return 8; }
// CHECK: extern "C" int mpc_step_init(mpc_rt *) { return 0; }
// CHECK-NOT: cudaGetSymbolAddress
// CHECK: extern "C" const char *mpc_manifest_json(void) {
// CHECK-NEXT: return R"mpc_json({"abi":8,"arena_bytes":8192,
