"""Configs are validated completely before anything is simulated, with one clear error."""

from unittest import mock

import pytest

import circuit
from circuit import ConfigError, load_config
from circuit.config import loader
from circuit.config.loader import read_yaml
from conftest import BEHAVIOUR, DEFAULT, REDUCED, ROOT


def _error(overrides=(), source=DEFAULT):
    with pytest.raises(ConfigError) as info:
        load_config(source, overrides)
    return str(info.value)


def test_default_and_reduced_configs_are_valid():
    default = load_config(DEFAULT)
    reduced = load_config(REDUCED)
    assert default["network"]["scale"] == 1.0
    assert reduced["network"]["scale"] == 0.4
    assert reduced["neurons"]["msn"]["C"] == default["neurons"]["msn"]["C"]


def test_unknown_key_is_named_with_a_suggestion():
    message = _error(["neurons.msn.tau_mm=20 ms"])
    assert "neurons.msn.tau_mm: unknown key" in message
    message = _error(["fields.da.Vmx=4 uM/s"])
    assert "did you mean 'fields.da.Vmax'" in message


def test_missing_key_is_named(tmp_path):
    raw = read_yaml(DEFAULT)
    del raw["fields"]["da"]["Km"]
    with pytest.raises(ConfigError, match=r"fields\.da\.Km: missing key"):
        load_config(raw)


def test_wrong_unit_is_named_with_what_was_expected():
    message = _error(["neurons.msn.C=15 mV"])
    assert "neurons.msn.C" in message and "pF" in message


def test_number_without_unit_is_rejected():
    assert "synapses.tau_ampa" in _error(["synapses.tau_ampa=6"])


def test_out_of_range_value_is_named_with_the_range():
    message = _error(["receptors.d2r_availability=1.5"])
    assert "receptors.d2r_availability" in message and "[0, 1]" in message


def test_wrong_type_is_rejected():
    assert "network.sizes.nac_d1: expected an integer" in _error(["network.sizes.nac_d1=2.5"])
    assert "mechanisms.heteromer: expected on or off" in _error(["mechanisms.heteromer=maybe"])
    # a bare number is not a dose, as it is not a time (it was read as mg/kg)
    assert "interventions.oxt.dose: expected a quantity in mg/kg" in _error(
        ["interventions.oxt.dose=2"])
    assert "like '2 mg/kg'" in _error(["interventions.oxt.dose=2"])


def test_every_problem_is_reported_at_once():
    error = None
    try:
        load_config(DEFAULT, ["neurons.msn.C=1 mV", "fields.da.Km=-3 nM", "bogus=1"])
    except ConfigError as err:
        error = err
    assert error is not None and len(error.problems) == 3


def test_cross_key_checks():
    assert "protocol.bursts.times[0]" in _error(["protocol.bursts.times=[50 s]"])
    assert "v_r < v_t < v_peak" in _error(["neurons.msn.v_t=-90 mV"])


def test_a_network_too_large_for_the_memory_is_named_before_anything_is_built():
    with mock.patch.object(loader, "physical_memory", return_value=64 * loader.GIB):
        message = _error(["network.sizes.nac_d1=1000000"])
        assert "network.scale, network.sizes.nac_d1: the network would have" in message
        assert "more than this machine's 64 GiB" in message
        assert "afferents.cortex.size:" in _error(["network.scale=100",
                                                   "afferents.cortex.size=1000000"])
    with mock.patch.object(loader, "physical_memory", return_value=1 * loader.GIB):
        for source, scale in ((DEFAULT, 1), (BEHAVIOUR, 0.4), (REDUCED, 0.4)):
            assert load_config(source)["network"]["scale"] == scale
            load_config(source, [f"network.scale={4 * scale}"])
    with mock.patch.object(loader, "physical_memory", return_value=None):  # OS does not say
        load_config(DEFAULT, ["network.sizes.nac_d1=1000000"])


def test_overrides_and_seed_apply():
    config = load_config(DEFAULT, ["network.scale=0.5", "mechanisms.heteromer=off",
                                   "synapses.tau_ampa=5 ms"], seed=7)
    assert config["network"]["scale"] == 0.5
    assert config["mechanisms"]["heteromer"] is False
    assert config.plain["synapses"]["tau_ampa"] == "5 ms"
    assert config["simulation"]["seed"] == 7


def test_malformed_override_is_rejected():
    assert "expected path.to.key=value" in _error(["network.scale"])


def test_broken_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("network: [unclosed\n")
    assert "not valid YAML" in _error(source=bad)
    assert "not found" in _error(source=tmp_path / "absent.yaml")


