"""An experiment directory read back: its tables as pandas DataFrames
(``circuit.results.load``).

The directory that ``circuit run`` of a behavioural config, ``circuit experiment`` and
each spec of ``circuit validate`` write (docs/outputs.md, docs/experiments.md). Reading
it needs neither Brian2 nor the simulation code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from .runs import RECORD, RUNS, SESSIONS

#: File names of an experiment directory (and, for sessions and trials, of each run's
#: folder under runs/): the one place they are defined.
RUNS_CSV, STATS_CSV, SESSIONS_CSV, TRIALS_CSV = ("runs.csv", "stats.csv", "sessions.csv",
                                                 "trials.csv")
CONFIG, SPEC = "config.yaml", "spec.yaml"
#: Tables of an experiment directory, by attribute name.
TABLES = {"runs": RUNS_CSV, "stats": STATS_CSV, "sessions": SESSIONS_CSV,
          "trials": TRIALS_CSV}
#: Columns of `ExperimentResults.recorded()`.
RECORDED_COLUMNS = ("condition", "seed", "session", "protocol", "key", "path")
#: What the experiment was started from: a config (circuit run) or a spec.
SOURCES = (CONFIG, SPEC)


@dataclass
class ExperimentResults:
    """The tables of an experiment directory as pandas DataFrames (columns:
    docs/experiments.md); a table the directory lacks is an empty frame."""

    directory: Path
    runs: pd.DataFrame  # one row per run (subject)
    stats: pd.DataFrame  # one row per contrast x metric
    sessions: pd.DataFrame  # one row per session of every run
    trials: pd.DataFrame  # one row per trial
    source: dict | None = None  # the config or spec it was started from

    def recorded(self) -> pd.DataFrame:
        """The recorded sessions (`behaviour.record`), one row each: `condition` and
        `seed` of the run (a within-subject design's trainings: condition `training`),
        `session`, `protocol`, `key` (the run's) and `path`, a run directory that
        `circuit.results.load` reads. In run key and session order."""
        rows = []
        for path in sorted(self.directory.glob(f"{RUNS}/*/{SESSIONS}/*")):
            record = path.parents[1] / RECORD
            labels = json.loads(record.read_text()) if record.is_file() else {}
            number, _, protocol = path.name.partition("-")
            rows.append({"condition": labels.get("condition"), "seed": labels.get("seed"),
                         "session": int(number), "protocol": protocol,
                         "key": path.parents[1].name, "path": path})
        return pd.DataFrame(rows, columns=RECORDED_COLUMNS)

    def __repr__(self) -> str:
        conditions = sorted({str(c) for c in self.runs.get("condition", [])})
        return (f"ExperimentResults({str(self.directory)!r}: {len(self.runs)} runs of "
                f"{', '.join(conditions) or 'no conditions'}, {len(self.sessions)} sessions, "
                f"{len(self.trials)} trials, {len(self.stats)} statistics)")


def is_experiment(directory: Path) -> bool:
    """Whether `directory` is an experiment directory (it has runs.csv)."""
    return (Path(directory) / TABLES["runs"]).is_file()


def load_experiment(directory) -> ExperimentResults:
    """Read the tables of the experiment directory `directory`."""
    directory = Path(directory)
    if not is_experiment(directory):
        raise FileNotFoundError(f"{directory} is not an experiment directory: "
                                f"{TABLES['runs']} is missing")
    tables = {name: _frame(directory / file) for name, file in TABLES.items()}
    source = next((yaml.safe_load((directory / name).read_text()) for name in SOURCES
                   if (directory / name).is_file()), None)
    return ExperimentResults(directory, source=source, **tables)


def _frame(path: Path) -> pd.DataFrame:
    """A table as a DataFrame (empty cells as NaN); an empty frame if absent or empty."""
    if not path.is_file() or path.stat().st_size == 0:
        return pd.DataFrame()
    return pd.read_csv(path)
