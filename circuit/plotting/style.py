"""Shared look of the run figures: population colours and names, phase shading, PNG output."""

from __future__ import annotations

import io
import os
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from circuit.results.record import Phase
from circuit.results.store import atomic_write_bytes

DPI = 130
FIG_WIDTH_IN = 12.0
FONT_SIZE = 9
PHASE_LABEL_SIZE = 9
PHASE_ALPHA = 0.35
PHASE_LABEL_Y = 1.01  # axes fraction, just above the top of the axes
MIN_LABEL_FRACTION = 0.07  # phases narrower than this fraction of the run get no text

POPULATION_COLOURS = {
    "vta_da": "#1f77b4",
    "vta_gaba": "#9467bd",
    "nac_d1": "#d62728",
    "nac_d2": "#ff7f0e",
    "nac_pv": "#2ca02c",
    "pvn_oxt": "#8c564b",
}
FALLBACK_COLOURS = ("#17becf", "#bcbd22", "#e377c2", "#7f7f7f")
POPULATION_NAMES = {
    "vta_da": "VTA DA",
    "vta_gaba": "VTA GABA",
    "nac_d1": "NAc D1 MSN",
    "nac_d2": "NAc D2 MSN",
    "nac_pv": "NAc PV",
    "pvn_oxt": "PVN OXT",
}
# Short cell names that may appear in receptor-occupancy names (occ_<receptor>_<cell>).
CELL_ALIASES = {"d1": "nac_d1", "d2": "nac_d2", "pv": "nac_pv", "da": "vta_da"}
RECEPTOR_NAMES = {"d1r": "D1R", "d2r": "D2R", "oxtr": "OXTR"}
TRACE_NAMES = {
    "da_nac_nM": "[DA] NAc",
    "oxt_nac_nM": "[OXT] NAc",
    "oxt_vta_nM": "[OXT] VTA",
    "cocaine_nac_nM": "[cocaine] NAc",
}
PHASE_COLOURS = {"baseline": "#ffffff", "challenge": "#fdd9a8", "washout": "#d4e6f5"}
FALLBACK_PHASE_COLOURS = ("#eeeeee", "#dddddd")


def population_colour(pop: str, position: int = 0) -> str:
    """Colour of population `pop`; unknown ones cycle through `FALLBACK_COLOURS`."""
    return POPULATION_COLOURS.get(pop, FALLBACK_COLOURS[position % len(FALLBACK_COLOURS)])


def population_name(pop: str) -> str:
    """Display name, e.g. ``nac_d2`` -> ``NAc D2 MSN``."""
    return POPULATION_NAMES.get(pop, pop.replace("_", " "))


def trace_name(trace: str) -> str:
    """Display name of a concentration trace, e.g. ``da_nac_nM`` -> ``[DA] NAc``."""
    return TRACE_NAMES.get(trace, trace.removesuffix("_nM").replace("_", " "))


def split_occupancy(trace: str) -> tuple[str, str]:
    """(receptor, population) of an occupancy trace: ``occ_d2r_nac_d2`` -> (d2r, nac_d2)."""
    receptor, _, cell = trace.removeprefix("occ_").partition("_")
    return receptor, CELL_ALIASES.get(cell, cell)


def occupancy_name(trace: str) -> str:
    """Display name of an occupancy trace, e.g. ``occ_d2r_nac_d2`` -> ``D2R on NAc D2 MSN``."""
    receptor, pop = split_occupancy(trace)
    return f"{RECEPTOR_NAMES.get(receptor, receptor.upper())} on {population_name(pop)}"


def phase_colour(name: str, position: int) -> str:
    return PHASE_COLOURS.get(name, FALLBACK_PHASE_COLOURS[position % len(FALLBACK_PHASE_COLOURS)])


def wide_enough(phase: Phase, phases: list[Phase]) -> bool:
    """Whether `phase` is wide enough on the time axis to carry a text label."""
    return phase.stop - phase.start >= MIN_LABEL_FRACTION * (phases[-1].stop - phases[0].start)


def shade_phases(ax: Axes, phases: list[Phase], label: bool = False) -> None:
    """Shade each phase as a background band; with `label`, name it above the axes."""
    top = blended_transform_factory(ax.transData, ax.transAxes)
    for position, phase in enumerate(phases):
        ax.axvspan(phase.start, phase.stop, color=phase_colour(phase.name, position),
                   alpha=PHASE_ALPHA, lw=0, zorder=0)
        if position:
            ax.axvline(phase.start, color="0.5", lw=0.8, ls=":", zorder=1)
        if label and wide_enough(phase, phases):
            ax.text((phase.start + phase.stop) / 2, PHASE_LABEL_Y, phase.name, transform=top,
                    ha="center", va="bottom", fontsize=PHASE_LABEL_SIZE, style="italic")
    ax.set_xlim(phases[0].start, phases[-1].stop)


def note_empty(ax: Axes, what: str) -> None:
    """Say in the middle of an empty axes that this run recorded no `what`."""
    ax.text(0.5, 0.5, f"no {what} recorded in this run", transform=ax.transAxes,
            ha="center", va="center", color="0.4")


def new_figure(height_in: float) -> Figure:
    """A figure of the standard width, constrained layout, on the Agg canvas."""
    fig = Figure(figsize=(FIG_WIDTH_IN, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def expected_pixels(height_in: float) -> tuple[int, int]:
    """(height, width) in pixels of a figure of `height_in` inches made by `new_figure`."""
    return round(height_in * DPI), round(FIG_WIDTH_IN * DPI)


def save_png(fig: Figure, path: str | os.PathLike) -> Path:
    """Render `fig` to PNG in memory and write it atomically to `path`."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return atomic_write_bytes(path, buffer.getvalue())
