"""An experiment from plan to report: the one engine behind ``circuit run`` of a config
with an ``experiment`` block, ``circuit experiment SPEC`` and ``circuit validate``
(docs/experiments.md).

    plan (validate every run) -> execute (Dask) -> runs/<key> -> runs.csv, sessions.csv,
    trials.csv -> stats.csv -> figures -> report.md
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.behaviour import SESSION_COLUMNS, TRIAL_COLUMNS
from ..analysis.report import report_markdown
from ..analysis.statistics import COLUMNS as STATS_COLUMNS
from ..analysis.statistics import contrast_table
from ..config import ConfigError
from ..config.loader import override_texts
from ..config.units import counted
from ..results.experiment import CONFIG, RUNS_CSV, SESSIONS_CSV, SPEC, STATS_CSV, TRIALS_CSV
from ..results.runs import LOCK as LOCK_FILE
from ..results.runs import ExperimentDir
from ..results.store import atomic_write_text, check_writable, new_sibling, replace_dir
from ..results.tables import read_csv, write_csv
from . import execute as _execution
from .execute import execute
from .plan import Plan, plan_config, read_plan, spec_overrides

log = logging.getLogger(__name__)

REPORT, LOG = "report.md", "experiment.log"
#: Columns after the labels and metrics in runs.csv.
RUN_INFO = ("key", "wall_s", "simulate_s", "build_s", "builds", "replays", "compiles",
            "worker", "structure", "start_state")


@dataclass
class ExperimentResult:
    """Where the outputs are and how the invocation went."""

    out: Path
    runs: list
    stats: list
    failed: dict  # key -> error text, numerical faults included
    faults: dict = field(default_factory=dict)  # key -> the fault's record

    @property
    def complete(self) -> bool:
        return not self.failed


def default_workers() -> int:
    """One worker process per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def run_spec(spec: Path, out: Path, workers: int | None = None, scheduler: str | None = None,
             resume: bool = False, overrides=(), progress=None, figures: bool = True,
             overwrite: bool = False) -> ExperimentResult:
    """Validate the spec file `spec`, run what `out` does not hold yet, write every output."""
    plan = read_plan(spec, overrides)  # every run validated before anything runs
    return run_plan(plan, out, workers=workers, scheduler=scheduler, resume=resume,
                    overwrite=overwrite, progress=progress, figures=figures,
                    keep={SPEC: spec_as_run(plan, overrides)})


def spec_as_run(plan: Plan, overrides=()) -> str:
    """The text of the spec `plan` ran: its file as written, or, with --set values, the
    spec they make (its seeds replaced, the rest added to its `set`, its base the
    absolute path of the config the runs read), so that the copy an experiment keeps says
    what ran."""
    import yaml

    text = Path(plan.source).read_text()
    overrides = override_texts(overrides)
    if not overrides:
        return text
    spec = dict(plan.spec)  # its seeds already those --set gave
    if plan.runs:  # the base the runs read, so that the copy runs from wherever it is kept
        spec["base"] = str(Path(plan.runs[0].config.source).resolve())
    added = {}
    for override in spec_overrides(plan.spec, overrides)[1]:  # those not the spec's own
        key, _, value = override.partition("=")
        added[key.strip()] = yaml.safe_load(value)  # read as the runs read it
    if added:
        spec["set"] = {**(spec.get("set") or {}), **added}
    return (f"# {plan.source} run with --set {' --set '.join(map(repr, overrides))}\n"
            + yaml.safe_dump(spec, sort_keys=False))


def run_config(config, out: Path, workers: int | None = None, scheduler: str | None = None,
               resume: bool = False, progress=None, figures: bool = True,
               overwrite: bool = False) -> ExperimentResult:
    """Run a config's experiment block (groups x seeds through its schedule; one subject
    without the block) as an experiment: the same engine and outputs as `run_spec`."""
    import yaml

    plan = plan_config(config)  # every subject's sessions validated first
    block = {"groups": plan.spec["conditions"], "seeds": plan.seeds}
    text = yaml.safe_dump({**config.plain, "experiment": block}, sort_keys=False)
    return run_plan(plan, out, workers=workers, scheduler=scheduler, resume=resume,
                    overwrite=overwrite, progress=progress, figures=figures,
                    keep={CONFIG: text})


