"""Group means with their t-based confidence interval over subjects (seeds): the one
helper every figure that compares groups uses."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from ..analysis.statistics import CONFIDENCE


def mean_ci(values, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """(mean, low, high) of the finite `values`: the mean and its Student-t interval,
    mean -+ t(1 - (1 - confidence) / 2, n - 1) * SD / sqrt(n). With one value the
    interval is undefined (NaN, NaN: draw the mean only); with none, all three are NaN."""
    x = np.asarray(values, dtype=float).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + confidence / 2, x.size - 1) * x.std(ddof=1)
                 / math.sqrt(x.size))
    return mean, mean - half, mean + half


def column_ci(matrix, confidence: float = CONFIDENCE) -> tuple[np.ndarray, ...]:
    """`mean_ci` of each column of `matrix` (subjects x sessions): (means, lows, highs)."""
    matrix = np.atleast_2d(np.asarray(matrix, dtype=float))
    table = np.array([mean_ci(column, confidence) for column in matrix.T]).reshape(-1, 3)
    return table[:, 0], table[:, 1], table[:, 2]

def error_bar(ax, x: float, values, colour, **kwargs) -> tuple[float, float, float]:
    """Draw the mean of `values` at `x` with its interval (the mean alone for n = 1)."""
    mean, low, high = mean_ci(values)
    if math.isfinite(mean):
        yerr = [[mean - low], [high - mean]] if math.isfinite(low) else None
        ax.errorbar(x, mean, yerr=yerr, color=colour, **kwargs)
    return mean, low, high
