/*===- mpc_cuda_runtime.h - the ABI of generated CUDA step code -*- C -*-===//
 *
 * What a `.cu` file emitted by `mpc-translate --mpc-to-cuda` calls, and what
 * it exports. The generated file includes only this header and the CUDA
 * headers; the runtime library (libmpc_cuda_runtime) implements every
 * `mpc_rt_*` function here with cuBLASLt and its own kernels.
 *
 * Conventions:
 *  - Every call is asynchronous on the context's stream and capturable into
 *    a CUDA graph: no allocation, no host synchronisation, no host-memory
 *    reads after the call returns. The exceptions say so: creating and
 *    destroying a context, mpc_rt_set_debug, and mpc_rt_op_done in debug
 *    mode, which is never captured.
 *  - Every call returns 0, or -1 after recording a one-line message that
 *    mpc_rt_last_error() returns.
 *  - Generated code ends the calls of each op with mpc_rt_op_done and
 *    returns a failed call's error through mpc_rt_op_failed, so every error
 *    a step function returns starts with the op that failed.
 *  - Tensors are dense and row-major. Float tensors are f32, f16 or bf16
 *    (mpc_dtype); integer tensors (ids, labels) are int32; i1 tensors (the
 *    overflow flag) are one byte each, 0 or 1.
 *  - Arithmetic is in f32 and each output is rounded once to its type with
 *    round-to-nearest-even. The semantics of every kernel are those of the
 *    CPU reference kernel of the same name in runtime/cpu/kernels/Kernels.h;
 *    only the order of f32 accumulation may differ.
 *  - An op along an axis sees its tensor as [outer, axis, inner].
 *  - Output pointers may equal input pointers where a function says so
 *    (in-place updates of parameters and optimizer state).
 *===----------------------------------------------------------------------===*/

#ifndef MPC_CUDA_RUNTIME_H
#define MPC_CUDA_RUNTIME_H

/* mpc_dtype, the element types: MPC_F32, MPC_F16, MPC_BF16, MPC_I32, MPC_I1
 * (MPC_I64 is the host's only). A copy of these headers keeps core/ beside
 * cuda/. */
#include "../core/DType.h"
/* MPC_CUDA_ABI_VERSION, the version of this ABI: a step library built
 * against another is refused. */
#include "../core/StepNames.h"
/* mpc_lr_schedule, a learning-rate schedule passed by value. */
#include "../core/LrSchedule.h"
/* mpc_loss_reduction and MPC_NO_IGNORE_INDEX, the row options of a loss. */
#include "../core/LossReduction.h"

#include <cuda_runtime.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The runtime context: stream, cuBLASLt handle, GEMM plan cache, workspace
 * and the last error. Owned by the host runtime. */
typedef struct mpc_rt mpc_rt;

/* Creates a context on the current device that enqueues on `stream`, with a
 * cuBLASLt workspace of workspace_bytes; null (and a one-line message in
 * error) when the device or cuBLASLt cannot be used. Host code only. */
mpc_rt *mpc_rt_create(cudaStream_t stream, size_t workspace_bytes, char *error,
                      size_t error_size);
void mpc_rt_destroy(mpc_rt *rt);

cudaStream_t mpc_rt_stream(mpc_rt *rt);
const char *mpc_rt_last_error(mpc_rt *rt);
/* Records an error (printf-style) and returns -1. */
int mpc_rt_fail(mpc_rt *rt, const char *format, ...);
/* Checks the launch just made on the stream; 0 or -1 naming `what`. */
int mpc_rt_check_launch(mpc_rt *rt, const char *what);

/*===------------------------------------------------------------------===
 * Debug mode and the per-op hooks of generated code. `op` is the text of
 * the op's comment in the generated file:
 * "node 'fc1' at mlp.json:17:5 (mpc.fused_matmul)".
 *===------------------------------------------------------------------===*/

