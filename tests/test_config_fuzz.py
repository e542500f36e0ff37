"""Config fuzzing: any malformed config ends in one ConfigError naming the key path.

Hypothesis mutates the real challenge config at a key path drawn from its own tree
(wrong types, units and ranges, missing and unknown keys, sections replaced by values,
absurd sizes), breaks its YAML and feeds random ``--set`` overrides. Every example must
raise ConfigError (never another exception, never a hang) before anything is built.
"""

from __future__ import annotations

import contextlib
import copy
import math
import re
import signal
from unittest import mock

import brian2
import pytest
import yaml
from brian2.units.fundamentalunits import get_dimensions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circuit import ConfigError, load_config
from circuit.config import loader
from circuit.config.loader import override_text, read_yaml
from circuit.config.schema import Spec, leaves, schema
from circuit.config.units import parse_unit
from circuit.experiments import plan_config
from conftest import BEHAVIOUR, DEFAULT

#: Seconds one example may take before it counts as a hang. (Raise max_examples in FUZZ
#: to fuzz harder: 800 per test ran clean in under 3 minutes.)
HANG_S = 10
FUZZ = settings(max_examples=60, deadline=5000, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
#: Examples for the experiment block: each validates a subject's configs.
FUZZ_EXPERIMENT = settings(FUZZ, max_examples=15)

RAW = read_yaml(DEFAULT)
SPECS = dict(leaves(schema()))


def _paths(node: dict, prefix: tuple = ()):
    for key, value in node.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from _paths(value, (*prefix, key))


def _at(raw: dict, path: tuple):
    for key in path:
        raw = raw[key]
    return raw


PATHS = list(_paths(RAW))
LEAVES = [p for p in PATHS if not isinstance(_at(RAW, p), dict)]
SECTIONS = [p for p in PATHS if isinstance(_at(RAW, p), dict)]
SIZE_KEYS = ([("network", "sizes", name) for name in RAW["network"]["sizes"]]
             + [("afferents", name, "size") for name in RAW["afferents"]])
#: Units of other dimensions than most keys, for wrong-unit values.
UNITS = ("mV", "ms", "nS", "pA", "pF", "Hz", "nM", "uM/s", "nS/mV", "mM", "kilogram", "metre")
#: Ints beyond a float (2**1024) and beyond Python's 4300-digit str() limit.
HUGE_INTS = st.sampled_from([2**1100, 10**400, 10**5000])
#: What turns a valid unit into an invalid one after an operator: a zero or infinite
#: scale, other dimensions, a runaway power, or something that is no unit.
POISONS = ("0", "ms**ms", "9**9**9", "1j", "'ms'", "(1/0)", "unknown_unit", "ms+ms", "[ms]",
           "ms.real", "__import__('os')", "(ms if 1 else 2)", "(lambda: 1)", "(-1)**0.5",
           "-" * 500 + "1")
#: Fragments that no YAML parser reads, put on a line of their own.
BROKEN_YAML = ("key: [unclosed", "key: {unclosed: 1", "'unterminated", "\tkey: tab",
               "key: *undefined_alias", "- item: [1, 2", "@reserved: 1", "key: `tick",
               "a: b: c", "!!python/object:os.system {}", "\x00", "key: !!int abc",
               "key: !!bool maybe", "key: !!int", "key: !!timestamp x", "key: 2020-13-45",
               "[" * 5000)


def dotted(path: tuple) -> str:
    return ".".join(str(key) for key in path)


@pytest.fixture(autouse=True, scope="module")
def nothing_is_built():
    """Fail loudly if validating a config builds or runs anything in Brian2."""
    def refuse(*args, **kwargs):
        raise AssertionError("a Brian2 object was built while validating a config")
    with pytest.MonkeyPatch.context() as patch:
        for target in (brian2.NeuronGroup, brian2.Synapses, brian2.PoissonGroup):
            patch.setattr(target, "__init__", refuse)
        patch.setattr(brian2.Network, "run", refuse)
        yield


@contextlib.contextmanager
def no_hang(seconds: int = HANG_S):
    """Raise TimeoutError in the block after `seconds` (where the OS has SIGALRM)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return
    def timeout(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s: a hang")
    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def config_error(load) -> str:
    """The message of the ConfigError that `load()` must raise (any other fails)."""
    with no_hang(), pytest.raises(ConfigError) as info:
        load()
    assert type(info.value) is ConfigError
    return str(info.value)


def mutated(path: tuple, value=None, delete: bool = False) -> dict:
    """RAW with the key at `path` set to `value` (or deleted)."""
    raw = copy.deepcopy(RAW)
    parent = _at(raw, path[:-1])
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return raw


class HexDumper(yaml.SafeDumper):
    """Writes ints too long for str() (over 4300 digits) in hex, as YAML allows."""


HexDumper.add_representer(int, lambda dumper, n: dumper.represent_scalar(
    "tag:yaml.org,2002:int", hex(n) if n.bit_length() > 10_000 else str(n)))


def deliver(raw: dict, how: str, folder):
    """A function loading `raw` as a dict or as a YAML file in `folder`."""
    if how == "dict":
        return lambda: load_config(raw)
    path = folder / "mutated.yaml"
    path.write_text(yaml.dump(raw, Dumper=HexDumper, sort_keys=False))
    return lambda: load_config(path)


# --- wrong values for a key, by what the key expects ---------------------------------

def _starts_with_number(text: str) -> bool:
    return re.match(r"[-+.\d]", text.strip()) is not None


def _dimensioned(spec: Spec) -> bool:
    return spec.kind == "quantity" and spec.unit not in ("1", "mg/kg")


def _out_of_range(spec: Spec):
    """Numbers clearly outside the key's range (exact bounds only where exact: 0)."""
    numbers = [HUGE_INTS, HUGE_INTS.map(lambda n: -n)] if spec.unit == "1" else []
    if spec.kind == "int":
        numbers.append(st.integers(max_value=int(spec.low) - 1))
        numbers.append(st.integers(min_value=int(spec.high) + 1))
        return st.one_of(numbers)
    if math.isfinite(spec.low):
        margin = max(1.0, abs(spec.low)) / 2
        numbers.append(st.floats(min_value=-1e300, max_value=spec.low - margin))
        numbers.append(st.just(-math.inf))
        if spec.low_open and spec.low == 0:
            numbers.append(st.sampled_from([0, 0.0]))
    if math.isfinite(spec.high):
        margin = max(1.0, abs(spec.high)) / 2
        numbers.append(st.floats(min_value=spec.high + margin, max_value=1e300))
    if math.isfinite(spec.high) or spec.high_open:
        numbers.append(st.just(math.inf))
    numbers.append(st.just(math.nan))
    number = st.one_of(numbers)
    if spec.unit == "1":
        return number
    return number.map(lambda x: f"{x!r} {spec.unit}")


def wrong_values(spec: Spec):
    """Values that `spec` must reject."""
    options = [st.none(),
               st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
               st.floats(allow_nan=False).map(lambda x: [x] if x else [x, x])]
    if spec.kind == "list":
        options[-1] = st.lists(st.dictionaries(st.text(max_size=3), st.integers()),
                               min_size=1, max_size=3)
        options.append(st.integers())
    if spec.kind != "bool":
        options.append(st.booleans())
    text = st.text(max_size=30)
    if spec.kind == "bool":
        text = text.filter(lambda t: t.lower() not in ("on", "off", "true", "false",
                                                        "yes", "no"))
    elif spec.kind == "choice":
        text = text.filter(lambda t: t not in spec.choices)
        options.append(st.integers())
    elif _dimensioned(spec) or spec.unit == "mg/kg":
        text = text.filter(lambda t: not _starts_with_number(t))
    options.append(text)
    if spec.kind == "int":
        options.append(st.floats())
    if _dimensioned(spec):
        options.append(st.one_of(st.integers(), st.floats()))  # a number without unit
    if spec.kind == "quantity":
        others = [u for u in UNITS
                  if get_dimensions(parse_unit(u)) != get_dimensions(parse_unit(spec.unit))]
        options.append(st.tuples(st.floats(-1e6, 1e6), st.sampled_from(others))
                       .map(lambda pair: f"{pair[0]!r} {pair[1]}"))
    if spec.kind == "quantity" and spec.unit != "1":  # a valid unit spoilt by a poison
        options.append(st.tuples(st.floats(0, 1e6), st.sampled_from(["*", "/", "**"]),
                                 st.sampled_from(POISONS))
                       .map(lambda t: f"{t[0]!r} {spec.unit}{t[1]}{t[2]}"))
    if spec.kind in ("quantity", "int") and (math.isfinite(spec.low)
                                             or math.isfinite(spec.high)
                                             or spec.unit == "1"):
        options.append(_out_of_range(spec))
    return st.one_of(options)


WRONG = {path: wrong_values(SPECS[dotted(path)]) for path in LEAVES}


@st.composite
def wrong_leaf(draw):
    path = draw(st.sampled_from(LEAVES))
    return path, draw(WRONG[path])


#: Unknown key names: odd text and non-string keys for files and dicts.
ODD_NAMES = st.one_of(st.text(min_size=1, max_size=20), st.integers(), st.none(),
                      st.booleans())
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                    st.text(max_size=20), st.lists(st.integers(), max_size=3))


