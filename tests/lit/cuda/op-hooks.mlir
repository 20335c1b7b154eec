// RUN: mpc-translate --mpc-to-cuda %s | FileCheck %s
// RUN: mpc-translate --mpc-to-cuda %s | awk -f %S/Inputs/check-op-groups.awk | FileCheck %s --check-prefix=GROUPS --implicit-check-not=error

// Each op that enqueues work names itself for the runtime's hooks: its
// comment's text as a C string, through which every failed call returns,
// and mpc_rt_op_done at the end. File and node names are escaped: quotes,
// backslashes, '?' (no trigraphs) and bytes outside printable ASCII (octal);
// control characters become spaces in the comment and the string alike.

// GROUPS: groups: 4

module @hooks {
  // CHECK-LABEL: extern "C" int mpc_fn_forward(mpc_rt *rt, const mpc_step_args *args) {
  func.func @forward(%x: tensor<2x4xf32> {mpc.name = "x"}) -> (tensor<8xf32> {mpc.name = "y"})
      attributes {mpc.arena_bytes = 1024 : i64, mpc.peak_live_bytes = 512 : i64} {
    // CHECK-NEXT: // node 'sm' at dir\we"ird??/name.json:17:5 (mpc.softmax)
    // CHECK-NEXT: static const char op_0[] = "node 'sm' at dir\\we\"ird\?\?/name.json:17:5 (mpc.softmax)";
    // CHECK-NEXT: if (mpc_rt_softmax(rt, args->inputs[0], MPC_F32, (args->arena + 0), MPC_F32, 2, 4, 1))
    // CHECK-NEXT: return mpc_rt_op_failed(rt, op_0);
    // CHECK-NEXT: if (mpc_rt_op_done(rt, op_0))
    // CHECK-NEXT: return -1;
    %s = mpc.softmax %x axis = 1 {mpc.buffers = [#mpc.buffer<arena, 0>]} : tensor<2x4xf32> loc("sm"("dir\\we\"ird??/name.json":17:5))
    // A view enqueues nothing: no name, no hook.
    // CHECK-NEXT: // node 'flat' (mpc.reshape)
    // CHECK-NEXT: // node 'a"b\c dé' at g.json:1:2 (mpc.log_softmax)
    %r = mpc.reshape %s {mpc.buffers = [#mpc.buffer<arena, 0>]} : tensor<2x4xf32> -> tensor<8xf32> loc("flat")
    // CHECK-NEXT: static const char op_1[] = "node 'a\"b\\c d\303\251' at g.json:1:2 (mpc.log_softmax)";
    // CHECK-NEXT: if (mpc_rt_log_softmax(rt, (args->arena + 0), MPC_F32, (args->arena + 256), MPC_F32, 1, 8, 1))
    // CHECK-NEXT: return mpc_rt_op_failed(rt, op_1);
    // CHECK-NEXT: if (mpc_rt_op_done(rt, op_1))
    // CHECK-NEXT: return -1;
    %t = mpc.log_softmax %r axis = 0 {mpc.buffers = [#mpc.buffer<arena, 256>]} : tensor<8xf32> loc("a\"b\\c\0Ad\C3\A9"("g.json":1:2))
    // An op without a node or a file position is named with its function.
    // CHECK-NEXT: // (mpc.softmax) in @forward
    // CHECK-NEXT: static const char op_2[] = "(mpc.softmax) in @forward";
    // CHECK-NEXT: if (mpc_rt_softmax(rt, (args->arena + 256), MPC_F32, (args->arena + 512), MPC_F32, 1, 8, 1))
    // CHECK-NEXT: return mpc_rt_op_failed(rt, op_2);
    // CHECK-NEXT: if (mpc_rt_op_done(rt, op_2))
    // CHECK-NEXT: return -1;
    %u = mpc.softmax %t axis = 0 {mpc.buffers = [#mpc.buffer<arena, 512>]} : tensor<8xf32> loc(unknown)
    // The results are copied out as a group of their own.
    // CHECK-NEXT: // results of @forward (func.return)
    // CHECK-NEXT: static const char op_3[] = "results of @forward (func.return)";
    // CHECK-NEXT: if (mpc_copy(rt, args->outputs[0], (args->arena + 512), 32, "output #0"))
    // CHECK-NEXT: return mpc_rt_op_failed(rt, op_3);
    // CHECK-NEXT: if (mpc_rt_op_done(rt, op_3))
    // CHECK-NEXT: return -1;
    // CHECK-NEXT: return 0;
    // CHECK-NEXT: }
    return %u : tensor<8xf32>
  }
}

// There is no device address to resolve.
// CHECK: extern "C" int mpc_abi_version(void) { return 8; }
// CHECK: extern "C" int mpc_step_init(mpc_rt *) { return 0; }
// CHECK-NOT: cudaGetSymbolAddress
