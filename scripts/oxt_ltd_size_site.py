"""How the size and site of OXT-LTD (M4) in a test move acute OXT's effect on it.

Reads experiment directories of pilots whose test conditions set `plasticity.A_oxt`
and `plasticity.oxt_ltd_site` in the test only (`validation/pilot/m4_size_*.yaml`,
`m4_site_relapse.yaml`): each OXT test is paired, seed by seed, with the saline test of
the same protocol, size and site. One panel per measure: the drug lever's presses in
the drug-primed and the cue test, the inactive lever's in the drug-primed test, and the
ratios completed on the progressive ratio; each point OXT's effect (a percent of the
saline mean, or a difference in ratio steps) with its 95% interval over resampled
pairs, one series per site, against the range the finding's test asks
(validation/findings.yaml). Reads only the directories' spec.yaml and sessions.csv.

    python scripts/oxt_ltd_size_site.py DIR [DIR ...] --out FIGURE
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from matplotlib.lines import Line2D

from circuit import load_config
from circuit.analysis.statistics import paired
from circuit.plotting import style
from circuit.validation.findings import read_catalogue

SIZE, SITE = "plasticity.A_oxt", "plasticity.oxt_ltd_site"
OXT_GIVEN = "interventions.oxt.given"
SITES = {"both": "C0", "d1": "C1", "d2": "C3"}
SITE_LABELS = {"both": "OXT-LTD at D1 and D2 MSNs' inputs (the default)",
               "d1": "at D1 MSNs' inputs only", "d2": "at D2 MSNs' inputs only"}
#: (panel title, test protocol, sessions.csv column, the scorecard's contrast of that
#: measure, as a percent of saline's mean or not)
PANELS = (
    ("drug-primed test: drug lever", "reinstatement_drug", "active",
     ("reinstatement_active", "prime_oxt1", "prime_saline"), True),
    ("drug-primed test: inactive lever", "reinstatement_drug", "inactive", None, True),
    ("cue test: drug lever", "reinstatement_cue", "active",
     ("reinstatement_active", "cue_oxt1", "cue_saline"), True),
    ("progressive ratio: ratios completed", "progressive_ratio", "infusions",
     ("breakpoint_steps", "pr_oxt1", "pr_saline"), False),
)
#: How far apart along x the sites' points are drawn, in size steps.
SPREAD = 0.1
#: Height of a row of panels, inches.
PANEL_HEIGHT_IN = 2.2


@dataclass(frozen=True)
class Test:
    protocol: str
    size: float
    site: str
    oxt: bool


@dataclass
class Effect:
    size: float
    site: str
    effect: float
    low: float
    high: float


def _tests(directory: Path, default_size: float) -> dict:
    """{condition: Test} of the experiment in `directory`, from its spec.yaml."""
    spec = yaml.safe_load((directory / "spec.yaml").read_text())
    tests = {}
    for name, changes in (spec.get("tests") or {}).items():
        schedule = changes.get("behaviour.schedule") or []
        if len(schedule) != 1:
            raise SystemExit(f"{directory}: test {name!r} is not one session")
        tests[name] = Test(schedule[0], float(changes.get(SIZE, default_size)),
                           str(changes.get(SITE, "both")),
                           str(changes.get(OXT_GIVEN, "off")).lower() in ("on", "true"))
    return tests


def _values(directory: Path, column: str) -> dict:
    """{condition: {seed: value}} of the test sessions in `directory` that measure
    `column` (a progressive ratio has no inactive lever: its cell is empty)."""
    values = {}
    with open(directory / "sessions.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get(column, "") != "":
                values.setdefault(row["condition"], {})[int(row["seed"])] = float(row[column])
    return values


def effects(directories, protocol: str, column: str, percent: bool,
            default_size: float) -> list:
    """OXT's effect on `column` in the `protocol` tests at each size and site."""
    found = []
    for directory in directories:
        tests = _tests(directory, default_size)
        values = _values(directory, column)
        for name, test in tests.items():
            if not test.oxt or test.protocol != protocol:
                continue
            saline = [other for other, t in tests.items()
                      if t == Test(test.protocol, test.size, test.site, False)]
            if len(saline) != 1:
                raise SystemExit(f"{directory}: {name} has no single saline test to pair")
            a, b = values.get(name, {}), values.get(saline[0], {})
            seeds = sorted(set(a) & set(b))
            if not seeds:
                continue
            row = paired([a[s] for s in seeds], [b[s] for s in seeds])
            scale = 100 / row["mean_b"] if percent else 1.0
            found.append(Effect(test.size, test.site, row["difference"] * scale,
                                row["ci_low"] * scale, row["ci_high"] * scale))
    return found


