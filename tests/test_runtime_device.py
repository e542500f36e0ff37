"""Runtime mode (for debugging) runs the same model without compiling."""

import numpy as np
import pytest

from conftest import REDUCED, simulate

TINY = ["simulation.device=runtime", "network.scale=0.05", "protocol.warmup=0 s",
        "protocol.baseline=0.2 s", "protocol.challenge=0.1 s", "protocol.washout=0.05 s",
        "protocol.cocaine.infusion_duration=0.05 s", "protocol.bursts.times=[]"]


@pytest.fixture(scope="module")
def tiny():
    """The reduced network, shrunk, in runtime mode."""
    return simulate(REDUCED, TINY)


def test_runtime_mode_runs_the_model(tiny):
    results = tiny
    assert results.provenance["device"] == "runtime"
    assert results.sizes["nac_d1"] == 12
    assert len(results.trace_t) == len(results.traces["da_nac_nM"]) > 0
    assert np.all(np.isfinite(results.traces["da_nac_nM"]))
    assert results.traces["cocaine_nac_nM"][-1] > 0
    assert len(results.spikes["nac_pv"][0]) > 0


def test_frozen_fields_hold_the_initial_concentrations_that_neurons_read():
    """fields.form=frozen (the engine-floor benchmark's reference): nothing changes [DA],
    [OXT] or [cocaine] (the infusion that raises [cocaine] above stays out), and every
    neuron reads them."""
    results = simulate(REDUCED, [*TINY, "fields.form=frozen", "fields.da.initial=30 nM"])
    np.testing.assert_array_equal(results.traces["da_nac_nM"], 30.0)
    np.testing.assert_array_equal(results.traces["cocaine_nac_nM"], 0.0)
    d1_occupancy = results.traces["occ_d1r_nac_d1"][1:]  # sampled before the first read
    assert np.all(d1_occupancy > 0) and np.ptp(d1_occupancy) == 0


def test_runtime_mode_restores_the_agents_experience_cue_value_and_situation(tiny):
    import circuit
    from circuit.results.state import State

    first = tiny.state
    state = State(seed=first.seed, structure=first.structure, weights=first.weights,
                  options_taken=np.array([5.0, 3.0, 0.0]), cue_value=0.6, situation=0.3)
    config = circuit.load_config(REDUCED, [*TINY, "simulation.session=1"])
    after = circuit.run(config, progress=False, state=state).state
    # no option is presented in this protocol: the restored values come out unchanged
    np.testing.assert_array_equal(after.options_taken, [5.0, 3.0, 0.0])
    assert after.cue_value == 0.6 and after.situation == 0.3
