"""Run one simulation of a validated config and return its `Results`.

Standalone (default): the network is generated and compiled once per structure; a
session keeps the compiled project in this process, and every run passes all parameter
values, the input time courses and the seed as ``run_args``. Runtime mode sets values
directly and is meant for debugging.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from brian2 import NeuronGroup, check_units, defaultclock, device, implementation, second
from brian2 import seed as set_seed

from ..config.schema import structural_values
from ..config import load_config
from ..model.network import (POPULATIONS, assemble, input_arrays, noise_seed,
                             parameter_table)
from ..model import adaptation
from ..model.parameters import apply_directly
from ..model.populations import population_size
from ..protocols import make_schedule
from ..results.record import Results
from ..results.state import State
from ..builds import device as devices
from .provenance import provenance
from ..builds import blueprints
from .recording import add_weight_monitors, arrays_read, brian_reader, collect, make_monitors
from .restore import agent_values, final_state, restore_code, restored_weights
from . import watchdog
from ..builds import workspace as workspaces

log = logging.getLogger(__name__)

#: A memory file system for the binary's results (see `scratch_dir`).
SCRATCH = "/dev/shm"
#: Simulated time between progress lines.
PROGRESS_PERIOD = 10.0  # s


def _run_with_progress(network, duration: float, kind: str, progress: bool) -> None:
    """Run `duration` seconds, printing a progress line every PROGRESS_PERIOD simulated.

    Brian2's own `report` calls std::clock() for every object at every time step in
    standalone code (a system call here, which made runs 2-3x slower), and splitting the
    run multiplies the code to compile; so a one-neuron group calls a C++ function every
    PROGRESS_PERIOD instead. Standalone shows the lines when `progress` asks for the
    binary's output; runtime mode prints them only if `progress`.
    """
    namespace = {"circuit_progress": circuit_progress, "total": duration * second,
                 "printing": float(kind == "standalone" or progress)}
    reporter = NeuronGroup(1, "reported : 1", namespace=namespace, name="progress")
    reporter.run_regularly("reported = circuit_progress(t, total, printing)",
                           dt=PROGRESS_PERIOD * second)
    network.add(reporter)
    network.run(duration * second)


@implementation("cpp", """
double circuit_progress(double t, double total, double printing) {
    static std::time_t started = std::time(nullptr);
    if (printing > 0)
        std::printf("circuit: simulated %.0f s of %.0f s in %.0f s\\n", t, total,
                    std::difftime(std::time(nullptr), started));
    std::fflush(stdout);
    return 0.0;
}
""", headers=["<ctime>", "<cstdio>"])
@check_units(t=second, total=second, printing=1, result=1)
def circuit_progress(t, total, printing):
    """Print one progress line (runtime mode; the C++ version serves standalone)."""
    if printing:
        print(f"circuit: simulated {float(t):.0f} s of {float(total):.0f} s", flush=True)
    return 0.0


def _insert_seeding(rng, variable: str) -> None:
    """Seed the C++ generator from the run-time value of `rng.<variable>` at this point."""
    array = device.get_array_name(rng.variables[variable])
    device.insert_code("main", f"brian::_random_generators[0].seed("
                               f"(unsigned long) brian::{array}[0]);")


@dataclass
class Session:
    """A network ready to run: its structure key, workspace and blueprint (standalone),
    or its Brian2 network (runtime mode, simulated while it was built)."""

    key: str
    kind: str
    workspace: workspaces.Workspace | None
    timings: dict
    checks: list  # the watchdog's checks, by the code the compiled network reports
    blueprint: blueprints.Blueprint | None = None
    network: object = None

    @property
    def build_dir(self) -> Path | None:
        return self.workspace.directory if self.workspace else None

    def close(self) -> None:
        """Give the build directory back to other processes."""
        if self.workspace is not None:
            self.workspace.release()


_session: Session | None = None


def run(config: dict, progress: bool = True, state: State | None = None) -> Results:
    """Simulate `config` (already validated by `circuit.load_config`) and return results.

    `state`, the `Results.state` of an earlier session of the same subject (same seed and
    network structure), restores its plastic weights and VTA input potentiation.

    Raises `watchdog.NumericalFault` if the run stopped at a non-finite state or runaway
    firing; its `partial` holds the results up to the fault.
    """
    started = time.perf_counter()
    schedule = make_schedule(config)
    seed = int(config["simulation"]["seed"])
    key = _structure_key(config, schedule)
    fits = state_key(config)
    if state is not None:
        state.check_matches(seed, fits)  # before building; synapse counts after the run
        config = load_config(config.plain, restored_values(state))
    with _without_pyparsing_deprecations():
        session = _session_for(config, schedule, progress, key, state)
    sizes = {name: population_size(config, name) for name in POPULATIONS}
    record = config["simulation"]["record"]
    t0 = time.perf_counter()
    if session.kind == "standalone":
        project = session.build_dir
        arguments = session.blueprint.command_line(
            _parameters(config), input_arrays(schedule.inputs, schedule.n_samples), project)
        results_dir = Path(tempfile.mkdtemp(prefix="circuit_results_", dir=scratch_dir(project)))
        try:
            with restored_weights(state, results_dir):
                completed = session.blueprint.run(project, results_dir, arguments, progress)
            fault = watchdog.fault_from(results_dir, session.checks, schedule)
            if fault is None and completed < 1:
                raise KeyboardInterrupt("the simulation was stopped before its end")
            read = session.blueprint.reader(results_dir)
            data = collect(read, schedule.warmup, _recorded(schedule, fault), record, sizes)
            final = final_state(read, config, seed, fits)
        finally:
            shutil.rmtree(results_dir, ignore_errors=True)
    else:  # runtime mode simulated while building
        fault = watchdog.fault_from(None, session.checks, schedule)
        read = brian_reader(session.network)
        data = collect(read, schedule.warmup, _recorded(schedule, fault), record, sizes)
        final = final_state(read, config, seed, fits)
    if state is not None:
        state.check_matches(seed, fits, {name: w.size for name, w in final.weights.items()})
    final.d2r_availability = adaptation.d2r_after_session(
        final.d2r_availability, data["trace_t"], data["traces"]["cocaine_nac_nM"], config)
    final.oxt_tone = adaptation.tone_after_session(final.oxt_tone, config)
    timings = {**session.timings, "simulate_s": time.perf_counter() - t0}
    session.timings = {"build_s": 0.0, "generate_s": 0.0, "compile_s": 0.0,
                       "reused_build": True, "compiled": False, "replayed": False}
    results = Results(config=config.plain, seed=seed, sizes=sizes, phases=schedule.phases,
                      provenance=provenance(config, started, timings), state=final, **data)
    if fault is not None:
        results.provenance["fault"] = str(fault)
        fault.partial = results
        raise fault
    return results


def scratch_dir(project: Path) -> Path:
    """Where a run's binary writes its results, read back and deleted after the run.

    The binary writes every array of the network, one file each (about a thousand), and
    on a disk file system creating and deleting that many files per run cost more than
    simulating a short session (ext4's inode allocation took half of a 4 s session's
    time, `perf`); in memory (`SCRATCH`, a tmpfs, where the machine has one) it costs
    almost nothing. Elsewhere the project directory serves.
    """
    memory = Path(SCRATCH)
    return memory if memory.is_dir() and os.access(memory, os.W_OK) else project


def _parameters(config: dict) -> dict:
    """Every run-time constant: the circuit's and the watchdog's."""
    return {**parameter_table(config), **watchdog.parameters(config)}


def _recorded(schedule, fault) -> float:
    """Protocol time simulated: all of it, or up to a fault."""
    return schedule.recorded if fault is None else min(schedule.recorded, max(fault.time, 0.0))


def restored_values(state: State) -> list:
    """Config overrides that carry a state's scalar slow variables into a run."""
    return [f"plasticity.vta.initial={float(state.vta_potentiation)!r}",
            f"receptors.d2r_availability={float(state.d2r_availability)!r}",
            f"fields.oxt.tone={float(state.oxt_tone)!r}"]


