"""Each intervention changes the run-time values it should, and nothing else.

These compare whole parameter tables (every constant the compiled network receives), so
an intervention that leaks into another population or mechanism fails here.
"""

from __future__ import annotations

import pytest

import circuit
from circuit.model.network import parameter_table
from circuit.model.adaptation import tone_after_session
from circuit.protocols.library import session_configs

from conftest import BEHAVIOUR, REDUCED

SESSION = ["session.phase=acquisition", "session.options=[drug, inactive]"]


def _table(*overrides):
    return parameter_table(circuit.load_config(REDUCED, [*SESSION, *overrides]))


def _changes(*overrides) -> dict:
    """{(object, variable): (before, after)} for every value the overrides change."""
    before, after = _table(), _table(*overrides)
    return {(name, variable): (value, after[name][variable])
            for name, values in before.items() for variable, value in values.items()
            if not _equal(value, after[name][variable])}


def _equal(a, b) -> bool:
    try:
        return bool(a == b)
    except ValueError:  # arrays
        return bool((a == b).all())


def _objects(changes: dict) -> set:
    return {name for name, _ in changes}


def test_oxtr_knockout_touches_only_its_cell_type():
    changes = _changes("interventions.oxtr_knockout.nac_pv=on")
    assert set(changes) == {("nac_pv", "oxtr_expression")}
    assert changes[("nac_pv", "oxtr_expression")] == (1.0, 0.0)


def test_d2_msn_knockout():
    assert set(_changes("interventions.oxtr_knockout.nac_d2=on")) == {("nac_d2", "oxtr_expression")}


def test_vta_da_knockout_also_removes_the_oxt_part_of_social_reward():
    changes = _changes("interventions.oxtr_knockout.vta_da=on")
    assert set(changes) == {("vta_da", "oxtr_expression"), ("outcome_da_outcome", "I_social_da")}
    assert float(changes[("outcome_da_outcome", "I_social_da")][1]) == 0.0


def test_acute_oxt_raises_oxt_only_in_its_phases():
    given = _changes("interventions.oxt.given=on", "interventions.oxt.dose=1 mg/kg",
                     "interventions.oxt.phases=[acquisition]")
    assert set(given) == {("volume", "OXT_background"), ("volume", "OXT_initial")}
    low, high = given[("volume", "OXT_background")]
    assert high > low
    elsewhere = _changes("interventions.oxt.given=on", "interventions.oxt.phases=[extinction]")
    assert elsewhere == {}


def test_oxt_dose_response_is_monotonic():
    levels = [_table("interventions.oxt.given=on", f"interventions.oxt.dose={dose} mg/kg")
              ["volume"]["OXT_background"] for dose in (0.1, 0.3, 1.0)]
    assert levels[0] < levels[1] < levels[2]


def test_oxtr_antagonist_lowers_affinity_everywhere_oxtr_is_read():
    changes = _changes("interventions.oxtr_antagonist.given=on")
    assert {variable for _, variable in changes} <= {"Kd_oxtr", "Kd_oxtr_terminal",
                                                       "occ_oxt_reference", "I_social_da"}
    social = changes[("outcome_da_outcome", "I_social_da")]
    assert float(social[1]) < float(social[0])
    assert ("da_release", "Kd_oxtr_terminal") in changes
    assert ("nac_d2", "Kd_oxtr") in changes


@pytest.mark.parametrize("block, variable", [("d2_agonist", "d2_agonist"),
                                             ("d2_antagonist", "d2_antagonist")])
def test_d2_drugs_set_their_term_only(block, variable):
    changes = _changes(f"interventions.{block}.given=on")
    assert {v for _, v in changes} == {variable}


def test_naltrexone_blocks_the_opioid_part_of_social_reward():
    changes = _changes("interventions.naltrexone.given=on")
    assert set(changes) == {("outcome_social_opioid", "opioid_available")}
    assert changes[("outcome_social_opioid", "opioid_available")][1] == pytest.approx(0.1)


