"""Results as pandas DataFrames, `behaviour.record` checked before any run, and the
--dashboard flag: the parts of the data API a notebook user touches first."""

from __future__ import annotations

import subprocess
import sys
import types

import dask
import numpy as np
import pytest

import circuit
from circuit import cli
from circuit.experiments.execute import DASHBOARD_KEY, dashboard_address
from circuit.protocols.library import recorded_protocols, session_configs
from circuit.results import load, save
from circuit.results.record import DECISION_KEYS, DECISION_OPTIONS, DECISION_READOUT

from conftest import ROOT
from synthetic import make_results

DEFAULT = ROOT / "configs" / "default.yaml"


def with_decisions(results, presses=((0.25, 0), (1.25, 1), (2.25, 0)), readout=False):
    """`results` with three decisions: the drug lever pressed twice, the inactive once;
    `readout`: with the readout's parts (`DECISION_READOUT`), which results written
    before they were recorded lack."""
    n = len(presses)
    decisions = {"t": np.array([t for t, _ in presses])}
    for key in (*DECISION_KEYS, *(DECISION_READOUT if readout else ())):
        decisions[key] = np.zeros((n, len(DECISION_OPTIONS)))
    for row, (_, option) in enumerate(presses):
        decisions["evaluated"][row, option] = 1
        decisions["press"][row, option] = 1
        decisions["p_go"][row, option] = 0.5
    results.decisions = decisions
    return results


def test_the_options_of_the_results_are_the_agents():
    from circuit.model.agent import OPTIONS

    assert DECISION_OPTIONS == OPTIONS


def test_spikes_frame_holds_every_spike_with_its_population():
    results = make_results()
    frame = results.spikes_frame()
    counts = frame.groupby("population", observed=False).size().to_dict()
    assert counts == {pop: len(times) for pop, (times, _) in results.spikes.items()}
    assert list(frame.columns) == ["population", "neuron", "t"]
    d1 = frame[frame["population"] == "nac_d1"]
    assert d1["neuron"].max() < results.sizes["nac_d1"] and d1["t"].is_monotonic_increasing


def test_traces_frame_is_indexed_by_time():
    results = make_results()
    frame = results.traces_frame()
    assert frame.index.name == "t" and len(frame) == len(results.trace_t)
    np.testing.assert_array_equal(frame["da_nac_nM"], results.traces["da_nac_nM"])


def test_trials_frame_has_one_row_per_evaluated_option():
    results = with_decisions(make_results())
    frame = results.trials_frame()
    assert list(frame["option"]) == ["drug", "inactive", "drug"]
    assert frame["press"].sum() == 3 and list(frame["t"]) == [0.25, 1.25, 2.25]
    assert make_results().trials_frame().empty  # no behaviour: no trials


def test_trials_frame_has_the_readouts_parts_where_the_results_hold_them():
    results = with_decisions(make_results(), readout=True)
    results.decisions["value"][0, 0] = 0.75
    frame = results.trials_frame()
    assert list(frame.columns[-len(DECISION_READOUT):]) == list(DECISION_READOUT)
    assert frame["value"].iloc[0] == 0.75
    assert "value" not in with_decisions(make_results()).trials_frame()  # older results


def test_every_options_row_shows_the_subjects_cue_value():
    from circuit.running.recording import DECISION_VARIABLES, decisions

    # as recorded: only the drug option's neuron learns the cue's value
    recorded = {f"trace_agent.{key}": np.zeros((2, len(DECISION_OPTIONS)))
                for key in DECISION_VARIABLES}
    recorded["trace_agent.t"] = np.array([1.0, 2.0])
    recorded["trace_agent.cue_value"] = np.array([[0.1, 0.0, 0.0], [0.19, 0.0, 0.0]])
    values = decisions(recorded.__getitem__, warmup=0.5)
    np.testing.assert_array_equal(values["cue_value"], [[0.1] * 3, [0.19] * 3])


def test_a_saved_run_gives_back_the_same_trial_events(tmp_path):
    results = with_decisions(make_results())
    save(results, tmp_path / "run")
    again = load(tmp_path / "run")
    assert again.trials_frame().equals(results.trials_frame())


