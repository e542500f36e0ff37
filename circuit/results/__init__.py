"""The record of a run (`Results`, `Phase`) and its on-disk format (`save`, `load`).

See ``docs/outputs.md`` for the directory layout.
"""

from circuit.results.experiment import ExperimentResults, load_experiment
from circuit.results.record import Phase, Results
from circuit.results.state import State, StateError, read_state, write_state
from circuit.results.store import (
    atomic_directory,
    atomic_write_bytes,
    atomic_write_text,
    load,
    save,
)

__all__ = ["Results", "Phase", "ExperimentResults", "load_experiment", "State", "StateError", "save", "load", "read_state", "write_state",
           "atomic_directory", "atomic_write_text", "atomic_write_bytes"]
