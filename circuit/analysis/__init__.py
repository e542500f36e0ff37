"""Analysis of a run's `Results` in plain NumPy: headline summary and DA transients."""

from circuit.analysis.summary import burst_transients, summarize, tonic_level, write_summary

__all__ = ["summarize", "burst_transients", "tonic_level", "write_summary"]
