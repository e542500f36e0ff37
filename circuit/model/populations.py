"""Neuron populations: VTA DA and GABA, NAc D1/D2 MSNs and PV interneurons, PVN OXT,
and the glutamatergic afferent pools."""

from __future__ import annotations

from dataclasses import dataclass

from brian2 import NeuronGroup, TimedArray, pA

from . import equations as eq
from . import pharmacology, plasticity
from .agent import OPTIONS

#: Which equations each population uses, and which config block holds its parameters.
CELL_MODELS = {
    "vta_da": ("adex", "vta_da"),
    "vta_gaba": ("fast_spiking", "vta_gaba"),
    "nac_d1": ("msn", "msn"),
    "nac_d2": ("msn", "msn"),
    "nac_pv": ("fast_spiking", "nac_pv"),
    "pvn_oxt": ("adex", "pvn_oxt"),
}

_TEMPLATES = {
    "msn": (eq.MSN + plasticity.MODULATOR, eq.MSN_RESET,
            "v_r + rand() * (v_t - v_r) / 4",
            {"u": "0 * amp", "E_c": "1", "occ_tracked": "occ_reference"}),
    "fast_spiking": (eq.FAST_SPIKING, eq.FAST_SPIKING_RESET, "v_r + rand() * (v_t - v_r)",
                     {"u": "0 * amp", "I_bias": "I_bias_mean + I_bias_sd * randn()"}),
    "adex": (eq.ADEX + eq.VTA_POTENTIATION, eq.ADEX_RESET, "E_L + rand() * (V_T - E_L)",
             {"w_adapt": "0 * amp", "I_bias": "I_bias_mean + I_bias_sd * randn()",
              "p_vta": "p_vta_initial"}),
}

#: Compartment of the volume group whose [DA] and [OXT] each population sees.
NAC, VTA = 0, 1
COMPARTMENT = {"vta_da": VTA, "vta_gaba": VTA, "nac_d1": NAC, "nac_d2": NAC, "nac_pv": NAC}

#: Mechanism switch that gates the OXTR current of each population: M2 on PV cells, and
#: on VTA DA neurons the action of OXT in the VTA volume (what a systemic dose does to DA
#: firing), a switch of its own: M5, the social reward's phasic OXT input, is not this
#: current but the agent's social DA burst (pharmacology.social_da_gate).
OXTR_CURRENT = {"nac_pv": ("pv_excitation", "pv_current"),
                "vta_da": ("vta_volume_excitation", "da_current")}

#: Cells with mu-opioid receptors that an opioid drug inhibits (VTA GABA neurons:
#: opioids disinhibit DA neurons, SCIENCE.md sec. 2).
MOR_CELLS = ("vta_gaba",)
#: Cells the CRF-like stress input drives (SCIENCE.md M7: VTA and PVN).
STRESS_CELLS = ("vta_da", "pvn_oxt")

#: Receptor keys in the config and the equation variable each one scales.
_RECEPTOR_VARIABLES = {"d1r": "d1r_expression", "d2r": "d2r_availability",
                       "oxtr": "oxtr_expression"}
_RECEPTOR_CONSTANTS = ("Kd_d1", "Kd_d2", "Kd_oxtr", "heteromer_fold", "heteromer_coupling")


@dataclass
class Population:
    """A neuron group with the name of its cell model."""

    name: str
    model: str
    group: NeuronGroup


def population_size(config: dict, name: str) -> int:
    """Number of neurons of population `name` after applying `network.scale`."""
    scaled = config["network"]["sizes"][name] * config["network"]["scale"]
    return max(1, int(round(scaled)))


def build_population(name: str, config: dict, method: str, stress: TimedArray) -> Population:
    """A NeuronGroup for population `name` (parameters come from `population_parameters`);
    `stress` is the protocol's stress drive, read by the AdEx cells."""
    model, _ = CELL_MODELS[name]
    equations, reset, _, _ = _TEMPLATES[model]
    if name not in COMPARTMENT:  # outside both compartments: no concentration to read
        equations = "\n".join(line for line in equations.splitlines() if "(linked)" not in line)
    group = NeuronGroup(population_size(config, name), equations, threshold="v > v_peak",
                        reset=reset, method=method, namespace={"stress": stress}, name=name)
    return Population(name, model, group)