def set_error(path, value, how: str, folder) -> str:
    """The ConfigError of the config with `value` at `path`, given as a dict, a file or an
    override."""
    if how == "override":
        return config_error(lambda: load_config(RAW, [override_text(dotted(path), value)]))
    return config_error(deliver(mutated(path, value), how, folder))


# --- the fuzz tests ------------------------------------------------------------------

def test_the_fuzzed_config_is_valid_and_every_leaf_has_a_spec():
    assert load_config(RAW).plain
    assert LEAVES and all(dotted(path) in SPECS for path in LEAVES)


@FUZZ
@given(wrong_leaf(), st.sampled_from(["dict", "file", "override"]))
def test_wrong_value_is_named(tmp_path, mutation, how):
    path, value = mutation
    assert f"{dotted(path)}: " in set_error(path, value, how, tmp_path)


@FUZZ
@given(st.sampled_from(PATHS), st.sampled_from(["dict", "file"]))
def test_missing_key_is_named(tmp_path, path, how):
    message = config_error(deliver(mutated(path, delete=True), how, tmp_path))
    assert f"{dotted(path)}: missing key" in message


@FUZZ
@given(st.sampled_from([(), *SECTIONS]), ODD_NAMES, SCALARS, st.sampled_from(["dict", "file"]))
def test_unknown_key_is_named(tmp_path, section, name, value, how):
    existing = _at(RAW, section)
    if name in existing or (not section and name in (loader.BASE_KEY, loader.EXPERIMENT_KEY)):
        name = f"{name}_unknown"
    message = config_error(deliver(mutated((*section, name), value), how, tmp_path))
    assert f"{dotted((*section, name))}: unknown key" in message


