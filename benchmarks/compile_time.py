"""Benchmark: compiling a network from scratch, with and without circuit's make rules.

Builds the behaving circuit (configs/default.yaml, one FR1 session) once, then copies
its generated project and compiles each copy from clean with `make -j2`: with Brian2's
makefile as generated (everything at -O3, one compiler run per code object), with
circuit's rule that compiles the sources without a simulation loop at -O0, and with that
rule and the code objects compiled as unity sources (both in circuit.builds.compiling).
Appends a section to benchmarks/results.md.

    python benchmarks/compile_time.py
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from common import ROOT, append, heading

JOBS = 2
VARIANTS = {"Brian2's (everything at -O3)": (),
            "+ setup sources at -O0": ("setup",),
            "+ setup sources at -O0 + unity sources": ("setup", "unity")}


def generated_project() -> Path:
    """The behaving circuit's project directory (built through the cache if needed)."""
    import circuit
    from circuit.running import simulate

    config = circuit.load_config(ROOT / "configs" / "default.yaml",
                                 ["behaviour.schedule=[fr1_acquisition]"])
    circuit.run(config, progress=False)
    return simulate._session.build_dir


def make_seconds(project: Path, rules: tuple) -> float:
    """Wall time of compiling a clean copy of `project` with circuit's `rules`."""
    from circuit.builds import compiling

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "project"
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns(
            "*.o", "main", "make.deps", "results*", "static_arrays",
            compiling.UNITY_PREFIX + "*"))
        brian = (copy / compiling.SOURCES_MAKEFILE).read_text().replace(compiling.SETUP_RULE, "")
        (copy / "makefile").write_text(brian)
        if "setup" in rules:
            compiling.prepare(copy, parts=JOBS, unity="unity" in rules)
        started = time.perf_counter()
        compiling.make(copy, JOBS)
        return time.perf_counter() - started


def main() -> None:
    project = generated_project()
    seconds = {label: make_seconds(project, rules) for label, rules in VARIANTS.items()}
    first, *_, last = seconds.values()
    lines = heading("Compile time") + [
        "`python benchmarks/compile_time.py`: the behaving circuit's generated project "
        f"compiled from clean with `make -j{JOBS}`.", "",
        "| makefile | compile (s) | x Brian2's |", "|---|---|---|"]
    lines += [f"| {label} | {value:.1f} | {value / first:.2f} |" for label, value in seconds.items()]
    lines += ["", f"circuit's rules save {100 * (1 - last / first):.0f}% of the compile.", ""]
    append("\n".join(lines))


if __name__ == "__main__":
    main()