def test_naltrexone_blocks_an_opioid_drug():
    opioid = _table("fields.drug=opioid")["vta_gaba"]["mor_action"]
    blocked = _table("fields.drug=opioid", "interventions.naltrexone.given=on")
    assert opioid == 1.0 and blocked["vta_gaba"]["mor_action"] == pytest.approx(0.1)
    assert _table()["vta_gaba"]["mor_action"] == 0.0  # cocaine has no MOR action


@pytest.mark.parametrize("switch, objects", [
    ("heteromer", None), ("pv_excitation", {"nac_pv"}), ("vta_excitation", {"outcome_da_outcome"}),
    ("vta_volume_excitation", {"vta_da"}),
    ("da_release", {"da_release"}), ("stress_dampening", {"vta_da", "pvn_oxt"})])
def test_each_mechanism_switches_off_alone(switch, objects):
    changes = _changes(f"mechanisms.{switch}=off")
    assert changes, f"mechanisms.{switch}=off changed nothing"
    if objects is not None:
        assert _objects(changes) == objects
    else:  # M1 is a constant of every receptor-bearing group
        assert {variable for _, variable in changes} == {"M1"}


def test_oxt_ltd_switch_reaches_every_plastic_projection():
    changes = _changes("mechanisms.oxt_ltd=off")
    assert {variable for _, variable in changes} == {"M4"}
    assert len(changes) == 6


def test_glutamate_release_switch_reaches_every_plastic_projection():
    """M8 is off by default; on, it sets M8 on the six afferent->MSN projections alone,
    and on the PV cells' cortical input only with `glutamate_release_pv`; its cut and
    gate reach all seven."""
    changes = _changes("mechanisms.glutamate_release=on")
    assert {variable for _, variable in changes} == {"M8"} and len(changes) == 6
    plastic = _objects(_changes("mechanisms.oxt_ltd=off"))
    assert _objects(changes) == plastic
    with_pv = _changes("mechanisms.glutamate_release=on", "oxt_actions.glutamate_release_pv=on")
    assert _objects(with_pv) == plastic | {"cortex_to_nac_pv"}
    assert _changes("oxt_actions.glutamate_release_pv=on") == {}  # nothing without M8
    for key, variable in (("glutamate_release_gate=0.3", "glu_release_gate"),
                          ("glutamate_release_cut=0.9", "glu_release_cut")):
        moved = _changes(f"oxt_actions.{key}")
        assert {v for _, v in moved} == {variable}
        assert _objects(moved) == plastic | {"cortex_to_nac_pv"}


ADOLESCENT = ["session.phase=adolescence", "session.options=[]"]
GIVEN = "interventions.adolescent_oxt.given=on"


def test_adolescent_oxt_is_given_in_adolescent_sessions_only():
    dosed = _changes(*ADOLESCENT, GIVEN)
    undosed = _changes(*ADOLESCENT)
    extra = {key: value for key, value in dosed.items() if key not in undosed}
    assert set(extra) == {("volume", "OXT_background"), ("volume", "OXT_initial")}
    before, after = extra[("volume", "OXT_background")]
    assert float(after - before) == pytest.approx(1e-6)  # 1 mg/kg x 1 nM per mg/kg, in mM
    assert _changes(GIVEN) == {}  # an adult session: nothing


def test_adolescence_opens_the_oxt_ltd_critical_period():
    adult = _table("plasticity.critical_period=0.2")
    young = _table("plasticity.critical_period=0.2", *ADOLESCENT)
    plastic = [name for name, values in adult.items() if "critical_period" in values]
    assert len(plastic) == 6
    assert all(adult[name]["critical_period"] == 0.2 for name in plastic)
    assert all(young[name]["critical_period"] == 1.0 for name in plastic)


def test_adolescent_oxt_raises_the_tone_in_each_adolescent_session():
    adolescent = circuit.load_config(REDUCED, [*ADOLESCENT, GIVEN])
    assert tone_after_session(1.0, adolescent) == pytest.approx(1.05)
    assert tone_after_session(1.0, circuit.load_config(REDUCED, ADOLESCENT)) == 1.0
    assert tone_after_session(1.0, circuit.load_config(REDUCED, [*SESSION, GIVEN])) == 1.0


