"""Assemble the whole circuit into an explicit `brian2.Network`.

Building happens in steps so that the runner can seed the random number generator and
apply parameters in the right order: `assemble` creates every object (nothing random,
no values), `parameter_table` computes every value from the config, `Circuit.connect`
draws connections and `Circuit.initialise` initial states (random, so after seeding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import Hz, Network, NeuronGroup, TimedArray, mmolar, pA, second

from . import agent as agents
from . import connectivity, fields, plasticity, populations

POPULATIONS = tuple(populations.CELL_MODELS)
AFFERENTS = ("cortex", "amygdala", "hippocampus", "vta_input", "pvn_input")

#: Time courses a protocol may drive, with their units: the drug infusion into the
#: depot compartment, an extra rate added to each afferent pool, the option presented
#: to the agent (its index; -1: none) and the CRF-like stress drive.
INPUT_UNITS = {"cocaine_infusion": mmolar / second, **{name: Hz for name in AFFERENTS},
               "option_window": 1, "stress": pA}
#: Value of a channel the protocol leaves out.
INPUT_DEFAULTS = {"option_window": -1.0}

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
    inputs: dict  # the TimedArrays the built network reads, by input channel
    rng: NeuronGroup
    agent: NeuronGroup
    agent_synapses: list

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
        for afferent in self.afferents.values():
            populations.initialise_afferent(afferent)
        fields.initialise_volume(self.volume)
        agents.initialise_agent(self.agent)

    def network(self, *extra) -> Network:
        """An explicit Network with every object of the circuit plus `extra` (monitors)."""
        objects = [self.rng, self.volume, *self.afferents.values(), *self.couplings,
                   *self.releases, *(p.group for p in self.populations.values()),
                   self.agent, *self.agent_synapses,
                   *(s for s, _, _ in self.projections.values()), *extra]
        return Network(*objects)


def input_arrays(values: dict, n_samples: int) -> dict:
    """Samples for every input channel as Quantity arrays; missing channels are zero."""
    arrays = {}
    for name, unit in INPUT_UNITS.items():
        default = np.full(n_samples, INPUT_DEFAULTS.get(name, 0.0))
        samples = np.asarray(values.get(name, default), dtype=float)
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
    pops = {name: populations.build_population(name, config, METHOD, timed["stress"])
            for name in POPULATIONS}
    afferents = {name: populations.build_afferent(name, config, timed[name],
                                                  timed["option_window"])
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
    frozen = config["fields"]["form"] == "frozen"
    compartments = fields.build_fields(volume)
    for name, index in populations.COMPARTMENT.items():
        fields.link_population(pops[name], compartments[index][0])
    couplings = [item for pair in compartments.values() for item in pair]
    releases = [fields.build_da_release(pops["vta_da"].group, volume),
                *fields.build_oxt_release(pops["pvn_oxt"].group, volume)]
    agent = agents.build_agent(timed["option_window"])
    agents.schedule_decisions(agent, config["behaviour"]["window"])
    agents.link_dopamine(agent, volume, populations.NAC)
    for afferent in afferents.values():
        agents.link_situation(afferent, agent)
    roles = config["behaviour"]["ensembles"]
    agent_synapses = [
        *agents.build_counters(agent, pops["nac_d1"].group, pops["nac_d2"].group),
        *agents.build_outcomes(agent, volume, pops["vta_da"].group, pops["vta_gaba"].group,
                               pops["pvn_oxt"].group,
                               {pool: afferents[pool] for pool, role in roles.items() if role == "cue"},
                               afferents[_pool(roles, "options")])]
    if frozen:
        fields.freeze(volume, [*releases, *(s for s in agent_synapses
                                            if s.target is volume)])
        del timed["cocaine_infusion"]  # read by the volume alone, so not in a build
    return Circuit(config, pops, afferents, volume, projections, couplings, releases,
                   timed, rng, agent, agent_synapses)


def _pool(roles: dict, role: str) -> str:
    """The afferent pool that carries `role` (the config check makes it unique)."""
    return next(name for name in AFFERENTS if roles[name] == role)


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
    table["agent"] = agents.agent_parameters(config)
    table.update({agents.outcome_name(name): values
                  for name, values in agents.outcome_parameters(config).items()})
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
