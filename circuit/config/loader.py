"""Load a YAML config, apply overrides, and validate it before anything is simulated.

A config file may start from another with ``base: other.yaml`` (path relative to the
file) and override only what differs. ``--set path.to.key=value`` overrides come last.
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Mapping
from pathlib import Path

import yaml

from .schema import ConfigError, schema, validate
from .units import shown
from ..resources import find_config, is_file, packaged_config, packaged_configs

BASE_KEY = "base"
#: Top-level key of an experiment (groups x seeds) in a config file.
EXPERIMENT_KEY = "experiment"
#: Top-level keys that only an experiment spec has (circuit.experiments.plan.SPEC_KEYS),
#: by which a spec given where a config is expected is recognised.
SPEC_ONLY_KEYS = frozenset({"seeds", "conditions", "tests", "train", "sweep", "contrasts",
                            "metrics", "paired"})
#: What PyYAML raises on malformed text: besides YAMLError, its constructors raise
#: ValueError ("2020-13-45", "!!int abc"), KeyError ("!!bool maybe"), IndexError ("!!int"),
#: AttributeError ("!!timestamp x"), and deep nesting exhausts the recursion limit.
_YAML_FAILURES = (yaml.YAMLError, ValueError, LookupError, AttributeError, RecursionError)


class Config(Mapping):
    """A validated config: read like a dict of parsed values (Brian2 quantities).

    ``config.plain`` is the same config as YAML-serialisable data (quantities written
    as strings with units), which is what a run saves as its resolved config.
    """

    def __init__(self, values: dict, plain: dict, source: str = "<dict>",
                 experiment: dict | None = None):
        self._values = values
        self.plain = plain
        self.source = source
        #: The file's ``experiment`` block (groups and seeds), if any; see
        #: circuit.experiments.plan.
        self.experiment = experiment

    def __getitem__(self, key):
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def __repr__(self) -> str:
        return f"Config(source={self.source!r})"

    def with_seed(self, seed: int) -> "Config":
        """This config with ``simulation.seed`` replaced, without validating it all again
        (an experiment resolves one config per cell and derives its seeds)."""
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
            raise ConfigError(f"simulation.seed: expected an integer in [0, 2**32), got {seed!r}")
        values = {**self._values, "simulation": {**self._values["simulation"], "seed": seed}}
        plain = {**self.plain, "simulation": {**self.plain["simulation"], "seed": seed}}
        return Config(values, plain, self.source, self.experiment)

    def derive(self, sections: dict, overrides=()) -> "Config":
        """This config with whole top-level `sections` replaced ({name: raw mapping}) and
        `overrides` ("k=v") applied, validating only the sections that change (and the
        checks across sections), not the whole config again: a session's config is
        derived from its subject's this way."""
        raw = {name: copy.deepcopy(self.plain[name]) for name in self.plain}
        raw.update(copy.deepcopy(sections))
        changed = set(sections)
        for override in overrides:
            apply_override(raw, override)
            changed.add(override.split("=", 1)[0].strip().split(".")[0])
        tree = schema()
        unknown = sorted(str(name) for name in changed if name not in tree)
        if unknown:
            raise ConfigError([f"{name}: unknown key in the top level" for name in unknown])
        parsed, plain = validate({name: raw[name] for name in changed},
                                 {name: tree[name] for name in changed})
        values = {**self._values, **parsed}
        check_consistency(values)
        derived = Config(values, {name: plain.get(name, self.plain[name])
                                  for name in self.plain}, self.source, self.experiment)
        return derived

    def to_yaml(self) -> str:
        """The resolved config as YAML text."""
        return yaml.safe_dump(self.plain, sort_keys=False)


