"""The behaving circuit (the default experiment's config, at the reduced network's size):
protocols, contingencies, slow state.

`always_presses` runs a subject whose every available option is taken (the go
threshold far below any go signal), so the contingencies themselves are tested
exactly: what a press earns on FR1, the progressive-ratio breakpoint, extinction,
exclusive choice, and the slow variables carried between sessions.
"""

from __future__ import annotations

import numpy as np
import pytest

from brian2 import pA, second

import circuit
from circuit.analysis.behaviour import subject_metrics
from circuit.model.agent import session_trials
from circuit.protocols.library import session_configs
from circuit.protocols.session import presented
from circuit.running.subject import run_subject

from conftest import BEHAVIOUR

SCHEDULE = "[fr1_acquisition, progressive_ratio, choice, extinction]"


@pytest.fixture(scope="module")
def always_presses():
    config = circuit.load_config(BEHAVIOUR, [f"behaviour.schedule={SCHEDULE}",
                                             "behaviour.go_threshold=-100"])
    config.source = str(BEHAVIOUR)
    return run_subject(config, {"group": "test", "seed": 1})


def _session(result, protocol):
    return next(row for row in result.sessions if row["protocol"] == protocol)


def _trials(result, protocol):
    return [row for row in result.trials if row["protocol"] == protocol]


def test_fr1_pays_every_drug_press_and_nothing_else(always_presses):
    session = _session(always_presses, "fr1_acquisition")
    assert session["active"] == session["infusions"] >= 5
    assert session["inactive"] >= 5
    # p(press) = 1: the expected presses are the presses; the social option was not shown
    assert session["expected_drug"] == pytest.approx(session["active"], abs=0.01)
    assert session["expected_inactive"] == pytest.approx(session["inactive"], abs=0.01)
    assert np.isnan(session["expected_social"])
    inactive = [r for r in _trials(always_presses, "fr1_acquisition") if r["option"] == "inactive"]
    assert {r["outcome"] for r in inactive} == {"none"}


def test_timeout_after_each_infusion(always_presses):
    config = circuit.load_config(BEHAVIOUR)
    timeout = float(config["behaviour"]["timeout"] / second)
    trial = float(config["behaviour"]["trial"] / second)
    trials = _trials(always_presses, "fr1_acquisition")
    for k, row in enumerate(trials):
        after = [r for r in trials if r["outcome"] == "infusion" and 0 < k - r["trial"]]
        in_timeout = any((k - r["trial"]) * trial < timeout for r in after)
        assert (row["action"] == "withdrawn") == in_timeout, row


def test_infusions_raise_drug_and_da(always_presses):
    fr1 = _trials(always_presses, "fr1_acquisition")
    extinction = _trials(always_presses, "extinction")
    assert fr1[-1]["drug_nM"] > 30 > extinction[-1]["drug_nM"]
    assert np.mean([r["da_peak_nM"] for r in fr1]) > 1.5 * np.mean(
        [r["da_peak_nM"] for r in extinction])


def test_progressive_ratio_breakpoint(always_presses):
    # 240 trials of 500 ms (session.length_factor 2: 120 s); each infusion's timeout takes the next
    # two trials. Ratios 1, 2, 4, 6, 9, 12, 15, 20, 25, 32, 40 and 50 take 216 presses
    # and 11 x 2 blocked trials, so ratio 50 is completed at trial 237, 26 s after the
    # one before (within the 30 s hold); the trials left are its timeout.
    session = _session(always_presses, "progressive_ratio")
    assert session["trials"] == 240
    assert session["active"] == 216
    assert session["infusions"] == 12
    assert session["breakpoint"] == 50


def test_exclusive_choice_withdraws_the_other_option(always_presses):
    trials = _trials(always_presses, "choice")
    assert sum(r["action"] == "withdrawn" for r in trials) == len(trials) // 2
    assert _session(always_presses, "choice")["social_fraction"] == pytest.approx(0.5)


def test_extinction_pays_nothing(always_presses):
    session = _session(always_presses, "extinction")
    assert session["active"] == session["trials"] // 2 and session["infusions"] == 0


def test_slow_variables_carry_across_sessions(always_presses):
    availability = [row["d2r_availability"] for row in always_presses.sessions]
    assert availability[0] < 1.0
    assert availability[-1] <= availability[0] + 1e-3  # recovery over 3 days is slight
    assert always_presses.sessions[0]["vta_potentiation"] > 0
    metrics = subject_metrics(always_presses.sessions)
    assert metrics["breakpoint"] == 50
    assert metrics["breakpoint_steps"] == 12  # 1, 2, 4, 6, 9, 12, 15, 20, 25, 32, 40, 50


