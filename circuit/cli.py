"""The `circuit` command: a thin layer over the Python API.

    circuit run CONFIG --out DIR [--set key=value ...] [--seed N] [--overwrite]
                       [--restore RUN_DIR]          start from an earlier session's state
                       [--resume]                   finish an interrupted experiment
    circuit experiment SPEC --out DIR [--workers N | --scheduler ADDRESS] [--resume]
                                                    conditions x seeds, statistics, report
    circuit validate --out DIR [--quick] [--workers N | --scheduler ADDRESS] [--resume]
                                                    the literature scorecard (SCIENCE.md 5)
    circuit check CONFIG [--set key=value ...]      validate and print the resolved config
    circuit plasticity SPEC --out DIR [--config CONFIG] [--set ...]   the plasticity bench
"""

from __future__ import annotations

import argparse
import errno
import logging
import signal
import sys
import time
from pathlib import Path

from .config import ConfigError, load_config
from .results.runs import DirectoryBusy
from .results.state import StateError
from .running.watchdog import NumericalFault, NumericalFaults

log = logging.getLogger("circuit")

#: Exit statuses: bad input, output taken, numerical fault, output not writable, and
#: interrupted (128 + SIGINT, as a shell reports it).
BAD_INPUT, OUTPUT_TAKEN, FAULT, NOT_WRITABLE, INTERRUPTED = 2, 3, 4, 5, 130
#: OSErrors that mean the output cannot be written (rather than a bug).
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS,
                 errno.ENOTDIR, errno.EISDIR, errno.EFBIG}


