"""Interrupted commands leave a consistent directory that --resume finishes, a numerical
fault in a subject keeps the sessions before it, and one seed gives the same bytes on
one worker or two.

Each run is one FR1 acquisition session of the default experiment's subject: the
behaving circuit's compiled network, shared with the other behaviour tests.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

import circuit
from circuit.experiments import run_spec
from circuit.results.runs import ExperimentDir
from circuit.results.tables import read_csv
from circuit.running.experiment import SESSIONS, TRIALS, UNTIL_FAULT, run_experiment
from circuit.running.watchdog import NumericalFaults

from conftest import REDUCED, ROOT
from test_experiment_runs import PATIENCE, write_spec

DEFAULT = ROOT / "configs" / "default.yaml"
#: Seconds a command is given, once under way, before it is interrupted mid-way.
STARTUP = 3


def _behaviour_config(folder: Path, seeds=(1, 2), **extra) -> Path:
    """The default experiment cut to one group of `seeds` and one FR1 session."""
    path = folder / "experiment.yaml"
    text = {"base": str(DEFAULT), "behaviour": {"schedule": ["fr1_acquisition"]},
            "experiment": {"seeds": list(seeds), "groups": {"a": {}}}, **extra}
    path.write_text(yaml.safe_dump(text, sort_keys=False))
    return path


def _start(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "circuit", *args], cwd=ROOT,
                            start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(condition, process):
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert process.poll() is None, f"exited early: {process.stderr.read()[-2000:]}"
        assert time.monotonic() < deadline, "nothing happened in time"
        time.sleep(0.2)


def _stop(process, signum) -> str:
    """Send `signum` to the command alone (as `kill` or a scheduler would); its stderr."""
    process.send_signal(signum)
    try:
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    return err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_behavioural_run_keeps_finished_subjects_and_resumes(tmp_path, signum):
    config = _behaviour_config(tmp_path)
    out = tmp_path / "out"
    first = out / "subjects" / "a_seed1"
    process = _start("run", str(config), "--out", str(out), "--no-figures")
    _wait_for(lambda: (first / SESSIONS).is_file(), process)
    stamp = (first / SESSIONS).stat().st_mtime_ns
    err = _stop(process, signum)
    assert process.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    assert not list(out.rglob(".*tmp*"))  # no half-written file
    assert not (out / "subjects" / "a_seed2" / SESSIONS).exists() or \
        (out / "subjects" / "a_seed2" / TRIALS).exists()
    resumed = subprocess.run([sys.executable, "-m", "circuit", "--quiet", "run", str(config),
                              "--out", str(out), "--resume", "--no-figures"],
                             cwd=ROOT, capture_output=True, text=True, timeout=PATIENCE)
    assert resumed.returncode == 0, resumed.stderr
    assert (first / SESSIONS).stat().st_mtime_ns == stamp  # not run again
    sessions = read_csv(out / "sessions.csv")
    assert sorted((row["group"], row["seed"]) for row in sessions) == [("a", 1), ("a", 2)]


def test_an_interrupted_session_writes_nothing(tmp_path):
    out = tmp_path / "run"
    process = _start("run", str(REDUCED), "--out", str(out))
    while "circuit: running" not in process.stderr.readline():  # under way, handlers set
        assert process.poll() is None
    time.sleep(STARTUP)  # generating or simulating: all the same
    assert process.poll() is None
    err = _stop(process, signal.SIGTERM)
    assert process.returncode == 130, err
    assert "nothing was written" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no DIR, no temporary beside it


def test_a_terminated_experiment_keeps_its_stored_runs_and_resumes(tmp_path):
    spec = write_spec(tmp_path, seeds=[1, 2, 3])
    out = tmp_path / "out"
    process = _start("experiment", str(spec), "--out", str(out), "--workers", "1")
    store = ExperimentDir(out)
    _wait_for(lambda: len(store.stored()) >= 1, process)
    err = _stop(process, signal.SIGTERM)
    assert process.returncode == 130, err
    assert "--resume" in err
    first = store.stored()
    assert 1 <= len(first) <= 3
    assert not list((out / "runs").glob(".*"))
    result = run_spec(spec, out, workers=0, resume=True)
    assert result.complete
    runs = read_csv(out / "runs.csv")
    assert sorted(r["seed"] for r in runs) == [1, 2, 3]
    assert len({r["key"] for r in runs}) == 3


def test_a_fault_in_a_session_keeps_the_sessions_before_it_and_the_other_subjects(tmp_path):
    """One group's second session has a stress drive far too strong: its VTA DA neurons
    run away; the other group finishes. Run in this process and in two Dask workers
    (`circuit run --workers 2`): the same fault, the same bytes."""
    overdriven = tmp_path / "overdriven.yaml"
    overdriven.write_text(f"base: {ROOT / 'configs' / 'protocols' / 'reinstatement_stress.yaml'}\n"
                          "stress: 10000 pA\nstress_duration: 5 s\n")
    path = _behaviour_config(tmp_path, seeds=[1])
    config = circuit.load_config(path)
    config.experiment = {"seeds": [1], "groups": {
        "over": {"behaviour.schedule": ["fr1_acquisition", str(overdriven)]},
        "calm": {"behaviour.schedule": ["fr1_acquisition"]}}}
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        with pytest.raises(NumericalFaults) as caught:
            run_experiment(config, out, progress=False, workers=workers)
        (fault,) = caught.value.faults
        assert (fault.population, fault.variable) == ("vta_da", "rate")
        assert "subject over_seed1, session 1" in str(caught.value)
        folder = out / "subjects" / "over_seed1"
        assert not (folder / SESSIONS).exists()  # unfinished
        kept = read_csv(folder / UNTIL_FAULT.format(SESSIONS))
        assert [row["session"] for row in kept] == [0]
        assert read_csv(folder / UNTIL_FAULT.format(TRIALS))
        assert json.loads((folder / "fault.json").read_text())["population"] == "vta_da"
        assert [row["group"] for row in read_csv(out / "subjects.csv")] == ["calm"]
    for name in (UNTIL_FAULT.format(TRIALS), UNTIL_FAULT.format(SESSIONS)):
        path = Path("subjects") / "over_seed1" / name
        assert (tmp_path / "out1" / path).read_bytes() == (tmp_path / "out2" / path).read_bytes()
    for name in (TRIALS, SESSIONS):
        assert (tmp_path / "out1" / name).read_bytes() == (tmp_path / "out2" / name).read_bytes()


def test_one_seed_gives_the_same_bytes_on_one_worker_or_two(tmp_path):
    spec = write_spec(tmp_path, seeds=[1, 2])
    one, two = tmp_path / "one", tmp_path / "two"
    assert run_spec(spec, one, workers=1).complete
    assert run_spec(spec, two, workers=2).complete
    keys = ExperimentDir(one).stored()
    assert keys == ExperimentDir(two).stored() and len(keys) == 2
    for key in keys:
        for name in (TRIALS, SESSIONS):
            a = (one / "runs" / key / name).read_bytes()
            assert a == (two / "runs" / key / name).read_bytes(), f"{key}/{name}"