def test_the_options_experience_is_carried_to_the_end_state(always_presses):
    # every press of every session is counted, option by option (directed exploration)
    sessions = always_presses.sessions
    taken = always_presses.state.options_taken
    assert taken[0] == np.nansum([row["active"] for row in sessions])
    assert taken[1] == np.nansum([row["inactive"] for row in sessions])
    assert taken[2] == np.nansum([row["social"] for row in sessions])
    assert taken[0] > 0 and taken[1] > 0


def test_the_cue_learns_the_infusions_it_announced_across_sessions(always_presses):
    # every infusion presents the cue, which moves its value the fraction cue_learning of
    # the way to 1; extinction presents none; the value is carried from session to session
    rate = circuit.load_config(BEHAVIOUR)["behaviour"]["cue_learning"]
    infusions = np.nansum([row["infusions"] for row in always_presses.sessions])
    assert infusions > 10
    assert always_presses.state.cue_value == pytest.approx(1 - (1 - rate) ** infusions,
                                                           rel=1e-9)


def _beliefs(result, floor: float) -> dict:
    """The situation belief at the end of each session, from the trials: each omission
    (a press of an option this session does not pay) adds situation_switch x the
    press's value (1 here: every go is far above the threshold) to the evidence of being
    elsewhere than where the drug was taken; each cue takes situation_retrieval away;
    the evidence stays within [0, -ln(situation_floor)]; the belief is exp(-evidence),
    carried across sessions."""
    behaviour = circuit.load_config(BEHAVIOUR)["behaviour"]
    switch, retrieval = behaviour["situation_switch"], behaviour["situation_retrieval"]
    assert switch > 0 and retrieval > 0
    paid = {"fr1_acquisition": {"drug"}, "progressive_ratio": {"drug"},
            "choice": {"drug", "social"}, "extinction": set()}
    most = -np.log(floor) if floor > 0 else np.inf
    evidence, ends = 0.0, {}
    for row in result.trials:
        if row["action"] == "press" and row["option"] not in paid[row["protocol"]]:
            evidence += switch
        if row["outcome"] in ("infusion", "cue"):
            evidence -= retrieval
        evidence = min(max(evidence, 0.0), most)
        ends[row["protocol"]] = np.exp(-evidence)
    return ends


def test_omissions_move_the_situation_belief_away_and_the_cue_brings_it_back(always_presses):
    floor = circuit.load_config(BEHAVIOUR)["behaviour"]["situation_floor"]
    assert 0 < floor < 1
    ends = _beliefs(always_presses, floor)
    assert always_presses.state.situation == pytest.approx(ends["extinction"], rel=1e-9)
    for row in always_presses.sessions:
        assert row["situation"] == pytest.approx(ends[row["protocol"]], abs=1e-5)
    # the choice session's infusions bring it back; extinction takes it to the floor
    assert ends["choice"] > ends["extinction"] == pytest.approx(floor, rel=1e-9)


def test_without_a_floor_the_belief_falls_as_far_as_the_omissions_take_it():
    # situation_floor 0 leaves the evidence unbounded (an infinite limit, which reaches
    # the compiled binary as the largest finite number: its command line reads 'inf' as
    # a file name and kept the compiled-in 0, pinning the belief at 1); the same
    # structure as `always_presses`, so its build is reused
    config = circuit.load_config(BEHAVIOUR, [f"behaviour.schedule={SCHEDULE}",
                                             "behaviour.go_threshold=-100",
                                             "behaviour.situation_floor=0"])
    config.source = str(BEHAVIOUR)
    result = run_subject(config, {"group": "test", "seed": 1})
    ends = _beliefs(result, 0.0)
    assert result.state.situation == pytest.approx(ends["extinction"], rel=1e-6)
    assert result.state.situation < 0.01  # far below any floor the fits used (0.05, 0.2)


def test_the_cue_current_reaches_the_dopamine_neurons_outcome():
    from circuit.model.agent import outcome_parameters

    config = circuit.load_config(BEHAVIOUR, ["behaviour.cue_current=150 pA"])
    assert outcome_parameters(config)["da_outcome"]["I_cue"] == 150 * pA


