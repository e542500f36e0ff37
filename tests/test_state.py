"""Slow state carried between sessions: the end-of-run state is complete, survives a
save/load, restores weights and VTA potentiation exactly, and is refused on another
subject's network. Sessions of one seed share connectivity and differ in noise."""

import numpy as np
import pytest

import circuit
from circuit.results import State, load, read_state, save, write_state
from conftest import REDUCED

STRUCTURE_OF_OTHER_SEED = 2


@pytest.fixture(scope="module")
def altered(reduced_results):
    """The reduced run's end state with weights x1.5 and a strong VTA potentiation."""
    state = reduced_results.state
    return State(seed=state.seed, structure=state.structure,
                 weights={name: 1.5 * w for name, w in state.weights.items()},
                 vta_potentiation=np.float64(0.7))  # as NumPy arithmetic leaves it


@pytest.fixture(scope="module")
def restored(altered):
    config = circuit.load_config(REDUCED, ["simulation.session=1"])
    return circuit.run(config, progress=False, state=altered)


def test_end_state_holds_every_plastic_weight_and_the_vta_potentiation(reduced_results):
    state = reduced_results.state
    assert set(state.weights) == set(reduced_results.weights)
    for name, sampled in reduced_results.weights.items():
        assert state.weights[name].size > sampled.shape[1]
        # the sampled synapses are the first ones; one renewal after the last sample
        np.testing.assert_allclose(state.weights[name][:sampled.shape[1]], sampled[-1],
                                   atol=0.01, err_msg=name)
    assert state.vta_potentiation == pytest.approx(
        reduced_results.traces["vta_potentiation"][-1], rel=0.01)
    assert state.vta_potentiation > 0  # the challenge gave cocaine


def test_state_survives_save_and_load(reduced_results, tmp_path):
    save(reduced_results, tmp_path / "run")
    state = load(tmp_path / "run").state
    again = read_state(tmp_path / "run")
    for name, weights in reduced_results.state.weights.items():
        np.testing.assert_array_equal(state.weights[name], weights)
        np.testing.assert_array_equal(again.weights[name], weights)
    assert (state.seed, state.structure, state.vta_potentiation) == (
        reduced_results.state.seed, reduced_results.state.structure,
        reduced_results.state.vta_potentiation)


def test_the_options_experience_survives_save_and_load(tmp_path):
    state = State(seed=1, structure="s", weights={"a": np.ones(2)},
                  options_taken=np.array([230.0, 25.0, 0.0]))
    write_state(state, tmp_path / "state.npz")
    again = read_state(tmp_path / "state.npz")
    np.testing.assert_array_equal(again.options_taken, [230.0, 25.0, 0.0])
    assert again.digest() == state.digest()
    assert State(seed=1, structure="s", weights={"a": np.ones(2)}).digest() != state.digest()


def test_restored_session_starts_from_the_saved_weights_and_potentiation(restored, altered):
    w_max = restored.config["plasticity"]["w_max"]
    for name, sampled in restored.weights.items():
        expected = np.minimum(altered.weights[name][:sampled.shape[1]], w_max)  # bounded
        np.testing.assert_allclose(sampled[0], expected, atol=0.02, err_msg=name)
    assert restored.traces["vta_potentiation"][0] == pytest.approx(0.7, rel=1e-3)


def test_state_of_another_seed_or_structure_is_refused(altered):
    other_seed = circuit.load_config(REDUCED, seed=STRUCTURE_OF_OTHER_SEED)
    with pytest.raises(ValueError, match="seed"):
        circuit.run(other_seed, progress=False, state=altered)
    bigger = circuit.load_config(REDUCED, ["network.scale=0.5"])
    with pytest.raises(ValueError, match="structure"):
        circuit.run(bigger, progress=False, state=altered)


def test_a_state_carries_into_a_session_of_another_length(altered):
    longer = circuit.load_config(REDUCED, ["protocol.baseline=12 s"])  # a new build
    after = circuit.run(longer, progress=False, state=altered)
    assert after.duration > 40 and after.state.structure == altered.structure
    for name, weights in altered.weights.items():
        assert after.state.weights[name].size == weights.size


def test_sessions_share_connectivity_and_differ_in_noise(reduced_results, restored):
    for name, weights in reduced_results.state.weights.items():
        assert restored.state.weights[name].size == weights.size
    times0, _ = reduced_results.spikes["nac_pv"]
    times1, _ = restored.spikes["nac_pv"]
    assert times0.size != times1.size or not np.array_equal(times0, times1)


def test_a_broken_state_file_is_reported(tmp_path):
    (tmp_path / "state.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="cannot read the state"):
        read_state(tmp_path)
    np.savez(tmp_path / "other.npz", x=np.zeros(2))
    with pytest.raises(ValueError, match="not a circuit state file"):
        read_state(tmp_path / "other.npz")
    write_state(State(seed=1, structure="k", weights={"a": np.ones(3)}), tmp_path / "ok.npz")
    assert read_state(tmp_path / "ok.npz").weights["a"].tolist() == [1.0, 1.0, 1.0]


def test_run_command_rejects_a_missing_state_before_simulating(tmp_path, capsys):
    from circuit.cli import main

    code = main(["run", str(REDUCED), "--out", str(tmp_path / "out"),
                 "--restore", str(tmp_path / "nowhere")])
    assert code == 2
    assert "no saved state" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_aged_state_decays_the_vta_potentiation_and_keeps_the_weights():
    state = State(seed=1, structure="k", weights={"a": np.ones(3)}, vta_potentiation=0.4)
    day = 86400.0
    aged = state.aged(day, tau_decay_s=3 * day)
    assert aged.vta_potentiation == pytest.approx(0.4 * np.exp(-1 / 3))
    np.testing.assert_array_equal(aged.weights["a"], state.weights["a"])
    assert state.vta_potentiation == 0.4  # the original is untouched


@pytest.mark.parametrize("elapsed", ["1 parsec", "-1 day"])
def test_run_command_rejects_a_bad_elapsed_time(tmp_path, capsys, elapsed):
    from circuit.cli import main

    code = main(["run", str(REDUCED), "--out", str(tmp_path / "out"),
                 "--restore", str(tmp_path), "--elapsed", elapsed])
    assert code == 2
    assert "--elapsed" in capsys.readouterr().err


@pytest.mark.parametrize("name, value, default", [
    ("cue_value", 0.75, 0.0),  # default: a cue never paired
    ("situation", 0.125, 1.0),  # default: the drug-taking situation
])
def test_an_agent_value_survives_save_load_and_ageing_and_enters_the_digest(
        tmp_path, name, value, default):
    state = State(seed=1, structure="s", weights={"a": np.ones(2)}, **{name: value})
    write_state(state, tmp_path / "state.npz")
    again = read_state(tmp_path / "state.npz")
    assert getattr(again, name) == value and again.digest() == state.digest()
    assert State(seed=1, structure="s", weights={"a": np.ones(2)}).digest() != state.digest()
    assert getattr(State(seed=1, structure="s"), name) == default
    assert getattr(state.aged(86400.0, 3600.0), name) == value  # no decay is modelled


def test_a_state_without_the_options_experience_reads_as_no_presses_of_any_option():
    from circuit.model.agent import OPTIONS

    assert State(seed=1, structure="s").options_taken.tolist() == [0.0] * len(OPTIONS)
