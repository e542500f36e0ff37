"""A hypothesis experiment from spec to report: the layer over running, analysis and
plotting that ``circuit experiment`` calls (docs/experiments.md).

    plan (validate every run) -> execute (Dask) -> runs.csv -> stats.csv -> figures -> report.md
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .analysis.report import report_markdown
from .analysis.statistics import COLUMNS as STATS_COLUMNS
from .analysis.statistics import contrast_table
from .results.runs import ExperimentDir
from .results.store import atomic_write_text
from .results.tables import write_csv
from .running.execute import execute
from .running.plan import Plan, read_plan

log = logging.getLogger(__name__)

RUNS_CSV, STATS_CSV, REPORT, LOG, SPEC = ("runs.csv", "stats.csv", "report.md",
                                          "experiment.log", "spec.yaml")
#: Columns after the labels and metrics in runs.csv.
RUN_INFO = ("key", "wall_s", "simulate_s", "build_s", "builds", "replays", "compiles",
            "worker", "structure")


@dataclass
class ExperimentResult:
    """Where the outputs are and how the invocation went."""

    out: Path
    runs: list
    stats: list
    failed: dict

    @property
    def complete(self) -> bool:
        return not self.failed


def default_workers() -> int:
    """One worker process per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def run_spec(spec: Path, out: Path, workers: int | None = None, scheduler: str | None = None,
             resume: bool = False, overrides=(), progress=None,
             figures: bool = True) -> ExperimentResult:
    """Validate `spec`, run what `out` does not hold yet, and write every output."""
    plan = read_plan(spec, overrides)  # every run validated before anything runs
    out = Path(out).absolute()
    if out.exists() and any(out.iterdir()) and not resume:
        raise FileExistsError(f"{out} already exists; pass --resume to finish the experiment "
                              "it holds (stored runs are kept) or choose another --out")
    workers = default_workers() if workers is None else workers
    with ExperimentDir(out) as store, logged_to(out / LOG):
        store.check_holds_only(run.key for run in plan.runs)
        return _run(plan, spec, store, workers, scheduler, progress, figures)


@contextmanager
def logged_to(path: Path):
    """Within the block, every step of circuit's loggers is also appended to `path`."""
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger = logging.getLogger("circuit")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)  # the log file gets every step, whatever the console
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()


def where_it_runs(workers: int, scheduler: str | None) -> str:
    """Words for the report and log: the cluster, the local processes, or this process."""
    return (f"the Dask cluster at {scheduler}" if scheduler else
            f"{workers} local worker process{'es' * (workers != 1)}" if workers else
            "this process")


def _run(plan: Plan, spec: Path, store: ExperimentDir, workers, scheduler, progress,
         figures) -> ExperimentResult:
    out = store.root
    atomic_write_text(out / SPEC, Path(spec).read_text())
    where = where_it_runs(workers, scheduler)
    log.info("circuit: experiment %s: %d runs (%d cells x %d seeds) on %s", spec,
             len(plan.runs), len(plan.cells), len(plan.seeds), where)
    started = time.perf_counter()
    outcome = execute(plan.runs, store, workers, scheduler, progress)
    return write_outputs(plan, store, out, outcome, started, where, figures)


def write_outputs(plan: Plan, store: ExperimentDir, out: Path, outcome, started: float,
                  where: str, figures: bool = True) -> ExperimentResult:
    """runs.csv, stats.csv, the figures and report.md of `plan` in `out`, from the runs
    `store` holds; `outcome` (execute's) and `started` (perf_counter) for the report."""
    out.mkdir(parents=True, exist_ok=True)
    runs = run_rows(plan, store)
    write_csv(out / RUNS_CSV, runs, _run_columns(plan))
    stats = contrast_table(runs, plan.contrasts, plan.metrics, plan.sweep_keys)
    write_csv(out / STATS_CSV, stats,
              ("contrast", "condition_a", "condition_b", *plan.sweep_keys, *STATS_COLUMNS))
    paths = []
    if figures and runs:
        from .plotting.experiment_figures import make_experiment_figures

        conditions = list(dict.fromkeys(cell.condition for cell in plan.cells))
        paths = make_experiment_figures(runs, conditions, plan.metrics, plan.sweep,
                                        out / "figures")
    now = [run for run in runs if run["key"] in set(outcome.finished)]
    execution = {"finished": len(outcome.finished), "reused": len(set(outcome.reused)),
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
    return ExperimentResult(out, runs, stats, outcome.failed)


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


def _run_columns(plan: Plan) -> tuple:
    return ("condition", *plan.sweep_keys, "seed", "cell", *plan.metrics, *RUN_INFO)
