"""The `circuit` command: a thin layer over the Python API.

    circuit run CONFIG --out DIR [--set key=value ...] [--seed N] [--overwrite]
                       [--restore RUN_DIR]          a single run from an earlier state
                       [--workers N | --scheduler ADDRESS] [--resume]
                                                    a behavioural experiment (groups x seeds)
    circuit experiment SPEC --out DIR [--workers N | --scheduler ADDRESS] [--resume]
                                                    conditions x seeds, statistics, report
    circuit validate --out DIR [--quick] [--workers N | --scheduler ADDRESS] [--resume]
                                                    the literature scorecard (validation/findings.yaml)
    circuit validate --out DIR --status [--findings IDS]   how far a scorecard has got
    circuit check CONFIG [--set key=value ...]      validate and print the resolved config (or a spec's plan)
    circuit plasticity SPEC --out DIR [--config CONFIG] [--set ...]   the plasticity bench
    circuit export DIR --nwb FILE [--overwrite]     a run directory as an NWB file
    circuit plot DIR [--formats png,pdf,svg]        redraw a results directory's figures
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import os
import select
import signal
import sys
import time
from pathlib import Path

import yaml

from . import interrupts
from .config import ConfigError, load_config
from .config.units import counted
from .resources import packaged_configs
from .results.runs import DirectoryBusy
from .results.state import StateError
from .results.store import OutputNotWritable
from .running.watchdog import NumericalFault

log = logging.getLogger("circuit")

#: Exit statuses: bad input, output taken, numerical fault, output not writable, and
#: interrupted (128 + SIGINT, as a shell reports it).
BAD_INPUT, OUTPUT_TAKEN, FAULT, NOT_WRITABLE, INTERRUPTED = 2, 3, 4, 5, 130
#: The reader of the output went away (`circuit ... | head`): 128 + SIGPIPE (13, POSIX),
#: as a shell reports a command that a closed pipe stopped.
READER_GONE = 141
#: Where --dashboard serves the Dask dashboard unless given an address (Dask's default).
DASHBOARD_ADDRESS = ":8787"
#: Signals that stop a command, leaving what finished and nothing half-written.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
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
    interrupts.clear()
    previous = {signum: signal.signal(signum, _interrupt) for signum in STOP_SIGNALS
                if signal.getsignal(signum) is not signal.SIG_IGN}  # nohup'd, `&` in a script
    try:
        with _dask_settings(args):
            return args.command(args)
    except BrokenPipeError as err:  # a ConnectionError, but no fault of the input
        if not _stdout_closed():
            return _fail(BAD_INPUT, err)  # another pipe: a worker's, a socket
        _discard_stdout()
        return READER_GONE
    except (ConfigError, StateError, ConnectionError) as err:
        return _fail(BAD_INPUT, err)
    except (FileExistsError, DirectoryBusy) as err:
        return _fail(OUTPUT_TAKEN, err)
    except NumericalFault as err:
        return _fail(FAULT, err)
    except OSError as err:
        if err.errno not in _WRITE_ERRNOS and not isinstance(err, OutputNotWritable):
            raise
        return _fail(NOT_WRITABLE, f"cannot write {err.filename or 'the output'}: "
                                   f"{err.strerror}; nothing half-written was left")
    except KeyboardInterrupt:
        return _fail(INTERRUPTED, "interrupted; nothing was written")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        interrupts.clear()  # a library call after this command writes again


def _dask_settings(args):
    """The Dask config a command's flags ask for (--dashboard), for its duration."""
    if getattr(args, "dashboard", None) is None:
        return contextlib.nullcontext()
    import dask

    from .experiments.execute import DASHBOARD_KEY

    return dask.config.set({DASHBOARD_KEY: args.dashboard})


def _version() -> str:
    """'circuit X (Brian2 Y, Python Z)'; Brian2's version read without importing it."""
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__

    try:
        brian = version("brian2")
    except PackageNotFoundError:
        brian = "not installed"
    return f"circuit {__version__} (Brian2 {brian}, Python {sys.version.split()[0]})"