/* Turns debug mode on (on != 0) or off; off when a context is created.
 * Host code only: never while the stream is being captured. */
void mpc_rt_set_debug(mpc_rt *rt, int on);

/* Called after the calls of each op. Outside debug mode it returns 0 at once
 * and touches nothing, so it is capturable. In debug mode it waits for the
 * stream and returns -1 after recording "<op>: <CUDA error>" when a launch
 * or the execution of the op's work failed (or when the stream is being
 * captured, which debug mode does not allow). */
int mpc_rt_op_done(mpc_rt *rt, const char *op);

/* Prefixes the recorded error with "<op>: " and returns -1: how generated
 * code returns when a call of `op` fails. */
int mpc_rt_op_failed(mpc_rt *rt, const char *op);

/*===------------------------------------------------------------------===
 * GEMM (cuBLASLt, f32 compute)
 *===------------------------------------------------------------------===*/

typedef enum mpc_epilogue {
  MPC_EPILOGUE_NONE = 0,
  MPC_EPILOGUE_BIAS = 1,      /* c = ab + bias */
  MPC_EPILOGUE_RELU = 2,      /* c = relu(ab) */
  MPC_EPILOGUE_RELU_BIAS = 3, /* c = relu(ab + bias) */
  MPC_EPILOGUE_GELU = 4,      /* c = gelu(ab) */
  MPC_EPILOGUE_GELU_BIAS = 5, /* c = gelu(ab + bias) */
  /* As GELU / GELU_BIAS, and aux = the pre-activation (ab [+ bias]) rounded
   * to aux_type, for the backward pass. */
  MPC_EPILOGUE_GELU_AUX = 6,
  MPC_EPILOGUE_GELU_AUX_BIAS = 7,
  /* c = ab * gelu'(aux), aux the forward pre-activation. */
  MPC_EPILOGUE_DGELU = 8,
} mpc_epilogue;

/* c[b] = op(a[b]) op(b[b]) for b in [0, batch), each matrix row-major:
 * op(a) is [m, k] (a is [k, m] when trans_a), op(b) is [k, n] (b is [n, k]
 * when trans_b), c is [m, n]. A batch stride of 0 reuses one matrix for the
 * whole batch. bias has n elements (one per column of c). The product
 * accumulates in f32; the epilogue runs in f32 and c is rounded once. */
typedef struct mpc_gemm_desc {
  int64_t batch, m, n, k;
  int32_t trans_a, trans_b;
  int64_t stride_a, stride_b, stride_c; /* elements between batch matrices */
  mpc_dtype a_type, b_type, c_type;
  mpc_dtype bias_type, aux_type; /* ignored without bias / aux */
  mpc_epilogue epilogue;
} mpc_gemm_desc;

/* `bias` and `aux` are null unless the epilogue uses them. The descriptors
 * and the chosen algorithm are cached per desc, so calling this again with
 * the same desc (as a replayed graph does) costs no heuristic query. */
int mpc_rt_gemm(mpc_rt *rt, const mpc_gemm_desc *desc, const void *a,
                const void *b, void *c, const void *bias, void *aux);

/*===------------------------------------------------------------------===
 * Kernel library
 *===------------------------------------------------------------------===*/

/* Fills n elements with value rounded to dtype (the constants a step
 * needs as tensors). */
int mpc_rt_fill(mpc_rt *rt, void *out, mpc_dtype type, int64_t n, double value);

/* Softmax and log-softmax along the axis. */
int mpc_rt_softmax(mpc_rt *rt, const void *in, mpc_dtype in_type, void *out,
                   mpc_dtype out_type, int64_t outer, int64_t axis,
                   int64_t inner);
int mpc_rt_log_softmax(mpc_rt *rt, const void *in, mpc_dtype in_type, void *out,
                       mpc_dtype out_type, int64_t outer, int64_t axis,
                       int64_t inner);
