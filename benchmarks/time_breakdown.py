"""Benchmark: where the time of one `circuit run` goes, from a cold and a warm build cache.

Each case is a fresh process doing what `circuit run configs/challenge.yaml --out DIR`
does (the 42 s plasticity-cost session), timed in phases: import (circuit and Brian2),
config (reading and validating), generate (building the network and Brian2's code
generation), compile (the C++ compiler), simulate, write results (the results directory)
and figures. Cold: an empty build cache (a new machine, or a new network structure);
warm: the binary is cached, but the new process still generates the network's code.
Appends a section to benchmarks/results.md.

    python benchmarks/time_breakdown.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PROTOCOL, ROOT, SIMULATED, append, heading

WARM_START_TARGET = 3.0  # s
PHASES = ("import", "config", "generate", "compile", "simulate", "write results", "figures")


def phases_here(out: Path) -> dict:
    """One run in this process, timed by phase."""
    started = time.perf_counter()
    import brian2  # noqa: F401  (what the import costs is the point)

    import circuit
    from circuit.analysis.summary import write_summary
    from circuit.plotting import make_run_figures

    seconds = {"import": time.perf_counter() - started}
    started = time.perf_counter()
    config = circuit.load_config(ROOT / "configs" / "challenge.yaml", PROTOCOL)
    seconds["config"] = time.perf_counter() - started
    results = circuit.run(config, progress=False)
    timings = results.provenance["timings_s"]
    seconds.update(generate=timings["generate_s"], compile=timings["compile_s"],
                   simulate=timings["simulate_s"])
    started = time.perf_counter()
    circuit.results.save(results, out, extras=lambda folder: write_summary(results, folder))
    seconds["write results"] = time.perf_counter() - started
    started = time.perf_counter()
    make_run_figures(results, out / "figures")
    seconds["figures"] = time.perf_counter() - started
    return seconds


def phases(cache: Path) -> dict:
    """Time one run in a fresh process with `cache` as the build cache."""
    with tempfile.TemporaryDirectory() as folder:
        environment = {**os.environ, "CIRCUIT_CACHE": str(cache)}
        started = time.perf_counter()
        output = subprocess.run([sys.executable, __file__, "--one", str(Path(folder) / "run")],
                                env=environment, check=True, text=True,
                                capture_output=True).stdout
        seconds = json.loads(output.strip().splitlines()[-1])
        seconds["total (process)"] = time.perf_counter() - started
    return seconds


def report(cases: dict) -> str:
    lines = heading("Time breakdown of one run") + [
        "`python benchmarks/time_breakdown.py`: `circuit run configs/challenge.yaml` (default "
        f"network, {SIMULATED:.0f} s simulated) in a fresh process, by phase.", "",
        "| phase | " + " | ".join(f"{case} (s)" for case in cases) + " |",
        "|---|" + "---|" * len(cases)]
    for phase in (*PHASES, "total (process)"):
        lines.append(f"| {phase} | " + " | ".join(f"{seconds[phase]:.2f}"
                                                  for seconds in cases.values()) + " |")
    for case, seconds in cases.items():
        others = {phase: seconds[phase] for phase in PHASES if phase != "simulate"}
        largest = max(others, key=others.get)
        lines.append(f"\n{case}: the largest part besides the simulation is {largest} "
                     f"({others[largest]:.1f} s, {others[largest] / seconds['simulate']:.1f}x "
                     "the simulation).")
    warm = cases["warm cache"]
    start = sum(warm[phase] for phase in ("import", "config", "generate"))
    lines.append(f"\nWarm start (import, config and generate from a warm cache, before the "
                 f"first simulated step): {start:.2f} s (target < {WARM_START_TARGET:g} s: "
                 f"{'met' if start < WARM_START_TARGET else 'missed'}).")
    return "\n".join(lines + [""])


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(phases_here(Path(sys.argv[2]))))
        return
    with tempfile.TemporaryDirectory(prefix="circuit_cache_") as cache:
        cases = {"cold cache": phases(Path(cache)), "warm cache": phases(Path(cache))}
    append(report(cases))


if __name__ == "__main__":
    main()
