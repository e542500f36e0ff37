"""Assemble the whole circuit into an explicit `brian2.Network`.

Building happens in steps so that the runner can seed the random number generator and
apply parameters in the right order: `assemble` creates every object (nothing random,
no values), `parameter_table` computes every value from the config, `Circuit.connect`
draws connections and `Circuit.initialise` initial states (random, so after seeding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import Hz, Network, NeuronGroup, TimedArray, mmolar, second

from . import connectivity, fields, plasticity, populations

POPULATIONS = tuple(populations.CELL_MODELS)
AFFERENTS = ("cortex", "amygdala", "hippocampus", "vta_input", "pvn_input")

#: Time courses a protocol may drive, with their units: the cocaine infusion into the
#: depot compartment and an extra rate added to each afferent pool.
INPUT_UNITS = {"cocaine_infusion": mmolar / second, **{name: Hz for name in AFFERENTS}}

#: Integration method for every group (Izhikevich and AdEx models are not linear).
METHOD = "euler"


@dataclass
class Circuit:
    """The Brian2 objects of the circuit."""

    config: dict
    populations: dict
    afferents: dict
    volume: NeuronGroup
    projections: dict
    couplings: list
    releases: list
    inputs: dict
    rng: NeuronGroup

    def plastic_projections(self) -> dict:
        """{name: (synapses, config key)} of the afferent -> MSN projections that learn."""
        return {name: (synapses, key) for name, (synapses, key, kind) in self.projections.items()
                if kind == connectivity.PLASTIC}

    def connect(self) -> None:
        """Draw the random connections (call after seeding)."""
        for synapses, key, _ in self.projections.values():
            connectivity.connect_projection(synapses, key, self.config)

    def initialise(self) -> None:
        """Draw weights and initial states from the run-time constants (after seeding)."""
        for synapses, _, _ in self.projections.values():
            connectivity.initialise_weights(synapses)
        for population in self.populations.values():
            populations.initialise_population(population)
        fields.initialise_volume(self.volume)

    def network(self, *extra) -> Network:
        """An explicit Network with every object of the circuit plus `extra` (monitors)."""
        objects = [self.rng, self.volume, *self.afferents.values(), *self.couplings,
                   *self.releases, *(p.group for p in self.populations.values()),
                   *(s for s, _, _ in self.projections.values()), *extra]
        return Network(*objects)


def input_arrays(values: dict, n_samples: int) -> dict:
    """Samples for every input channel as Quantity arrays; missing channels are zero."""
    arrays = {}
    for name, unit in INPUT_UNITS.items():
        samples = np.asarray(values.get(name, np.zeros(n_samples)), dtype=float)
        if samples.shape != (n_samples,):
            raise ValueError(f"input {name!r} has {samples.shape} samples, expected {n_samples}")
        arrays[name] = samples * unit
    return arrays


def assemble(config: dict, inputs: dict, input_dt) -> Circuit:
    """Create every group and synapse of the circuit described by `config`.

    `inputs` maps each input channel (see INPUT_UNITS) to Quantity samples, one every
    `input_dt`, as made by `input_arrays`.
    """
    timed = {name: TimedArray(values, dt=input_dt, name=f"input_{name}")
             for name, values in inputs.items()}
    rng = NeuronGroup(1, "seed_value : 1 (shared, constant)\nnoise_seed : 1 (shared, constant)",
                      name="rng")
    pops = {name: populations.build_population(name, config, METHOD) for name in POPULATIONS}
    afferents = {name: populations.build_afferent(name, config, timed[name])
                 for name in AFFERENTS}
    groups = {**{name: p.group for name, p in pops.items()}, **afferents}
    form = config["plasticity"]["form"]
    projections = {
        name: (connectivity.build_projection(name, groups[src], groups[dst], kind, form), key, kind)
        for name, key, src, dst, kind in connectivity.projections()
    }
    if form == "fast":
        _schedule_renewal(pops, projections, config["plasticity"]["renewal"])
    volume = fields.build_volume(timed["cocaine_infusion"], METHOD)
    couplings = [fields.build_coupling(volume, pops[name]) for name in fields.COMPARTMENT]
    releases = [fields.build_da_release(pops["vta_da"].group, volume),
                *fields.build_oxt_release(pops["pvn_oxt"].group, volume)]
    return Circuit(config, pops, afferents, volume, projections, couplings, releases,
                   timed, rng)


def _schedule_renewal(pops: dict, projections: dict, period) -> None:
    """Fast plasticity: synapses flush (order 0), then their MSNs restart Q (order 1)."""
    for synapses, _, kind in projections.values():
        if kind == connectivity.PLASTIC:
            connectivity.add_renewal(synapses, period)
    for population in pops.values():
        if population.model == "msn":
            population.group.run_regularly(plasticity.NEURON_RENEWAL, dt=period, when="end",
                                           order=1, name=f"{population.name}_renewal")


def parameter_table(config: dict) -> dict:
    """Every shared constant of the circuit: {object name: {variable: value}}."""
    table = {name: populations.population_parameters(name, config) for name in POPULATIONS}
    table.update({name: populations.afferent_parameters(name, config) for name in AFFERENTS})
    table.update({name: connectivity.projection_parameters(key, kind, config)
                  for name, key, _, _, kind in connectivity.projections()})
    table["volume"] = fields.volume_parameters(config)
    table["da_release"] = fields.da_release_parameters(
        config, populations.population_size(config, "vta_da"))
    n_oxt = populations.population_size(config, "pvn_oxt")
    table.update({name: fields.oxt_release_parameters(name, config, n_oxt)
                  for name in fields.OXT_RELEASES})
    table["rng"] = {"seed_value": float(config["simulation"]["seed"]),
                    "noise_seed": float(noise_seed(config))}
    return table


def noise_seed(config: dict) -> int:
    """The seed of everything random after connectivity and initial states are drawn
    (input spikes, noise): one stream per (seed, session), so a subject's sessions share
    their connectivity and differ in their noise."""
    simulation = config["simulation"]
    sequence = np.random.SeedSequence([int(simulation["seed"]), int(simulation["session"])])
    return int(sequence.generate_state(1)[0])