def test_the_tone_scales_oxt_release_and_m6_gates_it():
    changes = _changes("fields.oxt.tone=1.5")
    assert _objects(changes) == {"oxt_release_nac", "oxt_release_vta"}
    assert (_changes("fields.oxt.tone=1.5", "mechanisms.oxt_tone=off")
            == _changes("mechanisms.oxt_tone=off"))


def test_adolescent_oxt_needs_adolescent_sessions_in_the_schedule():
    config = circuit.load_config(BEHAVIOUR, [GIVEN])
    with pytest.raises(circuit.ConfigError, match="interventions.adolescent_oxt.given"):
        session_configs(config)
    config = circuit.load_config(BEHAVIOUR, [GIVEN, "behaviour.schedule=[adolescence, extinction]"])
    assert [s["session"]["phase"] for s in session_configs(config)] == ["adolescence", "extinction"]


def test_unknown_phase_in_an_intervention_is_rejected():
    with pytest.raises(circuit.ConfigError, match=r"interventions.oxt.phases\[0\]"):
        circuit.load_config(REDUCED, ["interventions.oxt.phases=[acqusition]"])


def test_depotentiation_changes_no_constant_of_the_network():
    """It acts on the weights a session starts from (circuit.running.subject), not on
    anything the compiled network receives."""
    assert _changes("interventions.depotentiation.given=on",
                    "interventions.depotentiation.phases=[acquisition]") == {}


def test_depotentiation_removes_the_potentiation_of_cortex_to_d1_only():
    import numpy as np

    from circuit.model import adaptation, pharmacology

    weights = {"cortex_to_nac_d1": np.array([0.7, 1.0, 1.5, 2.0]),
               "cortex_to_nac_d2": np.array([1.5, 2.0])}
    full = adaptation.depotentiated(weights, 1.0)
    assert full["cortex_to_nac_d1"].tolist() == [0.7, 1.0, 1.0, 1.0]  # depressed ones kept
    assert full["cortex_to_nac_d2"] is weights["cortex_to_nac_d2"]
    half = adaptation.depotentiated(weights, 0.5)
    assert half["cortex_to_nac_d1"].tolist() == [0.7, 1.0, 1.25, 1.5]
    assert weights["cortex_to_nac_d1"].tolist() == [0.7, 1.0, 1.5, 2.0]  # input untouched
    given = ["interventions.depotentiation.given=on"]  # default phases: [reinstatement]
    assert pharmacology.given(circuit.load_config(REDUCED, [
        *given, "session.phase=reinstatement", "session.options=[drug]"]), "depotentiation")
    assert not pharmacology.given(circuit.load_config(REDUCED, [*given, *SESSION]),
                                  "depotentiation")


def test_only_the_agent_outcomes_order_warning_is_silenced():
    import logging

    from circuit.builds.device import _OrderIndependentOutcomes

    def record(text):
        return logging.LogRecord("brian2.codegen.generators.base", logging.WARNING, "", 0,
                                 text, None, None)

    keep = _OrderIndependentOutcomes().filter
    warning = "Came across an abstract code block that may not be well-defined: "
    assert not keep(record(warning + "Abstract code: 'cue_until_post = ...'"))
    assert not keep(record(warning + "2 lines ..., first line is: 'blocked_until_post += x'"))
    assert keep(record(warning + "Abstract code: 'v_post += w'"))  # any other still shows
    assert keep(record("another warning about cue_until_post"))


