"""Interventions and drugs: the effective receptor and field values of a session.

Each intervention is a config block (`interventions.*`). Acute ones list the
behavioural phases in which they are given (`phases`, or `[all]`); a knock-out is
lifelong. `effective` turns the blocks that act in the current session's phase
(`session.phase`) into the values the equations use, so the model code never looks at
an intervention itself.
"""

from __future__ import annotations

#: Receptor holders an OXTR knock-out can target.
KNOCKOUT_CELLS = ("nac_pv", "nac_d2", "vta_da")


def given(config: dict, block: str) -> bool:
    """Whether intervention `block` acts in this session's phase."""
    spec = config["interventions"][block]
    phases = spec["phases"]
    return spec["given"] and ("all" in phases or config["session"]["phase"] in phases)


def effective(config: dict) -> dict:
    """Field, receptor and drug values after this session's interventions."""
    interventions, fields = config["interventions"], config["fields"]
    oxt_dose = interventions["oxt"]["dose"] if given(config, "oxt") else 0.0
    if adolescent_dosing(config):
        oxt_dose = oxt_dose + interventions["adolescent_oxt"]["dose"]
    antagonist = (interventions["oxtr_antagonist"]["kd_fold"]
                  if given(config, "oxtr_antagonist") else 1.0)
    naltrexone = interventions["naltrexone"]["block"] if given(config, "naltrexone") else 0.0
    drug = fields["drug"]
    kinetics = fields["cocaine"] if drug == "cocaine" else fields["opioid"]
    tone = fields["oxt"]["tone"] if config["mechanisms"]["oxt_tone"] else 1.0
    return {
        "oxt_background": fields["oxt"]["background"] + oxt_dose * fields["oxt"]["brain_per_dose"],
        "Kd_oxtr": config["receptors"]["Kd_oxtr"] * antagonist,
        "d2_agonist": interventions["d2_agonist"]["level"] if given(config, "d2_agonist") else 0.0,
        "d2_antagonist": (interventions["d2_antagonist"]["level"]
                          if given(config, "d2_antagonist") else 0.0),
        "opioid_available": 1.0 - naltrexone,
        "mor_action": float(drug == "opioid") * (1.0 - naltrexone),
        "dat_block": float(drug == "cocaine"),
        "brain_per_dose": kinetics["brain_per_dose"],
        "tau_absorption": kinetics["tau_absorption"],
        "tau_elimination": kinetics["tau_elimination"],
        "oxt_tone": tone,
        "social_da_gate": social_da_gate(config, antagonist),
    }


#: The phase of the adolescent sessions: drug-free, with the OXT-LTD critical period open.
ADOLESCENCE = "adolescence"


def adolescent(config: dict) -> bool:
    """Whether this session is an adolescent one (drug-free, the critical period open)."""
    return config["session"]["phase"] == ADOLESCENCE


def adolescent_dosing(config: dict) -> bool:
    """Whether this session is an adolescent one in which adolescent OXT is given (M6)."""
    return config["interventions"]["adolescent_oxt"]["given"] and adolescent(config)


def critical_period(config: dict) -> float:
    """How open the OXT-LTD critical period is in this session: fully in adolescence
    (Nardou et al. 2019), `plasticity.critical_period` otherwise."""
    if adolescent(config):
        return 1.0
    return float(config["plasticity"]["critical_period"])


def social_da_gate(config: dict, antagonist_fold: float) -> float:
    """How much of the social reward's DA burst its OXT input carries (M5): OXTR
    expression of VTA DA neurons, 0 with M5 off, and divided by an OXTR antagonist's Kd
    fold (at low occupancy, occupancy falls in proportion to the apparent Kd)."""
    if not config["mechanisms"]["vta_excitation"]:
        return 0.0
    return oxtr_expression(config, "vta_da") / antagonist_fold


def oxtr_expression(config: dict, cell: str) -> float:
    """OXTR expression of `cell` (0 when knocked out)."""
    expression = float(config["receptors"]["cells"].get(cell, {}).get("oxtr", 0.0))
    knocked_out = cell in KNOCKOUT_CELLS and config["interventions"]["oxtr_knockout"][cell]
    return 0.0 if knocked_out else expression


def oxt_initial(config: dict):
    """Starting [OXT]: the resting level plus any exogenous OXT already at steady state."""
    extra = effective(config)["oxt_background"] - config["fields"]["oxt"]["background"]
    return config["fields"]["oxt"]["initial"] + extra


__all__ = ["ADOLESCENCE", "KNOCKOUT_CELLS", "adolescent", "adolescent_dosing", "critical_period",
           "effective", "given", "oxt_initial", "oxtr_expression"]
