"""An experiment spec, read and validated into the runs it asks for.

A spec states a hypothesis as data (docs/experiments.md)::

    base: ../configs/default.yaml           # the model and its schedule
    seeds: 12                               # or a list of seeds
    conditions:                             # name -> overrides of the base
      drug: {}
      drug_oxt: {interventions.oxt.given: on, interventions.oxt.dose: 1 mg/kg}
    sweep:                                  # optional: crossed with every condition
      receptors.heteromer_fold: [1, 2, 4]
    contrasts: [[drug_oxt, drug]]           # first minus second, at every sweep point
    metrics: [breakpoint, reinstatement_ratio]

Every run (condition x sweep point x seed) is resolved and validated, with each of its
sessions, before anything is simulated; problems name the spec key. A run's key is a
hash of its resolved config (which holds the seed): the same run in another experiment,
or after an edit of the spec, has the same key.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path


from ..analysis.behaviour import METRICS
from ..analysis.statistics import EXPECTATIONS
from ..config import ConfigError, load_config, schema
from ..config.loader import (EXPERIMENT_KEY, SPEC_ONLY_KEYS, apply_override, find_base,
                             override_text, override_texts, read_yaml, read_yaml_file)
from ..config.units import shown
from ..resources import find_config, packaged_configs, packaged_specs
from ..protocols.library import session_configs
from ..running.simulate import state_key

SPEC_KEYS = {"base", "seeds", "set", "conditions", "sweep", "contrasts", "metrics",
             "description", "train", "tests", "paired"}
#: Condition name used when a spec lists no conditions.
ALL = "all"
#: Most seeds a spec may name (a larger count is a typo, not an experiment).
MAX_SEEDS = 100_000
#: Condition label of a within-subject design's training runs.
TRAINING = "training"
#: Condition name of a config run without an experiment block.
SUBJECT = "subject"


@dataclass(frozen=True)
class Cell:
    """One condition at one sweep point: the unit that statistics compare."""

    condition: str
    point: tuple = ()  # ((key, value), ...) in sweep order

    @property
    def name(self) -> str:
        if not self.point:
            return self.condition
        return f"{self.condition} [{', '.join(f'{k}={v}' for k, v in self.point)}]"


@dataclass(frozen=True)
class Training:
    """The training phase of a within-subject design, for one seed (and sweep point):
    simulated once, its final state is where every test condition of the seed starts."""

    seed: int
    config: object = field(compare=False)
    key: str = ""
    sessions: int = 0  # training sessions; test sessions are numbered after them

    @property
    def labels(self) -> dict:
        return {"condition": TRAINING, "seed": self.seed}


@dataclass
class Run:
    """One simulation of the experiment: a cell, a seed and its validated config (and,
    in a within-subject design, the training it starts from)."""

    cell: Cell
    seed: int
    config: object
    key: str
    training: Training | None = None

    @property
    def labels(self) -> dict:
        return {"condition": self.cell.condition, **dict(self.cell.point), "seed": self.seed}


@dataclass
class Plan:
    """A validated spec: its cells, runs, contrasts and metrics."""

    source: str
    spec: dict
    seeds: list
    sweep: dict
    cells: list
    runs: list
    contrasts: list
    metrics: list
    description: str = ""
    sessions: tuple = field(default=())  # distinct schedule lengths of the runs
    design: str = "independent"  # or "paired": test conditions of one trained subject

    @property
    def sweep_keys(self) -> list:
        return list(self.sweep)

    @property
    def trainings(self) -> list:
        """The distinct trainings the runs start from (within-subject designs)."""
        return list(dict.fromkeys(run.training for run in self.runs if run.training))


def read_spec(path: Path) -> tuple:
    """(the spec at `path` as a mapping, its resolved path); `path` is a file, or one of
    circuit's own specs by name."""
    path = find_config(path)
    if not path.exists():
        raise ConfigError(f"experiment spec not found: {path} (nor is it one of circuit's "
                          f"own specs: {', '.join(packaged_specs())})")
    spec = read_yaml_file(path, "experiment spec")
    if not isinstance(spec, dict):
        raise ConfigError(f"{path}: expected a mapping of spec keys")
    return spec, path


