"""Headline numbers of one run, and detection of phasic dopamine transients.

Everything works on a `Results` in plain NumPy. `summarize` returns JSON-ready data
(floats, no NaN: a value that cannot be computed is ``None``); its keys are documented in
``docs/outputs.md``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from circuit.results.record import Phase, Results
from circuit.results.store import atomic_write_text

BASELINE_PHASE = "baseline"
ALL_KEY = "all"  # the whole-run entry next to the phases in `rates_hz`
DA_TRACE = "da_nac_nM"
OXT_TRACES = ("oxt_nac_nM", "oxt_vta_nM")
COCAINE_TRACE = "cocaine_nac_nM"
OCCUPANCY_PREFIX = "occ_"
SUMMARY_FILE = "summary.json"

# Transient detection (see `burst_transients`).
MIN_TRANSIENT_HEIGHT_NM = 20.0  # smallest default detection height above tonic
NOISE_SD_FACTOR = 5.0  # default height is also at least this many noise SDs
MAD_TO_SD = 1.4826  # median absolute deviation -> SD for Gaussian noise
HALF = 0.5  # full width at *half* maximum
ONSET_FRACTION = 0.1  # a transient starts where it first exceeds 10 % of its amplitude


def _phase_mask(t: np.ndarray, phase: Phase) -> np.ndarray:
    return (t >= phase.start) & (t < phase.stop)


def _mean(values: np.ndarray) -> float | None:
    return float(np.mean(values)) if values.size else None


def _tonic_phase(results: Results) -> Phase:
    """The phase that defines tonic levels: 'baseline', else the first phase."""
    names = [p.name for p in results.phases]
    return results.phase(BASELINE_PHASE) if BASELINE_PHASE in names else results.phases[0]


def tonic_level(results: Results, trace: str) -> float:
    """Median of `trace` over the baseline phase (or the first phase if none is called so)."""
    values = results.traces[trace][_phase_mask(results.trace_t, _tonic_phase(results))]
    if not values.size:
        raise ValueError(f"no samples of {trace!r} in the tonic phase")
    return float(np.median(values))


def _concentration_summary(results: Results, trace: str) -> dict | None:
    """Tonic, peak, time of peak and per-phase means of one concentration trace (nM)."""
    if trace not in results.traces:
        return None
    t, values = results.trace_t, results.traces[trace]
    peak = int(np.argmax(values))
    return {
        "tonic": tonic_level(results, trace),
        "peak": float(values[peak]),
        "peak_time_s": float(t[peak]),
        "phase_mean": {p.name: _mean(values[_phase_mask(t, p)]) for p in results.phases},
    }


def summarize(results: Results) -> dict:
    """Headline numbers of a run: rates, [DA], [OXT], [cocaine], fold changes, occupancies.

    Returns a JSON-serialisable dict; see ``docs/outputs.md`` for every key and unit.
    Traces that a run did not record give ``None`` instead of a number.
    """
    names = [p.name for p in results.phases]
    if ALL_KEY in names:
        raise ValueError(f"a phase may not be called {ALL_KEY!r} (used for the whole run)")
    t = results.trace_t
    rates = {
        pop: {**{p.name: results.mean_rate(pop, p.start, p.stop) for p in results.phases},
              ALL_KEY: results.mean_rate(pop, results.phases[0].start, results.duration)}
        for pop in results.sizes
    }
    da = _concentration_summary(results, DA_TRACE)
    fold = None
    if da is not None:
        tonic = da["tonic"]
        fold = {name: (mean / tonic if mean is not None and tonic > 0 else None)
                for name, mean in da["phase_mean"].items()}
    cocaine = results.traces.get(COCAINE_TRACE)
    cocaine_peak = float(np.max(cocaine)) if cocaine is not None and cocaine.size else None
    occupancy = {
        name: {p.name: _mean(values[_phase_mask(t, p)]) for p in results.phases}
        for name, values in results.traces.items() if name.startswith(OCCUPANCY_PREFIX)
    }
    summary = {
        "duration_s": float(results.duration),
        "seed": int(results.seed),
        "phases": {p.name: {"start_s": float(p.start), "stop_s": float(p.stop)}
                   for p in results.phases},
        "rates_hz": rates,
        "da_nM": da,
        "da_fold_change": fold,
        "cocaine_peak_nM": cocaine_peak,
        "occupancy": occupancy,
    }
    for trace in OXT_TRACES:
        summary[trace] = _concentration_summary(results, trace)
    return summary


def write_summary(results: Results, directory: str | os.PathLike) -> Path:
    """Write ``summarize(results)`` as ``summary.json`` in `directory`, atomically."""
    text = json.dumps(summarize(results), indent=2, allow_nan=False) + "\n"
    return atomic_write_text(Path(directory) / SUMMARY_FILE, text)


# ----------------------------------------------------------------------------- transients
def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs, stop exclusive, of the runs of True in `mask`."""
    edges = np.diff(mask.astype(np.int8), prepend=0, append=0)
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def _crossing(t: np.ndarray, x: np.ndarray, peak: int, level: float, side: int) -> float:
    """Time where `x` last falls to `level` on one side (-1 left, +1 right) of `peak`.

    Linearly interpolated between samples; the end of the data if it never does.
    """
    if side < 0:
        below = np.flatnonzero(x[:peak] < level)
        if not below.size:
            return float(t[0])
        i = below[-1]
        j = i + 1
    else:
        below = np.flatnonzero(x[peak + 1:] < level)
        if not below.size:
            return float(t[-1])
        j = peak + 1 + below[0]
        i = j - 1
    return float(t[i] + (level - x[i]) * (t[j] - t[i]) / (x[j] - x[i]))


