"""report.md of a hypothesis experiment: what ran, the contrasts, the figures, the runs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .statistics import CONFIDENCE, RESAMPLES


def _number(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _p(value) -> str:
    if not isinstance(value, float) or not math.isfinite(value):
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _span(counts: tuple) -> str:
    """'5' or '5-10': the number of sessions of the runs."""
    return str(counts[0]) if len(set(counts)) == 1 else f"{min(counts)}-{max(counts)}"


def _test(row: dict) -> str:
    design = "paired" if row.get("design") == "paired" else "independent"
    sides = {"less": "one-sided (a < b)", "greater": "one-sided (a > b)",
             "equivalent": "two-sided + TOST"}.get(row.get("alternative"), "two-sided")
    return f"{design}, {sides}"


def _effect(row: dict) -> str:
    if row.get("design") != "paired":
        return f"g {_number(row['hedges_g'])}"
    return (f"d_z {_number(row['d_z'])} [{_number(row['d_z_low'])}, "
            f"{_number(row['d_z_high'])}], g_av {_number(row['g_av'])}")


def _tests(row: dict) -> str:
    if row.get("design") != "paired":
        return (f"Welch {_p(row['welch_p'])} ({_p(row['welch_p_bh'])}) | Mann-Whitney "
                f"{_p(row['mannwhitney_p'])} ({_p(row['mannwhitney_p_bh'])})")
    tost = (f"; TOST ±{_number(row['margin'])} SD {_p(row['tost_p'])} "
            f"({_p(row['tost_p_bh'])})" if row.get("alternative") == "equivalent" else "")
    return (f"paired {_p(row['paired_p'])} ({_p(row['paired_p_bh'])}){tost} | Wilcoxon "
            f"{_p(row['wilcoxon_p'])} ({_p(row['wilcoxon_p_bh'])})")


def report_markdown(plan, runs: list, stats: list, figures: list, execution: dict,
                    folder: Path) -> str:
    """The report text; figure paths are written relative to `folder`."""
    keys = plan.sweep_keys
    lines = [f"# Experiment {Path(plan.source).name}", ""]
    if plan.description:
        lines += [plan.description.strip(), ""]
    lines += [
        f"- base config: `{plan.spec['base']}`",
        f"- conditions: {', '.join(f'`{c}`' for c in dict.fromkeys(c.condition for c in plan.cells))}",
        f"- sweep: {', '.join(f'`{k}` {v}' for k, v in plan.sweep.items()) or 'none'}",
        *([f"- design: within-subject; each seed trained once "
           f"({plan.trainings[0].sessions} session(s): "
           f"{', '.join(plan.trainings[0].config['behaviour']['schedule'])}), then tested "
           "in every condition from its trained state (paired statistics)"]
          if plan.design == "paired" and plan.trainings else []),
        f"- seeds: {len(plan.seeds)} ({', '.join(map(str, plan.seeds))})",
        f"- runs: {len(plan.runs)} ({len(plan.cells)} cells x {len(plan.seeds)} seeds), "
        f"{_span(plan.sessions)} sessions each; {execution['finished']} "
        "simulated in this "
        f"invocation, {execution['reused']} found stored, {execution['failed']} failed"
        + (f"; {execution.get('trained', 0)} of {len(plan.trainings)} trainings simulated "
           "in this invocation" if plan.trainings else ""),
        f"- network builds: {execution['builds']} (code generated in a worker process), "
        f"of which {execution['compiles']} compiled; {execution['replays']} taken from the "
        f"build cache's blueprint; {execution['structures']} network structure(s)",
        f"- wall time of this invocation: {execution['wall_s']:.0f} s on "
        f"{execution['where']}",
        "",
        "## Contrasts",
        "",
    ]
    if stats:
        sweep_head = "".join(f" {k} |" for k in keys)
        lines += [f"| contrast |{sweep_head} metric | test | n | mean a | mean b | difference "
                  f"[{CONFIDENCE:.0%} CI] | effect size | t-test p (BH) | rank test p (BH) |",
                  "|---|" + "---|" * len(keys) + "---|---|---|---|---|---|---|---|---|"]
        for row in stats:
            sweep_cells = "".join(f" {row[k]} |" for k in keys)
            lines.append(
                f"| {row['contrast']} |{sweep_cells} {row['metric']} | {_test(row)} | "
                f"{row['n_a']}, {row['n_b']} | {_number(row['mean_a'])} | "
                f"{_number(row['mean_b'])} | {_number(row['difference'])} "
                f"[{_number(row['ci_low'])}, {_number(row['ci_high'])}] | {_effect(row)} | "
                f"{_tests(row)} |")
        lines += ["", "Difference: mean of the first condition minus the second, across "
                  "seeds. Independent conditions (between-subject): interval from "
                  f"scipy.stats.bootstrap ({RESAMPLES} resamples, BCa, percentile where BCa "
                  "is undefined); Hedges' g, the pooled-SD standardised difference with the "
                  "small-sample correction; Welch's t-test and the Mann-Whitney U test. "
                  "Paired conditions (the test conditions of a within-subject design, "
                  "each seed in both): the mean of the seeds' differences with a "
                  "percentile interval over resampled pairs; d_z (mean difference / SD of "
                  "the differences, with its interval) and g_av (Lakens 2013); the paired "
                  "t-test and Wilcoxon's signed-rank test. 'one-sided' tests the "
                  "direction the spec predicts; 'same' adds an equivalence test (TOST, "
                  "margin in SDs of the differences), whose p is small when the effect "
                  "lies within the margin. p-values in brackets are adjusted across every "
                  "test of the experiment (Benjamini-Hochberg, "
                  "scipy.stats.false_discovery_control). '-': undefined (fewer than two "
                  "seeds, or no variance). Every number is in stats.csv.", ""]
    else:
        lines += ["No contrasts in the spec (add `contrasts: [[a, b]]`).", ""]
    lines += ["## Figures", ""]
    lines += [f"![{path.stem}]({path.relative_to(folder)})" for path in figures]
    lines += ["", "## Cells", "", "Mean and SD over seeds (n).", ""]
    lines += [f"| cell | {' | '.join(plan.metrics)} |",
              "|---|" + "---|" * len(plan.metrics)]
    for cell in plan.cells:
        mine = [run for run in runs if run["cell"] == cell.name]
        values = []
        for metric in plan.metrics:
            x = np.array([run[metric] for run in mine], float)
            x = x[np.isfinite(x)]
            sd = f" ± {_number(float(x.std(ddof=1)), 2)}" if x.size > 1 else ""
            values.append(f"{_number(float(x.mean()), 3) if x.size else '-'}{sd} ({x.size})")
        lines.append(f"| {cell.name} | {' | '.join(values)} |")
    lines += ["", "Files: runs.csv (one row per run), stats.csv (every statistic), "
              "runs/<key>/ (each run's sessions.csv, trials.csv and run.json), "
              "experiment.log. docs/experiments.md describes every column.", ""]
    return "\n".join(lines)