def test_protocol_rotation_alternates_first_option():
    order = presented(["drug", "inactive"], 6)
    assert order == [0, 1, 1, 0, 0, 1]


def test_schedule_is_validated_before_anything_runs(tmp_path):
    config = circuit.load_config(BEHAVIOUR, ["behaviour.schedule=[fr1_acquisition, nope]"])
    config.source = str(BEHAVIOUR)
    with pytest.raises(circuit.ConfigError, match="no protocol 'nope'"):
        session_configs(config)


@pytest.mark.parametrize("trial, message", [("250 ms", "at least 2"), ("600 ms", "whole number"),
                                            ("1750 ms", "divide the session")])
def test_session_trial_must_fit_the_windows_and_the_session(trial, message):
    with pytest.raises(circuit.ConfigError, match=f"session.trial: .*{message}"):
        circuit.load_config(BEHAVIOUR, [f"session.trial={trial}"])


def test_session_length_factor_must_give_whole_trials():
    with pytest.raises(circuit.ConfigError, match=r"session.length_factor: .*whole number of"):
        circuit.load_config(BEHAVIOUR, ["session.length_factor=1.025"])  # 61.5 trials
    config = circuit.load_config(BEHAVIOUR, ["session.length_factor=0.5"])
    assert session_trials(config) == (30, 1 * second)


def test_a_limited_hold_ends_the_progressive_ratio_session(tmp_path):
    """Always pressing, with a hold of 3.5 s: after each infusion the timeout takes two
    trials (1 s), so ratio 4 is completed 3 s after ratio 2 and ratio 6 would need 4 s;
    the breakpoint is 4, not the 50 of the 30 s hold, and no option is available after
    the hold has run out."""
    hold = 3.5
    protocol = tmp_path / "short_hold.yaml"
    protocol.write_text(f"base: {BEHAVIOUR.parent / 'protocols' / 'progressive_ratio.yaml'}\n"
                        f"limited_hold: {hold} s\n")
    config = circuit.load_config(BEHAVIOUR, [f"behaviour.schedule=[{protocol}]",
                                             "behaviour.go_threshold=-100"])
    config.source = str(BEHAVIOUR)
    result = run_subject(config, {"group": "test", "seed": 1})
    (session,) = result.sessions
    assert session["breakpoint"] == 4
    trials = result.trials
    trial = 0.5  # s, the progressive ratio's trials
    last_paid = max(row["trial"] for row in trials if row["outcome"] == "infusion")
    over = [row for row in trials if (row["trial"] - last_paid) * trial > hold + trial]
    assert over and all(row["available"] == 0 and row["action"] != "press" for row in over)


def test_adolescent_oxt_raises_the_tone_the_adult_sessions_inherit():
    schedule = "behaviour.schedule=[adolescence, adolescence, extinction]"
    treated = circuit.load_config(BEHAVIOUR, [schedule, "interventions.adolescent_oxt.given=on"])
    treated.source = str(BEHAVIOUR)
    result = run_subject(treated, {"group": "adolescent_oxt", "seed": 1})
    tones = [row["oxt_tone"] for row in result.sessions]
    assert tones == pytest.approx([1.05, 1.1, 1.1])  # adult sessions keep what adolescence left
    assert result.state.oxt_tone == pytest.approx(1.1)
    adolescent = [row for row in result.sessions if row["phase"] == "adolescence"]
    assert len(adolescent) == 2
    assert all(row["active"] != row["active"] and row["inactive"] != row["inactive"]
               for row in adolescent)  # nothing presented: no count (NaN)


def test_extinction_and_dopamine_increment_metrics_from_session_rows():
    def row(phase, active, expected, da_mean=40.0, da_before=30.0):
        return {"phase": phase, "active": active, "expected_drug": expected, "inactive": 0,
                "da_mean_nM": da_mean, "da_before_nM": da_before, "d1_rate_hz": 1.0,
                "d2_rate_hz": 1.0}
    sessions = [row("extinction", 9, 8.5), row("extinction", 6, 5.5), row("extinction", 3, 2.5),
                row("reinstatement", 7, 6.0, da_mean=95.0, da_before=31.0)]
    metrics = subject_metrics(sessions)
    assert metrics["extinction_active"] == pytest.approx(6.0)
    assert metrics["extinction_expected"] == pytest.approx(5.5)
    assert metrics["final_da_increment"] == pytest.approx(64.0)  # the prime's evoked rise
