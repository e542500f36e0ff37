"""The three-factor rule on the plasticity bench: signs per cell type and DA level, the
third factor's necessity, the DA timing window, OXT-LTD, the heteromer, canonical-mode
equivalence with a NumPy reference, the D2 LTD floor, fast form = clock-driven form,
bounds, determinism.

Every condition is a synapse of one bench spec, so a run covers them all and parameter
changes reuse the compiled bench.
"""

import numpy as np
import pytest

import circuit
from circuit.bench.spec import parse_bench
from circuit.bench.simulate import run_bench
from conftest import DEFAULT
from reference_stdp_dopamine import simulate as reference

PAIRING = {"start": "1 s", "count": 5, "period": "100 ms", "delay": "10 ms"}
ACAUSAL = {**PAIRING, "delay": "-10 ms"}
TONIC = "30 nM"
BURST_AT = 1.9  # s, just after the last pairing (1.41 s)
WINDOW_DELAYS = (-1.0, 0.5, 1.0, 2.0, 3.0, 5.0)  # DA onset after the last pairing, s


def _burst(start, level="300 nM", duration="300 ms"):
    return {"baseline": TONIC, "pulses": [{"start": f"{start} s", "duration": duration,
                                            "level": level}]}


def _canonical_trains(seed=3, rate=8.0, duration=6.0):
    rng = np.random.default_rng(seed)
    grid = lambda n: np.unique(np.round(rng.uniform(0.1, duration - 0.1, n), 3))
    return grid(int(rate * duration)), grid(int(rate * duration)), grid(6)


PRE, POST, DA_SPIKES = _canonical_trains()
SPEC = {
    "cell": "d1", "duration": "8 s", "record_dt": "10 ms",
    "synapses": [
        {"name": "causal_burst", "pairing": PAIRING, "da": _burst(BURST_AT)},
        {"name": "acausal_burst", "pairing": ACAUSAL, "da": _burst(BURST_AT)},
        {"name": "causal_tonic", "pairing": PAIRING, "da": TONIC},
        {"name": "causal_dip", "pairing": PAIRING, "da": _burst(BURST_AT, "0 nM", "500 ms")},
        {"name": "causal_big_burst", "pairing": PAIRING, "da": _burst(BURST_AT, "3000 nM")},
        {"name": "causal_oxt", "pairing": PAIRING, "da": TONIC, "oxt": "10 nM"},
        {"name": "pre_only_oxt", "pre": [f"{1 + 0.1 * k:.1f} s" for k in range(40)],
         "da": TONIC, "oxt": "10 nM"},
        {"name": "burst_oxt", "pre": [f"{1 + 0.01 * k:.2f} s" for k in range(40)],
         "da": TONIC, "oxt": "10 nM"},
        *[{"name": f"delay_{d:g}", "pairing": PAIRING, "da": _burst(1.41 + d)}
          for d in WINDOW_DELAYS],
        {"name": "canonical", "pre": [f"{t} s" for t in PRE], "post": [f"{t} s" for t in POST],
         "da": TONIC, "da_spikes": [f"{t} s" for t in DA_SPIKES]},
    ],
}
BENCH = parse_bench(SPEC)
#: The slice learning rate (the network's is 100x lower; docs/plasticity.md).
SLICE_RATE = "plasticity.eta=2 /s"


def _run(*overrides, cell="d1"):
    config = circuit.load_config(DEFAULT, [SLICE_RATE, *overrides])
    bench = BENCH if cell == "d1" else parse_bench({**SPEC, "cell": cell})
    result = run_bench(bench, config)
    return {name: result.weight[k] for k, name in enumerate(result.names)}, result


def _change(weights, name):
    return weights[name][-1] - 1.0


@pytest.fixture(scope="module")
def d1():
    return _run()


@pytest.fixture(scope="module")
def d2():
    return _run("mechanisms.oxt_ltd=off", cell="d2")


def test_d1_causal_pairing_with_da_burst_gives_ltp(d1):
    assert _change(d1[0], "causal_burst") > 0.05


def test_d1_acausal_pairing_with_da_burst_gives_ltd(d1):
    assert _change(d1[0], "acausal_burst") < -0.05


def test_no_change_without_the_third_factor(d1, d2):
    for weights in (d1[0], d2[0]):
        assert abs(_change(weights, "causal_tonic")) < 1e-9


def test_d2_causal_pairing_with_da_burst_gives_ltd_and_with_a_dip_ltp(d2):
    weights = d2[0]
    assert _change(weights, "causal_burst") < -0.01
    assert _change(weights, "causal_dip") > 0.01


