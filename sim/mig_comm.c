/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_comm.c: MPI when built with MIGSIM_MPI, a single rank otherwise. */
#include "mig_comm.h"

#include <string.h>

#if MIGSIM_MPI
#include <mpi.h>
#endif

int mig_comm_has_mpi(void)
{
#if MIGSIM_MPI
    return 1;
#else
    return 0;
#endif
}

mig_status mig_comm_init(int *argc, char ***argv, mig_comm *out)
{
    memset(out, 0, sizeof *out);
    out->size = 1;
#if MIGSIM_MPI
    {
        int provided = 0;
        if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
            return MIG_EINTERNAL;
        out->mpi = 1;
        MPI_Comm_rank(MPI_COMM_WORLD, &out->rank);
        MPI_Comm_size(MPI_COMM_WORLD, &out->size);
    }
#else
    (void)argc;
    (void)argv;
#endif
    return MIG_OK;
}

void mig_comm_finalize(mig_comm *c)
{
#if MIGSIM_MPI
    if (c->mpi)
        MPI_Finalize();
#endif
    c->mpi = 0;
}

void mig_comm_abort(const mig_comm *c, int code)
{
#if MIGSIM_MPI
    if (c->mpi && c->size > 1)
        MPI_Abort(MPI_COMM_WORLD, code);
#else
    (void)c;
    (void)code;
#endif
}

mig_status mig_comm_sum_i64(mig_comm *c, int64_t *buf, size_t n)
{
    if (c->size == 1 || n == 0)
        return MIG_OK;
#if MIGSIM_MPI
    if (n > (size_t)2147483647 ||
        MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS)
        return MIG_EINTERNAL;
    c->bytes_reduced += n * sizeof *buf;
#else
    (void)buf;
#endif
    return MIG_OK;
}