#: Sections whose structural keys decide whether a saved state fits a network: the
#: populations, the afferent pools and the connectivity (with the seed, the synapses).
STATE_SECTIONS = ("network", "afferents", "connections")


def state_key(config: dict) -> str:
    """Key of the networks a state fits (`State.structure`): its populations, afferents
    and connectivity, not the session's length, time step or recording, so a state
    carries between sessions of different protocols."""
    values = {path: value for path, value in structural_values(config).items()
              if path.split(".")[0] in STATE_SECTIONS}
    return devices.structure_key(values)


@contextmanager
def _without_pyparsing_deprecations():
    """Brian2 2.9 parses equations with pyparsing names that pyparsing 3.3 deprecates
    (setResultsName, parseString, ...): harmless, and dozens of lines per network build;
    kept off the console while a network is built."""
    with warnings.catch_warnings():
        try:
            from pyparsing.warnings import PyparsingDeprecationWarning
        except ImportError:  # pyparsing < 3.3 does not warn
            yield
            return
        warnings.simplefilter("ignore", PyparsingDeprecationWarning)
        yield


def _structure_key(config: dict, schedule) -> str:
    """Key of the compiled network: every structural value and the input length."""
    return devices.structure_key({**structural_values(config),
                                  "n_input_samples": schedule.n_samples})