def read_plan(path: Path, overrides=()) -> Plan:
    """Read and validate the spec at `path` (ConfigError naming every bad key)."""
    spec, path = read_spec(path)
    return make_plan(spec, path.parent, str(path), overrides)


def make_plan(spec: dict, folder: Path, source: str = "<spec>", overrides=()) -> Plan:
    """Validate `spec` (paths relative to `folder`) and resolve every run."""
    if not SPEC_ONLY_KEYS & set(spec) and set(spec) & set(schema()):
        raise ConfigError(f"{source} is a model config, not an experiment spec: run it with "
                          f"`circuit run {source} --out DIR` (its `experiment` block, if "
                          "any, runs its groups x seeds; docs/experiments.md)")
    spec, overrides = spec_overrides(spec, overrides)
    problems = [f"{key}: unknown spec key (expected one of {', '.join(sorted(SPEC_KEYS))})"
                for key in spec if key not in SPEC_KEYS]
    if "base" not in spec:
        problems.append("base: missing (the config file the conditions start from)")
    seeds = _seeds(spec.get("seeds"), problems)
    train = _training(spec, problems)
    if train is None:
        conditions = _mapping(spec.get("conditions") or {ALL: {}}, "conditions", problems)
    else:
        conditions = _mapping(spec.get("tests") or {}, "tests", problems)
    common = _mapping(spec.get("set") or {}, "set", problems)
    sweep = _sweep(spec.get("sweep") or {}, problems)
    metrics = _metrics(spec.get("metrics"), problems)
    contrasts = _contrasts(spec.get("contrasts") or [], conditions, problems)
    if "base" not in spec:
        raise ConfigError(problems)
    seeds = seeds or [1]  # bad seeds are reported; resolve the runs for their problems too
    try:
        base_path = _base_path(folder, spec["base"])
        base = read_yaml(base_path)
    except ConfigError as err:
        raise ConfigError(problems + [f"base: {p}" for p in err.problems]) from None
    base.pop("experiment", None)
    paired = spec.get("paired", train is not None)
    if not isinstance(paired, bool) or (train is not None and not paired):
        problems.append(f"paired: expected true or false (compare conditions seed by seed; "
                        f"a within-subject design always is), got {shown(paired)}")
    if not paired and any(contrast[2] == "same" for contrast in contrasts):
        problems.append("contrasts: 'same' (an equivalence test) needs a paired design: "
                        "paired: true, or train and tests")
    # seed-matched: seed k of every condition draws the same connectivity and noise
    return _resolve(spec, source, base, str(base_path), seeds, conditions,
                    [*_texts(common), *overrides], sweep, metrics, contrasts, problems,
                    where="conditions" if train is None else "tests", train=train,
                    design="paired" if paired is True else "independent")


def _base_path(folder: Path, base) -> Path:
    """The config a spec's `base` names: a file beside the spec (its path relative to
    `folder`), else one of circuit's own configs by name ('default'), as a config's own
    base; ConfigError saying where it looked."""
    if not isinstance(base, str) or not base.strip() or "\0" in base:
        raise ConfigError(f"expected a config file name, got {shown(base)}")
    found = find_base(folder, base)
    if found is None:
        raise ConfigError(f"config file not found: {shown(base)} (not beside the "
                          f"spec, in {folder}, nor one of circuit's own configs: "
                          f"{', '.join(packaged_configs())})")
    return found


def spec_overrides(spec: dict, overrides) -> tuple:
    """(`spec` with ``--set seeds=...`` applied, the overrides left for every run's
    config). A spec names its subjects in its own ``seeds``; ``experiment.*`` is a model
    config's block, which a spec's runs never read, so it is refused, not ignored."""
    spec, rest = dict(spec), []
    for text in override_texts(overrides):
        key = str(text).split("=", 1)[0].strip()
        if key == "seeds":
            raw: dict = {}
            apply_override(raw, text)
            spec["seeds"] = raw["seeds"]
        elif key.split(".")[0] == EXPERIMENT_KEY:
            raise ConfigError(f"--set {text!r}: a spec names its subjects in its own seeds "
                              "(--set 'seeds=[1, 2]' replaces them); experiment.* is a model "
                              "config's block, which a spec's runs do not read")
        else:
            rest.append(text)
    return spec, rest


