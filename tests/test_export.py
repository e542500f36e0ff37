"""Export of a run to NWB (pynwb, checked with nwbinspector) and to Neo, and the
`circuit export` command, on the synthetic results of tests/synthetic.py."""

from __future__ import annotations

import copy
import json
import sys

import numpy as np
import pytest

pynwb = pytest.importorskip("pynwb")
neo = pytest.importorskip("neo")
nwbinspector = pytest.importorskip("nwbinspector")
pq = pytest.importorskip("quantities")

import circuit.results  # noqa: E402
from circuit.cli import BAD_INPUT, OUTPUT_TAKEN, main  # noqa: E402
from circuit.results.export import NO_OPTION, OPTIONS, decision_rows  # noqa: E402
from circuit.results.nwb import MISSING_EXTRA, SESSION_START, write_nwb  # noqa: E402
from synthetic import make_results  # noqa: E402

WINDOW_S = 0.25  # the synthetic agent's decision window
TRIAL_WINDOWS = 4  # windows per trial: the option's, then three with none presented
DT = "0.1 ms"  # integration step written into the synthetic config


def with_decisions(results, seed: int = 0):
    """A copy of `results` with decisions shaped as the runner records them: at the end
    of every window, (n, options) arrays; an option is evaluated only in its window."""
    rng = np.random.default_rng(seed)
    results = copy.deepcopy(results)
    t = np.arange(WINDOW_S, results.duration + WINDOW_S / 2, WINDOW_S)
    shape = (t.size, len(OPTIONS))
    presented = np.full(t.size, -1)
    trial_ends = np.arange(t.size) % TRIAL_WINDOWS == 0
    presented[trial_ends] = np.arange(trial_ends.sum()) % len(OPTIONS)
    evaluated = np.zeros(shape)
    rows = np.flatnonzero(presented >= 0)
    evaluated[rows, presented[rows]] = 1.0
    evaluated[rows[::7], presented[rows[::7]]] = 0.0  # withdrawn now and then (timeout)
    go = np.repeat(rng.normal(0.0, 1.0, (t.size, 1)), len(OPTIONS), axis=1)
    value, epsilon = 1.0 / (1.0 + np.exp(-go)), np.full(shape, 0.1)
    p_go = evaluated * (epsilon + (1 - epsilon) * value)
    press = (rng.uniform(size=shape) < p_go).astype(float)
    paid = np.array([1.0, 0.0, 1.0])  # drug and social pay, the inactive lever does not
    reinforce = press * paid
    cue = press * (np.arange(len(OPTIONS)) == 0)
    results.decisions = {"t": t, "evaluated": evaluated, "go": go, "p_go": p_go,
                         "press": press, "reinforce": reinforce, "cue": cue,
                         "ratio": np.ones(shape), "value": value, "epsilon": epsilon,
                         "rho": np.zeros(shape), "cue_value": np.cumsum(cue, axis=0) / t.size}
    results.config["behaviour"] = {"window": f"{WINDOW_S * 1000:g} ms"}
    return results


@pytest.fixture(scope="module")
def results():
    results = make_results(seed=3)
    results.config["simulation"] = {"dt": DT}
    return results


@pytest.fixture(scope="module")
def behaving(results):
    return with_decisions(results)


def read_nwb(path):
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        nwbfile = io.read()
        units = nwbfile.units.to_dataframe()
        series = {**nwbfile.acquisition, **nwbfile.processing["ecephys"].data_interfaces}
        series = {name: (np.asarray(s.data[:]), s.unit) for name, s in series.items()}
        epochs = nwbfile.epochs.to_dataframe()
        trials = None if nwbfile.trials is None else nwbfile.trials.to_dataframe()
        meta = {"identifier": nwbfile.identifier, "start": nwbfile.session_start_time,
                "notes": nwbfile.notes, "species": nwbfile.subject.species}
    return units, series, epochs, trials, meta


