"""Outputs: an unwritable or full disk gives one clear error and leaves nothing half-written;
an existing directory is never mixed with new results."""

from __future__ import annotations

import errno
import os

import pytest
import yaml

import circuit
from circuit import cli
from circuit.experiments import plan_config
from circuit.results import store
from circuit.results.runs import ExperimentDir
from conftest import REDUCED, ROOT

DEFAULT = ROOT / "configs" / "default.yaml"


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if the command gets as far as simulating."""
    def refuse(*args, **kwargs):
        raise AssertionError("simulated before checking the output")
    monkeypatch.setattr("circuit.running.simulate.run", refuse)


@pytest.fixture
def canned_run(monkeypatch, reduced_results):
    """`circuit run` returns the reduced network's results without simulating again."""
    monkeypatch.setattr("circuit.running.simulate.run", lambda *a, **k: reduced_results)


def test_an_output_below_a_file_is_refused_before_simulating(tmp_path, capsys, no_simulation):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    status = cli.main(["run", str(REDUCED), "--out", str(blocker / "run")])
    assert status == cli.NOT_WRITABLE
    err = capsys.readouterr().err
    assert str(blocker) in err and "a file, not a directory" in err and "Traceback" not in err


def test_an_output_inside_proc_is_refused_without_a_traceback(capsys, no_simulation):
    """/proc refuses new files with ENOENT, not a permission error: still exit 5."""
    if not os.path.isdir("/proc/self"):
        pytest.skip("no /proc here")
    status = cli.main(["run", str(REDUCED), "--out", "/proc/circuit-results/run"])
    assert status == cli.NOT_WRITABLE
    err = capsys.readouterr().err
    assert "cannot write /proc" in err and "Traceback" not in err


def test_a_read_only_place_is_refused_before_simulating(capsys, no_simulation):
    target = "/sys/circuit-results"  # sysfs: read-only even for root
    try:
        os.mkdir(target)
    except OSError:
        pass
    else:
        os.rmdir(target)
        pytest.skip("/sys is writable here")
    status = cli.main(["run", str(REDUCED), "--out", target])
    assert status == cli.NOT_WRITABLE
    assert "/sys" in capsys.readouterr().err
    assert not os.path.exists(target)


def test_a_full_disk_fails_cleanly_and_keeps_the_previous_run(tmp_path, capsys, monkeypatch,
                                                             canned_run):
    out = tmp_path / "run"
    assert cli.main(["--quiet", "run", str(REDUCED), "--out", str(out), "--no-figures"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def full(path, arrays):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    monkeypatch.setattr(store, "_write_npz", full)
    status = cli.main(["--quiet", "run", str(REDUCED), "--out", str(out), "--overwrite",
                       "--no-figures"])
    assert status == cli.NOT_WRITABLE
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary left beside it


def test_an_atomic_file_write_that_fails_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "table.csv"
    store.atomic_write_text(path, "old\n")

    def full(fd):  # some file systems report a full disk only when flushing
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError):
        store.atomic_write_text(path, "new\n")
    monkeypatch.undo()
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def _experiment_config(folder, seeds):
    path = folder / "experiment.yaml"
    path.write_text(yaml.safe_dump({"base": str(DEFAULT),
                                    "experiment": {"seeds": seeds, "groups": {"a": {}}}}))
    return path


def test_resume_with_another_config_is_refused_and_names_the_difference(tmp_path, capsys,
                                                                        no_simulation):
    config = _experiment_config(tmp_path, [1, 2])
    out = tmp_path / "out"
    resolved = circuit.load_config(config)
    text = yaml.safe_dump({**resolved.plain, "experiment": resolved.experiment}, sort_keys=False)
    with ExperimentDir(out) as store:  # a run of the config as it was
        store.write(plan_config(resolved).runs[0].key, {"seed": 1}, {})
    (out / "config.yaml").write_text(text)
    status = cli.main(["run", str(config), "--out", str(out), "--resume",
                       "--set", "plasticity.eta=2 /s"])
    assert status == cli.OUTPUT_TAKEN
    err = capsys.readouterr().err
    assert "plasticity.eta" in err and "not part of this spec" in err
    assert (out / "config.yaml").read_text() == text  # untouched


def test_resume_of_a_directory_without_an_experiment_is_refused(tmp_path, capsys,
                                                                no_simulation):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("someone's notes")
    status = cli.main(["run", str(_experiment_config(tmp_path, [1])), "--out", str(out),
                       "--resume"])
    assert status == cli.OUTPUT_TAKEN
    assert "holds no experiment" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_a_new_experiment_never_writes_into_a_used_directory(tmp_path, capsys, no_simulation):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier work")
    status = cli.main(["run", str(_experiment_config(tmp_path, [1])), "--out", str(out)])
    assert status == cli.OUTPUT_TAKEN
    assert "--resume" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_an_experiment_into_an_unwritable_place_exits_5_before_running(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"base": str(DEFAULT), "seeds": [1], "metrics": ["breakpoint"],
                                    "conditions": {"drug": {}}}))
    status = cli.main(["experiment", str(spec), "--out", str(blocker / "out"), "--workers", "0"])
    assert status == cli.NOT_WRITABLE
    assert str(blocker) in capsys.readouterr().err


def test_a_state_with_nan_weights_cannot_be_restored(tmp_path, reduced_results):
    import dataclasses

    import numpy as np

    from circuit.results.state import StateError, read_state, write_state

    name = next(iter(reduced_results.state.weights))
    weights = {**reduced_results.state.weights, name: np.full(3, np.nan)}
    write_state(dataclasses.replace(reduced_results.state, weights=weights), tmp_path / "s.npz")
    with pytest.raises(StateError, match="numerical fault"):
        read_state(tmp_path / "s.npz")


def test_a_run_still_being_written_is_not_a_stored_run(tmp_path):
    with ExperimentDir(tmp_path / "out") as runs:
        runs.write("finished", {"seed": 1}, {})
        writing = runs.folder(".unfinished.tmp-0123")  # its record is in, the rename is not
        writing.mkdir()
        (writing / "run.json").write_text("{}")
        assert runs.stored() == ["finished"]
        runs.check_holds_only(["finished"])  # the temporary is no foreign run
