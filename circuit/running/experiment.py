"""An experiment: groups x seeds of subjects, each through the config's schedule.

The config file's ``experiment`` block names the groups (each a set of config
overrides, e.g. ``interventions.oxt.given: on``) and the seeds. Every subject's
configs are validated before the first simulation; each finished subject is written
to ``DIR/subjects/`` at once, so an interrupted experiment resumes where it stopped.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from ..analysis.behaviour import SESSION_COLUMNS, TRIAL_COLUMNS, subject_metrics
from ..config import ConfigError, load_config
from ..config.loader import override_text
from ..config.units import shown
from ..protocols.library import session_configs
from ..results.tables import read_csv, write_csv
from .subject import initial_overrides, run_subject
from .watchdog import NumericalFault, NumericalFaults, write_fault

log = logging.getLogger(__name__)

TRIALS, SESSIONS, SUBJECTS = "trials.csv", "sessions.csv", "subjects.csv"
#: Most seeds an experiment may name (a larger count is a typo, not an experiment).
MAX_SUBJECTS = 100_000
#: Tables of the sessions a subject finished before a numerical fault.
UNTIL_FAULT = "until_fault_{}"


@dataclass
class Subject:
    """One subject of the experiment: its group, seed and validated config."""

    group: str
    seed: int
    config: object

    @property
    def key(self) -> str:
        return f"{self.group}_seed{self.seed}"


def subjects(config) -> list:
    """Every subject of `config.experiment`, validated (ConfigError naming the key)."""
    spec = config.experiment
    if spec is None:
        spec = {"groups": {"subject": {}}, "seeds": [config["simulation"]["seed"]]}
    if not isinstance(spec, dict) or not spec or set(spec) - {"groups", "seeds"}:
        raise ConfigError("experiment: expected a mapping with 'groups' and 'seeds'")
    groups, seeds = spec.get("groups") or {}, spec.get("seeds")
    if _integer(seeds) and 1 <= seeds <= MAX_SUBJECTS:
        seeds = list(range(1, seeds + 1))
    if (not isinstance(seeds, list) or not 1 <= len(seeds) <= MAX_SUBJECTS
            or not all(_integer(s) and 0 <= s < 2**32 for s in seeds)):
        raise ConfigError(f"experiment.seeds: expected a count in [1, {MAX_SUBJECTS}] or a "
                          f"list of that many integers in [0, 2**32), got {shown(seeds)}")
    if not isinstance(groups, dict) or not groups:
        raise ConfigError("experiment.groups: expected a mapping of group name -> overrides")
    result, problems = [], []
    for name, overrides in groups.items():
        if not isinstance(overrides, dict):
            problems.append(f"experiment.groups.{name}: expected a mapping of key: value")
            continue
        texts = [override_text(key, value) for key, value in overrides.items()]
        for seed in seeds:
            try:
                subject = load_config(config.plain, texts, seed=seed)
                subject.source = config.source
                session_configs(subject, initial_overrides(subject))
            except ConfigError as err:
                problems += [f"experiment.groups.{name}: {p}" for p in err.problems]
                break
            result.append(Subject(name, seed, subject))
    if problems:
        raise ConfigError(problems)
    return result


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def run_experiment(config, out: Path, progress: bool = True, workers: int = 1) -> dict:
    """Run (or resume) every subject; write the tables; return {name: rows}.

    With `workers` > 1, subjects run in that many local Dask worker processes at once
    (each subject's sessions stay in order in one process; the tables are the same).
    A subject that stops at a numerical fault keeps its sessions before it
    (`_keep_until_fault`) and the others go on; then `NumericalFaults` is raised, carrying
    the tables of the subjects that finished.
    """
    everyone = subjects(config)
    folder = out / "subjects"
    pending = []
    for subject in everyone:
        if _done(folder, subject):
            log.info("circuit: %s already done (resuming)", subject.key)
        else:
            pending.append(subject)
    n_sessions = len(config["behaviour"]["schedule"])
    progress_line = _ProgressLine(len(everyone) * n_sessions, n_sessions,
                                  len(everyone) - len(pending), progress)
    if workers > 1 and len(pending) > 1:
        faults = _run_in_workers(pending, folder, min(workers, len(pending)), progress_line)
    else:
        faults = []
        for subject in pending:
            fault = run_and_write(subject, folder, progress_line.reporter(subject))
            progress_line.advance()
            faults += [fault] if fault is not None else []
    tables = collect(out, [subject for subject in everyone if _done(folder, subject)])
    if faults:
        raise NumericalFaults(faults, tables)
    return tables


def run_and_write(subject: Subject, folder: Path, report=None) -> NumericalFault | None:
    """Run one subject and write its tables (or what it did before a fault, returned)."""
    try:
        result = run_subject(subject.config, {"group": subject.group, "seed": subject.seed},
                             report)
    except NumericalFault as fault:  # keep it, go on with the other subjects
        _keep_until_fault(fault, subject, folder / subject.key)
        log.warning("circuit: %s", fault)
        return fault
    write_csv(folder / subject.key / TRIALS, result.trials, TRIAL_COLUMNS)
    write_csv(folder / subject.key / SESSIONS, result.sessions, SESSION_COLUMNS)  # last: done
    return None


def _run_in_workers(pending: list, folder: Path, workers: int, progress_line) -> list:
    """Run `pending` subjects in local Dask workers; the faults, as `run_and_write`'s."""
    from distributed import as_completed

    from .execute import dask_client

    faults = []
    sessions = f"{progress_line.n_sessions} session{'s' * (progress_line.n_sessions != 1)}"
    progress_line.say(f"{len(pending)} subjects on {workers} worker processes; each is reported "
                      f"once it has run its {sessions} (a network structure not in the build "
                      "cache is first generated and compiled, about 20 s)")
    with dask_client(workers, None) as client:
        futures = {client.submit(run_and_write, subject, folder, pure=False): subject
                   for subject in pending}
        for future in as_completed(futures):
            fault = future.result()
            progress_line.subject_done(futures[future], fault)
            if fault is not None:
                faults.append(fault)
    return faults


class _ProgressLine:
    """Progress lines: one per session (in this process) or per subject (in workers)."""

    def __init__(self, total: int, n_sessions: int, subjects_done: int, shown: bool):
        self.total, self.n_sessions, self.shown = total, n_sessions, shown
        self.finished = subjects_done * n_sessions
        self.started = time.perf_counter()

    def _print(self, done: int, text: str) -> None:
        if self.shown:
            elapsed = time.perf_counter() - self.started
            print(f"circuit: [{done}/{self.total} sessions, {elapsed:.0f} s] {text}", flush=True)

    def say(self, text: str) -> None:
        if self.shown:
            print(f"circuit: {text}", flush=True)

    def reporter(self, subject: Subject):
        """A session callback for `run_subject` that prints the running totals."""
        def report(done, count, text):
            self._print(self.finished + done, f"{subject.key} session {done}/{count} {text}")
        return report

    def advance(self) -> None:
        """Count one more subject's sessions as finished."""
        self.finished += self.n_sessions

    def subject_done(self, subject: Subject, fault) -> None:
        self.advance()
        self._print(self.finished, f"{subject.key}: "
                                   f"{'stopped at a numerical fault' if fault else 'done'}")


def _done(folder: Path, subject: Subject) -> bool:
    """Whether `subject` finished (its sessions.csv is written last)."""
    return (folder / subject.key / SESSIONS).is_file()


def _keep_until_fault(fault: NumericalFault, subject: Subject, folder: Path) -> None:
    """Write the subject's sessions before `fault` and the fault itself to `folder`.

    The subject stays unfinished (no sessions.csv), so --resume runs it again.
    """
    fault.context = f"subject {subject.key}, {fault.context}"
    fault.saved_in = folder
    write_csv(folder / UNTIL_FAULT.format(TRIALS), fault.completed.trials, TRIAL_COLUMNS)
    write_csv(folder / UNTIL_FAULT.format(SESSIONS), fault.completed.sessions, SESSION_COLUMNS)
    write_fault(fault, folder)


def collect(out: Path, everyone: list) -> dict:
    """Combine the subjects' tables into DIR/trials.csv, sessions.csv and subjects.csv."""
    trials, sessions, metrics = [], [], []
    for subject in everyone:
        folder = out / "subjects" / subject.key
        trials += read_csv(folder / TRIALS)
        rows = read_csv(folder / SESSIONS)
        sessions += rows
        metrics.append({"group": subject.group, "seed": subject.seed, **subject_metrics(rows)})
    write_csv(out / TRIALS, trials, TRIAL_COLUMNS)
    write_csv(out / SESSIONS, sessions, SESSION_COLUMNS)
    write_csv(out / SUBJECTS, metrics, ("group", "seed"))
    return {"trials": trials, "sessions": sessions, "subjects": metrics}
