"""Monitors for a run, and their conversion into a `Results` record in fixed units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import SpikeMonitor, StateMonitor, nmolar, second
from scipy.ndimage import gaussian_filter1d

from ..model.fields import COMPARTMENTS

#: Occupancy traces worth recording: (receptor variable, population).
OCCUPANCIES = (("d1r", "nac_d1"), ("d2r", "nac_d2"), ("oxtr", "nac_d2"),
               ("d1r", "nac_pv"), ("oxtr", "nac_pv"), ("oxtr", "vta_da"))
#: Other per-population traces: drug-evoked potentiation of VTA DA inputs (the same in
#: every DA neuron, which all see one [cocaine]).
_EXTRA = {"vta_da": ["p_vta"]}
#: Agent variables recorded at every decision (see circuit.model.agent).
DECISION_VARIABLES = ("evaluated", "go", "p_go", "press", "reinforce", "cue", "ratio")
#: Volume variables and the trace names they become (per compartment).
_VOLUME_TRACES = {"DA": "da", "OXT": "oxt", "COC": "cocaine"}
#: Traces kept from the volume (the VTA has no DA release or cocaine readout of interest).
_KEPT = {"da_nac", "oxt_nac", "oxt_vta", "cocaine_nac"}


@dataclass
class Monitors:
    """The monitors of one run."""

    spikes: dict
    volume: StateMonitor
    occupancy: dict
    weights: dict
    agent: StateMonitor

    def all(self) -> list:
        return [*self.spikes.values(), self.volume, *self.occupancy.values(),
                *self.weights.values(), self.agent]


def make_monitors(circuit, record: dict) -> Monitors:
    """Spike monitors for every population, and sampled concentrations and occupancies."""
    trace_dt = record["trace_dt"]
    spikes = {name: SpikeMonitor(p.group, name=f"spikes_{name}")
              for name, p in circuit.populations.items()}
    volume = StateMonitor(circuit.volume, list(_VOLUME_TRACES), record=True, dt=trace_dt,
                          name="trace_volume")
    occupancy = {}
    for receptor, population in OCCUPANCIES:
        group = circuit.populations[population].group
        if population not in occupancy:
            variables = ["occ_d1r", "occ_d2r", "occ_oxtr"] + _EXTRA.get(population, [])
            occupancy[population] = StateMonitor(group, variables, record=[0], dt=trace_dt,
                                                 name=f"trace_{population}")
    # Sampled at each decision, after the agent decided and before a press resets.
    agent = StateMonitor(circuit.agent, list(DECISION_VARIABLES), record=True,
                         dt=circuit.config["behaviour"]["window"], when="thresholds",
                         name="trace_agent")
    return Monitors(spikes, volume, occupancy, weights={}, agent=agent)


def expect_any_length(monitors: Monitors) -> None:
    """Let standalone monitors be read after a run that stopped early.

    Brian2 reads a 2-D monitor array from disk by the shape it expects (the full run's
    samples); forgetting the sample count makes it take the length found on disk.
    """
    for monitor in monitors.all():
        for variable in monitor.variables.values():
            size = getattr(variable, "size", None)
            if isinstance(size, tuple) and len(size) == 2 and size[1] > 0:
                variable.size = (0, size[1])


def add_weight_monitors(monitors: Monitors, circuit, record: dict) -> list:
    """Monitors of plastic weights; synapses must exist, so call after connecting."""
    monitors.weights = {
        name: _weight_monitor(synapses, circuit.config["connections"][key]["p"], record)
        for name, (synapses, key) in circuit.plastic_projections().items()}
    return list(monitors.weights.values())


def _weight_monitor(synapses, probability: float, record: dict) -> StateMonitor:
    """Weights of a fixed sample of synapses, read after the fast rule's renewal.

    The sample is the first synapses created; it stays well below the expected count so
    that every seed has that many synapses.
    """
    expected = synapses.source.N * synapses.target.N * probability
    count = max(1, min(record["weight_samples"], int(expected / 2)))
    return StateMonitor(synapses, "w", record=np.arange(count), dt=record["weight_dt"],
                        when="end", order=2, name=f"weights_{synapses.name}")


def weight_samples(monitors: Monitors, warmup: float) -> tuple:
    """Sample times (s, warm-up cut off) and {projection: (n_t, n_synapses) weights}."""
    if not monitors.weights:
        return np.zeros(0), {}
    first = next(iter(monitors.weights.values()))
    t = np.asarray(first.t / second) - warmup
    keep = t >= -1e-9
    return t[keep], {name.removeprefix("weights_"): np.asarray(m.w).T[keep]
                     for name, m in ((m.name, m) for m in monitors.weights.values())}


def collect(monitors: Monitors, warmup: float, recorded: float, record: dict) -> dict:
    """Spikes, smoothed population rates and traces, with the warm-up cut off."""
    spikes = {}
    for name, monitor in monitors.spikes.items():
        t = np.asarray(monitor.t / second) - warmup
        keep = t >= 0
        spikes[name] = (t[keep], np.asarray(monitor.i, dtype=np.int32)[keep])

    t_trace = np.asarray(monitors.volume.t / second) - warmup
    keep = t_trace >= -1e-9
    traces = {}
    for variable, stem in _VOLUME_TRACES.items():
        values = getattr(monitors.volume, variable) / nmolar
        for index, compartment in enumerate(COMPARTMENTS):
            name = f"{stem}_{compartment}"
            if name in _KEPT:
                traces[f"{name}_nM"] = np.asarray(values[index])[keep]
    for receptor, population in OCCUPANCIES:
        values = getattr(monitors.occupancy[population], f"occ_{receptor}")[0]
        traces[f"occ_{receptor}_{population}"] = np.asarray(values)[keep]
    traces["vta_potentiation"] = np.asarray(monitors.occupancy["vta_da"].p_vta[0])[keep]

    rate_t, rates = population_rates(spikes, monitors, recorded, record)
    weight_t, weights = weight_samples(monitors, warmup)
    return dict(spikes=spikes, traces=traces, trace_t=t_trace[keep], rate_t=rate_t,
                rates=rates, weight_t=weight_t, weights=weights,
                decisions=decisions(monitors.agent, warmup))


def decisions(monitor: StateMonitor, warmup: float) -> dict:
    """The agent at every decision: time (s) and (n_decisions, n_options) arrays, go in Hz."""
    t = np.asarray(monitor.t / second) - warmup
    keep = t > 0
    values = {"t": t[keep]}
    for variable in DECISION_VARIABLES:
        values[variable] = np.asarray(getattr(monitor, variable + "_")).T[keep]
    return values


def population_rates(spikes: dict, monitors: Monitors, recorded: float, record: dict):
    """Population rates (Hz per neuron), binned at rate_dt and Gaussian-smoothed."""
    dt = float(record["rate_dt"] / second)
    sigma = float(record["rate_smoothing"] / second) / dt
    edges = np.arange(0.0, recorded + dt / 2, dt)
    rates = {}
    for name, (t, _) in spikes.items():
        size = len(monitors.spikes[name].source)
        counts, _ = np.histogram(t, bins=edges)
        rates[name] = gaussian_filter1d(counts / (size * dt), sigma, mode="nearest")
    return edges[:-1], rates