def _stdout_closed() -> bool:
    """Whether stdout's reader has gone: its descriptor reports an error (a pipe with no
    reader left), or, where that cannot be asked, a flush into it breaks."""
    try:
        descriptor = sys.stdout.fileno()
        poller = select.poll()
    except (AttributeError, OSError, ValueError):  # a replaced stdout; no poll (Windows)
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            return True
        except (OSError, ValueError):
            pass
        return False
    poller.register(descriptor, select.POLLOUT)
    return any(events & select.POLLERR for _, events in poller.poll(0))


def _discard_stdout():
    """Point stdout at /dev/null, so that the interpreter's last flush into the closed
    pipe does not print a second error."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # a replaced stdout (tests, notebooks)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


def _fail(status: int, message) -> int:
    print(f"circuit: {message}", file=sys.stderr)
    return status


def _interrupted(what: str, folder: Path) -> int:
    """Exit 130, saying where the finished work is kept (or that none finished)."""
    if not (folder.is_dir() and any(folder.iterdir())):
        return _fail(INTERRUPTED, f"interrupted before any of the {what} finished; nothing "
                                  "was stored: rerun with --resume to start them again")
    return _fail(INTERRUPTED, f"interrupted; the {what} that finished are stored in {folder}: "
                              "rerun with --resume to finish")


def _interrupt(signum, frame):
    """SIGTERM (a scheduler ending the job, `kill`) stops the work as Ctrl-C does; the
    request is recorded too, so that one raised where Python swallows exceptions still
    stops the command before it writes (`circuit.interrupts`)."""
    interrupts.request(signum)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="circuit",
        description="Simulate the mesolimbic DA/OXT circuit (Brian2).")
    parser.add_argument("--quiet", "-q", action="store_true", help="only print errors")
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    _add = commands.add_parser

    def add_parser(*args, **kwargs):  # every command also takes -q after its name
        sub = _add(*args, **kwargs)
        sub.add_argument("--quiet", "-q", action="store_true", default=argparse.SUPPRESS,
                         help="only print errors")
        return sub
    commands.add_parser = add_parser

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
    run.add_argument("--seed", type=int,
                     help="master seed (replaces simulation.seed; refused for a config whose "
                          "experiment block names its seeds)")
    run.add_argument("--overwrite", action="store_true",
                     help="replace DIR if it exists: the new one is built beside it and "
                          "swapped in when complete")
    run.add_argument("--no-figures", action="store_true", help="skip the figures")
    _runner_arguments(run, overrides=False)
    run.add_argument("--restore", type=Path, metavar="RUN_DIR",
                     help="single runs: start from the slow state (plastic weights, VTA "
                          "potentiation) saved by an earlier run of the same seed and network "
                          "(RUN_DIR/state.npz); give the new session its own "
                          "--set simulation.session=N for fresh input noise")
    run.add_argument("--elapsed", default="0 s", metavar="DURATION",
                     help="single runs, with --restore: time since the restored session, "
                          "e.g. '1 day': the VTA input potentiation decays over it "
                          "(plasticity.vta.tau_decay)")
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
    experiment.add_argument("--overwrite", action="store_true",
                            help="replace DIR if it exists: the new one is built beside it "
                                 "and swapped in when complete")
    experiment.add_argument("--no-figures", action="store_true", help="skip the figures")
    experiment.set_defaults(command=_experiment)

    validate = commands.add_parser(
        "validate", help="score the model against the literature findings (validation/findings.yaml)",
        description="Run every experiment spec of validation/findings.yaml, test each "
                    "finding (direction, significance after correction, magnitude where "
                    "the literature gives one) and write DIR/scorecard.md, "
                    "DIR/scorecard.json and DIR/figures/ (docs/validation.md).")
    validate.add_argument("--out", required=True, type=Path, metavar="DIR",
                          help="validation directory to create (or finish, with --resume)")
    validate.add_argument("--quick", action="store_true",
                          help="a reduced network, two seeds, one session per phase: "
                               "checks the machinery in minutes, not the science")
    validate.add_argument("--findings", type=_finding_ids, metavar="IDS",
                          help="run and score these findings only, e.g. 2,4,7 (a partial "
                               "scorecard; its runs count towards the full one in DIR)")
    validate.add_argument("--sensitivity", action="store_true",
                          help="with --findings: also run the heteromer-fold sensitivity")
    validate.add_argument("--merge", nargs="+", type=Path, metavar="PART",
                          help="simulate nothing: merge partial scorecards of one model "
                               "(scorecard.json files, or directories holding one) into "
                               "the scorecard of DIR, judged together")
    validate.add_argument("--status", action="store_true",
                          help="simulate nothing: print how far DIR has got (stored runs "
                               "per spec against the plan, worker-hours left); safe while "
                               "a validation is writing to DIR")
    _runner_arguments(validate)
    validate.set_defaults(command=_validate)

    check = commands.add_parser(
        "check", help="validate a config (or an experiment spec) and print it resolved",
        description="Validate CONFIG with its overrides, without simulating, and print the "
                    "resolved config as YAML (with its experiment block, if any); for an "
                    "experiment spec, validate every run it resolves and print its plan.")
    _config_arguments(check)
    check.set_defaults(command=_check)

    bench = commands.add_parser(
        "plasticity", help="drive afferent->MSN synapses with given spikes, DA and OXT",
        description="Run a plasticity-bench SPEC (an in-silico slice experiment: pre and "
                    "post spike times and the DA/OXT each synapse sees; see "
                    "docs/plasticity.md) and write weights.csv, traces.csv, summary.csv "
                    "and figures/bench.png to DIR.")
    bench.add_argument("spec", type=Path, metavar="SPEC", help="YAML bench spec")
    bench.add_argument("--out", required=True, type=Path, metavar="DIR",
                       help="results directory to create")
    bench.add_argument("--config", type=Path, default=Path("configs/challenge.yaml"),
                       help="model config giving the rule and receptors "
                            "(default: configs/challenge.yaml)")
    bench.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       dest="overrides", help="override a config value (repeatable)")
    bench.add_argument("--overwrite", action="store_true", help="replace DIR if it exists")
    bench.set_defaults(command=_plasticity)

    export = commands.add_parser(
        "export", help="write a run directory as an NWB file",
        description="Write the run directory DIR (a single run, or a recorded session of "
                    "a behavioural run: DIR/runs/<key>/sessions/<NN>-<protocol>) as an NWB "
                    "file: units, population rates, traces, phases and trials "
                    "(docs/outputs.md, 'Export: NWB and Neo'). Needs "
                    "pip install 'circuit[nwb]'.")
    export.add_argument("run", type=Path, metavar="DIR", help="run directory to export")
    export.add_argument("--nwb", required=True, type=Path, metavar="FILE",
                        help="NWB file to write")
    export.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    export.set_defaults(command=_export)

    plot = commands.add_parser(
        "plot", help="redraw the figures of a results directory (no simulation)",
        description="Redraw the figures of DIR from its stored data into DIR/figures and "
                    "print the files written: a run directory (the run figures), an "
                    "experiment directory (runs.csv: the experiment and behaviour figures) "
                    "or a validation directory (the scorecard figures, from its stored "
                    "runs scored again, and each of its experiments). Exit status 2 if DIR "
                    "is none of these, or lacks what its figures are drawn from.")
    plot.add_argument("directory", type=Path, metavar="DIR", help="results directory")
    plot.add_argument("--formats", default="png,pdf,svg", type=_figure_formats,
                      metavar="LIST", help="comma-separated figure formats among png, pdf, "
                                           "svg (default: all three)")
    plot.set_defaults(command=_plot)
    return parser


def _figure_formats(text: str) -> tuple:
    from .plotting.redraw import parse_formats

    try:
        return parse_formats(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def _runner_arguments(parser, overrides: bool = True) -> None:
    """Where the runs go (--workers | --scheduler), --resume and (with `overrides`) --set."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N",
                       help="local Dask worker processes (default: one per core; 0 runs "
                            "everything in this process, without Dask); with --scheduler, "
                            "--resume and --dashboard, for experiments only (a single "
                            "session runs in this process)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on an existing Dask cluster, e.g. tcp://host:8786 "
                            "(docs/experiments.md: SLURM with dask-jobqueue)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the runs DIR already holds and run the rest")
    parser.add_argument("--dashboard", nargs="?", const=DASHBOARD_ADDRESS, metavar="ADDRESS",
                        help="serve the Dask dashboard of the local workers and print its "
                             f"address (default {DASHBOARD_ADDRESS}; needs circuit[dashboard])")
    if not overrides:
        return
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        dest="overrides", help="override a config value in every run "
                                               "(repeatable); for a spec, --set 'seeds=[1, 2]' "
                                               "replaces its seeds")


