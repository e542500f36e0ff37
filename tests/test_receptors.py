"""Receptor occupancies in the running network: the D2R-OXTR heteromer (M1) raises D2R
affinity by the configured fold at full OXTR occupancy, and not at all when M1 is off."""

import numpy as np
import pytest

from conftest import simulate

FOLD = 3.0
KD_D2_NM = 10.0
SATURATING_OXT = ["fields.oxt.background=1000 nM", "fields.oxt.initial=1000 nM"]


def _effective_kd(results):
    """D2R dissociation constant implied by the recorded [DA] and D2R occupancy."""
    da = results.traces["da_nac_nM"]
    occupancy = results.traces["occ_d2r_nac_d2"]
    return np.median(da * (1.0 - occupancy) / occupancy)


@pytest.fixture(scope="module")
def saturating_oxt_runs():
    common = SATURATING_OXT + [f"receptors.heteromer_fold={FOLD}"]
    on = simulate(overrides=common)
    off = simulate(overrides=common + ["mechanisms.heteromer=off"])
    return on, off


def test_heteromer_raises_d2r_affinity_by_the_configured_fold(saturating_oxt_runs):
    on, _ = saturating_oxt_runs
    assert on.traces["occ_oxtr_nac_d2"].min() > 0.99
    assert KD_D2_NM / _effective_kd(on) == pytest.approx(FOLD, rel=0.02)


def test_heteromer_off_leaves_d2r_affinity_unchanged(saturating_oxt_runs):
    _, off = saturating_oxt_runs
    assert _effective_kd(off) == pytest.approx(KD_D2_NM, rel=0.01)


def test_occupancy_follows_the_binding_curve_with_and_without_heteromer(saturating_oxt_runs):
    """Recorded D2R occupancy equals [DA]/([DA] + Kd_eff), sample by sample."""
    for run, kd in zip(saturating_oxt_runs, (KD_D2_NM / FOLD, KD_D2_NM)):
        da = run.traces["da_nac_nM"]
        occupancy = run.traces["occ_d2r_nac_d2"]
        oxtr = run.traces["occ_oxtr_nac_d2"]
        kd_eff = kd if kd == KD_D2_NM else KD_D2_NM / (1 + (FOLD - 1) * oxtr)
        # Neurons read [DA] through the volume coupling one step after it is recorded, so
        # fast transients differ slightly; the bulk of samples must match closely.
        error = np.abs(occupancy / (da / (da + kd_eff)) - 1)
        assert np.median(error) < 1e-3 and np.quantile(error, 0.99) < 0.02


def test_d1r_is_low_affinity_and_d2r_high_affinity(reduced_results):
    baseline = reduced_results.phase("baseline")
    keep = reduced_results.trace_t < baseline.stop
    d1 = np.median(reduced_results.traces["occ_d1r_nac_d1"][keep])
    d2 = np.median(reduced_results.traces["occ_d2r_nac_d2"][keep])
    assert d1 < 0.1 < 0.5 < d2


def _levels(results):
    """(tonic NAc [DA], mean NAc [DA] over the last 5 s of the cocaine challenge), nM."""
    from circuit.analysis import tonic_level

    t, da = results.trace_t, results.traces["da_nac_nM"]
    challenge = results.phase("challenge")
    late = (t >= challenge.stop - 5.0) & (t < challenge.stop)
    return tonic_level(results, "da_nac_nM"), float(np.mean(da[late]))


@pytest.fixture(scope="module")
def autoreceptor_runs():
    """OXT at saturation (M3 off), with terminal autoreceptors (gain 1) and the heteromer
    at each site, and without them."""
    common = SATURATING_OXT + ["mechanisms.da_release=off"]
    runs = {site: simulate(overrides=common + ["receptors.autoreceptor_gain=1",
                                               f"receptors.heteromer_site={site}"])
            for site in ("postsynaptic", "autoreceptor")}
    runs["none"] = simulate(overrides=common)
    return runs


def test_terminal_autoreceptors_damp_the_cocaine_evoked_rise(autoreceptor_runs):
    # the heteromer is postsynaptic: the difference is the autoreceptors' own feedback,
    # normalised to nothing at the reference [DA] and growing with [DA]
    (tonic, challenge), (tonic_fb, challenge_fb) = (
        _levels(autoreceptor_runs["none"]), _levels(autoreceptor_runs["postsynaptic"]))
    assert tonic_fb == pytest.approx(tonic, rel=0.1)
    assert challenge_fb - tonic_fb < 0.9 * (challenge - tonic)


def test_the_heteromer_at_the_autoreceptor_site_lowers_release_and_spares_d2_msns(
        autoreceptor_runs):
    post, auto = autoreceptor_runs["postsynaptic"], autoreceptor_runs["autoreceptor"]
    for at_auto, at_post in zip(_levels(auto), _levels(post)):  # tonic, under cocaine
        assert at_auto < 0.97 * at_post
    # at the autoreceptor site the D2 MSNs' D2R keeps its own affinity
    assert _effective_kd(auto) == pytest.approx(KD_D2_NM, rel=0.02)
    assert _effective_kd(post) == pytest.approx(KD_D2_NM / FOLD, rel=0.02)


def test_heteromer_coupling_strengthens_d2r_action_without_changing_binding(
        saturating_oxt_runs):
    on, _ = saturating_oxt_runs
    coupled = simulate(overrides=SATURATING_OXT + [f"receptors.heteromer_fold={FOLD}",
                                                   "receptors.heteromer_coupling=3"])
    assert _effective_kd(coupled) == pytest.approx(KD_D2_NM / FOLD, rel=0.02)
    # the occupied D2R lowers D2 MSN excitability and AMPA input more: fewer spikes
    assert coupled.mean_rate("nac_d2") < 0.9 * on.mean_rate("nac_d2")
    assert coupled.mean_rate("nac_d1") == pytest.approx(on.mean_rate("nac_d1"), rel=0.25)
