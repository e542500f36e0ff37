"""Figures of a behavioural experiment, from its tidy tables (no Brian2 needed).

- ``table1.png``: the model's version of Table 1 of the addiction review, group by
  group: acquisition, motivation (PR breakpoint), extinction, reinstatement;
- ``self_administration.png``: drug-lever and inactive-lever responses per session
  across phases (the classic self-administration plot);
- ``cumulative_records.png``: cumulative drug-lever presses within each session, with
  infusions marked (one subject per group);
- ``choice.png``: social-choice fraction per group (only with a choice phase).

Each subject is a thin light line or a point; group means are bold, with their 95%
t-interval over the subjects (a band or an error bar; none for a group of one). With more
groups than `style.GROUP_COLOURS` (a knock-out experiment has a dozen), the session
panels draw the drug lever's group means only, each group in its own colour, and the
names are set at an angle. table1 has a panel for each of its phases the experiment has.
Each figure is written as PNG, PDF and SVG; table1 and cumulative_records two journal
columns wide, self_administration and choice one column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.ticker import MaxNLocator

from .intervals import column_ci, error_bar
from .style import (BOLD_PT, MARKER_PT, ONE_COLUMN_IN, SMALL_FONT_PT, THIN_PT,
                    group_colour, group_ticks, label_panels, many_groups, new_figure,
                    paper_style, save_figure)

PHASE_TITLES = {"acquisition": "Acquisition", "progressive_ratio": "Motivation",
                "extinction": "Extinction", "reinstatement": "Reinstatement",
                "choice": "Choice", "social_training": "Social training"}
SUBJECT_ALPHA = 0.3  # individual subjects: light
BAND_ALPHA = 0.18  # the group mean's confidence band
SUBJECT_POINT_AREA = 6  # pt^2, scatter of subjects
MEAN_OFFSET = 0.22  # x of a group's mean and interval, right of its subjects' points
PAIR_OFFSET = 0.3  # x of the paired last-extinction squares, left of the subjects' points
JITTER_WIDTH = 0.12
TABLE1_HEIGHT_IN = 2.6
TABLE1_PHASES = ("acquisition", "progressive_ratio", "extinction", "reinstatement")
SELF_ADMINISTRATION_HEIGHT_IN = 2.8
CUMULATIVE_HEIGHT_IN = 2.2
CUMULATIVE_COLUMNS = 5  # panels per row of cumulative_records; more groups wrap
LEGEND_ROW_IN = 0.13  # height of a legend row at the legend's type size
LEGEND_COLUMNS = 5  # legend entries per row below table1, for many groups
LEGEND_ONE_ROW = 6  # at most this many entries below table1 go in one row
LEGEND_ROWS_BESIDE = 16  # entries per column of a legend beside a panel
CHOICE_HEIGHT_IN = 2.2
#: Presses per session drawn on a linear scale in the self-administration figure;
#: above it the scale is logarithmic.
LINEAR_PRESSES = 10


def make_behaviour_figures(tables: dict, out: Path) -> list:
    """Write every figure the tables support into `out`; return their paths."""
    sessions, trials = tables["sessions"], tables["trials"]
    groups = list(dict.fromkeys(row["group"] for row in sessions))
    phases = {row["phase"] for row in sessions}
    with paper_style():
        paths = ([table1(sessions, groups, out / "table1.png")]
                 if phases & set(TABLE1_PHASES) else [])
        paths.append(self_administration(sessions, groups, out / "self_administration.png"))
        if trials:
            paths.append(cumulative_records(trials, groups, out / "cumulative_records.png"))
        if "choice" in phases:
            paths.append(choice(sessions, groups, out / "choice.png"))
    return paths


def _colour(groups: list, group: str) -> str:
    return group_colour(groups, group)


def _by_subject(rows: list, group: str, phase: str, column: str) -> dict:
    """{seed: [value per session of `phase`, in order]} for one group."""
    values = {}
    for row in rows:
        if row["group"] == group and row["phase"] == phase:
            values.setdefault(row["seed"], []).append(row[column])
    return values


def _jitter(n: int, width: float = JITTER_WIDTH) -> np.ndarray:
    return np.linspace(-width, width, n) if n > 1 else np.zeros(1)


def _mean_band(ax, x, matrix, colour, band: bool = True, **line):
    """The column means of `matrix` (subjects x sessions) as a line, with the band of
    their 95% t-interval (absent where a session has one subject, or without `band`)."""
    means, lows, highs = column_ci(matrix)
    if band:
        ax.fill_between(x, lows, highs, color=colour, alpha=BAND_ALPHA, lw=0)
    return ax.plot(x, means, color=colour, **line)


def _sessions_panel(ax, sessions, groups, phase, column, ylabel, inactive=False,
                    expected=None):
    """Each subject's `column` by session (thin, light), the group means bold with their
    95% t-interval band; `inactive` adds the inactive lever's mean (dashed), `expected`
    the mean of that expected-presses column (dotted: the sum of p(press), the counts
    without the decision noise). With many groups: the group means of `column` only."""
    dense = many_groups(groups)
    for group in groups:
        values = _by_subject(sessions, group, phase, column)
        if not values:
            continue
        matrix = _matrix(values)
        x = np.arange(1, matrix.shape[1] + 1)
        colour = _colour(groups, group)
        if not dense:
            for row in matrix:
                ax.plot(x, row, color=colour, alpha=SUBJECT_ALPHA, lw=THIN_PT)
        _mean_band(ax, x, matrix, colour, band=not dense, lw=BOLD_PT, marker="o",
                   ms=MARKER_PT, label=group)
        if dense:
            continue
        extra = ([("inactive", THIN_PT * 2, "--", "inactive lever")] if inactive else []) + (
            [(expected, THIN_PT * 2, ":", "expected presses")] if expected else [])
        for other, width, line, name in extra:  # group means of other columns
            mean = _matrix(_by_subject(sessions, group, phase, other)).mean(axis=0)
            ax.plot(x, mean, color=colour, lw=width, ls=line, label=f"{group}: {name}")
    ax.set_xlabel("session")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)  # counts: an interval reaching below 0 is cut at 0
    ax.set_xticks(range(1, 1 + max((len(v) for g in groups
                                     for v in _by_subject(sessions, g, phase, column).values()),
                                    default=1)))


def _matrix(values: dict) -> np.ndarray:
    """{subject: [value per session]} as subjects x sessions, NaN-padded to the longest."""
    rows = list(values.values())
    width = max((len(row) for row in rows), default=0)
    return np.array([list(row) + [np.nan] * (width - len(row)) for row in rows], dtype=float)


def _points_panel(ax, groups, values_by_group: dict, ylabel: str):
    """Each subject a light point; beside them the group mean and its 95% t-interval."""
    for k, group in enumerate(groups):
        values = np.asarray(values_by_group.get(group, []), dtype=float)
        if values.size == 0:
            continue
        colour = _colour(groups, group)
        ax.scatter(k + _jitter(values.size), values, color=colour, s=SUBJECT_POINT_AREA,
                   alpha=SUBJECT_ALPHA * 2, lw=0, zorder=3)
        error_bar(ax, k + MEAN_OFFSET, values, colour, fmt="o", ms=MARKER_PT + 1,
                  lw=BOLD_PT, zorder=4)
    group_ticks(ax, groups)
    ax.set_xlim(-0.5, len(groups) - 0.5)
    ax.set_ylim(bottom=0)  # counts and ratios: an interval reaching below 0 is cut at 0
    ax.set_ylabel(ylabel)


def table1(sessions: list, groups: list, path: Path) -> Path:
    """Acquisition, breakpoint, extinction and reinstatement, by group (two columns): a
    panel for each of these phases that `sessions` has, in that order."""
    phases = {row["phase"] for row in sessions}
    drawn = [phase for phase in TABLE1_PHASES if phase in phases]
    dense = many_groups(groups)
    # the legend names the lines of the first session panel (acquisition, else extinction)
    named = next((phase for phase in ("acquisition", "extinction") if phase in phases), None)
    per_group = 1 if dense else 3 if named == "acquisition" else 2
    entries = len(groups) * per_group * bool(named)
    # one row of every entry where they fit, else a row per group (its mean, inactive
    # lever, expected presses), or many groups packed
    columns = max(1, min(entries, LEGEND_COLUMNS if dense else
                         entries if entries <= LEGEND_ONE_ROW else per_group))
    legend_rows = -(-entries // columns)
    notes = _table1_notes(drawn, phases, dense)
    fig = new_figure(TABLE1_HEIGHT_IN + LEGEND_ROW_IN * (legend_rows + len(notes)))
    axes = np.atleast_1d(fig.subplots(1, len(drawn)))
    panels = dict(zip(drawn, axes))
    if "acquisition" in panels:
        ax = panels["acquisition"]
        _sessions_panel(ax, sessions, groups, "acquisition", "active",
                        "drug-lever presses", inactive=True, expected="expected_drug")
        ax.set_title("Acquisition (FR1)")
    if "progressive_ratio" in panels:
        breakpoints = {g: [max(v) for v in _by_subject(sessions, g, "progressive_ratio",
                                                       "breakpoint").values()] for g in groups}
        _points_panel(panels["progressive_ratio"], groups, breakpoints, "breakpoint (last ratio)")
        panels["progressive_ratio"].set_title("Motivation (PR)")
    if "extinction" in panels:
        _sessions_panel(panels["extinction"], sessions, groups, "extinction", "active",
                        "drug-lever presses", expected="expected_drug")
        panels["extinction"].set_title("Extinction")
    if "reinstatement" in panels:
        _reinstatement_panel(panels["reinstatement"], sessions, groups)
    if named:
        handles, labels = panels[named].get_legend_handles_labels()
        if columns == per_group < entries == len(handles):  # by column: one group a row
            order = [k for line in range(per_group) for k in range(line, entries, per_group)]
            handles, labels = [handles[k] for k in order], [labels[k] for k in order]
        if handles:  # below the panels, off the data
            fig.legend(handles, labels, loc="outside lower center", ncol=columns,
                       frameon=False)
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
    label_panels(axes)
    fig.suptitle("\n".join(["Drug-seeking by group"] + notes))
    return save_figure(fig, path)


def _table1_notes(drawn: list, phases: set, dense: bool) -> list:
    """One line of the title per kind of panel drawn: how to read it."""
    notes = []
    if {"acquisition", "extinction"} & set(drawn):
        notes.append("bold lines: group means of the drug lever" if dense else
                     "thin lines: subjects; bold: group mean with its 95% CI band")
    if {"progressive_ratio", "reinstatement"} & set(drawn):
        notes.append("points: subjects, beside them the group mean and its 95% CI")
    if "reinstatement" in drawn and "extinction" in phases:
        letter = chr(ord("a") + drawn.index("reinstatement"))
        notes.append(f"{letter}, squares: last extinction session")
    return notes


def _reinstatement_panel(ax, sessions: list, groups: list) -> None:
    """Each subject's reinstatement presses, paired with its last extinction session
    (squares, left of its points) where it had one; group means with 95% CIs."""
    presses = {}
    for k, group in enumerate(groups):
        extinction = _by_subject(sessions, group, "extinction", "active")
        reinstated = _by_subject(sessions, group, "reinstatement", "active")
        presses[group] = [np.mean(values) for values in reinstated.values()]
        paired = [s for s in reinstated if s in extinction]
        last = [extinction[s][-1] for s in paired]
        colour = _colour(groups, group)
        xs = k + _jitter(len(presses[group]))
        for a, seed in zip(last, paired):
            x = xs[list(reinstated).index(seed)]
            ax.plot([k - PAIR_OFFSET, x], [a, np.mean(reinstated[seed])], color=colour,
                    alpha=SUBJECT_ALPHA, lw=THIN_PT)
        ax.scatter(np.full(len(last), k - PAIR_OFFSET), last, s=SUBJECT_POINT_AREA,
                   marker="s", facecolors="none", edgecolors=colour, lw=THIN_PT)
    _points_panel(ax, groups, presses, "drug-lever presses")
    ax.set_title("Reinstatement")


def _session_matrix(sessions: list, group: str, order: list, column: str) -> np.ndarray:
    """Subjects x sessions of `order` ((session, phase) pairs): `column`, NaN if absent."""
    seeds = list(dict.fromkeys(r["seed"] for r in sessions if r["group"] == group))
    at = {(r["seed"], r["session"]): r[column] for r in sessions if r["group"] == group}
    return np.array([[at.get((seed, session), np.nan) for session, _ in order]
                     for seed in seeds], dtype=float)


def self_administration(sessions: list, groups: list, path: Path) -> Path:
    """Responses per session across all phases, drug vs inactive lever, by group: group
    means with their 95% t-interval band, and each subject's drug-lever presses (thin);
    with many groups, the drug lever's group means only. Two columns wide: one panel,
    but a long session axis with the phases named on top."""
    dense = many_groups(groups)
    fig = new_figure(SELF_ADMINISTRATION_HEIGHT_IN)
    ax = fig.subplots()
    phases = list(dict.fromkeys(row["phase"] for row in sessions))
    order = list(dict.fromkeys((row["session"], row["phase"]) for row in sessions))
    x = np.arange(1, len(order) + 1)
    for group in groups:
        colour = _colour(groups, group)
        if dense:
            _mean_band(ax, x, _session_matrix(sessions, group, order, "active"), colour,
                       band=False, lw=BOLD_PT, marker="o", ms=MARKER_PT, label=group)
            continue
        for row in _session_matrix(sessions, group, order, "active"):
            ax.plot(x, row, color=colour, alpha=SUBJECT_ALPHA, lw=THIN_PT)
        for column, line in (("active", "-"), ("inactive", "--")):
            _mean_band(ax, x, _session_matrix(sessions, group, order, column), colour,
                       ls=line, lw=BOLD_PT, marker="o", ms=MARKER_PT,
                       label=f"{group}: {'drug' if column == 'active' else 'inactive'} lever")
    start = 1
    for phase in phases:
        count = sum(1 for _, p in order if p == phase)
        ax.axvspan(start - 0.5, start + count - 0.5, color="#f0f0f0" if phases.index(phase) % 2
                   else "#ffffff", zorder=0)
        ax.text(start + (count - 1) / 2, 1.01, PHASE_TITLES.get(phase, phase),
                transform=ax.get_xaxis_transform(), ha="center", va="bottom")
        start += count
    ax.set_xlabel("session (a lever not presented in a session has no point)")
    # the progressive ratio's hundreds of presses would flatten every other session:
    # linear up to LINEAR_PRESSES, logarithmic above
    ax.set_yscale("symlog", linthresh=LINEAR_PRESSES, linscale=1.0)
    ax.set_ylabel(f"presses per session (log above {LINEAR_PRESSES})")
    ax.set_ylim(bottom=0)  # counts: an interval reaching below 0 is cut at 0
    ax.set_xlim(0.5, len(order) + 0.5)
    ax.set_xticks(x)
    entries = len(ax.get_legend_handles_labels()[1])
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
              ncol=max(1, -(-entries // LEGEND_ROWS_BESIDE)),
              title="group means of the drug lever" if dense
              else "bold: group mean, band: 95% CI\nthin: subjects (drug lever)")
    ax.spines[["top", "right"]].set_visible(False)
    return save_figure(fig, path)


def cumulative_records(trials: list, groups: list, path: Path) -> Path:
    """Cumulative drug-lever presses by trial within each session (first seed per group);
    one panel per group, up to CUMULATIVE_COLUMNS a row, two columns wide."""
    columns = min(len(groups), CUMULATIVE_COLUMNS)
    rows = -(-len(groups) // columns)
    fig = new_figure(CUMULATIVE_HEIGHT_IN * rows)
    axes = np.atleast_1d(fig.subplots(rows, columns, sharey=True, squeeze=False)).ravel()
    for ax, group in zip(axes, groups):
        rows_of_group = [r for r in trials if r["group"] == group]
        seed = min(r["seed"] for r in rows_of_group)
        rows_of_group = [r for r in rows_of_group if r["seed"] == seed]
        sessions = list(dict.fromkeys(r["session"] for r in rows_of_group))
        for session in sessions:
            ordered = sorted((r for r in rows_of_group if r["session"] == session),
                             key=lambda r: r["trial"])
            presses = np.cumsum([r["option"] == "drug" and r["action"] == "press" for r in ordered])
            line, = ax.step(range(len(ordered)), presses, where="post",
                            label=f"{session}: {ordered[0]['protocol']}")
            infused = [k for k, r in enumerate(ordered) if r["outcome"] == "infusion"]
            ax.plot(infused, presses[infused], "v", color=line.get_color(), ms=MARKER_PT - 1)
        ax.set_title(f"{group} (seed {seed})", fontsize=SMALL_FONT_PT if rows > 1 else None)
        ax.set_xlabel("trial")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=3))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes[len(groups):]:
        ax.set_visible(False)
    for ax in axes[::columns]:
        ax.set_ylabel("cumulative drug-lever presses")
    axes[columns - 1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
                             title="session: protocol", fontsize=SMALL_FONT_PT)
    label_panels(axes[:len(groups)])
    fig.suptitle("Cumulative records of one subject per group (triangles: infusions)")
    return save_figure(fig, path)


def choice(sessions: list, groups: list, path: Path) -> Path:
    """Fraction of choices that went social, by group (one column)."""
    fig = new_figure(CHOICE_HEIGHT_IN, ONE_COLUMN_IN)
    ax = fig.subplots()
    fractions = {g: [np.nanmean(v) for v in _by_subject(sessions, g, "choice",
                                                        "social_fraction").values()]
                 for g in groups}
    _points_panel(ax, groups, fractions, "social choices / all choices")
    ax.axhline(0.5, color="#999999", lw=THIN_PT, ls=":")
    ax.set_ylim(0, 1)
    ax.set_title("Social choice (points: subjects; mean, 95% CI)")
    ax.spines[["top", "right"]].set_visible(False)
    return save_figure(fig, path)
