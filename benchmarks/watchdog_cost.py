"""Benchmark: what the watchdog's checks cost in the full default network.

Runs the default network (scale 1, the plasticity-cost protocol: 42 s simulated) with
the checks every 100 ms (the configs' `simulation.watchdog.period`) and every 10 s
(about none), and times the simulation alone (each period is its own build, compiled
beforehand). Ratios come from one run on one machine. Appends a section to
benchmarks/results.md.

    python benchmarks/watchdog_cost.py [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import platform
from datetime import datetime, timezone

from plasticity_cost import PROTOCOL, ROOT, cpu_model

PERIODS = {"every 100 ms (default)": "100 ms", "every 10 s": "10000 ms"}
SIMULATED = 42.0  # s, PROTOCOL's warm-up and phases


def measure(repeats: int) -> dict:
    import circuit

    timings = {}
    for label, period in PERIODS.items():
        config = circuit.load_config(ROOT / "configs" / "challenge.yaml",
                                     [*PROTOCOL, f"simulation.watchdog.period={period}"])
        circuit.run(config, progress=False)  # build (not timed) and warm up
        timings[label] = min(circuit.run(config, progress=False).provenance["timings_s"]
                             ["simulate_s"] for _ in range(repeats))
        print(f"{label}: {timings[label]:.2f} s", flush=True)
    return timings


def report(timings: dict) -> str:
    import brian2

    (checked, base) = timings.values()
    lines = [f"## Watchdog cost ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
             f"Machine: {cpu_model()}, {os.cpu_count()} cores; Python "
             f"{platform.python_version()}, Brian2 {brian2.__version__}.",
             f"`python benchmarks/watchdog_cost.py`: default network (scale 1), {SIMULATED:.0f} s "
             "simulated, C++ standalone, best of the timed runs, compilation excluded.", "",
             "| watchdog checks | simulation (s) | x every 10 s |", "|---|---|---|"]
    lines += [f"| {label} | {seconds:.2f} | {seconds / base:.3f} |"
              for label, seconds in timings.items()]
    lines += ["", f"The checks every 100 ms cost {100 * (checked / base - 1):+.1f}% of the "
              "simulation time.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    text = report(measure(parser.parse_args().repeats))
    print(text)
    with open(ROOT / "benchmarks" / "results.md", "a") as handle:
        handle.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