def _config_arguments(parser) -> None:
    parser.add_argument("config", type=Path, metavar="CONFIG",
                        help="YAML config file, or one of circuit's own by name: "
                             f"{', '.join(packaged_configs())}")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        dest="overrides",
                        help="override a config value, e.g. --set network.scale=0.5 "
                             "(repeatable; values with units in quotes: "
                             "--set 'synapses.tau_ampa=5 ms')")


def _run(args) -> int:
    config = load_config(args.config, args.overrides, seed=args.seed)
    if config.experiment is not None or config["behaviour"]["schedule"]:
        return _run_experiment(args, config)
    if args.workers in (0, 1):  # what a single run does anyway: one command for any config
        args.workers = None
    _refuse(args, {"resume": "a single run has nothing to resume; it is written whole or "
                             "not at all",
                   "workers": "a single run simulates in one process, this one",
                   "scheduler": "a single run simulates in this process",
                   "dashboard": "a single run simulates in this process, without Dask"},
            "for a config without a behaviour.schedule")
    return _run_single(args, config)


def _refuse(args, reasons: dict, where: str) -> None:
    """ConfigError naming every given flag of `reasons` (flag -> why it cannot act)."""
    given = [f"--{flag}: {why} ({where})" for flag, why in reasons.items()
             if getattr(args, flag) not in (None, False, _DEFAULTS.get(flag))]
    if given:
        raise ConfigError(given)


