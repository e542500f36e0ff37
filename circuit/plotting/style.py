"""Shared look of every figure: journal sizes and fonts, population colours and names,
phase shading, panel letters, and output as PNG, PDF and SVG (deterministic, atomic)."""

from __future__ import annotations

import io
import logging
import math
import os
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from circuit.results.record import Phase
from circuit.results.store import atomic_write_bytes

MM_PER_IN = 25.4
# Column widths of Nature, Cell and J Neurosci: 89 mm (one column), 183 mm (two columns).
ONE_COLUMN_IN = 89 / MM_PER_IN
TWO_COLUMNS_IN = 183 / MM_PER_IN
MAX_HEIGHT_IN = 247 / MM_PER_IN  # Nature's full page depth
DPI = 300  # PNG resolution, and of the rasterised spike raster inside the PDF/SVG
# Type sizes at print size (journals ask 5-9 pt): body text, titles, panel letters, and
# the smallest, for legends and annotations in dense panels.
FONT_SIZE_PT = 7
TITLE_SIZE_PT = 8
PANEL_LETTER_SIZE_PT = 9
SMALL_FONT_PT = 6
# Line widths (pt) suited to that size: data, thin (subjects, references), bold (means).
LINE_PT = 0.8
THIN_PT = 0.5
BOLD_PT = 1.3
AXIS_LINE_PT = 0.6
TICK_LENGTH_PT = 2.5
MARKER_PT = 3.0
#: Grey of a shaded range (a finding's asked effect) behind the data.
RANGE_SHADE = "0.88"
PAPER_RC = {
    "font.size": FONT_SIZE_PT, "axes.titlesize": TITLE_SIZE_PT,
    "axes.labelsize": FONT_SIZE_PT, "xtick.labelsize": FONT_SIZE_PT,
    "ytick.labelsize": FONT_SIZE_PT, "legend.fontsize": SMALL_FONT_PT,
    "legend.title_fontsize": SMALL_FONT_PT, "figure.titlesize": TITLE_SIZE_PT,
    "lines.linewidth": LINE_PT, "lines.markersize": MARKER_PT,
    "axes.linewidth": AXIS_LINE_PT, "patch.linewidth": THIN_PT, "grid.linewidth": THIN_PT,
    "xtick.major.width": AXIS_LINE_PT, "ytick.major.width": AXIS_LINE_PT,
    "xtick.major.size": TICK_LENGTH_PT, "ytick.major.size": TICK_LENGTH_PT,
    "xtick.minor.width": THIN_PT, "ytick.minor.width": THIN_PT,
    "legend.handlelength": 1.6, "legend.borderaxespad": 0.3,
    "errorbar.capsize": 1.5,
    "pdf.fonttype": 42,  # TrueType: text stays editable in the PDF
    "svg.hashsalt": "circuit",  # fixed ids in the SVG: same figure, same bytes
}
#: Formats written by `save_figure`, all with the same base name.
FORMATS = ("png", "pdf", "svg")
# No creation date in the vector files, so the same results give the same bytes.
METADATA = {"pdf": {"CreationDate": None}, "svg": {"Date": None}, "png": {}}
PANEL_LETTER_OFFSET_PT = (-14, 4)  # from an axes' top-left corner: left of and above it

PHASE_LABEL_SIZE = FONT_SIZE_PT
PHASE_ALPHA = 0.35
PHASE_LABEL_Y = 1.01  # axes fraction, just above the top of the axes
MIN_LABEL_FRACTION = 0.07  # phases narrower than this fraction of the run get no text

_formats: ContextVar[tuple] = ContextVar("formats", default=FORMATS)
# fontTools, which subsets the fonts embedded in each PDF, logs every glyph at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

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


#: Colours of an experiment's groups or conditions, in their order; a figure with more
#: groups than these takes them from a 20-colour qualitative palette instead (matplotlib's
#: tab20: its ten hues first, then their tints), so that no two of up to 20 groups share
#: a colour, and draws them more sparsely (`many_groups`).
GROUP_COLOURS = ("#444444", "#2a9d8f", "#e76f51", "#457b9d", "#e9c46a", "#9d4edd")
_TAB20 = [mpl.colors.to_hex(c) for c in mpl.colormaps["tab20"].colors]
MANY_GROUP_COLOURS = tuple(_TAB20[0::2] + _TAB20[1::2])  # ten hues, then their light tints
#: Tick labels of groups set at an angle from this many groups on, or from this many
#: characters in the longest name.
CROWDED_GROUPS = 5
CROWDED_NAME_CHARS = 10
CROWDED_LABEL_ANGLE = 45


def many_groups(groups: list) -> bool:
    """Whether `groups` are too many to overlay with subjects and bands in one panel."""
    return len(groups) > len(GROUP_COLOURS)


def group_colour(groups: list, group: str) -> str:
    """Colour of `group` among `groups` (see GROUP_COLOURS)."""
    palette = MANY_GROUP_COLOURS if many_groups(groups) else GROUP_COLOURS
    return palette[groups.index(group) % len(palette)]


