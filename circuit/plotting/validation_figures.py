"""Figures of the validation scorecard (no Brian2 needed).

- ``scorecard.png``: one row per test, grouped by finding: the standardised effect
  (Hedges' g; (mean - value) / SD; the interaction over the pooled SD) with its 95%
  bootstrap interval, signed so that right of zero is the literature's direction;
  green where the test passes, red where it fails;
- ``knockouts.png``: the share of each test's effect that each mechanism carries
  (1 - effect without it / effect), mechanisms x tests; grey where not run;
- ``heteromer_fold.png``: each sensitivity test's effect (difference of means, 95%
  interval) against the heteromer's fold change.

Each as PNG, PDF and SVG, two journal columns wide (long test names).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.colors import TwoSlopeNorm

from .style import (BOLD_PT, FONT_SIZE_PT, MARKER_PT, SMALL_FONT_PT, THIN_PT, label_panels,
                    new_figure, paper_style, save_figure)

PASS, FAIL, IDLE = "#2a9d4b", "#c8372d", "0.85"
ROW_HEIGHT_IN = 0.16  # one test of the scorecard
SCORECARD_EXTRA_IN = 0.9  # title and axis of the scorecard
KNOCKOUT_EXTRA_IN = 1.2  # title and colour bar of the knock-out grid
MECHANISM_HEIGHT_IN = 0.24  # one mechanism's row of the knock-out grid
TEST_NAME_IN_PER_CHAR = 0.04  # room under the grid for the slanted test names
SENSITIVITY_ROW_IN = 2.0
SENSITIVITY_COLUMNS = 3
SYMLOG_LINEAR = 2.0  # the scorecard's effect axis is linear within +-this many SDs
SHARE_LIMITS = (-1.0, 2.0)  # colour scale of the knock-out shares (clipped beyond)
#: A share of 0 (the mechanism carries none of the effect) is the diverging map's white
#: centre; negative shares (the mechanism works against the effect) blue, positive red.
SHARE_NORM = TwoSlopeNorm(vmin=SHARE_LIMITS[0], vcenter=0.0, vmax=SHARE_LIMITS[1])


def make_validation_figures(card, catalogue, out: Path, default: float | None = None) -> list:
    """Write the scorecard's figures into `out`; return their paths. `default`: the
    base config's value of the sensitivity key, marked on its figure."""
    with paper_style():
        paths = [scorecard_figure(card.findings, out / "scorecard.png")]
        if card.knockouts:
            paths.append(knockout_figure(card.knockouts, catalogue, out / "knockouts.png"))
        if card.sensitivity:
            paths.append(sensitivity_figure(card.sensitivity, catalogue.sensitivity["key"],
                                            out / "heteromer_fold.png", default))
    return paths


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def scorecard_figure(findings: list, path: Path) -> Path:
    """Finding x effect size with its interval, pass/fail colour."""
    rows = [(entry, test) for entry in findings for test in entry["tests"]]
    fig = new_figure(SCORECARD_EXTRA_IN + ROW_HEIGHT_IN * len(rows))
    ax = fig.add_subplot(1, 1, 1)
    labels = []
    for y, (entry, result) in enumerate(rows):
        test, sign = result["test"], result["test"].sign or 1  # equivalence: as measured
        colour = PASS if result["verdict"] == "pass" else FAIL
        effect = result["effect"]
        if _finite(effect):
            low, high = sorted((sign * result["effect_low"], sign * result["effect_high"]))
            if _finite(low) and _finite(high):
                ax.plot([low, high], [y, y], color=colour, lw=BOLD_PT, solid_capstyle="butt")
            ax.plot(sign * effect, y, "o", color=colour, ms=MARKER_PT)
        else:
            ax.text(0, y, "not measured", color=FAIL, va="center", ha="center",
                    fontsize=SMALL_FONT_PT)
        labels.append(f"{entry['finding'].id}. {test.label}")
        if k_first(rows, y):
            ax.annotate("PASS" if entry["verdict"] == "pass" else "FAIL", (1.01, y),
                        xycoords=("axes fraction", "data"), va="center", fontsize=FONT_SIZE_PT,
                        fontweight="bold", color=PASS if entry["verdict"] == "pass" else FAIL)
    ax.axvline(0, color="0.3", lw=THIN_PT)
    ax.set_yticks(range(len(rows)), labels, fontsize=SMALL_FONT_PT)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    for y in range(len(rows)):
        if k_first(rows, y):
            ax.axhline(y - 0.5, color="0.85", lw=THIN_PT)
    ax.set_xlabel("standardised effect in the literature's direction (right of 0: as "
                  f"reported),\n95% bootstrap interval; linear within +-{SYMLOG_LINEAR:g}, "
                  "logarithmic beyond")
    passed = sum(entry["verdict"] == "pass" for entry in findings)
    fig.suptitle(f"Validation scorecard: {passed} of {len(findings)} findings reproduced\n"
                 "(green: the test passes, red: it fails; at the right: the finding's verdict)",
                 x=0.01, ha="left")
    # effects range from a fraction of an SD to tens (a receptor count against noise):
    # linear near zero, logarithmic beyond, so that every effect reads
    ax.set_xscale("symlog", linthresh=SYMLOG_LINEAR)
    ax.grid(axis="x", color="0.92")
    return save_figure(fig, path)


def k_first(rows: list, y: int) -> bool:
    """Whether row `y` is the first test of its finding."""
    return y == 0 or rows[y - 1][0] is not rows[y][0]


