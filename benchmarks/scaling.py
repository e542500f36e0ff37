"""Benchmark: simulation time and peak memory of the default network at 0.5x to 4x its size.

`network.scale` multiplies every population (the afferent pools stay as they are, so each
neuron's input in-degree is fixed; MSN collaterals keep their connection probability).
Each size runs the 42 s plasticity-cost session in a fresh process, after a build
process; the simulator's peak resident memory is read by GNU time, and the Python
process's own peak too. The growth exponent is the slope of log(time) and log(memory)
against log(size). Target: at most 1.1. Writes
benchmarks/figures/scaling.png and appends a section to benchmarks/results.md.

    python benchmarks/scaling.py [--scales 0.5 1 2 4]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from common import PROTOCOL, ROOT, SIMULATED, append, heading

TARGET = 1.1
TIME = "/usr/bin/time"  # GNU time, for the simulator's peak memory
FIGURE = ROOT / "benchmarks" / "figures" / "scaling.png"


def config_of(scale: float):
    import circuit

    return circuit.load_config(ROOT / "configs" / "challenge.yaml",
                               [*PROTOCOL, f"network.scale={scale}"])


def expected_synapses(config) -> int:
    """Synapses of the circuit's projections: source x target x connection probability."""
    from circuit.model import connectivity, populations

    def size(name):
        if name in config["afferents"]:
            return config["afferents"][name]["size"]
        return populations.population_size(config, name)

    return round(sum(size(source) * (size(target) - (source == target))
                     * config["connections"][key]["p"]
                     for _, key, source, target, _ in connectivity.projections()))


def measure_here(scale: float) -> dict:
    """One run of `scale` in this process (its build cached): sizes, time, peak memory.

    The simulator runs under GNU time, which reports its peak resident memory (a child
    of this process would count this process's memory as its own: Linux keeps the peak
    across fork and exec).
    """
    import circuit
    from brian2 import prefs

    config = config_of(scale)
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "peak_kib"
        prefs.devices.cpp_standalone.run_cmd_unix = [TIME, "-f", "%M", "-o", str(report),
                                                     "./main"]
        results = circuit.run(config, progress=False)
        simulator_kib = float(report.read_text().split()[-1])
    python_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"scale": scale, "neurons": sum(results.sizes.values()),
            "synapses": expected_synapses(config),
            "simulate_s": results.provenance["timings_s"]["simulate_s"],
            "simulator_mib": simulator_kib / 1024, "python_mib": python_kib / 1024}


def measure(scale: float) -> dict:
    """Build `scale` (untimed), then measure it in a fresh process."""
    command = [sys.executable, __file__, "--scales", str(scale)]
    subprocess.run([*command, "--build-only"], check=True, capture_output=True)
    output = subprocess.run([*command, "--one"], check=True, text=True,
                            capture_output=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def slope(rows: list, key: str) -> float:
    scales = np.log([row["scale"] for row in rows])
    return float(np.polyfit(scales, np.log([row[key] for row in rows]), 1)[0])


def draw(rows: list) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    scales = np.array([row["scale"] for row in rows])
    figure, axes = plt.subplots(1, 2, figsize=(8, 3.4), constrained_layout=True)
    panels = (("simulate_s", "simulation time (s)", "simulation"),
              ("simulator_mib", "peak memory (MiB)", "simulator"))
    for axis, (key, label, name) in zip(axes, panels):
        values = np.array([row[key] for row in rows])
        axis.loglog(scales, values, "o-", color="C0", label=f"{name}: slope {slope(rows, key):.2f}")
        if key == "simulator_mib":
            python = np.array([row["python_mib"] for row in rows])
            axis.loglog(scales, python, "s--", color="C2",
                        label=f"Python: slope {slope(rows, 'python_mib'):.2f}")
        axis.loglog(scales, values[0] * scales / scales[0], ":", color="0.5", label="linear")
        axis.set(xlabel="network size (x default)", ylabel=label, xticks=scales,
                 xticklabels=[f"{s:g}" for s in scales])
        axis.xaxis.set_minor_formatter(NullFormatter())
        for formatter in (axis.yaxis.set_major_formatter, axis.yaxis.set_minor_formatter):
            formatter(ScalarFormatter())
        axis.legend(frameon=False, fontsize=8)
    figure.suptitle(f"Default network, {SIMULATED:.0f} s simulated, C++ standalone, one thread",
                    fontsize=9)
    FIGURE.parent.mkdir(exist_ok=True)
    figure.savefig(FIGURE, dpi=120)


def report(rows: list) -> str:
    time_slope, memory_slope = slope(rows, "simulate_s"), slope(rows, "simulator_mib")
    lines = heading("Scaling") + [
        f"`python benchmarks/scaling.py`: the default network at each size (`network.scale`), "
        f"{SIMULATED:.0f} s simulated, C++ standalone, compilation excluded; peak resident "
        "memory of the simulator process and of the Python process.", "",
        "| size | neurons | synapses (expected) | simulation (s) | simulator peak (MiB) | Python peak (MiB) |",
        "|---|---|---|---|---|---|"]
    lines += [f"| {row['scale']:g}x | {row['neurons']} | {row['synapses']} | "
              f"{row['simulate_s']:.2f} | {row['simulator_mib']:.0f} | {row['python_mib']:.0f} |"
              for row in rows]
    verdict = "met" if max(time_slope, memory_slope) <= TARGET else "missed"
    largest = rows[-2:]
    lines += ["", f"Growth exponents (log-log slope): simulation time {time_slope:.2f}, "
              f"simulator memory {memory_slope:.2f}, Python memory "
              f"{slope(rows, 'python_mib'):.2f} (target <= {TARGET}: {verdict}). Between the "
              f"two largest sizes alone: time {slope(largest, 'simulate_s'):.2f}, simulator "
              f"memory {slope(largest, 'simulator_mib'):.2f}.",
              f"Figure: `benchmarks/figures/{FIGURE.name}`.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.5, 1, 2, 4])
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only or args.one:
        import circuit

        (scale,) = args.scales
        if args.build_only:
            circuit.run(config_of(scale), progress=False)
        else:
            print(json.dumps(measure_here(scale)))
        return
    if not Path(TIME).exists():
        parser.error(f"{TIME} (GNU time) is needed to read the simulator's peak memory")
    rows = []
    for scale in args.scales:
        rows.append(measure(scale))
        print(rows[-1], flush=True)
    draw(rows)
    append(report(rows))


if __name__ == "__main__":
    main()