/* dx = y (dy - sum_axis(dy y)); all three share dx's type. */
int mpc_rt_softmax_grad(mpc_rt *rt, const void *dy, const void *y, void *dx,
                        mpc_dtype type, int64_t outer, int64_t axis,
                        int64_t inner);
/* dx = dy - exp(y) sum_axis(dy). */
int mpc_rt_log_softmax_grad(mpc_rt *rt, const void *dy, const void *y, void *dx,
                            mpc_dtype type, int64_t outer, int64_t axis,
                            int64_t inner);

/* Layer normalization of `rows` rows of `cols`; gamma and beta are
 * [cols] of param_type. */
int mpc_rt_layer_norm(mpc_rt *rt, const void *x, mpc_dtype x_type,
                      const void *gamma, const void *beta, mpc_dtype param_type,
                      void *y, mpc_dtype y_type, int64_t rows, int64_t cols,
                      double epsilon);
/* sum = a + b rounded to x_type (as the generated add rounds it), then y =
 * the layer normalization of sum: mpc.add_layer_norm, one pass over a and
 * b. */
int mpc_rt_add_layer_norm(mpc_rt *rt, const void *a, const void *b,
                          mpc_dtype x_type, void *sum, const void *gamma,
                          const void *beta, mpc_dtype param_type, void *y,
                          mpc_dtype y_type, int64_t rows, int64_t cols,
                          double epsilon);
/* dx ([rows, cols], dx_type) and dgamma, dbeta ([cols], param_type);
 * dy has dx_type, x has x_type. */
int mpc_rt_layer_norm_grad(mpc_rt *rt, const void *dy, const void *x,
                           mpc_dtype x_type, const void *gamma,
                           mpc_dtype param_type, void *dx, mpc_dtype dx_type,
                           void *dgamma, void *dbeta, int64_t rows,
                           int64_t cols, double epsilon);

/* RMS normalization of `rows` rows of `cols`: x / sqrt(mean(x^2) + epsilon)
 * * weight; weight is [cols] of weight_type. */
int mpc_rt_rms_norm(mpc_rt *rt, const void *x, mpc_dtype x_type,
                    const void *weight, mpc_dtype weight_type, void *y,
                    mpc_dtype y_type, int64_t rows, int64_t cols,
                    double epsilon);
/* dx ([rows, cols], dx_type) and dweight ([cols], weight_type); dy has
 * dx_type, x has x_type. */
int mpc_rt_rms_norm_grad(mpc_rt *rt, const void *dy, const void *x,
                         mpc_dtype x_type, const void *weight,
                         mpc_dtype weight_type, void *dx, mpc_dtype dx_type,
                         void *dweight, int64_t rows, int64_t cols,
                         double epsilon);

/* Sum (scale 1) or mean (scale 1/axis) over the middle axis of
 * [outer, axis, inner] into [outer, inner]. */
int mpc_rt_reduce(mpc_rt *rt, const void *in, mpc_dtype in_type, void *out,
                  mpc_dtype out_type, int64_t outer, int64_t axis,
                  int64_t inner, double scale);

/* --check-numerics: adds the statistics of the n stored values of `in`
 * (runtime/core/NumericsCheck.h, classified from the stored value alone) to
 * `counts`, a device mpc::numerics::NumericsCounts the caller zeroed; its
 * `produced` field is the caller's, which knows the op's inputs. */
int mpc_rt_check_numerics(mpc_rt *rt, const void *in, mpc_dtype type, int64_t n,
                          void *counts);

/* Permutes the dimensions (rank <= 8): dimension i of out is dimension
 * perm[i] of in; elem_size is 1, 2, 4 or 8 bytes. */
int mpc_rt_transpose(mpc_rt *rt, const void *in, void *out, int elem_size,
                     int rank, const int64_t *in_shape, const int64_t *perm);

