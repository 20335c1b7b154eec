// accumulate=1 (the default) leaves the step exactly as it was.
// RUN: mpc-opt %s --mpc-build-train-step="optimizer=sgd" --mpc-loss-scaling=mode=dynamic -o %t.reference.mlir
// RUN: mpc-opt %s --mpc-build-train-step="optimizer=sgd" --mpc-loss-scaling=mode=dynamic --mpc-accumulate-gradients -o %t.default.mlir
// RUN: mpc-opt %s --mpc-build-train-step="optimizer=sgd" --mpc-loss-scaling=mode=dynamic --mpc-accumulate-gradients=accumulate=1 -o %t.one.mlir
// RUN: diff %t.reference.mlir %t.default.mlir
// RUN: diff %t.reference.mlir %t.one.mlir
// RUN: mpc-opt %s --mpc-train-pipeline="optimizer=sgd" -o %t.pipeline.mlir
// RUN: mpc-opt %s --mpc-train-pipeline="optimizer=sgd accumulate=1" -o %t.pipeline-one.mlir
// RUN: diff %t.pipeline.mlir %t.pipeline-one.mlir

// RUN: mpc-opt %s --mpc-build-train-step="optimizer=sgd" --mpc-accumulate-gradients=accumulate=4 \
// RUN:   | FileCheck %s --check-prefix=F32
// RUN: mpc-opt %s --mpc-build-train-step="optimizer=sgd" --mpc-loss-scaling=mode=dynamic --mpc-accumulate-gradients=accumulate=4 \
// RUN:   | FileCheck %s --check-prefix=SCALED
// RUN: mpc-opt %s --mpc-train-pipeline="optimizer=sgd accumulate=3" \
// RUN:   | FileCheck %s --check-prefix=PIPELINE
// RUN: mpc-opt %s --mpc-train-pipeline="optimizer=sgd loss-scaling=dynamic accumulate=4" --mpc-fuse \
// RUN:   | FileCheck %s --check-prefix=FUSED

// A linear model trained with SGD.

module @linear {
  mpc.param @w : tensor<4x3xf32> = #mpc.init<normal>
  mpc.param @b : tensor<3xf32> = #mpc.init<zeros>
  func.func @forward(%x: tensor<8x4xf32>, %t: tensor<8x3xf32>) -> (tensor<f32> {mpc.loss}) {
    %w = mpc.load @w : tensor<4x3xf32>
    %b = mpc.load @b : tensor<3xf32>
    %0 = mpc.matmul %x, %w : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %1 = mpc.add %0, %b : (tensor<8x3xf32>, tensor<3xf32>) -> tensor<8x3xf32>
    %2 = mpc.mse_loss %1, %t : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<f32>
    return %2 : tensor<f32>
  }
}