def run_plan(plan: Plan, out: Path, *, workers: int | None = None,
             scheduler: str | None = None, resume: bool = False, overwrite: bool = False,
             progress=None, figures: bool = True, keep: dict | None = None) -> ExperimentResult:
    """Run every run of `plan` that `out` does not hold yet and write every output.

    `workers` local Dask worker processes (default one per core; 0: in this process)
    unless `scheduler` names a running Dask scheduler. `resume` finishes the experiment
    `out` holds (the same runs only); `overwrite` builds a new `out` beside the old one
    and swaps it in when it is complete, so the old one survives a failure. `keep`
    ({file name: text}) is written into `out` (the spec or config it came from).
    """
    out = Path(out).absolute()
    workers = default_workers() if workers is None else workers
    if workers < 0:
        raise ConfigError(["--workers: must be 0 or more"])
    if resume and overwrite:
        raise ConfigError(["--resume and --overwrite: choose one (finish the experiment DIR "
                           "holds, or replace it)"])
    taken = out.exists() and (not out.is_dir() or any(out.iterdir()))
    if taken and not (resume or overwrite):
        raise FileExistsError(f"{out} already exists; pass --resume to finish the experiment "
                              "it holds (stored runs are kept), --overwrite to replace it, "
                              "or choose another --out")
    if taken and resume:
        _check_holds_an_experiment(out, keep or {})
    if scheduler is not None:
        _probe(scheduler)  # before anything is written
    elif workers > 0:
        _execution.dashboard_address()  # --dashboard's bokeh, before anything is written
    check_writable(out.parent)
    target = new_sibling(out, "new") if taken and overwrite else out
    with _held_if_experiment(out if target != out else None):
        return _run_into(plan, out, target, workers, scheduler, progress, figures, keep)


@contextmanager
def _held_if_experiment(out: Path | None):
    """Hold the lock of the experiment directory `out` (if it is one) while it is being
    replaced, so that an experiment still writing it is never swapped out under it."""
    if out is None or not (out / LOCK_FILE).exists():
        yield
        return
    with ExperimentDir(out):  # DirectoryBusy if another experiment holds it
        yield


def _run_into(plan: Plan, out: Path, target: Path, workers: int, scheduler, progress,
              figures: bool, keep: dict | None) -> ExperimentResult:
    """Run `plan` into `target` (`out`, or a new sibling that then replaces it)."""
    try:
        with ExperimentDir(target) as store, logged_to(target / LOG):
            _holds_only(store, plan, keep or {})
            for name, text in (keep or {}).items():
                atomic_write_text(target / name, text)
            where = where_it_runs(workers, scheduler)
            log.info("circuit: experiment %s: %s (%s x %s) on %s", plan.source,
                     counted(len({run.key for run in plan.runs}), "run"),
                     counted(len(plan.cells), "condition"), counted(len(plan.seeds), "seed"),
                     where)
            started = time.perf_counter()
            outcome = execute(plan.runs, store, workers, scheduler, progress)
            result = write_outputs(plan, store, target, outcome, started, where, figures)
        if target != out:
            replace_dir(target, out)  # may refuse a recorded stop: the new copy goes too
            result.out = out
    except BaseException:
        if target != out:
            shutil.rmtree(target, ignore_errors=True)
        raise
    return result


def plan_keys(plan: Plan) -> list:
    """Every key the plan stores: its runs and the trainings they start from."""
    return [run.key for run in plan.runs] + [training.key for training in plan.trainings]


def _check_holds_an_experiment(out: Path, keep: dict) -> None:
    """--resume finishes an experiment: `out` must hold one (its runs or its spec)."""
    if not (out / "runs").is_dir() and not any((out / name).is_file() for name in keep):
        raise FileExistsError(f"{out} holds no experiment to resume (no runs/ and no "
                              f"{' or '.join(keep) or 'spec'}); choose another --out")


def _holds_only(store: ExperimentDir, plan: Plan, keep: dict) -> None:
    """The one resume rule: `store` may hold only runs of `plan` (keys are hashes of the
    resolved configs, so a superset of seeds or conditions resumes); a refusal names
    where the stored spec or config differs from the one given now."""
    import yaml

    try:
        store.check_holds_only(plan_keys(plan))
    except FileExistsError as err:
        differing = []
        for name, text in keep.items():
            if (store.root / name).is_file():
                before = yaml.safe_load((store.root / name).read_text())
                differing += differing_keys(before, yaml.safe_load(text))
        if not differing:
            raise
        raise FileExistsError(f"{err}; its {' or '.join(keep)} differs at "
                              f"{', '.join(differing[:8])}{' ...' * (len(differing) > 8)}"
                              ) from None


def differing_keys(a, b, prefix: str = "") -> list:
    """Dotted paths where two plain configs (or specs) differ."""
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return [prefix.rstrip(".") or "<top>"] if a != b else []
    return [key for name in sorted(set(a) | set(b), key=str)
            for key in differing_keys(a.get(name), b.get(name), f"{prefix}{name}.")]


