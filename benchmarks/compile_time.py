"""Benchmark: compiling a network from scratch, with and without the -O0 setup rule.

Builds the behaving circuit (configs/default.yaml, one FR1 session) once, then copies
its generated project twice and runs `make -j2` on each copy from clean: once with
Brian2's makefile as generated (everything at -O3), once with circuit's rule that
compiles the sources without a simulation loop at -O0 (circuit.running.workspace).
Appends a section to benchmarks/results.md.

    python benchmarks/compile_time.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from plasticity_cost import ROOT, cpu_model

JOBS = 2


def generated_project() -> Path:
    """The behaving circuit's project directory (built through the cache if needed)."""
    import circuit
    from circuit.running import simulate

    config = circuit.load_config(ROOT / "configs" / "default.yaml",
                                 ["behaviour.schedule=[fr1_acquisition]"])
    circuit.run(config, progress=False)
    return simulate._session.build_dir


def make_seconds(project: Path, with_rule: bool) -> float:
    """Wall time of `make -j2` on a clean copy of `project`."""
    from circuit.running.workspace import SETUP_RULE

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "project"
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns(
            "*.o", "main", "make.deps", "results*", "static_arrays"))
        makefile = (copy / "makefile").read_text()
        plain = makefile.replace(SETUP_RULE, "")
        (copy / "makefile").write_text(plain + SETUP_RULE if with_rule else plain)
        started = time.perf_counter()
        subprocess.run(["make", f"-j{JOBS}"], cwd=copy, check=True, capture_output=True)
        return time.perf_counter() - started


def main() -> None:
    project = generated_project()
    plain, rule = make_seconds(project, False), make_seconds(project, True)
    text = "\n".join([
        f"## Compile time ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores. `python benchmarks/compile_time.py`: "
        f"the behaving circuit's generated project compiled from clean with `make -j{JOBS}`.", "",
        "| makefile | compile (s) |", "|---|---|",
        f"| Brian2's (everything at -O3) | {plain:.1f} |",
        f"| with circuit's setup rule (objects.cpp, before/after-run code at -O0) | {rule:.1f} |",
        "", f"The rule saves {100 * (1 - rule / plain):.0f}% of the compile.", ""])
    print(text)
    with open(ROOT / "benchmarks" / "results.md", "a") as handle:
        handle.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
