"""Benchmark: what plasticity costs in the full default network.

Runs the default network (scale 1, a 20 s baseline + 20 s cocaine challenge) with the
afferent->MSN synapses frozen, with the fast (event-driven) three-factor rule and with
the clock-driven rule, and times the simulation alone (compilation excluded; each form
is a separate build). Target: fast / frozen <= 1.3. Ratios come from one run on one
machine. Appends a section to benchmarks/results.md.

    python benchmarks/plasticity_cost.py [--repeats 2]
"""

from __future__ import annotations

import argparse

from common import SIMULATED, append, heading, time_variants

FORMS = ("frozen", "fast", "clock")
TARGET = 1.3


def report(timings: dict) -> str:
    ratio = timings["fast"] / timings["frozen"]
    verdict = "meets" if ratio <= TARGET else f"misses by {100 * (ratio / TARGET - 1):.0f}%"
    lines = heading("Plasticity cost") + [
        f"Default network (scale 1), {SIMULATED:.0f} s simulated, C++ standalone, best of "
        "the timed runs, compilation excluded.",
        "",
        "| afferent->MSN synapses | simulation (s) | x frozen | simulated s per wall s |",
        "|---|---|---|---|",
    ]
    for form in FORMS:
        lines.append(f"| {form} | {timings[form]:.2f} | {timings[form] / timings['frozen']:.2f} "
                     f"| {SIMULATED / timings[form]:.2f} |")
    lines += ["", f"Target fast / frozen <= {TARGET}: {ratio:.2f} ({verdict}).", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    append(report(time_variants({form: [f"plasticity.form={form}"] for form in FORMS},
                                args.repeats)))


if __name__ == "__main__":
    main()
