"""One-at-a-time sensitivity of the network's headline numbers to its chosen parameters.

The parameters below have no literature value (docs/parameters.md marks them "chosen";
docs/model.md, "Choices and sensitivity"). Each is set to 0.5x and 2x its default, one
at a time, on the reduced network's cocaine challenge (configs/reduced.yaml), for a few
seeds; every run reuses one compiled build (only values change). The numbers: tonic NAc
[DA], cocaine's DA fold change, the amplitude of a DA burst's transient, D2R and OXTR
occupancy on D2 MSNs at baseline, D1 and D2 MSN rates at baseline.

    python scripts/sensitivity.py [--out results/sensitivity] [--figure figures/sensitivity.png]
    python scripts/sensitivity.py --plot-only --out DIR

Writes DIR/sensitivity.csv (one row per run: parameter, factor, value, seed, numbers),
then the figure from it (per number: the mean over seeds against the factor, one line
per parameter, the seeds' range as a band).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "reduced.yaml"
#: The chosen parameters swept (their defaults are read from the config).
PARAMETERS = (
    "fields.cocaine.Ki",
    "fields.cocaine.brain_per_dose",
    "fields.oxt.tau_clearance",
    "receptors.Kd_oxtr",
    "receptors.heteromer_fold",
    "fields.da.release",
)
FACTORS = (0.5, 1.0, 2.0)
SEEDS = (1, 2, 3)
#: Column -> (panel title, axis label).
METRICS = {
    "tonic_da_nM": ("tonic NAc [DA]", "nM"),
    "cocaine_da_fold": ("cocaine's DA fold", "x tonic [DA]"),
    "burst_amplitude_nM": ("DA burst transient", "nM"),
    "occ_d2r": ("D2R occupancy", "fraction, D2 MSNs"),
    "occ_oxtr": ("OXTR occupancy", "fraction, D2 MSNs"),
    "rate_nac_d1_hz": ("D1 MSN rate", "Hz, baseline"),
    "rate_nac_d2_hz": ("D2 MSN rate", "Hz, baseline"),
}
LAST_SECONDS = 5.0  # cocaine's fold change: the challenge's last seconds, near its plateau
PANEL_HEIGHT_IN = 1.7


def measure(results) -> dict:
    """The headline numbers of one run."""
    from circuit.analysis import burst_transients, tonic_level

    tonic = tonic_level(results, "da_nac_nM")
    challenge = results.phase("challenge")
    t = results.trace_t
    late = (t >= challenge.stop - LAST_SECONDS) & (t < challenge.stop)
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


def scaled(config, key: str, factor: float) -> str:
    """The --set text giving `key` `factor` times its value in `config` (same unit)."""
    value = config.plain
    for part in key.split("."):
        value = value[part]
    number, _, unit = str(value).partition(" ")
    return f"{float(number) * factor:g} {unit}".strip()


def sweep(out: Path, seeds=SEEDS) -> Path:
    """Run the default and every parameter at each factor other than 1, for each seed,
    and write the table (the default's runs are the factor-1 rows of every parameter)."""
    import circuit
    from circuit.results import atomic_write_text

    default = circuit.load_config(CONFIG)
    points = [(key, factor) for key in PARAMETERS for factor in FACTORS if factor != 1.0]
    runs = [(None, 1.0)] + points
    rows, started = [], time.monotonic()
    for k, (key, factor) in enumerate(runs, 1):
        value = scaled(default, key, factor) if key else "default"
        overrides = [f"{key}={value}"] if key else []
        for seed in seeds:
            config = circuit.load_config(CONFIG, overrides, seed=seed)
            numbers = measure(circuit.run(config, progress=False))
            for parameter in ([key] if key else PARAMETERS):
                shown = value if key else scaled(default, parameter, 1.0)
                rows.append({"parameter": parameter, "factor": factor, "value": shown,
                             "seed": seed, **numbers})
        print(f"[{k}/{len(runs)}] {key or 'the default'}"
              f"{' = ' + value if key else ''}: {len(seeds)} seeds, "
              f"{time.monotonic() - started:.0f} s so far", flush=True)
    rows.sort(key=lambda row: (PARAMETERS.index(row["parameter"]), row["factor"], row["seed"]))
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    out.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(out / "sensitivity.csv", text.getvalue())


def summary(table: Path) -> dict:
    """{(parameter, metric): [(factor, mean, low, high) per factor]} over the seeds."""
    with open(table, newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = {}
    for parameter in dict.fromkeys(row["parameter"] for row in rows):
        mine = [row for row in rows if row["parameter"] == parameter]
        for metric in METRICS:
            points = []
            for factor in sorted({float(row["factor"]) for row in mine}):
                values = [float(row[metric]) for row in mine if float(row["factor"]) == factor]
                points.append((factor, float(np.mean(values)), min(values), max(values)))
            found[parameter, metric] = points
    return found


def plot(table: Path, figure: Path) -> Path:
    """One panel per number: its seed mean at 0.5x, 1x and 2x of each parameter, the
    seeds' range shaded."""
    from circuit.plotting import style

    found = summary(table)
    parameters = list(dict.fromkeys(parameter for parameter, _ in found))
    colours = {parameter: f"C{k}" for k, parameter in enumerate(parameters)}
    with style.paper_style():
        fig, axes = style.panel_grid(len(METRICS), PANEL_HEIGHT_IN, columns=4)
        for ax, (metric, (title, label)) in zip(axes, METRICS.items()):
            for parameter in parameters:
                factor, mean, low, high = map(np.array, zip(*found[parameter, metric]))
                ax.plot(factor, mean, marker="o", ms=style.MARKER_PT, lw=style.LINE_PT,
                        color=colours[parameter])
                ax.fill_between(factor, low, high, color=colours[parameter], alpha=0.15,
                                lw=0)
            ax.set_xscale("log", base=2)
            ax.set_xticks(FACTORS, [f"{f:g}x" for f in FACTORS])
            ax.set_title(title, loc="left")
            ax.set_ylabel(label)
        style.label_panels(axes)
        handles = [Line2D([], [], color=colours[p], marker="o", ms=style.MARKER_PT,
                          lw=style.LINE_PT, label=p) for p in parameters]
        style.legend_below(fig, handles, columns=3)
        fig.suptitle("Each chosen parameter at 0.5x-2x its default, one at a time: the "
                     "reduced network's cocaine challenge\n(points: the mean of "
                     f"{len(SEEDS)} seeds; shaded: their range)")
        return style.save_figure(fig, figure)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "sensitivity")
    parser.add_argument("--figure", type=Path, default=ROOT / "figures" / "sensitivity.png",
                        help="figure path (.png; PDF and SVG beside)")
    parser.add_argument("--plot-only", action="store_true", help="replot from the saved CSV")
    args = parser.parse_args(argv)
    table = args.out / "sensitivity.csv"
    if args.plot_only and not table.is_file():
        raise SystemExit(f"{table} not found: run without --plot-only first")
    if not args.plot_only:
        table = sweep(args.out)
        print(f"wrote {table}")
    print(f"wrote {plot(table, args.figure)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