// The phase and one f32 sum per trained parameter are state, zero at the
// start; @train_step records the count.
// F32:      module @linear {
// F32-NEXT:   mpc.param state @accumulate.phase : tensor<f32> = #mpc.init<zeros>
// F32:        mpc.param @w : tensor<4x3xf32>
// F32-NEXT:   mpc.param state @w.grad_accum : tensor<4x3xf32> = #mpc.init<zeros>
// F32-NEXT:   mpc.param @b : tensor<3xf32>
// F32-NEXT:   mpc.param state @b.grad_accum : tensor<3xf32> = #mpc.init<zeros>
// F32-LABEL: func.func @forward(
// F32-NOT:     grad_accum
// F32-LABEL: func.func @train_step(
// F32-SAME:    mpc.accumulate = 4 : i64
// The phase advances, and wraps to 0 after the last micro-batch; not_last
// is N - (phase + 1) != 0.
// F32-NEXT:    %[[PHASE:.*]] = mpc.load @accumulate.phase : tensor<f32>
// F32-NEXT:    %[[ONE:.*]] = mpc.constant dense<1.000000e+00> : tensor<f32>
// F32-NEXT:    %[[NEXT:.*]] = mpc.add %[[PHASE]], %[[ONE]]
// F32-NEXT:    %[[N:.*]] = mpc.constant dense<4.000000e+00> : tensor<f32>
// F32-NEXT:    %[[LEFT:.*]] = mpc.sub %[[N]], %[[NEXT]]
// F32-NEXT:    %[[NOT_LAST:.*]] = mpc.cast %[[LEFT]] : tensor<f32> to tensor<i1>
// F32-NEXT:    %[[ZERO:.*]] = mpc.constant dense<0.000000e+00> : tensor<f32>
// F32-NEXT:    %[[NEW_PHASE:.*]] = mpc.select %[[NOT_LAST]], %[[NEXT]], %[[ZERO]] : tensor<f32>
// F32-NEXT:    mpc.store %[[NEW_PHASE]], @accumulate.phase
// F32-NEXT:    %[[OLD_STEP:.*]] = mpc.load @step
// F32-NEXT:    %[[OLD_W:.*]] = mpc.load @w :
// F32-NEXT:    %[[OLD_B:.*]] = mpc.load @b :
// F32:         %[[DB:.*]] = mpc.reduce_sum
// F32-NEXT:    %[[DW:.*]] = mpc.matmul
// Without loss scaling every store is kept unless this is the last
// micro-batch: the step count too.
// F32:         %[[STEP:.*]] = mpc.add
// F32-NEXT:    %[[KEPT_STEP:.*]] = mpc.select %[[NOT_LAST]], %[[OLD_STEP]], %[[STEP]] : tensor<f32>
// F32-NEXT:    mpc.store %[[KEPT_STEP]], @step
// Each gradient joins its f32 sum; the optimizer reads sum / N; the sum is
// reset on the last micro-batch.
// F32-NEXT:    %[[W_SUM_OLD:.*]] = mpc.load @w.grad_accum : tensor<4x3xf32>
// F32-NEXT:    %[[W_SUM:.*]] = mpc.add %[[W_SUM_OLD]], %[[DW]] : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
// F32-NEXT:    %[[W_MEAN:.*]] = mpc.div %[[W_SUM]], %[[N]] : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
// F32-NEXT:    %[[ZEROS:.*]] = mpc.constant dense<0.000000e+00> : tensor<4x3xf32>
// F32-NEXT:    %[[W_RESET:.*]] = mpc.select %[[NOT_LAST]], %[[W_SUM]], %[[ZEROS]] : tensor<4x3xf32>
// F32-NEXT:    mpc.store %[[W_RESET]], @w.grad_accum
// F32-NEXT:    %[[NEW_W:.*]] = mpc.sgd_update %{{.*}}, %[[W_MEAN]] lr
// F32-NEXT:    %[[KEPT_W:.*]] = mpc.select %[[NOT_LAST]], %[[OLD_W]], %[[NEW_W]] : tensor<4x3xf32>
// F32-NEXT:    mpc.store %[[KEPT_W]], @w
// F32-NEXT:    %[[B_SUM_OLD:.*]] = mpc.load @b.grad_accum : tensor<3xf32>
// F32-NEXT:    %[[B_SUM:.*]] = mpc.add %[[B_SUM_OLD]], %[[DB]]
// F32-NEXT:    %[[B_MEAN:.*]] = mpc.div %[[B_SUM]], %[[N]]
// F32:         mpc.sgd_update %{{.*}}, %[[B_MEAN]] lr
// F32:         return

