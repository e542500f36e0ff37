"""Behavioural protocols as YAML files (configs/protocols/), composed into a schedule.

A protocol file holds the keys of the config's `session` section (it may start from
another with ``base:``). A config's `behaviour.schedule` lists protocol names, one per
session; `session_configs` turns it into one validated config per session, before
anything is simulated.
"""

from __future__ import annotations

from pathlib import Path

from ..config import ConfigError
from ..config.loader import merge, read_yaml
from ..config.units import shown
from ..model import pharmacology
from ..resources import configs_dir, is_file

#: The `behaviour.record` entry that keeps every session.
RECORD_ALL = "all"
#: Where protocol names are looked up: `protocols/` beside the config file, then
#: circuit's own configs/protocols/ (circuit.resources).
PROTOCOL_DIR = "protocols"


def search_path(config) -> list:
    """Directories searched for protocol names, in order."""
    folders = []
    if config.source != "<dict>":
        folders.append(Path(config.source).parent / PROTOCOL_DIR)
    folders.append(configs_dir() / PROTOCOL_DIR)
    return list(dict.fromkeys(folders))  # a config of circuit's own: its folder once


def protocol_path(name: str, config) -> Path | None:
    """The file of protocol `name` (a name, or a path to a .yaml); None if not found."""
    if name.endswith((".yaml", ".yml")):
        return Path(name) if is_file(Path(name)) else None
    for folder in search_path(config):
        if is_file(folder / f"{name}.yaml"):
            return folder / f"{name}.yaml"
    return None


def read_protocol(name: str, config) -> dict:
    """The `session` keys of protocol `name`; ConfigError naming it if it is missing."""
    path = protocol_path(name, config)
    if path is None:
        folders = search_path(config)
        raise ConfigError(f"behaviour.schedule: no protocol {shown(name)} (looked in "
                          f"{', '.join(str(f) for f in folders)}; known: "
                          f"{', '.join(known_protocols(config)) or 'none'})")
    return read_yaml(path)


def recorded_protocols(config) -> set:
    """The protocols whose sessions `behaviour.record` keeps whole; ConfigError naming
    an entry that is neither `all` nor a known protocol. (A protocol need not be in this
    schedule: a within-subject design records its tests' sessions, not its training's.)"""
    schedule, record = config["behaviour"]["schedule"], config["behaviour"]["record"]
    unknown = [name for name in record
               if name != RECORD_ALL and protocol_path(name, config) is None]
    if unknown:
        raise ConfigError(f"behaviour.record: {shown(unknown[0])} is neither {RECORD_ALL!r} "
                          f"nor a protocol (known: {', '.join(known_protocols(config))})")
    return set(schedule) if RECORD_ALL in record else set(record)


def known_protocols(config) -> list:
    """Names of every protocol on the search path."""
    return sorted({p.stem for folder in search_path(config) for p in folder.glob("*.yaml")})


def session_configs(config, overrides=(), first: int = 0) -> list:
    """One validated config per session of `behaviour.schedule` (session k gets
    ``simulation.session = first + k``, so its own input noise; `first` numbers the
    sessions of a test after those of the training it continues). Each carries its
    `protocol` name and whether `behaviour.record` keeps it whole (`recorded`)."""
    schedule = config["behaviour"]["schedule"]
    if not schedule:
        raise ConfigError("behaviour.schedule: empty; list the protocols of the sessions")
    recorded = recorded_protocols(config)
    configs, problems = [], []
    for index, name in enumerate(schedule):
        try:
            simulation = {**config.plain["simulation"], "session": first + index}
            protocol = merge(config.plain["session"], read_protocol(name, config))
            session = config.derive({"session": protocol, "simulation": simulation},
                                    overrides)
        except ConfigError as err:
            problems += [f"behaviour.schedule[{index}] ({name}): "
                         f"{p.removeprefix('behaviour.schedule: ')}" for p in err.problems]
            continue
        session.source = config.source
        session.protocol = name
        session.recorded = name in recorded
        configs.append(session)
    adolescent = config["interventions"]["adolescent_oxt"]["given"]
    if adolescent and first == 0 and not problems and not any(
            pharmacology.adolescent(session) for session in configs):
        problems.append("interventions.adolescent_oxt.given: the schedule has no adolescence "
                        "session to give it in (put adolescence sessions before the adult ones: "
                        "docs/behaviour.md)")
    if problems:
        raise ConfigError(problems)
    return configs
