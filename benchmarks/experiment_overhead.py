"""Benchmark: what running an experiment costs beyond its simulations.

One run is one subject of the default experiment through a short schedule (SESSIONS FR1
acquisition sessions). The reference is that run's wall time in a warm process (network
already compiled and loaded): the time the simulation itself takes. A 16-run experiment
(16 seeds) then runs through `circuit experiment`'s machinery (plan, Dask LocalCluster,
storage, statistics, figures, report) on 1 worker and on 2 workers, from a fresh output
directory each, with the build cache warm (compiling is timed by plasticity_cost.py).

Target: 16-run wall time on 1 worker / (16 x one run) <= 1.1. The 2-worker line gives the
throughput gained on this machine. Appends a section to benchmarks/results.md.

    python benchmarks/experiment_overhead.py [--runs 16] [--sessions 4]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import yaml

from common import ROOT, append, heading

TARGET = 1.1


def one_run_seconds(schedule: list) -> dict:
    """Wall and simulation time of one run in a warm process (the second of two)."""
    import circuit
    from circuit.running.subject import run_subject

    overrides = [f"behaviour.schedule=[{', '.join(schedule)}]"]
    timings = {}
    for seed in (101, 102):  # the first builds; the second is timed
        config = circuit.load_config(ROOT / "configs" / "default.yaml", overrides, seed=seed)
        started = time.perf_counter()
        result = run_subject(config)
        timings = {"wall_s": time.perf_counter() - started,
                   "simulate_s": sum(t["simulate_s"] for t in result.timings)}
    return timings


def experiment_seconds(schedule: list, runs: int, workers: int, folder: Path) -> float:
    from circuit.experiments import run_spec

    spec = folder / f"spec_{workers}.yaml"
    spec.write_text(yaml.safe_dump({
        "base": str(ROOT / "configs" / "default.yaml"), "seeds": runs,
        "set": {"behaviour.schedule": schedule}, "metrics": ["acquisition_active"]}))
    out = folder / f"out_{workers}"
    started = time.perf_counter()
    result = run_spec(spec, out, workers=workers)
    wall = time.perf_counter() - started
    assert result.complete and len(result.runs) == runs
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16)
    parser.add_argument("--sessions", type=int, default=4)
    args = parser.parse_args()
    schedule = ["fr1_acquisition"] * args.sessions
    one = one_run_seconds(schedule)
    print(f"one run (warm): {one['wall_s']:.1f} s wall, {one['simulate_s']:.1f} s in the "
          "simulator", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="experiment_bench_"))
    try:
        walls = {}
        for workers in (1, 2):
            walls[workers] = experiment_seconds(schedule, args.runs, workers, folder)
            print(f"{args.runs} runs on {workers} worker(s): {walls[workers]:.1f} s", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    append(report(one, walls, args.runs, args.sessions))


def report(one: dict, walls: dict, runs: int, sessions: int) -> str:
    import dask

    ratio = walls[1] / (runs * one["wall_s"])
    verdict = "met" if ratio <= TARGET else f"missed by {100 * (ratio / TARGET - 1):.0f}%"
    lines = heading("Experiment overhead") + [
        f"Dask {dask.__version__}. `python benchmarks/experiment_overhead.py --runs {runs} --sessions {sessions}`: "
        f"one run = one subject of configs/default.yaml through {sessions} FR1 sessions; "
        "build cache warm; each experiment from a fresh output directory.\n",
        "| measure | wall time (s) | runs per minute | x (runs x one run) |",
        "|---|---|---|---|",
        f"| one run, warm process ({one['simulate_s']:.1f} s of it in the simulator) | "
        f"{one['wall_s']:.1f} | {60 / one['wall_s']:.2f} | 1.00 |",
    ]
    for workers, wall in walls.items():
        lines.append(f"| {runs} runs, `circuit experiment`, {workers} worker(s) | {wall:.1f} | "
                     f"{60 * runs / wall:.2f} | {wall / (runs * one['wall_s']):.2f} |")
    lines += ["", f"Target (1 worker) <= {TARGET}: {ratio:.2f} ({verdict}). Speed-up with 2 "
              f"workers: {walls[1] / walls[2]:.2f}x.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
