"""The plasticity figures (figures/README.md): simulate, save, then plot from the saved data.

    python scripts/plasticity_figures.py [stdp timing drug oxt_ltd reversal | all]
        [--data results/plasticity] [--figures figures] [--plot-only]

Each figure's data goes to DATA/<figure>/ (bench directories or a network run), and
the figure is drawn from those files only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "configs" / "challenge.yaml"
REDUCED = ROOT / "configs" / "reduced.yaml"
INTERVALS_MS = (-50, -40, -30, -20, -10, 10, 20, 30, 40, 50)
TONIC = "30 nM"
DA_CONDITIONS = {
    "low DA (10 nM)": {"da": "10 nM"},
    "high DA (burst)": {"da": {"baseline": TONIC, "pulses": [
        {"start": "1.9 s", "duration": "300 ms", "level": "300 nM"}]}},
    "DA dip": {"da": {"baseline": TONIC, "pulses": [
        {"start": "1.9 s", "duration": "500 ms", "level": "0 nM"}]}},
    "high DA + OXT 10 nM": {"da": {"baseline": TONIC, "pulses": [
        {"start": "1.9 s", "duration": "300 ms", "level": "300 nM"}]}, "oxt": "10 nM"},
}
#: The slice figures' learning rate: 100x the network's, so that 3-5 pairings show the
#: window clearly. Away from the bounds weight changes are linear in eta, so the shapes
#: hold at any rate (docs/plasticity.md).
SLICE_RATE = "plasticity.eta=2 /s"
TIMING_DELAYS = np.round(np.arange(-1.0, 5.01, 0.25), 2)
OXT_LEVELS_NM = (0.0, 0.3, 1.0, 3.0, 10.0)


# ----------------------------------------------------------------------------- running
def run_bench_to(spec: dict, out: Path, overrides=(), slice_rate: bool = True) -> Path:
    """Run a bench spec with the default config (at the slice learning rate unless
    `slice_rate` is false) and save it as a bench directory."""
    import circuit
    from circuit.bench.spec import parse_bench
    from circuit.results import atomic_directory
    from circuit.bench.record import write_bench
    from circuit.bench.simulate import run_bench

    bench = parse_bench(spec)
    rate = [SLICE_RATE] if slice_rate else []
    config = circuit.load_config(DEFAULT, [*rate, *bench.overrides, *overrides])
    result = run_bench(bench, config)
    with atomic_directory(out, overwrite=True) as directory:
        write_bench(result, directory, spec, config.plain, {"overrides": list(overrides)})
    print(f"wrote {out}")
    return out


def final_changes(directory: Path) -> dict:
    """{synapse name: final weight - initial weight} from a bench directory."""
    from circuit.bench.record import read_weights

    return {name: w[-1] - w[0] for name, (_, w) in read_weights(directory).items()}


def stdp_spec(cell: str) -> dict:
    synapses = []
    for label, inputs in DA_CONDITIONS.items():
        for interval in INTERVALS_MS:
            synapses.append({"name": f"{label}|{interval}", **inputs, "pairing": {
                "start": "1 s", "count": 3, "period": "200 ms", "delay": f"{interval} ms"}})
    return {"cell": cell, "duration": "4 s", "record_dt": "50 ms", "synapses": synapses}


def run_stdp(data: Path) -> None:
    off = ["mechanisms.oxt_ltd=off"]
    for cell in ("d1", "d2"):
        run_bench_to(stdp_spec(cell), data / f"stdp_{cell}", off)
        run_bench_to(stdp_spec(cell), data / f"stdp_{cell}_no_heteromer",
                     off + ["mechanisms.heteromer=off"])


def run_timing(data: Path) -> None:
    synapses = [{"name": f"{delay:g}", "pairing": {"start": "1 s", "count": 5,
                                                     "period": "100 ms", "delay": "10 ms"},
                 "da": {"baseline": TONIC, "pulses": [{"start": f"{1.41 + delay:.2f} s",
                                                       "duration": "300 ms",
                                                       "level": "300 nM"}]}}
                for delay in TIMING_DELAYS]
    spec = {"cell": "d1", "duration": "8 s", "record_dt": "50 ms", "synapses": synapses}
    run_bench_to(spec, data / "timing", ["mechanisms.oxt_ltd=off"])


def run_oxt_ltd(data: Path) -> None:
    pre = [f"{1 + 0.2 * k:.1f} s" for k in range(50)]  # 5 Hz for 10 s
    synapses = [{"name": f"{level:g}", "pre": pre, "da": TONIC, "oxt": f"{level} nM"}
                for level in OXT_LEVELS_NM]
    spec = {"cell": "d1", "duration": "12 s", "record_dt": "100 ms", "synapses": synapses}
    run_bench_to(spec, data / "oxt_ltd_inside", [])
    run_bench_to(spec, data / "oxt_ltd_outside", ["plasticity.critical_period=0"])
    run_bench_to(spec, data / "oxt_ltd_knockout", ["plasticity.oxtr_terminals=0"])


def run_drug(data: Path) -> None:
    """Repeated cocaine in the reduced network; VTA potentiation over days."""
    import circuit
    from circuit.results import save

    exposure = ["protocol.baseline=20 s", "protocol.challenge=180 s", "protocol.washout=20 s",
                "protocol.cocaine.count=3", "protocol.cocaine.interval=60 s",
                "protocol.bursts.times=[5 s, 10 s, 15 s]"]
    results = circuit.run(circuit.load_config(REDUCED, exposure), progress=False)
    save(results, data / "drug_network", overwrite=True)
    print(f"wrote {data / 'drug_network'}")
    # Days: one challenge a day on days 0-2. Each session restores the previous one's
    # end state (weights, VTA potentiation), the potentiation decayed over the day between.
    day = 86400.0
    sessions = {}
    for label, extra in (("control", []), ("NMDA antagonist", ["plasticity.vta.nmda=0"])):
        state, points = None, []
        for session in range(3):
            config = circuit.load_config(REDUCED, [*extra, f"simulation.session={session}"])
            tau = float(config["plasticity"]["vta"]["tau_decay"])
            if state is not None:
                state = state.aged(day, tau)
            run = circuit.run(config, progress=False, state=state)
            start = state.vta_potentiation if state is not None else 0.0
            points.append({"day": session, "start": start, "end": run.state.vta_potentiation})
            state = run.state
        sessions[label] = {"sessions": points, "tau_decay_s": tau}
    (data / "drug_days.json").write_text(json.dumps(sessions, indent=2))


REVERSAL_PAIRINGS = 60  # at 1 Hz, each followed by a DA pulse


def run_reversal(data: Path) -> None:
    """An LTD protocol on inputs potentiated as in the network (Pascoli et al. 2012), at
    the network's learning rate, so that the potentiation and its reversal compare."""
    weights = np.load(data / "drug_network" / "weights.npz")
    potentiated = float(np.mean(weights["cortex_to_nac_d1"][-1]))
    ltd = {"pairing": {"start": "1 s", "count": REVERSAL_PAIRINGS, "period": "1 s",
                       "delay": "-10 ms"},
           "da": {"baseline": TONIC, "pulses": [
               {"start": f"{1.1 + k:.1f} s", "duration": "300 ms", "level": "300 nM"}
               for k in range(REVERSAL_PAIRINGS)]}}
    spec = {"cell": "d1", "duration": f"{REVERSAL_PAIRINGS + 3} s", "record_dt": "500 ms",
            "synapses": [
                {"name": "LTD protocol", "weight": potentiated, **ltd},
                {"name": "no stimulation", "weight": potentiated, "da": TONIC},
                {"name": "LTD protocol, naive synapse", "weight": 1.0, **ltd}]}
    run_bench_to(spec, data / "reversal", ["mechanisms.oxt_ltd=off"], slice_rate=False)


