/* mig_cmd.c: the table of extra subcommands. Add a line here for a new one. */
#include <stddef.h>

#include "mig_cmd.h"

int mig_cmd_sweep_main(int argc, char **argv);       /* tools/mig_cmd_sweep.c */
int mig_cmd_summarize_main(int argc, char **argv);   /* tools/mig_cmd_summarize.c */
int mig_cmd_calibrate_main(int argc, char **argv);   /* tools/mig_cmd_calibrate.c */

const mig_cmd mig_cmds[] = {
    { "sweep",
      "  migsim sweep SPEC.yaml -o MANIFEST.csv            expand a sweep: a manifest row per run",
      mig_cmd_sweep_main },
    { "summarize",
      "  migsim summarize RUN.h5... -o ENSEMBLE.h5         mean, sd, quantiles across runs\n"
      "         [--quantiles 0.05,0.5,0.95] [--threads N]",
      mig_cmd_summarize_main },
    { "calibrate",
      "  migsim calibrate SCENARIO.yaml -o FITTED.yaml     fit a corridor scenario to the record\n"
      "         [--levels] [--param KEY=LO:HI]... [--scale S]  (Nelder-Mead), write the fit back",
      mig_cmd_calibrate_main },
    { NULL, NULL, NULL },
};