def population_parameters(name: str, config: dict) -> dict:
    """Values of the shared constants of population `name`."""
    model, block = CELL_MODELS[name]
    values = {**config["neurons"][block], **config["synapses"]}
    values.update(receptor_parameters(name, config))
    if model == "msn":
        values.update(modulator_parameters(name, config))
    if model == "adex":
        values.update(vta_potentiation_parameters(config))
    if model != "msn":
        switch, strength = OXTR_CURRENT.get(name, (None, None))
        values["M_oxtr"] = float(config["mechanisms"][switch]) if switch else 0.0
        values["I_oxtr_max"] = config["oxt_actions"][strength] if strength else 0 * pA
        values["tau_outcome"] = config["behaviour"]["tau_outcome"]
    if model == "fast_spiking":
        opioid = config["fields"]["opioid"]
        on_mor = name in MOR_CELLS
        values.update(mor_action=pharmacology.effective(config)["mor_action"] * on_mor,
                      I_mor_max=opioid["I_mor"], K_mor=opioid["K_mor"])
    if model == "adex":
        values.update(stress_gain=float(name in STRESS_CELLS),
                      stress_oxt_gain=config["oxt_actions"]["stress_dampening"],
                      M7=float(config["mechanisms"]["stress_dampening"]))
    return values


def initialise_population(population: Population) -> None:
    """Random initial state; runs after seeding, so it follows the run's seed."""
    _, _, v_init, others = _TEMPLATES[population.model]
    population.group.v = v_init
    for variable, expression in others.items():
        setattr(population.group, variable, expression)


#: Cell-type third factor: (receptor that gates plasticity, sign). D1R above reference
#: gates LTP in D1 MSNs; D2R above reference gives LTD in D2 MSNs (Shen et al. 2008).
MODULATION = {"nac_d1": ("d1r", 1.0), "nac_d2": ("d2r", -1.0)}


def modulator_parameters(name: str, config: dict) -> dict:
    """The plasticity third factor of an MSN population (see circuit.model.plasticity)."""
    rule, receptors = config["plasticity"], config["receptors"]
    receptor, sign = MODULATION[name]
    expression = receptor_parameters(name, config)
    reference = rule["da_reference"]
    if receptor == "d1r":
        occupancy = expression["d1r_expression"] * reference / (reference + receptors["Kd_d1"])
    else:
        occupancy = expression["d2r_availability"] * reference / (reference + receptors["Kd_d2"])
    dead_zone = rule["dead_zone_d1"] if receptor == "d1r" else rule["dead_zone_d2"]
    rise_floor = 0.0 if receptor == "d1r" else rule["d2_ltd_activation"] * occupancy
    return dict(adaptive=float(rule["reference"] == "adaptive"), dead_zone=float(dead_zone),
                rise_floor=float(rise_floor),
                tau_reference=rule["tau_reference"],
                plasticity_on=float(rule["enabled"]), canonical=float(rule["canonical"]),
                b_da=rule["b"], tau_c=rule["tau_c"], modulation_sign=sign,
                d1_gated=float(receptor == "d1r"), occ_reference=float(occupancy))


def vta_potentiation_parameters(config: dict) -> dict:
    """Drug-evoked potentiation constants (only VTA DA neurons see cocaine)."""
    vta = config["plasticity"]["vta"]
    return dict(k_vta=vta["rate"], nmda_available=vta["nmda"], K_cocaine_vta=vta["K_cocaine"],
                tau_vta=vta["tau_decay"], p_vta_initial=vta["initial"])


def receptor_parameters(name: str, config: dict) -> dict:
    """Receptor expression, affinities and the heteromer switch of population `name`."""
    receptors = config["receptors"]
    cells = receptors["cells"].get(name, {})
    values = {variable: float(cells.get(key, 0.0))
              for key, variable in _RECEPTOR_VARIABLES.items()}
    values["oxtr_expression"] = pharmacology.oxtr_expression(config, name)
    values["d2r_availability"] *= receptors["d2r_availability"]
    values.update({key: receptors[key] for key in _RECEPTOR_CONSTANTS})
    drugs = pharmacology.effective(config)
    values.update(Kd_oxtr=drugs["Kd_oxtr"], d2_agonist=drugs["d2_agonist"],
                  d2_antagonist=drugs["d2_antagonist"])
    values["M1"] = heteromer_at(config, "postsynaptic")
    return values


#: Where the D2R-OXTR heteromer may act (SCIENCE.md M1): `receptors.heteromer_site`
#: names one of these or `both`.
HETEROMER_SITES = ("postsynaptic", "autoreceptor")


def heteromer_at(config: dict, site: str) -> float:
    """M1's switch at `site`: 1 when the heteromer is on and its site includes `site`."""
    chosen = config["receptors"]["heteromer_site"]
    return float(config["mechanisms"]["heteromer"] and chosen in (site, "both"))