#: Defaults of `circuit run` flags that mean "not given".
_DEFAULTS = {"elapsed": "0 s"}


def _run_single(args, config) -> int:
    """One run of a config's protocol to a results directory (docs/outputs.md)."""
    from .workflows import restored_state, run_to

    state = restored_state(config, args.restore, args.elapsed)
    run_to(config, args.out, overwrite=args.overwrite, figures=not args.no_figures,
           state=state, progress=not args.quiet)
    return 0


def _run_experiment(args, config) -> int:
    """A behavioural experiment: groups x seeds through the schedule (docs/behaviour.md),
    run by the experiment engine (the same as `circuit experiment`)."""
    from .experiments import run_config

    why = "every subject of a behavioural experiment starts naive"
    _refuse(args, {"restore": why, "elapsed": why}, "for a config with a behaviour.schedule")
    if args.seed is not None and config.experiment is not None:
        raise ConfigError([f"--seed: {args.config} names its subjects' seeds in its "
                           "experiment block (experiment.seeds); edit them there"])
    return _run_engine(args, run_config, config)


def _run_engine(args, workflow, source, **extra) -> int:
    """`workflow` (run_config or run_spec) of `source` with the runner flags of `args`;
    its exit status, or 130 if interrupted (saying where the finished runs are)."""
    started = time.perf_counter()
    try:
        result = workflow(source, args.out, workers=args.workers, scheduler=args.scheduler,
                          resume=args.resume, overwrite=args.overwrite,
                          progress=None if args.quiet else _progress_line,
                          figures=not args.no_figures, **extra)
    except KeyboardInterrupt:
        if args.overwrite:
            return _fail(INTERRUPTED, f"interrupted; {args.out.absolute()} was left as it was")
        return _interrupted("runs", args.out.absolute() / "runs")
    log.info("circuit: wrote %s in %.1f s", result.out, time.perf_counter() - started)
    return _experiment_status(result)


