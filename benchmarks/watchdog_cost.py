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

from common import PROTOCOL, ROOT, SIMULATED, append, heading, simulation_seconds

PERIODS = {"every 100 ms (default)": "100 ms", "every 10 s": "10000 ms"}


def measure(repeats: int) -> dict:
    import circuit

    timings = {}
    for label, period in PERIODS.items():
        config = circuit.load_config(ROOT / "configs" / "challenge.yaml",
                                     [*PROTOCOL, f"simulation.watchdog.period={period}"])
        timings[label] = simulation_seconds(config, repeats)
        print(f"{label}: {timings[label]:.2f} s", flush=True)
    return timings


def report(timings: dict) -> str:
    (checked, base) = timings.values()
    lines = heading("Watchdog cost") + [
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
    append(report(measure(parser.parse_args().repeats)))


if __name__ == "__main__":
    main()
