"""`circuit plot DIR`: redraw the figures of a results directory from what it stores, into
DIR/figures (never re-simulates; needs no Brian2).

- a run directory (manifest.json; `circuit run` of a protocol): the run figures;
- an experiment directory (runs.csv; `circuit experiment`, `circuit run` of a behavioural
  config): the experiment figures from runs.csv, whose header gives the conditions, sweep
  keys and metrics, and the behaviour figures from sessions.csv and trials.csv;
- a validation directory (scorecard.json): each experiments/<spec> as above. The scorecard
  figures need the catalogue's scoring, which runs with the simulation code:
  `circuit validate --out DIR --resume` redraws them (it reuses every stored run).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ..results.experiment import RUNS_CSV, SESSIONS_CSV, TRIALS_CSV, is_experiment
from ..results.store import MANIFEST_FILE, load
from ..results.tables import read_csv
from . import style

log = logging.getLogger(__name__)

FIGURES = "figures"
SCORECARD_JSON, EXPERIMENTS = "scorecard.json", "experiments"
# runs.csv's header: condition, the sweep keys, seed, cell, the metrics, then the run
# info (circuit/experiments/workflow.py RUN_INFO), whose first column is the run's key.
CONDITION, SEED, CELL, RUN_INFO_FIRST = "condition", "seed", "cell", "key"


class NotResults(ValueError):
    """The directory holds no results that figures can be drawn from."""


def parse_formats(text: str) -> tuple:
    """'png,pdf' -> ('png', 'pdf'); ValueError naming the formats allowed."""
    formats = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in formats if f not in style.FORMATS]
    if unknown or not formats:
        raise ValueError(f"unknown figure format {', '.join(unknown) or '(none)'}; "
                         f"choose among {','.join(style.FORMATS)}")
    return formats


def redraw(directory: str | os.PathLike, formats=style.FORMATS) -> list[Path]:
    """Redraw the figures of `directory` in `formats`; return every file written.

    Raises NotResults if `directory` is neither a run, an experiment nor a validation
    directory."""
    directory = Path(directory)
    with style.output_formats(formats):
        if (directory / MANIFEST_FILE).is_file():
            from .run_figures import make_run_figures

            return _files(make_run_figures(load(directory), directory / FIGURES))
        if is_experiment(directory):
            return _files(experiment_figures(directory))
        if (directory / SCORECARD_JSON).is_file():
            from ..validation.scorecard import redraw_figures  # scoring needs the engine

            specs = sorted(d for d in (directory / EXPERIMENTS).glob("*") if is_experiment(d))
            return _files(redraw_figures(directory) +
                          [path for spec in specs for path in experiment_figures(spec)])
    raise NotResults(f"{directory} is not a results directory: no {MANIFEST_FILE} (a run), "
                     f"{RUNS_CSV} (an experiment) or {SCORECARD_JSON} (a validation)")


def _files(paths: list) -> list[Path]:
    """Every format's file of each figure `paths` names."""
    return [file for path in paths for file in style.written_files(path)]


def experiment_figures(directory: Path) -> list[Path]:
    """The figures `circuit experiment` draws, from the tables of `directory` (read as the
    experiment workflow reads them, `read_csv`: the same rows give the same figures)."""
    from .behaviour_figures import make_behaviour_figures
    from .experiment_figures import make_experiment_figures

    runs, sessions, trials = (read_csv(directory / name) if (directory / name).is_file()
                              else [] for name in (RUNS_CSV, SESSIONS_CSV, TRIALS_CSV))
    out = directory / FIGURES
    paths = []
    design = runs_design(runs)
    if design is not None:
        conditions, metrics, sweep = design
        paths += make_experiment_figures(runs, conditions, metrics, sweep, out)
    if sessions:
        paths += make_behaviour_figures({"sessions": sessions, "trials": trials}, out)
    return paths


def runs_design(runs: list) -> tuple | None:
    """(conditions, metrics, sweep {key: values}) of runs.csv's rows, in their order; None
    without rows, metrics or the expected columns."""
    columns = list(runs[0]) if runs else []
    if not all(name in columns for name in (CONDITION, SEED, CELL, RUN_INFO_FIRST)):
        return None
    keys = columns[columns.index(CONDITION) + 1:columns.index(SEED)]
    metrics = columns[columns.index(CELL) + 1:columns.index(RUN_INFO_FIRST)]
    if not metrics:
        return None
    conditions = list(dict.fromkeys(run[CONDITION] for run in runs))
    sweep = {key: list(dict.fromkeys(run[key] for run in runs)) for key in keys}
    return conditions, metrics, sweep
