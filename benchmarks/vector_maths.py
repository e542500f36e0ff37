"""Benchmark: the default network compiled with Brian2's flags and with circuit's.

Brian2 compiles with ``-ffast-math -fno-finite-math-only``, which leaves every loop that
calls ``exp`` scalar; circuit's flags (`circuit.builds.compiling.COMPILE_FLAGS`: full
fast maths and more run-time alias checks) let GCC vectorise the neuron updates with
glibc's vector maths library. Same network and session (the 42 s plasticity-cost
session, C++ standalone, one thread), best of the timed runs, compilation excluded; the
population rates of both builds are printed beside the times. Appends a section to
benchmarks/results.md.

    python benchmarks/vector_maths.py [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from common import PROTOCOL, ROOT, SIMULATED, append, heading

BRIAN2_FLAGS = ["-w", "-O3", "-ffast-math", "-fno-finite-math-only", "-march=native",
                "-std=c++11"]


def measure(flags: list, repeats: int) -> tuple:
    """(best simulation time, {population: baseline rate in Hz}) with `flags`, in this
    process (a fresh one per flag set: a process keeps the network it built)."""
    import circuit
    from circuit.builds import compiling

    compiling.COMPILE_FLAGS = flags
    config = circuit.load_config(ROOT / "configs" / "challenge.yaml", PROTOCOL)
    results = circuit.run(config, progress=False)  # builds with these flags
    rates = {name: results.mean_rate(name, 1, 21) for name in results.sizes}
    best = min(circuit.run(config, progress=False).provenance["timings_s"]["simulate_s"]
               for _ in range(repeats))
    return best, rates


def measure_in_process(flags: list, repeats: int) -> tuple:
    output = subprocess.run([sys.executable, __file__, "--one", json.dumps(flags),
                             "--repeats", str(repeats)], check=True, text=True,
                            capture_output=True).stdout
    seconds, rates = json.loads(output.strip().splitlines()[-1])
    return seconds, rates


def report(cases: dict) -> str:
    names = list(next(iter(cases.values()))[1])
    lines = heading("Vector maths") + [
        "`python benchmarks/vector_maths.py`: default network (scale 1), "
        f"{SIMULATED:.0f} s simulated, C++ standalone on one thread, best of the timed "
        "runs, compilation excluded; baseline rates (Hz) of each build.", "",
        "| compiler flags | simulation (s) | x real time | "
        + " | ".join(names) + " |", "|---|---|---|" + "---|" * len(names)]
    for label, (seconds, rates) in cases.items():
        lines.append(f"| {label} | {seconds:.2f} | {SIMULATED / seconds:.2f} | "
                     + " | ".join(f"{rates[name]:.3f}" for name in names) + " |")
    (brian, _), (ours, _) = cases.values()
    lines += ["", f"circuit's flags run the simulation {brian / ours:.2f}x faster than "
              "Brian2's."]
    return "\n".join(lines + [""])


def main() -> None:
    from circuit.builds import compiling

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # JSON flags: measure here
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(json.loads(args.one), args.repeats)))
        return
    cases = {"Brian2's (`-fno-finite-math-only`)": measure_in_process(BRIAN2_FLAGS,
                                                                     args.repeats),
             "circuit's (`compiling.COMPILE_FLAGS`)": measure_in_process(
                 list(compiling.COMPILE_FLAGS), args.repeats)}
    append(report(cases))


if __name__ == "__main__":
    main()