def _training(spec: dict, problems: list) -> dict | None:
    """The overrides of a within-subject spec's training phase (None: not one).

    ``train:`` is a list of protocols (its schedule) or a mapping of overrides that
    names ``behaviour.schedule``; ``tests:`` then holds the test conditions."""
    if "train" not in spec and "tests" not in spec:
        return None
    if "conditions" in spec:
        problems.append("conditions: a within-subject spec (train, tests) names its test "
                        "conditions under tests")
    if not isinstance(spec.get("tests"), dict) or not spec["tests"]:
        problems.append("tests: expected a mapping of test condition -> overrides (a "
                        "within-subject spec runs each from the trained state)")
    train = spec.get("train")
    if isinstance(train, list) and train and all(isinstance(p, str) for p in train):
        return {"behaviour.schedule": train}
    if isinstance(train, dict) and train.get("behaviour.schedule"):
        return train
    problems.append(f"train: expected a list of protocols (the training schedule) or a "
                    f"mapping of overrides naming behaviour.schedule, got {shown(train)}")
    return {}


def plan_config(config) -> Plan:
    """The plan of a config's own ``experiment`` block: its groups (conditions) x seeds,
    each through the config's schedule. A config without the block is one subject: its
    own seed, one condition named 'subject'. Problems name the block's keys."""
    block = config.experiment
    if block is None:
        block = {"groups": {SUBJECT: {}}, "seeds": [config["simulation"]["seed"]]}
    if not isinstance(block, dict) or not block or set(block) - {"groups", "seeds"}:
        raise ConfigError("experiment: expected a mapping with 'groups' and 'seeds'")
    problems: list = []
    seeds = _seeds(block.get("seeds"), problems, "experiment.seeds")
    groups = block.get("groups")
    if not isinstance(groups, dict) or not groups:
        problems.append("experiment.groups: expected a mapping of group name -> overrides")
        groups = {}
    conditions = _mapping(groups, "experiment.groups", problems)
    if problems:
        raise ConfigError(problems)
    spec = {"base": config.source or "<config>", "seeds": seeds, "conditions": conditions}
    names = list(conditions)
    contrasts = [(name, names[0]) for name in names[1:]]  # every group against the first
    return _resolve(spec, config.source or "<config>", dict(config.plain), config.source,
                    seeds, conditions, [], {}, None, contrasts, problems,
                    where="experiment.groups")


