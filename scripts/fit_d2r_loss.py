"""Fit `receptors.d2r_loss.exposure_scale` to the first week of Nader et al. 2006.

Nader et al. 2006 (Nat Neurosci) saw D2R availability fall 15-20% within a week of
cocaine self-administration. The model lowers availability with each session's drug
exposure E (docs/behaviour.md, "Slow variables"):

    a' = floor + (a - floor) exp(-E / exposure_scale)

and lets it recover towards 1 between sessions (`receptors.d2r_loss.recovery`). This
script reads the training sessions of vehicle subjects (a sessions CSV written by
`scripts/assay_fit.py --sessions`), recovers each session's E / exposure_scale from the
availability before and after it, and finds the scale at which the subjects' mean
availability after the acquisition sessions (daily FR1 sessions: the first week) lies
at the middle of the reported range, 1 - 0.175. The exposures are those of the run that
recorded them; availability feeds back on behaviour (and so on intake) only through D2
MSNs, which a rerun at the fitted scale checks.

    python scripts/fit_d2r_loss.py SESSIONS_CSV [--config configs/default.yaml]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from brian2 import nmolar, second
from scipy.optimize import brentq

from circuit.config import load_config
from circuit.results.tables import read_csv

#: Nader et al. 2006: D2R availability 15-20% lower within a week; the fit aims at the
#: middle of that range.
REPORTED_LOSS = (0.15, 0.20)
TARGET_LOSS = float(np.mean(REPORTED_LOSS))
#: The phase whose sessions make up the first week of self-administration.
ACQUISITION = "acquisition"


def subject_exposures(rows: list[dict], floor: float, carry: float) -> dict:
    """Per training run: the acquisition sessions' E / exposure_scale, in order.

    `carry` is the fraction of the loss kept from one session to the next
    (exp(-interval / recovery))."""
    runs: dict = {}
    for row in rows:
        if row["condition"] == "training" and row["phase"] == ACQUISITION:
            runs.setdefault(row["run"], []).append(row)
    exposures = {}
    for run, sessions in runs.items():
        sessions.sort(key=lambda row: int(row["session"]))
        before, scaled = 1.0, []
        for row in sessions:
            after = float(row["d2r_availability"])
            scaled.append(-np.log((after - floor) / (before - floor)))
            before = 1.0 - (1.0 - after) * carry
        exposures[run] = scaled
    return exposures


def availability_after(scaled: list, ratio: float, floor: float, carry: float) -> float:
    """Availability after the sessions when every exposure is multiplied by `ratio`
    (old scale / new scale)."""
    a = 1.0
    for k, x in enumerate(scaled):
        a = floor + (a - floor) * np.exp(-x * ratio)
        if k < len(scaled) - 1:
            a = 1.0 - (1.0 - a) * carry
    return a


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sessions", type=Path)
    parser.add_argument("--config", type=Path, default=Path("configs/default.yaml"))
    args = parser.parse_args(argv)
    config = load_config(args.config)
    loss = config["receptors"]["d2r_loss"]
    floor = float(loss["floor"])
    scale = float(loss["exposure_scale"] / (nmolar * second))
    carry = float(np.exp(-config["behaviour"]["session_interval"] / loss["recovery"]))
    exposures = subject_exposures(read_csv(args.sessions), floor, carry)
    if not exposures:
        raise SystemExit(f"{args.sessions}: no training rows of phase {ACQUISITION!r}")

    def mean_after(ratio: float) -> float:
        return float(np.mean([availability_after(x, ratio, floor, carry)
                              for x in exposures.values()]))

    target = 1.0 - TARGET_LOSS
    ratio = brentq(lambda r: mean_after(r) - target, 1e-3, 1e3)
    sessions = {len(x) for x in exposures.values()}
    print(f"{len(exposures)} subjects, {sorted(sessions)} acquisition sessions each")
    print(f"at exposure_scale {scale:.0f} nM*s: mean availability after acquisition "
          f"{mean_after(1.0):.3f}")
    print(f"fitted exposure_scale {scale / ratio:.0f} nM*s: {mean_after(ratio):.3f} "
          f"(target {target:.3f}, Nader et al. 2006: {1 - REPORTED_LOSS[1]:.2f}-"
          f"{1 - REPORTED_LOSS[0]:.2f})")
    for bound in REPORTED_LOSS:
        if 1.0 - bound <= floor:  # the floor is approached, never reached
            print(f"  loss {bound:.0%}: at or past the floor ({floor}), no finite scale")
            continue
        edge = brentq(lambda r: mean_after(r) - (1.0 - bound), 1e-3, 1e3)
        print(f"  loss {bound:.0%} at exposure_scale {scale / edge:.0f} nM*s")


if __name__ == "__main__":
    main()
