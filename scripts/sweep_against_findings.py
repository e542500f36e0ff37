"""How a swept parameter moves OXT's effects, against the range each finding asks.

For each experiment directory of a sensitivity pilot (`validation/pilot/*.yaml` with one
`sweep` key and contrasts of OXT conditions against saline), one panel per metric
named: each contrast's effect at each sweep point with its 95% interval (one series per
contrast, e.g. OXT with and without a mechanism), and the range the catalogue's test on
that metric asks (`validation/findings.yaml`: a `ratio` is drawn as a percent change, a
`difference` as a difference in the metric's units; every series of a panel in the units
of its lead, the first contrast that is a finding's test). Reads only the directories'
stats.csv: it draws, it runs nothing.

    python scripts/sweep_against_findings.py DIR:METRIC [DIR:METRIC ...] --out FIGURE \
        [--default VALUE]

A percent change is the difference of means over the reference's mean (its interval:
the difference's interval over the same mean, so the reference's own spread is left out).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D

from circuit.analysis.statistics import swept_number
from circuit.plotting import style
from circuit.validation.findings import read_catalogue

#: Colours of a panel's series (contrasts), in the stats' order.
SERIES_COLOURS = ("C0", "C1", "C2", "C3")
#: How far apart along x (in sweep points) a panel's series are drawn.
SERIES_SPREAD = 0.08
#: Height of a row of panels, inches.
PANEL_HEIGHT_IN = 2.1


def _contrast_rows(directory: Path, metric: str) -> tuple[str, dict]:
    """(swept key, {contrast: its rows of stats.csv for `metric`}) of one experiment
    directory, contrasts in the file's order: one swept key, else SystemExit naming
    what is there."""
    with open(directory / "stats.csv", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["metric"] == metric]
    if not rows:
        raise SystemExit(f"{directory}/stats.csv: no contrast on metric {metric!r}")
    header = list(rows[0])
    swept = header[header.index("condition_b") + 1:header.index("metric")]
    if len(swept) != 1:
        raise SystemExit(f"{directory}: expected one swept key in stats.csv, found "
                         f"{len(swept)}{': ' + ', '.join(swept) if swept else ''}")
    contrasts = {}
    for row in rows:
        contrasts.setdefault(row["contrast"], []).append(row)
    return swept[0], contrasts


def _finding_test(metric: str, condition: str, reference: str):
    """(finding id, its test) whose contrast is `condition` vs `reference` on `metric`
    (the pilot's conditions carry the scorecard's names), or (None, None)."""
    for finding in read_catalogue().findings:
        for test in finding.tests:
            if (test.metric, test.condition, test.reference) == (metric, condition, reference):
                return finding.id, test
    return None, None


@dataclass
class SweptEffect:
    """A contrast's effect at each sweep point, in the units its panel's lead (a
    finding's test) uses: a percent of the lead's reference mean where the test asks a
    ratio (or there is no test), else the difference of means."""

    swept: str
    points: list
    effect: np.ndarray
    low: np.ndarray
    high: np.ndarray
    as_percent: bool
    band: tuple | None  # the range the finding's test asks, in the same units
    finding: int | None
    title: str


def swept_effects(directory: Path, metric: str) -> list:
    """The effect of each of `directory`'s contrasts on `metric` across its sweep, in the
    units of the panel's lead: the first contrast that is a finding's test (else the
    first). A percent is of the lead's reference mean at each point, for every series,
    so the series add up (OXT vs saline = OXT without M vs saline + OXT vs OXT without
    M); SystemExit where the contrasts' sweep points or their findings' units differ."""
    swept, contrasts = _contrast_rows(directory, metric)
    tests = {name: _finding_test(metric, rows[0]["condition_a"], rows[0]["condition_b"])
             for name, rows in contrasts.items()}
    lead = next((name for name, (finding, _) in tests.items() if finding is not None),
                next(iter(contrasts)))
    finding, test = tests[lead]
    as_percent = test is None or test.ratio is not None
    for name, (_, other) in tests.items():
        if other is not None and (other.ratio is not None) != as_percent:
            raise SystemExit(f"{directory}: {lead} and {name} are tests of findings that "
                             f"ask different units on {metric!r}; draw them apart")
    points = [row[swept] for row in contrasts[lead]]
    for name, rows in contrasts.items():
        if [row[swept] for row in rows] != points:
            raise SystemExit(f"{directory}: {name} is not measured at the sweep points of "
                             f"{lead} ({', '.join(map(str, points))})")
    reference = np.array([float(row["mean_b"]) for row in contrasts[lead]])
    scale = 100 / reference if as_percent else np.ones_like(reference)
    if test is not None and test.ratio is not None:
        band = tuple(100 * (r - 1) for r in test.ratio)
    elif test is not None and test.difference is not None:
        band = tuple(test.difference)
    else:
        band = None
    effects = []
    for name, rows in contrasts.items():
        own_finding = tests[name][0]
        title = f"finding {own_finding}: " if own_finding is not None else ""
        difference, low, high = (np.array([float(row[key]) for row in rows]) * scale
                                 for key in ("difference", "ci_low", "ci_high"))
        effects.append(SweptEffect(swept, points, difference, low, high, as_percent,
                                   band if name == lead else None, own_finding,
                                   f"{title}{rows[0]['condition_a']} vs "
                                   f"{rows[0]['condition_b']}"))
    return effects


def swept_effect(directory: Path, metric: str) -> SweptEffect:
    """The effect of `directory`'s one contrast on `metric` across its sweep."""
    effects = swept_effects(directory, metric)
    if len(effects) != 1:
        raise SystemExit(f"{directory}: expected one contrast on {metric!r}, found "
                         f"{', '.join(e.title for e in effects)}")
    return effects[0]


def _panel(ax, directory: Path, metric: str, default: str | None = None) -> None:
    effects = swept_effects(directory, metric)
    if len(effects) > len(SERIES_COLOURS):
        raise SystemExit(f"{directory}: {len(effects)} contrasts on {metric!r}; a panel "
                         f"draws at most {len(SERIES_COLOURS)}")
    swept = effects[0]
    x = np.arange(len(swept.points))
    ax.axhline(0, color="0.4", lw=style.THIN_PT)
    # Several series are set apart along x so their intervals do not hide each other.
    offsets = SERIES_SPREAD * (np.arange(len(effects)) - (len(effects) - 1) / 2)
    numeric = not any(math.isnan(swept_number(point)) for point in swept.points)
    style_of_line = "o-" if numeric else "o"  # categorical points are not joined
    for colour, offset, series in zip(SERIES_COLOURS, offsets, effects):
        label = series.title.split(": ", 1)[-1] if len(effects) > 1 else None
        ax.errorbar(x + offset, series.effect,
                    yerr=[series.effect - series.low, series.high - series.effect],
                    fmt=style_of_line, color=colour, lw=style.LINE_PT, ms=style.MARKER_PT,
                    capsize=2, label=label)
    if len(effects) > 1:
        ax.legend(loc="best", frameon=False, fontsize=style.SMALL_FONT_PT)
    band = next((series.band for series in effects if series.band is not None), None)
    if band is not None:  # shaded as far as the axis shows, its nearer edge in view
        low, high = band
        bottom, top = ax.get_ylim()
        bottom = min(bottom, max(low, bottom - 0.25 * (top - bottom)), high)
        top = max(top, low)
        pad = 0.05 * (top - bottom)
        style.shade_range(ax, low, high)
        ax.set_ylim(bottom - pad, top + pad)
    ax.set_xticks(x, [point + ("\n(default)" if point == default else "")
                      for point in swept.points])
    ax.set_xlabel(swept.swept)
    unit = "change, %" if swept.as_percent else "difference"
    ax.set_ylabel(f"{metric.replace('_', ' ').replace('da ', 'DA ')}\n{unit}")
    finding = next((series.finding for series in effects if series.finding is not None), None)
    title = swept.title if len(effects) == 1 else (
        f"finding {finding}" if finding is not None else metric.replace("_", " "))
    ax.set_title(title, loc="left")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("panels", nargs="+", metavar="DIR:METRIC")
    parser.add_argument("--out", required=True, help="figure path (.png; PDF and SVG beside)")
    parser.add_argument("--default", help="the swept key's default, as stats.csv writes it "
                                          "(e.g. '20 pA'): its tick is marked")
    args = parser.parse_args(argv)
    panels = []
    for item in args.panels:
        directory, _, metric = item.rpartition(":")
        if not directory or not metric:
            parser.error(f"{item!r}: expected DIR:METRIC")
        panels.append((Path(directory), metric))
    with style.paper_style():
        fig, axes = style.panel_grid(len(panels), PANEL_HEIGHT_IN)
        for ax, (directory, metric) in zip(axes, panels):
            _panel(ax, directory, metric, args.default)
        style.label_panels(axes)
        handles = [Line2D([], [], color="C0", marker="o", ms=style.MARKER_PT,
                          lw=style.LINE_PT, label="mean paired difference, 95% CI"),
                   style.range_patch("the range the finding's test asks (of its own "
                                     "contrast only)")]
        style.legend_below(fig, handles)
        path = style.save_figure(fig, args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
