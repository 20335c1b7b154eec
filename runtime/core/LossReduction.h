/*===- LossReduction.h - the rows a loss keeps, how it sums them -*- C -*-===*
 *
 * The ignore_index and reduction of mpc.softmax_cross_entropy as the CUDA
 * step ABI passes them and as the CPU reference and the CUDA kernels read
 * them (CrossEntropyMath.h). C, for mpc_cuda_runtime.h.
 *
 *===----------------------------------------------------------------------===*/

#ifndef MPC_RUNTIME_CORE_LOSSREDUCTION_H
#define MPC_RUNTIME_CORE_LOSSREDUCTION_H

#include <stdint.h>

/* How the losses of the kept rows make the loss. */
typedef enum mpc_loss_reduction {
  MPC_LOSS_MEAN = 0, /* their sum over the number of kept rows */
  MPC_LOSS_SUM = 1,  /* their sum */
} mpc_loss_reduction;

/* The ignore_index of a loss that keeps every row. The op's ignore_index
 * fits in 32 bits (its verifier), so no label it could ignore equals this. */
#define MPC_NO_IGNORE_INDEX INT64_MIN

#endif /* MPC_RUNTIME_CORE_LOSSREDUCTION_H */
