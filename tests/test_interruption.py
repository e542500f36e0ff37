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
import weakref
from types import SimpleNamespace
from pathlib import Path

import pytest
import yaml

import circuit
from circuit import cli, interrupts
from circuit.experiments import plan_config, run_config, run_spec
from circuit.results import atomic_directory, atomic_write_text
from circuit.results.runs import FAULT, UNTIL_FAULT, ExperimentDir
from circuit.results.tables import read_csv
from circuit.running import subject

from conftest import BEHAVIOUR, REDUCED, ROOT
from test_experiment_runs import PATIENCE, write_spec

DEFAULT = ROOT / "configs" / "default.yaml"
SESSIONS, TRIALS = "sessions.csv", "trials.csv"
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
    store = ExperimentDir(out)
    process = _start("run", str(config), "--out", str(out), "--no-figures", "--workers", "0")
    _wait_for(lambda: len(store.stored()) >= 1, process)
    (first,) = store.stored()[:1]
    stamp = (store.folder(first) / SESSIONS).stat().st_mtime_ns
    err = _stop(process, signum)
    assert process.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    assert not list(out.rglob(".*tmp*"))  # no half-written file
    resumed = subprocess.run([sys.executable, "-m", "circuit", "--quiet", "run", str(config),
                              "--out", str(out), "--resume", "--no-figures"],
                             cwd=ROOT, capture_output=True, text=True, timeout=PATIENCE)
    assert resumed.returncode == 0, resumed.stderr
    assert (store.folder(first) / SESSIONS).stat().st_mtime_ns == stamp  # not run again
    sessions = read_csv(out / "sessions.csv")
    assert sorted((row["group"], row["seed"]) for row in sessions) == [("a", 1), ("a", 2)]


