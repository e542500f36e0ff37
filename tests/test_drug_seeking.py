"""Drug-seeking emerges from learning: the default experiment's calibration on the
reduced network (the default experiment runs at the reduced network's size).

A drug subject and a drug + OXT subject go through a short schedule (acquisition,
extinction, drug-primed reinstatement); a drug-naive subject is trained on the social
reward and then chooses between the drug and the social option. Unlike
tests/test_behaviour.py, nothing is forced: every press is the circuit's own decision.
The thresholds below are the qualitative findings of SCIENCE.md sec. 5 (Table 1 and
finding 10), checked on one seed; the default experiment (`make run`) shows them on
three seeds per group.
"""

from __future__ import annotations

import numpy as np
import pytest

import circuit
from circuit.running.subject import run_subject

from conftest import BEHAVIOUR
ACQUISITION = ["fr1_acquisition"] * 5
EXTINCTION = ["extinction"] * 3
DRUG_SCHEDULE = ACQUISITION + EXTINCTION + ["reinstatement_drug"]
SOCIAL_SCHEDULE = ["social_training"] * 4 + ["choice"]
OXT = ["interventions.oxt.given=on", "interventions.oxt.dose=1 mg/kg"]


def _subject(schedule, overrides=()):
    listed = ", ".join(schedule)
    config = circuit.load_config(BEHAVIOUR, [f"behaviour.schedule=[{listed}]", *overrides])
    config.source = str(BEHAVIOUR)
    return run_subject(config, {"group": "test", "seed": config["simulation"]["seed"]})


@pytest.fixture(scope="module")
def drug():
    return _subject(DRUG_SCHEDULE)


@pytest.fixture(scope="module")
def drug_oxt():
    return _subject(DRUG_SCHEDULE, OXT)


def _presses(result, phase, lever="active"):
    return np.array([row[lever] for row in result.sessions if row["phase"] == phase])


def test_acquisition_raises_active_lever_above_inactive(drug):
    active, inactive = _presses(drug, "acquisition"), _presses(drug, "acquisition", "inactive")
    assert active.sum() > 2 * inactive.sum()
    assert active[-2:].mean() > active[:2].mean()
    assert active[-1] > inactive[-1]


def test_extinction_lowers_drug_seeking(drug):
    extinction = _presses(drug, "extinction")
    assert extinction[-1] < extinction[0]


def test_drug_prime_reinstates_drug_seeking(drug):
    assert _presses(drug, "reinstatement")[0] > _presses(drug, "extinction")[-1]


def test_oxt_lowers_reinstatement(drug, drug_oxt):
    assert _presses(drug_oxt, "reinstatement")[0] < _presses(drug, "reinstatement")[0]


def test_drug_naive_subject_chooses_mostly_social():
    result = _subject(SOCIAL_SCHEDULE)
    choice = next(row for row in result.sessions if row["phase"] == "choice")
    assert choice["social"] + choice["active"] > 0, "no choice was made"
    assert choice["social_fraction"] > 0.5