def load_config(source, overrides=(), seed: int | None = None) -> Config:
    """Read, override and validate a config.

    Parameters
    ----------
    source : str, Path or dict
        A YAML file (which may name a ``base``), or the name of one of circuit's own
        configs ('default', 'configs/default.yaml': circuit.resources) where no such
        file exists, or a mapping (whose ``base``, a file or one of circuit's configs,
        is read first, as in a file).
    overrides : str, iterable of str, or mapping
        ``"path.to.key=value"`` strings (values read as YAML: "20 ms", "off", "3"), one
        such string, or a mapping ``{"path.to.key": value}``.
    seed : int, optional
        Replaces ``simulation.seed``.

    Raises
    ------
    ConfigError
        Naming every problem: unknown keys (with a suggestion), missing keys, wrong
        units, out-of-range values, a network too large for this machine's memory,
        malformed overrides or YAML.
    """
    if isinstance(source, Mapping):
        raw, name = copy.deepcopy(dict(source)), "<dict>"
        base = raw.pop(BASE_KEY, None)
        if base is not None:
            raw = _over_base(base, raw)
    else:
        path = find_config(source)
        if not path.exists():
            raise ConfigError(f"config file not found: {shown(str(source))} (nor is it one "
                              f"of circuit's own configs: {', '.join(packaged_configs())})")
        raw, name = read_yaml(path), str(path)
        _refuse_a_spec(raw, path)
    overrides = override_texts(overrides)
    experiment = raw.pop(EXPERIMENT_KEY, None)
    if experiment is not None and not isinstance(experiment, dict):  # [] is not "none"
        raise ConfigError(f"{EXPERIMENT_KEY}: expected a mapping with 'groups' and 'seeds', "
                          f"got {shown(experiment)}")
    for override in overrides:
        if isinstance(override, str) and override.split("=", 1)[0].strip().startswith(
                EXPERIMENT_KEY + "."):
            experiment = _override_experiment(experiment, override)
        else:
            apply_override(raw, override)
    if seed is not None:
        section = raw.setdefault("simulation", {})
        if isinstance(section, dict):  # (validate reports a non-mapping)
            section["seed"] = seed
    values, plain = validate(raw)
    check_consistency(values)
    return Config(values, plain, name, experiment)


def read_yaml_file(path: Path, what: str = "config file"):
    """The YAML data in the file `path`; ConfigError naming the file if it cannot be
    read (missing, a directory, unreadable, not text) or is not valid YAML."""
    try:
        with open(path) as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the {what} ({err.strerror})") from None
    except _YAML_FAILURES as err:  # a UnicodeDecodeError (not text) is a ValueError too
        raise ConfigError(f"{path}: not valid YAML: {err}") from None


def find_base(folder: Path, name: str) -> Path | None:
    """The config a `base` names: the file `name` in `folder` (beside the config or spec
    that names it), else one of circuit's own configs by that name; None if neither."""
    path = folder / name
    return path if is_file(path) else packaged_config(name)


