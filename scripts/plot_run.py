"""Redraw the figures of a saved run or experiment directory (never re-simulates).

    python scripts/plot_run.py RESULTS_DIR [--out DIR] [--prefix NAME_]

(`circuit plot DIR` does the same into DIR/figures.) Used to refresh the committed
figures/ from `make run`'s output:
    python scripts/plot_run.py results/default --out figures --prefix default_
"""

from __future__ import annotations

import argparse
from pathlib import Path

from circuit.plotting import make_run_figures
from circuit.plotting.behaviour_figures import make_behaviour_figures
from circuit.plotting.style import written_files
from circuit.results import ExperimentResults, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="a directory written by `circuit run` "
                                                   "or `circuit experiment`")
    parser.add_argument("--out", type=Path, help="where to write (default: RESULTS/figures)")
    parser.add_argument("--prefix", default="", help="prefix for the file names")
    args = parser.parse_args()
    out = args.out or args.results / "figures"
    results = load(args.results)
    if isinstance(results, ExperimentResults):
        paths = make_behaviour_figures({"sessions": results.sessions.to_dict("records"),
                                        "trials": results.trials.to_dict("records")}, out)
    else:
        paths = make_run_figures(results, out)
    for path in (file for png in paths for file in written_files(png)):  # png, pdf, svg
        if args.prefix:
            path = path.rename(path.with_name(args.prefix + path.name))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
