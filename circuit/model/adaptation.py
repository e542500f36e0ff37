"""Slow adaptations between sessions: D2R availability falls with drug exposure; the OXT
tone rises with adolescent OXT (M6).

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