def read_yaml(path: Path, _seen=()) -> dict:
    """A YAML config file merged over its ``base`` chain (a base is a file beside it, or,
    where there is none, one of circuit's own configs by name: 'default')."""
    path = Path(path)
    if path.resolve() in _seen:
        raise ConfigError(f"{BASE_KEY}: {path} includes itself")
    data = read_yaml_file(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    base = data.pop(BASE_KEY, None)
    if base is None:
        return data
    if not isinstance(base, str) or not base.strip() or "\0" in base:
        raise ConfigError(f"{path}: {BASE_KEY}: expected a file name, got {shown(base)}")
    base_path = find_base(path.parent, base)
    if base_path is None:
        raise ConfigError(f"{path}: {BASE_KEY}: config file not found: {shown(base)} (not "
                          f"beside it, nor one of circuit's own configs: "
                          f"{', '.join(packaged_configs())})")
    parent = read_yaml(base_path, (*_seen, path.resolve()))
    if EXPERIMENT_KEY in data:  # an experiment replaces its base's, never merges into it
        parent.pop(EXPERIMENT_KEY, None)
    return merge(parent, data)


def _refuse_a_spec(raw: dict, path: Path) -> None:
    """One clear error for an experiment spec given as a config, rather than one per
    spec key (docs/experiments.md)."""
    found = sorted(SPEC_ONLY_KEYS & set(raw))
    if found:
        raise ConfigError(f"{shown(str(path))} is an experiment spec (it has "
                          f"{', '.join(found)}), not a model config: run it with "
                          f"`circuit experiment {path} --out DIR`")


def merge(base: dict, update: dict) -> dict:
    """`update` merged into a copy of `base`, section by section."""
    result = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def _over_base(base, raw: dict) -> dict:
    """`raw` (a mapping's keys) merged over the config file `base` names."""
    if not isinstance(base, (str, os.PathLike)) or not str(base).strip():
        raise ConfigError(f"{BASE_KEY}: expected a file name, got {shown(base)}")
    path = find_config(base)
    if not path.exists():
        raise ConfigError(f"{BASE_KEY}: config file not found: {shown(str(base))} (nor is it "
                          f"one of circuit's own configs: {', '.join(packaged_configs())})")
    parent = read_yaml(path)
    if EXPERIMENT_KEY in raw:
        parent.pop(EXPERIMENT_KEY, None)
    return merge(parent, raw)


def override_texts(overrides) -> list:
    """Overrides as "k=v" strings: from one string, a list of them, or a mapping."""
    if isinstance(overrides, str):
        return [overrides]
    if isinstance(overrides, Mapping):
        return [override_text(key, value) for key, value in overrides.items()]
    return list(overrides)


def _override_experiment(experiment: dict | None, override: str) -> dict:
    """The experiment block with ``experiment.seeds=...`` or ``experiment.groups.NAME=
    {key: value, ...}`` applied (a group's keys hold dots, so a group is set whole)."""
    path = override.split("=", 1)[0].strip()
    parts = path.split(".")
    if not (parts[1:] == ["seeds"] or (len(parts) == 3 and parts[1] == "groups" and parts[2])):
        raise ConfigError(f"--set {override!r}: an experiment block takes --set "
                          "experiment.seeds=[...] or experiment.groups.NAME={key: value}")
    block = {EXPERIMENT_KEY: copy.deepcopy(experiment) if experiment is not None else {}}
    apply_override(block, override)
    return block[EXPERIMENT_KEY]


def apply_override(raw: dict, override: str) -> None:
    """Apply one ``path.to.key=value`` override to `raw` in place."""
    if not isinstance(override, str):
        raise ConfigError(f"--set {shown(override)}: expected a string path.to.key=value")
    if "=" not in override:
        raise ConfigError(f"--set {override!r}: expected path.to.key=value")
    path, text = override.split("=", 1)
    keys = path.strip().split(".")
    if not all(keys):
        raise ConfigError(f"--set {override!r}: empty key in {path!r}")
    try:
        value = yaml.safe_load(text)
    except _YAML_FAILURES as err:
        raise ConfigError(f"--set {override!r}: cannot read value: {err}") from None
    node = raw
    for depth, key in enumerate(keys[:-1]):
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ConfigError(f"--set {override!r}: {'.'.join(keys[:depth + 1])} is a value, "
                              "not a section")
        node = child
    node[keys[-1]] = value


def check_consistency(values: dict) -> None:
    """Checks across keys that the schema cannot express alone."""
    problems = []
    protocol = values["protocol"]
    baseline = protocol["baseline"]
    for index, onset in enumerate(protocol["bursts"]["times"]):
        if not 0 <= onset < baseline:
            problems.append(f"protocol.bursts.times[{index}]: {onset} is outside the "
                            f"baseline phase [0 s, {baseline})")
    cocaine = protocol["cocaine"]
    if cocaine["infusion_duration"] > protocol["challenge"]:
        problems.append("protocol.cocaine.infusion_duration: longer than protocol.challenge")
    last_onset = (cocaine["count"] - 1) * cocaine["interval"]
    if cocaine["count"] > 1 and last_onset + cocaine["infusion_duration"] > protocol["challenge"]:
        problems.append("protocol.cocaine.count: the last infusion ends after the challenge "
                        "phase (count x interval too long)")
    for name in ("msn", "nac_pv", "vta_gaba"):
        cell = values["neurons"][name]
        if not cell["v_r"] < cell["v_t"] < cell["v_peak"]:
            problems.append(f"neurons.{name}: expected v_r < v_t < v_peak")
    for name in ("vta_da", "pvn_oxt"):
        cell = values["neurons"][name]
        if not cell["v_reset"] < cell["v_peak"]:
            problems.append(f"neurons.{name}: expected v_reset < v_peak")
    receptors = values["receptors"]
    if receptors["heteromer_site"] != "postsynaptic" and receptors["autoreceptor_gain"] == 0:
        problems.append(f"receptors.heteromer_site: {receptors['heteromer_site']} acts on D2 "
                        "autoreceptors, which have no effect with receptors.autoreceptor_gain 0 "
                        "(set a gain > 0; docs/model.md)")
    problems += _behaviour_problems(values)
    problems += _size_problems(values)
    problems += _duration_problems(values)
    if values["simulation"]["record"]["trace_dt"] < values["simulation"]["dt"]:
        problems.append("simulation.record.trace_dt: shorter than simulation.dt")
    if problems:
        raise ConfigError(problems)


#: Memory the built network holds per neuron: some 30 state variables (8-byte floats),
#: with spike queues, monitors and bookkeeping rounded up to 1 KiB.
BYTES_PER_NEURON = 1024
#: ... and per synapse: the indices i, j and Brian2's incoming/outgoing counts (4 x
#: 4 bytes), the weight, a plastic synapse's traces and clocks (5 x 8 bytes), a delay
#: and a spike-queue entry per pathway (2 x 12 bytes), rounded up. A lower bound in
#: practice (arrays grow while connecting), so a config it rejects cannot run.
BYTES_PER_SYNAPSE = 100
GIB = 2**30


def physical_memory() -> int | None:
    """This machine's physical memory in bytes; None where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def network_size(values: dict) -> tuple[dict, float]:
    """({population or afferent pool: neurons}, expected synapses) of a parsed config:
    populations scaled by network.scale, each projection p x N_pre x N_post."""
    from ..model.connectivity import projections
    from ..model.populations import population_size

    neurons = {name: population_size(values, name) for name in values["network"]["sizes"]}
    neurons.update({name: pool["size"] for name, pool in values["afferents"].items()})
    synapses = sum(values["connections"][key]["p"] * neurons[source] * neurons[target]
                   for _, key, source, target, _ in projections())
    return neurons, synapses


def _size_problems(values: dict) -> list:
    """A network too large for this machine's memory, named by its largest size key."""
    memory = physical_memory()
    neurons, synapses = network_size(values)
    total = sum(neurons.values())
    needed = total * BYTES_PER_NEURON + synapses * BYTES_PER_SYNAPSE
    if memory is None or needed <= memory:
        return []
    largest = max(neurons, key=neurons.get)
    key = (f"network.sizes.{largest}" if largest in values["network"]["sizes"]
           else f"afferents.{largest}.size")
    return [f"network.scale, {key}: the network would have {total:,} neurons and "
            f"{round(synapses):,} synapses, about {needed / GIB:,.0f} GiB, more than this "
            f"machine's {memory / GIB:.0f} GiB; lower network.scale, network.sizes or "
            f"afferents.*.size"]


#: Most time steps one run may take: about 7 hours for the default network on one core
#: (4e4 steps/s, benchmarks/results.md); sessions are seconds to minutes, so more is a
#: typo (a duration in the wrong unit, a dt far too small), refused before any build.
MAX_STEPS = 1e9
#: Samples held per second of a run: the protocol's input channels (9, at input_dt) and
#: the recorded traces (about 30, at trace_dt), 8 bytes each.
INPUT_CHANNELS, TRACES, BYTES_PER_SAMPLE = 9, 30, 8


def run_seconds(values: dict) -> float:
    """The longest run a config makes: its challenge protocol or a behaviour session."""
    protocol, behaviour = values["protocol"], values["behaviour"]
    challenge = sum(float(protocol[key]) for key in ("warmup", "baseline", "challenge", "washout"))
    length = (max(1.0, float(values["session"]["length_factor"]))
              * behaviour["trials"] * float(behaviour["trial"]))
    return max(challenge, float(behaviour["warmup"]) + length)


def _duration_problems(values: dict) -> list:
    """A run too long to simulate or to hold in memory, named by its keys."""
    keys = "protocol.warmup/baseline/challenge/washout, behaviour.trials/trial, simulation.dt"
    seconds, dt = run_seconds(values), float(values["simulation"]["dt"])
    steps = seconds / dt
    if steps > MAX_STEPS:
        return [f"{keys}: a run of {seconds:.3g} s at dt = {dt:.3g} s is {steps:.2g} time "
                f"steps, more than {MAX_STEPS:.0g}"]
    input_dt = min(float(values["protocol"]["input_dt"]), float(values["behaviour"]["input_dt"]))
    samples = seconds * (INPUT_CHANNELS / input_dt
                         + TRACES / float(values["simulation"]["record"]["trace_dt"]))
    memory = physical_memory()
    if memory is not None and samples * BYTES_PER_SAMPLE > memory:
        return [f"{keys}, protocol.input_dt, simulation.record.trace_dt: a run of "
                f"{seconds:.3g} s needs {samples * BYTES_PER_SAMPLE / GIB:,.0f} GiB of inputs "
                f"and traces, more than this machine's {memory / GIB:.0f} GiB"]
    return []


#: How far from an integer a ratio of durations may be and still count as whole.
WHOLE_TOLERANCE = 1e-6


def _whole(ratio: float) -> bool:
    return math.isfinite(ratio) and abs(ratio - round(ratio)) <= WHOLE_TOLERANCE


class _OverrideDumper(yaml.SafeDumper):
    """SafeDumper that writes any int: in hex where str() refuses (over 4300 digits)."""

    def represent_int(self, data):
        try:
            text = str(data)
        except ValueError:
            text = hex(data)
        return self.represent_scalar("tag:yaml.org,2002:int", text)


_OverrideDumper.add_representer(int, _OverrideDumper.represent_int)


def override_text(key: str, value) -> str:
    """The ``key=value`` override (as --set takes it) that sets `key` to a YAML `value`."""
    text = yaml.dump(value, Dumper=_OverrideDumper, default_flow_style=True)
    return f"{key}={text.strip().removesuffix('...').strip()}"


def _behaviour_problems(values: dict) -> list:
    """Checks of the behaviour, session and interventions sections."""
    from ..model.agent import OPTIONS, session_length
    from ..model.pharmacology import ADOLESCENCE

    problems = []
    behaviour, session = values["behaviour"], values["session"]
    window, trial, warmup = behaviour["window"], behaviour["trial"], behaviour["warmup"]
    for key, value in (("trial", trial), ("warmup", warmup)):
        steps = float(value / window)
        if not _whole(steps):
            problems.append(f"behaviour.{key}: must be a whole number of behaviour.window "
                            f"({value} is {steps:.3g} windows)")
    if window >= trial:
        problems.append("behaviour.window: must be shorter than behaviour.trial")
    length = session_length(behaviour, session)
    if session["trial"] == 0 and not _whole(float(length / trial)):
        problems.append(f"session.length_factor: the session must be a whole number of "
                        f"trials of behaviour.trial ({length} is {float(length / trial):.3g} "
                        "trials)")
    if session["trial"] > 0:
        windows, per_session = float(session["trial"] / window), float(length / session["trial"])
        if windows < 2 - WHOLE_TOLERANCE or not _whole(windows):
            problems.append(f"session.trial: must be a whole number (at least 2) of "
                            f"behaviour.window ({session['trial']} is {windows:.3g} windows)")
        elif not _whole(per_session):
            problems.append(f"session.trial: must divide the session ({length}) into whole "
                            f"trials ({per_session:.3g})")
    roles = list(behaviour["ensembles"].values())
    if roles.count("options") != 1:
        problems.append("behaviour.ensembles: exactly one pool must carry 'options' "
                        f"(got {roles.count('options')})")
    if roles.count("cue") < 1:
        problems.append("behaviour.ensembles: at least one pool must carry 'cue' (got none)")
    for pool, role in behaviour["ensembles"].items():
        needed = behaviour["ensemble_size"] * {"options": len(OPTIONS), "cue": 1}.get(role, 0)
        if needed > values["afferents"][pool]["size"]:
            problems.append(f"behaviour.ensemble_size: {needed} neurons of afferents.{pool} "
                            f"needed, it has {values['afferents'][pool]['size']}")
    for index, name in enumerate(session["options"]):
        if name not in OPTIONS:
            problems.append(f"session.options[{index}]: unknown option {name!r} "
                            f"(known: {', '.join(OPTIONS)})")
    if session["phase"] not in ("none", ADOLESCENCE) and not session["options"]:
        problems.append("session.options: a behavioural session needs at least one option "
                        "(only an adolescence session presents none)")
    phases = set(_PHASES) | {"all"}
    for block, spec in values["interventions"].items():
        for index, phase in enumerate(spec.get("phases", [])):
            if phase not in phases:
                problems.append(f"interventions.{block}.phases[{index}]: unknown phase "
                                f"{phase!r} (known: {', '.join(sorted(phases))})")
    return problems


#: Behavioural phases an intervention may name (session.phase choices, less "none").
_PHASES = ("social_training", "acquisition", "progressive_ratio", "extinction",
           "reinstatement", "choice")
