"""The record of a plasticity-bench run and its on-disk format (tidy CSV).

A bench directory holds:

- ``weights.csv``: ``time_s, synapse, name, weight`` (weight relative to its start, 1)
- ``traces.csv``: ``time_s, synapse, name, eligibility, modulator, da_nM, oxt_nM,
  occ_d1r, occ_d2r, occ_oxtr, n_da`` (the third factor is ``modulator``)
- ``summary.csv``: ``synapse, name, final_weight, change``
- ``spec.yaml``, ``config.yaml``, ``provenance.json`` and ``figures/bench.png``
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

#: Trace columns of traces.csv and the BenchResult.traces key each comes from.
TRACE_COLUMNS = {"modulator": "m", "da_nM": "DA", "oxt_nM": "OXT", "occ_d1r": "occ_d1r",
                 "occ_d2r": "occ_d2r", "occ_oxtr": "occ_oxtr", "n_da": "n_da"}


@dataclass
class BenchResult:
    """Sampled weights, eligibility and neuromodulator traces of every bench synapse.

    Arrays are (n_synapses, n_t); times in s, concentrations in nM.
    """

    t: np.ndarray
    names: list
    weight: np.ndarray
    eligibility: np.ndarray
    traces: dict

    def final_weights(self) -> np.ndarray:
        return self.weight[:, -1]

    def first_of_each_name(self) -> dict:
        """{synapse name: index of its first synapse} (copies share a name)."""
        return first_of_each_name(self.names)


def first_of_each_name(names) -> dict:
    """{name: position of its first occurrence in `names`}, in order of appearance."""
    first = {}
    for k, name in enumerate(names):
        first.setdefault(name, k)
    return first


def _csv(header, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_bench(result: BenchResult, directory: Path, spec: dict, config_plain: dict,
                provenance: dict) -> None:
    """Write the bench files into `directory` (an empty, temporary directory)."""
    directory = Path(directory)
    n, n_t = result.weight.shape
    synapse = np.repeat(np.arange(n), n_t)
    times = np.tile(result.t, n)
    names = np.repeat(np.array(result.names, dtype=object), n_t)
    weight_rows = zip(np.round(times, 6), synapse, names, result.weight.ravel())
    (directory / "weights.csv").write_text(_csv(["time_s", "synapse", "name", "weight"],
                                                weight_rows))
    columns = [result.eligibility.ravel()] + [result.traces[key].ravel()
                                              for key in TRACE_COLUMNS.values()]
    trace_rows = zip(np.round(times, 6), synapse, names, *columns)
    (directory / "traces.csv").write_text(_csv(
        ["time_s", "synapse", "name", "eligibility", *TRACE_COLUMNS], trace_rows))
    final = result.final_weights()
    (directory / "summary.csv").write_text(_csv(
        ["synapse", "name", "final_weight", "change"],
        zip(range(n), result.names, final, final - 1.0)))
    (directory / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    (directory / "config.yaml").write_text(yaml.safe_dump(config_plain, sort_keys=False))
    (directory / "provenance.json").write_text(json.dumps(provenance, indent=2, default=str))


def read_weights(directory: Path) -> dict:
    """{name: (times, weights)} from a bench directory's weights.csv (first synapse per name)."""
    with open(Path(directory) / "weights.csv") as handle:
        rows = list(csv.DictReader(handle))
    synapse = np.array([int(r["synapse"]) for r in rows])
    times = np.array([float(r["time_s"]) for r in rows])
    weight = np.array([float(r["weight"]) for r in rows])
    first = first_of_each_name(r["name"] for r in rows)
    return {name: (times[synapse == synapse[row]], weight[synapse == synapse[row]])
            for name, row in first.items()}
