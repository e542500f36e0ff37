"""Run the plasticity bench: afferent->MSN synapses driven by given spikes and DA/OXT.

Each synapse has its own postsynaptic cell with the MSN receptors and plasticity third
factor of the network (same equations, same parameters), but imposed spikes instead of
membrane dynamics, and [DA] and [OXT] read from the spec's time courses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import (
    Network,
    NeuronGroup,
    Quantity,
    SpikeGeneratorGroup,
    StateMonitor,
    Synapses,
    TimedArray,
    defaultclock,
    device,
    nmolar,
    second,
)
from brian2.units.fundamentalunits import fail_for_dimension_mismatch

from ..config import load_config
from ..model import equations as eq
from ..model import plasticity
from ..model.connectivity import PLASTIC, projection_parameters
from ..model.parameters import apply_directly, as_run_args
from ..model.populations import modulator_parameters, receptor_parameters
from .spec import BenchSpec
from .record import BenchResult
from ..builds import device as devices
from ..builds.blueprints import command_line_number
from ..builds import workspace as workspaces

#: Bench postsynaptic cell: receptors and third factor of an MSN, spikes imposed.
POST_CELL = (eq.RECEPTORS.replace("DA : mmolar", "DA = da_input(t, i) : mmolar")
             .replace("OXT : mmolar", "OXT = oxt_input(t, i) : mmolar")
             + plasticity.MODULATOR + """
dn_da/dt = -n_da / tau_n : 1
tau_n : second (shared, constant)
fire : 1
g_ampa : siemens
g_nmda : siemens
""")
POST_TRACES = ("m", "DA", "OXT", "occ_d1r", "occ_d2r", "occ_oxtr", "n_da", "g_ampa")


@dataclass
class _Session:
    """A built bench network, re-run with new values through standalone run_args."""

    key: str
    kind: str
    generation: int
    form: str
    workspace: object
    network: Network
    inputs: dict
    weights: StateMonitor
    traces: StateMonitor


_session: _Session | None = None


def _generator(times_per_neuron, n: int, name: str, shift: float = 0.0):
    indices = np.concatenate([np.full(len(t), k) for k, t in enumerate(times_per_neuron)])
    times = np.concatenate([np.asarray(t) for t in times_per_neuron]) + shift
    if len(times) == 0:
        return None
    return SpikeGeneratorGroup(n, indices.astype(int), times * second, name=name)


def _structure(bench: BenchSpec, config) -> dict:
    """What needs a new build: spike times, initial weights, durations, the rule's form."""
    return {"spikes": [(s.pre.tolist(), s.post.tolist(), s.da_spikes.tolist(), s.weight)
                       for s in bench.synapses],
            "durations": (bench.duration, bench.record_dt, bench.input_dt),
            "dt": config.plain["simulation"]["dt"], "device": config["simulation"]["device"],
            "form": config["plasticity"]["form"], "renewal": config.plain["plasticity"]["renewal"]}


def parameter_table(bench: BenchSpec, config) -> dict:
    """Values of the bench's shared constants, by object name.

    The bench exists to study plasticity, so the rule is on whatever
    ``plasticity.enabled`` says (that switch is for network runs).
    """
    config = load_config(config.plain, ["plasticity.enabled=on"])
    population = f"nac_{bench.cell}"
    rule = projection_parameters(f"cortex_to_{population}", PLASTIC, config)
    table = {
        "bench_post": {**receptor_parameters(population, config),
                       **modulator_parameters(population, config),
                       "tau_n": config["plasticity"]["tau_n"]},
        "bench_synapses": {k: v for k, v in rule.items() if k != "w_cv"},
    }
    if any(len(s.da_spikes) for s in bench.synapses):
        table["bench_da_drive"] = {"n_inc": config["plasticity"]["n_per_spike"]}
    return table


def _input_values(bench: BenchSpec) -> dict:
    return {"da_input": np.stack([s.da for s in bench.synapses], axis=1) * nmolar,
            "oxt_input": np.stack([s.oxt for s in bench.synapses], axis=1) * nmolar}


def run_bench(bench: BenchSpec, config) -> BenchResult:
    """Simulate the bench spec with the rule and receptors of `config`.

    A second call with the same spike times (only values changed: concentrations, rule
    parameters, switches) re-runs the compiled bench without a new build.
    """
    global _session
    key = devices.structure_key(_structure(bench, config))
    reuse = (_session is not None and _session.key == key and _session.kind == "standalone"
             and _session.generation == devices.generation)
    if not reuse:
        if _session is not None and _session.workspace is not None:
            _session.workspace.release()
        _session = None
        _session = _build(bench, config, key)
    table = parameter_table(bench, config)
    if _session.kind == "standalone":
        run_args = {view: _command_line_value(view, value)
                    for view, value in as_run_args(_session.network, table).items()}
        run_args.update({_session.inputs[name]: values
                         for name, values in _input_values(bench).items()})
        device.run(directory=str(_session.workspace.directory), with_output=False,
                   run_args=run_args)
    return _collect(bench, config, _session)