/* Copies the elements of `shape` (rank <= 8, row-major) from a view of in
 * to a view of out; each view starts at its offset and steps by its
 * strides (in elements, possibly negative). elem_size is 1, 2, 4 or 8
 * bytes. Slice reads a strided view; its gradient and concat write one. */
int mpc_rt_strided_copy(mpc_rt *rt, const void *in, void *out, int elem_size,
                        int rank, const int64_t *shape, int64_t in_offset,
                        const int64_t *in_strides, int64_t out_offset,
                        const int64_t *out_strides);

/* out[i, :] = table[ids[i], :] for n ids; table is [rows, dim]. */
int mpc_rt_embedding(mpc_rt *rt, const int32_t *ids, int64_t n,
                     const void *table, mpc_dtype table_type, void *out,
                     mpc_dtype out_type, int64_t rows, int64_t dim);
/* dtable = 0, then dtable[ids[i], :] += dy[i, :]. */
int mpc_rt_embedding_grad(mpc_rt *rt, const void *dy, mpc_dtype dy_type,
                          const int32_t *ids, int64_t n, void *dtable,
                          mpc_dtype dtable_type, int64_t rows, int64_t dim);

/* out[..., i, j] = j > i ? value : in[..., i, j] over [batch, rows, cols];
 * out may equal in. */
int mpc_rt_causal_mask(mpc_rt *rt, const void *in, void *out, mpc_dtype type,
                       int64_t batch, int64_t rows, int64_t cols, double value);

/* Causal self-attention of batch x heads heads of [length, dim] (q, k, v,
 * out of `type`): out = softmax(scale q k^T, keys after the query masked) v
 * and lse ([batch, heads, length] f32) the rows' log-sum-exp, without a
 * length x length matrix in memory. dim <= 128. The result's heads are
 * packed per batch element (heads * length * dim elements); within one,
 * row i of head h starts at h * head_stride + i * row_stride:
 * [heads, length, dim] is (row_stride, head_stride) = (dim, length * dim),
 * [length, heads, dim] is (heads * dim, dim). q, k and v lie in the same
 * order with their rows operand_row_stride elements apart (and a batch
 * element's length * operand_row_stride apart): head-major takes
 * operand_row_stride == row_stride; sequence-major any operand_row_stride
 * >= heads * dim, such as 3 * heads * dim for q, k and v packed in one
 * [batch, length, 3, heads, dim] tensor (k at q + heads * dim elements, v
 * at q + 2 * heads * dim), which are read in place. No other strides are
 * accepted. */
int mpc_rt_causal_attention(mpc_rt *rt, const void *q, const void *k,
                            const void *v, void *out, float *lse,
                            mpc_dtype type, int64_t batch, int64_t heads,
                            int64_t length, int64_t dim, int64_t row_stride,
                            int64_t head_stride, int64_t operand_row_stride,
                            double scale);
/* dq, dk, dv of mpc_rt_causal_attention from dout, its operands and lse
 * (the probabilities are recomputed); all of `type`, dout in the result's
 * layout (row_stride, head_stride), q, k, v, dq, dk and dv in the
 * operands' (operand_row_stride): dq, dk and dv may be packed in one
 * [batch, length, 3, heads, dim] tensor as q, k and v are, each writing
 * its own rows only. Uses batch * heads * length f32 of the context's
 * scratch (in chunks of heads). */
int mpc_rt_causal_attention_grad(mpc_rt *rt, const void *dout, const void *q,
                                 const void *k, const void *v, const float *lse,
                                 void *dq, void *dk, void *dv, mpc_dtype type,
                                 int64_t batch, int64_t heads, int64_t length,
                                 int64_t dim, int64_t row_stride,
                                 int64_t head_stride,
                                 int64_t operand_row_stride, double scale);

/* Inverted dropout with the CPU reference's counter-based mask, keyed by
 * op_seed (the op's seed attribute), seed_step[0] (the run's seed) and
 * seed_step[1] (the step), the last two on the device so a replayed graph
 * sees the current step. */
