"""Experiments: many subjects (conditions x sweep points x seeds), run by one engine.

A plan (`plan`) resolves and validates every run before anything is simulated; `execute`
runs them on Dask and stores each as it finishes; `workflow` writes the tables,
statistics, figures and report. ``circuit run`` of a config with an ``experiment``
block, ``circuit experiment SPEC`` and ``circuit validate`` all go through it
(docs/experiments.md).
"""

from .plan import Plan, make_plan, plan_config, read_plan
from .workflow import (ExperimentResult, default_workers, run_config, run_plan, run_spec,
                       write_outputs)

__all__ = ["ExperimentResult", "Plan", "default_workers", "make_plan", "plan_config",
           "read_plan", "run_config", "run_plan", "run_spec", "write_outputs"]
