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
    SpikeGeneratorGroup,
    StateMonitor,
    Synapses,
    TimedArray,
    defaultclock,
    device,
    nmolar,
    second,
)

from ..model import equations as eq
from ..model import plasticity
from ..model.connectivity import PLASTIC, projection_parameters
from ..model.populations import modulator_parameters, receptor_parameters
from ..protocols.slice import BenchSpec
from . import device as devices

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
POST_TRACES = ("m", "DA", "OXT", "occ_d1r", "occ_d2r", "occ_oxtr", "n_da")


@dataclass
class BenchResult:
    """Sampled weights, eligibility and neuromodulator traces of every bench synapse."""

    t: np.ndarray            # (n_t,) s
    names: list              # synapse names, one per synapse
    weight: np.ndarray       # (n_synapses, n_t)
    eligibility: np.ndarray  # (n_synapses, n_t)
    traces: dict             # POST_TRACES -> (n_synapses, n_t); DA, OXT in nM

    def final_weights(self) -> np.ndarray:
        return self.weight[:, -1]


def _generator(times_per_neuron, n: int, name: str, shift: float = 0.0):
    indices = np.concatenate([np.full(len(t), k) for k, t in enumerate(times_per_neuron)])
    times = np.concatenate([np.asarray(t) for t in times_per_neuron]) + shift
    if len(times) == 0:
        return None
    return SpikeGeneratorGroup(n, indices.astype(int), times * second, name=name)


def run_bench(bench: BenchSpec, config) -> BenchResult:
    """Simulate the bench spec with the rule and receptors of `config`."""
    kind = config["simulation"]["device"]
    key = devices.structure_key({"bench": repr(bench), "config": config.plain})
    build_dir = devices.cache_dir() / "bench" / key if kind == "standalone" else None
    devices.activate(kind, build_dir)
    defaultclock.dt = config["simulation"]["dt"]
    dt = float(defaultclock.dt / second)
    n = len(bench.synapses)
    da = TimedArray(np.stack([s.da for s in bench.synapses], axis=1) * nmolar,
                    dt=bench.input_dt * second)
    oxt = TimedArray(np.stack([s.oxt for s in bench.synapses], axis=1) * nmolar,
                     dt=bench.input_dt * second)
    inputs = {"da_input": da, "oxt_input": oxt}
    post = NeuronGroup(n, POST_CELL, threshold="fire > 0.5", reset="fire = 0",
                       method="euler", namespace=inputs, name="bench_post")
    form = config["plasticity"]["form"]
    model, on_pre, on_post = plasticity.FORMS[form]
    pre = _generator([s.pre for s in bench.synapses], n, "bench_pre")
    # A forcing spike at t - dt makes the postsynaptic cell fire at t (see docs/plasticity.md).
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
        da_drive = Synapses(dopamine, post, "n_inc : 1 (shared, constant)",
                            on_pre="n_da_post += n_inc", name="bench_da_drive")
        drives.append(da_drive)
        objects.append(dopamine)
    if form == "fast":
        period = config["plasticity"]["renewal"]
        synapses.run_regularly(plasticity.FAST_RENEWAL, dt=period, when="end", order=0)
        post.run_regularly(plasticity.NEURON_RENEWAL, dt=period, when="end", order=1)
    for one_to_one in (synapses, *drives):
        one_to_one.connect(j="i")
    objects += drives
    population = f"nac_{bench.cell}"
    _assign(post, {**receptor_parameters(population, config),
                   **modulator_parameters(population, config),
                   "tau_n": config["plasticity"]["tau_n"]})
    rule = projection_parameters(f"cortex_to_{population}", PLASTIC, config)
    _assign(synapses, {k: v for k, v in rule.items() if k != "w_cv"})
    synapses.w = 1.0
    if dopamine is not None:
        da_drive.n_inc = config["plasticity"]["n_per_spike"]
    record_dt = bench.record_dt * second
    synaptic_names, post_names = plasticity.RECORDED[form]
    weights = StateMonitor(synapses, list(synaptic_names), record=np.arange(n), dt=record_dt,
                           when="end", order=2, name="bench_weights")
    traces = StateMonitor(post, list(POST_TRACES) + list(post_names), record=True,
                          dt=record_dt, when="end", order=2, name="bench_traces")
    network = Network(*objects, weights, traces)
    network.run(bench.duration * second)
    if kind == "standalone":
        with devices.build_lock(build_dir):
            device.build(directory=str(build_dir), compile=True, run=True,
                         with_output=False)
    t = np.asarray(weights.t / second)
    rule = config["plasticity"]
    weight, eligibility = plasticity.current_state(
        form, {name: np.asarray(getattr(weights, name)) for name in synaptic_names},
        {name: np.asarray(getattr(traces, name)) for name in post_names}, t,
        float(rule["eta"]), rule["w_max"], float(rule["tau_c"]))
    sampled = {name: np.asarray(getattr(traces, name)) for name in POST_TRACES}
    for name in ("DA", "OXT"):
        sampled[name] = sampled[name] / float(nmolar)
    return BenchResult(t=t, names=[s.name for s in bench.synapses], weight=weight,
                       eligibility=eligibility, traces=sampled)


def _assign(obj, values: dict) -> None:
    for name, value in values.items():
        setattr(obj, name, value)
