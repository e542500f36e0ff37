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

from common import SIMULATED, append, heading, time_variants

PERIODS = {"every 100 ms (default)": "100 ms", "every 10 s": "10000 ms"}


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
    variants = {label: [f"simulation.watchdog.period={period}"]
                for label, period in PERIODS.items()}
    append(report(time_variants(variants, parser.parse_args().repeats)))


if __name__ == "__main__":
    main()