@FUZZ
@given(st.sampled_from(SECTIONS), st.from_regex(r"[a-z_]{1,12}", fullmatch=True), SCALARS)
def test_unknown_key_by_override_is_named(section, name, value):
    if name in _at(RAW, section):
        name = f"{name}_unknown"
    key = dotted((*section, name))
    message = config_error(lambda: load_config(RAW, [override_text(key, value)]))
    assert f"{key}: unknown key" in message


@FUZZ
@given(st.sampled_from(SECTIONS), SCALARS, st.sampled_from(["dict", "file", "override"]))
def test_section_replaced_by_a_value_is_named(tmp_path, section, value, how):
    message = set_error(section, value, how, tmp_path)
    assert f"{dotted(section)}: expected a mapping of keys" in message


@FUZZ
@given(st.sampled_from(SIZE_KEYS), st.integers(500_000, 1_000_000), st.floats(80, 100))
def test_absurd_network_size_is_named(path, size, scale):
    raw = mutated(path, size)
    raw["network"]["scale"] = scale
    with mock.patch.object(loader, "physical_memory", return_value=16 * loader.GIB):
        message = config_error(lambda: load_config(raw))
    assert "network.scale" in message and dotted(path) in message
    assert "GiB" in message


@FUZZ
@given(st.integers(0, DEFAULT.read_text().count("\n")), st.sampled_from(BROKEN_YAML))
def test_broken_yaml_names_the_file(tmp_path, line, fragment):
    lines = DEFAULT.read_text().splitlines()
    lines.insert(line, fragment)
    path = tmp_path / "broken.yaml"
    path.write_text("\n".join(lines))
    message = config_error(lambda: load_config(path))
    assert str(path) in message and "not valid YAML" in message


@FUZZ
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200)))
def test_any_file_content_is_a_config_error(tmp_path, content):
    path = tmp_path / "random.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    try:
        readable = isinstance(yaml.safe_load(path.read_bytes()), (dict, type(None)))
    except Exception:
        readable = False
    message = config_error(lambda: load_config(path))
    if not readable:  # broken YAML, or not a mapping: the file is named
        assert str(path) in message


@FUZZ
@given(st.lists(st.text(max_size=40), min_size=1, max_size=3))
def test_random_overrides_are_a_config_error(overrides):
    leaf_paths = {dotted(path) for path in LEAVES}
    overrides = [o for o in overrides if o.split("=", 1)[0].strip() not in leaf_paths]
    if not overrides:
        overrides = ["="]
    message = config_error(lambda: load_config(RAW, overrides))
    named = []
    for override in overrides:
        keys = override.split("=", 1)[0].strip().split(".")
        named.append(repr(override) in message
                     or any(".".join(keys[:k]) + ":" in message for k in range(1, len(keys) + 1)))
    assert any(named)


