"""Figures of a run from its `Results` (matplotlib, Agg canvas; no Brian2 needed)."""

from circuit.plotting.run_figures import make_run_figures

__all__ = ["make_run_figures"]