def _resolve(spec: dict, source: str, base: dict, base_source, seeds: list,
             conditions: dict, common_texts: list, sweep: dict, metrics, contrasts: list,
             problems: list, where: str = "conditions", train: dict | None = None,
             design: str = "independent") -> Plan:
    """Every run of conditions x sweep points x seeds, validated with its sessions (and,
    with `train`, the training each starts from)."""
    cells, runs, n_sessions = [], [], set()
    named_metrics = metrics is not None
    points = list(itertools.product(*[[(key, value) for value in values]
                                      for key, values in sweep.items()]))
    trainings: dict = {}
    for condition, changes in conditions.items():
        for point in points:
            cell = Cell(condition, tuple(point))
            texts = [*common_texts, *_texts(changes), *_texts(dict(point))]
            named = f"{where}.{condition}" + (f" at {cell.name}" if point else "")
            if train is not None and point not in trainings:
                try:
                    trainings[point] = _trainings(base, base_source, seeds, [
                        *common_texts, *_texts(train), *_texts(dict(point))])
                except ConfigError as err:  # reported once, not once per test
                    trainings[point] = None
                    problems += [f"train: {p}" for p in err.problems]
            started = trainings.get(point) if train is not None else None
            if train is not None and started is None:
                continue
            try:
                first = load_config(base, texts, seed=seeds[0])
                configs = [first.with_seed(seed) for seed in seeds]
                for config in configs:
                    config.source = base_source
                after = started[0].sessions if started else 0
                sessions = session_configs(configs[0], first=after)
            except ConfigError as err:
                problems += [f"{named}: {p}" for p in err.problems]
                continue
            if started and state_key(configs[0]) != state_key(started[0].config):
                problems.append(f"{named}: changes the network (network, afferents or "
                                "connections) that the trained state belongs to")
                continue
            if named_metrics:
                problems += _missing_phases(metrics, sessions, named)
            else:  # every metric that every cell's schedule yields
                yielded = _yielded_metrics(sessions)
                metrics = yielded if metrics is None else [m for m in metrics if m in yielded]
            n_sessions.add(len(sessions))
            cells.append(cell)
            for k, (seed, config) in enumerate(zip(seeds, configs)):
                training = started[k] if started else None
                key = run_key(config, training.key if training else None)
                runs.append(Run(cell, seed, config, key, training))
    if problems:
        raise ConfigError(_shared_once(problems, [f"{where}.{name}" for name in conditions]))
    return Plan(source, spec, seeds, sweep, cells, runs, contrasts, metrics or [],
                str(spec.get("description") or ""), tuple(sorted(n_sessions)), design)


def _shared_once(problems: list, names: list) -> list:
    """`problems` with one that every condition of `names` has alike named once, as the
    spec's `set` (or --set, or the base) that they share, not under each condition."""
    if len(names) < 2:
        return problems
    found: dict = {}
    for problem in problems:
        for name in names:
            if problem.startswith(f"{name}: "):
                found.setdefault(problem[len(name) + 2:], set()).add(name)
    shared = [text for text, where in found.items() if len(where) == len(names)]
    kept = [p for p in problems
            if not any(p == f"{name}: {text}" for text in shared for name in names)]
    return kept + [f"set (or --set, or the base): {text}" for text in shared]


def _trainings(base: dict, base_source, seeds: list, texts: list) -> list:
    """One validated Training per seed (ConfigError naming the training's problems)."""
    first = load_config(base, texts, seed=seeds[0])
    first.source = base_source
    sessions = session_configs(first)
    result = []
    for seed in seeds:
        config = first.with_seed(seed)
        config.source = base_source
        result.append(Training(seed, config, run_key(config, TRAINING), len(sessions)))
    return result


def run_key(config, training: str | None = None) -> str:
    """Key of a run: a hash of its resolved config (seed included) and, in a
    within-subject design, of the training it starts from (`training`: its key; TRAINING
    for a training itself, so that it never shares a key with an ordinary run)."""
    text = json.dumps(config.plain, sort_keys=True, default=str)
    if training is not None:  # a training's own key, or the key of the one it starts from
        text += "|training" if training == TRAINING else "|trained:" + training
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _texts(overrides: dict) -> list:
    return [override_text(key, value) for key, value in overrides.items()]



def _seeds(seeds, problems, key: str = "seeds") -> list:
    if _integer(seeds) and 1 <= seeds <= MAX_SEEDS:
        return list(range(1, seeds + 1))
    if (isinstance(seeds, list) and 1 <= len(seeds) <= MAX_SEEDS
            and all(_integer(s) and 0 <= s < 2**32 for s in seeds)
            and len(set(seeds)) == len(seeds)):
        return seeds
    problems.append(f"{key}: expected a count in [1, {MAX_SEEDS}] or a list of that many "
                    f"distinct integers in [0, 2**32), got {shown(seeds)}")
    return []


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _mapping(value, key, problems) -> dict:
    if not isinstance(value, dict):
        problems.append(f"{key}: expected a mapping, got {value!r}")
        return {}
    if key in ("conditions", "tests", "experiment.groups"):
        for name, changes in value.items():
            if not isinstance(changes, dict):
                problems.append(f"{key}.{name}: expected a mapping of key: value "
                                f"overrides ({{}} for none), got {shown(changes)}")
        return {name: changes for name, changes in value.items() if isinstance(changes, dict)}
    return value


