"""What the NWB and Neo exports share: units of each series, the agent's decisions as
trial rows, and finding the run directory to export.

Kept free of Brian2 and of the export libraries, so both writers (`circuit.results.nwb`,
`circuit.results.neo_export`) read a `Results` the same way (docs/outputs.md, "Export").
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import yaml

from .experiment import is_experiment
from .record import DECISION_KEYS, Results, readout_keys
from .record import DECISION_OPTIONS as OPTIONS
from .runs import RUNS, SESSIONS

DRUG, INACTIVE, SOCIAL = range(len(OPTIONS))
#: The option of a decision at which none could be taken: a window with no option
#: presented (between trials) or one withdrawn (timeout, exclusive choice, limited hold).
NO_OPTION = "none"

RATE_UNIT = "Hz"
CONCENTRATION_UNIT, OCCUPANCY_UNIT, DIMENSIONLESS = "nM", "fraction", "1"
CONCENTRATION_SUFFIX, OCCUPANCY_PREFIX = "_nM", "occ_"

#: Time units a config value may be written in ("250 ms"), in seconds.
SECONDS_PER = {"s": 1.0, "ms": 1e-3, "us": 1e-6}
_TIME_RE = re.compile(r"\s*([-+0-9.eE]+)\s*(\w+)\s*")
#: Config keys of the decision window and of the integration step (spike-time resolution).
WINDOW_KEY, DT_KEY = ("behaviour", "window"), ("simulation", "dt")
#: Recorded sessions of a behavioural run, below an experiment directory.
SESSIONS_GLOB = f"{RUNS}/*/{SESSIONS}/*"
RECORD_KEY = "behaviour.record"
MAX_LISTED = 20  # recorded sessions named in an error message


class NotARunDirectory(ValueError):
    """An export was asked of a directory that is not one run (an experiment directory)."""


def trace_unit(name: str) -> str:
    """Unit of trace `name`: nM for ``*_nM``, fraction for ``occ_*``, 1 otherwise."""
    if name.endswith(CONCENTRATION_SUFFIX):
        return CONCENTRATION_UNIT
    if name.startswith(OCCUPANCY_PREFIX):
        return OCCUPANCY_UNIT
    return DIMENSIONLESS


def config_seconds(config: dict, key: tuple) -> float | None:
    """The config value at `key` (e.g. ``("behaviour", "window")``) in seconds; None
    where the config does not hold it. ValueError naming the key if it is no time."""
    value = config
    for part in key:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    match = _TIME_RE.fullmatch(str(value))
    if not match or match.group(2) not in SECONDS_PER:
        raise ValueError(f"config {'.'.join(key)}: {value!r} is not a time in "
                         f"{', '.join(SECONDS_PER)}")
    return float(match.group(1)) * SECONDS_PER[match.group(2)]


def identifier(results: Results) -> str:
    """A stable identifier of a run: its seed and a digest of its config."""
    text = yaml.safe_dump(results.config, sort_keys=True)
    return f"circuit-seed{results.seed}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def neuron_spikes(results: Results, population: str) -> list[np.ndarray]:
    """Sorted spike times (s) of every neuron of `population`, silent ones included."""
    times, indices = results.spikes[population]
    order = np.lexsort((times, indices))
    counts = np.bincount(indices, minlength=results.sizes[population])
    if counts.size > results.sizes[population]:
        raise ValueError(f"spikes of {population!r}: neuron index {indices.max()} but the "
                         f"population has {results.sizes[population]} neurons")
    return np.split(np.asarray(times, dtype=np.float64)[order], np.cumsum(counts)[:-1])


def decision_window(results: Results) -> float:
    """The decision window (s): ``behaviour.window`` of the config, else the spacing of
    the decisions (the agent is sampled once per window)."""
    window = config_seconds(results.config, WINDOW_KEY)
    t = np.asarray(results.decisions["t"], dtype=np.float64)
    if window is None and t.size > 1:
        window = float(np.median(np.diff(t)))
    if window is None:
        raise ValueError(f"cannot tell the decision window: the config has no "
                         f"{'.'.join(WINDOW_KEY)} and there is a single decision")
    return window


def decision_rows(results: Results) -> dict[str, np.ndarray]:
    """The decisions as trial rows: one per decision, the window that ended in it.

    The agent decides at the end of every window (``t``) for the option presented in it,
    if that option could be taken (``evaluated``); in other windows every option has
    ``evaluated`` 0 and p_go 0. Returns columns ``start_time``, ``stop_time`` (= t, s),
    ``option`` (name, or NO_OPTION), ``available``, ``go``, ``p_go``, ``press``,
    ``reinforce``, ``cue``, ``ratio`` of that option (NaN go and ratio for NO_OPTION),
    ``outcome`` (infusion, social, cue or none, as circuit's trials.csv), and the
    readout's parts (`DECISION_READOUT`, NaN for NO_OPTION) where the results hold them.
    """
    decisions = results.decisions
    missing = [key for key in ("t", *DECISION_KEYS) if key not in decisions]
    if missing:
        raise ValueError(f"decisions lack {', '.join(missing)}")
    t = np.asarray(decisions["t"], dtype=np.float64)
    readout = readout_keys(decisions)
    for key in (*DECISION_KEYS, *readout):
        if np.shape(decisions[key]) != (t.size, len(OPTIONS)):
            raise ValueError(f"decisions[{key!r}] has shape {np.shape(decisions[key])}, "
                             f"expected ({t.size}, {len(OPTIONS)}): options {OPTIONS}")
    evaluated = np.asarray(decisions["evaluated"]) > 0
    available = evaluated.any(axis=1)
    option = np.argmax(evaluated, axis=1)
    rows = np.arange(t.size)

    def of_option(key: str, empty=np.nan) -> np.ndarray:
        values = np.asarray(decisions[key], dtype=np.float64)[rows, option]
        return np.where(available, values, empty)

    press, reinforce, cue = (of_option(key, 0.0) > 0 for key in ("press", "reinforce", "cue"))
    paid = {DRUG: "infusion", SOCIAL: "social"}
    outcome = [paid.get(o, "none") if r else ("cue" if c else "none")
               for o, r, c in zip(option, reinforce & press, cue & press)]
    start = np.maximum(t - decision_window(results), 0.0)  # no -1e-17 from rounding
    return {"start_time": start, "stop_time": t,
            "option": np.array([OPTIONS[o] if a else NO_OPTION
                                for o, a in zip(option, available)]),
            "available": available, "go": of_option("go"), "p_go": of_option("p_go", 0.0),
            "press": press, "reinforce": reinforce, "cue": cue, "ratio": of_option("ratio"),
            "outcome": np.array(outcome), **{key: of_option(key) for key in readout}}


def load_run(directory) -> Results:
    """The run directory `directory` read back (`circuit.results.load`).

    Raises NotARunDirectory for an experiment directory, naming the recorded sessions it
    holds (run directories under SESSIONS_GLOB) or saying how to keep them.
    """
    from .store import load

    directory = Path(directory)
    if is_experiment(directory):
        raise NotARunDirectory(_experiment_message(directory))
    return load(directory)


def _experiment_message(directory: Path) -> str:
    sessions = sorted(path for path in directory.glob(SESSIONS_GLOB) if path.is_dir())
    head = (f"{directory} is an experiment directory; export takes a run directory "
            "(one session)")
    if not sessions:
        return (f"{head}, and this experiment recorded none: the config key {RECORD_KEY} "
                f"keeps sessions as run directories under {RUNS}/<key>/{SESSIONS}/")
    listed = [f"  {path}" for path in sessions[:MAX_LISTED]]
    if len(sessions) > MAX_LISTED:
        listed.append(f"  ... and {len(sessions) - MAX_LISTED} more")
    return f"{head}. Its recorded sessions:\n" + "\n".join(listed)
