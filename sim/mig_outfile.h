/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_outfile.h: the files a command writes: the path checked before any work is done (a
 * writable folder; a new or regular file; none of the run's inputs) and the temporary files
 * "<path>.tmp.<pid>" they are written under, with those a killed process left behind. */
#ifndef MIG_OUTFILE_H
#define MIG_OUTFILE_H

#include "mig_ctx.h"

/* queries */
/* MIG_OK when path may be written as `what` ("output", "checkpoint"): its folder exists and
 * is writable, and path is new or a regular file that is none of ctx's inputs. Otherwise
 * the reason is reported to ctx: MIG_EUSAGE (a directory, a device, an input) or MIG_EIO
 * (the folder: "out/x.h5: cannot create output file: No such file or directory"). */
mig_status mig_outfile_check(const char *path, const char *what, mig_ctx *ctx);

/* changes */
/* Creates the folders of path that are missing (as mkdir -p; a manifest task's output folder).
 * MIG_EIO with "out/x.h5: cannot create the folder out: <reason>" if one cannot be made. */
mig_status mig_outfile_make_folders(const char *path, mig_ctx *ctx);

/* Removes the stale temporary files in path's folder: "<name>.tmp.<pid>" whose process is
 * gone (no process <pid> on this host) and that no process holds locked (HDF5 locks a file
 * it writes), as kill -9, the OOM killer or a crash leave them. Logs each at -v. */
void mig_outfile_remove_stale(const char *path, mig_ctx *ctx);

#endif
