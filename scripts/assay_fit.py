"""Score an assay fit: the vehicle acceptance measures of docs/behaviour.md ("Fit on
vehicle subjects") from an experiment directory of a `validation/assay/*.yaml` spec (or
any within-subject design whose training runs acquisition, progressive ratio and
extinction and whose tests are named `prime` and `cue`).

A test is matched to its training by the digest of the state it started from; two
trainings that end in the same state (a subject whose every weight ended the same at two
sweep points) cannot be told apart, and the later one stands for both.

    python scripts/assay_fit.py DIR [--markdown] [--sessions FILE]

One block per sweep point: each measure for the group (a ratio of means over the
subjects; the breakpoint's median), how many subjects meet its criterion alone, and
whether the group does; below them, measures that carry no criterion (the first
extinction session's drug-lever presses, the headroom that fit step 21 chose on).
`--sessions FILE` also writes every run's sessions (trainings and tests, each row with
its run's key, condition and sweep point; a training's point is that of the tests that
started from its state) to one CSV: the record of the fit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from circuit.results.experiment import SESSIONS_CSV
from circuit.results.runs import ExperimentDir
from circuit.results.tables import read_csv, write_csv

#: Criteria on the group of vehicle subjects: name -> (numerator, denominator, test, text).
#: The group's value is the ratio of the means over subjects (a subject's own ratio,
#: for the count of subjects meeting it, floors the denominator at one press).
CRITERIA = {
    "naive_fraction": ("naive_presses", "naive_presentations", lambda v: v <= 0.2,
                       "presses per presentation, first acquisition session (about 1/5 or fewer)"),
    "acquisition_gain": ("last_active", "first_active", lambda v: v >= 2.0,
                         "drug-lever presses, last / first acquisition session (>= 2)"),
    "inactive_share": ("last_inactive", "last_active", lambda v: v < 1 / 3,
                       "inactive / drug-lever presses, last acquisition session (< 1/3)"),
    "extinction_left": ("last_extinction", "first_extinction", lambda v: v <= 0.5,
                        "drug-lever presses, last / first extinction session (<= 0.5)"),
    "prime_ratio": ("prime", "last_extinction", lambda v: v >= 2.0,
                    "drug-primed / last extinction presses (>= 2)"),
    "cue_ratio": ("cue", "last_extinction", lambda v: v >= 1.5,
                  "cue-induced / last extinction presses (>= 1.5)"),
    "da_fold": ("da_fold", None, lambda v: 2.0 <= v <= 5.0,
                "NAc [DA] in the last acquisition session over its pre-drug [DA] (2-5x)"),
}
#: Measures reported beside the criteria, without one: name (one of `subject_measures`)
#: -> text. The group's value is the mean over subjects.
REPORTED = {
    "first_extinction": "drug-lever presses, first extinction session (mean; no criterion)",
}
#: The progressive ratio's ceiling by its number of 500 ms trials (tests/test_behaviour.py
#: computes both): 60 s with a 15 s hold (fits 1-4), 120 s with a 30 s hold (fit 5 on).
CEILING_BY_TRIALS = {120: 25, 240: 50}


def subject_measures(training: list, prime: list, cue: list) -> dict:
    """The counts of one subject from its sessions (rows of sessions.csv)."""
    acquisition = [r for r in training if r["phase"] == "acquisition"]
    extinction = [r for r in training if r["phase"] == "extinction"]
    progressive = [r for r in training if r["phase"] == "progressive_ratio"]
    first, last = acquisition[0], acquisition[-1]
    return {
        "naive_presses": first["active"] + first["inactive"], "naive_presentations": first["trials"],
        "first_active": first["active"], "last_active": last["active"],
        "last_inactive": last["inactive"],
        "first_extinction": extinction[0]["active"], "last_extinction": extinction[-1]["active"],
        "prime": prime[0]["active"], "cue": cue[0]["active"],
        "breakpoint": max(r["breakpoint"] for r in progressive),
        "ceiling": CEILING_BY_TRIALS[int(progressive[0]["trials"])],
        "da_fold": float(last.get("da_fold", np.nan)),
    }


def stored_runs(directory: Path) -> dict:
    """{key: (run.json record, sessions rows)} of every run stored in `directory`."""
    store = ExperimentDir(directory)
    return {key: (store.read(key), read_csv(store.folder(key) / SESSIONS_CSV))
            for key in store.stored()}


def swept(row: dict) -> tuple:
    """The sweep point of a run's row: its dotted config keys with their values."""
    return tuple((key, row[key]) for key in sorted(key for key in row if "." in key))


