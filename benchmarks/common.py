"""What every benchmark shares: the protocol, the machine's description, the results file.

Benchmarks are run on demand (`make bench`), never by the tests; each appends a section
to benchmarks/results.md. Ratios are measured within one run: the machines are shared.
"""

from __future__ import annotations

import os
import platform
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.md"
#: The default network's benchmark session: a 20 s baseline and a 20 s cocaine challenge.
PROTOCOL = ["protocol.warmup=1 s", "protocol.baseline=20 s", "protocol.challenge=20 s",
            "protocol.washout=1 s"]
SIMULATED = 42.0  # s, PROTOCOL's warm-up and phases


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def heading(title: str) -> list:
    """A section's heading and its machine line (CPU, cores, memory, versions)."""
    import brian2
    import numpy

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return [f"## {title} ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
            f"Machine: {cpu_model()}, {os.cpu_count()} cores, {memory:.0f} GiB; Python "
            f"{platform.python_version()}, Brian2 {brian2.__version__}, NumPy "
            f"{numpy.__version__}."]


def simulation_seconds(config, repeats: int) -> float:
    """Best simulation time of `repeats` runs of `config` (built and warmed up first)."""
    import circuit

    circuit.run(config, progress=False)
    return min(circuit.run(config, progress=False).provenance["timings_s"]["simulate_s"]
               for _ in range(repeats))


def time_variants(variants: dict, repeats: int) -> dict:
    """{label: best simulation time} of the default network's session with each label's
    config overrides."""
    import circuit

    seconds = {}
    for label, overrides in variants.items():
        config = circuit.load_config(ROOT / "configs" / "challenge.yaml", [*PROTOCOL, *overrides])
        seconds[label] = simulation_seconds(config, repeats)
        print(f"{label}: {seconds[label]:.2f} s", flush=True)
    return seconds


def append(text: str) -> None:
    """Print a section and append it to benchmarks/results.md."""
    print(text)
    with open(RESULTS, "a") as handle:
        handle.write("\n" + text + "\n")