def test_scaling_restores_each_populations_mean_and_keeps_relative_strengths():
    import numpy as np

    from circuit.model import adaptation

    weights = {"cortex_to_nac_d1": np.array([0.6, 0.8, 1.0, 1.2]),  # D1: mean 0.8 over 5,
               "amygdala_to_nac_d1": np.array([0.4]),               # the projections' differ
               "cortex_to_nac_d2": np.array([1.0, 1.0])}            # D2: at baseline
    full = adaptation.scaled_to_baseline(weights, 1.0, w_max=2.0)
    d1 = np.concatenate([full["cortex_to_nac_d1"], full["amygdala_to_nac_d1"]])
    assert d1.mean() == pytest.approx(1.0)
    # one factor for the population (1.25), not one per projection (which would give
    # cortex 1.125 and amygdala 2.5)
    assert full["cortex_to_nac_d1"] == pytest.approx([0.75, 1.0, 1.25, 1.5])
    assert full["amygdala_to_nac_d1"] == pytest.approx([0.5])
    assert full["cortex_to_nac_d2"] == pytest.approx([1.0, 1.0])  # its own population
    half = adaptation.scaled_to_baseline(weights, 0.5, w_max=2.0)
    assert half["cortex_to_nac_d1"] == pytest.approx(weights["cortex_to_nac_d1"] * 1.25 ** 0.5)
    unchanged = adaptation.scaled_to_baseline(weights, 0.0, w_max=2.0)
    assert all(np.array_equal(unchanged[name], weights[name]) for name in weights)
    capped = adaptation.scaled_to_baseline({"cortex_to_nac_d1": np.array([0.2, 1.4])}, 1.0,
                                           w_max=1.5)
    assert capped["cortex_to_nac_d1"] == pytest.approx([0.25, 1.5])  # 1.75 held at the bound
    silent = adaptation.scaled_to_baseline({"cortex_to_nac_d1": np.zeros(3)}, 1.0, w_max=2.0)
    assert silent["cortex_to_nac_d1"].tolist() == [0.0, 0.0, 0.0]  # nothing left to scale
    assert weights["cortex_to_nac_d1"].tolist() == [0.6, 0.8, 1.0, 1.2]  # input untouched


def test_scaling_acts_once_between_adolescence_and_the_first_adult_session():
    import numpy as np

    from circuit.results.state import State
    from circuit.running.subject import carried_into

    state = State(seed=1, structure="s", weights={"cortex_to_nac_d1": np.array([0.8, 0.8])})
    schedule = ["behaviour.schedule=[adolescence, adolescence, fr1_acquisition, "
                "fr1_acquisition]"]
    sessions = session_configs(circuit.load_config(BEHAVIOUR, schedule))  # 1 by default
    after_adolescence = [False, True, True, False]  # what the session before each was
    after = [carried_into(state, session, previous).weights["cortex_to_nac_d1"].tolist()
             for session, previous in zip(sessions, after_adolescence)]
    assert after == [[0.8, 0.8], [0.8, 0.8], [1.0, 1.0], [0.8, 0.8]]
    carried = session_configs(circuit.load_config(
        BEHAVIOUR, ["plasticity.scaling_after_adolescence=0", *schedule]))[2]
    assert carried_into(state, carried, True).weights["cortex_to_nac_d1"].tolist() \
        == [0.8, 0.8]  # at 0 the adolescent weights are carried as they are
    half = session_configs(circuit.load_config(
        BEHAVIOUR, ["plasticity.scaling_after_adolescence=0.5", *schedule]))[2]
    assert 0.8 < carried_into(state, half, True).weights["cortex_to_nac_d1"][0] < 1.0
    assert carried_into(state, sessions[2], False).weights["cortex_to_nac_d1"].tolist() \
        == [0.8, 0.8]  # a given state (a within-subject test) is never scaled


def test_scaling_comes_before_depotentiation():
    import numpy as np

    from circuit.results.state import State
    from circuit.running.subject import carried_into

    state = State(seed=1, structure="s", weights={"cortex_to_nac_d1": np.array([0.5, 1.1])})
    session = session_configs(circuit.load_config(BEHAVIOUR, [
        "plasticity.scaling_after_adolescence=1", "interventions.depotentiation.given=on",
        "interventions.depotentiation.phases=[acquisition]",
        "behaviour.schedule=[adolescence, fr1_acquisition]"]))[1]
    # scaled by 1 / 0.8 to [0.625, 1.375], then the excess over 1 removed: [0.625, 1.0]
    # (the other order would give [0.5, 1.0] scaled by 1 / 0.75: [0.667, 1.333])
    weights = carried_into(state, session, True).weights["cortex_to_nac_d1"]
    assert weights == pytest.approx([0.625, 1.0])


def test_scaling_fraction_out_of_range_is_rejected():
    with pytest.raises(circuit.ConfigError, match="plasticity.scaling_after_adolescence"):
        circuit.load_config(REDUCED, ["plasticity.scaling_after_adolescence=1.5"])
