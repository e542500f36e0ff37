"""Parameter tables: the values of every ``(shared, constant)`` variable, by object name.

The model never assigns parameter values while building objects. `parameter_table`
(in `circuit.model.network`) computes ``{object name: {variable: value}}`` from a config
alone; the runner applies it, directly in runtime mode or as standalone ``run_args``.
So one compiled binary serves every config with the same structure.
"""

from __future__ import annotations


def apply_directly(network, table: dict) -> None:
    """Set every value of `table` on the objects of `network` (runtime mode)."""
    for name, values in table.items():
        obj = network[name]
        for variable, value in values.items():
            setattr(obj, variable, value)


def as_run_args(network, table: dict) -> dict:
    """`table` as a standalone ``run_args`` mapping (VariableView -> value)."""
    return {getattr(network[name], variable): value
            for name, values in table.items() for variable, value in values.items()}
