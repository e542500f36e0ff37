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
from ..results.experiment import SESSIONS_CSV, TRIALS_CSV
from ..results.runs import ExperimentDir
from ..results.state import State
from ..running.subject import run_subject
from ..running.watchdog import NumericalFault
from .plan import TRAINING, Run, Training

log = logging.getLogger(__name__)

#: How long to try to reach a --scheduler before giving up.
SCHEDULER_TIMEOUT = "20s"
#: Width of the text progress bar, in characters.
BAR_WIDTH = 24
#: Dask event topic on which workers report each finished session.
PROGRESS_TOPIC = "circuit-sessions"
#: Dask config key of the local cluster's dashboard address (`circuit ... --dashboard`,
#: or ``dask.config.set({DASHBOARD_KEY: ":8787"})``); None: no dashboard.
DASHBOARD_KEY = "circuit.dashboard"
#: An HTTP address on a port the operating system chooses.
ANY_FREE_PORT = ":0"
#: Dask's setting for how many tasks without dependencies a worker is given at once.
SATURATION_KEY = "distributed.scheduler.worker-saturation"


@dataclass
class Outcome:
    """What an execution did: runs finished now, runs found done, failures."""

    finished: list = field(default_factory=list)
    reused: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)  # key -> error text
    faults: dict = field(default_factory=dict)  # key -> fault record (also in `failed`)


def simulate_run(plain: dict, source: str, labels: dict, progress=None, trained=None,
                 first_session: int = 0, keep_state: bool = False) -> dict:
    """Task: simulate one run (a subject through its schedule); its record and tables.

    Runs in a worker process; takes and returns plain data only. A run stopped by a
    numerical fault returns the fault's record and the tables of the sessions before it.
    A test run of a within-subject design starts from `trained` (its training's result,
    or the `State` a stored training left), its sessions numbered from `first_session`;
    its record holds the digest of that state. With `keep_state` (a training), the
    result holds the final `state`.
    """
    started = time.perf_counter()
    config = load_config(plain)
    config.source = source
    state = _trained_state(trained)
    progress = progress or _worker_reporter(labels)
    try:
        result = run_subject(config, labels, progress, state, first_session)
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
              "worker": _worker_name(), "final_state": result.state.digest()}
    if state is not None:
        record["start_state"] = state.digest()
    out = {"record": record, "sessions": result.sessions, "trials": result.trials,
           "recorded": result.recorded}
    if keep_state:
        out["state"] = result.state
    return out


def _trained_state(trained) -> State | None:
    """The state a test run starts from (None: a naive subject)."""
    if trained is None or isinstance(trained, State):
        return trained
    if "state" not in trained:  # the training stopped at a numerical fault
        raise RuntimeError("its training stopped at a numerical fault: "
                           f"{trained['fault']['message']}")
    return trained["state"]


