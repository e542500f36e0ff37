"""Monitors for a run, and their conversion into a `Results` record in fixed units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import SpikeMonitor, StateMonitor, nmolar, second
from scipy.ndimage import gaussian_filter1d

from ..model import plasticity
from ..model.agent import DRUG
from ..model.connectivity import PLASTIC, projections
from ..model.fields import COMPARTMENTS
from ..results.record import DECISION_KEYS, DECISION_READOUT
from .restore import AGENT_VARIABLES

#: One nanomolar in Brian2's SI storage (mol/m^3 = mM).
NANOMOLAR = float(nmolar)

#: Occupancy traces worth recording: (receptor variable, population).
OCCUPANCIES = (("d1r", "nac_d1"), ("d2r", "nac_d2"), ("oxtr", "nac_d2"),
               ("d1r", "nac_pv"), ("oxtr", "nac_pv"), ("oxtr", "vta_da"))
#: Other per-population traces: drug-evoked potentiation of VTA DA inputs (the same in
#: every DA neuron, which all see one [cocaine]).
_EXTRA = {"vta_da": ["p_vta"]}
#: Agent variables recorded at every decision (see circuit.model.agent).
DECISION_VARIABLES = DECISION_KEYS + DECISION_READOUT
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


def brian_reader(network):
    """A function reading array "object.variable" from Brian2's objects (runtime mode), in
    the layout a standalone run stores it in (see `circuit.running.blueprint`)."""
    def read(key: str) -> np.ndarray:
        name, variable = key.split(".")
        return np.asarray(network[name].variables[variable].get_value())
    return read


def arrays_read(monitors: Monitors, circuit) -> list:
    """Every array ("object.variable") that `collect` and `final_state` read."""
    keys = []
    for monitor in monitors.all():
        recorded = monitor.record_variables if isinstance(monitor, StateMonitor) else ["i"]
        keys += [f"{monitor.name}.t", *(f"{monitor.name}.{v}" for v in recorded)]
    form = circuit.config["plasticity"]["form"]
    synaptic, of_post = plasticity.RECORDED[form]
    for name, (synapses, _) in circuit.plastic_projections().items():
        keys += [f"{name}.j", *(f"{name}.{v}" for v in synaptic),
                 *(f"{synapses.target.name}.{v}" for v in of_post)]
    return sorted({*keys, "vta_da.p_vta", *AGENT_VARIABLES})


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


def weight_samples(read, warmup: float) -> tuple:
    """Sample times (s, warm-up cut off) and {projection: (n_t, n_synapses) weights}."""
    names = [name for name, _, _, _, kind in projections() if kind == PLASTIC]
    if not names:
        return np.zeros(0), {}
    t = read(f"weights_{names[0]}.t") - warmup
    keep = t >= -1e-9
    return t[keep], {name: read(f"weights_{name}.w")[keep] for name in names}


def collect(read, warmup: float, recorded: float, record: dict, sizes: dict) -> dict:
    """Spikes, smoothed population rates and traces, with the warm-up cut off, from the
    arrays `read` gives ("object.variable", SI units); `sizes` of the populations."""
    spikes = {}
    for name in sizes:
        t = read(f"spikes_{name}.t") - warmup
        keep = t >= 0
        spikes[name] = (t[keep], read(f"spikes_{name}.i").astype(np.int32)[keep])

    t_trace = read("trace_volume.t") - warmup
    keep = t_trace >= -1e-9
    traces = {}
    for variable, stem in _VOLUME_TRACES.items():
        values = read(f"trace_volume.{variable}") / NANOMOLAR
        for index, compartment in enumerate(COMPARTMENTS):
            name = f"{stem}_{compartment}"
            if name in _KEPT:
                traces[f"{name}_nM"] = values[:, index][keep]
    for receptor, population in OCCUPANCIES:
        traces[f"occ_{receptor}_{population}"] = read(
            f"trace_{population}.occ_{receptor}")[:, 0][keep]
    traces["vta_potentiation"] = read("trace_vta_da.p_vta")[:, 0][keep]

    rate_t, rates = population_rates(spikes, sizes, recorded, record)
    weight_t, weights = weight_samples(read, warmup)
    return dict(spikes=spikes, traces=traces, trace_t=t_trace[keep], rate_t=rate_t,
                rates=rates, weight_t=weight_t, weights=weights,
                decisions=decisions(read, warmup))


def decisions(read, warmup: float) -> dict:
    """The agent at every decision: time (s) and (n_decisions, n_options) arrays."""
    t = read("trace_agent.t") - warmup
    keep = t > 0
    values = {"t": t[keep]}
    for variable in DECISION_VARIABLES:
        values[variable] = read(f"trace_agent.{variable}")[keep]
    # the drug cue's value is the subject's, learnt on the drug option's neuron: every
    # option's row shows it
    values["cue_value"] = np.repeat(values["cue_value"][:, [DRUG]],
                                    values["cue_value"].shape[1], axis=1)
    return values


def population_rates(spikes: dict, sizes: dict, recorded: float, record: dict):
    """Population rates (Hz per neuron), binned at rate_dt and Gaussian-smoothed."""
    dt = float(record["rate_dt"] / second)
    sigma = float(record["rate_smoothing"] / second) / dt
    edges = np.arange(0.0, recorded + dt / 2, dt)
    rates = {}
    for name, (t, _) in spikes.items():
        counts, _ = np.histogram(t, bins=edges)
        rates[name] = gaussian_filter1d(counts / (sizes[name] * dt), sigma, mode="nearest")
    return edges[:-1], rates
