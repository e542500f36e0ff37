"""Benchmark: the default network against its engine floor, and Brian2's CUBA for scale.

In one run, on one core (C++ standalone, single-threaded), compilation excluded:
- the full default network (fast three-factor plasticity, dynamic DA/OXT/cocaine fields,
  receptors), the 42 s plasticity-cost session;
- the same network with plasticity and fields frozen (`plasticity.form=frozen`,
  `fields.form=frozen`): the same neurons, synapses and inputs, nothing learning and
  fixed concentrations; the floor the engine sets for this network;
- Brian2's CUBA benchmark (benchmarks/cuba.py), in a separate process.
Targets: full / frozen <= 1.3; the full network at least 6x faster than real time
(stretch: 10x) and at least half as fast as CUBA in the same run.
With `perf` on the PATH, the full network's run is profiled and its costliest functions
listed. Appends a section to benchmarks/results.md.

    python benchmarks/engine_floor.py [--repeats 2] [--no-profile]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import PROTOCOL, ROOT, SIMULATED, append, heading, time_variants

FORMS = {"full": [], "frozen": ["plasticity.form=frozen", "fields.form=frozen"]}
FLOOR_TARGET, REAL_TIME_TARGET, REAL_TIME_STRETCH, CUBA_FRACTION = 1.3, 6.0, 10.0, 0.5
CUBA_SECONDS = 10.0
PROFILE_ROWS = 12


def config_of(form: str):
    import circuit

    return circuit.load_config(ROOT / "configs" / "challenge.yaml", [*PROTOCOL, *FORMS[form]])


def cuba() -> dict:
    output = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "cuba.py"),
                             "--duration", str(CUBA_SECONDS)], check=True, text=True,
                            capture_output=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def profile(config) -> list:
    """[(share of the binary's samples, function)] of one profiled run of `config`."""
    import circuit
    from brian2 import prefs

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "perf.data"
        prefs.devices.cpp_standalone.run_cmd_unix = ["perf", "record", "-q", "-F", "499",
                                                     "-o", str(data), "./main"]
        try:
            circuit.run(config, progress=False)
        finally:
            prefs.devices.cpp_standalone.run_cmd_unix = "./main"
        report = subprocess.run(["perf", "report", "-i", str(data), "--stdio", "--sort",
                                 "symbol", "--percentage", "relative"], text=True,
                                capture_output=True, check=True).stdout
    rows = []
    for line in report.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].endswith("%") and parts[1].startswith("["):
            rows.append((float(parts[0][:-1]), " ".join(parts[2:]).rstrip(" -")))
    return rows[:PROFILE_ROWS]


def report(seconds: dict, scale: dict, rows: list) -> str:
    floor = seconds["full"] / seconds["frozen"]
    speed = SIMULATED / seconds["full"]
    cuba_speed = scale["simulated_s"] / scale["run_s"]
    half_cuba = CUBA_FRACTION * cuba_speed
    lines = heading("Engine floor and real time") + [
        f"`python benchmarks/engine_floor.py`: default network (scale 1), {SIMULATED:.0f} s "
        "simulated, C++ standalone on one thread, best of the timed runs, compilation "
        "excluded; CUBA (4000 LIF neurons, 2% connectivity, dt 0.1 ms) in the same run.", "",
        "| network | simulation (s) | x frozen | x real time |", "|---|---|---|---|"]
    for form, value in seconds.items():
        lines.append(f"| default, {form} | {value:.2f} | {value / seconds['frozen']:.2f} "
                     f"| {SIMULATED / value:.2f} |")
    lines.append(f"| CUBA ({scale['spikes']} spikes) | {scale['run_s']:.2f} | - "
                 f"| {cuba_speed:.2f} |")
    lines += ["", f"Engine floor: full / frozen = {floor:.2f} (target <= {FLOOR_TARGET}: "
              f"{_verdict(floor <= FLOOR_TARGET, floor / FLOOR_TARGET - 1)}).",
              f"Real time: the full network runs {speed:.2f}x faster than real time (target "
              f">= {REAL_TIME_TARGET}: "
              f"{_verdict(speed >= REAL_TIME_TARGET, 1 - speed / REAL_TIME_TARGET)}"
              f"; stretch {REAL_TIME_STRETCH:g}x: "
              f"{'met' if speed >= REAL_TIME_STRETCH else 'not met'}); CUBA runs "
              f"{cuba_speed:.2f}x in the same run, so the network runs at "
              f"{speed / cuba_speed:.2f} of CUBA's speed (target >= {CUBA_FRACTION}: "
              f"{_verdict(speed >= half_cuba, 1 - speed / half_cuba)})."]
    if rows:
        lines += ["", "Profile of the full network's run (`perf record`, share of the "
                  "simulator's samples):", "", "| share | function |", "|---|---|"]
        lines += [f"| {share:.1f}% | `{name}` |" for share, name in rows]
    return "\n".join(lines + [""])


def _verdict(met: bool, short_by: float) -> str:
    return "met" if met else f"missed by {100 * short_by:.0f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    seconds = time_variants(FORMS, args.repeats)
    scale = cuba()
    rows = [] if args.no_profile or not shutil.which("perf") else profile(config_of("full"))
    append(report(seconds, scale, rows))


if __name__ == "__main__":
    main()
