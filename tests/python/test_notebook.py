# SPDX-License-Identifier: GPL-3.0-or-later
"""The example notebook is committed clean (CI executes it: tests/scenario/test_analysis.sh)."""
import nbformat

from conftest import REPO

NOTEBOOK = REPO / "scripts" / "notebooks" / "example.ipynb"


def test_example_notebook_is_valid_and_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) >= 5
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, \
            "clear the notebook's outputs before committing it"
    source = "\n".join(c.source for c in code)
    for name in ("open_run", "encounters_table", "flows_table", "plot_corridor_map",
                 "plot_monthly", "plot_difference", "MIGSIM_BINARY"):
        assert name in source, name