def test_a_missing_base_names_the_file_that_asks_for_it(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text("base: nothere.yaml\n")
    message = _error(source=child)
    assert str(child) in message and "base: config file not found: 'nothere.yaml'" in message


def test_an_experiment_spec_given_as_a_config_says_so_in_one_line():
    spec = ROOT / "configs" / "experiments" / "heteromer.yaml"
    with pytest.raises(ConfigError) as caught:
        load_config(spec)
    (problem,) = caught.value.problems
    assert "is an experiment spec" in problem and "circuit experiment" in problem


def test_base_inheritance_merges_sections(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text(f"base: {DEFAULT}\nfields:\n  da:\n    Km: 200 nM\n")
    config = load_config(child)
    assert config.plain["fields"]["da"]["Km"] == "200 nM"
    assert config.plain["fields"]["da"]["Vmax"] == "4 uM/s"


def test_resolved_config_round_trips():
    config = load_config(REDUCED, ["protocol.cocaine.dose=2 mg/kg"])
    again = load_config(config.plain)
    assert again.plain == config.plain


@pytest.mark.parametrize("override, named", [
    ("protocol.baseline=1e9 s", "protocol.warmup/baseline/challenge/washout"),
    ("simulation.dt=1e-9 ms", "simulation.dt"),
    ("behaviour.trial=1000000 s", "behaviour.trials/trial"),
    ("protocol.input_dt=1e-9 ms", "protocol.input_dt"),
])
def test_absurd_durations_are_refused_before_any_build(override, named):
    with pytest.raises(ConfigError, match="time steps|GiB of inputs") as err:
        load_config(DEFAULT, [override])
    assert named in str(err.value)


def test_a_derived_config_equals_the_fully_validated_one_and_checks_what_changes():
    from circuit.protocols.library import read_protocol

    config = circuit.load_config(BEHAVIOUR)
    session = loader.merge(config.plain["session"], read_protocol("extinction", config))
    derived = config.derive({"session": session}, ["fields.oxt.tone=1.5"])
    full = circuit.load_config({**config.plain, "session": derived.plain["session"],
                                "fields": derived.plain["fields"]})
    assert derived.plain == full.plain and derived["fields"]["oxt"]["tone"] == 1.5
    assert config["fields"]["oxt"]["tone"] != 1.5  # the original is untouched
    with pytest.raises(circuit.ConfigError, match="fields.oxt.tone"):
        config.derive({}, ["fields.oxt.tone=-1"])
    with pytest.raises(circuit.ConfigError, match="nonsense: unknown key"):
        config.derive({"nonsense": {}})


def test_a_mapping_config_reads_its_base_and_overrides_come_in_three_forms(tmp_path):
    config = load_config({"base": "default", "network": {"scale": 0.2}},
                         {"plasticity.eta": "2 /s"})
    assert config["network"]["scale"] == 0.2 and config.experiment["seeds"] == [1, 2, 3]
    assert float(config["plasticity"]["eta"]) == 2.0
    assert load_config(REDUCED, "network.scale=0.3")["network"]["scale"] == 0.3
    assert load_config(REDUCED, ["network.scale=0.3"])["network"]["scale"] == 0.3
    with pytest.raises(ConfigError, match="base: config file not found: 'nope'"):
        load_config({"base": "nope"})


def test_a_file_may_start_from_one_of_circuits_own_configs_by_name(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("base: default\nnetwork:\n  scale: 0.2\n")
    config = load_config(path)
    assert config["network"]["scale"] == 0.2 and config.experiment["seeds"] == [1, 2, 3]
    path.write_text("base: default.yaml\n")
    (tmp_path / "default.yaml").write_text("base: reduced\n")  # a file beside it wins
    assert load_config(path).experiment is None


def test_the_options_go_to_one_pool_and_the_cue_to_at_least_one():
    assert "exactly one pool must carry 'options'" in _error(
        ["behaviour.ensembles.amygdala=options"])
    assert "at least one pool must carry 'cue'" in _error(["behaviour.ensembles.amygdala=none"])
    both = load_config(DEFAULT, ["behaviour.ensembles.vta_input=cue"])
    assert [pool for pool, role in both["behaviour"]["ensembles"].items()
            if role == "cue"] == ["amygdala", "vta_input"]


def test_heteromer_at_the_autoreceptors_needs_autoreceptors():
    message = _error(["receptors.heteromer_site=autoreceptor"])
    assert "receptors.heteromer_site" in message and "receptors.autoreceptor_gain" in message
    assert "heteromer_site" in _error(["receptors.heteromer_site=terminals"])
    circuit.load_config(DEFAULT, ["receptors.heteromer_site=both",
                                  "receptors.autoreceptor_gain=0.5"])