def _sweep(sweep, problems) -> dict:
    if not isinstance(sweep, dict):
        problems.append(f"sweep: expected a mapping of key: [values], got {sweep!r}")
        return {}
    good = {}
    for key, values in sweep.items():
        if not isinstance(values, list) or not values:
            problems.append(f"sweep.{key}: expected a non-empty list of values, got {values!r}")
        elif len(set(map(str, values))) != len(values):
            problems.append(f"sweep.{key}: values repeat: {values!r}")
        else:
            good[key] = values
    return good


def _metrics(metrics, problems) -> list | None:
    if metrics is None:
        return None  # every metric the schedule yields
    if not isinstance(metrics, list) or not metrics:
        problems.append(f"metrics: expected a list of metric names, got {metrics!r}")
        return []
    for index, name in enumerate(metrics):
        if name not in METRICS:
            hint = difflib.get_close_matches(str(name), METRICS, n=1)
            problems.append(f"metrics[{index}]: unknown metric {name!r}"
                            + (f"; did you mean {hint[0]!r}?" if hint else "")
                            + f" (known: {', '.join(METRICS)})")
    return [m for m in metrics if m in METRICS]


def _contrasts(contrasts, conditions, problems, key: str = "contrasts") -> list:
    """[a, b] (two-sided), [a, b, lower|higher] (one-sided: the predicted sign of a - b)
    or [a, b, same, margin] (equivalence within margin SDs, TOST)."""
    if not isinstance(contrasts, list):
        problems.append(f"{key}: expected a list of [condition, condition] pairs, "
                        f"got {shown(contrasts)}")
        return []
    good = []
    for index, entry in enumerate(contrasts):
        where = f"{key}[{index}]"
        if not (isinstance(entry, list) and 2 <= len(entry) <= 4):
            problems.append(f"{where}: expected [condition, condition], optionally with "
                            f"lower, higher or same and a margin; got {shown(entry)}")
            continue
        pair, prediction = entry[:2], entry[2:]
        if not all(isinstance(name, str) for name in entry[:3]):
            problems.append(f"{where}: expected condition names (and lower, higher or same), "
                            f"got {shown(entry)}")
            continue
        unknown = [name for name in pair if name not in conditions]
        if unknown:
            problems.append(f"{where}: no condition {shown(unknown[0])} (conditions: "
                            f"{', '.join(map(str, conditions))})")
        elif pair[0] == pair[1]:
            problems.append(f"{where}: compares {pair[0]!r} with itself")
        elif prediction and prediction[0] not in EXPECTATIONS:
            problems.append(f"{where}: the prediction must be one of "
                            f"{', '.join(EXPECTATIONS)}; got {shown(prediction[0])}")
        elif prediction[:1] == ["same"] and not (
                len(prediction) == 2 and _number(prediction[1]) and prediction[1] > 0):
            problems.append(f"{where}: 'same' needs a margin, a positive number of SDs "
                            "(e.g. [a, b, same, 0.5])")
        elif len(prediction) == 2 and prediction[0] != "same":
            problems.append(f"{where}: only 'same' takes a margin")
        else:
            expect = prediction[0] if prediction else None
            margin = float(prediction[1]) if len(prediction) == 2 else None
            good.append((pair[0], pair[1], expect, margin))
    return good


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(value)


def _yielded_metrics(sessions) -> list:
    phases = {session["session"]["phase"] for session in sessions}
    return [name for name, (needed, _) in METRICS.items() if set(needed) <= phases]


def _missing_phases(metrics, sessions, where) -> list:
    phases = {session["session"]["phase"] for session in sessions}
    problems = []
    for name in metrics:
        needed = [phase for phase in METRICS[name][0] if phase not in phases]
        if needed:
            problems.append(f"{where}: metric {name!r} needs a {needed[0]} session in "
                            "behaviour.schedule")
    return problems
