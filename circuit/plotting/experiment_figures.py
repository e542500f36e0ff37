"""Figures of a hypothesis experiment, from runs.csv rows (no Brian2 needed).

- ``metrics.png``: one panel per metric; every run is a point (one per seed), with the
  cell's mean and its 95% t-interval beside the points;
- ``sweep_<metric>.png`` (one swept key): the metric against the swept value, one line
  per condition (means, 95% t-intervals), seeds as points;
- ``heatmap_<metric>.png`` (two or more swept keys): the mean over seeds on a grid of
  the first two swept keys, one panel per condition (averaged over any further keys).

Each as PNG, PDF and SVG; one journal column wide for a single panel, two for several.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .intervals import error_bar
from .style import (BOLD_PT, MARKER_PT, ONE_COLUMN_IN, SMALL_FONT_PT, THIN_PT, TWO_COLUMNS_IN,
                    group_colour, group_ticks, label_panels, new_figure, panel_grid,
                    paper_style, save_figure)

PANELS_PER_ROW = 3
PANEL_HEIGHT_IN = 2.2
SWEEP_HEIGHT_IN = 2.4
HEATMAP_HEIGHT_IN = 2.4
KEYS_EXTRA_IN = 0.3  # room for the sweep values under the condition names
POINT_AREA = 6  # pt^2, one seed
POINT_ALPHA = 0.6
JITTER = 0.12
MEAN_OFFSET = 0.22  # x of a cell's mean and interval, right of its points
SWEEP_DODGE = 0.08  # x offset between the conditions at one sweep value


def make_experiment_figures(runs: list, conditions: list, metrics: list, sweep: dict,
                            out: Path) -> list:
    """Write the experiment's figures into `out`; return their (PNG) paths."""
    with paper_style():
        paths = [metric_points(runs, conditions, metrics, list(sweep), out / "metrics.png")]
        keys = list(sweep)
        for metric in metrics:
            if len(keys) == 1:
                paths.append(sweep_lines(runs, conditions, metric, keys[0], sweep[keys[0]],
                                         out / f"sweep_{metric}.png"))
            elif len(keys) >= 2:
                paths.append(heatmap(runs, conditions, metric, keys[:2], sweep,
                                     out / f"heatmap_{metric}.png"))
    return paths


def _colour(conditions: list, condition: str) -> str:
    return group_colour(conditions, condition)


def _cells(runs: list, keys: list) -> list:
    """(condition, point) of every cell, in the order runs.csv lists them."""
    seen = []
    for run in runs:
        cell = (run["condition"], tuple(run[key] for key in keys))
        if cell not in seen:
            seen.append(cell)
    return seen


def _values(runs, condition, keys, point, metric) -> np.ndarray:
    values = [run[metric] for run in runs if run["condition"] == condition
              and tuple(run[key] for key in keys) == point]
    values = np.asarray(values, dtype=float)
    return values[np.isfinite(values)]


def metric_points(runs, conditions, metrics, keys, path: Path) -> Path:
    cells = _cells(runs, keys)
    width = ONE_COLUMN_IN if len(metrics) == 1 else TWO_COLUMNS_IN
    fig, axes = panel_grid(len(metrics), PANEL_HEIGHT_IN, PANELS_PER_ROW, width,
                           KEYS_EXTRA_IN * bool(keys))
    rng = np.random.default_rng(0)
    labels = [_cell_label(condition, keys, point) for condition, point in cells]
    for ax, metric in zip(axes, metrics):
        for x, (condition, point) in enumerate(cells):
            values = _values(runs, condition, keys, point, metric)
            colour = _colour(conditions, condition)
            jitter = rng.uniform(-JITTER, JITTER, values.size)
            ax.scatter(x - JITTER + jitter, values, s=POINT_AREA, color=colour,
                       alpha=POINT_ALPHA, lw=0, zorder=3)
            error_bar(ax, x + MEAN_OFFSET, values, colour, fmt="D", ms=MARKER_PT,
                      lw=BOLD_PT, zorder=4)
        ax.set_title(metric.replace("_", " "))
        group_ticks(ax, labels)
        ax.set_xlim(-0.6, len(cells) - 0.4)
        if keys:
            ax.set_xlabel("condition / " + ", ".join(key.split(".")[-1] for key in keys))
        ax.grid(axis="y", alpha=0.3)
    label_panels(axes)
    fig.suptitle("Each point is one seed; diamond and bar: mean and 95% CI (t)")
    return save_figure(fig, path)