def test_an_overwrite_that_is_interrupted_leaves_the_old_directory(tmp_path):
    config = _behaviour_config(tmp_path, seeds=[1, 2, 3])
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("the previous results")
    process = _start("run", str(config), "--out", str(out), "--no-figures", "--workers", "0",
                     "--overwrite")
    new = lambda: [p for p in tmp_path.glob(".out.new-*/runs/*") if (p / "run.json").is_file()]
    _wait_for(lambda: bool(new()), process)
    err = _stop(process, signal.SIGTERM)
    assert process.returncode == 130 and "left as it was" in err, err
    assert [p.name for p in out.iterdir()] == ["old.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["experiment.yaml", "out"]


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


def _swallow_a_sigterm() -> None:
    """A SIGTERM whose KeyboardInterrupt Python swallows: the command line's handler runs
    inside a weakref callback (as when the signal lands in matplotlib's), which prints
    "Exception ignored in ..." and goes on."""
    class Owner:
        pass

    owner = Owner()
    ref = weakref.ref(owner, lambda _: cli._interrupt(signal.SIGTERM, None))
    del owner  # the callback runs here; its KeyboardInterrupt goes no further
    assert ref() is None


@pytest.fixture
def swallowed_sigterm():
    _swallow_a_sigterm()
    yield
    interrupts.clear()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_swallowed_interrupt_still_stops_every_atomic_commit(tmp_path, swallowed_sigterm):
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(tmp_path / "summary.json", "{}")
    with pytest.raises(KeyboardInterrupt):
        with atomic_directory(tmp_path / "run") as directory:
            (directory / "run.json").write_text("{}")
    assert list(tmp_path.iterdir()) == []  # neither the file, the directory, nor a temporary
    interrupts.clear()
    atomic_write_text(tmp_path / "summary.json", "{}")  # a new command writes again
    assert (tmp_path / "summary.json").read_text() == "{}"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_swallowed_interrupt_stops_a_subject_before_its_next_session(monkeypatch):
    # a long schedule (an adolescent subject runs twenty sessions) writes nothing until
    # its end: the stop must not wait for that write
    config = circuit.load_config(BEHAVIOUR, ["behaviour.schedule=[fr1_acquisition, extinction]"])
    simulated = []

    def first_session_stopped(session, progress=False, state=None):
        simulated.append(session.protocol)
        _swallow_a_sigterm()  # the stop lands during the session, and is swallowed
        return SimpleNamespace(state=None, provenance={"timings_s": {}})

    monkeypatch.setattr(subject, "run", first_session_stopped)
    monkeypatch.setattr(subject, "analysis", SimpleNamespace(
        trial_table=lambda *args: [], session_summary=lambda *args: {},
        da_before_drug=lambda *args: None))
    try:
        with pytest.raises(KeyboardInterrupt):
            subject.run_subject(config, {"seed": 1})
        assert simulated == ["fr1_acquisition"]  # the extinction session never started
    finally:
        interrupts.clear()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_command_leaves_no_stop_request_behind(tmp_path, monkeypatch):
    # a script calls the command line, which is stopped (the stop swallowed), then the
    # library: the library writes again
    monkeypatch.setattr(cli, "_dask_settings", lambda args: _During(_swallow_a_sigterm))
    try:
        assert cli.main(["check", str(REDUCED)]) == 0
        atomic_write_text(tmp_path / "summary.json", "{}")
    except KeyboardInterrupt:
        pytest.fail("the command's stop request outlived it: the library refuses to write")
    finally:
        interrupts.clear()
    assert (tmp_path / "summary.json").is_file()


def test_an_ignored_sigint_stays_ignored(monkeypatch):
    # a job started in the background of a script ignores SIGINT: Ctrl-C is not for it
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    seen = []
    note = lambda: seen.append(signal.getsignal(signal.SIGINT))
    monkeypatch.setattr(cli, "_dask_settings", lambda args: _During(note))
    try:
        assert cli.main(["check", str(REDUCED)]) == 0
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen == [signal.SIG_IGN]  # while the command ran, too


class _During:
    """A context, in place of the command's Dask settings, that calls `act` as the
    command starts."""

    def __init__(self, act):
        self.act = act

    def __enter__(self):
        self.act()

    def __exit__(self, *exc):
        return False


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_overwrite_stopped_at_its_swap_leaves_no_new_copy(tmp_path, monkeypatch):
    from circuit.experiments import workflow

    spec = write_spec(tmp_path, seeds=[1])
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("the previous results")
    written = workflow.write_outputs

    def stopped_after_writing(*args, **kwargs):  # the stop lands, swallowed, just before the swap
        result = written(*args, **kwargs)
        _swallow_a_sigterm()
        return result

    monkeypatch.setattr(workflow, "write_outputs", stopped_after_writing)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_spec(spec, out, workers=0, overwrite=True, figures=False)
    finally:
        interrupts.clear()
    assert [p.name for p in out.iterdir()] == ["old.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "spec.yaml"]  # no .out.new-*


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
    (`circuit run --workers 2`): the same fault, the same bytes, exit status 4."""
    overdriven = tmp_path / "overdriven.yaml"
    overdriven.write_text(f"base: {ROOT / 'configs' / 'protocols' / 'reinstatement_stress.yaml'}\n"
                          "stress: 10000 pA\nstress_duration: 5 s\n")
    path = _behaviour_config(tmp_path, seeds=[1])
    config = circuit.load_config(path)
    config.experiment = {"seeds": [1], "groups": {
        "over": {"behaviour.schedule": ["fr1_acquisition", str(overdriven)]},
        "calm": {"behaviour.schedule": ["fr1_acquisition"]}}}
    over = next(run.key for run in plan_config(config).runs if run.cell.condition == "over")
    for workers in (0, 2):
        out = tmp_path / f"out{workers}"
        lines = []  # the progress display is on, as on the command line
        result = run_config(config, out, workers=workers, figures=False,
                            progress=lines.append)
        assert cli._experiment_status(result) == cli.FAULT
        assert any("1 failed" in line and "stopped at a numerical fault" in line
                   for line in lines), lines
        (fault,) = result.faults.values()
        assert (fault["population"], fault["variable"]) == ("vta_da", "rate")
        assert "over seed 1, session 1" in fault["message"]
        folder = out / "runs" / over
        assert not (folder / "run.json").exists()  # unfinished: --resume runs it again
        kept = read_csv(folder / (UNTIL_FAULT + SESSIONS))
        assert [row["session"] for row in kept] == [0]
        assert read_csv(folder / (UNTIL_FAULT + TRIALS))
        assert json.loads((folder / FAULT).read_text())["population"] == "vta_da"
        store = ExperimentDir(out)
        assert store.faulted(over) and store.fault(over)["message"] == fault["message"]
        assert not any(store.faulted(key) for key in store.stored())
        assert [row["condition"] for row in read_csv(out / "runs.csv")] == ["calm"]
    for name in (UNTIL_FAULT + TRIALS, UNTIL_FAULT + SESSIONS):
        path = Path("runs") / over / name
        assert (tmp_path / "out0" / path).read_bytes() == (tmp_path / "out2" / path).read_bytes()
    for name in (TRIALS, SESSIONS):
        assert (tmp_path / "out0" / name).read_bytes() == (tmp_path / "out2" / name).read_bytes()


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


def test_an_interruption_says_whether_anything_was_stored_and_is_logged(tmp_path, capsys):
    from circuit.experiments.workflow import logged_to

    assert cli._interrupted("runs", tmp_path / "runs") == 130
    assert "before any of the runs finished; nothing was stored" in capsys.readouterr().err
    (tmp_path / "runs" / "abc").mkdir(parents=True)
    assert cli._interrupted("runs", tmp_path / "runs") == 130
    assert f"the runs that finished are stored in {tmp_path / 'runs'}" in capsys.readouterr().err
    log = tmp_path / "experiment.log"
    with pytest.raises(KeyboardInterrupt), logged_to(log):
        raise KeyboardInterrupt
    assert "interrupted; the runs stored so far are kept" in log.read_text()


def test_a_local_worker_leaves_ctrl_c_to_the_command():
    """Ctrl-C reaches the whole process group; a worker ignores it (after Brian2, which
    installs its own handler on import), so only the command stops the experiment."""
    code = ("import signal; from circuit.experiments.local_workers import DeafToCtrlC; "
            "DeafToCtrlC().setup(None); print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "True"
