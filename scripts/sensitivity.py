"""One-at-a-time sensitivity of the headline numbers to the parameters we had to choose.

Each chosen parameter (no literature value) is scaled by 0.5x and 2x around its default
on the reduced network; every run reuses one compiled build (only values change).

    python scripts/sensitivity.py [--out results/sensitivity] [--figure figures/sensitivity.png]

Writes DIR/sensitivity.csv (one row per run), then the figure from that CSV.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "reduced.yaml"
#: Chosen parameters: config key -> (unit, default value in that unit).
PARAMETERS = {
    "fields.cocaine.Ki": ("nM", 250.0),
    "fields.cocaine.brain_per_dose": ("uM", 1.0),
    "fields.oxt.tau_clearance": ("s", 20.0),
    "receptors.Kd_oxtr": ("nM", 1.0),
    "receptors.heteromer_fold": ("", 3.0),
    "fields.da.release": ("nM", 200.0),
}
FACTORS = (0.5, 1.0, 2.0)
METRICS = ("tonic_da_nM", "cocaine_da_fold", "burst_amplitude_nM", "occ_d2r", "occ_oxtr",
           "rate_nac_d1_hz", "rate_nac_d2_hz")


def measure(results) -> dict:
    """The headline numbers of one run."""
    from circuit.analysis import burst_transients, tonic_level

    tonic = tonic_level(results, "da_nac_nM")
    challenge = results.phase("challenge")
    t = results.trace_t
    late = (t >= challenge.stop - 5.0) & (t < challenge.stop)
    baseline = results.phase("baseline")
    early = t < baseline.stop
    bursts = burst_transients(results, phase="baseline")
    return {
        "tonic_da_nM": tonic,
        "cocaine_da_fold": float(np.mean(results.traces["da_nac_nM"][late]) / tonic),
        "burst_amplitude_nM": float(np.mean([b["amplitude_nM"] for b in bursts])) if bursts else 0.0,
        "occ_d2r": float(np.median(results.traces["occ_d2r_nac_d2"][early])),
        "occ_oxtr": float(np.median(results.traces["occ_oxtr_nac_d2"][early])),
        "rate_nac_d1_hz": results.mean_rate("nac_d1", baseline.start, baseline.stop),
        "rate_nac_d2_hz": results.mean_rate("nac_d2", baseline.start, baseline.stop),
    }


def sweep(out: Path) -> Path:
    """Run every parameter x factor and write the table."""
    import circuit
    from circuit.results import atomic_write_text

    rows = []
    for key, (unit, default) in PARAMETERS.items():
        for factor in FACTORS:
            value = f"{default * factor:g} {unit}".strip()
            config = circuit.load_config(CONFIG, [f"{key}={value}"])
            print(f"{key} = {value}", flush=True)
            rows.append({"parameter": key, "factor": factor, "value": value,
                         **measure(circuit.run(config, progress=False))})
    out.mkdir(parents=True, exist_ok=True)
    path = out / "sensitivity.csv"
    lines = [",".join(rows[0])] + [",".join(str(v) for v in row.values()) for row in rows]
    atomic_write_text(path, "\n".join(lines) + "\n")
    return path


def plot(table: Path, figure: Path) -> None:
    """One panel per metric: its value at 0.5x, 1x and 2x of each parameter."""
    from matplotlib.figure import Figure

    with open(table) as handle:
        rows = list(csv.DictReader(handle))
    fig = Figure(figsize=(12, 6.5), layout="constrained")
    axes = fig.subplots(2, 4).ravel()
    for ax, metric in zip(axes, METRICS):
        for key in PARAMETERS:
            points = [(float(r["factor"]), float(r[metric])) for r in rows if r["parameter"] == key]
            ax.plot(*zip(*points), marker="o", label=key.split(".", 1)[1])
        ax.set_xscale("log", base=2)
        ax.set_xticks(FACTORS, [f"{f:g}x" for f in FACTORS])
        ax.set_title(metric.replace("_", " "))
    axes[-1].axis("off")
    axes[-1].legend(*axes[0].get_legend_handles_labels(), loc="center", title="parameter")
    fig.suptitle("Sensitivity of the reduced network to the chosen parameters "
                 "(one at a time, 0.5x-2x default)")
    figure.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(figure, dpi=110)
    print(f"wrote {figure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "sensitivity")
    parser.add_argument("--figure", type=Path, default=ROOT / "figures" / "sensitivity.png")
    parser.add_argument("--plot-only", action="store_true", help="replot from the saved CSV")
    args = parser.parse_args()
    table = args.out / "sensitivity.csv" if args.plot_only else sweep(args.out)
    plot(table, args.figure)


if __name__ == "__main__":
    main()
