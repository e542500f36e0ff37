"""Afferent pools fire as Poisson processes at their configured rates.

The pools draw their spikes by time rescaling (circuit.model.populations.AFFERENT): a
cell integrates its rate and fires when the integral reaches a unit exponential draw.
These tests run one pool alone, in runtime mode, and compare its spikes with the rates
the config asks for: the background rate, the cue ensemble's extra rate while the cue is
on, the option ensemble's while its option is presented, and how its situation-coding
cells share that rate by the agent's situation belief.
"""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import Hz, Network, NeuronGroup, SpikeMonitor, TimedArray, defaultclock, second
from brian2 import seed as set_seed

import circuit
from circuit.model import agent, populations
from circuit.builds import device as devices

from conftest import DEFAULT

DURATION = 4.0  # s: 300 cells at 4 Hz give ~4800 spikes, a Poisson s.d. of 1.4%


def _pool_spikes(name: str, option: float = -1, cue_on: bool = False, situation: float = 1.0,
                 overrides: tuple = ()):
    """(config, spike monitor) of pool `name` run alone for DURATION, with `option`
    presented throughout, the drug cue on or off and the agent's situation belief fixed
    at `situation` (a one-neuron stand-in for the agent)."""
    config = circuit.load_config(DEFAULT, list(overrides))
    devices.activate("runtime")
    defaultclock.dt = config["simulation"]["dt"]
    set_seed(3)
    drive = TimedArray(np.zeros(1) * Hz, dt=DURATION * second)
    window = TimedArray(np.array([float(option)]), dt=DURATION * second)
    group = populations.build_afferent(name, config, drive, window)
    for variable, value in populations.afferent_parameters(name, config).items():
        setattr(group, variable, value)
    belief = NeuronGroup(1, "situation : 1")
    belief.situation = situation
    agent.link_situation(group, belief)
    populations.initialise_afferent(group)
    if cue_on:
        group.cue_until = 2 * DURATION * second
    monitor = SpikeMonitor(group)
    Network(group, belief, monitor).run(DURATION * second)
    return config, monitor


def _rate(monitor, cells) -> float:
    """Mean rate (Hz) of the cells in `cells` (a boolean mask)."""
    counts = np.bincount(np.asarray(monitor.i), minlength=len(cells))
    return counts[cells].mean() / DURATION


def test_a_pool_fires_at_its_rate_with_poisson_intervals():
    config, monitor = _pool_spikes("hippocampus")
    rate = float(config["afferents"]["hippocampus"]["rate"] / Hz)
    cells = np.ones(config["afferents"]["hippocampus"]["size"], dtype=bool)
    assert _rate(monitor, cells) == pytest.approx(rate, rel=0.06)
    trains = monitor.spike_trains()
    intervals = np.concatenate([np.diff(np.asarray(t / second)) for t in trains.values()])
    assert np.std(intervals) / np.mean(intervals) == pytest.approx(1.0, abs=0.06)


def test_the_cue_raises_only_the_cue_ensemble():
    config, monitor = _pool_spikes("amygdala", cue_on=True)
    base = float(config["afferents"]["amygdala"]["rate"] / Hz)
    extra = float(config["behaviour"]["cue_rate"] / Hz)
    size = int(config["behaviour"]["ensemble_size"])
    cells = np.zeros(config["afferents"]["amygdala"]["size"], dtype=bool)
    cells[:size] = True
    assert _rate(monitor, cells) == pytest.approx(base + extra, rel=0.1)
    assert _rate(monitor, ~cells) == pytest.approx(base, rel=0.1)


def test_a_presented_option_raises_its_own_ensemble():
    option = 1
    config, monitor = _pool_spikes("cortex", option=option)
    base = float(config["afferents"]["cortex"]["rate"] / Hz)
    extra = float(config["behaviour"]["option_rate"] / Hz)
    size = int(config["behaviour"]["ensemble_size"])
    cells = np.zeros(config["afferents"]["cortex"]["size"], dtype=bool)
    cells[option * size:(option + 1) * size] = True
    assert _rate(monitor, cells) == pytest.approx(base + extra, rel=0.1)
    assert _rate(monitor, ~cells) == pytest.approx(base, rel=0.1)


@pytest.mark.parametrize("belief", [1.0, 0.25])
def test_situation_coding_cells_share_the_option_rate_by_the_belief(belief):
    # half of the presented ensemble codes the option in a situation, alternately the
    # drug-taking one (+1) and the other (-1); the rest codes the option alone
    option, coding = 0, 0.5
    config, monitor = _pool_spikes("cortex", option=option, situation=belief,
                                   overrides=(f"behaviour.situation_coding={coding}",))
    base = float(config["afferents"]["cortex"]["rate"] / Hz)
    extra = float(config["behaviour"]["option_rate"] / Hz)
    size = int(config["behaviour"]["ensemble_size"])
    index = np.arange(config["afferents"]["cortex"]["size"])
    situated = index < coding * size
    first, other = situated & (index % 2 == 0), situated & (index % 2 == 1)
    plain = (index >= coding * size) & (index < size)
    assert _rate(monitor, first) == pytest.approx(base + 2 * extra * belief, rel=0.15, abs=0.5)
    assert _rate(monitor, other) == pytest.approx(base + 2 * extra * (1 - belief), rel=0.15,
                                                  abs=0.5)
    assert _rate(monitor, plain) == pytest.approx(base + extra, rel=0.1)
    # the ensemble's drive is the same whatever the belief
    assert _rate(monitor, index < size) == pytest.approx(base + extra, rel=0.1)


def test_without_situation_coding_the_belief_changes_nothing():
    _, believing = _pool_spikes("cortex", option=0, situation=1.0)
    _, doubting = _pool_spikes("cortex", option=0, situation=0.0)
    assert np.array_equal(np.asarray(believing.i), np.asarray(doubting.i))
    assert np.array_equal(np.asarray(believing.t), np.asarray(doubting.t))
