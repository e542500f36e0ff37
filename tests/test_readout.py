"""The action readout (circuit.model.agent): the go signal is the option-evoked D1 - D2
MSN response normalised by the striatum's ongoing output, so scaling both pathways
alike does not change choice, while the balance between them does.

The agent's own decision code runs here (Brian2 runtime mode, no network): the spike
counts of the window and the baselines are set, one decision is taken, and `go` and
`p_go` are read back.
"""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, Synapses, TimedArray, defaultclock, ms, nM, pA, second,
                    start_scope)

from circuit.builds.device import activate
from circuit.model import agent

WINDOW = 250 * ms
CONSTANTS = dict(window=WINDOW, baseline_tau=1 * second, cue_in_baseline=1.0,
                 go_threshold=-2.0, go_slope=1.0,
                 d2_weight=1.0, drug_paid=1.0, social_paid=0.0, cue_with_reward=1.0,
                 cue_on_press=0.0, fixed_ratio=1.0, progressive=0.0, timeout=1 * second,
                 limited_hold=0 * second, session_start=0 * second, dopamine_gain=0.0,
                 DA_reference=30 * nM, tonic_tau=5 * second, exploration_prior=0.0,
                 situation_evidence_max=np.inf,
                 cue_learning=0.2)


def _agent(d1_count, d2_count, d1_baseline, d2_baseline, tonic_da=30 * nM,
           presented=0, cue_until=-1 * second, taken=0.0, cue_value=0.0, **changes) -> tuple:
    """(the agent, the NAc volume it reads), ready to decide for the drug lever after one
    window with these spike counts, with the readout's tonic NAc [DA] at `tonic_da`.
    `presented`: the option of that window (-1: none); `cue_until`: when the drug cue
    ends; `taken`: how often the option was taken before; `cue_value`: the drug cue's
    learnt value."""
    activate("runtime")  # whatever device an earlier test left
    start_scope()
    defaultclock.dt = 0.1 * ms
    # the drug lever (option 0) is presented: the decision at t = 0 reads the window
    # before it, where the TimedArray holds its first value
    option_window = TimedArray(np.array([float(presented)]), dt=WINDOW)
    group = agent.build_agent(option_window)
    volume = NeuronGroup(1, "DA : mmolar", name="volume")
    volume.DA = tonic_da
    agent.link_dopamine(group, volume, 0)
    for name, value in {**CONSTANTS, **changes}.items():
        setattr(group, name, value)
    agent.initialise_agent(group)
    group.DA_tonic = tonic_da
    group.d1_count, group.d2_count = d1_count, d2_count
    group.d1_baseline, group.d2_baseline = d1_baseline, d2_baseline
    group.baseline_windows = 100
    group.cue_until = cue_until
    group.taken = taken
    group.cue_value = cue_value
    agent.schedule_decisions(group, WINDOW)
    return group, volume


def decide(*counts, **changes) -> tuple:
    """(go, p_go) of the drug lever after one window (`_agent`'s arguments), and the agent
    itself after it as a third item."""
    group, volume = _agent(*counts, **changes)
    Network(group, volume).run(defaultclock.dt, namespace={})
    return float(group.go[0]), float(group.p_go[0]), group


#: Outcome currents of the DA outcome synapse that the press tests set (the rest 0).
NO_OUTCOME = dict(I_reward=0 * pA, I_omission=0 * pA, omission_by_value=0.0,
                  I_social_da=0 * pA, I_cue=0 * pA)


def press_outcome(*counts, outcome: dict, **changes) -> tuple:
    """(the agent, the current into a DA neuron) after the drug lever is pressed
    (exploration 1) following a window with these counts; `outcome`: the DA outcome
    synapse's currents (agent.DA_OUTCOME) that differ from `NO_OUTCOME`."""
    group, volume = _agent(*counts, **{"exploration": 1.0, **changes})
    neurons = NeuronGroup(1, "I_outcome : amp", name="da_neuron")
    model, on_pre = agent.DA_OUTCOME
    synapse = Synapses(group, neurons, model, on_pre=on_pre, name="da_outcome")
    synapse.connect(i=0, j=0)
    for name, value in {**NO_OUTCOME, **outcome}.items():
        setattr(synapse, name, value)
    Network(group, volume, neurons, synapse).run(defaultclock.dt, namespace={})
    return group, float(neurons.I_outcome[0] / pA)