def test_nwb_holds_every_neuron_series_and_phase(results, tmp_path):
    path = write_nwb(results, tmp_path / "run.nwb")
    units, series, epochs, trials, meta = read_nwb(path)
    assert len(units) == sum(results.sizes.values())
    for population, (times, _) in results.spikes.items():
        rows = units[units["population"] == population]
        assert len(rows) == results.sizes[population]
        assert sorted(rows["index"]) == list(range(results.sizes[population]))
        assert sum(len(train) for train in rows["spike_times"]) == len(times)
    first = units[units["population"] == "vta_da"].iloc[0]
    times, indices = results.spikes["vta_da"]
    np.testing.assert_allclose(first["spike_times"], np.sort(times[indices == first["index"]]))
    for population, rate in results.rates.items():
        np.testing.assert_allclose(series[f"rate_{population}"][0], rate)
        assert series[f"rate_{population}"][1] == "Hz"
    for name, values in results.traces.items():
        np.testing.assert_allclose(series[name][0], values)
        expected = "nM" if name.endswith("_nM") else "fraction" if name.startswith("occ_") else "1"
        assert series[name][1] == expected, name
    assert list(epochs["phase"]) == [p.name for p in results.phases]
    np.testing.assert_allclose(epochs["stop_time"], [p.stop for p in results.phases])
    assert trials is None  # no decisions outside behaviour
    assert meta["start"] == SESSION_START and meta["species"] == "Rattus norvegicus"
    assert meta["notes"] and str(results.seed) in meta["identifier"]
    assert write_nwb(results, tmp_path / "again.nwb") and \
        read_nwb(tmp_path / "again.nwb")[4]["identifier"] == meta["identifier"]


def test_nwb_trials_are_the_decisions(behaving, tmp_path):
    _, _, _, trials, _ = read_nwb(write_nwb(behaving, tmp_path / "behaving.nwb"))
    decisions = behaving.decisions
    assert len(trials) == decisions["t"].size
    np.testing.assert_allclose(trials["stop_time"], decisions["t"])
    np.testing.assert_allclose(trials["start_time"], decisions["t"] - WINDOW_S)
    assert trials["press"].sum() == decisions["press"].sum() > 0
    for k, option in enumerate(OPTIONS):
        chosen = trials[trials["option"] == option]
        assert chosen["press"].sum() == decisions["press"][:, k].sum()
        assert (chosen["available"]).all()
    none = trials[trials["option"] == NO_OPTION]
    assert not none["press"].any() and not none["available"].any()
    infused = trials[(trials["option"] == "drug") & trials["press"]]
    assert (infused["outcome"] == "infusion").all()
    available = trials[trials["available"]]
    np.testing.assert_allclose(
        available["p_go"], available["epsilon"] + (1 - available["epsilon"]) * available["value"])
    assert none["value"].isna().all()


def test_nwb_of_results_recorded_without_the_readouts_parts(behaving, tmp_path):
    older = copy.deepcopy(behaving)
    for key in ("value", "epsilon", "rho", "cue_value"):
        del older.decisions[key]
    _, _, _, trials, _ = read_nwb(write_nwb(older, tmp_path / "older.nwb"))
    assert len(trials) == older.decisions["t"].size and "value" not in trials


def test_nwb_passes_the_inspector(behaving, tmp_path):
    path = write_nwb(behaving, tmp_path / "inspected.nwb")
    messages = list(nwbinspector.inspect_nwbfile(nwbfile_path=str(path)))
    serious = [m for m in messages if m.importance in (
        nwbinspector.Importance.CRITICAL, nwbinspector.Importance.BEST_PRACTICE_VIOLATION)]
    assert not serious, [(m.check_function_name, m.object_name, m.message) for m in serious]


def test_write_refuses_an_existing_file(results, tmp_path):
    path = tmp_path / "taken.nwb"
    path.write_bytes(b"old")
    with pytest.raises(FileExistsError, match="taken.nwb"):
        write_nwb(results, path)
    assert path.read_bytes() == b"old"
    write_nwb(results, path, overwrite=True)
    assert len(read_nwb(path)[0]) == sum(results.sizes.values())
    assert [p.name for p in tmp_path.iterdir()] == ["taken.nwb"]  # no temporary left


