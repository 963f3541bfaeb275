/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mig_corridor_calibration.h: the corridor model's fit table for `migsim calibrate`: the
 * CBP/OHSS record, runs measured against it, and two matching steps (levels, sectors). */
#ifndef MIG_CORRIDOR_CALIBRATION_H
#define MIG_CORRIDOR_CALIBRATION_H

#include "mig_fit.h"

/* Named in the corridor model's mig_model_ops (static). */
extern const mig_fit_ops mig_corridor_fit_ops;

#endif