def _experiment_status(result) -> int:
    """0 if every run finished; 4 if any stopped at a numerical fault; 1 otherwise."""
    if result.complete:
        return 0
    faults = len(result.faults)
    others = len(result.failed) - faults
    if faults:
        print(f"circuit: {faults} run(s) stopped at a numerical fault; what each simulated "
              f"before it and fault.json are in {result.out}/runs/<key> (see "
              f"{result.out}/experiment.log); the same config faults again: change it",
              file=sys.stderr)
    if others:
        print(f"circuit: {others} runs failed (see {result.out}/experiment.log); rerun with "
              "--resume to retry them", file=sys.stderr)
    return FAULT if faults else 1


def _experiment(args) -> int:
    """A hypothesis experiment (docs/experiments.md); exit 1 if any run failed."""
    from .experiments import run_spec

    return _run_engine(args, run_spec, args.spec, overrides=args.overrides)


def _validate(args) -> int:
    """The validation scorecard (docs/validation.md); exit 1 if any run failed."""
    from .validation import run_validation

    if args.workers is not None and args.workers < 0:
        raise ConfigError(["--workers: must be 0 or more"])
    if args.sensitivity and not args.findings:
        raise ConfigError(["--sensitivity: only with --findings (a full run has it)"])
    if args.status:
        from .validation.status import status_table, validation_status

        if args.merge:
            raise ConfigError(["--status: reads one validation directory; drop --merge"])
        print(status_table(validation_status(args.out, args.findings, args.sensitivity,
                                             args.quick, args.overrides)))
        return 0
    if args.merge:
        from .validation import merge_validation

        if args.findings or args.quick or args.overrides:
            raise ConfigError(["--merge: scores the parts as they were run; drop "
                               "--findings, --quick and --set"])
        card = merge_validation(args.merge, args.out)
        log.info("circuit: %d of %d findings reproduced (merged from %d parts); scorecard "
                 "in %s", card.passed, len(card.findings), len(args.merge),
                 card.out / "scorecard.md")
        return 0
    try:
        card = run_validation(args.out, quick=args.quick, workers=args.workers,
                              scheduler=args.scheduler, resume=args.resume,
                              overrides=args.overrides, findings=args.findings,
                              sensitivity=args.sensitivity,
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


def _finding_ids(text: str) -> list:
    """'2,4,7' -> [2, 4, 7]."""
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        ids = []
    if not ids:
        raise argparse.ArgumentTypeError(f"expected finding ids separated by commas, e.g. "
                                         f"2,4,7 (got {text!r})")
    return ids


def _progress_line(text: str) -> None:
    print(f"circuit: {text}", flush=True)


#: Exit status of `circuit export` when pynwb (the 'nwb' extra) is not installed.
MISSING_EXTRA = 1


def _export(args) -> int:
    """A run directory as an NWB file; exit 2 for anything but a readable run directory."""
    from .results.export import load_run
    from .results.nwb import write_nwb

    try:
        results = load_run(args.run)
    except (FileNotFoundError, ValueError) as err:  # NotARunDirectory is a ValueError
        return _fail(BAD_INPUT, err)
    try:
        path = write_nwb(results, args.nwb, overwrite=args.overwrite)
    except ImportError as err:
        return _fail(MISSING_EXTRA, err)
    log.info("circuit: wrote %s", path)
    return 0


def _plot(args) -> int:
    """Redraw the figures of a results directory; exit 2 if it holds no results."""
    from .plotting.redraw import NotResults, redraw

    try:
        written = redraw(args.directory, args.formats)
    except (NotResults, FileNotFoundError, ValueError) as err:  # not results, or a
        return _fail(BAD_INPUT, err)  # file of them missing or unreadable
    if not args.quiet:
        for path in written:
            print(path)
    return 0


def _plasticity(args) -> int:
    from .workflows import bench_to

    bench_to(args.spec, args.out, args.config, args.overrides, overwrite=args.overwrite)
    return 0


def _check(args) -> int:
    """Everything `circuit run` (or, for a spec, `circuit experiment`) validates before it
    simulates, then the resolved config, or the spec's plan."""
    spec = _read_spec(args.config)
    if spec is not None:
        return _check_spec(args, *spec)
    config = load_config(args.config, args.overrides)
    if config.experiment is not None or config["behaviour"]["schedule"]:
        from .experiments import plan_config

        plan = plan_config(config)  # every subject's sessions, as `circuit run` does
        log.info("circuit: %s is valid: %s (%s x %s), %s sessions each",
                 args.config, counted(len(plan.runs), "run"), counted(len(plan.cells), "group"),
                 counted(len(plan.seeds), "seed"), "/".join(map(str, plan.sessions)))
    print(config.to_yaml(), end="")
    if config.experiment is not None:
        print(yaml.safe_dump({"experiment": config.experiment}, sort_keys=False), end="")
    return 0


def _read_spec(path: Path):
    """(the spec, its resolved path) where `path` (a file, or one of circuit's own by name)
    is an experiment spec: it has a spec key other than `base` (seeds, conditions, tests,
    ...), which no config has; None otherwise (load_config then reads and reports it)."""
    from .config.loader import read_yaml_file
    from .experiments.plan import SPEC_KEYS
    from .resources import find_config

    try:
        path = find_config(path)
        raw = read_yaml_file(path, "config")
    except ConfigError:
        return None
    if isinstance(raw, dict) and (SPEC_KEYS - {"base"}) & set(raw):
        return raw, path
    return None


def _check_spec(args, spec: dict, path: Path) -> int:
    """Validate a spec and every run it resolves, then print its plan."""
    from .experiments.plan import make_plan

    plan = make_plan(spec, path.parent, str(path), args.overrides)
    cells = list(dict.fromkeys(cell.name for cell in plan.cells))  # in the spec's order
    log.info("circuit: %s is a valid experiment spec: %s (%s x %s%s), %s design",
             args.config, counted(len(plan.runs), "run"), counted(len(cells), "condition"),
             counted(len(plan.seeds), "seed"),
             f", {counted(len(plan.trainings), 'training')}" if plan.trainings else "",
             plan.design)
    header = {"source": plan.source, "seeds": plan.seeds, "design": plan.design}
    lists = {"conditions": cells,
             "contrasts": [_contrast_text(*contrast) for contrast in plan.contrasts],
             "metrics": plan.metrics}
    print(yaml.safe_dump(header, sort_keys=False, default_flow_style=None, width=1000)
          + yaml.safe_dump(lists, sort_keys=False, width=1000), end="")
    return 0


def _contrast_text(condition, reference, expect, margin) -> str:
    """A spec's contrast in words: 'a vs b', with its prediction."""
    prediction = {None: "", "lower": ", predicted lower", "higher": ", predicted higher",
                  "same": f", predicted the same within {margin} SD"}[expect]
    return f"{condition} vs {reference}{prediction}"


def _quiet_brian() -> None:
    """Keep Brian2's INFO chatter (integration methods, caches) off the console."""
    from brian2 import prefs  # noqa: F401  (imports brian2's logging setup)

    logging.getLogger("brian2").setLevel(logging.WARNING)
    logging.getLogger("distributed").setLevel(logging.WARNING)  # Dask's cluster chatter
    from brian2.utils.logger import BrianLogger

    BrianLogger.console_handler.setLevel(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