def _probe(scheduler: str) -> None:
    """ConnectionError naming --scheduler unless a Dask scheduler answers there."""
    _execution.connect(scheduler).close()


@contextmanager
def logged_to(path: Path):
    """Within the block, every step of circuit's loggers is also appended to `path`, down
    to each stored run (DEBUG, below the console's level)."""
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger = logging.getLogger("circuit")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)  # the log file gets every step, whatever the console
    try:
        yield
    except KeyboardInterrupt:  # the console says so itself; the log must too
        logger.debug("circuit: interrupted; the runs stored so far are kept (--resume "
                     "finishes the rest)")
        raise
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()


def where_it_runs(workers: int, scheduler: str | None) -> str:
    """Words for the report and log: the cluster, the local processes, or this process."""
    return (f"the Dask cluster at {scheduler}" if scheduler else
            f"{workers} local worker process{'es' * (workers != 1)}" if workers else
            "this process")


def write_outputs(plan: Plan, store: ExperimentDir, out: Path, outcome, started: float,
                  where: str, figures: bool = True) -> ExperimentResult:
    """runs.csv, stats.csv, the figures and report.md of `plan` in `out`, from the runs
    `store` holds; `outcome` (execute's) and `started` (perf_counter) for the report."""
    out.mkdir(parents=True, exist_ok=True)
    runs = run_rows(plan, store)
    write_csv(out / RUNS_CSV, runs, _run_columns(plan))
    tables = combined_tables(plan, store)
    write_csv(out / SESSIONS_CSV, tables["sessions"], SESSION_COLUMNS)
    write_csv(out / TRIALS_CSV, tables["trials"], TRIAL_COLUMNS)
    stats = contrast_table(runs, plan.contrasts, plan.metrics, plan.sweep_keys, plan.design)
    write_csv(out / STATS_CSV, stats, dict.fromkeys(  # each column once, contrast first
        ("contrast", "condition_a", "condition_b", *plan.sweep_keys, *STATS_COLUMNS)))
    paths = []
    if figures and runs:
        from ..plotting.experiment_figures import make_experiment_figures

        conditions = list(dict.fromkeys(cell.condition for cell in plan.cells))
        paths = make_experiment_figures(runs, conditions, plan.metrics, plan.sweep,
                                        out / "figures")
    if figures and tables["sessions"]:
        from ..plotting.behaviour_figures import make_behaviour_figures

        paths += make_behaviour_figures(tables, out / "figures")
    now = [run for run in runs if run["key"] in set(outcome.finished)]
    trainings = {training.key for training in plan.trainings}
    execution = {"finished": len(set(outcome.finished) - trainings),
                 "trained": len(set(outcome.finished) & trainings),
                 "reused": len(set(outcome.reused)),
                 "failed": len(outcome.failed),
                 "builds": sum(run["builds"] for run in now),
                 "replays": sum(run["replays"] for run in now),
                 "compiles": sum(run["compiles"] for run in now),
                 "structures": len({run["structure"] for run in runs}),
                 "wall_s": time.perf_counter() - started, "where": where}
    atomic_write_text(out / REPORT, report_markdown(plan, runs, stats, paths, execution, out))
    log.info("circuit: %d runs simulated, %d reused, %d failed; %d network builds, %d "
             "compiles, %d replayed builds; wrote %s", execution["finished"],
             execution["reused"], execution["failed"], execution["builds"],
             execution["compiles"], execution["replays"], out)
    return ExperimentResult(out, runs, stats, outcome.failed, outcome.faults)


def run_rows(plan: Plan, store: ExperimentDir) -> list:
    """One row per stored run of the plan, in plan order: labels, metrics, run info.

    Labels come from the plan (the spec's own values), metrics from the stored record.
    Two cells that resolve to one config share the run.
    """
    rows = []
    for run in plan.runs:
        if not store.done(run.key):
            continue
        record = store.read(run.key)
        rows.append({**run.labels, "cell": run.cell.name,
                     **{metric: record.get(metric, float("nan")) for metric in plan.metrics},
                     **{name: record.get(name) for name in RUN_INFO}})
    return rows


def combined_tables(plan: Plan, store: ExperimentDir) -> dict:
    """Every stored run's sessions and trials, in plan order, as one table each."""
    tables: dict = {"sessions": [], "trials": []}
    for key in dict.fromkeys(run.key for run in plan.runs):
        if store.done(key):
            tables["sessions"] += read_csv(store.folder(key) / SESSIONS_CSV)
            tables["trials"] += read_csv(store.folder(key) / TRIALS_CSV)
    return tables


def _run_columns(plan: Plan) -> tuple:
    return ("condition", *plan.sweep_keys, "seed", "cell", *plan.metrics, *RUN_INFO)
