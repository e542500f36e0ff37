"""Learning in the network: a cocaine challenge potentiates afferent->D1 synapses and
depresses afferent->D2 synapses (Pascoli et al. 2012) without runaway firing; with
learning off the weights stay put.

The fast tests run the reduced network's short protocol (its compiled build is shared with
the other tests) at 10x the network rate, so that 30 s of cocaine moves the weights
clearly; away from the bounds the changes scale with the rate. The slow test runs the
calibration protocol of docs/plasticity.md at the network rate.
"""

import numpy as np
import pytest

from conftest import REDUCED, simulate

FAST_RATE = "plasticity.eta=0.2 /s"
#: The calibration protocol: three 1 mg/kg infusions a minute apart (docs/plasticity.md).
EXPOSURE = ["protocol.baseline=20 s", "protocol.challenge=180 s", "protocol.washout=20 s",
            "protocol.cocaine.count=3", "protocol.cocaine.interval=60 s",
            "protocol.bursts.times=[5 s, 10 s, 15 s]"]
#: Ceiling on D1 MSN firing after cocaine with learning (Hz): far below runaway (tens of Hz).
D1_CEILING = 15.0


@pytest.fixture(scope="module")
def learning():
    return simulate(REDUCED, [FAST_RATE])


@pytest.fixture(scope="module")
def frozen():
    return simulate(REDUCED, ["plasticity.enabled=off"])


def _mean_change(results, projection):
    w = results.weights[projection]
    return float(np.mean(w[-1]) - np.mean(w[0]))


def _washout_rate(results, population):
    washout = results.phase("washout")
    return results.mean_rate(population, washout.start, washout.stop)


def test_cocaine_potentiates_d1_and_depresses_d2_inputs(learning):
    for source in ("cortex", "amygdala", "hippocampus"):
        assert _mean_change(learning, f"{source}_to_nac_d1") > 0.005, source
        assert _mean_change(learning, f"{source}_to_nac_d2") < -0.005, source


def test_learning_raises_d1_firing_within_the_ceiling(learning, frozen):
    assert _washout_rate(frozen, "nac_d1") < _washout_rate(learning, "nac_d1") < D1_CEILING


def test_weights_stay_fixed_with_learning_off(frozen):
    for projection, w in frozen.weights.items():
        np.testing.assert_array_equal(w[-1], w[0], err_msg=projection)


@pytest.mark.slow
def test_calibrated_rate_gives_a_few_percent_without_runaway():
    results = simulate(REDUCED, EXPOSURE)
    assert 0.01 < _mean_change(results, "cortex_to_nac_d1") < 0.2
    assert _mean_change(results, "cortex_to_nac_d2") < 0.0
    assert _washout_rate(results, "nac_d1") < D1_CEILING