def score(directory: Path) -> dict:
    """{sweep point: {measure: [value per seed]}}. A test run names the state it started
    from (`start_state`), the training run the state it ended with (`final_state`)."""
    runs = stored_runs(directory)
    trainings = {info["final_state"]: rows for info, rows in runs.values()
                 if info["condition"] == "training"}
    subjects: dict = {}
    for info, rows in runs.values():
        if info["condition"] == "training" or info.get("start_state") not in trainings:
            continue
        point = swept(rows[0])
        subject = subjects.setdefault((point, info["start_state"]), {})
        subject[info["condition"]] = rows
    measures: dict = {}
    for (point, state), tests in sorted(subjects.items()):
        if not {"prime", "cue"} <= set(tests):
            continue
        values = subject_measures(trainings[state], tests["prime"], tests["cue"])
        for name, value in values.items():
            measures.setdefault(point, {}).setdefault(name, []).append(value)
    return measures


def report(measures: dict, markdown: bool) -> str:
    lines = []
    for point, values in measures.items():
        label = ", ".join(f"{key}={value}" for key, value in point) or "all"
        n = len(values["breakpoint"])
        lines.append(f"{'### ' if markdown else ''}{label} ({n} seeds)")
        if markdown:
            lines += ["", "| measure | group | subjects meeting it | criterion met |",
                      "|---|---|---|---|"]
        rows = []
        for name, (top, bottom, test, text) in CRITERIA.items():
            a = np.asarray(values[top], float)
            b = np.ones_like(a) if bottom is None else np.asarray(values[bottom], float)
            mean = float(np.nanmean(b))
            group = float(np.nanmean(a)) / mean if mean > 0 else float("nan")
            each = sum(bool(test(x / max(y, 1.0) if bottom else x)) for x, y in zip(a, b))
            rows.append((text, group, f"{each}/{n}", test(group)))
        breakpoints = np.asarray(values["breakpoint"], float)
        (top,) = set(values["ceiling"])  # one protocol per fit
        ceiling = float(np.mean(breakpoints >= top))
        rows.append(("progressive-ratio breakpoint, median (>= 12)", float(np.median(breakpoints)),
                     f"{int(np.sum(breakpoints >= 12))}/{n}", np.median(breakpoints) >= 12))
        rows.append((f"share of subjects at the ceiling ({top}) (<= 20%)", ceiling,
                     f"{int(np.sum(breakpoints >= top))}/{n} at it", ceiling <= 0.2))
        for text, group, each, met in rows:
            verdict = "yes" if met else "no"
            if markdown:
                lines.append(f"| {text} | {group:.2f} | {each} | {verdict} |")
            else:
                lines.append(f"  {group:7.2f}  {each:>9s}  {verdict:3s}  {text}")
        for name, text in REPORTED.items():
            mean = float(np.nanmean(np.asarray(values[name], float)))
            if markdown:
                lines.append(f"| {text} | {mean:.2f} | - | - |")
            else:
                lines.append(f"  {mean:7.2f}  {'-':>9s}  {'-':3s}  {text}")
        lines.append("")
    return "\n".join(lines)


def session_rows(directory: Path) -> list:
    """Every run's sessions, each row with its run's key and state; a training's rows
    take the sweep point of the tests that started from the state it ended with."""
    runs = stored_runs(directory)
    points = {info.get("start_state"): dict(swept(rows[0])) for info, rows in runs.values()
              if info["condition"] != "training" and rows}
    out = []
    for key, (info, sessions) in runs.items():
        # a training's state is the one it ended with; a test's, the one it started from
        training = info["condition"] == "training"
        state = info["final_state"] if training else info.get("start_state")
        point = points.get(state, {}) if training else {}
        out += [{**row, **point, "run": key, "state": state} for row in sessions]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--markdown", action="store_true", help="a Markdown table per point")
    parser.add_argument("--sessions", type=Path, help="write every run's sessions here")
    args = parser.parse_args(argv)
    if args.sessions:
        write_csv(args.sessions, session_rows(args.directory),
                  ["run", "state", "condition", "seed", "session", "protocol"])
    measures = score(args.directory)
    if not measures:
        print(f"{args.directory}: no subject with training, prime and cue runs", file=sys.stderr)
        return 1
    print(report(measures, args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
