"""How far a validation directory has got, read without simulating or locking it.

A scorecard runs for hours and resumes across sittings (and machines); this says, per
spec, how many of its runs and trainings are stored, how many stopped at a numerical
fault, and about how many worker-hours the rest need, from the stored runs' wall times.
It reads the directory only, so it can be asked while a validation is writing to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean

from ..config import ConfigError
from ..experiments.workflow import plan_keys
from ..results.runs import ExperimentDir
from .findings import VALIDATION_DIR, read_catalogue
from .merge import FINGERPRINT_FILE, fingerprint, recorded_simulation
from .scorecard import plans

SECONDS_PER_HOUR = 3600.0
#: faulted runs the status table names, each with its message; the rest are counted
SHOWN_FAULTS = 5


@dataclass
class SpecProgress:
    """One spec's runs and trainings (distinct keys) against what `out` stores."""

    spec: str
    planned: int
    stored: int
    faults: int
    #: mean wall time of this spec's stored runs, seconds; None if none is stored
    mean_wall_s: float | None

    @property
    def left(self) -> int:
        return self.planned - self.stored

    @property
    def worker_hours_left(self) -> float | None:
        if self.mean_wall_s is None:
            return None if self.left else 0.0
        return self.left * self.mean_wall_s / SECONDS_PER_HOUR


@dataclass
class Status:
    """A validation directory's progress: per spec, the union over specs (a run shared
    by two specs counts once) and whether this code may resume it."""

    out: Path
    specs: list
    planned: int
    stored: int
    faults: int
    #: None: the directory records no fingerprint yet; else whether this code's matches
    same_code: bool | None
    #: worker-hours of the runs left that can be timed (each distinct run once, at the
    #: mean wall time of the first spec planning it that has stored runs)
    timed_hours_left: float
    #: runs left in specs with nothing stored to time them by
    untimed: int
    #: each faulted run's key -> its fault's message (fault.json), what --resume repeats
    fault_messages: dict = field(default_factory=dict)

    @property
    def worker_hours_left(self) -> float | None:
        """Known only where every unfinished run has a spec's stored runs to time it."""
        return None if self.untimed else self.timed_hours_left


def validation_status(out: Path, findings: list | None = None, sensitivity: bool = False,
                      quick: bool = False, overrides=(),
                      folder: Path = VALIDATION_DIR) -> Status:
    """The progress of validation directory `out` towards the catalogue (or the findings
    `findings`, with the fold sensitivity if `sensitivity`), as `circuit validate` with
    the same options would plan it."""
    out = Path(out).absolute()
    if not out.is_dir():
        raise ConfigError([f"--out {out}: no such validation directory"])
    full = read_catalogue(folder)
    everything = plans(full, quick, overrides)
    catalogue = full.subset(findings, sensitivity) if findings else full
    store = ExperimentDir(out)  # read only: not entered, so not locked
    planned = {name: set(plan_keys(everything[name])) for name in catalogue.specs}
    union = set().union(*planned.values())
    done = {key for key in union if store.done(key)}  # each run's folder read once
    walls = {key: _wall_s(store, key) for key in done}
    faulted = {key for key in union - done if store.faulted(key)}
    specs, left = [], {}
    for name, keys in planned.items():
        timed = [walls[key] for key in keys & done if walls[key] is not None]
        spec = SpecProgress(name, len(keys), len(keys & done), len(keys & faulted),
                            fmean(timed) if timed else None)
        specs.append(spec)
        for key in keys - done:  # a run two specs plan is timed once
            if left.get(key) is None:
                left[key] = spec.mean_wall_s
    timed = [wall for wall in left.values() if wall is not None]
    return Status(out, specs, len(union), len(done), len(faulted),
                  _same_code(out, fingerprint(everything)),
                  timed_hours_left=sum(timed) / SECONDS_PER_HOUR,
                  untimed=len(left) - len(timed),
                  fault_messages={key: _fault_message(store, key) for key in sorted(faulted)})


def status_table(status: Status) -> str:
    """The status as a plain-text table, one line per spec and a total."""
    rows = [("spec", "stored", "planned", "faults", "worker-hours left")]
    for spec in status.specs:
        rows.append((spec.spec, str(spec.stored), str(spec.planned), str(spec.faults),
                     _hours(spec.worker_hours_left)))
    total = _total_hours(status)
    rows.append(("all (distinct runs)", str(status.stored), str(status.planned),
                 str(status.faults), total))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) if i == 0 else cell.rjust(width)
                       for i, (cell, width) in enumerate(zip(row, widths)))
             for row in rows]
    code = {None: "no runs recorded yet: this code would start it",
            True: "made by this code's simulation: --resume continues it",
            False: "made by other simulation code: --resume refuses it"}[status.same_code]
    notes = ["runs and trainings, each counted once",
             "worker-hours from the stored runs' mean wall time per spec"]
    if any(row[-1].endswith("?") for row in rows):
        notes.append("'?' where a spec has none stored")
    if total.endswith("+?"):
        notes.append(f"the total's '+?' is for {status.untimed} run"
                     f"{'s' * (status.untimed != 1)} not timed")
    faults = [f"faulted {key}: {message}" for key, message
              in list(status.fault_messages.items())[:SHOWN_FAULTS]]
    if len(status.fault_messages) > SHOWN_FAULTS:
        faults.append(f"... and {len(status.fault_messages) - SHOWN_FAULTS} more faulted "
                      "(each run's fault.json under runs/)")
    return "\n".join([f"{status.out}: {code}", *lines, f"({'; '.join(notes)})", *faults])


def _fault_message(store: ExperimentDir, key: str) -> str:
    """The message of run `key`'s fault, or a note that its record has none."""
    try:
        return str(store.fault(key).get("message") or "(no message recorded)")
    except (OSError, ValueError, AttributeError):
        return "(fault.json unreadable)"


def _total_hours(status: Status) -> str:
    """The total's worker-hours: known, '?' where nothing left can be timed, or the timed
    part with '+?' for the rest."""
    if not status.untimed:
        return _hours(status.timed_hours_left)
    return f"{_hours(status.timed_hours_left)}+?" if status.timed_hours_left else "?"


def _wall_s(store: ExperimentDir, key: str) -> float | None:
    try:
        return float(store.read(key)["wall_s"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _same_code(out: Path, printed: dict) -> bool | None:
    if not (out / FINGERPRINT_FILE).is_file():
        return None
    return recorded_simulation(out) == printed["simulation"]


def _hours(hours: float | None) -> str:
    return "?" if hours is None else f"{hours:.1f}"
