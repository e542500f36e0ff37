"""Figure of a plasticity-bench run: weight trajectories and what each synapse saw."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from .record import BenchResult
from ..plotting.style import label_panels, new_figure, paper_style, save_figure

#: At most this many distinct synapse names are drawn.
MAX_SHOWN = 12
HEIGHT_IN = 5.0


def bench_figure(result: BenchResult) -> Figure:
    """Weights (top), eligibility (middle) and [DA] (bottom) of each named synapse."""
    first = result.first_of_each_name()
    shown = list(first.items())[:MAX_SHOWN]
    fig = new_figure(HEIGHT_IN)
    weight_ax, elig_ax, da_ax = fig.subplots(3, 1, sharex=True)
    colours = [f"C{k % 10}" for k in range(len(shown))]
    for (name, k), colour in zip(shown, colours):
        weight_ax.plot(result.t, result.weight[k], color=colour, label=name)
        elig_ax.plot(result.t, result.eligibility[k], color=colour)
        da_ax.plot(result.t, result.traces["DA"][k], color=colour)
    weight_ax.axhline(1.0, color="0.5", lw=0.8, ls="--")
    weight_ax.set_ylabel("weight (start = 1)")
    elig_ax.set_ylabel("eligibility c")
    da_ax.set_ylabel("[DA] (nM)")
    da_ax.set_xlabel("time (s)")
    weight_ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
                     title="synapse", frameon=False)
    label_panels([weight_ax, elig_ax, da_ax])
    title = "Plasticity bench: weight, eligibility and dopamine of each synapse"
    if len(first) > MAX_SHOWN:
        title += f" (first {MAX_SHOWN} of {len(first)})"
    fig.suptitle(title)
    return fig


def make_bench_figure(result: BenchResult, directory) -> Path:
    """Write bench.png (and .pdf, .svg) under `directory`; return the PNG's path."""
    with paper_style():
        return save_figure(bench_figure(result), Path(directory) / "bench.png")