def main(argv=None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    level = logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
    for handler in logging.getLogger().handlers:  # the console, whatever loggers log to files
        handler.setLevel(level)
    logging.getLogger("distributed").setLevel(logging.WARNING)  # Dask's start-up chatter
    _quiet_brian()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return args.command(args)
    except (ConfigError, StateError, ConnectionError) as err:
        return _fail(BAD_INPUT, err)
    except (FileExistsError, DirectoryBusy) as err:
        return _fail(OUTPUT_TAKEN, err)
    except (NumericalFault, NumericalFaults) as err:
        return _fail(FAULT, err)
    except OSError as err:
        if err.errno not in _WRITE_ERRNOS:
            raise
        return _fail(NOT_WRITABLE, f"cannot write {err.filename or 'the output'}: "
                                   f"{err.strerror}; nothing half-written was left")
    except KeyboardInterrupt:
        return _fail(INTERRUPTED, "interrupted; nothing was written")
    finally:
        signal.signal(signal.SIGTERM, previous)


def _fail(status: int, message) -> int:
    print(f"circuit: {message}", file=sys.stderr)
    return status


def _interrupted(what: str, folder: Path) -> int:
    """Exit 130, saying where the finished work is kept."""
    return _fail(INTERRUPTED, f"interrupted; the {what} that finished are stored in {folder}: "
                              "rerun with --resume to finish")


def _interrupt(signum, frame):
    """SIGTERM (a scheduler ending the job, `kill`) stops the work as Ctrl-C does."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="circuit",
        description="Simulate the mesolimbic DA/OXT circuit (Brian2).")
    parser.add_argument("--quiet", "-q", action="store_true", help="only print errors")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run a config's protocol and write data, summary and figures",
        description="Run CONFIG and write the results directory (docs/outputs.md): a "
                    "behavioural experiment (groups x seeds through behaviour.schedule, as "
                    "in configs/default.yaml; docs/behaviour.md) or one session of its "
                    "protocol (configs/challenge.yaml: baseline, cocaine challenge, "
                    "washout).")
    _config_arguments(run)
    run.add_argument("--out", required=True, type=Path, metavar="DIR",
                     help="results directory to create")
    run.add_argument("--seed", type=int, help="master seed (replaces simulation.seed)")
    run.add_argument("--overwrite", action="store_true",
                     help="replace DIR if it exists (it is swapped in atomically)")
    run.add_argument("--no-figures", action="store_true", help="skip the figures")
    run.add_argument("--resume", action="store_true",
                     help="behavioural experiments: keep the subjects DIR already holds and "
                          "run the rest")
    run.add_argument("--workers", type=int, default=1, metavar="N",
                     help="behavioural experiments: run N subjects at once in local worker "
                          "processes (default 1; the tables do not depend on N)")
    run.add_argument("--restore", type=Path, metavar="RUN_DIR",
                     help="start from the slow state (plastic weights, VTA potentiation) "
                          "saved by an earlier run of the same seed and network "
                          "(RUN_DIR/state.npz); give the new session its own "
                          "--set simulation.session=N for fresh input noise")
    run.add_argument("--elapsed", default="0 s", metavar="DURATION",
                     help="time since the restored session, e.g. '1 day': the VTA input "
                          "potentiation decays over it (plasticity.vta.tau_decay)")
    run.set_defaults(command=_run)

    experiment = commands.add_parser(
        "experiment", help="test a hypothesis: conditions (and sweeps) x seeds, with "
                           "statistics and a report",
        description="Run every condition x sweep point x seed of SPEC (docs/experiments.md) "
                    "and write DIR/runs.csv, DIR/stats.csv (contrasts: Hedges' g, "
                    "bootstrap CI, Welch and Mann-Whitney tests, Benjamini-Hochberg), "
                    "DIR/report.md and DIR/figures/. Every run is validated first; each "
                    "finished run is stored under its key at once.")
    experiment.add_argument("spec", type=Path, metavar="SPEC", help="YAML experiment spec")
    experiment.add_argument("--out", required=True, type=Path, metavar="DIR",
                            help="experiment directory to create (or finish, with --resume)")
    _runner_arguments(experiment)
    experiment.add_argument("--no-figures", action="store_true", help="skip the figures")
    experiment.set_defaults(command=_experiment)

    validate = commands.add_parser(
        "validate", help="score the model against the literature findings (SCIENCE.md 5)",
        description="Run every experiment spec of validation/findings.yaml, test each "
                    "finding (direction, significance after correction, magnitude where "
                    "the literature gives one) and write DIR/scorecard.md, "
                    "DIR/scorecard.json and DIR/figures/ (docs/validation.md).")
    validate.add_argument("--out", required=True, type=Path, metavar="DIR",
                          help="validation directory to create (or finish, with --resume)")
    validate.add_argument("--quick", action="store_true",
                          help="a reduced network, two seeds, one session per phase: "
                               "checks the machinery in minutes, not the science")
    _runner_arguments(validate)
    validate.set_defaults(command=_validate)

    check = commands.add_parser(
        "check", help="validate a config and print it resolved",
        description="Validate CONFIG with its overrides, without simulating, and print the "
                    "resolved config as YAML.")
    _config_arguments(check)
    check.set_defaults(command=_check)

    bench = commands.add_parser(
        "plasticity", help="drive afferent->MSN synapses with given spikes, DA and OXT",
        description="Run a plasticity-bench SPEC (an in-silico slice experiment: pre and "
                    "post spike times and the DA/OXT each synapse sees; see "
                    "docs/plasticity.md) and write weights.csv, traces.csv, summary.csv "
                    "and figures/bench.png to DIR.")
    bench.add_argument("spec", type=Path, metavar="SPEC", help="YAML bench spec")
    bench.add_argument("--out", required=True, type=Path, metavar="DIR")
    bench.add_argument("--config", type=Path, default=Path("configs/challenge.yaml"),
                       help="model config giving the rule and receptors "
                            "(default: configs/challenge.yaml)")
    bench.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       dest="overrides", help="override a config value (repeatable)")
    bench.add_argument("--overwrite", action="store_true", help="replace DIR if it exists")
    bench.set_defaults(command=_plasticity)
    return parser


def _runner_arguments(parser) -> None:
    """Where the runs go (--workers | --scheduler), --resume and --set."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N",
                       help="local Dask worker processes (default: one per core; 0 runs "
                            "everything in this process, without Dask)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on an existing Dask cluster, e.g. tcp://host:8786 "
                            "(docs/experiments.md: SLURM with dask-jobqueue)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the runs DIR already holds and run the rest")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        dest="overrides", help="override a config value in every run "
                                               "(repeatable)")