def burst_transients(results: Results, trace: str = DA_TRACE, threshold_nM: float | None = None,
                     phase: str | None = None) -> list[dict]:
    """Phasic transients of a concentration trace: excursions above its tonic level.

    The tonic level is the baseline median (`tonic_level`), or with `phase` the median
    over that phase. An excursion is a stretch where the trace stays above
    tonic + `threshold_nM` / 2 and somewhere reaches tonic + `threshold_nM` (hysteresis,
    so noise on a transient does not split it). Over the whole run a slow rise of the
    tonic level (cocaine blocking reuptake) shows as one long excursion; pass `phase`
    to measure transients on the tonic level of that phase instead.

    Parameters
    ----------
    threshold_nM
        Height above tonic (nM) a transient must reach. Default: the larger of
        ``MIN_TRANSIENT_HEIGHT_NM`` and ``NOISE_SD_FACTOR`` robust SDs of the baseline.
    phase
        Only search this phase, relative to its own median (default: the whole run).

    Returns
    -------
    list of dict
        One per transient, in time order: ``start_s`` (where it first exceeds
        ``ONSET_FRACTION`` of its amplitude), ``peak_nM`` (absolute concentration at the
        peak), ``amplitude_nM`` (peak above tonic), ``peak_time_s`` and ``width_s`` (full
        width at half maximum above tonic).
    """
    t, values = results.trace_t, results.traces[trace]
    if phase is not None:
        mask = _phase_mask(t, results.phase(phase))
        t, values = t[mask], values[mask]
        if not values.size:
            return []
        tonic = float(np.median(values))
    else:
        tonic = tonic_level(results, trace)
    x = values - tonic
    if threshold_nM is None:
        base = results.traces[trace][_phase_mask(results.trace_t, _tonic_phase(results))]
        noise_sd = MAD_TO_SD * float(np.median(np.abs(base - np.median(base))))
        threshold_nM = max(MIN_TRANSIENT_HEIGHT_NM, NOISE_SD_FACTOR * noise_sd)
    transients = []
    for start, stop in _runs(x > HALF * threshold_nM):
        peak = start + int(np.argmax(x[start:stop]))
        amplitude = float(x[peak])
        if amplitude < threshold_nM:
            continue
        left = _crossing(t, x, peak, HALF * amplitude, side=-1)
        right = _crossing(t, x, peak, HALF * amplitude, side=+1)
        transients.append({
            "start_s": _crossing(t, x, peak, ONSET_FRACTION * amplitude, side=-1),
            "peak_nM": float(values[peak]),
            "amplitude_nM": amplitude,
            "peak_time_s": float(t[peak]),
            "width_s": right - left,
        })
    return transients
