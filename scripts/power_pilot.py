"""Seeds needed per finding, from a power pilot's paired effect sizes.

    python scripts/power_pilot.py DIR [DIR ...]

Each DIR is a finished run of a pilot spec (validation/pilot/*.yaml: `circuit experiment
SPEC --out DIR`). For every paired contrast in its stats.csv the paired standardised
effect d_z (mean paired difference over its SD) gives the number of seeds that a one-sided
paired t-test needs for 80% power at alpha 0.05, and at alpha 0.005 (about what the
Benjamini-Hochberg correction asks of the weakest of ten tests), in the direction the
contrast predicts: an effect the other way never reaches it. Power comes from the
noncentral t distribution (scipy.stats.nct). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from scipy import stats

from circuit.results.tables import read_csv

POWER = 0.8
ALPHAS = (0.05, 0.005)
#: Most seeds reported; beyond it the effect is too small to detect in practice.
MAX_SEEDS = 1000


def paired_power(d_z: float, n: int, alpha: float) -> float:
    """Power of a one-sided paired t-test with n pairs at true effect d_z, in the
    direction it tests (a positive d_z: the predicted direction)."""
    df = n - 1
    critical = stats.t.ppf(1 - alpha, df)
    return float(stats.nct.sf(critical, df, d_z * math.sqrt(n)))


def seeds_needed(d_z: float, alpha: float, power: float = POWER) -> int | None:
    """Fewest pairs with at least `power` for an effect d_z in the tested direction; None
    if more than MAX_SEEDS (or d_z is 0 or in the other direction)."""
    if not math.isfinite(d_z) or d_z <= 0:
        return None
    for n in range(3, MAX_SEEDS + 1):
        if paired_power(d_z, n, alpha) >= power:
            return n
    return None


def rows(directory: Path) -> list:
    """One row per paired contrast x metric of the experiment in `directory`."""
    table = []
    for row in read_csv(directory / "stats.csv"):
        pairs = row.get("n_pairs")
        if not isinstance(pairs, (int, float)) or not pairs > 0:
            continue  # not a paired contrast (an empty cell reads back as NaN)
        d_z = row.get("d_z")
        if not isinstance(d_z, (int, float)):
            d_z = math.nan  # no variance in the differences (or too few pairs)
        # the effect in the direction the contrast predicts (two-sided: either way)
        sign = {"less": -1.0, "greater": 1.0}.get(row.get("alternative"), math.copysign(1.0, d_z))
        directed = sign * d_z
        change = (row["mean_a"] - row["mean_b"]) / row["mean_b"] if row["mean_b"] else math.nan
        table.append({"pilot": directory.name, "contrast": row["contrast"],
                      "metric": row["metric"], "n": row["n_pairs"], "mean_a": row["mean_a"],
                      "mean_b": row["mean_b"], "change": change, "d_z": d_z,
                      "wrong_way": directed < 0,
                      **{alpha: seeds_needed(directed, alpha) for alpha in ALPHAS}})
    return table


def markdown(table: list) -> str:
    head = ("| pilot | contrast | metric | pairs | mean (a) | mean (b) | change | d_z | "
            + " | ".join(f"seeds for 80% power, alpha {alpha}" for alpha in ALPHAS) + " |")
    lines = [head, "|" + "---|" * (8 + len(ALPHAS))]
    for row in table:
        if not math.isfinite(row["d_z"]):
            needed = ["-"] * len(ALPHAS)
        elif row["wrong_way"]:
            needed = ["never: the other direction"] * len(ALPHAS)
        else:
            needed = [str(row[alpha]) if row[alpha] else f"> {MAX_SEEDS}" for alpha in ALPHAS]
        lines.append(f"| {row['pilot']} | {row['contrast']} | {row['metric']} | {row['n']} | "
                     f"{row['mean_a']:.2f} | {row['mean_b']:.2f} | {row['change']:+.0%} | "
                     f"{row['d_z']:.2f} | " + " | ".join(needed) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directories", nargs="+", type=Path)
    args = parser.parse_args(argv)
    table = [row for directory in args.directories for row in rows(directory)]
    if not table:
        print("no paired contrast found in the stats.csv files given", file=sys.stderr)
        return 1
    print(markdown(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
