"""Afferent pools fire as Poisson processes at their configured rates.

The pools draw their spikes by time rescaling (circuit.model.populations.AFFERENT): a
cell integrates its rate and fires when the integral reaches a unit exponential draw.
These tests run one pool alone, in runtime mode, and compare its spikes with the rates
the config asks for: the background rate, the cue ensemble's extra rate while the cue is
on, and the option ensemble's while its option is presented.
"""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import Hz, Network, SpikeMonitor, TimedArray, defaultclock, second
from brian2 import seed as set_seed

import circuit
from circuit.model import populations
from circuit.builds import device as devices

from conftest import DEFAULT

DURATION = 4.0  # s: 300 cells at 4 Hz give ~4800 spikes, a Poisson s.d. of 1.4%


def _pool_spikes(name: str, option: float = -1, cue_on: bool = False):
    """(config, spike monitor) of pool `name` run alone for DURATION, with `option`
    presented throughout and the drug cue on or off."""
    config = circuit.load_config(DEFAULT)
    devices.activate("runtime")
    defaultclock.dt = config["simulation"]["dt"]
    set_seed(3)
    drive = TimedArray(np.zeros(1) * Hz, dt=DURATION * second)
    window = TimedArray(np.array([float(option)]), dt=DURATION * second)
    group = populations.build_afferent(name, config, drive, window)
    for variable, value in populations.afferent_parameters(name, config).items():
        setattr(group, variable, value)
    populations.initialise_afferent(group)
    if cue_on:
        group.cue_until = 2 * DURATION * second
    monitor = SpikeMonitor(group)
    Network(group, monitor).run(DURATION * second)
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
