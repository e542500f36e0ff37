"""How adolescent OXT leaves the plastic afferent weights onto MSNs (M4 and M6).

Runs each seed's ten drug-free `adolescence` sessions twice, with adolescent OXT
(`interventions.adolescent_oxt.given`) and without, and prints each plastic
projection's mean weight after them, and their ratio. The sessions are those of
`validation/adolescence.yaml` before the adult schedule; a few minutes per seed on one
core. validation/pilot/power.md reads the result (the M6 sweep).

    python scripts/adolescent_weights.py [--seeds 1 2] [--config configs/default.yaml]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from circuit.config import load_config
from circuit.running.subject import run_subject

ADOLESCENT_SESSIONS = 10  # Hicks et al. 2016: daily on postnatal days 28-37
ROOT = Path(__file__).resolve().parents[1]


def adolescent_state(config_path: Path, seed: int, given: bool):
    """The slow state after the adolescent sessions of subject `seed`."""
    schedule = "[" + ",".join(["adolescence"] * ADOLESCENT_SESSIONS) + "]"
    config = load_config(config_path, overrides=[
        f"behaviour.schedule={schedule}", f"simulation.seed={seed}",
        f"interventions.adolescent_oxt.given={'on' if given else 'off'}"])
    return run_subject(config).state


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--config", type=Path, default=ROOT / "configs" / "default.yaml")
    args = parser.parse_args(argv)
    print("seed  projection                 saline   OXT  OXT/saline")
    for seed in args.seeds:
        saline, oxt = (adolescent_state(args.config, seed, given) for given in (False, True))
        for name in sorted(saline.weights):
            before, after = saline.weights[name].mean(), oxt.weights[name].mean()
            print(f"{seed:4d}  {name:24s} {before:7.3f} {after:6.3f} {after / before:10.3f}",
                  flush=True)


if __name__ == "__main__":
    main()
