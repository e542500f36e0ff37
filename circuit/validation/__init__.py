"""The validation scorecard: one test per literature finding (SCIENCE.md section 5),
each an experiment spec, a statistic and a verdict (docs/validation.md).

    findings (validation/findings.yaml) -> specs -> execute -> scoring -> scorecard

A scorecard may be run in parts (`--findings`) and merged (`merge`).
"""

from .scorecard import QUICK, Scorecard, merge_validation, run_validation

__all__ = ["QUICK", "Scorecard", "merge_validation", "run_validation"]
