"""`summarize` and `burst_transients` against hand-built data with known answers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from circuit.analysis import burst_transients, summarize, write_summary
from circuit.results import Phase, Results

try:
    from tests.synthetic import BURST_AMPLITUDE_NM, BURST_FWHM_S, burst_times, make_results
except ImportError:  # tests/ itself on sys.path (pytest's default for a non-package)
    from synthetic import BURST_AMPLITUDE_NM, BURST_FWHM_S, burst_times, make_results

DT = 0.001
FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))


def _constructed(da: np.ndarray, phases: list[Phase], spikes=None, sizes=None, **traces):
    t = np.arange(da.size) * DT
    sizes = sizes or {"vta_da": 2}
    spikes = spikes or {"vta_da": (np.empty(0), np.empty(0, dtype=np.int32))}
    return Results(config={}, seed=7, sizes=sizes, spikes=spikes, rate_t=t[::10],
                   rates={p: np.zeros(t[::10].size) for p in sizes}, trace_t=t,
                   traces={"da_nac_nM": da, **traces}, phases=phases)


def _gaussian(t, centre, amplitude, fwhm):
    sigma = fwhm / FWHM_PER_SIGMA
    return amplitude * np.exp(-0.5 * ((t - centre) / sigma) ** 2)


def test_summary_keys_and_json(tmp_path):
    results = make_results(seed=1, duration=15.0)
    summary = summarize(results)
    assert {"duration_s", "seed", "phases", "rates_hz", "da_nM", "da_fold_change",
            "cocaine_peak_nM", "occupancy", "oxt_nac_nM", "oxt_vta_nM"} <= set(summary)
    assert summary["duration_s"] == pytest.approx(15.0) and summary["seed"] == 1
    assert set(summary["rates_hz"]) == set(results.sizes)
    assert set(summary["rates_hz"]["nac_d1"]) == {"baseline", "challenge", "washout", "all"}
    assert set(summary["da_nM"]) == {"tonic", "peak", "peak_time_s", "phase_mean"}
    assert set(summary["occupancy"]) == {k for k in results.traces if k.startswith("occ_")}
    assert summary["cocaine_peak_nM"] == pytest.approx(results.traces["cocaine_nac_nM"].max())
    # Synthetic tonic [DA] is 40 nM, cocaine doubles it, OXT tonic 3 nM in the NAc.
    assert summary["da_nM"]["tonic"] == pytest.approx(40.0, abs=1.5)
    assert summary["da_fold_change"]["challenge"] > 2.0
    assert summary["oxt_nac_nM"]["tonic"] == pytest.approx(3.0, rel=0.1)
    path = write_summary(results, tmp_path)
    assert json.loads(path.read_text()) == json.loads(json.dumps(summary))


def test_rates_match_a_hand_count():
    phases = [Phase("baseline", 0.0, 2.0), Phase("challenge", 2.0, 4.0)]
    # 2 neurons; baseline: 6 spikes, challenge: 2 spikes (t=4.0 is outside the run).
    times = np.array([0.1, 0.5, 0.9, 1.2, 1.5, 1.99, 2.0, 3.5, 4.0])
    spikes = {"vta_da": (times, np.zeros(times.size, dtype=np.int32))}
    results = _constructed(np.full(4000, 40.0), phases, spikes=spikes)
    rates = summarize(results)["rates_hz"]["vta_da"]
    assert rates["baseline"] == pytest.approx(6 / (2 * 2.0))
    assert rates["challenge"] == pytest.approx(2 / (2 * 2.0))
    assert rates["all"] == pytest.approx(8 / (2 * 4.0))


def test_tonic_peak_fold_change_and_missing_traces():
    phases = [Phase("rest", 0.0, 2.0), Phase("drug", 2.0, 4.0)]  # no 'baseline' phase
    t = np.arange(4000) * DT
    da = np.where(t < 2.0, 50.0, 100.0)
    da[500] = 300.0  # a single-sample peak at 0.5 s
    results = _constructed(da, phases)
    summary = summarize(results)
    assert summary["da_nM"]["tonic"] == pytest.approx(50.0)  # median ignores the peak
    assert summary["da_nM"]["peak"] == pytest.approx(300.0)
    assert summary["da_nM"]["peak_time_s"] == pytest.approx(0.5)
    assert summary["da_nM"]["phase_mean"]["drug"] == pytest.approx(100.0)
    assert summary["da_fold_change"]["drug"] == pytest.approx(2.0)
    assert summary["da_fold_change"]["rest"] == pytest.approx((50 * 1999 + 300) / 2000 / 50)
    assert summary["oxt_nac_nM"] is None and summary["cocaine_peak_nM"] is None
    assert summary["occupancy"] == {}


def test_burst_transients_on_a_constructed_trace():
    phases = [Phase("baseline", 0.0, 10.0)]
    t = np.arange(10000) * DT
    da = np.full(t.size, 40.0)
    da += _gaussian(t, 2.0, 200.0, 0.4) + _gaussian(t, 5.0, 120.0, 0.3)
    da += _gaussian(t, 8.0, 10.0, 0.4)  # too small to count
    found = burst_transients(_constructed(da, phases))
    assert len(found) == 2
    first, second = found
    assert first["peak_time_s"] == pytest.approx(2.0, abs=DT)
    assert first["peak_nM"] == pytest.approx(240.0, rel=1e-3)
    assert first["amplitude_nM"] == pytest.approx(200.0, rel=1e-3)
    assert first["width_s"] == pytest.approx(0.4, abs=2 * DT)
    # Onset: where the Gaussian first reaches 10 % of its peak.
    sigma = 0.4 / FWHM_PER_SIGMA
    assert first["start_s"] == pytest.approx(2.0 - sigma * np.sqrt(2 * np.log(10)), abs=2 * DT)
    assert second["amplitude_nM"] == pytest.approx(120.0, rel=1e-3)
    assert second["width_s"] == pytest.approx(0.3, abs=2 * DT)
    assert burst_transients(_constructed(da, phases), threshold_nM=150.0)[0]["peak_time_s"] == \
        pytest.approx(2.0, abs=DT)
    assert len(burst_transients(_constructed(da, phases), threshold_nM=150.0)) == 1


def test_noise_does_not_split_or_fake_transients():
    rng = np.random.default_rng(0)
    phases = [Phase("baseline", 0.0, 10.0)]
    t = np.arange(10000) * DT
    da = 40.0 + rng.normal(0.0, 3.0, t.size) + _gaussian(t, 4.0, 150.0, 0.5)
    found = burst_transients(_constructed(da, phases))
    assert len(found) == 1
    assert found[0]["width_s"] == pytest.approx(0.5, abs=0.03)


def test_burst_transients_in_synthetic_run():
    results = make_results(seed=2, duration=30.0)
    found = burst_transients(results, phase="baseline")
    expected = burst_times(30.0)
    expected = expected[expected < results.phase("baseline").stop]
    assert len(found) == expected.size == 3
    for transient, burst in zip(found, expected):
        assert transient["amplitude_nM"] == pytest.approx(BURST_AMPLITUDE_NM, rel=0.05)
        assert transient["width_s"] == pytest.approx(BURST_FWHM_S, rel=0.05)
        assert burst < transient["peak_time_s"] < burst + BURST_FWHM_S


def test_phase_called_all_is_refused():
    results = _constructed(np.full(100, 40.0), [Phase("all", 0.0, 0.1)])
    with pytest.raises(ValueError, match="'all'"):
        summarize(results)