def _config_arguments(parser) -> None:
    parser.add_argument("config", type=Path, metavar="CONFIG", help="YAML config file")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        dest="overrides",
                        help="override a config value, e.g. --set network.scale=0.5 "
                             "(repeatable; values with units in quotes: 'tau=20 ms')")


def _run(args) -> int:
    from .analysis.summary import write_summary
    from .plotting import make_run_figures
    from .results import save
    from .results.store import check_writable
    from .running.simulate import run
    from .running.watchdog import write_fault

    if args.workers < 1:
        raise ConfigError(["--workers: must be 1 or more"])
    config = load_config(args.config, args.overrides, seed=args.seed)
    if config.experiment is not None or config["behaviour"]["schedule"]:
        return _run_experiment(args, config)
    state = _restored_state(args, config)
    out = args.out.absolute()
    if out.exists() and any(out.iterdir()) and not args.overwrite:
        raise FileExistsError(f"{out} already exists; pass --overwrite to replace it")
    check_writable(out.parent)  # where the results are written before renamed to DIR
    started = time.perf_counter()
    log.info("circuit: running %s (seed %s, %s)", args.config, config["simulation"]["seed"],
             config["simulation"]["device"])
    try:
        results = run(config, progress=not args.quiet, state=state)
    except NumericalFault as fault:  # keep what was simulated up to the fault
        fault.saved_in = out
        save(fault.partial, out, overwrite=args.overwrite,
             extras=lambda directory: write_fault(fault, directory))
        raise

    def derived(directory: Path) -> None:
        write_summary(results, directory)
        if not args.no_figures:
            make_run_figures(results, directory / "figures")

    save(results, out, overwrite=args.overwrite, extras=derived)
    log.info("circuit: wrote %s in %.1f s", out, time.perf_counter() - started)
    return 0


def _run_experiment(args, config) -> int:
    """A behavioural experiment: groups x seeds through the schedule (docs/behaviour.md)."""
    import shutil

    import yaml

    from .plotting.behaviour_figures import make_behaviour_figures
    from .results.store import atomic_write_bytes, check_writable
    from .running.experiment import run_experiment, subjects

    everyone = subjects(config)  # validates every subject's sessions first
    out = args.out.absolute()
    text = yaml.safe_dump({**config.plain, "experiment": config.experiment}, sort_keys=False)
    if out.exists() and any(out.iterdir()):
        if args.resume:
            _check_same_experiment(out / "config.yaml", text)
        elif args.overwrite:
            shutil.rmtree(out)
        else:
            raise FileExistsError(f"{out} already exists; pass --resume to finish it or "
                                  "--overwrite to replace it")
    check_writable(out)
    started = time.perf_counter()
    log.info("circuit: experiment %s: %d subjects x %d sessions", args.config, len(everyone),
             len(config["behaviour"]["schedule"]))
    atomic_write_bytes(out / "config.yaml", text.encode())
    faults = None
    try:
        try:
            tables = run_experiment(config, out, progress=not args.quiet,
                                    workers=args.workers)
        except NumericalFaults as err:  # figures of the subjects that finished, then exit 4
            faults, tables = err, err.tables
        if not args.no_figures and tables["subjects"]:
            make_behaviour_figures(tables, out / "figures")
    except KeyboardInterrupt:
        return _interrupted("subjects", out / "subjects")
    if faults is not None:
        raise faults
    log.info("circuit: wrote %s in %.1f s", out, time.perf_counter() - started)
    return 0


def _check_same_experiment(stored: Path, text: str) -> None:
    """--resume finishes the experiment DIR holds, never mixes in another config's."""
    import yaml

    if not stored.is_file():
        raise FileExistsError(f"{stored.parent} holds no experiment to resume "
                              f"({stored.name} is missing); choose another --out")
    before, now = yaml.safe_load(stored.read_text()), yaml.safe_load(text)
    if before != now:
        keys = sorted(_differing_keys(before, now))
        raise FileExistsError(
            f"{stored.parent} holds an experiment with another config (differing: "
            f"{', '.join(keys[:8])}{' ...' * (len(keys) > 8)}); --resume would mix their "
            "subjects: rerun with the same config and --set values, or choose another --out")


