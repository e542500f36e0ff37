"""[DA] in NAc: tonic tens of nM, burst transients of ~100-300 nM lasting ~0.4 s, and a
several-fold rise under cocaine (SCIENCE.md section 2)."""

import numpy as np

from circuit.analysis import burst_transients, tonic_level


def test_tonic_dopamine_is_tens_of_nanomolar(reduced_results):
    tonic = tonic_level(reduced_results, "da_nac_nM")
    assert 10.0 <= tonic <= 100.0


def test_each_burst_gives_a_100_to_300_nM_transient_of_about_0_4_s(reduced_results):
    transients = burst_transients(reduced_results, phase="baseline")
    onsets = [float(t.split()[0]) for t in reduced_results.config["protocol"]["bursts"]["times"]]
    assert len(transients) == len(onsets)
    for transient, onset in zip(transients, onsets):
        assert onset <= transient["peak_time_s"] <= onset + 0.6
        assert 100.0 <= transient["amplitude_nM"] <= 300.0
        assert 0.15 <= transient["width_s"] <= 0.6  # full width at half maximum


def test_cocaine_raises_dopamine_several_fold(reduced_results):
    tonic = tonic_level(reduced_results, "da_nac_nM")
    challenge = reduced_results.phase("challenge")
    t = reduced_results.trace_t
    late = (t >= challenge.stop - 5.0) & (t < challenge.stop)
    fold = np.mean(reduced_results.traces["da_nac_nM"][late]) / tonic
    assert fold >= 3.0, f"cocaine raised [DA] only {fold:.1f}-fold"


def test_cocaine_plateaus_within_about_20_s_and_then_declines(reduced_results):
    cocaine = reduced_results.traces["cocaine_nac_nM"]
    t = reduced_results.trace_t
    start = reduced_results.phase("challenge").start
    at_20s = np.interp(start + 20.0, t, cocaine)
    assert at_20s >= 0.8 * cocaine.max()
    assert cocaine[-1] < cocaine.max()
    assert np.all(cocaine[t < start] == 0)