def _cell_label(condition, keys, point) -> str:
    if not keys:
        return condition
    return condition + "\n" + "\n".join(str(value) for value in point)


def sweep_lines(runs, conditions, metric, key, values, path: Path) -> Path:
    fig = new_figure(SWEEP_HEIGHT_IN, ONE_COLUMN_IN)
    ax = fig.subplots()
    positions = np.arange(len(values))
    for c, condition in enumerate(conditions):
        colour = _colour(conditions, condition)
        shift = (c - (len(conditions) - 1) / 2) * SWEEP_DODGE  # conditions side by side
        means = []
        for x, value in zip(positions, values):
            ys = _values(runs, condition, [key], (value,), metric)
            ax.scatter(np.full(ys.size, x + shift), ys, s=POINT_AREA, color=colour,
                       alpha=POINT_ALPHA, lw=0)
            means.append(error_bar(ax, x + shift, ys, colour, fmt="none", lw=THIN_PT * 2)[0])
        ax.plot(positions + shift, means, color=colour, lw=BOLD_PT, marker="o",
                ms=MARKER_PT, label=condition)
    ax.set_xticks(positions, [str(v) for v in values])
    ax.set_xlabel(key)
    ax.set_ylabel(metric.replace("_", " "))
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    ax.set_title(f"{metric.replace('_', ' ')} across {key.split('.')[-1]}\n"
                 "points: seeds; line and bars: mean, 95% CI (t)")
    return save_figure(fig, path)


def heatmap(runs, conditions, metric, keys, sweep, path: Path) -> Path:
    x_key, y_key = keys
    xs, ys = sweep[x_key], sweep[y_key]
    fig = new_figure(HEATMAP_HEIGHT_IN, ONE_COLUMN_IN if len(conditions) == 1 else TWO_COLUMNS_IN)
    axes = np.atleast_1d(fig.subplots(1, len(conditions)))
    grids = {}
    for condition in conditions:
        grid = np.full((len(ys), len(xs)), np.nan)
        for i, y in enumerate(ys):
            for j, x in enumerate(xs):
                values = [run[metric] for run in runs if run["condition"] == condition
                          and run[x_key] == x and run[y_key] == y]
                values = np.asarray(values, float)
                if np.isfinite(values).any():
                    grid[i, j] = np.nanmean(values)
        grids[condition] = grid
    finite = np.concatenate([g[np.isfinite(g)] for g in grids.values()] or [np.zeros(0)])
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    for ax, condition in zip(axes, conditions):
        image = ax.imshow(grids[condition], origin="lower", cmap="viridis", vmin=low,
                          vmax=high, aspect="auto")
        for i in range(len(ys)):
            for j in range(len(xs)):
                value = grids[condition][i, j]
                if np.isfinite(value):
                    ax.text(j, i, f"{value:.2g}", ha="center", va="center",
                            fontsize=SMALL_FONT_PT,
                            color="white" if value < (low + high) / 2 else "black")
        ax.set_xticks(range(len(xs)), [str(v) for v in xs])
        ax.set_yticks(range(len(ys)), [str(v) for v in ys])
        ax.set_xlabel(x_key)
        ax.set_ylabel(y_key)
        ax.set_title(f"{condition}: {metric.replace('_', ' ')}")
    fig.colorbar(image, ax=list(axes), label=f"{metric.replace('_', ' ')} (mean over seeds)")
    label_panels(axes)
    return save_figure(fig, path)