int mpc_rt_dropout(mpc_rt *rt, const void *in, void *out, mpc_dtype type,
                   int64_t n, double rate, uint64_t op_seed,
                   const uint64_t *seed_step);

/* loss = mean (MPC_LOSS_MEAN) or sum (MPC_LOSS_SUM) over the kept rows of
 * logsumexp(row) - row[label]; loss is one f32. A row whose label is
 * ignore_index is not kept (MPC_NO_IGNORE_INDEX: every row is); the mean of
 * no rows is NaN, and so is the loss when a label is neither ignored nor in
 * [0, classes). No probabilities are stored. */
int mpc_rt_softmax_xent(mpc_rt *rt, const void *logits, mpc_dtype type,
                        const int32_t *labels, float *loss, int64_t rows,
                        int64_t classes, int64_t ignore_index,
                        mpc_loss_reduction reduction);
/* dlogits = (softmax(row) - onehot(label)) * dloss[0] / kept rows (mean) or
 * * dloss[0] (sum) in a kept row, 0 in an ignored one; dloss is a device
 * scalar of dloss_type (the loss seed, or the loss scale). The kept rows
 * are counted on the device. */
int mpc_rt_softmax_xent_grad(mpc_rt *rt, const void *dloss,
                             mpc_dtype dloss_type, const void *logits,
                             mpc_dtype logits_type, const int32_t *labels,
                             void *dlogits, mpc_dtype dlogits_type,
                             int64_t rows, int64_t classes,
                             int64_t ignore_index,
                             mpc_loss_reduction reduction);
/* loss as mpc_rt_softmax_xent and dlogits as mpc_rt_softmax_xent_grad, in
 * one launch that takes each row's max and sum of exp once and adds the row
 * losses in its last block (a mean with an ignore_index first counts the
 * kept rows, as the gradient does). dlogits may be logits. */
int mpc_rt_softmax_xent_with_grad(mpc_rt *rt, const void *logits,
                                  mpc_dtype logits_type, const int32_t *labels,
                                  float *loss, const void *dloss,
                                  mpc_dtype dloss_type, void *dlogits,
                                  mpc_dtype dlogits_type, int64_t rows,
                                  int64_t classes, int64_t ignore_index,
                                  mpc_loss_reduction reduction);
/* loss = mean((p - t)^2), one f32. */
int mpc_rt_mse_loss(mpc_rt *rt, const void *p, const void *t, mpc_dtype type,
                    float *loss, int64_t n);

/*===------------------------------------------------------------------===
 * Multi-tensor ops: gradients, clipping, loss scaling
 *===------------------------------------------------------------------===*/

/* One tensor of a multi-tensor op. */
typedef struct mpc_tensor_ref {
  const void *in;
  void *out; /* may equal in */
  mpc_dtype in_type, out_type;
  int64_t n;
} mpc_tensor_ref;

/* out_i = in_i * inverseLossScale(scale[0]) for every tensor; found_inf[0]
 * = 1 if any input holds an infinity or a NaN, else 0. scale is a device
 * f32 scalar. Reads and writes 16-byte vectors where alignment allows. */
int mpc_rt_unscale_and_check(mpc_rt *rt, const mpc_tensor_ref *tensors,
                             int count, const float *scale, uint8_t *found_inf);

/* out_i = in_i * clipCoefficient(global norm, max_norm); the norm (one f32)
 * is written to norm when it is not null. */
int mpc_rt_clip_by_global_norm(mpc_rt *rt, const mpc_tensor_ref *tensors,
                               int count, double max_norm, float *norm);

/* One step of dynamic loss scaling (updateLossScale) on device f32
 * scalars, in place, reading found_inf. */
int mpc_rt_update_loss_scale(mpc_rt *rt, float *scale, float *good_steps,
                             float *hysteresis_left, const uint8_t *found_inf,
                             double growth_factor, int64_t growth_interval,
                             double backoff_factor, int64_t hysteresis,
                             double min_scale, double max_scale);