// With loss scaling the sums are of the scaled gradients, and the one
// unscale_and_check reads their means. The loss scaler's skip becomes one
// flag, not_last or found_inf; the scaler's own state changes on the last
// micro-batch only.
// SCALED-LABEL: func.func @train_step(
// SCALED:         %[[N:.*]] = mpc.constant dense<4.000000e+00> : tensor<f32>
// SCALED:         %[[NOT_LAST:.*]] = mpc.cast %{{.*}} : tensor<f32> to tensor<i1>
// SCALED:         mpc.store %{{.*}}, @accumulate.phase
// SCALED:         %[[OLD_SCALE:.*]] = mpc.load @loss_scale : tensor<f32>
// SCALED:         %[[OLD_SKIPPED:.*]] = mpc.load @loss_scale.skipped_steps : tensor<f32>
// SCALED:         %[[SCALE:.*]] = mpc.load @loss_scale : tensor<f32>
// SCALED:         %[[DB:.*]] = mpc.reduce_sum
// SCALED-NEXT:    %[[DW:.*]] = mpc.matmul
// SCALED-NEXT:    %[[W_SUM_OLD:.*]] = mpc.load @w.grad_accum
// SCALED-NEXT:    %[[W_SUM:.*]] = mpc.add %[[W_SUM_OLD]], %[[DW]]
// SCALED-NEXT:    %[[W_MEAN:.*]] = mpc.div %[[W_SUM]], %[[N]]
// SCALED:         mpc.store %{{.*}}, @w.grad_accum
// SCALED-NEXT:    %[[B_SUM_OLD:.*]] = mpc.load @b.grad_accum
// SCALED-NEXT:    %[[B_SUM:.*]] = mpc.add %[[B_SUM_OLD]], %[[DB]]
// SCALED-NEXT:    %[[B_MEAN:.*]] = mpc.div %[[B_SUM]], %[[N]]
// SCALED:         mpc.store %{{.*}}, @b.grad_accum
// SCALED-NEXT:    %[[UNSCALED:.*]]:2, %[[FOUND_INF:.*]] = mpc.unscale_and_check %[[W_MEAN]], %[[B_MEAN]] by %[[SCALE]]
// SCALED-NEXT:    %[[SKIP:.*]] = mpc.select %[[NOT_LAST]], %[[NOT_LAST]], %[[FOUND_INF]] : tensor<i1>
// SCALED:         %[[NEW_SCALE:.*]], %{{.*}}, %{{.*}} = mpc.update_loss_scale %[[SCALE]], %{{.*}}, %{{.*}}, %[[FOUND_INF]]
// SCALED-NEXT:    %[[KEPT_SCALE:.*]] = mpc.select %[[NOT_LAST]], %[[OLD_SCALE]], %[[NEW_SCALE]] : tensor<f32>
// SCALED-NEXT:    mpc.store %[[KEPT_SCALE]], @loss_scale :
// SCALED:         %[[COUNT:.*]] = mpc.add %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// SCALED-NEXT:    %[[KEPT_COUNT:.*]] = mpc.select %[[NOT_LAST]], %[[OLD_SKIPPED]], %[[COUNT]] : tensor<f32>
// SCALED-NEXT:    mpc.store %[[KEPT_COUNT]], @loss_scale.skipped_steps
// SCALED:         mpc.select %[[SKIP]], %{{.*}}, %{{.*}} : tensor<f32>
// SCALED-NEXT:    mpc.store %{{.*}}, @step
// SCALED-NEXT:    %[[NEW_W:.*]] = mpc.sgd_update %{{.*}}, %[[UNSCALED]]#0 lr
// SCALED-NEXT:    mpc.select %[[SKIP]], %{{.*}}, %[[NEW_W]] : tensor<4x3xf32>
// SCALED-NEXT:    mpc.store %{{.*}}, @w
// SCALED-NEXT:    %[[NEW_B:.*]] = mpc.sgd_update %{{.*}}, %[[UNSCALED]]#1 lr
// SCALED-NEXT:    mpc.select %[[SKIP]], %{{.*}}, %[[NEW_B]] : tensor<3xf32>
// SCALED-NEXT:    mpc.store %{{.*}}, @b

// The pipeline's option, after canonicalization: N = 3.
// PIPELINE-LABEL: func.func @train_step(
// PIPELINE-SAME:    mpc.accumulate = 3 : i64
// PIPELINE:         %[[N:.*]] = mpc.constant dense<3.000000e+00> : tensor<f32>
// PIPELINE:         mpc.div %{{.*}}, %[[N]] : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
// PIPELINE:         mpc.div %{{.*}}, %[[N]] : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>

// mpc-fuse folds the one flag into each update's skip_if, as it folds the
// loss scaler's: the update of every micro-batch but the last is skipped.
// FUSED-LABEL: func.func @train_step(
// FUSED:         mpc.unscale_and_check
// FUSED:         %[[FLAGS:.*]]:2 = mpc.fused
// FUSED-NEXT:    ^bb0(%[[NOT_LAST:.*]]: tensor<i1>, %[[FOUND_INF:.*]]: tensor<i1>
// FUSED-NEXT:      %{{.*}} = mpc.select %[[NOT_LAST]], %[[NOT_LAST]], %[[FOUND_INF]] : tensor<i1>
// FUSED:         mpc.sgd_update %{{.*}}, %{{.*}} lr = 1.000000e-03 weight_decay = 0.000000e+00 skip_if %[[FLAGS]]#0 : tensor<4x3xf32>
// FUSED-NOT:     mpc.select
// FUSED:         mpc.sgd_update %{{.*}}, %{{.*}} lr = 1.000000e-03 weight_decay = 0.000000e+00 skip_if %[[FLAGS]]#0 : tensor<3xf32>