def _band(contrast, percent: bool):
    """(finding id, the range its test of `contrast` asks) in the panel's units, or None."""
    if contrast is None:
        return None
    for finding in read_catalogue().findings:
        for test in finding.tests:
            if (test.metric, test.condition, test.reference) == contrast:
                if percent and test.ratio is not None:
                    return finding.id, tuple(100 * (r - 1) for r in test.ratio)
                if not percent and test.difference is not None:
                    return finding.id, tuple(test.difference)
    return None


def _panel(ax, title, found, band, sizes, default_size, percent) -> None:
    ax.axhline(0, color="0.4", lw=style.THIN_PT)
    x_of = {size: i for i, size in enumerate(sizes)}
    offsets = dict(zip(SITES, SPREAD * (np.arange(len(SITES)) - (len(SITES) - 1) / 2)))
    for site, colour in SITES.items():
        points = sorted((e for e in found if e.site == site), key=lambda e: e.size)
        if not points:
            continue
        x = np.array([x_of[e.size] for e in points]) + offsets[site]
        y = np.array([e.effect for e in points])
        spread = np.array([y - [e.low for e in points], [e.high for e in points] - y])
        ax.errorbar(x, y, yerr=spread, fmt="o-", color=colour, lw=style.LINE_PT,
                    ms=style.MARKER_PT, capsize=2)
    if band is not None:
        finding, (low, high) = band
        bottom, top = ax.get_ylim()
        style.shade_range(ax, max(low, bottom - 0.25 * (top - bottom)), high)
        title = f"{title} (finding {finding})"
    ax.set_xticks(range(len(sizes)), [f"x{size / default_size:g}"
                                      + (" (default)" if size == default_size else "")
                                      for size in sizes])
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_xlabel(f"{SIZE} in the test (x the default {default_size:g})")
    ax.set_ylabel("OXT - saline, %" if percent else "OXT - saline, ratio steps")
    ax.set_title(title, loc="left")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directories", nargs="+", type=Path, metavar="DIR")
    parser.add_argument("--out", required=True, help="figure path (.png; PDF and SVG beside)")
    args = parser.parse_args(argv)
    default_size = float(load_config("default")["plasticity"]["A_oxt"])
    panels = []
    for title, protocol, column, contrast, percent in PANELS:
        found = effects(args.directories, protocol, column, percent, default_size)
        if found:
            panels.append((title, found, _band(contrast, percent), percent))
    if not panels:
        raise SystemExit("no OXT test paired with a saline test in the directories given")
    sizes = sorted({e.size for _, found, _, _ in panels for e in found})
    with style.paper_style():
        fig, axes = style.panel_grid(len(panels), PANEL_HEIGHT_IN)
        for ax, (title, found, band, percent) in zip(axes, panels):
            _panel(ax, title, found, band, sizes, default_size, percent)
        style.label_panels(axes)
        handles = [Line2D([], [], color=colour, marker="o", ms=style.MARKER_PT,
                          lw=style.LINE_PT, label=SITE_LABELS[site])
                   for site, colour in SITES.items()]
        handles.append(style.range_patch("the range the finding's test asks; points: mean "
                                         "paired difference, 95% CI"))
        style.legend_below(fig, handles)
        path = style.save_figure(fig, args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