def _session_for(config: dict, schedule, progress: bool, key: str,
                 state: State | None) -> Session:
    """The session for this structure: this process's, one replayed from the build
    cache's blueprint, or a new build (runtime mode builds, and so simulates, every time).
    A standalone session needs no Brian2 object, so it outlives a change of device."""
    global _session
    kind = config["simulation"]["device"]
    if kind == "standalone" and _session is not None and _session.key == key:
        log.debug("reusing the compiled network %s", key)
        return _session
    if _session is not None:
        _session.close()
    _session = None  # let the old build's objects go before the device is reset
    if kind == "standalone":
        _session = _replay(key) or _build(config, schedule, key, kind, progress, state)
    else:
        _session = _assemble(config, schedule, key, kind, progress, state, None)
    return _session


def _replay(key: str) -> Session | None:
    """A session run from the blueprint of a cached build of this structure and this
    code, without Brian2's code generation; None if the cache holds none."""
    t0 = time.perf_counter()
    structure = devices.cache_dir() / "builds" / key
    shared = structure / workspaces.SHARED
    blueprint = blueprints.load(shared, workspaces.published_digest(structure))
    if blueprint is None:
        return None
    workspace = workspaces.claim(structure)
    if not workspaces.take_published(workspace, blueprint.digest):
        workspace.release()  # replaced by another build meanwhile
        return None
    elapsed = time.perf_counter() - t0
    log.debug("replaying the compiled network %s from its blueprint", key)
    checks = [watchdog.Check(c["population"], c["variable"], c["limit"], tuple(c["suspects"]))
              for c in blueprint.checks]
    return Session(key, "standalone", workspace,
                   {"build_s": elapsed, "generate_s": elapsed, "compile_s": 0.0,
                    "reused_build": True, "compiled": False, "replayed": True},
                   checks, blueprint=blueprint)


def _build(config: dict, schedule, key: str, kind: str, progress: bool,
           state: State | None) -> Session:
    """Build in this process's own workspace of the structure (released on failure)."""
    log.info("generating the network %s (about 10 s; a structure not in the build "
             "cache then compiles for 10-30 s)", key)
    workspace = workspaces.claim(devices.cache_dir() / "builds" / key)
    try:
        return _assemble(config, schedule, key, kind, progress, state, workspace)
    except BaseException:
        workspace.release()
        raise


def _assemble(config: dict, schedule, key: str, kind: str, progress: bool,
              state: State | None, workspace: workspaces.Workspace | None) -> Session:
    t0 = time.perf_counter()
    devices.activate(kind, workspace.directory if workspace else None)
    defaultclock.dt = config["simulation"]["dt"]
    # Standalone runs pass their own input samples as run_args. The generated code names
    # the samples it was built with by their hash, so building every session with the
    # defaults keeps one structure's code, and its compiled binary, the same for all.
    inputs = input_arrays(schedule.inputs if kind != "standalone" else {}, schedule.n_samples)
    circuit = assemble(config, inputs, schedule.input_dt * second)
    monitors = make_monitors(circuit, config["simulation"]["record"])
    watching, checks = watchdog.install(circuit, config)
    network = circuit.network(*monitors.all(), *watching)
    if kind == "standalone":
        device.apply_run_args()
        _insert_seeding(circuit.rng, "seed_value")
        circuit.connect()
        watchdog.connect(watching)
        circuit.initialise()
        _insert_seeding(circuit.rng, "noise_seed")
        device.insert_code("main", restore_code(circuit))
    else:
        set_seed(int(config["simulation"]["seed"]))
        circuit.connect()  # Synapses accept values only once connected
        watchdog.connect(watching)
        watchdog.watch_runtime(network)
        apply_directly(network, _parameters(config))
        circuit.initialise()
        set_seed(noise_seed(config))
        if state is not None:
            for name, weights in state.weights.items():
                circuit.projections[name][0].w[:] = weights
            for name, values in agent_values(state).items():
                setattr(circuit.agent, name.removeprefix("agent."), values)
    network.add(*add_weight_monitors(monitors, circuit, config["simulation"]["record"]))
    _run_with_progress(network, schedule.duration, kind, progress)
    if kind != "standalone":
        return Session(key, kind, None, {"build_s": time.perf_counter() - t0,
                                         "generate_s": time.perf_counter() - t0,
                                         "compile_s": 0.0, "reused_build": False,
                                         "compiled": False, "replayed": False},
                       checks, network=network)
    compiled, digest = workspaces.build(device, workspace, devices.MAKE_JOBS)
    blueprint = blueprints.from_network(network, _parameters(config), circuit.inputs,
                                        arrays_read(monitors, circuit), checks, digest)
    if not workspaces.publish(workspace, blueprint.save, digest):
        log.debug("not publishing the blueprint of %s: another build replaced it", key)
    build_s = time.perf_counter() - t0
    compile_s = workspace.compile_s if compiled else 0.0
    return Session(key, kind, workspace,
                   {"build_s": build_s, "generate_s": build_s - compile_s,
                    "compile_s": compile_s, "reused_build": False, "compiled": compiled,
                    "replayed": False},
                   checks, blueprint=blueprint)