#: Counts of a window and the baselines (spikes of the population per window), D2
#: evoking more than D1 as in the naive circuit.
NAIVE = dict(d1_count=40.0, d2_count=160.0, d1_baseline=6.0, d2_baseline=35.0)


def test_go_is_the_normalised_d1_minus_d2_evoked_response():
    go, p_go, _ = decide(**NAIVE)
    expected = ((40 - 6) - (160 - 35)) / (6 + 35)
    assert go == pytest.approx(expected, rel=1e-9)
    assert p_go == pytest.approx(1 / (1 + np.exp(-(expected + 2.0) / 1.0)), rel=1e-9)


@pytest.mark.parametrize("factor", [0.5, 0.9, 2.0])
def test_scaling_both_pathways_alike_leaves_choice_unchanged(factor):
    _, reference, _ = decide(**NAIVE)
    _, scaled, _ = decide(**{name: factor * value for name, value in NAIVE.items()})
    assert scaled == pytest.approx(reference, rel=1e-9)


def test_the_balance_between_the_pathways_moves_choice():
    _, reference, _ = decide(**NAIVE)
    _, more_go, _ = decide(**{**NAIVE, "d1_count": 80.0})
    _, more_no_go, _ = decide(**{**NAIVE, "d2_count": 200.0})
    assert more_go > reference > more_no_go


def test_an_unevoked_window_reads_as_no_response():
    go, _, _ = decide(d1_count=6.0, d2_count=35.0, d1_baseline=6.0, d2_baseline=35.0)
    assert go == pytest.approx(0.0, abs=1e-12)
    go, _, _ = decide(d1_count=0.0, d2_count=0.0, d1_baseline=0.0, d2_baseline=0.0)
    assert go == 0.0  # a silent striatum: no response, not a division by zero


def test_tonic_dopamine_sets_the_gains_of_the_pathways_as_in_opal():
    # an extinguished option: a learnt go response, and a larger learnt no-go response
    extinguished = dict(d1_count=26.0, d2_count=95.0, d1_baseline=6.0, d2_baseline=35.0)
    neutral = ((26 - 6) - (95 - 35)) / 41
    go, _, _ = decide(**extinguished, dopamine_gain=0.5, tonic_da=30 * nM)
    assert go == pytest.approx(neutral, rel=1e-9)  # at the reference the pathways read alike
    rho = 0.5 * np.log(3.0)
    raised, _, _ = decide(**extinguished, dopamine_gain=0.5, tonic_da=90 * nM)
    assert raised == pytest.approx(((1 + rho) * 20 - (1 - rho) * 60) / 41, rel=1e-9)
    lowered, _, _ = decide(**extinguished, dopamine_gain=0.5, tonic_da=10 * nM)
    assert lowered < neutral < raised
    off, _, _ = decide(**extinguished, dopamine_gain=0.0, tonic_da=90 * nM)
    assert off == pytest.approx(neutral, rel=1e-9)
    saturated, _, _ = decide(**extinguished, dopamine_gain=100.0, tonic_da=90 * nM)
    assert saturated == pytest.approx(2 * 20 / 41, rel=1e-9)  # rho is clipped at 1


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_scaling_both_pathways_alike_leaves_choice_unchanged_at_any_tonic_dopamine(factor):
    counts = dict(d1_count=26.0, d2_count=95.0, d1_baseline=6.0, d2_baseline=35.0)
    _, reference, _ = decide(**counts, dopamine_gain=0.5, tonic_da=75 * nM)
    _, scaled, _ = decide(**{k: factor * v for k, v in counts.items()}, dopamine_gain=0.5,
                       tonic_da=75 * nM)
    assert scaled == pytest.approx(reference, rel=1e-9)


