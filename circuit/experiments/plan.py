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

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path


from ..analysis.behaviour import METRICS
from ..config import ConfigError, load_config
from ..config.loader import override_text, read_yaml, read_yaml_file
from ..config.units import shown
from ..resources import find_config
from ..protocols.library import session_configs
from ..running.subject import initial_overrides

SPEC_KEYS = {"base", "seeds", "set", "conditions", "sweep", "contrasts", "metrics",
             "description"}
#: Condition name used when a spec lists no conditions.
ALL = "all"
#: Most seeds a spec may name (a larger count is a typo, not an experiment).
MAX_SEEDS = 100_000
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


@dataclass
class Run:
    """One simulation of the experiment: a cell, a seed and its validated config."""

    cell: Cell
    seed: int
    config: object
    key: str

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

    @property
    def sweep_keys(self) -> list:
        return list(self.sweep)


def read_plan(path: Path, overrides=()) -> Plan:
    """Read and validate the spec at `path` (ConfigError naming every bad key)."""
    path = find_config(path)  # a file, or one of circuit's own specs by name
    spec = read_yaml_file(path, "experiment spec")
    if not isinstance(spec, dict):
        raise ConfigError(f"{path}: expected a mapping of spec keys")
    return make_plan(spec, path.parent, str(path), overrides)


def make_plan(spec: dict, folder: Path, source: str = "<spec>", overrides=()) -> Plan:
    """Validate `spec` (paths relative to `folder`) and resolve every run."""
    problems = [f"{key}: unknown spec key (expected one of {', '.join(sorted(SPEC_KEYS))})"
                for key in spec if key not in SPEC_KEYS]
    if "base" not in spec:
        problems.append("base: missing (the config file the conditions start from)")
    seeds = _seeds(spec.get("seeds"), problems)
    conditions = _mapping(spec.get("conditions") or {ALL: {}}, "conditions", problems)
    common = _mapping(spec.get("set") or {}, "set", problems)
    sweep = _sweep(spec.get("sweep") or {}, problems)
    metrics = _metrics(spec.get("metrics"), problems)
    contrasts = _contrasts(spec.get("contrasts") or [], conditions, problems)
    if "base" not in spec or not seeds:
        raise ConfigError(problems)
    try:
        base = read_yaml(folder / spec["base"])
    except ConfigError as err:
        raise ConfigError(problems + [f"base: {p}" for p in err.problems]) from None
    base.pop("experiment", None)
    return _resolve(spec, source, base, str(folder / spec["base"]), seeds, conditions,
                    [*_texts(common), *overrides], sweep, metrics, contrasts, problems)


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
    contrasts = [(name, first) for first, *others in [list(conditions)] for name in others]
    return _resolve(spec, config.source or "<config>", dict(config.plain), config.source,
                    seeds, conditions, [], {}, None, contrasts, problems,
                    where="experiment.groups")


def _resolve(spec: dict, source: str, base: dict, base_source, seeds: list,
             conditions: dict, common_texts: list, sweep: dict, metrics, contrasts: list,
             problems: list, where: str = "conditions") -> Plan:
    """Every run of conditions x sweep points x seeds, validated with its sessions."""
    cells, runs, n_sessions = [], [], set()
    points = list(itertools.product(*[[(key, value) for value in values]
                                      for key, values in sweep.items()]))
    for condition, changes in conditions.items():
        for point in points:
            cell = Cell(condition, tuple(point))
            texts = [*common_texts, *_texts(changes), *_texts(dict(point))]
            named = f"{where}.{condition}" + (f" at {cell.name}" if point else "")
            try:
                first = load_config(base, texts, seed=seeds[0])
                configs = [first.with_seed(seed) for seed in seeds]
                for config in configs:
                    config.source = base_source
                sessions = session_configs(configs[0], initial_overrides(configs[0]))
            except ConfigError as err:
                problems += [f"{named}: {p}" for p in err.problems]
                continue
            if metrics is None:
                metrics = _yielded_metrics(sessions)
            problems += _missing_phases(metrics, sessions, named)
            n_sessions.add(len(sessions))
            cells.append(cell)
            runs += [Run(cell, seed, config, run_key(config)) for seed, config in
                     zip(seeds, configs)]
    if problems:
        raise ConfigError(problems)
    return Plan(source, spec, seeds, sweep, cells, runs, contrasts, metrics or [],
                str(spec.get("description") or ""), tuple(sorted(n_sessions)))


def run_key(config) -> str:
    """Key of a run: a hash of its resolved config (seed included)."""
    text = json.dumps(config.plain, sort_keys=True, default=str)
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
    if key in ("conditions", "experiment.groups"):
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
            problems.append(f"metrics[{index}]: unknown metric {name!r} (known: "
                            f"{', '.join(METRICS)})")
    return [m for m in metrics if m in METRICS]


def _contrasts(contrasts, conditions, problems) -> list:
    if not isinstance(contrasts, list):
        problems.append(f"contrasts: expected a list of [condition, condition] pairs, "
                        f"got {contrasts!r}")
        return []
    good = []
    for index, pair in enumerate(contrasts):
        if not (isinstance(pair, list) and len(pair) == 2):
            problems.append(f"contrasts[{index}]: expected [condition, condition], got {pair!r}")
            continue
        unknown = [name for name in pair if name not in conditions]
        if unknown:
            problems.append(f"contrasts[{index}]: no condition {unknown[0]!r} (conditions: "
                            f"{', '.join(map(str, conditions))})")
        elif pair[0] == pair[1]:
            problems.append(f"contrasts[{index}]: compares {pair[0]!r} with itself")
        else:
            good.append(tuple(pair))
    return good


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