def test_experiment_tables_load_as_data_frames(tmp_path):
    out = tmp_path / "experiment"
    (out / "runs" / "k1" / "sessions" / "03-extinction").mkdir(parents=True)
    (out / "runs.csv").write_text("condition,seed,acquisition_active\ndrug,1,4\ndrug,2,6\n")
    (out / "sessions.csv").write_text("group,seed,session,active\ndrug,1,0,3\ndrug,2,0,\n")
    loaded = load(out)
    assert loaded.runs["acquisition_active"].mean() == 5
    assert np.isnan(loaded.sessions["active"].iloc[1])  # an empty cell is NaN
    assert loaded.stats.empty and loaded.trials.empty  # tables it lacks
    (out / "runs" / "k1" / "run.json").write_text('{"condition": "drug", "seed": 2}')
    (recorded,) = loaded.recorded().to_dict("records")
    assert recorded["path"].name == "03-extinction"
    assert (recorded["condition"], recorded["seed"], recorded["session"],
            recorded["protocol"]) == ("drug", 2, 3, "extinction")
    assert "2 runs of drug" in repr(loaded)


def test_record_names_protocols_or_all():
    config = circuit.load_config(DEFAULT, ["behaviour.record=[progressive_ratio]"])
    sessions = session_configs(config)
    assert [s.protocol for s in sessions if s.recorded] == ["progressive_ratio"]
    every = circuit.load_config(DEFAULT, ["behaviour.record=[all]"])
    assert recorded_protocols(every) == set(every["behaviour"]["schedule"])
    assert not any(s.recorded for s in session_configs(circuit.load_config(DEFAULT)))


def test_a_bad_record_entry_is_named_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "out"
    status = cli.main(["run", str(DEFAULT), "--out", str(out),
                       "--set", "behaviour.record=[progresive_ratio]"])
    assert status == cli.BAD_INPUT
    err = capsys.readouterr().err
    assert "behaviour.record: 'progresive_ratio'" in err and "progressive_ratio" in err
    assert not out.exists()


def test_dashboard_is_off_unless_asked(monkeypatch):
    assert dashboard_address() is None
    monkeypatch.setitem(sys.modules, "bokeh", types.ModuleType("bokeh"))  # installed
    with dask.config.set({DASHBOARD_KEY: ":0"}):
        assert dashboard_address() == ":0"


def test_a_dashboard_without_bokeh_says_which_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "bokeh", None)  # not installed: import fails
    with dask.config.set({DASHBOARD_KEY: ":0"}):
        with pytest.raises(ConnectionError, match=r"--dashboard: .*circuit\[dashboard\]"):
            dashboard_address()


def test_a_dashboard_without_bokeh_is_refused_before_the_output_is_made(tmp_path, capsys,
                                                                        monkeypatch):
    monkeypatch.setitem(sys.modules, "bokeh", None)
    out = tmp_path / "out"
    status = cli.main(["experiment", str(ROOT / "configs" / "experiments" / "heteromer.yaml"),
                       "--out", str(out), "--workers", "2", "--dashboard"])
    assert status == cli.BAD_INPUT
    assert "circuit[dashboard]" in capsys.readouterr().err
    assert not out.exists()  # the same command without --dashboard may use it


def test_dashboard_flag_sets_the_address_for_the_command(monkeypatch):
    seen = {}

    def fake_check(args):
        seen["address"] = dask.config.get(DASHBOARD_KEY, None)
        return 0

    parser = cli._parser()
    args = parser.parse_args(["experiment", "spec.yaml", "--out", "x", "--dashboard"])
    args.command = fake_check
    monkeypatch.setattr(cli, "_parser", lambda: _Fixed(args))
    assert cli.main([]) == 0 and seen["address"] == cli.DASHBOARD_ADDRESS
    assert dask.config.get(DASHBOARD_KEY, None) is None  # only for the command


class _Fixed:
    """A parser that returns given arguments."""

    def __init__(self, args):
        self.args = args

    def parse_args(self, argv):
        return self.args


def test_results_and_frames_import_without_brian2():
    code = ("import sys, circuit.results as r; r.load; "
            "assert 'brian2' not in sys.modules, 'brian2 imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