#: A Poisson afferent pool. Each cell fires as an inhomogeneous Poisson process by time
#: rescaling (Brown et al. 2002): it integrates its rate (`intensity`, the expected number
#: of spikes since its last one) and spikes when that reaches a unit exponential draw
#: (`next_spike`), drawn anew at each spike. A random number is drawn per spike, not per
#: cell and time step, and the spike count in a step follows the rate exactly for a rate
#: that is constant over the step (P(spike) = 1 - exp(-rate dt)).
#: Besides its constant rate and the protocol's drive on its
#: first `n_driven` neurons, a pool may hold ensembles (consecutive blocks of
#: `ensemble_size` neurons, ensemble k for behavioural option k): an option ensemble
#: fires at `option_rate` more while its option is presented (`option_window(t)` = k)
#: unless the option was withdrawn (`silenced_until`, exclusive choice); ensemble 0 of a
#: cue pool fires at `cue_rate` more while the drug-paired cue is on (`cue_until`).
#: The first `situation_coding` of each option ensemble's cells code the option in one
#: of two situations (`situation_code` +1 or -1, alternating): they fire at twice the
#: option's extra rate times the agent's belief that it is in the drug-taking situation
#: (`situation`, circuit.model.agent), or in the other; the ensemble's total drive is
#: the same for any belief, and which synapses an option's presentation engages (and so
#: which learn) follows the belief. The other cells code the option alone.
AFFERENT = """
dintensity/dt = rate : 1
next_spike : 1
rate = rate_base + drive(t) * int(i < n_driven)
       + option_rate * int(ensemble == option_window(t)) * int(ensemble >= 0)
         * int(t >= silenced_until) * situation_gain
       + cue_rate * int(ensemble == 0) * int(t < cue_until) : Hz
situation_gain = 1 + abs(situation_code) * (2 * (int(situation_code > 0) * situation
                 + int(situation_code < 0) * (1 - situation)) - 1) : 1
situation : 1 (linked)
situation_code : 1
ensemble : 1
cue_until : second
silenced_until : second
rate_base : Hz (shared, constant)
n_driven : 1 (shared, constant)
option_rate : Hz (shared, constant)
cue_rate : Hz (shared, constant)
ensemble_size : 1 (shared, constant)
n_ensembles : 1 (shared, constant)
situation_coding : 1 (shared, constant)
"""
#: A unit exponential draw: 1 - rand() lies in (0, 1], so the draw is finite.
UNIT_EXPONENTIAL = "-log(1 - rand())"
AFFERENT_RESET = f"intensity = 0; next_spike = {UNIT_EXPONENTIAL}"
#: Ensemble index of each afferent (-1: none), from run-time constants.
ENSEMBLE_INIT = ("int(i < n_ensembles * ensemble_size) * (floor(i / ensemble_size) + 1) - 1")
#: Situation coding of each afferent (see AFFERENT), after its ensemble: the first
#: `situation_coding` of an option ensemble's cells, alternately +1 and -1; 0 otherwise.
SITUATION_INIT = ("int(ensemble >= 0) * int(i - ensemble * ensemble_size"
                  " < situation_coding * ensemble_size) * (1 - 2 * (i % 2))")


def build_afferent(name: str, config: dict, drive: TimedArray,
                   option_window: TimedArray) -> NeuronGroup:
    """A Poisson pool (see AFFERENT)."""
    return NeuronGroup(
        config["afferents"][name]["size"], AFFERENT,
        threshold="intensity > next_spike", reset=AFFERENT_RESET, method="euler",
        namespace={"drive": drive, "option_window": option_window},
        name=name,
    )


def initialise_afferent(group: NeuronGroup) -> None:
    """Ensemble membership and situation coding, no cue or withdrawal pending, and a
    first spike threshold."""
    group.ensemble = ENSEMBLE_INIT
    group.situation_code = SITUATION_INIT
    group.cue_until = "-1 * second"
    group.silenced_until = "-1 * second"
    group.next_spike = UNIT_EXPONENTIAL


def afferent_parameters(name: str, config: dict) -> dict:
    """Rates, the driven part and the ensembles of afferent pool `name`."""
    spec = config["afferents"][name]
    role = config["behaviour"]["ensembles"].get(name, "none")
    size = int(config["behaviour"]["ensemble_size"])
    n_ensembles = {"options": len(OPTIONS), "cue": 1}.get(role, 0)
    return {"rate_base": spec["rate"], "n_driven": round(spec["drive_fraction"] * spec["size"]),
            "option_rate": config["behaviour"]["option_rate"] * (role == "options"),
            "cue_rate": config["behaviour"]["cue_rate"] * (role == "cue"),
            "ensemble_size": float(max(size, 1)), "n_ensembles": float(n_ensembles),
            "situation_coding": config["behaviour"]["situation_coding"] * (role == "options")}
