/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_comm.h: the distributed-memory layer. In an MPI build (-DMIGSIM_MPI=ON) agents are
 * divided among ranks by id (agent id % ranks), the place graph is copied on each, and the
 * per-day observations are summed with MPI_Allreduce; rank 0 writes the output. In the
 * default build the same calls work for one rank without MPI. The only #if MIGSIM_MPI in
 * the code is in mig_comm.c. */
#ifndef MIG_COMM_H
#define MIG_COMM_H

#include <stddef.h>
#include <stdint.h>
#include "mig_status.h"

typedef struct mig_comm {
    int rank;                 /* this process, 0..size-1 */
    int size;                 /* number of ranks (1 without MPI) */
    int mpi;                  /* 1 when MPI was initialised here */
    uint64_t bytes_reduced;   /* payload bytes this rank passed to reductions */
} mig_comm;

/* lifecycle */
/* Initialises MPI when built with it (MPI_Init_thread, funneled), else a single rank. */
mig_status mig_comm_init(int *argc, char ***argv, mig_comm *out);
void mig_comm_finalize(mig_comm *c);
/* Ends every rank after a fatal error on one (MPI_Abort); a no-op without MPI. */
void mig_comm_abort(const mig_comm *c, int code);

/* changes */
/* Sums buf[0..n) over all ranks, in place (integers: the result is exact). */
mig_status mig_comm_sum_i64(mig_comm *c, int64_t *buf, size_t n);
/* Whether this build has MPI. */
int mig_comm_has_mpi(void);

#endif