def test_da_timing_window(d1):
    """DA after the pairing converts eligibility, less and less with delay (tau_c ~1 s);
    DA before the pairing does nothing (Yagishita et al. 2014)."""
    changes = [_change(d1[0], f"delay_{d:g}") for d in WINDOW_DELAYS]
    before, after = changes[0], changes[1:]
    assert abs(before) < 1e-9
    assert all(a > b for a, b in zip(after, after[1:]))
    assert after[0] > 0.05 and after[-1] < 0.05 * after[0]


def test_oxt_ltd_needs_oxt_oxtr_and_the_critical_period(d1):
    assert _change(d1[0], "pre_only_oxt") < -0.02
    assert abs(_change(d1[0], "causal_tonic")) < 1e-9  # no OXT, no OXT-LTD
    for switch in ("plasticity.critical_period=0", "plasticity.oxtr_terminals=0",
                   "mechanisms.oxt_ltd=off"):
        weights, _ = _run(switch)
        assert abs(_change(weights, "pre_only_oxt")) < 1e-9, switch


def test_oxt_ltd_gate_spares_inputs_that_are_not_co_active(d1):
    """With the gate, OXT-LTD reaches an input firing in a burst (100 Hz: its trace before
    a spike ~1.5) and spares one at 10 Hz (trace ~0.007), which without it loses as much
    per spike (Dolen et al. 2013: OXT-LTD needs co-activation)."""
    ungated = d1[0]
    assert _change(ungated, "burst_oxt") < -0.02 and _change(ungated, "pre_only_oxt") < -0.02
    gated, _ = _run("plasticity.oxt_ltd_gate=0.3")
    assert abs(_change(gated, "pre_only_oxt")) < 1e-9
    assert _change(gated, "burst_oxt") < -0.02
    # each gated spike depresses as much as before: only the first spike (trace 0) is spared
    assert _change(gated, "burst_oxt") == pytest.approx(_change(ungated, "burst_oxt") * 39 / 40,
                                                        rel=0.05)


def test_oxt_ltd_site_chooses_the_msns_it_reaches(d1):
    """`plasticity.oxt_ltd_site` d1 keeps OXT-LTD at D1 MSNs' inputs as it is and takes it
    from D2 MSNs'; d2 the other way round."""
    assert _change(d1[0], "pre_only_oxt") < -0.02
    at_d1, _ = _run("plasticity.oxt_ltd_site=d1")
    assert _change(at_d1, "pre_only_oxt") == _change(d1[0], "pre_only_oxt")
    at_d2, _ = _run("plasticity.oxt_ltd_site=d2")
    assert abs(_change(at_d2, "pre_only_oxt")) < 1e-9
    d2_cell = ["mechanisms.heteromer=off"]  # OXT-LTD alone, without the heteromer's D2 LTD
    d2_both, _ = _run(*d2_cell, cell="d2")
    d2_at_d1, _ = _run(*d2_cell, "plasticity.oxt_ltd_site=d1", cell="d2")
    assert _change(d2_both, "pre_only_oxt") < -0.02
    assert abs(_change(d2_at_d1, "pre_only_oxt")) < 1e-9


def _conductance(result, name):
    """The bench cell's summed AMPA increments (no decay on the bench) at the end."""
    return result.traces["g_ampa"][result.names.index(name)][-1]


def test_oxt_thins_glutamate_release_through_mglu23():
    """M8: with OXT at 10 nM each spike releases (1 - cut x (occupancy - tonic occupancy))
    of its conductance: 1 - 0.5 x (10/11 - 0.2/1.2) = 0.629; without OXT, all of it; with
    the OXTR antagonist (Kd x 100) nearly all, 0.956. Gated at 0.3, the 10 Hz input
    (trace ~0.007) is spared and the burst loses it at 39 of its 40 spikes (the first
    finds its trace at 0). The weight itself does not move (M4 off)."""
    off = ["mechanisms.oxt_ltd=off"]
    on = [*off, "mechanisms.glutamate_release=on", "oxt_actions.glutamate_release_cut=0.5"]
    _, plain = _run(*off)
    weights, thinned = _run(*on)
    _, gated = _run(*on, "oxt_actions.glutamate_release_gate=0.3")
    _, blocked = _run(*on, "interventions.oxtr_antagonist.given=on")
    kept = 1 - 0.5 * (10 / 11 - 0.2 / 1.2)
    for name in ("pre_only_oxt", "burst_oxt"):
        assert _conductance(plain, name) > 0
        assert _conductance(thinned, name) == pytest.approx(_conductance(plain, name) * kept,
                                                            rel=1e-3)
        assert _conductance(blocked, name) == pytest.approx(
            _conductance(plain, name) * (1 - 0.5 * (10 / 110 - 0.2 / 100.2)), rel=1e-3)
        assert abs(_change(weights, name)) < 1e-9
    assert _conductance(thinned, "causal_tonic") == _conductance(plain, "causal_tonic")
    assert _conductance(gated, "pre_only_oxt") == _conductance(plain, "pre_only_oxt")
    assert _conductance(gated, "burst_oxt") == pytest.approx(
        _conductance(plain, "burst_oxt") * (1 + 39 * kept) / 40, rel=1e-3)


