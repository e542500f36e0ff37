"""Experiments that simulate: on local Dask workers, on a Dask cluster started from the
command line, and killed mid-way then resumed.

Each run is one FR1 acquisition session of the default experiment's subject, so the
runs share the behaving circuit's compiled network with the other behaviour tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

import circuit.results
from circuit.experiments import run_spec
from circuit.results.runs import ExperimentDir
from circuit.results.tables import read_csv

from conftest import ROOT

BASE = str(ROOT / "configs" / "default.yaml")
METRICS = ["acquisition_active", "acquisition_inactive"]
#: Longest wait for a background process to get somewhere (s).
PATIENCE = 600


def write_spec(folder: Path, **changes) -> Path:
    spec = {"base": BASE, "seeds": [1, 2], "set": {"behaviour.schedule": ["fr1_acquisition"]},
            "conditions": {"drug": {}}, "metrics": METRICS}
    spec.update(changes)
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def test_a_sweep_on_two_local_workers_builds_once_per_worker(tmp_path):
    spec = write_spec(tmp_path, conditions={"drug": {}, "drug_oxt": {"interventions.oxt.given": True}},
                      sweep={"interventions.oxt.dose": ["0.5 mg/kg", "1 mg/kg"]},
                      contrasts=[["drug_oxt", "drug"]])
    lines = []
    result = run_spec(spec, tmp_path / "out", workers=2, progress=lines.append)
    assert result.complete
    sessions = [line for line in lines if ": session 1/1 fr1_acquisition" in line]
    assert len(sessions) == 8  # every session of every run, reported from its worker
    runs = read_csv(tmp_path / "out" / "runs.csv")
    assert sorted((r["condition"], r["interventions.oxt.dose"], r["seed"]) for r in runs) == sorted(
        (c, d, s) for c in ("drug", "drug_oxt") for d in ("0.5 mg/kg", "1 mg/kg") for s in (1, 2))
    workers = {r["worker"] for r in runs}
    assert len(workers) == 2
    # Four parameter sets and two seeds, one structure: each worker generated the network
    # (or took a cached build through its blueprint) once and re-ran it with run_args; at
    # most one compile (none with a warm cache).
    assert len({r["structure"] for r in runs}) == 1
    assert sum(r["builds"] + r["replays"] for r in runs) == len(workers)
    assert sum(r["compiles"] for r in runs) <= 1
    # Without OXT the dose is unused: the same seed gives the same session on any worker.
    drug = {(r["interventions.oxt.dose"], r["seed"]): r["acquisition_active"]
            for r in runs if r["condition"] == "drug"}
    assert drug[("0.5 mg/kg", 1)] == drug[("1 mg/kg", 1)]
    assert drug[("0.5 mg/kg", 2)] == drug[("1 mg/kg", 2)]
    table = read_csv(tmp_path / "out" / "stats.csv")
    assert len(table) == 2 * len(METRICS)
    for row in table:
        pick = lambda c: np.array([r[row["metric"]] for r in runs if r["condition"] == c
                                   and r["interventions.oxt.dose"] == row["interventions.oxt.dose"]])
        a, b = pick("drug_oxt"), pick("drug")
        assert row["difference"] == pytest.approx(a.mean() - b.mean())
        expected = stats.mannwhitneyu(a, b, alternative="two-sided").pvalue
        assert row["mannwhitney_p"] == pytest.approx(expected)
    report = (tmp_path / "out" / "report.md").read_text()
    builds = sum(r["builds"] for r in runs)
    replays = sum(r["replays"] for r in runs)
    assert f"network builds: {builds} " in report
    assert f"{replays} taken from the build cache's blueprint" in report
    assert "2 local worker processes" in report


def _wait_for(condition, what: str, process=None):
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what}: the process exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {PATIENCE} s")
        time.sleep(0.5)


def test_a_dask_cluster_started_from_the_command_line_runs_an_experiment(tmp_path):
    address_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    scheduler = subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", str(address_file)],
                                 stderr=subprocess.DEVNULL)
    worker = None
    try:
        _wait_for(address_file.exists, "dask scheduler", scheduler)
        worker = subprocess.Popen([*dask, "worker", "--scheduler-file", str(address_file),
                                   "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                                   "--name", "cli-worker"], stderr=subprocess.DEVNULL)
        address = yaml.safe_load(address_file.read_text())["address"]
        result = run_spec(write_spec(tmp_path), tmp_path / "out", scheduler=address)
        assert result.complete
        runs = read_csv(tmp_path / "out" / "runs.csv")
        assert [r["seed"] for r in runs] == [1, 2]
        assert all(str(r["worker"]).startswith("cli-worker") for r in runs)
        assert all(np.isfinite(r["acquisition_active"]) for r in runs)
        assert "the Dask cluster at tcp://127.0.0.1:" in (tmp_path / "out" / "report.md").read_text()
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=60)


def test_an_experiment_killed_mid_way_resumes_without_redoing_or_losing_runs(tmp_path):
    spec = write_spec(tmp_path, seeds=[1, 2, 3])
    out = tmp_path / "out"
    command = [sys.executable, "-m", "circuit", "experiment", str(spec), "--out", str(out),
               "--workers", "1"]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    store = ExperimentDir(out)
    try:
        _wait_for(lambda: len(store.stored()) >= 1, "the first run", process)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the client, its nanny and its worker
        process.wait()
    first = store.stored()
    assert 1 <= len(first) < 3
    before = {key: (store.folder(key) / "run.json").stat().st_mtime_ns for key in first}
    result = run_spec(spec, out, workers=0, resume=True)
    assert result.complete
    runs = read_csv(out / "runs.csv")
    assert sorted(r["seed"] for r in runs) == [1, 2, 3]
    assert len({r["key"] for r in runs}) == 3
    after = {key: (store.folder(key) / "run.json").stat().st_mtime_ns for key in first}
    assert after == before  # runs finished before the kill were not redone
    assert not list((out / "runs").glob(".*"))  # no half-written run left behind
    log = (out / "experiment.log").read_text()
    assert f"{len(first)} of 3 runs already stored" in log
    # the log records each run as it is stored, by the killed process and the resumed one
    for row in runs:
        assert f"stored {row['key']} ({row['cell']}, seed {row['seed']}) in " in log


def write_within_spec(folder: Path, seeds=(1, 2)) -> Path:
    """Train once per seed (one FR1 session), then two test conditions of one extinction
    session each, both from the trained state."""
    spec = {"base": BASE, "seeds": list(seeds), "train": ["fr1_acquisition"],
            "set": {"behaviour.record": ["extinction"]},  # the tests' sessions kept whole
            "tests": {"vehicle": {"behaviour.schedule": ["extinction"]},
                      "oxt": {"behaviour.schedule": ["extinction"],
                              "interventions.oxt.given": True,
                              "interventions.oxt.dose": "1 mg/kg"}},
            "contrasts": [["oxt", "vehicle", "lower"]],
            "metrics": ["extinction_first", "final_da_nM"]}
    path = folder / "within.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def test_a_within_subject_design_trains_once_per_seed_and_tests_from_one_state(tmp_path):
    out = tmp_path / "within"
    result = run_spec(write_within_spec(tmp_path), out, workers=2)
    assert result.complete, result.failed
    store = ExperimentDir(out)
    records = {key: store.read(key) for key in store.stored()}
    trainings = {r["seed"]: r for r in records.values() if r["condition"] == "training"}
    tests = [r for r in records.values() if r["condition"] != "training"]
    assert sorted(trainings) == [1, 2] and len(tests) == 4  # one training per seed
    assert sum(r["builds"] for r in records.values()) <= 2  # one network build per worker
    for seed, training in trainings.items():
        (session,) = read_csv(store.folder(training["key"]) / "sessions.csv")
        assert session["phase"] == "acquisition"  # the training simulated once
        rate = circuit.load_config(BASE)["behaviour"]["cue_learning"]
        learnt = 1 - (1 - rate) ** session["infusions"]  # each infusion's cue teaches
        state = store.state(training["key"])
        assert state.digest() == training["final_state"]
        mine = [r for r in tests if r["seed"] == seed]
        assert {r["start_state"] for r in mine} == {training["final_state"]}  # bit-identical
        assert store.recorded(training["key"]) == []  # only extinction is recorded
        for record in mine:
            (test,) = read_csv(store.folder(record["key"]) / "sessions.csv")
            assert (test["phase"], test["session"]) == ("extinction", 1)  # after training
            (folder,) = store.recorded(record["key"])
            assert folder.name == "01-extinction"
            session = circuit.results.load(folder)  # a run directory: spikes, trial events
            trials = session.trials_frame()
            presses = trials[trials["press"] > 0]["option"].value_counts()
            # the readout's parts are recorded: p_go is exploration plus the sigmoid
            np.testing.assert_allclose(
                trials["p_go"], trials["epsilon"] + (1 - trials["epsilon"]) * trials["value"],
                rtol=1e-9)
            # the cue's value learnt in training is restored, and extinction shows no cue
            np.testing.assert_allclose(trials["cue_value"], learnt, rtol=1e-9)
            assert presses.get("drug", 0) == test["active"]
            assert presses.get("inactive", 0) == test["inactive"]
            assert len(session.spikes_frame()) > 0 and "da_nac_nM" in session.traces
    assert trainings[1]["final_state"] != trainings[2]["final_state"]
    runs = read_csv(out / "runs.csv")
    for metric in ("extinction_first", "final_da_nM"):
        oxt = [r[metric] for r in sorted(runs, key=lambda r: r["seed"])
               if r["condition"] == "oxt"]
        vehicle = [r[metric] for r in sorted(runs, key=lambda r: r["seed"])
                   if r["condition"] == "vehicle"]
        (row,) = [r for r in read_csv(out / "stats.csv") if r["metric"] == metric]
        assert (row["design"], row["alternative"], row["n_pairs"]) == ("paired", "less", 2)
        differences = np.subtract(oxt, vehicle)
        assert row["difference"] == pytest.approx(differences.mean())
        if np.std(differences) > 0:
            expected = stats.ttest_rel(oxt, vehicle, alternative="less")
            assert row["paired_p"] == pytest.approx(expected.pvalue)
    again = run_spec(write_within_spec(tmp_path), out, workers=0, resume=True)
    assert again.complete and len(store.stored()) == 6  # nothing trained or tested again