def knockout_figure(knockouts: list, catalogue, path: Path) -> Path:
    """Mechanisms x tests: the share of the effect each knock-out removes."""
    mechanisms = list(catalogue.mechanisms)
    tests = list(dict.fromkeys((k["finding"], k["test"]) for k in knockouts if k["run"]))
    if not tests:
        tests = list(dict.fromkeys((k["finding"], k["test"]) for k in knockouts))
    grid = np.full((len(mechanisms), len(tests)), np.nan)
    ran = np.zeros(grid.shape, bool)
    unresolved = np.zeros(grid.shape, bool)
    for k in knockouts:
        if (k["finding"], k["test"]) in tests:
            at = mechanisms.index(k["mechanism"]), tests.index((k["finding"], k["test"]))
            grid[at], ran[at] = k["share"], k["run"]
            unresolved[at] = k.get("effect_resolved") is False
    fig = new_figure(KNOCKOUT_EXTRA_IN + MECHANISM_HEIGHT_IN * len(mechanisms)
                     + TEST_NAME_IN_PER_CHAR * max(len(t[1]) for t in tests))
    ax = fig.add_subplot(1, 1, 1)
    ax.set_facecolor(IDLE)  # NaN cells: not run, or no effect to share
    image = ax.imshow(np.clip(grid, *SHARE_LIMITS), cmap="RdBu_r", norm=SHARE_NORM,
                      aspect="auto")
    noted = [bool(catalogue.mechanisms[m].get("idle")) and not ran[i].any()
             for i, m in enumerate(mechanisms)]
    for (i, j), value in np.ndenumerate(grid):
        if noted[i]:
            continue  # the row carries the mechanism's note instead
        text = f"{value:.2f}" if np.isfinite(value) else ("n/a" if ran[i, j] else "-")
        dark = np.isfinite(value) and not 0.2 <= SHARE_NORM(value) <= 0.8  # the map's ends
        ax.text(j, i, text, ha="center", va="center", fontsize=SMALL_FONT_PT,
                color="white" if dark else "0.1",
                style="italic" if unresolved[i, j] else "normal")
    for i, mechanism in enumerate(mechanisms):
        if noted[i]:
            idle = catalogue.mechanisms[mechanism]["idle"]
            ax.text((len(tests) - 1) / 2, i, f"not run: {idle}", ha="center", va="center",
                    fontsize=SMALL_FONT_PT, color="0.25", wrap=True,
                    bbox={"facecolor": IDLE, "edgecolor": "none"})
    ax.set_yticks(range(len(mechanisms)),
                  [f"{m}: {catalogue.mechanisms[m]['name']}" for m in mechanisms],
                  fontsize=SMALL_FONT_PT)
    ax.set_xticks(range(len(tests)), [f"{f}. {t}" for f, t in tests], rotation=30,
                  ha="right", fontsize=SMALL_FONT_PT)
    fig.suptitle("Knock-outs: the share of each effect the mechanism carries\n"
                 "1: all, 0: none, < 0: the effect grows without it;\nitalics: the effect "
                 "itself is not resolved (two-sided, adjusted p >= 0.05), so the share is "
                 "noise; 'n/a': no effect to share; '-': not run",
                 x=0.01, ha="left")
    fig.colorbar(image, ax=ax, shrink=0.8, label="share (clipped to [-1, 2])")
    return save_figure(fig, path)


def sensitivity_figure(entries: list, key: str, path: Path, default: float | None = None) -> Path:
    """One panel per sensitivity test: its effect against the swept value."""
    tests = list(dict.fromkeys((e["finding"], e["test"]) for e in entries))
    columns = min(SENSITIVITY_COLUMNS, len(tests))
    rows = math.ceil(len(tests) / columns)
    fig = new_figure(SENSITIVITY_ROW_IN * rows)
    axes = []
    for index, (finding, test) in enumerate(tests):
        ax = fig.add_subplot(rows, columns, index + 1)
        axes.append(ax)
        points = [e for e in entries if (e["finding"], e["test"]) == (finding, test)]
        x = np.array([float(str(e["value"]).split()[0]) for e in points])
        y = np.array([e["difference"] for e in points], float)
        low = np.array([e.get("difference_low", np.nan) for e in points], float)
        high = np.array([e.get("difference_high", np.nan) for e in points], float)
        ax.fill_between(x, low, high, color="#4c72b0", alpha=0.2, lw=0)
        ax.plot(x, y, "o-", color="#4c72b0")
        ax.axhline(0, color="0.3", lw=THIN_PT)
        if default is not None:
            ax.axvline(default, color="0.5", ls="--", lw=THIN_PT)
            ax.annotate("default", (default, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(2, -10), textcoords="offset points", fontsize=SMALL_FONT_PT,
                        color="0.4")
        ax.set_xscale("log")
        ax.set_xticks(x, [f"{v:g}" for v in x])
        ax.set_xlabel(key)
        ax.set_ylabel(f"{test.condition} - {test.reference}\n({test.expect} expected)")
        # Left-aligned and short, so it clears the panel letter and the next panel.
        ax.set_title(f"finding {finding}: {test.metric}", loc="left", fontsize=SMALL_FONT_PT)
    label_panels(axes)
    fig.suptitle("Sensitivity to the D2R-OXTR heteromer's fold change (difference of "
                 "means, 95% bootstrap interval)")
    return save_figure(fig, path)