def group_ticks(ax: Axes, labels: list) -> None:
    """Label the x ticks 0..n-1 with `labels`, set at an angle where they would collide."""
    crowded = (len(labels) >= CROWDED_GROUPS
               or max((len(str(label)) for label in labels), default=0) >= CROWDED_NAME_CHARS)
    ax.set_xticks(range(len(labels)), labels, rotation=CROWDED_LABEL_ANGLE if crowded else 0,
                  ha="right" if crowded else "center",
                  rotation_mode="anchor" if crowded else "default",
                  fontsize=SMALL_FONT_PT if crowded else FONT_SIZE_PT)


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
            ax.axvline(phase.start, color="0.5", lw=THIN_PT, ls=":", zorder=1)
        if label and wide_enough(phase, phases):
            ax.text((phase.start + phase.stop) / 2, PHASE_LABEL_Y, phase.name, transform=top,
                    ha="center", va="bottom", fontsize=PHASE_LABEL_SIZE, style="italic")
    ax.set_xlim(phases[0].start, phases[-1].stop)


def note_empty(ax: Axes, what: str) -> None:
    """Say in the middle of an empty axes that this run recorded no `what`."""
    ax.text(0.5, 0.5, f"no {what} recorded in this run", transform=ax.transAxes,
            ha="center", va="center", color="0.4")


@contextmanager
def paper_style():
    """Within the block, new figures get `PAPER_RC`'s fonts and line widths."""
    with mpl.rc_context(PAPER_RC):
        yield


@contextmanager
def output_formats(formats):
    """Within the block, `save_figure` writes these formats (a subset of `FORMATS`)."""
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"figure formats must be among {', '.join(FORMATS)}; got "
                         f"{', '.join(formats) or 'none'}")
    token = _formats.set(formats)
    try:
        yield
    finally:
        _formats.reset(token)


def current_formats() -> tuple:
    """The formats `save_figure` writes now."""
    return _formats.get()


def new_figure(height_in: float, width_in: float = TWO_COLUMNS_IN) -> Figure:
    """A figure `width_in` wide (`ONE_COLUMN_IN` or `TWO_COLUMNS_IN`), constrained layout,
    on the Agg canvas. Call within `paper_style` for the paper's fonts and lines."""
    fig = Figure(figsize=(width_in, min(height_in, MAX_HEIGHT_IN)), dpi=DPI,
                 layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def panel_grid(count: int, row_height_in: float, columns: int = 2,
               width_in: float = TWO_COLUMNS_IN, extra_height_in: float = 0.0):
    """A `new_figure` with `count` panels in rows of `columns` (fewer if `count` is),
    `row_height_in` per row plus `extra_height_in`: (figure, its `count` axes in
    reading order); the last row's spare axes are hidden."""
    rows = math.ceil(count / columns)
    fig = new_figure(row_height_in * rows + extra_height_in, width_in)
    axes = list(fig.subplots(rows, min(count, columns), squeeze=False).ravel())
    for ax in axes[count:]:
        ax.set_visible(False)
    return fig, axes[:count]


def shade_range(ax, low: float, high: float) -> None:
    """Shade the band `low`..`high` of the y axis behind the data: the range a
    finding's test asks (`range_patch` is its legend entry)."""
    ax.axhspan(low, high, color=RANGE_SHADE, lw=0, zorder=0)


def range_patch(label: str) -> Patch:
    """The legend entry of a band drawn by `shade_range`."""
    return Patch(color=RANGE_SHADE, label=label)


def legend_below(fig: Figure, handles, columns: int = 2) -> None:
    """One legend for the whole figure, centred under its panels."""
    fig.legend(handles=handles, loc="outside lower center", ncols=columns, frameon=False)


def expected_pixels(height_in: float, width_in: float = TWO_COLUMNS_IN) -> tuple[int, int]:
    """(height, width) in pixels of the PNG of a figure made by `new_figure`."""
    return round(min(height_in, MAX_HEIGHT_IN) * DPI), round(width_in * DPI)


def label_panels(axes) -> None:
    """Bold letters a, b, c ... at the top left of each axes, outside it (if more than one)."""
    axes = [ax for ax in axes if ax.get_visible()]
    if len(axes) < 2:
        return
    for k, ax in enumerate(axes):
        ax.annotate(chr(ord("a") + k), (0, 1), xycoords="axes fraction",
                    xytext=PANEL_LETTER_OFFSET_PT, textcoords="offset points", ha="right",
                    va="bottom", fontsize=PANEL_LETTER_SIZE_PT, fontweight="bold")


def save_figure(fig: Figure, path: str | os.PathLike) -> Path:
    """Render `fig` in memory and write each of `current_formats()` atomically beside
    `path` (same base name: x.png, x.pdf, x.svg); return the PNG's path (or the first
    format's, without PNG). Same figure, same bytes: no dates in the files, and the
    layout is computed once and then frozen, because each render would move a
    constrained layout slightly (an SVG drawn alone would differ from one drawn after
    the PNG)."""
    path = Path(path)
    written = []
    with mpl.rc_context({"svg.hashsalt": PAPER_RC["svg.hashsalt"]}):
        fig.draw_without_rendering()  # the layout, once ...
        fig.set_layout_engine("none")  # ... and every format draws those positions
        for fmt in current_formats():
            buffer = io.BytesIO()
            fig.savefig(buffer, format=fmt, dpi=DPI, metadata=METADATA[fmt])
            written.append(atomic_write_bytes(path.with_suffix("." + fmt), buffer.getvalue()))
    return written[0]


def written_files(path: str | os.PathLike) -> list[Path]:
    """Every file `save_figure(fig, path)` writes in the current formats."""
    return [Path(path).with_suffix("." + fmt) for fmt in current_formats()]
