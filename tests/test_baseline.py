"""Baseline firing rates of every population fall in the bands of SCIENCE.md section 2."""

import numpy as np
import pytest

from conftest import BANDS

POPULATIONS = sorted(BANDS)


def _baseline_rate(results, population):
    phase = results.phase("baseline")
    return results.mean_rate(population, phase.start, phase.stop)


@pytest.mark.parametrize("population", POPULATIONS)
def test_reduced_network_rates_in_band(reduced_results, population):
    low, high = BANDS[population]
    rate = _baseline_rate(reduced_results, population)
    assert low <= rate <= high, f"{population}: {rate:.2f} Hz outside [{low}, {high}] Hz"


@pytest.mark.parametrize("population", POPULATIONS)
def test_default_network_rates_in_band(default_baseline_results, population):
    low, high = BANDS[population]
    rate = _baseline_rate(default_baseline_results, population)
    assert low <= rate <= high, f"{population}: {rate:.2f} Hz outside [{low}, {high}] Hz"


def test_most_oxt_neurons_fire_below_3_hz_and_none_above_9(default_baseline_results):
    results = default_baseline_results
    phase = results.phase("baseline")
    times, index = results.spikes["pvn_oxt"]
    keep = (times >= phase.start) & (times < phase.stop)
    counts = np.bincount(index[keep], minlength=results.sizes["pvn_oxt"])
    rates = counts / (phase.stop - phase.start)
    assert np.mean(rates < 3.0) >= 0.8
    assert rates.max() < 9.0


def test_pv_interneurons_fire_almost_continuously(default_baseline_results):
    """Nearly every PV cell is active in every 1 s window of the baseline."""
    results = default_baseline_results
    times, index = results.spikes["nac_pv"]
    phase = results.phase("baseline")
    windows = np.arange(phase.start, phase.stop, 1.0)
    active = [len(np.unique(index[(times >= t) & (times < t + 1.0)])) for t in windows]
    assert min(active) >= 0.9 * results.sizes["nac_pv"]


def test_da_neurons_burst_at_intraburst_rates(reduced_results):
    """During the phasic input, DA neurons that burst (3 or more spikes) fire at the
    14-30 Hz intraburst rates of Grace and Bunney."""
    bursts = reduced_results.config["protocol"]["bursts"]
    duration = float(bursts["duration"].split()[0]) / 1000.0
    times, index = reduced_results.spikes["vta_da"]
    rates = []
    for onset in (float(t.split()[0]) for t in bursts["times"]):
        window = (times >= onset) & (times < onset + duration)
        for neuron in np.unique(index[window]):
            spikes = np.sort(times[window][index[window] == neuron])
            if len(spikes) >= 3:
                rates.append(1.0 / np.mean(np.diff(spikes)))
    assert len(rates) >= 0.2 * reduced_results.sizes["vta_da"]
    assert 14.0 <= np.median(rates) <= 30.0