# ----------------------------------------------------------------------------- plotting
def plot_stdp(data: Path, figures: Path) -> None:
    fig = Figure(figsize=(12, 5), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, cell in zip(axes, ("d1", "d2")):
        on, off = final_changes(data / f"stdp_{cell}"), final_changes(data / f"stdp_{cell}_no_heteromer")
        for k, label in enumerate(DA_CONDITIONS):
            ys = [on[f"{label}|{i}"] for i in INTERVALS_MS]
            shown = label.replace("(10 nM)", "(10 nM, below the 30 nM tonic level)")
            ax.plot(INTERVALS_MS, ys, marker="o", color=f"C{k}", lw=2.5 if k == 1 else 1.5,
                    ms=8 if k == 1 else 6, label=shown + " (heteromer on)")
        label = "high DA + OXT 10 nM"
        ax.plot(INTERVALS_MS, [off[f"{label}|{i}"] for i in INTERVALS_MS], marker="s", ls=":",
                lw=1, ms=4, color="C3", mfc="white", label=label + " (heteromer off)")
        ax.axhline(0, color="0.5", lw=0.8)
        ax.axvline(0, color="0.5", lw=0.8)
        ax.set_title(f"{cell.upper()} MSN")
        ax.set_xlabel("post - pre interval (ms)")
    axes[0].set_ylabel("weight change after 3 pairings")
    axes[1].legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle("STDP windows under different DA (and OXT) conditions (bench; OXT-LTD off).\n"
                 "Without the heteromer, OXT changes nothing: its curve lies on the burst curve.")
    _save(fig, figures / "plasticity_stdp_windows.png")


def plot_timing(data: Path, figures: Path) -> None:
    changes = final_changes(data / "timing")
    delays = [float(k) for k in changes]
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    ax.axvspan(0.3, 2.0, color="C2", alpha=0.15, label="effective window (Yagishita 2014)")
    ax.plot(delays, list(changes.values()), marker="o", color="C0", label="model, D1 MSN")
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set_xlabel("DA onset after the last pairing (s)")
    ax.set_ylabel("weight change")
    ax.set_title("DA timing window: 5 causal pairings, then a 300 nM DA pulse")
    ax.legend()
    _save(fig, figures / "plasticity_da_timing.png")


def plot_oxt_ltd(data: Path, figures: Path) -> None:
    from circuit.bench.record import read_weights

    inside = read_weights(data / "oxt_ltd_inside")
    fig = Figure(figsize=(12, 4.5), layout="constrained")
    left, right = fig.subplots(1, 2)
    for k, (name, (t, w)) in enumerate(inside.items()):
        left.plot(t, w, color=f"C{k}", label=f"[OXT] {name} nM")
    left.set_xlabel("time (s)")
    left.set_ylabel("weight")
    left.set_title("Inside the critical period: 5 Hz input, no postsynaptic spikes")
    left.legend(fontsize="small")
    for k, (label, folder) in enumerate((("inside critical period", "oxt_ltd_inside"),
                                         ("after the critical period", "oxt_ltd_outside"),
                                         ("OXTR knock-out", "oxt_ltd_knockout"))):
        changes = final_changes(data / folder)
        right.plot([float(x) for x in changes], list(changes.values()), marker="os^"[k],
                   ms=9 - 2 * k, color=f"C{k}", label=label)
    right.set_xscale("symlog", linthresh=0.3)
    right.set_xlabel("[OXT] (nM)")
    right.set_ylabel("weight change after 10 s")
    right.set_title("OXT-LTD (M4) dose-response")
    right.legend(fontsize="small")
    _save(fig, figures / "plasticity_oxt_ltd.png")


def plot_drug(data: Path, figures: Path) -> None:
    from circuit.results import load

    results = load(data / "drug_network")
    days = json.loads((data / "drug_days.json").read_text())
    challenge = results.phase("challenge")
    fig = Figure(figsize=(13, 8), layout="constrained")
    grid = fig.subplots(2, 3)
    t = results.weight_t
    before = np.searchsorted(t, challenge.start)
    for ax, name in zip(grid[0, :2], ("cortex_to_nac_d1", "cortex_to_nac_d2")):
        w = results.weights[name]
        for values, colour, label in ((w[before], "0.5", "before cocaine"),
                                      (w[-1], "C3", "after 3 infusions")):
            ax.hist(values, bins=30, alpha=0.6, color=colour,
                    label=f"{label} (mean {values.mean():.3f})")
            ax.axvline(values.mean(), color=colour, lw=2)
        ax.set_title(f"{name.replace('_to_', ' -> ').replace('nac_', '')} weights")
        ax.set_xlabel("weight")
        ax.set_ylabel("sampled synapses")
        ax.legend(fontsize="small")
    ax = grid[0, 2]
    for k, name in enumerate(sorted(results.weights)):
        ax.plot(t, results.weights[name].mean(axis=1), color=f"C{k}",
                label=name.replace("_to_nac_", " -> "))
    ax.axvspan(challenge.start, challenge.stop, color="C1", alpha=0.1, label="cocaine challenge")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("mean weight (sampled synapses)")
    ax.set_title("Afferent -> MSN weights over the session")
    ax.legend(fontsize="x-small", loc="lower left", ncol=2)
    ax = grid[1, 0]
    ax.plot(results.trace_t, results.traces["cocaine_nac_nM"] / 1000, color="C1")
    ax.set_ylabel("[cocaine] (uM)")
    ax.set_xlabel("time (s)")
    ax.set_title("Three cocaine infusions (1 mg/kg)")
    ax = grid[1, 1]
    ax.plot(results.trace_t, results.traces["vta_potentiation"], color="C0")
    ax.set_ylabel("potentiation p (AMPA x (1 + p))")
    ax.set_xlabel("time (s)")
    ax.set_title("VTA DA input potentiation in the session")
    ax = grid[1, 2]
    for k, (label, record) in enumerate(days.items()):
        tau_days = record["tau_decay_s"] / 86400.0
        xs, ys = [], []
        for point in record["sessions"]:
            xs += [point["day"], point["day"] + 0.02]
            ys += [point["start"], point["end"]]
        last = record["sessions"][-1]
        tail = np.linspace(0, 10, 50)
        xs += list(last["day"] + 0.02 + tail)
        ys += list(last["end"] * np.exp(-tail / tau_days))
        ax.plot(xs, ys, color=f"C{k}", label=label)
    ax.axvspan(1 + 2, 5 + 2, color="0.85", label="1-5 days after (Ungless 2001)")
    ax.set_xlabel("day (cocaine on days 0, 1, 2)")
    ax.set_ylabel("potentiation p")
    ax.set_title("VTA excitatory weights over days\n(one short challenge, one infusion, a day)")
    ax.legend(fontsize="small")
    fig.suptitle("Drug exposure in the reduced network (plasticity on)")
    _save(fig, figures / "plasticity_drug_exposure.png")


def plot_reversal(data: Path, figures: Path) -> None:
    from circuit.bench.record import read_weights

    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    for k, (name, (t, w)) in enumerate(read_weights(data / "reversal").items()):
        ax.plot(t, w, color=f"C{k}", label=name)
    ax.axhline(1.0, color="0.5", lw=0.8, ls="--", label="drug-naive weight")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("cortex -> D1 weight")
    ax.set_title("Reversal: LTD protocol on cocaine-potentiated inputs (network rate)\n"
                 f"({REVERSAL_PAIRINGS} acausal pairings at 1 Hz, each followed by a DA pulse)")
    ax.legend(fontsize="small")
    _save(fig, figures / "plasticity_reversal.png")


def _save(fig: Figure, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


FIGURES = {"stdp": (run_stdp, plot_stdp), "timing": (run_timing, plot_timing),
           "oxt_ltd": (run_oxt_ltd, plot_oxt_ltd), "drug": (run_drug, plot_drug),
           "reversal": (run_reversal, plot_reversal)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", default=["all"], choices=[*FIGURES, "all"])
    parser.add_argument("--data", type=Path, default=ROOT / "results" / "plasticity")
    parser.add_argument("--figures", type=Path, default=ROOT / "figures")
    parser.add_argument("--plot-only", action="store_true")
    args = parser.parse_args()
    chosen = list(FIGURES) if "all" in args.which else args.which
    args.data.mkdir(parents=True, exist_ok=True)
    for name in chosen:
        simulate, plot = FIGURES[name]
        if not args.plot_only:
            simulate(args.data)
        plot(args.data, args.figures)


if __name__ == "__main__":
    main()
