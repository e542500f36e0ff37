"""Run an experiment's runs on Dask: local worker processes, an existing cluster, or
in this process.

Each Dask worker is one process with one thread (Brian2 holds one device per process).
A worker keeps the network it compiled (`circuit.running.simulate`), so every further
run of the same structure only passes new values and a new seed to the compiled binary.
Results come back to this process, which stores each run as soon as it finishes
(`circuit.results.runs`): an interrupted experiment loses only the runs in flight.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..analysis.behaviour import SESSION_COLUMNS, TRIAL_COLUMNS, subject_metrics
from ..config import load_config
from ..results.runs import ExperimentDir
from ..running.subject import run_subject
from ..running.watchdog import NumericalFault
from .plan import Run

log = logging.getLogger(__name__)

#: How long to try to reach a --scheduler before giving up.
SCHEDULER_TIMEOUT = "20s"
#: Width of the text progress bar, in characters.
BAR_WIDTH = 24


@dataclass
class Outcome:
    """What an execution did: runs finished now, runs found done, failures."""

    finished: list = field(default_factory=list)
    reused: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)  # key -> error text
    faults: dict = field(default_factory=dict)  # key -> fault record (also in `failed`)


def simulate_run(plain: dict, source: str, labels: dict, progress=None) -> dict:
    """Task: simulate one run (a subject through its schedule); its record and tables.

    Runs in a worker process; takes and returns plain data only. A run stopped by a
    numerical fault returns the fault's record and the tables of the sessions before it.
    """
    started = time.perf_counter()
    config = load_config(plain)
    config.source = source
    try:
        result = run_subject(config, labels, progress)
    except NumericalFault as fault:
        fault.context = f"{labels.get('group')} seed {labels.get('seed')}, {fault.context}"
        return {"fault": fault.record(), "sessions": fault.completed.sessions,
                "trials": fault.completed.trials}
    timings = result.timings
    record = {**labels, **subject_metrics(result.sessions),
              "structure": result.state.structure,
              "wall_s": round(time.perf_counter() - started, 3),
              "simulate_s": round(sum(t["simulate_s"] for t in timings), 3),
              "build_s": round(sum(t["build_s"] for t in timings), 3),
              "builds": sum(not t["reused_build"] for t in timings),
              "replays": sum(bool(t.get("replayed")) for t in timings),
              "compiles": sum(bool(t.get("compiled")) for t in timings),
              "worker": _worker_name()}
    return {"record": record, "sessions": result.sessions, "trials": result.trials}


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().name)
    except (ImportError, ValueError):
        return f"pid{os.getpid()}"


def execute(runs: list, store: ExperimentDir, workers: int = 1, scheduler: str | None = None,
            progress=None) -> Outcome:
    """Simulate every run (`plan.Run`) not yet in `store`, storing each as it finishes.

    `workers` local processes (0, or a single run to do: in this process, no Dask) unless
    `scheduler` names a running Dask scheduler. `progress(text)` is called after each
    run, and after each session of a run simulated in this process.
    """
    outcome = Outcome()
    pending, seen = [], set()
    for run in runs:
        if store.done(run.key):
            outcome.reused.append(run.key)
        elif run.key not in seen:  # two cells can resolve to the same config
            pending.append(run)
            seen.add(run.key)
    if outcome.reused:
        log.info("circuit: %d of %d runs already stored; running the other %d",
                 len(set(outcome.reused)), len({r.key for r in runs}), len(pending))
    meter = _Meter(len(pending), progress)
    if not pending:
        return outcome
    for run, result, error in _results(pending, workers, scheduler, meter):
        if error is None and "fault" in result:
            store.write_fault(run.key, result["fault"],
                              {"sessions.csv": (result["sessions"], SESSION_COLUMNS),
                               "trials.csv": (result["trials"], TRIAL_COLUMNS)})
            error = outcome.failed[run.key] = result["fault"]["message"]
            outcome.faults[run.key] = result["fault"]
            log.warning("circuit: %s", error)
        elif error is None:
            store.write(run.key, {**result["record"], "key": run.key},
                        {"sessions.csv": (result["sessions"], SESSION_COLUMNS),
                         "trials.csv": (result["trials"], TRIAL_COLUMNS)})
            outcome.finished.append(run.key)
        else:
            outcome.failed[run.key] = error
            log.error("circuit: run %s (%s, seed %s) failed: %s", run.key, run.cell.name,
                      run.seed, error)
        meter.step(run, result, error)
    return outcome


def _payload(run: Run) -> tuple:
    labels = {"group": run.cell.name, **run.labels}
    return run.config.plain, run.config.source, labels


def _results(pending: list, workers: int, scheduler: str | None, meter: "_Meter"):
    """Yield (run, result, error text) as runs finish."""
    if scheduler is None and (workers == 0 or len(pending) == 1):
        for run in pending:
            try:
                yield run, simulate_run(*_payload(run), meter.sessions(run)), None
            except Exception as err:  # noqa: BLE001  (reported per run; the rest go on)
                yield run, None, f"{type(err).__name__}: {err}"
        return
    from distributed import as_completed

    with dask_client(min(workers, len(pending)), scheduler) as client:
        futures = {}
        for run in pending:
            future = client.submit(simulate_run, *_payload(run), key=f"run-{run.key}",
                                   pure=False)
            futures[future] = run
        for future in as_completed(futures):
            run = futures[future]
            try:
                yield run, future.result(), None
            except Exception as err:  # noqa: BLE001
                yield run, None, f"{type(err).__name__}: {err}"


@contextmanager
def dask_client(workers: int, scheduler: str | None):
    """A Dask client on `scheduler`, or on a LocalCluster of `workers` processes."""
    from distributed import Client, LocalCluster

    # Dask sets its loggers to INFO when first imported; its cluster chatter would reach
    # the console through circuit's handler.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError) as err:
            raise ConnectionError(f"--scheduler: cannot reach a Dask scheduler at "
                                  f"{scheduler} ({err})") from None
        with client:
            log.info("circuit: on the Dask cluster at %s (%d workers)", scheduler,
                     len(client.scheduler_info()["workers"]))
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        with Client(cluster) as client:
            log.info("circuit: %d local worker processes", workers)
            yield client


class _Meter:
    """A text progress bar over runs, with the time left estimated from the rate so far."""

    def __init__(self, total: int, report):
        self.total, self.done, self.failed = total, 0, 0
        self.started = time.perf_counter()
        self.report = report

    def sessions(self, run: Run):
        """A `run_subject` progress callback: one line per session of `run`."""
        if self.report is None:
            return None

        def report(done: int, count: int, text: str) -> None:
            elapsed = time.perf_counter() - self.started
            self.report(f"{self.done}/{self.total} runs, {_clock(elapsed)} elapsed | "
                        f"{run.cell.name} seed {run.seed}: session {done}/{count} {text}")
        return report

    def step(self, run: Run, result: dict | None, error: str | None) -> None:
        self.done += 1
        self.failed += error is not None
        if self.report is None:
            return
        elapsed = time.perf_counter() - self.started
        left = elapsed / self.done * (self.total - self.done)
        filled = round(BAR_WIDTH * self.done / self.total)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        what = ("FAILED" if error is not None and result is None else
                "stopped at a numerical fault" if error is not None else
                f"{result['record']['wall_s']:.0f} s")
        failed = f", {self.failed} failed" if self.failed else ""
        self.report(f"[{bar}] {self.done}/{self.total} runs{failed}, {_clock(elapsed)} "
                    f"elapsed, ~{_clock(left)} left | {run.cell.name} seed {run.seed}: {what}")


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s"