def test_odd_sources_and_arguments_are_config_errors(tmp_path):
    assert "cannot read" in config_error(lambda: load_config(tmp_path))  # a directory
    child = tmp_path / "child.yaml"
    for base in ("[1, 2]", "3", "''", '"a\\0b"'):
        child.write_text(f"base: {base}\n")
        assert f"{child}: base: expected a file name" in config_error(lambda: load_config(child))
    assert "simulation: expected a mapping" in config_error(
        lambda: load_config({**RAW, "simulation": 3}, seed=4))
    assert "--set 5" in config_error(lambda: load_config(RAW, [5]))


@pytest.mark.parametrize("value", [
    "1 ms/0", "1 ms**ms", "1 ms*9**9**9", "1 1j/ms", "1 'ms'", "1 ms" + "*1" * 100,
    "1 " + "-" * 100_000 + "ms", "1" + " " * 100_000 + "ms\nms", 10**5000, -10**400,
], ids=lambda value: value[:30] if isinstance(value, str) else "huge int")
def test_pathological_quantities_are_config_errors(value):
    message = config_error(lambda: load_config(mutated(("synapses", "tau_ampa"), value)))
    assert "synapses.tau_ampa: expected" in message


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # what it checks
def test_extreme_durations_in_cross_key_checks_are_config_errors():
    message = config_error(lambda: load_config(RAW, ["behaviour.trial=1e308 s",
                                                     "behaviour.window=0.00001 ms"]))
    assert "behaviour.trial" in message


# --- the experiment block ------------------------------------------------------------

BEHAVIOUR_RAW = read_yaml(BEHAVIOUR)


def experiment_error(block) -> str:
    """The ConfigError of the default experiment with `block` as its experiment."""
    raw = {**copy.deepcopy(BEHAVIOUR_RAW), "experiment": block}
    return config_error(lambda: plan_config(load_config(raw)))


@pytest.mark.parametrize("block, named", [
    ([1, 2], "experiment: expected a mapping"),
    ([], "experiment: expected a mapping"),
    ("groups", "experiment: expected a mapping"),
    ({"groups": {"drug": {}}, "seeds": [1], "extra": 1}, "experiment: expected a mapping"),
    ({"groups": [1, 2], "seeds": [1]}, "experiment.groups: expected a mapping"),
    ({"groups": "drug", "seeds": [1]}, "experiment.groups: expected a mapping"),
    ({"groups": {"drug": [1]}, "seeds": [1]}, "experiment.groups.drug: expected a mapping"),
    ({"groups": {"drug": {}}, "seeds": ["one"]}, "experiment.seeds"),
    ({"groups": {"drug": {}}, "seeds": [1.5]}, "experiment.seeds"),
    ({"groups": {"drug": {}}, "seeds": -3}, "experiment.seeds"),
    ({"groups": {"drug": {}}, "seeds": {"a": 1}}, "experiment.seeds"),
    ({"groups": {"drug": {"interventions.oxt.dose": "1 mV"}}, "seeds": [1]},
     "experiment.groups.drug: interventions.oxt.dose"),
    ({"groups": {"drug": {"no.such.key": 1}}, "seeds": [1]}, "experiment.groups.drug: no"),
    ({"groups": {"drug": {"": 1}}, "seeds": [1]}, "experiment.groups.drug: --set"),
    ({"groups": {"drug": {"simulation": 3}}, "seeds": [1]},
     "experiment.groups.drug: simulation: expected a mapping"),
    ({"groups": {"drug": {}}, "seeds": [-1]}, "experiment.seeds"),
])
def test_malformed_experiment_is_named(block, named):
    assert named in experiment_error(block)


def test_boolean_seeds_are_rejected():
    assert "experiment.seeds" in experiment_error({"groups": {"drug": {}}, "seeds": True})


@FUZZ_EXPERIMENT
@given(wrong_leaf())
def test_wrong_override_in_a_group_is_named(mutation):
    path, value = mutation
    if path == ("simulation", "seed"):  # the experiment's seeds replace it
        path = ("simulation", "session")
    message = experiment_error({"groups": {"g": {dotted(path): value}}, "seeds": [1]})
    assert f"experiment.groups.g: {dotted(path)}: " in message


@FUZZ_EXPERIMENT
@given(st.one_of(SCALARS, st.lists(SCALARS, min_size=1, max_size=3)),
       st.sampled_from(["groups", "seeds", "group"]))
def test_malformed_groups_or_seeds_are_named(value, where):
    block = {"groups": {"g": {}}, "seeds": [1]}
    if where == "group":
        block["groups"]["g"] = value
    else:
        block[where] = value
    if where == "seeds" and (isinstance(value, int) and value > 0  # a count (or True)
                             or isinstance(value, list)
                             and all(type(s) is int and 0 <= s < 2**32 for s in value)):
        return  # valid seeds: nothing malformed to report
    assert "experiment" in experiment_error(block)