def test_heteromer_turns_oxt_into_d2_ltd(d2):
    """With OXT, the heteromer raises D2R occupancy above its reference at tonic DA: the
    same D2R path gives LTD. Without the heteromer, OXT leaves D2 plasticity alone."""
    off, _ = _run("mechanisms.oxt_ltd=off", "mechanisms.heteromer=off", cell="d2")
    assert _change(d2[0], "causal_oxt") < -0.005
    assert abs(_change(off, "causal_oxt")) < 1e-9


def test_d2_ltd_counts_from_the_tonic_occupancy_so_an_antagonist_cannot_deepen_it(d2):
    """A competitive D2 antagonist lowers the tracked reference, so DA bursts that surmount
    it move D2R occupancy further above the reference than without it: without the floor
    the antagonist deepens D2 MSN LTD, where D2 MSN LTD needs D2R activation (Shen et al.
    2008). With rises counted from the tonic occupancy (`d2_ltd_activation` 1), LTD under
    the antagonist is no deeper than without it, at 300 and 3000 nM bursts; with a fixed
    reference (the tonic occupancy itself) the floor changes nothing, to the last bit."""
    floored, _ = _run("mechanisms.oxt_ltd=off", "plasticity.d2_ltd_activation=1", cell="d2")
    for name, trajectory in d2[0].items():
        np.testing.assert_array_equal(floored[name], trajectory, err_msg=name)
    adaptive = ["mechanisms.oxt_ltd=off", "plasticity.reference=adaptive",
                "plasticity.tau_reference=200 ms"]
    antagonist = "interventions.d2_antagonist.given=on"
    floor = "plasticity.d2_ltd_activation=1"
    runs = {label: _run(*adaptive, *extra, cell="d2")[0]
            for label, extra in {"vehicle": [], "antagonist": [antagonist],
                                 "vehicle_floor": [floor],
                                 "antagonist_floor": [antagonist, floor]}.items()}
    for burst in ("causal_burst", "causal_big_burst"):
        assert _change(runs["antagonist"], burst) < _change(runs["vehicle"], burst) - 0.02
        assert _change(runs["vehicle_floor"], burst) < -0.01  # the floor leaves vehicle LTD
        assert _change(runs["antagonist_floor"], burst) >= _change(runs["vehicle_floor"], burst)


def test_the_d2_ltd_floor_leaves_d1_msns_alone(d1):
    floored, _ = _run("plasticity.d2_ltd_activation=2")
    for name, trajectory in d1[0].items():
        np.testing.assert_array_equal(floored[name], trajectory, err_msg=name)


def test_fast_form_equals_clock_driven_form(d1):
    clock, _ = _run("plasticity.form=clock")
    for name, trajectory in d1[0].items():
        np.testing.assert_allclose(clock[name], trajectory, rtol=1e-3, atol=1e-4, err_msg=name)


def test_canonical_mode_matches_the_numpy_reference():
    overrides = ["plasticity.canonical=on", "mechanisms.oxt_ltd=off", "plasticity.b=0.1",
                 "plasticity.eta=1 /s"]
    weights, result = _run(*overrides)
    config = circuit.load_config(DEFAULT, overrides)["plasticity"]
    times, expected = reference(
        PRE, POST, DA_SPIKES, tau_plus=0.02, tau_minus=0.02, tau_c=float(config["tau_c"]),
        tau_n=float(config["tau_n"]), A_plus=config["A_plus"], A_minus=config["A_minus"],
        eta=1.0, b=0.1, n_inc=config["n_per_spike"], w_max=config["w_max"], until=8.0)
    assert abs(expected[-1] - 1.0) > 0.01  # the trains do change the weight
    simulated = np.interp(times, result.t, weights["canonical"])
    np.testing.assert_allclose(simulated, expected, rtol=0.01, atol=2e-3)


def test_weights_stay_within_bounds():
    weights, _ = _run("plasticity.eta=500 /s", "plasticity.w_max=1.5")
    values = np.concatenate(list(weights.values()))
    assert values.min() >= 0.0 and values.max() <= 1.5
    assert values.max() == pytest.approx(1.5) and values.min() == pytest.approx(0.0)


def test_same_spec_same_weights(d1):
    again, _ = _run()
    for name, trajectory in d1[0].items():
        np.testing.assert_array_equal(again[name], trajectory)
