"""Synaptic connections within and between the populations and afferent pools.

Connection probabilities are structural (changing one rebuilds the network); the
conductances and weight spread are shared constants that experiments can vary freely.
"""

from __future__ import annotations

from brian2 import Synapses

from . import equations as eq
from . import pharmacology, plasticity

EXCITATORY, PLASTIC, POTENTIATED, INHIBITORY = "excitatory", "plastic", "potentiated", "inhibitory"
#: Excitatory, with M8's release factor (the PV cells' cortical input).
THINNED = "thinned"

#: Every projection: config key -> (source, target, kind). MSN collaterals share one
#: config entry (`msn_collaterals`) across the four D1/D2 pairs.
PROJECTIONS = {
    "cortex_to_nac_d1": ("cortex", "nac_d1", PLASTIC),
    "cortex_to_nac_d2": ("cortex", "nac_d2", PLASTIC),
    "cortex_to_nac_pv": ("cortex", "nac_pv", THINNED),
    "amygdala_to_nac_d1": ("amygdala", "nac_d1", PLASTIC),
    "amygdala_to_nac_d2": ("amygdala", "nac_d2", PLASTIC),
    "hippocampus_to_nac_d1": ("hippocampus", "nac_d1", PLASTIC),
    "hippocampus_to_nac_d2": ("hippocampus", "nac_d2", PLASTIC),
    "nac_pv_to_nac_d1": ("nac_pv", "nac_d1", INHIBITORY),
    "nac_pv_to_nac_d2": ("nac_pv", "nac_d2", INHIBITORY),
    "vta_input_to_vta_da": ("vta_input", "vta_da", POTENTIATED),
    "vta_input_to_vta_gaba": ("vta_input", "vta_gaba", EXCITATORY),
    "vta_gaba_to_vta_da": ("vta_gaba", "vta_da", INHIBITORY),
    "pvn_input_to_pvn_oxt": ("pvn_input", "pvn_oxt", EXCITATORY),
}
MSN_COLLATERALS = [(pre, post) for pre in ("nac_d1", "nac_d2") for post in ("nac_d1", "nac_d2")]

_MODELS = {
    EXCITATORY: (eq.EXCITATORY, eq.EXCITATORY_ON_PRE),
    POTENTIATED: (eq.EXCITATORY, eq.POTENTIATED_ON_PRE),
    THINNED: (plasticity.THINNED, plasticity.THINNED_ON_PRE),
    INHIBITORY: (eq.INHIBITORY, eq.INHIBITORY_ON_PRE),
}
#: Plasticity constants a plastic synapse takes from the ``plasticity`` config section
#: as they are (the critical period depends on the session: pharmacology.critical_period).
_RULE_CONSTANTS = ("tau_plus", "tau_minus", "A_plus", "A_minus", "pre_threshold", "eta", "w_max", "A_oxt",
                   "oxtr_terminals", "oxt_ltd_gate")


def projections() -> list:
    """All (name, config key, source, target, kind), collaterals expanded."""
    items = [(key, key, *spec) for key, spec in PROJECTIONS.items()]
    items += [(f"{pre}_to_{post}", "msn_collaterals", pre, post, INHIBITORY)
              for pre, post in MSN_COLLATERALS]
    return items


def build_projection(name: str, source, target, kind: str, form: str = "fast") -> Synapses:
    """Synapses for one projection (parameters come from `projection_parameters`).

    Plastic projections use the three-factor rule in `form` ('fast' or 'clock'); the fast
    form gets its periodic renewal (see circuit.model.plasticity).
    """
    if kind != PLASTIC:
        model, on_pre = _MODELS[kind]
        return Synapses(source, target, model, on_pre=on_pre, name=name)
    model, on_pre, on_post = plasticity.FORMS[form]
    return Synapses(source, target, model, on_pre=on_pre, on_post=on_post, name=name)


def add_renewal(synapses: Synapses, period) -> None:
    """Schedule the fast form's flush-and-restart, before the neurons reset Q."""
    synapses.run_regularly(plasticity.FAST_RENEWAL, dt=period, when="end", order=0,
                           name=f"{synapses.name}_renewal")


def projection_parameters(key: str, kind: str, config: dict) -> dict:
    """Values of the shared constants of a projection, from ``connections.<key>``."""
    spec = config["connections"][key]
    values = {"g_max": spec["g_max"], "w_cv": spec["w_cv"]}
    if kind in (EXCITATORY, PLASTIC, POTENTIATED, THINNED):
        values["nmda_ratio"] = spec["nmda_ratio"]
    if kind == PLASTIC:
        values.update({key: config["plasticity"][key] for key in _RULE_CONSTANTS})
        rule = config["plasticity"]
        values["M4"] = float(config["mechanisms"]["oxt_ltd"] and rule["enabled"]
                             and oxt_ltd_reaches(config, PROJECTIONS[key][1]))
        values["critical_period"] = pharmacology.critical_period(config)
    if kind in (PLASTIC, THINNED):
        values.update(release_parameters(config, at_msns=kind == PLASTIC))
        if kind == THINNED:
            values["tau_plus"] = config["plasticity"]["tau_plus"]
    return values


def release_parameters(config: dict, at_msns: bool) -> dict:
    """M8's constants (and the tonic OXTR occupancy it counts from): on at the MSNs'
    inputs with its switch, at the PV cells' only with `oxt_actions.glutamate_release_pv`
    too."""
    actions = config["oxt_actions"]
    reference, kd = config["plasticity"]["oxt_reference"], pharmacology.effective(config)["Kd_oxtr"]
    on = config["mechanisms"]["glutamate_release"] and (at_msns or actions["glutamate_release_pv"])
    return {"M8": float(on), "glu_release_cut": actions["glutamate_release_cut"],
            "glu_release_gate": actions["glutamate_release_gate"],
            "occ_oxt_reference": float(reference / (reference + kd))}


def oxt_ltd_reaches(config: dict, target: str) -> bool:
    """Whether M4 reaches the plastic inputs of `target` (`plasticity.oxt_ltd_site`)."""
    site = config["plasticity"]["oxt_ltd_site"]
    return site == "both" or target == f"nac_{site}"


def connect_projection(synapses: Synapses, key: str, config: dict) -> None:
    """Draw the connections (random, so after seeding)."""
    spec = config["connections"][key]
    synapses.connect(condition="i != j" if synapses.source is synapses.target else None,
                     p=spec["p"])


def initialise_weights(synapses: Synapses) -> None:
    """Weights around 1 with the projection's coefficient of variation."""
    synapses.w = "clip(1 + w_cv * randn(), 0, inf)"
