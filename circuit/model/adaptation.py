"""Slow adaptations between sessions: D2R availability falls with drug exposure; the OXT
tone rises with adolescent OXT (M6); the weeks between adolescence and adult training
scale each MSN population's plastic inputs back towards their baseline
(`plasticity.scaling_after_adolescence`, 1 by default: all the way).

Chronic drug lowers D2R availability 15-20% within a week of self-administration and
~20% after long use (Nader et al. 2006). Availability a approaches a floor with the
drug exposure E (the integral of brain [drug] over a session):

    a' = floor + (a - floor) exp(-E / exposure_scale)

and recovers towards 1 in abstinence (`State.aged`).
"""

from __future__ import annotations

import numpy as np
from brian2 import nmolar, second

from . import pharmacology
from .connectivity import PROJECTIONS


def exposure(t: np.ndarray, drug_nM: np.ndarray) -> float:
    """Integral of [drug] (nM s) over a trace sampled at times `t` (s)."""
    if len(t) < 2:
        return 0.0
    return float(np.trapezoid(drug_nM, t))


def d2r_after_session(availability: float, t: np.ndarray, drug_nM: np.ndarray,
                      config: dict) -> float:
    """D2R availability at the end of a session with the given drug trace."""
    loss = config["receptors"]["d2r_loss"]
    scale = float(loss["exposure_scale"] / (nmolar * second))
    floor = float(loss["floor"])
    if availability <= floor:
        return float(availability)
    return float(floor + (availability - floor) * np.exp(-exposure(t, drug_nM) / scale))


def tone_after_session(tone: float, config: dict) -> float:
    """The endogenous OXT tone after a session: an adolescent session with OXT (M6) raises
    it by `interventions.adolescent_oxt.tone_gain`, for life (the up-regulation of the OXT
    system that Hicks et al. 2016 and Bowen et al. 2011 saw in adults pretreated as
    adolescents); every other session leaves it."""
    if pharmacology.adolescent_dosing(config):
        return tone + float(config["interventions"]["adolescent_oxt"]["tone_gain"])
    return tone


#: The inputs that depotentiation acts on: cortical afferents to D1 MSNs, the synapses
#: whose cocaine-evoked potentiation Pascoli et al. 2012 reversed (SCIENCE.md finding 6).
DEPOTENTIATED = ("cortex_to_nac_d1",)
#: Baseline synaptic weight (weights are drawn around 1: connectivity.initialise_weights).
BASELINE_WEIGHT = 1.0


def depotentiated(weights: dict, fraction: float) -> dict:
    """Plastic weights after LTD of the potentiated cortex -> D1 inputs: a weight above
    the baseline keeps (1 - fraction) of its excess; weights at or below it are kept."""
    out = dict(weights)
    for name in DEPOTENTIATED:
        if name in out:
            w = np.asarray(out[name], dtype=np.float64)
            excess = np.clip(w - BASELINE_WEIGHT, 0.0, None)
            out[name] = w - fraction * excess
    return out


def scaled_to_baseline(weights: dict, fraction: float, w_max: float) -> dict:
    """Plastic weights after a multiplicative scaling of each MSN population's inputs:
    every weight onto one postsynaptic population (all its plastic projections together)
    is multiplied by one factor, (BASELINE_WEIGHT / mean) ** fraction, where `mean` is the
    population's mean plastic weight over all its synapses; `fraction` 1 restores that
    mean to the baseline, 0 changes nothing. Multiplicative, as synaptic scaling is
    (Turrigiano et al. 1998: cultured neocortical neurons scale all their mEPSC
    amplitudes by one factor after ~2 days of blocked activity), so the inputs' relative
    strengths are kept, up to the rule's bound `w_max`, which no weight passes. The set
    point (the baseline mean weight, where the sources' is the neuron's activity) and
    per population rather than per neuron (the state keeps no postsynaptic index per
    synapse; a change common to every input, as the adolescent OXT-LTD of M4, is the same
    either way) are choices. A population whose inputs have all fallen to 0 stays there;
    one whose mean is near 0 is scaled by a large factor, its strongest inputs to `w_max`."""
    if fraction == 0.0:
        return dict(weights)
    groups: dict = {}
    for name in weights:
        groups.setdefault(PROJECTIONS[name][1], []).append(name)
    out = dict(weights)
    for names in groups.values():
        arrays = [np.asarray(weights[name], dtype=np.float64) for name in names]
        total = sum(a.size for a in arrays)
        mean = sum(float(a.sum()) for a in arrays) / total if total else 0.0
        if mean <= 0.0:
            continue  # nothing left to scale
        factor = (BASELINE_WEIGHT / mean) ** fraction
        for name, a in zip(names, arrays):
            out[name] = np.clip(a * factor, 0.0, w_max)
    return out
