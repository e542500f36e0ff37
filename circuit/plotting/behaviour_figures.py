"""Figures of a behavioural experiment, from its tidy tables (no Brian2 needed).

- ``table1.png``: the model's version of Table 1 of the addiction review, group by
  group: acquisition, motivation (PR breakpoint), extinction, reinstatement;
- ``self_administration.png``: drug-lever and inactive-lever responses per session
  across phases (the classic self-administration plot);
- ``cumulative_records.png``: cumulative drug-lever presses within each session, with
  infusions marked (one subject per group);
- ``choice.png``: social-choice fraction per group (only with a choice phase).

Each subject is a point; lines and bars are group means.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.ticker import MaxNLocator

from .style import new_figure, save_png

GROUP_COLOURS = ("#444444", "#2a9d8f", "#e76f51", "#457b9d", "#e9c46a", "#9d4edd")
PHASE_TITLES = {"acquisition": "Acquisition", "progressive_ratio": "Motivation",
                "extinction": "Extinction", "reinstatement": "Reinstatement",
                "choice": "Choice", "social_training": "Social training"}


def make_behaviour_figures(tables: dict, out: Path) -> list:
    """Write every figure the tables support into `out`; return their paths."""
    sessions, trials = tables["sessions"], tables["trials"]
    groups = list(dict.fromkeys(row["group"] for row in sessions))
    phases = {row["phase"] for row in sessions}
    paths = [table1(sessions, groups, out / "table1.png"),
             self_administration(sessions, groups, out / "self_administration.png"),
             cumulative_records(trials, groups, out / "cumulative_records.png")]
    if "choice" in phases:
        paths.append(choice(sessions, groups, out / "choice.png"))
    return paths


def _colour(groups: list, group: str) -> str:
    return GROUP_COLOURS[groups.index(group) % len(GROUP_COLOURS)]


def _by_subject(rows: list, group: str, phase: str, column: str) -> dict:
    """{seed: [value per session of `phase`, in order]} for one group."""
    values = {}
    for row in rows:
        if row["group"] == group and row["phase"] == phase:
            values.setdefault(row["seed"], []).append(row[column])
    return values


def _mean(values) -> float:
    """Mean of the defined values (NaN if none)."""
    defined = [v for v in values if not np.isnan(v)]
    return float(np.mean(defined)) if defined else float("nan")


def _jitter(n: int, width: float = 0.12) -> np.ndarray:
    return np.linspace(-width, width, n) if n > 1 else np.zeros(1)


def _sessions_panel(ax, sessions, groups, phase, column, ylabel, inactive=False,
                    expected=None):
    """Each subject's `column` by session, the group means bold; `inactive` adds the
    inactive lever's mean (dashed), `expected` the mean of that expected-presses column
    (dotted: the sum of p(press), the counts without the decision noise)."""
    for group in groups:
        values = _by_subject(sessions, group, phase, column)
        if not values:
            continue
        matrix = np.array(list(values.values()), dtype=float)
        x = np.arange(1, matrix.shape[1] + 1)
        colour = _colour(groups, group)
        for row in matrix:
            ax.plot(x, row, color=colour, alpha=0.25, lw=0.8, marker="o", ms=3)
        ax.plot(x, matrix.mean(axis=0), color=colour, lw=2.2, marker="o", label=group)
        extra = ([("inactive", 1.5, "--", "inactive lever")] if inactive else []) + (
            [(expected, 1.2, ":", "expected presses")] if expected else [])
        for other, width, line, name in extra:  # group means of other columns
            mean = np.array(list(_by_subject(sessions, group, phase, other).values()),
                            dtype=float).mean(axis=0)
            ax.plot(x, mean, color=colour, lw=width, ls=line, label=f"{group}: {name}")
    ax.set_xlabel("session")
    ax.set_ylabel(ylabel)
    ax.set_xticks(range(1, 1 + max((len(v) for g in groups
                                     for v in _by_subject(sessions, g, phase, column).values()),
                                    default=1)))


def _points_panel(ax, groups, values_by_group: dict, ylabel: str):
    for k, group in enumerate(groups):
        values = np.asarray(values_by_group.get(group, []), dtype=float)
        if values.size == 0:
            continue
        colour = _colour(groups, group)
        ax.bar(k, values.mean(), color=colour, alpha=0.35, width=0.6)
        ax.scatter(k + _jitter(values.size), values, color=colour, s=22, zorder=3)
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylabel(ylabel)


def table1(sessions: list, groups: list, path: Path) -> Path:
    """Acquisition, breakpoint, extinction and reinstatement, by group."""
    fig = new_figure(4.0)
    axes = fig.subplots(1, 4)
    _sessions_panel(axes[0], sessions, groups, "acquisition", "active",
                    "drug-lever presses", inactive=True, expected="expected_drug")
    axes[0].set_title("1. Acquisition (FR1)")
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:  # (no acquisition sessions: no legend); below the panels, off the data
        fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 6),
                   fontsize=7, frameon=False)
    breakpoints = {g: [max(v) for v in _by_subject(sessions, g, "progressive_ratio",
                                                   "breakpoint").values()] for g in groups}
    _points_panel(axes[1], groups, breakpoints, "breakpoint (last ratio completed)")
    axes[1].set_title("2. Motivation (progressive ratio)")
    _sessions_panel(axes[2], sessions, groups, "extinction", "active", "drug-lever presses",
                    expected="expected_drug")
    axes[2].set_title("3. Extinction")
    ratios = {}
    for group in groups:
        extinction = _by_subject(sessions, group, "extinction", "active")
        reinstated = _by_subject(sessions, group, "reinstatement", "active")
        ratios[group] = [np.mean(reinstated[s]) for s in reinstated if s in extinction]
        last = [extinction[s][-1] for s in reinstated if s in extinction]
        k = groups.index(group)
        colour = _colour(groups, group)
        for a, b in zip(last, ratios[group]):
            axes[3].plot([k - 0.18, k + 0.18], [a, b], color=colour, alpha=0.4, lw=0.8)
        axes[3].scatter(np.full(len(last), k - 0.18), last, color=colour, s=14,
                        marker="s", facecolors="none")
    _points_panel(axes[3], groups, ratios, "drug-lever presses")
    axes[3].set_title("4. Reinstatement (drug prime)\nsquares: last extinction session", fontsize=9)
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle("Drug-seeking with and without oxytocin (each point a subject)", fontsize=10)
    return save_png(fig, path)


def self_administration(sessions: list, groups: list, path: Path) -> Path:
    """Responses per session across all phases, drug vs inactive lever, by group."""
    fig = new_figure(3.4)
    ax = fig.subplots()
    phases = list(dict.fromkeys(row["phase"] for row in sessions))
    order = list(dict.fromkeys((row["session"], row["phase"]) for row in sessions))
    for group in groups:
        colour = _colour(groups, group)
        for column, style in (("active", "-"), ("inactive", "--")):
            means = [_mean([r[column] for r in sessions if r["group"] == group
                            and r["session"] == s]) for s, _ in order]
            ax.plot(range(1, len(order) + 1), means, style, color=colour, marker="o", ms=4,
                    label=f"{group}: {'drug' if column == 'active' else 'inactive'} lever")
    start = 1
    for phase in phases:
        count = sum(1 for _, p in order if p == phase)
        ax.axvspan(start - 0.5, start + count - 0.5, color="#f0f0f0" if phases.index(phase) % 2
                   else "#ffffff", zorder=0)
        ax.text(start + (count - 1) / 2, 1.01, PHASE_TITLES.get(phase, phase),
                transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8)
        start += count
    ax.set_xlabel("session (a lever not presented in a session has no point)")
    ax.set_ylabel("presses per session (group mean)")
    ax.set_xlim(0.5, len(order) + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7, frameon=False, ncol=2)
    ax.spines[["top", "right"]].set_visible(False)
    return save_png(fig, path)


def cumulative_records(trials: list, groups: list, path: Path) -> Path:
    """Cumulative drug-lever presses by trial within each session (first seed per group)."""
    fig = new_figure(3.4)
    axes = np.atleast_1d(fig.subplots(1, len(groups), sharey=True))
    for ax, group in zip(axes, groups):
        rows = [r for r in trials if r["group"] == group]
        seed = min(r["seed"] for r in rows)
        rows = [r for r in rows if r["seed"] == seed]
        sessions = list(dict.fromkeys(r["session"] for r in rows))
        for session in sessions:
            ordered = sorted((r for r in rows if r["session"] == session), key=lambda r: r["trial"])
            presses = np.cumsum([r["option"] == "drug" and r["action"] == "press" for r in ordered])
            line, = ax.step(range(len(ordered)), presses, where="post", lw=1.2,
                            label=f"{session}: {ordered[0]['protocol']}")
            infused = [k for k, r in enumerate(ordered) if r["outcome"] == "infusion"]
            ax.plot(infused, presses[infused], "v", color=line.get_color(), ms=3)
        ax.set_title(f"{group} (seed {seed}); triangles: infusions", fontsize=9)
        ax.set_xlabel("trial")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylabel("cumulative drug-lever presses")
    axes[-1].legend(fontsize=6, frameon=False, loc="upper left")
    return save_png(fig, path)


def choice(sessions: list, groups: list, path: Path) -> Path:
    """Fraction of choices that went social, by group."""
    fig = new_figure(3.2)
    ax = fig.subplots()
    fractions = {g: [np.nanmean(v) for v in _by_subject(sessions, g, "choice",
                                                        "social_fraction").values()]
                 for g in groups}
    _points_panel(ax, groups, fractions, "social choices / all choices")
    ax.axhline(0.5, color="#999999", lw=0.8, ls=":")
    ax.set_ylim(0, 1)
    ax.spines[["top", "right"]].set_visible(False)
    return save_png(fig, path)