def test_missing_extra_is_named(results, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynwb", None)
    with pytest.raises(ImportError, match=r"pip install 'circuit\[nwb\]'") as error:
        write_nwb(results, tmp_path / "none.nwb")
    assert str(error.value) == MISSING_EXTRA


def test_cli_exports_a_run_directory(behaving, tmp_path, capsys):
    run = circuit.results.save(behaving, tmp_path / "run")
    out = tmp_path / "out" / "run.nwb"
    assert main(["--quiet", "export", str(run), "--nwb", str(out)]) == 0
    units, _, _, trials, _ = read_nwb(out)
    assert len(units) == sum(behaving.sizes.values())
    assert len(trials) == behaving.decisions["t"].size
    assert main(["--quiet", "export", str(run), "--nwb", str(out)]) == OUTPUT_TAKEN
    assert "--overwrite" in capsys.readouterr().err
    assert main(["--quiet", "export", str(run), "--nwb", str(out), "--overwrite"]) == 0


def test_cli_refuses_an_experiment_directory(tmp_path, capsys):
    experiment = tmp_path / "experiment"
    experiment.mkdir()
    (experiment / "runs.csv").write_text("key,condition,seed\n")
    out = tmp_path / "x.nwb"
    assert main(["--quiet", "export", str(experiment), "--nwb", str(out)]) == BAD_INPUT
    err = capsys.readouterr().err
    assert "experiment directory" in err and "run directory" in err
    assert "behaviour.record" in err and not out.exists()
    session = experiment / "runs" / "drug-s1" / "sessions" / "00-fr1_acquisition"
    session.mkdir(parents=True)
    assert main(["--quiet", "export", str(experiment), "--nwb", str(out)]) == BAD_INPUT
    assert str(session) in capsys.readouterr().err


def test_an_old_format_directory_exports(results, tmp_path):
    run = circuit.results.save(results, tmp_path / "old")
    (run / "decisions.npz").unlink()
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["format_version"] = 1
    manifest["files"].remove("decisions.npz")
    (run / "manifest.json").write_text(json.dumps(manifest))
    out = tmp_path / "old.nwb"
    assert main(["--quiet", "export", str(run), "--nwb", str(out)]) == 0
    units, _, epochs, trials, _ = read_nwb(out)
    assert len(units) == sum(results.sizes.values()) and trials is None
    assert len(epochs) == len(results.phases)


def test_to_neo(behaving):
    block = behaving.to_neo()
    segment, = block.segments
    assert [group.name for group in block.groups] == list(behaving.sizes)
    for group in block.groups:
        times, _ = behaving.spikes[group.name]
        assert len(group.spiketrains) == behaving.sizes[group.name]
        assert sum(len(train) for train in group.spiketrains) == len(times)
        assert [t.annotations["index"] for t in group.spiketrains] == \
            list(range(behaving.sizes[group.name]))
    assert len(segment.spiketrains) == sum(behaving.sizes.values())
    train = segment.spiketrains[0]
    assert train.units == pq.s and float(train.t_stop) == behaving.duration
    assert train.annotations["population"] == "vta_da"
    signals = {signal.name: signal for signal in segment.analogsignals}
    for population in behaving.rates:
        assert signals[f"rate_{population}"].units == pq.Hz
    da = signals["da_nac_nM"]
    assert da.units.dimensionality.string == "nM"
    np.testing.assert_allclose(da.magnitude[:, 0], behaving.traces["da_nac_nM"])
    np.testing.assert_allclose(float((1 * da.units).rescale(pq.uM)), 1e-3)
    assert signals["occ_d1r_nac_d1"].units == pq.dimensionless
    assert list(segment.epochs[0].labels) == [p.name for p in behaving.phases]
    presses, = segment.events
    assert len(presses) == int(decision_rows(behaving)["press"].sum())


def test_cli_names_a_missing_extra(results, tmp_path, monkeypatch, capsys):
    run = circuit.results.save(results, tmp_path / "run")
    monkeypatch.setitem(sys.modules, "pynwb", None)
    assert main(["--quiet", "export", str(run), "--nwb", str(tmp_path / "x.nwb")]) != 0
    assert MISSING_EXTRA in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "neo", None)
    with pytest.raises(ImportError, match=r"circuit\[nwb\]"):
        results.to_neo()
