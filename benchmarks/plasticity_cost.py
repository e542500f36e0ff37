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
import platform
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = ["protocol.warmup=1 s", "protocol.baseline=20 s", "protocol.challenge=20 s",
            "protocol.washout=1 s"]
FORMS = ("frozen", "fast", "clock")
TARGET = 1.3


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def measure(repeats: int) -> dict:
    import circuit

    timings = {}
    for form in FORMS:
        config = circuit.load_config(ROOT / "configs" / "challenge.yaml",
                                     [*PROTOCOL, f"plasticity.form={form}"])
        circuit.run(config, progress=False)  # build (not timed) and warm up
        best = float("inf")
        for _ in range(repeats):
            results = circuit.run(config, progress=False)
            best = min(best, results.provenance["timings_s"]["simulate_s"])
        timings[form] = best
        print(f"{form}: {best:.2f} s", flush=True)
    return timings


def report(timings: dict) -> str:
    import brian2
    import numpy

    simulated = 42.0
    ratio = timings["fast"] / timings["frozen"]
    verdict = "meets" if ratio <= TARGET else f"misses by {100 * (ratio / TARGET - 1):.0f}%"
    lines = [
        f"## Plasticity cost ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Machine: {platform.node()}, {cpu_model()}, {__import__('os').cpu_count()} cores; "
        f"Python {platform.python_version()}, Brian2 {brian2.__version__}, "
        f"NumPy {numpy.__version__}.",
        f"Default network (scale 1), {simulated:.0f} s simulated, C++ standalone, best of "
        "the timed runs, compilation excluded.",
        "",
        "| afferent->MSN synapses | simulation (s) | x frozen | simulated s per wall s |",
        "|---|---|---|---|",
    ]
    for form in FORMS:
        lines.append(f"| {form} | {timings[form]:.2f} | {timings[form] / timings['frozen']:.2f} "
                     f"| {simulated / timings[form]:.2f} |")
    lines += ["", f"Target fast / frozen <= {TARGET}: {ratio:.2f} ({verdict}).", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    text = report(measure(args.repeats))
    print(text)
    results = ROOT / "benchmarks" / "results.md"
    previous = results.read_text() if results.exists() else "# Benchmark results\n\n"
    results.write_text(previous + text + "\n")


if __name__ == "__main__":
    main()