#: A window with no option presented: 20 D1 and 50 D2 spikes against baselines of 6 and 35.
QUIET_WINDOW = dict(d1_count=20.0, d2_count=50.0, d1_baseline=6.0, d2_baseline=35.0,
                    presented=-1)


@pytest.mark.parametrize("cue_in_baseline, moves", [(1.0, True), (0.0, False)])
def test_a_window_with_the_cue_on_updates_the_baseline_only_when_the_cue_counts_as_baseline(
        cue_in_baseline, moves):
    *_, cued = decide(**QUIET_WINDOW, cue_until=1 * second, cue_in_baseline=cue_in_baseline)
    assert (float(cued.d1_baseline[0]) > 6.0) is moves
    assert (float(cued.d2_baseline[0]) > 35.0) is moves


def test_a_window_without_option_or_cue_updates_the_baseline_either_way():
    for cue_in_baseline in (0.0, 1.0):
        *_, quiet = decide(**QUIET_WINDOW, cue_in_baseline=cue_in_baseline)
        assert float(quiet.d1_baseline[0]) == pytest.approx(6.0 + 14.0 * 0.25, rel=1e-9)


def omission_pause(d1_count, d2_count, omission_by_value) -> tuple:
    """(value, current into a DA neuron) after a press of an option that does not pay,
    whose window had these D1 and D2 spike counts (drug_paid 0: the extinction test)."""
    group, current = press_outcome(d1_count, d2_count, 6.0, 35.0, drug_paid=0.0,
                                   outcome=dict(I_omission=120 * pA,
                                                omission_by_value=omission_by_value))
    return float(group.value[0]), current


def test_the_omission_pause_is_scaled_by_the_value_the_press_predicted():
    valued, valued_pause = omission_pause(40.0, 35.0, omission_by_value=1.0)
    extinguished, extinguished_pause = omission_pause(6.0, 135.0, omission_by_value=1.0)
    assert valued > 0.9 and extinguished < 0.5
    assert valued_pause == pytest.approx(-120 * valued, rel=1e-9)
    assert extinguished_pause == pytest.approx(-120 * extinguished, rel=1e-9)
    _, fixed_pause = omission_pause(6.0, 135.0, omission_by_value=0.0)
    assert fixed_pause == pytest.approx(-120, rel=1e-9)  # the fixed pause ignores value


#: An option whose go signal is far below the threshold: it is taken only by exploration.
SHUNNED = dict(d1_count=6.0, d2_count=3000.0, d1_baseline=6.0, d2_baseline=35.0)


def test_directed_exploration_falls_with_the_options_experience():
    _, fixed, _ = decide(**SHUNNED, exploration=0.15, taken=30.0)
    assert fixed == pytest.approx(0.15, abs=1e-6)  # prior 0: a fixed epsilon
    _, naive, _ = decide(**SHUNNED, exploration=0.15, exploration_prior=10.0, taken=0.0)
    assert naive == pytest.approx(0.15, abs=1e-6)
    _, experienced, _ = decide(**SHUNNED, exploration=0.15, exploration_prior=10.0, taken=30.0)
    assert experienced == pytest.approx(0.15 * np.sqrt(10 / 40), abs=1e-6)


#: A press whose window evoked nothing: its value, and so a pause by value, is small.
UNEVOKED = (6.0, 35.0, 6.0, 35.0)
CUE = dict(I_cue=100 * pA)


def test_an_unpaid_cue_drives_dopamine_with_its_learnt_value_and_extinguishes():
    # the cue test: every drug-lever press presents the cue, and no drug
    group, current = press_outcome(*UNEVOKED, outcome=CUE, drug_paid=0.0, cue_on_press=1.0,
                                   cue_value=0.5)
    assert current == pytest.approx(100 * 0.5, rel=1e-9)
    assert float(group.cue_value[0]) == pytest.approx(0.5 + 0.2 * (0 - 0.5), rel=1e-9)


