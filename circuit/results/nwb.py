"""Write a `Results` as an NWB file (Neurodata Without Borders, pynwb), the format that
DANDI and most analysis tools read. Layout: docs/outputs.md, "Export: NWB and Neo".

pynwb is an optional extra (``pip install 'circuit[nwb]'``), imported only when writing.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import yaml

from .export import (DT_KEY, RATE_UNIT, config_seconds, decision_rows,
                     identifier, neuron_spikes, trace_unit)
from .record import Results
from .store import atomic_file

MISSING_EXTRA = "NWB export needs the optional extras: pip install 'circuit[nwb]'"
#: A simulation has no wall-clock start: every file gets this one, so the same results
#: give the same content (pynwb still stamps file_create_date with the real date).
SESSION_START = datetime(2000, 1, 1, tzinfo=timezone.utc)
#: The in-silico subject: species of the modelled animal (doses and kinetics are the
#: rat's, docs/behaviour.md); sex unknown ("U") and age unstated (ISO 8601 "0 days or more").
SPECIES, SEX, AGE = "Rattus norvegicus", "U", "P0D/"
RATES_MODULE = "ecephys"  # processing module of the population rates (from spikes)
INSTITUTION = "in silico"
KEYWORDS = ["simulation", "Brian2", "mesolimbic", "dopamine", "oxytocin", "addiction"]
#: Relative spread of sample intervals below which a series is stored with a rate.
REGULAR_TOLERANCE = 1e-6
TRIAL_COLUMNS = {
    "option": "option presented and available (drug, inactive, social), or 'none': a "
              "window with no option presented, or one withdrawn",
    "available": "whether the option could be taken",
    "go": "go signal of the option (D1 - d2_weight x D2 option-evoked MSN spikes over "
          "their baseline; dimensionless); NaN without an option",
    "p_go": "press probability",
    "press": "the option was taken",
    "reinforce": "the press was reinforced (drug infusion or social interaction)",
    "cue": "the drug cue was presented",
    "ratio": "presses the next reinforcer required; NaN without an option",
    "outcome": "infusion, social, cue (cue without drug) or none",
    "value": "the sigmoid of the go signal, without exploration (docs/behaviour.md); NaN "
             "without an option",
    "epsilon": "probability of taking the option whatever its go signal: p_go = epsilon + "
               "(1 - epsilon) x value; NaN without an option",
    "rho": "the readout's tonic-DA gain term (OpAL); NaN without an option",
    "cue_value": "the drug cue's learnt value (0-1); NaN without an option",
    "situation": "the belief of being in the drug-taking situation (0-1); NaN without an option",
}


def write_nwb(results: Results, path, *, session_description: str | None = None,
              subject_id: str | None = None, overwrite: bool = False) -> Path:
    """Write `results` to the NWB file `path` atomically; return its path.

    Parameters
    ----------
    results : Results
        The run (``circuit.results.load(DIR)``).
    path : str or Path
        The ``.nwb`` file to write; an existing one is refused unless `overwrite`.
    session_description : str, optional
        Default: the protocol and seed.
    subject_id : str, optional
        Default: ``seed-<seed>`` (a seed is a subject in circuit's experiments).

    Raises
    ------
    ImportError
        If pynwb is not installed (MISSING_EXTRA).
    FileExistsError
        If `path` exists and `overwrite` is false.
    """
    try:
        from pynwb import NWBHDF5IO
    except ImportError as err:
        raise ImportError(MISSING_EXTRA) from err
    path = Path(path).absolute()
    if os.path.lexists(path) and not overwrite:
        raise FileExistsError(f"{path} already exists; pass --overwrite (overwrite=True) "
                              "to replace it")
    nwbfile = build_nwbfile(results, session_description=session_description,
                            subject_id=subject_id)
    with atomic_file(path) as tmp:
        with NWBHDF5IO(str(tmp), "w") as io:
            io.write(nwbfile)
    return path


def build_nwbfile(results: Results, *, session_description: str | None = None,
                  subject_id: str | None = None):
    """The in-memory ``pynwb.NWBFile`` of `results` (see `write_nwb`)."""
    from pynwb import NWBFile
    from pynwb.file import Subject

    protocol = results.config.get("protocol", {}).get("name", "unknown protocol")
    nwbfile = NWBFile(
        session_description=session_description or
        f"circuit simulation: protocol {protocol}, seed {results.seed}",
        identifier=identifier(results),
        session_start_time=SESSION_START,
        experiment_description="Simulation of the mesolimbic dopamine/oxytocin circuit "
                               "(circuit, a Brian2 model); not a recording.",
        institution=INSTITUTION,
        keywords=KEYWORDS,
        notes=yaml.safe_dump(results.config, sort_keys=False),
        data_collection=json.dumps(results.provenance, sort_keys=True, default=str),
        source_script=f"circuit (seed {results.seed})",
        source_script_file_name="circuit",
    )
    nwbfile.subject = Subject(
        subject_id=subject_id or f"seed-{results.seed}", species=SPECIES, sex=SEX, age=AGE,
        description=f"in-silico subject: the circuit model run with seed {results.seed}, "
                    "not an animal")
    nwbfile.units = _units(results)
    rates = nwbfile.create_processing_module(
        RATES_MODULE, "population firing rates per neuron, binned from the spikes and "
                      "Gaussian-smoothed")
    for population, rate in results.rates.items():
        rates.add(_series(f"rate_{population}", rate, results.rate_t, RATE_UNIT,
                          f"firing rate per neuron of {population}"))
    for name, values in results.traces.items():
        nwbfile.add_acquisition(_series(name, values, results.trace_t, trace_unit(name),
                                        f"simulated trace {name}"))
    _add_phases(nwbfile, results)
    if np.size(results.decisions.get("t", ())):
        _add_trials(nwbfile, results)
    return nwbfile


def _units(results: Results):
    """The Units table: one row per neuron of every population, silent ones included."""
    from hdmf.common import ElementIdentifiers, VectorData, VectorIndex
    from pynwb.misc import Units

    trains, population, index = [], [], []
    for name, size in results.sizes.items():
        trains += neuron_spikes(results, name)
        population += [name] * int(size)
        index.append(np.arange(int(size)))
    times = VectorData(name="spike_times", description="spike times (s)",
                       data=np.concatenate(trains) if trains else np.zeros(0))
    ends = np.cumsum([train.size for train in trains], dtype=np.int64)
    columns = [times, VectorIndex(name="spike_times_index", data=ends, target=times),
               VectorData(name="population", description="cell type (population name)",
                          data=population),
               VectorData(name="index", description="index of the neuron in its population",
                          data=np.concatenate(index) if index else np.zeros(0, int))]
    resolution = config_seconds(results.config, DT_KEY)
    return Units(name="units", description="every simulated neuron",
                 id=ElementIdentifiers(name="id", data=np.arange(len(population))),
                 columns=columns, resolution=resolution)


def _series(name: str, data, t, unit: str, description: str):
    """A TimeSeries: starting time and rate where `t` is regular, else timestamps."""
    from pynwb import TimeSeries

    t = np.asarray(t, dtype=np.float64)
    data = np.asarray(data, dtype=np.float64)
    step = np.diff(t)
    if t.size > 1 and np.ptp(step) <= REGULAR_TOLERANCE * step[0]:
        return TimeSeries(name=name, data=data, unit=unit, description=description,
                          starting_time=float(t[0]), rate=1.0 / float(step.mean()))
    return TimeSeries(name=name, data=data, unit=unit, description=description, timestamps=t)


def _add_phases(nwbfile, results: Results) -> None:
    nwbfile.add_epoch_column("phase", "the protocol phase")
    for phase in results.phases:
        nwbfile.add_epoch(start_time=float(phase.start), stop_time=float(phase.stop),
                          tags=[phase.name], phase=phase.name)


def _add_trials(nwbfile, results: Results) -> None:
    """One trial per decision of the agent: the window that ended in it."""
    rows = decision_rows(results)
    for column, description in TRIAL_COLUMNS.items():
        if column in rows:  # results from before the readout's parts were recorded lack them
            nwbfile.add_trial_column(column, description)
    for k in range(rows["stop_time"].size):
        nwbfile.add_trial(**{column: _plain(values[k]) for column, values in rows.items()})


def _plain(value):
    """A NumPy scalar as the Python bool/float/str that pynwb stores."""
    return value.item() if isinstance(value, np.generic) else value
