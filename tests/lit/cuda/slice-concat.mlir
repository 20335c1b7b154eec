// RUN: mpc-translate --mpc-to-cuda %s | FileCheck %s

// slice, slice_grad and concat become strided copies: the offsets and
// strides (in elements) are the slice's clamped bounds, negative for a
// negative step, and each concat input lands at its block of the axis.

module @slices {
  // CHECK-LABEL: extern "C" int mpc_fn_forward(mpc_rt *rt, const mpc_step_args *args) {
  func.func @forward(%x: tensor<4x6xf32> {mpc.name = "x"})
      -> (tensor<2x3xf32> {mpc.name = "s"}, tensor<4x9xf32> {mpc.name = "c"}, tensor<4x6xf32> {mpc.name = "g"})
      attributes {mpc.arena_bytes = 1024 : i64, mpc.peak_live_bytes = 1024 : i64} {
    // Rows 3, 1 (start 3, step -2) and columns 1, 3, 5: the first element
    // is 3 * 6 + 1 = 19.
    // CHECK: static const int64_t [[SHAPE:shape_[0-9]+]][] = {2, 3};
    // CHECK-NEXT: static const int64_t [[IN:in_strides_[0-9]+]][] = {-12, 2};
    // CHECK-NEXT: static const int64_t [[OUT:out_strides_[0-9]+]][] = {3, 1};
    // CHECK-NEXT: if (mpc_rt_strided_copy(rt, args->inputs[0], (args->arena + 0), 4, 2, [[SHAPE]], 19, [[IN]], 0, [[OUT]]))
    %s = mpc.slice %x axes = [0, 1] starts = [3, 1] ends = [0, 6] steps = [-2, 2] {mpc.buffers = [#mpc.buffer<arena, 0>]} : tensor<4x6xf32> -> tensor<2x3xf32>
    // CHECK: static const int64_t [[SHAPE:shape_[0-9]+]][] = {4, 3};
    // CHECK-NEXT: static const int64_t [[IN:in_strides_[0-9]+]][] = {6, 1};
    // CHECK-NEXT: static const int64_t [[OUT:out_strides_[0-9]+]][] = {3, 1};
    // CHECK-NEXT: if (mpc_rt_strided_copy(rt, args->inputs[0], (args->arena + 256), 4, 2, [[SHAPE]], 0, [[IN]], 0, [[OUT]]))
    %h = mpc.slice %x axes = [1] starts = [0] ends = [3] steps = [1] {mpc.buffers = [#mpc.buffer<arena, 256>]} : tensor<4x6xf32> -> tensor<4x3xf32>
    // CHECK: static const int64_t [[SHAPE:shape_[0-9]+]][] = {4, 6};
    // CHECK-NEXT: static const int64_t [[IN:in_strides_[0-9]+]][] = {6, 1};
    // CHECK-NEXT: static const int64_t [[OUT:out_strides_[0-9]+]][] = {9, 1};
    // CHECK-NEXT: if (mpc_rt_strided_copy(rt, args->inputs[0], (args->arena + 512), 4, 2, [[SHAPE]], 0, [[IN]], 0, [[OUT]]))
    // CHECK: static const int64_t [[SHAPE:shape_[0-9]+]][] = {4, 3};
    // CHECK-NEXT: static const int64_t [[IN:in_strides_[0-9]+]][] = {3, 1};
    // CHECK-NEXT: static const int64_t [[OUT:out_strides_[0-9]+]][] = {9, 1};
    // CHECK-NEXT: if (mpc_rt_strided_copy(rt, (args->arena + 256), (args->arena + 512), 4, 2, [[SHAPE]], 0, [[IN]], 6, [[OUT]]))
    %c = mpc.concat %x, %h axis = 1 {mpc.buffers = [#mpc.buffer<arena, 512>]} : (tensor<4x6xf32>, tensor<4x3xf32>) -> tensor<4x9xf32>
    // The gradient: zeros, then the slice's elements written back.
    // CHECK: if (mpc_rt_fill(rt, (args->arena + 768), MPC_F32, 24, 0.0))
    // CHECK: static const int64_t [[SHAPE:shape_[0-9]+]][] = {2, 3};
    // CHECK-NEXT: static const int64_t [[IN:in_strides_[0-9]+]][] = {3, 1};
    // CHECK-NEXT: static const int64_t [[OUT:out_strides_[0-9]+]][] = {-12, 2};
    // CHECK-NEXT: if (mpc_rt_strided_copy(rt, (args->arena + 0), (args->arena + 768), 4, 2, [[SHAPE]], 0, [[IN]], 19, [[OUT]]))
    %g = mpc.slice_grad %s axes = [0, 1] starts = [3, 1] ends = [0, 6] steps = [-2, 2] {mpc.buffers = [#mpc.buffer<arena, 768>]} : tensor<2x3xf32> -> tensor<4x6xf32>
    return %s, %c, %g : tensor<2x3xf32>, tensor<4x9xf32>, tensor<4x6xf32>
  }
}