def test_a_cue_paired_with_the_infusion_adds_its_value_and_learns_towards_one():
    group, current = press_outcome(*UNEVOKED, outcome={**CUE, "I_reward": 200 * pA},
                                   cue_value=0.5)
    assert current == pytest.approx(200 + 100 * 0.5, rel=1e-9)
    assert float(group.cue_value[0]) == pytest.approx(0.5 + 0.2 * (1 - 0.5), rel=1e-9)


def test_a_cue_never_paired_evokes_no_dopamine_and_no_cue_leaves_its_value():
    _, naive = press_outcome(*UNEVOKED, outcome=CUE, drug_paid=0.0, cue_on_press=1.0)
    assert naive == 0.0
    # extinction: presses present no cue, so its value is kept for the cue test
    group, current = press_outcome(*UNEVOKED, outcome=CUE, drug_paid=0.0, cue_on_press=0.0,
                                   cue_with_reward=1.0, cue_value=0.8)
    assert current == 0.0 and float(group.cue_value[0]) == 0.8


def press_situation(*counts, evidence: float, switch: float = 0.4, retrieval: float = 0.3,
                    **changes):
    """The agent after the drug lever is pressed (exploration 1) following a window with
    these counts, its evidence of being elsewhere than where the drug was taken
    `evidence` before, with the situation synapse (agent.SITUATION, every option's
    neuron to every other's and its own)."""
    group, volume = _agent(*counts, **{"exploration": 1.0, **changes})
    group.situation_evidence = evidence
    model, on_pre = agent.SITUATION
    synapse = Synapses(group, group, model, on_pre=on_pre, name="situation")
    synapse.connect()
    synapse.situation_switch, synapse.situation_retrieval = switch, retrieval
    Network(group, volume, synapse).run(defaultclock.dt, namespace={})
    return group


def test_an_omission_adds_the_value_it_predicted_to_the_evidence_of_a_new_situation():
    group = press_situation(*NAIVE.values(), evidence=0.5, drug_paid=0.0)
    value = float(group.value[0])
    assert 0.05 < value < 0.95
    assert float(group.situation[0]) == pytest.approx(np.exp(-0.5), rel=1e-9)  # read before
    np.testing.assert_allclose(group.situation_evidence[:], 0.5 + 0.4 * value, rtol=1e-9)
    # a press that predicted (almost) nothing is (almost) no evidence of a new situation
    group = press_situation(*NAIVE.values(), evidence=0.5, drug_paid=0.0, go_threshold=50.0)
    assert float(group.situation_evidence[0]) == pytest.approx(0.5, abs=1e-12)


def test_the_drug_cue_takes_evidence_away_and_the_belief_reads_it_at_the_next_decision():
    # the cue test: the press is an omission and presents the cue
    group = press_situation(*NAIVE.values(), evidence=2.0, drug_paid=0.0, cue_on_press=1.0)
    expected = 2.0 + 0.4 * float(group.value[0]) - 0.3
    np.testing.assert_allclose(group.situation_evidence[:], expected, rtol=1e-9)
    # an infusion's cue: no omission; the evidence may go below 0 until the next
    # decision, which reads it as 0: the drug-taking situation, belief 1
    group = press_situation(*NAIVE.values(), evidence=0.1, drug_paid=1.0)
    np.testing.assert_allclose(group.situation_evidence[:], 0.1 - 0.3, rtol=1e-9)
    group, volume = _agent(*NAIVE.values())
    group.situation_evidence = -0.2
    Network(group, volume).run(defaultclock.dt, namespace={})
    np.testing.assert_allclose(group.situation[:], 1.0)
    np.testing.assert_allclose(group.situation_evidence[:], 0.0)
    group, volume = _agent(*NAIVE.values())
    group.situation_evidence = 2.0
    Network(group, volume).run(defaultclock.dt, namespace={})
    np.testing.assert_allclose(group.situation[:], np.exp(-2.0), rtol=1e-9)
    # the floor: the evidence stops at -ln(floor)
    group, volume = _agent(*NAIVE.values(), situation_evidence_max=-np.log(0.2))
    group.situation_evidence = 5.0
    Network(group, volume).run(defaultclock.dt, namespace={})
    np.testing.assert_allclose(group.situation[:], 0.2, rtol=1e-9)
