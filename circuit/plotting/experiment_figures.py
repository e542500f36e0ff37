"""Figures of a hypothesis experiment, from runs.csv rows (no Brian2 needed).

- ``metrics.png``: one panel per metric; every run is a point (one per seed), with the
  cell's mean and its 95% bootstrap interval beside the points;
- ``sweep_<metric>.png`` (one swept key): the metric against the swept value, one line
  per condition, seeds as points;
- ``heatmap_<metric>.png`` (two or more swept keys): the mean over seeds on a grid of
  the first two swept keys, one panel per condition (averaged over any further keys).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy import stats

from ..analysis.statistics import CONFIDENCE, RESAMPLES, BOOTSTRAP_SEED
from .behaviour_figures import GROUP_COLOURS
from .style import new_figure, save_png

PANELS_PER_ROW = 3
PANEL_HEIGHT_IN = 3.4


def make_experiment_figures(runs: list, conditions: list, metrics: list, sweep: dict,
                            out: Path) -> list:
    """Write the experiment's figures into `out`; return their paths."""
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
    return GROUP_COLOURS[conditions.index(condition) % len(GROUP_COLOURS)]


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


def mean_interval(values: np.ndarray) -> tuple:
    """Mean and its 95% bootstrap (percentile) interval; NaN where undefined."""
    if values.size == 0:
        return math.nan, math.nan, math.nan
    if values.size < 2 or np.ptp(values) == 0:
        return float(values.mean()), float(values.mean()), float(values.mean())
    result = stats.bootstrap((values,), np.mean, confidence_level=CONFIDENCE,
                             n_resamples=RESAMPLES, method="percentile",
                             rng=np.random.default_rng(BOOTSTRAP_SEED))
    low, high = result.confidence_interval
    return float(values.mean()), float(low), float(high)


def metric_points(runs, conditions, metrics, keys, path: Path) -> Path:
    cells = _cells(runs, keys)
    rows = math.ceil(len(metrics) / PANELS_PER_ROW)
    fig = new_figure(PANEL_HEIGHT_IN * rows + 0.4 * bool(keys))
    axes = np.atleast_1d(fig.subplots(rows, min(len(metrics), PANELS_PER_ROW))).ravel()
    rng = np.random.default_rng(0)
    labels = [_cell_label(condition, keys, point) for condition, point in cells]
    for ax, metric in zip(axes, metrics):
        for x, (condition, point) in enumerate(cells):
            values = _values(runs, condition, keys, point, metric)
            colour = _colour(conditions, condition)
            jitter = rng.uniform(-0.12, 0.12, values.size)
            ax.scatter(x - 0.1 + jitter, values, s=16, color=colour, alpha=0.7, zorder=3)
            mean, low, high = mean_interval(values)
            if np.isfinite(mean):
                ax.errorbar(x + 0.22, mean, yerr=[[mean - low], [high - mean]], fmt="D",
                            color=colour, ms=5, capsize=3, lw=1.5, zorder=4)
        ax.set_title(metric.replace("_", " "))
        ax.set_xticks(range(len(cells)), labels, fontsize=8 if len(cells) < 10 else 7)
        ax.set_xlim(-0.6, len(cells) - 0.4)
        if keys:
            ax.set_xlabel("condition / " + ", ".join(key.split(".")[-1] for key in keys))
        ax.grid(axis="y", alpha=0.3)
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    fig.suptitle("Each point is one seed; diamond and bar: mean and 95% bootstrap interval")
    return save_png(fig, path)


def _cell_label(condition, keys, point) -> str:
    if not keys:
        return condition
    return condition + "\n" + "\n".join(str(value) for value in point)


def sweep_lines(runs, conditions, metric, key, values, path: Path) -> Path:
    fig = new_figure(PANEL_HEIGHT_IN + 0.6)
    ax = fig.subplots()
    positions = np.arange(len(values))
    for condition in conditions:
        colour = _colour(conditions, condition)
        means = []
        for x, value in zip(positions, values):
            ys = _values(runs, condition, [key], (value,), metric)
            ax.scatter(np.full(ys.size, x) + np.linspace(-0.05, 0.05, ys.size), ys, s=14,
                       color=colour, alpha=0.6)
            means.append(ys.mean() if ys.size else np.nan)
        ax.plot(positions, means, color=colour, lw=2, marker="o", label=condition)
    ax.set_xticks(positions, [str(v) for v in values])
    ax.set_xlabel(key)
    ax.set_ylabel(metric.replace("_", " "))
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    ax.set_title(f"{metric.replace('_', ' ')} across {key} (points: seeds; line: mean)")
    return save_png(fig, path)


def heatmap(runs, conditions, metric, keys, sweep, path: Path) -> Path:
    x_key, y_key = keys
    xs, ys = sweep[x_key], sweep[y_key]
    fig = new_figure(PANEL_HEIGHT_IN + 0.8)
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
                    ax.text(j, i, f"{value:.2g}", ha="center", va="center", fontsize=8,
                            color="white" if value < (low + high) / 2 else "black")
        ax.set_xticks(range(len(xs)), [str(v) for v in xs])
        ax.set_yticks(range(len(ys)), [str(v) for v in ys])
        ax.set_xlabel(x_key)
        ax.set_ylabel(y_key)
        ax.set_title(f"{condition}: {metric.replace('_', ' ')}")
    fig.colorbar(image, ax=list(axes), label=f"{metric.replace('_', ' ')} (mean over seeds)")
    return save_png(fig, path)
