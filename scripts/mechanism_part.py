"""The part of a treatment's effect that one mechanism carries, per sweep point.

A knock-out of a mechanism (`mechanisms.<switch>: off` for the whole run) removes what
the mechanism does with the treatment *and* without it (the endogenous OXT acting
through it). The treatment's part through the mechanism is therefore a difference of
differences, seed by seed:

    part = (treated - treated_no_M) - (reference - reference_no_M)

with the conditions named `<treated>_no_<M>` and `<reference>_no_<M>` in the experiment
(validation/pilot/m1_*.yaml); the scorecard's knock-out shares are made from the same
two differences (circuit.analysis.statistics.knockout_effects). Reads DIR/runs.csv; prints one markdown row per sweep
point and metric: the effect with the mechanism (treated - reference) and without it,
the endogenous part (reference - reference_no_M) and the treatment's part, each mean
with its 95% paired bootstrap interval, and a two-sided paired t-test of the part.

    python scripts/mechanism_part.py DIR --treated prime_oxt1 --reference prime_saline \
        --mechanism M1 --metric reinstatement_active [--metric ...]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

from circuit.analysis.statistics import (knockout_effects, matched_values, percentile_ci,
                                         sweep_points)
from circuit.results.tables import read_csv


@dataclass
class Part:
    """One sweep point's decomposition, means over the seeds measured in all four."""

    point: dict
    metric: str
    seeds: int
    reference: float  # the reference condition's mean, for percentages
    effect: tuple  # (mean, low, high): treated - reference
    effect_without: tuple  # treated_no_M - reference_no_M
    endogenous: tuple  # reference - reference_no_M
    part: tuple  # the treatment's part: effect - effect_without
    p: float  # two-sided paired t-test of the part


def _swept_keys(runs: list) -> list:
    """The sweep's columns of runs.csv: between `condition` and `seed`."""
    columns = list(runs[0])
    return columns[columns.index("condition") + 1:columns.index("seed")]


def _mean_ci(samples: tuple, statistic) -> tuple:
    value = float(statistic(*[np.asarray(s) for s in samples]))
    return (value, *percentile_ci(samples, statistic, paired=True))


def mechanism_parts(runs: list, treated: str, reference: str, mechanism: str,
                    metric: str) -> list:
    """A `Part` per sweep point of `runs` (rows of runs.csv)."""
    conditions = (treated, f"{treated}_no_{mechanism}", reference, f"{reference}_no_{mechanism}")
    present = {run["condition"] for run in runs}
    missing = [c for c in conditions if c not in present]
    if missing:
        raise SystemExit(f"no runs of {', '.join(missing)}: the experiment needs all of "
                         f"{', '.join(conditions)}")
    parts = []
    for point in sweep_points(runs, _swept_keys(runs)):
        samples = matched_values(runs, conditions, point, metric)
        if len(samples[0]) < 2:
            continue
        a, an, r, rn = (np.asarray(s) for s in samples)
        difference = lambda x, y, axis=-1: np.mean(x, axis=axis) - np.mean(y, axis=axis)

        def part(*groups, axis=-1):  # the treatment's part: effect - effect without M
            effect, without = knockout_effects(*groups, axis=axis)
            return effect - without

        parts.append(Part(
            point, metric, len(a), float(np.mean(r)), _mean_ci((a, r), difference),
            _mean_ci((an, rn), difference), _mean_ci((r, rn), difference),
            _mean_ci(samples, part),
            float(stats.ttest_1samp((a - an) - (r - rn), 0.0).pvalue)))
    return parts


COLUMNS_HELP = """columns: effect = treated - reference (its percent of the reference's
mean); effect without the mechanism = treated_no_M - reference_no_M; endogenous part =
reference - reference_no_M (what the body's own OXT does through M); the treatment's
part = effect - effect without (what the treatment adds through M); each a mean over the
seeds with its 95% paired bootstrap interval; p: two-sided paired t-test of the part."""


def _metric_columns(runs: list) -> list:
    """The columns of runs.csv after the seed's: the measures a run records."""
    columns = list(runs[0])
    return columns[columns.index("seed") + 1:]


def _cell(triple: tuple) -> str:
    mean, low, high = triple
    return f"{mean:+.2f} [{low:+.2f}, {high:+.2f}]"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=COLUMNS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path, help="an experiment's output directory")
    parser.add_argument("--treated", required=True, help="the treated condition, e.g. "
                        "prime_oxt1 (with its knock-out <treated>_no_<M> in the experiment)")
    parser.add_argument("--reference", required=True, help="the reference condition, e.g. "
                        "prime_saline (with <reference>_no_<M>)")
    parser.add_argument("--mechanism", required=True, help="the knock-out's suffix, e.g. M1")
    parser.add_argument("--metric", action="append", required=True,
                        help="a column of runs.csv, e.g. reinstatement_active (repeatable)")
    args = parser.parse_args(argv)
    runs = read_csv(args.directory / "runs.csv")
    unknown = [m for m in args.metric if runs and m not in runs[0]]
    if unknown:
        raise SystemExit(f"--metric {', '.join(unknown)}: not a column of "
                         f"{args.directory / 'runs.csv'} (its metrics: "
                         f"{', '.join(_metric_columns(runs))})")
    print("| point | metric | seeds | effect (change) | effect without the mechanism | "
          "endogenous part | the treatment's part | p (part) |")
    print("|---|---|---|---|---|---|---|---|")
    for metric in args.metric:
        for part in mechanism_parts(runs, args.treated, args.reference, args.mechanism, metric):
            point = ", ".join(f"{k}={v}" for k, v in part.point.items()) or "-"
            change = 100 * part.effect[0] / part.reference if part.reference else float("nan")
            print(f"| {point} | {metric} | {part.seeds} | {_cell(part.effect)} ({change:+.0f}%) "
                  f"| {_cell(part.effect_without)} | {_cell(part.endogenous)} "
                  f"| {_cell(part.part)} | {part.p:.2g} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