def _worker_reporter(labels: dict):
    """In a Dask worker: a session callback that sends each finished session to the
    client as an event (`PROGRESS_TOPIC`); None elsewhere."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return None

    def report(done: int, count: int, text: str) -> None:
        worker.log_event(PROGRESS_TOPIC, {"run": f"{labels.get('group')} seed "
                                                 f"{labels.get('seed')}",
                                          "done": done, "count": count, "text": text})
    return report


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
    run, and after each session of a run simulated in this process. The trainings of a
    within-subject design run first, once per seed, and are stored with their final
    state; each test run starts from its training's state (passed from worker to worker
    by Dask, or read from the store when the training was stored before).
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
    trainings = list(dict.fromkeys(run.training for run in pending if run.training))
    trained = {t.key: store.state(t.key) for t in trainings if store.done(t.key)}
    to_train = [t for t in trainings if t.key not in trained]
    meter = _Meter(len(pending) + len(to_train), progress)
    if not pending:
        return outcome
    for item, result, error in _results(to_train, pending, trained, workers, scheduler, meter):
        _store(item, result, error, store, outcome)
        meter.step(item, result, error)
    return outcome


def _store(item, result, error, store: ExperimentDir, outcome: Outcome) -> None:
    """Store one finished run or training (or its fault), or note its failure."""
    key = item.key
    tables = {SESSIONS_CSV: (result["sessions"], SESSION_COLUMNS),
              TRIALS_CSV: (result["trials"], TRIAL_COLUMNS)} if result else {}
    if error is None and "fault" in result:
        store.write_fault(key, result["fault"], tables)
        outcome.failed[key] = result["fault"]["message"]
        outcome.faults[key] = result["fault"]
        log.warning("circuit: %s", outcome.failed[key])
    elif error is None:
        training = isinstance(item, Training)
        store.write(key, {**result["record"], "key": key}, tables,
                    result["state"] if training else None, result.get("recorded"))
        outcome.finished.append(key)
        # the log file's record of each run (the console shows the progress bar instead)
        log.debug("circuit: stored %s (%s, seed %s) in %.0f s", key, _name(item), item.seed,
                  result["record"]["wall_s"])
    else:
        outcome.failed[key] = error
        log.error("circuit: run %s (%s, seed %s) failed: %s", key, _name(item), item.seed,
                  error)


def _name(item) -> str:
    return TRAINING if isinstance(item, Training) else item.cell.name


def _payload(item) -> tuple:
    labels = {"group": _name(item), **item.labels}
    return item.config.plain, item.config.source, labels


def _start(run: Run) -> dict:
    """Keyword arguments of `simulate_run` for where `run` starts."""
    return {"first_session": run.training.sessions} if run.training else {}


def _results(to_train: list, pending: list, trained: dict, workers: int,
             scheduler: str | None, meter: "_Meter"):
    """Yield (run or training, result, error text) as they finish: trainings first."""
    if scheduler is None and (workers == 0 or len(pending) + len(to_train) == 1):
        if dashboard_address() is not None:
            log.warning("circuit: everything runs in this process (no Dask): no dashboard")
        for training in to_train:
            try:
                result = simulate_run(*_payload(training), meter.sessions(training),
                                      keep_state=True)
                trained[training.key] = result  # its state, or its fault (_trained_state)
                yield training, result, None
            except Exception as err:  # noqa: BLE001  (reported per run; the rest go on)
                yield training, None, f"{type(err).__name__}: {err}"
        for run in pending:
            try:
                start = trained.get(run.training.key) if run.training else None
                if run.training and start is None:
                    raise RuntimeError("its training failed (see the log)")
                yield run, simulate_run(*_payload(run), meter.sessions(run), start,
                                        **_start(run)), None
            except Exception as err:  # noqa: BLE001
                yield run, None, f"{type(err).__name__}: {err}"
        return
    from distributed import as_completed

    # Dask runs ready tasks by priority: the runs in the order given (a run listed early
    # goes first once it can), each training just before the first run that needs it
    priority = {run.key: len(pending) - k for k, run in enumerate(pending)}
    for run in reversed(pending):
        if run.training:
            priority[run.training.key] = priority[run.key] + 0.5
    with dask_client(min(workers, len(pending) + len(to_train)), scheduler) as client:
        client.subscribe_topic(PROGRESS_TOPIC, lambda event: meter.session_line(event[1]))
        futures = {}
        for training in to_train:
            future = client.submit(simulate_run, *_payload(training), keep_state=True,
                                   key=f"train-{training.key}", pure=False,
                                   priority=priority[training.key])
            futures[future] = training
            # the tests get the state alone (not the training's tables), once per worker
            trained[training.key] = client.submit(_trained_state, future,
                                                  key=f"state-{training.key}", pure=False,
                                                  priority=priority[training.key])
        stored = {key: client.scatter(state) for key, state in trained.items()
                  if isinstance(state, State)}
        trained.update(stored)
        for run in pending:
            start = trained.get(run.training.key) if run.training else None
            future = client.submit(simulate_run, *_payload(run), None, start, **_start(run),
                                   key=f"run-{run.key}", pure=False, priority=priority[run.key])
            futures[future] = run
        for future in as_completed(futures):
            item = futures[future]
            try:
                yield item, future.result(), None
            except Exception as err:  # noqa: BLE001
                yield item, None, f"{type(err).__name__}: {err}"


def connect(scheduler: str):
    """A Dask client of the scheduler at `scheduler`; ConnectionError naming --scheduler
    if none answers there (or the address is not one)."""
    from distributed import Client

    logging.getLogger("distributed").setLevel(logging.WARNING)  # its connection chatter
    try:
        return Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError, ValueError, TypeError) as err:
        raise ConnectionError(f"--scheduler: cannot reach a Dask scheduler at {scheduler} "
                              f"({err})") from None


@contextmanager
def dask_client(workers: int, scheduler: str | None):
    """A Dask client on `scheduler`, or on a LocalCluster of `workers` processes."""
    import dask
    from distributed import Client, LocalCluster

    from .local_workers import DeafToCtrlC

    # Dask sets its loggers to INFO when first imported; its cluster chatter would reach
    # the console through circuit's handler.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if scheduler is not None:
        with connect(scheduler) as client:
            log.info("circuit: on the Dask cluster at %s (%d workers)", scheduler,
                     len(client.scheduler_info()["workers"]))
            if dask.config.get(DASHBOARD_KEY, None) is not None:
                log.warning("circuit: the cluster's Dask dashboard: %s", client.dashboard_link)
            yield client
        return
    dashboard = dashboard_address()
    # Without a dashboard the scheduler still serves its health and metrics pages, by
    # default on port 8787: a free port instead, so that two experiments at once do not
    # warn about it.
    quiet_http = {} if dashboard is not None else {"dashboard_address": ANY_FREE_PORT}
    # Dask queues tasks without dependencies (a plain run, a training) on the scheduler
    # while the workers are busy, but hands a task whose inputs are ready (a test run
    # after its training) to a worker at once: queued runs would wait behind every test
    # whatever their priority. Without the queue each worker runs what it holds by
    # priority, in the order `_results` asks.
    with dask.config.set({SATURATION_KEY: "inf"}), LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True,
            dashboard_address=dashboard, silence_logs=logging.ERROR,
            scheduler_kwargs=quiet_http) as cluster:
        with Client(cluster) as client:
            client.register_plugin(DeafToCtrlC(), name="circuit-deaf-to-ctrl-c")
            log.debug("circuit: a cluster of %d local worker process%s started", workers,
                      "es" * (workers != 1))
            if dashboard is not None:
                log.warning("circuit: Dask dashboard at %s", client.dashboard_link)
            yield client


def dashboard_address() -> str | None:
    """The dashboard address asked for (`DASHBOARD_KEY`), after checking that Dask can
    serve it (it needs bokeh)."""
    import dask

    address = dask.config.get(DASHBOARD_KEY, None)
    if address is None:
        return None
    try:
        import bokeh  # noqa: F401  (what Dask's dashboard is drawn with)
    except ImportError:
        raise ConnectionError("--dashboard: the Dask dashboard needs bokeh: "
                              "pip install 'circuit[dashboard]'") from None
    return str(address)


class _Meter:
    """A text progress bar over runs, with the time left estimated from the rate so far."""

    def __init__(self, total: int, report):
        self.total, self.done, self.failed = total, 0, 0
        self.started = time.perf_counter()
        self.report = report

    def sessions(self, run):
        """A `run_subject` progress callback: one line per session of `run`."""
        if self.report is None:
            return None

        def report(done: int, count: int, text: str) -> None:
            elapsed = time.perf_counter() - self.started
            self.report(f"{self.done}/{self.total} runs, {_clock(elapsed)} elapsed | "
                        f"{_name(run)} seed {run.seed}: session {done}/{count} {text}")
        return report

    def session_line(self, event: dict) -> None:
        """A session a worker finished (its `_worker_reporter` event)."""
        if self.report is not None:
            elapsed = time.perf_counter() - self.started
            self.report(f"{self.done}/{self.total} runs, {_clock(elapsed)} elapsed | "
                        f"{event['run']}: session {event['done']}/{event['count']} "
                        f"{event['text']}")

    def step(self, run, result: dict | None, error: str | None) -> None:
        self.done += 1
        faulted = result is not None and "fault" in result
        self.failed += error is not None or faulted
        if self.report is None:
            return
        elapsed = time.perf_counter() - self.started
        left = elapsed / self.done * (self.total - self.done)
        filled = round(BAR_WIDTH * self.done / self.total)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        what = ("FAILED" if error is not None else "stopped at a numerical fault" if faulted
                else f"{result['record']['wall_s']:.0f} s")
        failed = f", {self.failed} failed" if self.failed else ""
        self.report(f"[{bar}] {self.done}/{self.total} runs{failed}, {_clock(elapsed)} "
                    f"elapsed, ~{_clock(left)} left | {_name(run)} seed {run.seed}: {what}")


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s"
