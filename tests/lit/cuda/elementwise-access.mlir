// RUN: mpc-translate --mpc-to-cuda %s | FileCheck %s

// How generated elementwise kernels move their elements: 16-byte vectors
// when the element count is a multiple of the width the widest operand
// allows, the scalar loop otherwise; int32 indices when the count leaves
// room for the grid's stride, int64 beyond; __restrict__ on every pointer
// but an input and a result that share a buffer. Buffers are written by
// hand, as the memory plan would give them.

module @access {
  mpc.param @w : tensor<64xf32> = #mpc.init<zeros>

  // All 16-bit: 8 elements per thread, 128 / 8 vectors; the position-table
  // style operand [16] and the scalar keep their per-element index.
  // CHECK-LABEL: // {{.*}}: 3 inputs, 1 results over 128 elements, 8 per thread.
  // CHECK-NEXT: __global__ void __launch_bounds__(MPC_BLOCK) fused_0_add(const __nv_bfloat16 *__restrict__ in0, const __nv_bfloat16 *__restrict__ in1, const __nv_bfloat16 *__restrict__ in2, __nv_bfloat16 *__restrict__ out0) {
  // CHECK-NEXT: for (int32_t j = (int32_t)(blockIdx.x * blockDim.x + threadIdx.x); j < 16; j += (int32_t)(gridDim.x * blockDim.x)) {
  // CHECK-NEXT: float a0[8];
  // CHECK-NEXT: mpc_load_vec(in0, j, a0);
  // CHECK-NEXT: float r0[8];
  // CHECK-NEXT: #pragma unroll
  // CHECK-NEXT: for (int k = 0; k < 8; ++k) {
  // CHECK-NEXT: const int32_t i = j * 8 + k;
  // CHECK-NEXT: const float a1 = mpc_load(in1, (i % 16));
  // CHECK-NEXT: const float a2 = mpc_load(in2, 0);
  // CHECK-NEXT: // at {{.*}} (mpc.add)
  // CHECK-NEXT: const float v0 = mpc_round_bf16(__fadd_rn(a0[k], a1));
  // CHECK-NEXT: // at {{.*}} (mpc.mul)
  // CHECK-NEXT: const float v1 = mpc_round_bf16(__fmul_rn(v0, a2));
  // CHECK-NEXT: r0[k] = v1;
  // CHECK-NEXT: }
  // CHECK-NEXT: mpc_store_vec(out0, j, r0);
  // CHECK-NEXT: }
  // CHECK-NEXT: }
  // CHECK: 3 inputs, 1 results over 128 elements, one per thread (unaligned buffers).
  // CHECK-NEXT: fused_0_add_scalar(const __nv_bfloat16 *__restrict__ in0,
  // CHECK-NEXT: for (int32_t i = (int32_t)(blockIdx.x * blockDim.x + threadIdx.x); i < 128; i += (int32_t)(gridDim.x * blockDim.x)) {
  // CHECK-NEXT: const float a0 = mpc_load(in0, i);
  // CHECK-NEXT: const float a1 = mpc_load(in1, (i % 16));
  // CHECK-NEXT: const float a2 = mpc_load(in2, 0);

  // 6 elements are no multiple of 8: only the scalar loop, under the
  // kernel's own name.
  // CHECK: 2 inputs, 1 results over 6 elements.
  // CHECK-NEXT: __global__ void __launch_bounds__(MPC_BLOCK) fused_1_sub(const __half *__restrict__ in0, const __half *__restrict__ in1, __half *__restrict__ out0) {
  // CHECK-NEXT: for (int32_t i = (int32_t)(blockIdx.x * blockDim.x + threadIdx.x); i < 6; i += (int32_t)(gridDim.x * blockDim.x)) {
  // CHECK-NEXT: const float a0 = mpc_load(in0, i);
  // CHECK-NEXT: const float a1 = mpc_load(in1, i);
  // CHECK-NOT: fused_1_sub_scalar

  // 2^31 elements: int64 indices, still 8 per thread.
  // CHECK: 2 inputs, 1 results over 2147483648 elements, 8 per thread.
  // CHECK-NEXT: fused_2_add(const __nv_bfloat16 *__restrict__ in0, const __nv_bfloat16 *__restrict__ in1, __nv_bfloat16 *__restrict__ out0) {
  // CHECK-NEXT: for (int64_t j = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; j < 268435456; j += (int64_t)gridDim.x * blockDim.x) {
  // CHECK: const int64_t i = j * 8 + k;
  // CHECK-NEXT: const float a1 = mpc_load(in1, (i % 32768));
  // CHECK: fused_2_add_scalar(
  // CHECK-NEXT: for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < 2147483648; i += (int64_t)gridDim.x * blockDim.x) {

  // An in-place update: the result has its input's buffer, so neither
  // pointer is __restrict__; the learning rate's is. f32: 4 per thread.
  // CHECK: 2 inputs, 1 results over 64 elements, 4 per thread.
  // CHECK-NEXT: fused_3_sub(const float *in0, const float *__restrict__ in1, float *out0) {

  // CHECK-LABEL: extern "C" int mpc_fn_forward(
  func.func @forward(%x: tensor<8x16xbf16> {mpc.name = "x"}, %pos: tensor<16xbf16> {mpc.name = "pos"}, %s: tensor<bf16> {mpc.name = "s"},
                     %a: tensor<2x3xf16> {mpc.name = "a"}, %b: tensor<2x3xf16> {mpc.name = "b"},
                     %big: tensor<65536x32768xbf16> {mpc.name = "big"}, %row: tensor<32768xbf16> {mpc.name = "row"},
                     %lr: tensor<f32> {mpc.name = "lr"})
      -> (tensor<8x16xbf16> {mpc.name = "y"}, tensor<2x3xf16> {mpc.name = "d"}, tensor<65536x32768xbf16> {mpc.name = "z"})
      attributes {mpc.arena_bytes = 4294971392 : i64, mpc.peak_live_bytes = 4294971392 : i64} {
    // The vector kernel runs when every pointer it moves vectors through is
    // aligned for its 16-byte access; the broadcast ones are not tested.
    // CHECK: if (mpc_aligned(args->inputs[0], 16) &&
    // CHECK-NEXT: mpc_aligned((args->arena + 0), 16))
    // CHECK-NEXT: fused_0_add<<<mpc_grid(16), MPC_BLOCK, 0, mpc_rt_stream(rt)>>>((const __nv_bfloat16 *)args->inputs[0], (const __nv_bfloat16 *)args->inputs[1], (const __nv_bfloat16 *)args->inputs[2], (__nv_bfloat16 *)(args->arena + 0));
    // CHECK-NEXT: else
    // CHECK-NEXT: fused_0_add_scalar<<<mpc_grid(128), MPC_BLOCK, 0, mpc_rt_stream(rt)>>>(
    // CHECK-NEXT: if (mpc_rt_check_launch(rt, "fused_0_add"))
    %y = mpc.fused (%x, %pos, %s) {mpc.buffers = [#mpc.buffer<arena, 0>]} : (tensor<8x16xbf16>, tensor<16xbf16>, tensor<bf16>) -> tensor<8x16xbf16> {
    ^bb0(%p: tensor<8x16xbf16>, %q: tensor<16xbf16>, %r: tensor<bf16>):
      %sum = mpc.add %p, %q : (tensor<8x16xbf16>, tensor<16xbf16>) -> tensor<8x16xbf16>
      %prod = mpc.mul %sum, %r : (tensor<8x16xbf16>, tensor<bf16>) -> tensor<8x16xbf16>
      mpc.yield %prod : tensor<8x16xbf16>
    }
    // CHECK-NOT: mpc_aligned
    // CHECK: fused_1_sub<<<mpc_grid(6), MPC_BLOCK, 0, mpc_rt_stream(rt)>>>(
    %d = mpc.fused (%a, %b) {mpc.buffers = [#mpc.buffer<arena, 256>]} : (tensor<2x3xf16>, tensor<2x3xf16>) -> tensor<2x3xf16> {
    ^bb0(%p: tensor<2x3xf16>, %q: tensor<2x3xf16>):
      %diff = mpc.sub %p, %q : (tensor<2x3xf16>, tensor<2x3xf16>) -> tensor<2x3xf16>
      mpc.yield %diff : tensor<2x3xf16>
    }
    // CHECK: fused_2_add<<<mpc_grid(268435456), MPC_BLOCK
    // CHECK: fused_2_add_scalar<<<mpc_grid(2147483648), MPC_BLOCK
    %z = mpc.fused (%big, %row) {mpc.buffers = [#mpc.buffer<arena, 4096>]} : (tensor<65536x32768xbf16>, tensor<32768xbf16>) -> tensor<65536x32768xbf16> {
    ^bb0(%p: tensor<65536x32768xbf16>, %q: tensor<32768xbf16>):
      %sum = mpc.add %p, %q : (tensor<65536x32768xbf16>, tensor<32768xbf16>) -> tensor<65536x32768xbf16>
      mpc.yield %sum : tensor<65536x32768xbf16>
    }
    // CHECK: if (mpc_aligned(args->state[0], 16))
    // CHECK-NEXT: fused_3_sub<<<mpc_grid(16), MPC_BLOCK, 0, mpc_rt_stream(rt)>>>((const float *)args->state[0], (const float *)args->inputs[7], (float *)args->state[0]);
    %w = mpc.load @w {mpc.buffers = [#mpc.buffer<state, 0, @w>]} : tensor<64xf32>
    %w2 = mpc.fused (%w, %lr) {mpc.buffers = [#mpc.buffer<state, 0, @w>]} : (tensor<64xf32>, tensor<f32>) -> tensor<64xf32> {
    ^bb0(%p: tensor<64xf32>, %q: tensor<f32>):
      %step = mpc.sub %p, %q : (tensor<64xf32>, tensor<f32>) -> tensor<64xf32>
      mpc.yield %step : tensor<64xf32>
    }
    mpc.store %w2, @w : tensor<64xf32>
    return %y, %d, %z : tensor<8x16xbf16>, tensor<2x3xf16>, tensor<65536x32768xbf16>
  }
}
