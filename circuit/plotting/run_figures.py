"""The standard figures of one run: raster, rates, neuromodulators, occupancy, plasticity.

Plain NumPy `Results` in, PNG, PDF and SVG files out (Agg canvas, no pyplot state), two
journal columns wide (style.py). Each file is rendered in memory and written atomically,
so a figure on disk is always complete.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from circuit.analysis.summary import OCCUPANCY_PREFIX, tonic_level
from circuit.plotting import style
from circuit.results.record import Results

# The raster shows at most this many neurons per population, evenly spaced through it:
# at print size more rows (or all of a 15 Hz population) merge into solid blocks.
MAX_NEURONS_SHOWN = 20
RASTER_GAP = 3  # empty rows between populations in the raster
RASTER_HEIGHT_IN = 4.2
RASTER_MARKER_SIZE = 1.6  # pt: one tick per spike, about one row high
RASTER_MARKER_EDGE = 0.25  # pt: thin ticks keep high-rate populations legible
RATE_PANEL_HEIGHT_IN = 0.8
RATE_EXTRA_IN = 0.6  # title, phase names and time axis of the rates figure
RATE_HEADROOM = 1.35  # y-limit above the highest rate, leaving room for the phase means
MEAN_LABEL_Y = 0.97  # axes fraction of the per-phase mean annotation
MODULATOR_PANEL_HEIGHT_IN = 1.3
STACK_EXTRA_IN = 0.5  # title, phase names and time axis of a stacked figure
NM_PER_UM = 1000.0
DA_TRACE = "da_nac_nM"
COCAINE_TRACE = "cocaine_nac_nM"
OXT_PREFIX = "oxt_"
CONCENTRATION_SUFFIX = "_nM"
LINE_WIDTH = style.LINE_PT
OCCUPANCY_PANEL_HEIGHT_IN = 1.1
# Occupancy lines in a panel are drawn thinner one after another so that coincident traces
# (same receptor and ligand on two cell types) stay visible as an outline around each other.
OCCUPANCY_WIDEST = 2.2
OCCUPANCY_NARROWEST = style.LINE_PT
LEGEND_OUTSIDE = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0),
                  "fontsize": style.SMALL_FONT_PT, "frameon": False}

RASTER_FILE = "raster.png"
RATES_FILE = "rates.png"
MODULATORS_FILE = "neuromodulators.png"
OCCUPANCY_FILE = "occupancy.png"
PLASTICITY_FILE = "plasticity.png"
PLASTICITY_PANEL_HEIGHT_IN = 1.5
VTA_POTENTIATION_TRACE = "vta_potentiation"


def shown_neurons(n: int) -> np.ndarray:
    """Indices of the raster's neurons of a population of `n`: all up to
    `MAX_NEURONS_SHOWN`, else that many evenly spaced from the first to the last."""
    return np.unique(np.linspace(0, n - 1, min(n, MAX_NEURONS_SHOWN)).round().astype(int))


def raster_figure(results: Results) -> Figure:
    """Spike raster, populations top to bottom: at most `MAX_NEURONS_SHOWN` neurons of
    each, evenly spaced through the population (`shown_neurons`), one thin tick a spike
    (rasterised inside the PDF and SVG), so even 15 Hz populations stay legible."""
    fig = style.new_figure(RASTER_HEIGHT_IN)
    ax = fig.add_subplot()
    style.shade_phases(ax, results.phases, label=True)
    ticks, labels, offset = [], [], 0
    for position, pop in reversed(list(enumerate(results.sizes))):
        n = int(results.sizes[pop])
        chosen = shown_neurons(n)
        shown = chosen.size
        row = np.full(max(n, 1), -1)
        row[chosen] = np.arange(shown)
        times, indices = results.spikes.get(pop, (np.empty(0), np.empty(0, int)))
        rows = row[np.clip(indices, 0, max(n, 1) - 1)] if indices.size else indices
        keep = (rows >= 0) & (indices < n)
        ax.plot(times[keep], offset + rows[keep], ls="", marker="|",
                ms=RASTER_MARKER_SIZE, mew=RASTER_MARKER_EDGE,
                color=style.population_colour(pop, position), rasterized=True)
        ticks.append(offset + shown / 2)
        suffix = f"\n({shown} of {n})" if shown < n else f"\n(all {n})"
        labels.append(style.population_name(pop) + suffix)
        offset += shown + RASTER_GAP
        ax.axhline(offset - RASTER_GAP / 2, color="0.6", lw=style.THIN_PT)
    ax.set_yticks(ticks, labels)
    ax.set_ylim(-RASTER_GAP / 2, offset - RASTER_GAP / 2)
    ax.set_xlabel("time (s)")
    fig.suptitle("Spike raster")
    return fig


def rates_figure(results: Results) -> Figure:
    """Population rate of each population, one panel each, with the mean rate per phase."""
    pops = list(results.sizes)
    fig = style.new_figure(RATE_PANEL_HEIGHT_IN * len(pops) + RATE_EXTRA_IN)
    axes = fig.subplots(len(pops), 1, sharex=True, squeeze=False)[:, 0]
    for position, (ax, pop) in enumerate(zip(axes, pops)):
        rate = results.rates.get(pop)
        style.shade_phases(ax, results.phases, label=position == 0)
        if rate is not None:
            ax.plot(results.rate_t, rate, color=style.population_colour(pop, position),
                    lw=LINE_WIDTH)
            ax.set_ylim(0, RATE_HEADROOM * max(float(np.max(rate)), 1.0))
        text_at = blended_transform_factory(ax.transData, ax.transAxes)
        for phase in results.phases:
            mean = results.mean_rate(pop, phase.start, phase.stop)
            ax.hlines(mean, phase.start, phase.stop, color="k", lw=style.THIN_PT, ls="--")
            if style.wide_enough(phase, results.phases):
                ax.text((phase.start + phase.stop) / 2, MEAN_LABEL_Y, f"mean {mean:.1f} Hz",
                        transform=text_at, ha="center", va="top",
                        fontsize=style.SMALL_FONT_PT)
        ax.set_ylabel(f"{style.population_name(pop)}\n(Hz)")
    axes[-1].set_xlabel("time (s)")
    style.label_panels(axes)
    fig.suptitle("Population firing rates (smoothed; dashed: mean rate per neuron in each phase)")
    return fig


def _modulator_panels(results: Results) -> list[tuple[str, list[str]]]:
    """(kind, traces) per panel: DA, cocaine, OXT together, then any other concentration."""
    names = [n for n in results.traces if n.endswith(CONCENTRATION_SUFFIX)]
    panels = []
    if DA_TRACE in names:
        panels.append(("da", [DA_TRACE]))
    if COCAINE_TRACE in names:
        panels.append(("cocaine", [COCAINE_TRACE]))
    oxt = [n for n in names if n.startswith(OXT_PREFIX)]
    if oxt:
        panels.append(("oxt", oxt))
    done = {DA_TRACE, COCAINE_TRACE, *oxt}
    panels += [("other", [n]) for n in names if n not in done]
    return panels


def neuromodulators_figure(results: Results) -> Figure:
    """[DA] with its tonic level, [cocaine] in uM and [OXT] in NAc and VTA, stacked."""
    panels = _modulator_panels(results)
    fig = style.new_figure(MODULATOR_PANEL_HEIGHT_IN * max(len(panels), 1) + STACK_EXTRA_IN)
    axes = fig.subplots(max(len(panels), 1), 1, sharex=True, squeeze=False)[:, 0]
    colours = mpl.colormaps["tab10"].colors
    for position, (ax, (kind, traces)) in enumerate(zip(axes, panels)):
        style.shade_phases(ax, results.phases, label=position == 0)
        scale, unit = (NM_PER_UM, "µM") if kind == "cocaine" else (1.0, "nM")
        for k, trace in enumerate(traces):
            # traces that share a panel can coincide ([OXT] in NAc and VTA, with equal
            # release): each later one is dashed over the earlier, so both stay visible
            ax.plot(results.trace_t, results.traces[trace] / scale,
                    lw=LINE_WIDTH * (2.0 if k == 0 and len(traces) > 1 else 1.0),
                    ls="-" if k == 0 else (0, (4, 2)),
                    color=colours[(position + k) % len(colours)], label=style.trace_name(trace))
        if kind == "da":
            tonic = tonic_level(results, DA_TRACE)
            ax.axhline(tonic, color="k", ls="--", lw=style.THIN_PT,
                       label=f"tonic {tonic:.0f} nM")
        title = "[OXT]" if kind == "oxt" else style.trace_name(traces[0])
        ax.set_ylabel(f"{title} ({unit})")
        ax.set_ylim(bottom=0)
        ax.legend(**LEGEND_OUTSIDE)
    if not panels:
        style.shade_phases(axes[0], results.phases, label=True)
        style.note_empty(axes[0], "concentration traces")
    axes[-1].set_xlabel("time (s)")
    style.label_panels(axes)
    fig.suptitle("Neuromodulator concentrations")
    return fig


def occupancy_figure(results: Results) -> Figure:
    """Receptor occupancy (0-1), one panel per receptor, one line per cell type."""
    by_receptor: dict[str, list[str]] = {}
    for name in results.traces:
        if name.startswith(OCCUPANCY_PREFIX):
            by_receptor.setdefault(style.split_occupancy(name)[0], []).append(name)
    fig = style.new_figure(OCCUPANCY_PANEL_HEIGHT_IN * max(len(by_receptor), 1)
                           + STACK_EXTRA_IN)
    axes = fig.subplots(max(len(by_receptor), 1), 1, sharex=True, squeeze=False)[:, 0]
    pops = list(results.sizes)
    for position, (ax, (receptor, names)) in enumerate(zip(axes, by_receptor.items())):
        style.shade_phases(ax, results.phases, label=position == 0)
        widths = np.linspace(OCCUPANCY_WIDEST if len(names) > 1 else OCCUPANCY_NARROWEST,
                             OCCUPANCY_NARROWEST, len(names))
        for k, (name, width) in enumerate(zip(names, widths)):
            pop = style.split_occupancy(name)[1]
            colour = style.population_colour(pop, pops.index(pop) if pop in pops else k)
            ax.plot(results.trace_t, results.traces[name], lw=width, color=colour,
                    label="on " + style.population_name(pop))
        ax.set_ylim(0, 1)
        ax.set_ylabel(f"{style.RECEPTOR_NAMES.get(receptor, receptor.upper())}\noccupancy")
        ax.legend(**LEGEND_OUTSIDE)
    if not by_receptor:
        style.shade_phases(axes[0], results.phases, label=True)
        style.note_empty(axes[0], "receptor occupancy traces")
    axes[-1].set_xlabel("time (s)")
    style.label_panels(axes)
    fig.suptitle("Receptor occupancy (fraction of receptors bound)")
    return fig


def plasticity_figure(results: Results) -> Figure:
    """Mean afferent weight onto D1 and D2 MSNs over the run (change from its start, with
    the spread of the sampled synapses), and the drug-evoked VTA input potentiation."""
    fig = style.new_figure(PLASTICITY_PANEL_HEIGHT_IN * 2 + STACK_EXTRA_IN)
    weights_ax, vta_ax = fig.subplots(2, 1, sharex=True)
    for ax in (weights_ax, vta_ax):
        style.shade_phases(ax, results.phases, label=ax is weights_ax)
    sources = sorted({name.split("_to_")[0] for name in results.weights})
    for k, (name, w) in enumerate(sorted(results.weights.items())):
        source, target = name.split("_to_")
        change = w - w[:1]
        mean, spread = change.mean(axis=1), change.std(axis=1)
        colour = style.population_colour(target, k)
        dashes = (None, (4, 2), (1, 1))[sources.index(source) % 3]
        line, = weights_ax.plot(results.weight_t, mean, color=colour, lw=style.BOLD_PT,
                                label=f"{source} -> {style.population_name(target)}")
        if dashes:
            line.set_dashes(dashes)
        weights_ax.fill_between(results.weight_t, mean - spread, mean + spread, color=colour,
                                alpha=0.08, lw=0)
    if results.weights:
        weights_ax.axhline(0, color="0.5", lw=style.THIN_PT)
        weights_ax.legend(**LEGEND_OUTSIDE)
    else:
        style.note_empty(weights_ax, "afferent -> MSN weights")
    weights_ax.set_ylabel("weight change\n(mean +- SD of sampled)")
    if VTA_POTENTIATION_TRACE in results.traces:
        vta_ax.plot(results.trace_t, results.traces[VTA_POTENTIATION_TRACE], color="C0",
                    lw=LINE_WIDTH, label="VTA DA inputs")
        vta_ax.legend(**LEGEND_OUTSIDE)
    else:
        style.note_empty(vta_ax, "VTA input potentiation")
    vta_ax.set_ylabel("drug-evoked\npotentiation p")
    vta_ax.set_xlabel("time (s)")
    style.label_panels([weights_ax, vta_ax])
    fig.suptitle("Plasticity: afferent -> MSN weights (three-factor rule) and VTA input "
                 "potentiation")
    return fig


FIGURES = {
    RASTER_FILE: raster_figure,
    RATES_FILE: rates_figure,
    MODULATORS_FILE: neuromodulators_figure,
    OCCUPANCY_FILE: occupancy_figure,
    PLASTICITY_FILE: plasticity_figure,
}


def make_run_figures(results: Results, directory: str | os.PathLike) -> list[Path]:
    """Write the standard figures of one run into `directory` (created if needed), each
    as PNG, PDF and SVG (`style.save_figure`).

    Returns the PNG paths: ``raster.png``, ``rates.png``, ``neuromodulators.png``,
    ``occupancy.png``, ``plasticity.png``.
    """
    directory = Path(directory)
    written = []
    with style.paper_style():
        for filename, build in FIGURES.items():
            written.append(style.save_figure(build(results), directory / filename))
    return written
