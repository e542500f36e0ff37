"""A `Results` as a ``neo.Block``, for Elephant, SpikeInterface-style tools and Neo's
writers (``Results.to_neo()``). Layout: docs/outputs.md, "Export: NWB and Neo".

neo (and its units library, quantities) is an optional extra
(``pip install 'circuit[nwb]'``), imported only when converting.
"""

from __future__ import annotations

import numpy as np

from .export import (CONCENTRATION_UNIT, OCCUPANCY_UNIT, NO_OPTION, RATE_UNIT,
                     decision_rows, identifier, neuron_spikes, trace_unit)
from .record import Results

MISSING_EXTRA = "Neo export needs the optional extras: pip install 'circuit[nwb]'"
#: Relative spread of sample intervals below which a series is an AnalogSignal.
REGULAR_TOLERANCE = 1e-6
_NANOMOLAR = None


def nanomolar():
    """quantities' nanomolar unit: quantities defines M, mM and uM but not nM, so circuit
    defines ``UnitQuantity('nanomolar', 1e-3 uM, symbol='nM')``, once per process."""
    global _NANOMOLAR
    if _NANOMOLAR is None:
        import quantities as pq

        _NANOMOLAR = pq.UnitQuantity("nanomolar", pq.uM / 1000, symbol="nM")
    return _NANOMOLAR


def to_neo(results: Results):
    """`results` as a ``neo.Block`` with one Segment (see ``Results.to_neo``)."""
    try:
        import neo
        import quantities as pq
    except ImportError as err:
        raise ImportError(MISSING_EXTRA) from err
    units = {RATE_UNIT: pq.Hz, CONCENTRATION_UNIT: nanomolar(),
             OCCUPANCY_UNIT: pq.dimensionless}
    block = neo.Block(name=identifier(results), description="circuit simulation",
                      seed=int(results.seed))
    segment = neo.Segment(name="recording", index=0)
    block.segments.append(segment)
    for population, size in results.sizes.items():
        trains = [neo.SpikeTrain(times, t_stop=results.duration, units=pq.s,
                                 name=f"{population}[{k}]", population=population, index=k)
                  for k, times in enumerate(neuron_spikes(results, population))]
        segment.spiketrains.extend(trains)
        members = list(trains)
        if population in results.rates:
            rate = _signal(f"rate_{population}", results.rates[population], results.rate_t,
                           pq.Hz, population=population)
            _add_signal(segment, rate)
            members.append(rate)
        block.groups.append(neo.Group(members, name=population, population=population,
                                      size=int(size)))
    for name, values in results.traces.items():
        unit = units.get(trace_unit(name), pq.dimensionless)
        _add_signal(segment, _signal(name, values, results.trace_t, unit))
    segment.epochs.append(neo.Epoch(
        times=[p.start for p in results.phases] * pq.s,
        durations=[p.stop - p.start for p in results.phases] * pq.s,
        labels=np.array([p.name for p in results.phases]), name="phases"))
    if np.size(results.decisions.get("t", ())):
        segment.events.append(_presses(results))
    return block


def _signal(name: str, values, t, unit, **annotations):
    """An AnalogSignal where `t` is regular, else an IrregularlySampledSignal."""
    import neo
    import quantities as pq

    t = np.asarray(t, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64).reshape(t.size, -1)
    step = np.diff(t)
    if t.size > 1 and np.ptp(step) <= REGULAR_TOLERANCE * step[0]:
        return neo.AnalogSignal(values, units=unit, t_start=t[0] * pq.s,
                                sampling_period=float(step.mean()) * pq.s, name=name,
                                **annotations)
    return neo.IrregularlySampledSignal(t * pq.s, values, units=unit, name=name,
                                        **annotations)


def _add_signal(segment, signal) -> None:
    import neo

    regular = isinstance(signal, neo.AnalogSignal)
    (segment.analogsignals if regular else segment.irregularlysampledsignals).append(signal)


def _presses(results: Results):
    """An Event at every press of the agent, labelled with the option taken."""
    import neo
    import quantities as pq

    rows = decision_rows(results)
    pressed = rows["press"] & (rows["option"] != NO_OPTION)
    return neo.Event(times=rows["stop_time"][pressed] * pq.s,
                     labels=rows["option"][pressed], name="presses",
                     array_annotations={"outcome": rows["outcome"][pressed]})