/*===------------------------------------------------------------------===
 * Optimizers on f32 masters, in place. When skip_if is not null and
 * skip_if[0] is 1 (the gradients overflowed), nothing is written.
 * grad is f32, f16 or bf16; n elements.
 *===------------------------------------------------------------------===*/

/* step is the device f32 step count after this step's increment; the
 * learning rate of the step is scheduledLearningRate(lr, schedule, *step),
 * computed on the device. SGD and momentum take a null step for the
 * constant rate (kind MPC_LR_CONSTANT, no warmup), where it is lr. */
int mpc_rt_sgd(mpc_rt *rt, float *param, const void *grad, mpc_dtype grad_type,
               int64_t n, const float *step, double lr,
               mpc_lr_schedule schedule, double weight_decay,
               const uint8_t *skip_if);
int mpc_rt_momentum(mpc_rt *rt, float *param, const void *grad,
                    mpc_dtype grad_type, float *buffer, int64_t n,
                    const float *step, double lr, mpc_lr_schedule schedule,
                    double momentum, double weight_decay,
                    const uint8_t *skip_if);
int mpc_rt_adamw(mpc_rt *rt, float *param, const void *grad,
                 mpc_dtype grad_type, float *m, float *v, int64_t n,
                 const float *step, double lr, mpc_lr_schedule schedule,
                 double beta1, double beta2, double eps, double weight_decay,
                 const uint8_t *skip_if);

/* One tensor of a multi-tensor AdamW update. copy, when not null, receives
 * the updated master rounded to copy_type (f16 or bf16, nearest even): the
 * low-precision weights the next step reads. */
typedef struct mpc_adamw_tensor {
  float *param, *m, *v;
  const void *grad;
  void *copy;
  mpc_dtype grad_type, copy_type;
  int64_t n;
  double weight_decay;
} mpc_adamw_tensor;

/* mpc_rt_adamw on every tensor, with its own weight decay, in one launch per
 * 48 tensors; when skip_if[0] is 1 nothing is written, copies included. */
int mpc_rt_adamw_multi(mpc_rt *rt, const mpc_adamw_tensor *tensors, int count,
                       const float *step, double lr, mpc_lr_schedule schedule,
                       double beta1, double beta2, double eps,
                       const uint8_t *skip_if);

/*===------------------------------------------------------------------===
 * What a generated step library exports
 *===------------------------------------------------------------------===*/

/* The buffers of one call of a step function. */
typedef struct mpc_step_args {
  char *arena;          /* the planned arena (256-byte aligned offsets) */
  void *const *state;   /* parameters and optimizer state, manifest order */
  void *const *inputs;  /* the function's inputs, manifest order */
  void *const *outputs; /* where the function's results are copied */
  const uint64_t *seed_step; /* device {seed, step} for dropout */
  /* --check-numerics: one device mpc::numerics::ProbeCounts per entry of the
   * manifest's numerics_probes, zeroed before each step; NULL gathers
   * nothing. */
  void *numerics;
} mpc_step_args;

/* Exported by the generated file (C linkage):
 *   int mpc_abi_version(void);            returns MPC_CUDA_ABI_VERSION
 *   const char *mpc_manifest_json(void);  the manifest (docs/cuda-backend.md)
 *   int mpc_step_init(mpc_rt *rt);        resolves the device addresses the
 *                                         entry points use; called once,
 *                                         before any entry point and outside
 *                                         stream capture; 0 or -1
 *   int mpc_fn_<function>(mpc_rt *rt, const mpc_step_args *args);
 * for each function of the module (mpc_fn_train_step, mpc_fn_forward). */
typedef int (*mpc_step_init_fn)(mpc_rt *rt);
typedef int (*mpc_step_fn)(mpc_rt *rt, const mpc_step_args *args);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MPC_CUDA_RUNTIME_H */
