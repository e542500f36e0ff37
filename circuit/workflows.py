"""Jobs that end in a directory: what the `circuit` command does, callable from Python
with the same behaviour (the command only parses arguments and maps exceptions to exit
statuses, circuit/cli.py).

- `run_to`: one run of a config's protocol -> a results directory (docs/outputs.md);
- `circuit.experiments.run_config` / `run_spec`: an experiment (docs/experiments.md);
- `circuit.validation.run_validation`: the scorecard (docs/validation.md);
- `bench_to`: the plasticity bench -> its directory (docs/plasticity.md).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from .config import ConfigError, load_config

log = logging.getLogger(__name__)


def restored_state(config, restore: Path | None, elapsed: str = "0 s"):
    """The state saved in the run directory `restore`, aged by `elapsed` (e.g. '1 day':
    the VTA input potentiation decays over it); None without `restore`."""
    from .config.units import UnitError, parse_quantity
    from .results import read_state

    try:
        seconds = float(parse_quantity(elapsed, "s"))
    except UnitError as err:
        raise ConfigError([f"--elapsed: {err}"]) from err
    if seconds < 0:
        raise ConfigError([f"--elapsed: must not be negative, got {elapsed!r}"])
    if restore is None:
        if seconds:
            raise ConfigError(["--elapsed: ages a restored state; give --restore RUN_DIR too"])
        return None
    tau = float(config["plasticity"]["vta"]["tau_decay"])
    return read_state(restore).aged(seconds, tau)


def run_to(config, out: Path, *, overwrite: bool = False, figures: bool = True,
           state=None, progress: bool = True) -> Path:
    """Simulate `config` (one run of its protocol) and write the results directory `out`
    atomically: the data, summary.json and (with `figures`) the figures. An existing
    non-empty `out` is replaced only with `overwrite`. A numerical fault writes what was
    simulated up to it and fault.json, then is raised."""
    from .analysis.summary import write_summary
    from .plotting import make_run_figures
    from .results import save
    from .results.store import check_writable
    from .running.simulate import run
    from .running.watchdog import NumericalFault, write_fault

    out = Path(out).absolute()
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(f"{out} already exists; pass --overwrite to replace it")
    check_writable(out.parent)  # where the results are written before renamed to DIR
    started = time.perf_counter()
    log.info("circuit: running %s (seed %s, %s)", config.source, config["simulation"]["seed"],
             config["simulation"]["device"])
    try:
        results = run(config, progress=progress, state=state)
    except NumericalFault as fault:  # keep what was simulated up to the fault
        fault.saved_in = out
        save(fault.partial, out, overwrite=overwrite,
             extras=lambda directory: write_fault(fault, directory))
        raise

    def derived(directory: Path) -> None:
        write_summary(results, directory)
        if figures:
            make_run_figures(results, directory / "figures")

    save(results, out, overwrite=overwrite, extras=derived)
    log.info("circuit: wrote %s in %.1f s", out, time.perf_counter() - started)
    return out


def bench_to(spec: Path, out: Path, config: Path, overrides=(), overwrite: bool = False) -> Path:
    """Run the plasticity-bench `spec` with the model of `config` and write `out`
    atomically: weights.csv, traces.csv, summary.csv, the spec, config and figure."""
    from .config.loader import read_yaml
    from .bench.figures import make_bench_figure
    from .bench.record import write_bench
    from .bench.simulate import run_bench
    from .bench.spec import parse_bench
    from .results import atomic_directory
    from .running.provenance import provenance

    text = read_yaml(spec)
    bench = parse_bench(text)
    model = load_config(config, [*bench.overrides, *overrides])
    started = time.perf_counter()
    with atomic_directory(out, overwrite=overwrite) as directory:
        log.info("circuit: plasticity bench %s (%d synapses, %s cells)", spec,
                 len(bench.synapses), bench.cell)
        result = run_bench(bench, model)
        write_bench(result, directory, text, model.plain, provenance(model, started, {}))
        make_bench_figure(result, directory / "figures")
    log.info("circuit: wrote %s", out)
    return Path(out)
