"""What a systemic OXT dose does to NAc dopamine in the model, against a rat DAT-blocker study.

Hersey et al. 2023 (PMC10766115; abstract read) gave rats OXT 2 mg/kg i.p. and measured
the NAc shell: OXT alone changed neither tonic extracellular DA (microdialysis) nor
electrically evoked release or clearance (fast-scan voltammetry), and it *potentiated*
the rise of extracellular DA that the DAT blocker methylphenidate caused, through OXTR
(atosiban abolished it). The model's cocaine challenge (configs/challenge.yaml: 20 s
baseline, an i.v. cocaine infusion, washout) is the nearest protocol: cocaine blocks
DAT as methylphenidate does. Each seed runs it after saline or OXT (the same subject,
paired by seed), with the default mechanisms, with OXT and the OXTR antagonist, and
without VE (the systemic dose's VTA excitation) or without M3 (OXT's cut in release per
DA spike), whose balance decides the answer (docs/model.md). Every run reuses one build.

    python scripts/systemic_oxt_da.py [--seeds 1 2 3 4] [--out DIR]

Prints one row per condition (means over seeds, and OXT's paired change against the
saline run of the same mechanisms with a 95% t-interval) and writes DIR/runs.csv.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "challenge.yaml"
OXT = ["interventions.oxt.given=on"]
#: condition -> (its saline reference, overrides): OXT at Hersey et al.'s dose unless named.
CONDITIONS = {
    "saline": (None, []),
    "oxt_2": ("saline", OXT + ["interventions.oxt.dose=2 mg/kg"]),
    "oxt_1": ("saline", OXT + ["interventions.oxt.dose=1 mg/kg"]),
    "oxt_2_antagonist": ("saline", OXT + ["interventions.oxt.dose=2 mg/kg",
                                          "interventions.oxtr_antagonist.given=on"]),
    "saline_no_VE": (None, ["mechanisms.vta_volume_excitation=off"]),
    "oxt_2_no_VE": ("saline_no_VE", OXT + ["interventions.oxt.dose=2 mg/kg",
                                           "mechanisms.vta_volume_excitation=off"]),
    "saline_no_M3": (None, ["mechanisms.da_release=off"]),
    "oxt_2_no_M3": ("saline_no_M3", OXT + ["interventions.oxt.dose=2 mg/kg",
                                           "mechanisms.da_release=off"]),
}
MEASURES = ("tonic_da_nM", "cocaine_rise_nM", "vta_da_hz", "release_factor", "occ_oxtr")
CONFIDENCE = 0.95


def measure(config, results) -> dict:
    """Tonic [DA] (baseline median), the cocaine-evoked rise (challenge-phase mean minus
    baseline mean), the DA neurons' rate over the run, and the release per DA spike
    relative to no OXT (M3's factor 1 + gain x NAc OXTR occupancy)."""
    from circuit.analysis.summary import summarize

    summary = summarize(results)
    da = summary["da_nM"]
    occupancy = summary["occupancy"]["occ_oxtr_nac_d2"]["baseline"]
    m3 = config["mechanisms"]["da_release"]
    gain = config["oxt_actions"]["da_release_gain"] if m3 else 0.0
    return {"tonic_da_nM": da["tonic"],
            "cocaine_rise_nM": da["phase_mean"]["challenge"] - da["phase_mean"]["baseline"],
            "vta_da_hz": summary["rates_hz"]["vta_da"]["all"],
            "release_factor": 1.0 + gain * occupancy, "occ_oxtr": occupancy}


def simulate(seeds: list) -> list:
    from circuit.config import load_config
    from circuit.running.simulate import run

    rows = []
    for seed in seeds:
        for name, (_, overrides) in CONDITIONS.items():
            config = load_config(CONFIG, overrides=overrides + [f"simulation.seed={seed}"])
            rows.append({"condition": name, "seed": seed,
                         **measure(config, run(config, progress=False))})
            print(f"seed {seed} {name}: " + ", ".join(
                f"{m} {rows[-1][m]:.3g}" for m in MEASURES), flush=True)
    return rows


def paired_change(rows: list, name: str, reference: str, measure_name: str) -> tuple:
    """OXT's mean paired change in `measure_name` against `reference`, with its interval."""
    by_seed = {r["seed"]: r[measure_name] for r in rows if r["condition"] == reference}
    changes = np.array([r[measure_name] - by_seed[r["seed"]] for r in rows
                        if r["condition"] == name and r["seed"] in by_seed])
    mean = float(changes.mean())
    if len(changes) < 2 or np.ptp(changes) == 0:
        return mean, mean, mean
    low, high = stats.t.interval(CONFIDENCE, len(changes) - 1, loc=mean,
                                 scale=stats.sem(changes))
    return mean, float(low), float(high)


def report(rows: list) -> None:
    print("\ncondition          " + "  ".join(f"{m:>16s}" for m in MEASURES))
    for name, (reference, _) in CONDITIONS.items():
        means = [np.mean([r[m] for r in rows if r["condition"] == name]) for m in MEASURES]
        print(f"{name:18s} " + "  ".join(f"{v:16.3f}" for v in means))
        if reference:
            for m in ("tonic_da_nM", "cocaine_rise_nM"):
                base = np.mean([r[m] for r in rows if r["condition"] == reference])
                mean, low, high = paired_change(rows, name, reference, m)
                print(f"    {m} against {reference}: {mean:+.2f} [{low:+.2f}, {high:+.2f}]"
                      f" ({mean / base:+.0%})")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "systemic_oxt_da")
    args = parser.parse_args(argv)
    rows = simulate(args.seeds)
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "runs.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["condition", "seed", *MEASURES])
        writer.writeheader()
        writer.writerows(rows)
    report(rows)


if __name__ == "__main__":
    main()
