"""Neuron populations: VTA DA and GABA, NAc D1/D2 MSNs and PV interneurons, PVN OXT,
and the glutamatergic afferent pools."""

from __future__ import annotations

from dataclasses import dataclass

from brian2 import NeuronGroup, TimedArray, pA

from . import equations as eq
from . import plasticity

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
    "msn": (eq.MSN + plasticity.MODULATOR + "n_da : 1\n", eq.MSN_RESET,
            "v_r + rand() * (v_t - v_r) / 4", {"u": "0 * amp", "E_c": "1"}),
    "fast_spiking": (eq.FAST_SPIKING, eq.FAST_SPIKING_RESET, "v_r + rand() * (v_t - v_r)",
                     {"u": "0 * amp", "I_bias": "I_bias_mean + I_bias_sd * randn()"}),
    "adex": (eq.ADEX + eq.VTA_POTENTIATION, eq.ADEX_RESET, "E_L + rand() * (V_T - E_L)",
             {"w_adapt": "0 * amp", "I_bias": "I_bias_mean + I_bias_sd * randn()",
              "p_vta": "p_vta_initial"}),
}

#: Compartment of the volume group whose [DA] and [OXT] each population sees.
NAC, VTA = 0, 1
COMPARTMENT = {"vta_da": VTA, "vta_gaba": VTA, "nac_d1": NAC, "nac_d2": NAC, "nac_pv": NAC}

#: Mechanism switch that gates the OXTR current of each population (M2, M5).
OXTR_CURRENT = {"nac_pv": ("pv_excitation", "pv_current"),
                "vta_da": ("vta_excitation", "da_current")}

#: Receptor keys in the config and the equation variable each one scales.
_RECEPTOR_VARIABLES = {"d1r": "d1r_expression", "d2r": "d2r_availability",
                       "oxtr": "oxtr_expression"}
_RECEPTOR_CONSTANTS = ("Kd_d1", "Kd_d2", "Kd_oxtr", "heteromer_fold")


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


def build_population(name: str, config: dict, method: str) -> Population:
    """A NeuronGroup for population `name` (parameters come from `population_parameters`)."""
    model, _ = CELL_MODELS[name]
    equations, reset, _, _ = _TEMPLATES[model]
    group = NeuronGroup(population_size(config, name), equations, threshold="v > v_peak",
                        reset=reset, method=method, name=name)
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
    return dict(plasticity_on=float(rule["enabled"]), canonical=float(rule["canonical"]),
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
    values["d2r_availability"] *= receptors["d2r_availability"]
    values.update({key: receptors[key] for key in _RECEPTOR_CONSTANTS})
    values["M1"] = float(config["mechanisms"]["heteromer"])
    return values


def build_afferent(name: str, config: dict, drive: TimedArray) -> NeuronGroup:
    """A Poisson pool: a constant rate, plus the protocol's drive on its first `n_driven`
    neurons (a cue or burst pattern carried by part of the pool)."""
    return NeuronGroup(
        config["afferents"][name]["size"],
        "rate = rate_base + drive(t) * int(i < n_driven) : Hz\n"
        "rate_base : Hz (shared, constant)\nn_driven : 1 (shared, constant)",
        threshold="rand() < rate * dt",
        namespace={"drive": drive},
        name=name,
    )


def afferent_parameters(name: str, config: dict) -> dict:
    """The constant rate of afferent pool `name` and how many of its neurons are driven."""
    spec = config["afferents"][name]
    return {"rate_base": spec["rate"], "n_driven": round(spec["drive_fraction"] * spec["size"])}
