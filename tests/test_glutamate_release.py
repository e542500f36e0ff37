"""M8 in the network: with an OXT dose, thinning glutamate release at the MSNs' inputs
lowers MSN firing and leaves the PV cells alone; with `glutamate_release_pv` the PV
cells' cortical input is thinned too and they fire less. The reduced network's short
protocol (its compiled build is shared with the other tests)."""

import pytest

from conftest import REDUCED, simulate

OXT = ["interventions.oxt.given=on", "interventions.oxt.dose=1 mg/kg"]
M8 = [*OXT, "mechanisms.glutamate_release=on", "oxt_actions.glutamate_release_cut=1"]


@pytest.fixture(scope="module")
def runs():
    return {"oxt": simulate(REDUCED, OXT), "m8": simulate(REDUCED, M8),
            "m8_pv": simulate(REDUCED, [*M8, "oxt_actions.glutamate_release_pv=on"])}


def _spikes(results, population):
    return len(results.spikes[population][0])


def test_m8_lowers_msn_firing_and_leaves_the_pv_cells(runs):
    for population in ("nac_d1", "nac_d2"):
        assert _spikes(runs["m8"], population) < 0.9 * _spikes(runs["oxt"], population)
    assert _spikes(runs["m8"], "nac_pv") == _spikes(runs["oxt"], "nac_pv")


def test_m8_at_the_pv_cells_input_lowers_their_firing(runs):
    assert _spikes(runs["m8_pv"], "nac_pv") < 0.95 * _spikes(runs["oxt"], "nac_pv")
