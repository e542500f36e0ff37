"""The plasticity bench protocol: an in-silico slice experiment.

A spec (YAML) gives, for each synapse, presynaptic and postsynaptic spike times (or a
pairing train) and the DA and OXT the synapse sees, as a concentration time course or,
in canonical mode, as DA spike times. Each synapse has its own postsynaptic cell, so
synapses are independent and one run can hold many conditions.

Spec keys::

    cell: d1                      # d1 or d2 (MSN type of every postsynaptic cell)
    duration: 6 s
    record_dt: 10 ms
    set: ["plasticity.eta=2 /s"]  # config overrides (optional)
    synapses:
      - name: causal_10ms
        pairing: {start: 1 s, count: 5, period: 200 ms, delay: 10 ms}  # or pre:/post: lists
        da: {baseline: 30 nM, pulses: [{start: 2 s, duration: 300 ms, level: 300 nM}]}
        oxt: {baseline: 0 nM}
        da_spikes: [2 s, 2.05 s]   # canonical mode only
        copies: 1
        weight: 1.0                # initial weight (1 = baseline)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..config.schema import ConfigError
from ..config.units import UnitError, parse_quantity

CELLS = ("d1", "d2")
_SYNAPSE_KEYS = {"name", "pairing", "pre", "post", "da", "oxt", "da_spikes", "copies",
                 "weight"}
_TOP_KEYS = {"cell", "duration", "record_dt", "set", "synapses", "input_dt"}


@dataclass
class BenchSynapse:
    """One synapse of the bench and what it sees (times in s, concentrations in nM)."""

    name: str
    pre: np.ndarray
    post: np.ndarray
    da: np.ndarray
    oxt: np.ndarray
    da_spikes: np.ndarray = field(default_factory=lambda: np.zeros(0))
    weight: float = 1.0


@dataclass
class BenchSpec:
    """A parsed bench spec."""

    cell: str
    duration: float
    record_dt: float
    input_dt: float
    overrides: list
    synapses: list

    @property
    def n_samples(self) -> int:
        return int(np.ceil(round(self.duration / self.input_dt, 6)))


def _seconds(value, path: str) -> float:
    try:
        return float(parse_quantity(value, "s"))
    except UnitError as err:
        raise ConfigError(f"{path}: {err}") from None


def _nanomolar(value, path: str) -> float:
    try:
        return float(parse_quantity(value, "nM") / parse_quantity("1 nM", "nM"))
    except UnitError as err:
        raise ConfigError(f"{path}: {err}") from None


def _times(values, path: str) -> np.ndarray:
    if not isinstance(values, list):
        raise ConfigError(f"{path}: expected a list of times, got {values!r}")
    return np.array(sorted(_seconds(v, f"{path}[{k}]") for k, v in enumerate(values)))


def _pairing(spec: dict, path: str) -> tuple:
    unknown = set(spec) - {"start", "count", "period", "delay"}
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {sorted(unknown)}")
    start = _seconds(spec.get("start", "0 s"), f"{path}.start")
    period = _seconds(spec.get("period", "1 s"), f"{path}.period")
    delay = _seconds(spec.get("delay", "10 ms"), f"{path}.delay")
    count = spec.get("count", 1)
    if not isinstance(count, int) or count < 1:
        raise ConfigError(f"{path}.count: expected a positive integer, got {count!r}")
    pre = start + period * np.arange(count)
    return pre, pre + delay


def _time_course(spec, n: int, dt: float, path: str) -> np.ndarray:
    """Samples (nM) of a concentration given as a constant, pulses or a course."""
    if spec is None:
        return np.zeros(n)
    if not isinstance(spec, dict):
        return np.full(n, _nanomolar(spec, path))
    unknown = set(spec) - {"baseline", "pulses", "times", "values"}
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {sorted(unknown)}")
    t = np.arange(n) * dt
    samples = np.full(n, _nanomolar(spec.get("baseline", "0 nM"), f"{path}.baseline"))
    if "times" in spec:
        times = [_seconds(v, f"{path}.times") for v in spec["times"]]
        values = [_nanomolar(v, f"{path}.values") for v in spec.get("values", [])]
        if len(times) != len(values) or not times:
            raise ConfigError(f"{path}: times and values must be non-empty and equally long")
        samples = np.interp(t, times, values)
    for k, pulse in enumerate(spec.get("pulses", [])):
        where = f"{path}.pulses[{k}]"
        start = _seconds(pulse["start"], f"{where}.start")
        width = _seconds(pulse["duration"], f"{where}.duration")
        samples[(t >= start - 1e-12) & (t < start + width - 1e-12)] = _nanomolar(
            pulse["level"], f"{where}.level")
    return samples


def _weight(value, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"{path}: expected a non-negative number, got {value!r}")
    return float(value)


def parse_bench(spec: dict) -> BenchSpec:
    """Validate and expand a bench spec; ConfigError names the offending key."""
    if not isinstance(spec, dict):
        raise ConfigError("bench spec: expected a mapping")
    unknown = set(spec) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"bench spec: unknown key(s) {sorted(unknown)}")
    cell = spec.get("cell")
    if cell not in CELLS:
        raise ConfigError(f"cell: expected one of {', '.join(CELLS)}, got {cell!r}")
    duration = _seconds(spec.get("duration", "1 s"), "duration")
    record_dt = _seconds(spec.get("record_dt", "10 ms"), "record_dt")
    input_dt = _seconds(spec.get("input_dt", "1 ms"), "input_dt")
    bench = BenchSpec(cell, duration, record_dt, input_dt, list(spec.get("set", [])), [])
    entries = spec.get("synapses")
    if not isinstance(entries, list) or not entries:
        raise ConfigError("synapses: expected a non-empty list")
    for index, entry in enumerate(entries):
        path = f"synapses[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: expected a mapping")
        unknown = set(entry) - _SYNAPSE_KEYS
        if unknown:
            raise ConfigError(f"{path}: unknown key(s) {sorted(unknown)}")
        if "pairing" in entry:
            pre, post = _pairing(entry["pairing"], f"{path}.pairing")
        else:
            pre = _times(entry.get("pre", []), f"{path}.pre")
            post = _times(entry.get("post", []), f"{path}.post")
        for name, times in (("pre", pre), ("post", post)):
            if len(times) and not (0 < times.min() and times.max() < duration):
                raise ConfigError(f"{path}.{name}: spike times must lie inside (0, duration)")
        synapse = BenchSynapse(
            name=str(entry.get("name", f"synapse_{index}")), pre=pre, post=post,
            da=_time_course(entry.get("da"), bench.n_samples, input_dt, f"{path}.da"),
            oxt=_time_course(entry.get("oxt"), bench.n_samples, input_dt, f"{path}.oxt"),
            da_spikes=_times(entry.get("da_spikes", []), f"{path}.da_spikes"),
            weight=_weight(entry.get("weight", 1.0), f"{path}.weight"))
        bench.synapses.extend([synapse] * int(entry.get("copies", 1)))
    return bench