def _command_line_value(view, value):
    """`value` of run-time constant `view`, its units checked, as the binary reads it."""
    name = f"{view.group_name}.{view.name}"
    fail_for_dimension_mismatch(value, view.dim, name)
    return Quantity(command_line_number(name, value, view.dtype), dim=view.dim)


def _build(bench: BenchSpec, config, key: str) -> _Session:
    kind = config["simulation"]["device"]
    workspace = (workspaces.claim(devices.cache_dir() / "bench" / key)
                 if kind == "standalone" else None)
    build_dir = workspace.directory if workspace else None
    generation = devices.activate(kind, build_dir)
    defaultclock.dt = config["simulation"]["dt"]
    dt = float(defaultclock.dt / second)
    n = len(bench.synapses)
    inputs = {name: TimedArray(values, dt=bench.input_dt * second, name=name)
              for name, values in _input_values(bench).items()}
    post = NeuronGroup(n, POST_CELL, threshold="fire > 0.5", reset="fire = 0",
                       method="euler", namespace=inputs, name="bench_post")
    form = config["plasticity"]["form"]
    model, on_pre, on_post = plasticity.FORMS[form]
    pre = _generator([s.pre for s in bench.synapses], n, "bench_pre")
    # A forcing spike at t - dt makes the postsynaptic cell fire at t (docs/plasticity.md).
    forcing = _generator([s.post for s in bench.synapses], n, "bench_forcing", shift=-dt)
    dopamine = _generator([s.da_spikes for s in bench.synapses], n, "bench_da_spikes")
    source = pre if pre is not None else NeuronGroup(n, "", name="bench_silent")
    synapses = Synapses(source, post, model, on_pre=on_pre, on_post=on_post,
                        method="euler", namespace=inputs, name="bench_synapses")
    objects, drives = [post, source, synapses], []
    if forcing is not None:
        drives.append(Synapses(forcing, post, on_pre="fire_post = 1", name="bench_drive"))
        objects.append(forcing)
    if dopamine is not None:
        drives.append(Synapses(dopamine, post, "n_inc : 1 (shared, constant)",
                               on_pre="n_da_post += n_inc", name="bench_da_drive"))
        objects.append(dopamine)
    objects += drives
    if form == "fast":
        period = config["plasticity"]["renewal"]
        synapses.run_regularly(plasticity.FAST_RENEWAL, dt=period, when="end", order=0)
        post.run_regularly(plasticity.NEURON_RENEWAL, dt=period, when="end", order=1)
    for one_to_one in (synapses, *drives):
        one_to_one.connect(j="i")
    synapses.w = np.array([s.weight for s in bench.synapses])
    post.E_c = 1
    synaptic_names, post_names = plasticity.RECORDED[form]
    record_dt = bench.record_dt * second
    weights = StateMonitor(synapses, list(synaptic_names), record=np.arange(n), dt=record_dt,
                           when="end", order=2, name="bench_weights")
    traces = StateMonitor(post, list(POST_TRACES) + list(post_names), record=True,
                          dt=record_dt, when="end", order=2, name="bench_traces")
    network = Network(*objects, weights, traces)
    if kind != "standalone":  # standalone takes every value as run_args (applied at run)
        apply_directly(network, parameter_table(bench, config))
    network.run(bench.duration * second)
    if kind == "standalone":
        workspaces.build(device, workspace, devices.MAKE_JOBS)
    return _Session(key, kind, generation, form, workspace, network, inputs, weights, traces)


def _collect(bench: BenchSpec, config, session: _Session) -> BenchResult:
    weights, traces = session.weights, session.traces
    synaptic_names, post_names = plasticity.RECORDED[session.form]
    t = np.asarray(weights.t / second)
    rule = config["plasticity"]
    weight, eligibility = plasticity.current_state(
        session.form, {name: np.asarray(getattr(weights, name)) for name in synaptic_names},
        {name: np.asarray(getattr(traces, name)) for name in post_names},
        float(rule["eta"]), rule["w_max"])
    sampled = {name: np.asarray(getattr(traces, name)) for name in POST_TRACES}
    for name in ("DA", "OXT"):
        sampled[name] = sampled[name] / float(nmolar)
    return BenchResult(t=t, names=[s.name for s in bench.synapses], weight=weight,
                       eligibility=eligibility, traces=sampled)