def _differing_keys(a, b, prefix: str = "") -> list:
    """Dotted paths where two plain configs differ."""
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return [prefix.rstrip(".") or "<top>"] if a != b else []
    return [key for name in sorted(set(a) | set(b), key=str)
            for key in _differing_keys(a.get(name), b.get(name), f"{prefix}{name}.")]


def _experiment(args) -> int:
    """A hypothesis experiment (docs/experiments.md); exit 1 if any run failed."""
    from .experiments import run_spec

    if args.workers is not None and args.workers < 0:
        raise ConfigError(["--workers: must be 0 or more"])
    try:
        result = run_spec(args.spec, args.out, workers=args.workers, scheduler=args.scheduler,
                          resume=args.resume, overrides=args.overrides,
                          progress=None if args.quiet else _progress_line,
                          figures=not args.no_figures)
    except KeyboardInterrupt:
        return _interrupted("runs", args.out / "runs")
    if not result.complete:
        print(f"circuit: {len(result.failed)} runs failed (see {result.out}/experiment.log); "
              "rerun with --resume to retry them", file=sys.stderr)
        return 1
    return 0


def _validate(args) -> int:
    """The validation scorecard (docs/validation.md); exit 1 if any run failed."""
    from .validation import run_validation

    if args.workers is not None and args.workers < 0:
        raise ConfigError(["--workers: must be 0 or more"])
    try:
        card = run_validation(args.out, quick=args.quick, workers=args.workers,
                              scheduler=args.scheduler, resume=args.resume,
                              overrides=args.overrides,
                              progress=None if args.quiet else _progress_line)
    except KeyboardInterrupt:
        return _interrupted("runs", args.out / "runs")
    log.info("circuit: %d of %d findings reproduced%s; scorecard in %s", card.passed,
             len(card.findings), " (--quick: machinery only)" * card.quick,
             card.out / "scorecard.md")
    if card.failed:
        print(f"circuit: {len(card.failed)} runs failed (see {card.out}/validation.log); "
              "rerun with --resume to retry them", file=sys.stderr)
        return 1
    return 0


def _progress_line(text: str) -> None:
    print(f"circuit: {text}", flush=True)


def _restored_state(args, config):
    """The state named by --restore, aged by --elapsed (None without --restore)."""
    from .config.units import UnitError, parse_quantity
    from .results import read_state

    try:
        elapsed = float(parse_quantity(args.elapsed, "s"))
    except UnitError as err:
        raise ConfigError([f"--elapsed: {err}"]) from err
    if elapsed < 0:
        raise ConfigError([f"--elapsed: must not be negative, got {args.elapsed!r}"])
    if not args.restore:
        return None
    tau = float(config["plasticity"]["vta"]["tau_decay"])
    return read_state(args.restore).aged(elapsed, tau)


def _plasticity(args) -> int:

    from .config.loader import read_yaml
    from .plotting.bench_figures import make_bench_figure
    from .protocols.slice import parse_bench
    from .results import atomic_directory
    from .results.bench import write_bench
    from .running.bench import run_bench
    from .running.provenance import provenance

    spec = read_yaml(args.spec)
    bench = parse_bench(spec)
    config = load_config(args.config, [*bench.overrides, *args.overrides])
    started = time.perf_counter()
    with atomic_directory(args.out, overwrite=args.overwrite) as directory:
        log.info("circuit: plasticity bench %s (%d synapses, %s cells)", args.spec,
                 len(bench.synapses), bench.cell)
        result = run_bench(bench, config)
        write_bench(result, directory, spec, config.plain, provenance(config, started, {}))
        make_bench_figure(result, directory / "figures")
    log.info("circuit: wrote %s", args.out)
    return 0


def _check(args) -> int:
    config = load_config(args.config, args.overrides)
    print(config.to_yaml(), end="")
    return 0


def _quiet_brian() -> None:
    """Keep Brian2's INFO chatter (integration methods, caches) off the console."""
    from brian2 import prefs  # noqa: F401  (imports brian2's logging setup)

    logging.getLogger("brian2").setLevel(logging.WARNING)
    logging.getLogger("distributed").setLevel(logging.WARNING)  # Dask's cluster chatter
    from brian2.utils.logger import BrianLogger

    BrianLogger.console_handler.setLevel(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
