"""Saving and loading run directories: exact round trip, overwrite rules, atomicity."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import circuit.results
from circuit.results import atomic_write_bytes, atomic_write_text, load, save
from circuit.results import store

try:
    from tests.synthetic import make_results
except ImportError:  # tests/ itself on sys.path (pytest's default for a non-package)
    from synthetic import make_results

SHORT_RUN_S = 6.0


@pytest.fixture(scope="module")
def results():
    return make_results(seed=3, duration=SHORT_RUN_S)


def _hidden_entries(parent):
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def assert_same_results(a, b):
    assert a.config == b.config
    assert a.seed == b.seed and isinstance(b.seed, int)
    assert a.sizes == b.sizes
    assert a.phases == b.phases
    assert a.provenance == b.provenance
    assert list(a.spikes) == list(b.spikes)
    for pop, (times, indices) in a.spikes.items():
        loaded_t, loaded_i = b.spikes[pop]
        assert loaded_t.dtype == np.float64 and loaded_i.dtype == np.int32
        np.testing.assert_array_equal(loaded_t, times)
        np.testing.assert_array_equal(loaded_i, indices)
    np.testing.assert_array_equal(b.rate_t, a.rate_t)
    np.testing.assert_array_equal(b.trace_t, a.trace_t)
    assert list(a.rates) == list(b.rates)
    assert list(a.traces) == list(b.traces)
    for key in a.rates:
        np.testing.assert_array_equal(b.rates[key], a.rates[key])
    for key in a.traces:
        np.testing.assert_array_equal(b.traces[key], a.traces[key])


def test_round_trip_keeps_every_field(tmp_path, results):
    target = tmp_path / "run"
    assert save(results, target) == target.absolute()
    files = sorted(p.name for p in target.iterdir())
    assert files == sorted(store.FILES + ((store.STATE_FILE,) if results.state else ()))
    assert sorted(json.loads((target / "manifest.json").read_text())["files"]) == files
    assert_same_results(results, load(target))
    assert _hidden_entries(tmp_path) == []


def test_the_manifest_lists_the_state_of_a_run_that_has_one(tmp_path, reduced_results):
    target = save(reduced_results, tmp_path / "run")
    listed = json.loads((target / "manifest.json").read_text())["files"]
    assert store.STATE_FILE in listed and (target / store.STATE_FILE).is_file()
    assert sorted(listed) == sorted(p.name for p in target.iterdir())


def test_files_are_readable_without_the_package(tmp_path, results):
    target = save(results, tmp_path / "run")
    with np.load(target / "spikes.npz") as spikes:
        assert spikes["vta_da.t"].dtype == np.float64
        assert spikes["vta_da.i"].dtype == np.int32
        assert spikes["vta_da.t"].size == results.spikes["vta_da"][0].size
    with np.load(target / "traces.npz") as traces:
        assert set(traces.files) == {"t", *results.traces}
    phases = json.loads((target / "phases.json").read_text())
    assert [p["name"] for p in phases] == ["baseline", "challenge", "washout"]
    assert phases[-1]["stop"] == pytest.approx(SHORT_RUN_S)
    assert json.loads((target / "sizes.json").read_text())["nac_d1"] == 200
    assert (target / "config.yaml").read_text().startswith("seed: 3\n")  # order kept


def test_empty_spike_trains_and_empty_existing_directory(tmp_path, results):
    results.spikes["pvn_oxt"] = (np.empty(0), np.empty(0, dtype=np.int64))
    target = tmp_path / "run"
    target.mkdir()  # an empty directory may be written into without overwrite
    save(results, target)
    times, indices = load(target).spikes["pvn_oxt"]
    assert times.size == 0 and indices.dtype == np.int32


def test_refuses_to_overwrite_without_flag(tmp_path, results):
    target = save(results, tmp_path / "run")
    (target / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="--overwrite"):
        save(results, target)
    assert (target / "keep.txt").read_text() == "mine"
    assert _hidden_entries(tmp_path) == []


def test_overwrite_replaces_the_whole_directory(tmp_path, results):
    target = save(results, tmp_path / "run")
    (target / "figure.png").write_bytes(b"old")
    other = make_results(seed=4, duration=SHORT_RUN_S)
    save(other, target, overwrite=True)
    assert not (target / "figure.png").exists()
    assert_same_results(other, load(target))
    assert _hidden_entries(tmp_path) == []


def test_failure_while_writing_leaves_nothing(tmp_path, results, monkeypatch):
    def broken_savez(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        save(results, tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


def test_failure_while_overwriting_keeps_the_old_run(tmp_path, results, monkeypatch):
    target = save(results, tmp_path / "run")
    monkeypatch.setattr(np, "savez", lambda *a, **k: (_ for _ in ()).throw(OSError("boom")))
    with pytest.raises(OSError, match="boom"):
        save(make_results(seed=9, duration=SHORT_RUN_S), target, overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert_same_results(results, load(target))


def test_failed_final_rename_restores_the_old_run(tmp_path, results, monkeypatch):
    target = save(results, tmp_path / "run")
    real_rename = os.rename

    def rename(src, dst):
        if ".tmp-" in os.fspath(src):
            raise OSError("rename failed")
        return real_rename(src, dst)

    monkeypatch.setattr(store.os, "rename", rename)
    with pytest.raises(OSError, match="rename failed"):
        save(make_results(seed=9, duration=SHORT_RUN_S), target, overwrite=True)
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert_same_results(results, load(target))


def test_load_names_what_is_missing(tmp_path, results):
    with pytest.raises(FileNotFoundError, match="no run directory"):
        load(tmp_path / "absent")
    target = save(results, tmp_path / "run")
    (target / "traces.npz").unlink()
    with pytest.raises(FileNotFoundError, match="traces.npz"):
        load(target)


def test_load_rejects_corrupt_files(tmp_path, results):
    target = save(results, tmp_path / "run")
    (target / "phases.json").write_text("{not json")
    with pytest.raises(ValueError, match="phases.json"):
        load(target)
    target = save(results, tmp_path / "run2")
    (target / "rates.npz").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="rates.npz"):
        load(target)


def test_atomic_writes_replace_and_leave_no_temporaries(tmp_path):
    path = tmp_path / "sub" / "summary.json"
    atomic_write_text(path, "first")
    atomic_write_text(path, "second")
    assert path.read_text() == "second"
    atomic_write_bytes(tmp_path / "x.bin", b"\x00\x01")
    assert (tmp_path / "x.bin").read_bytes() == b"\x00\x01"
    assert _hidden_entries(tmp_path) == [] and _hidden_entries(path.parent) == []


def test_atomic_write_failure_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "summary.json"
    atomic_write_text(path, "old")
    monkeypatch.setattr(store.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("no")))
    with pytest.raises(OSError):
        atomic_write_text(path, "new")
    assert path.read_text() == "old"
    assert _hidden_entries(tmp_path) == []


def test_results_load_and_read_without_brian2_and_print_in_one_line(tmp_path, reduced_results):
    circuit.results.save(reduced_results, tmp_path / "run")
    script = ("import sys, circuit.results as r; x = r.load(sys.argv[1]); "
              "assert 'brian2' not in sys.modules and 'sympy' not in sys.modules, 'brian2'; "
              "print(repr(x))")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "run")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    text = done.stdout.strip()
    assert text.startswith("Results(seed 1, ") and "\n" not in text and len(text) < 400


def test_trial_events_are_saved_and_older_directories_still_load(tmp_path, results):
    from dataclasses import replace

    events = {"t": np.array([0.5, 1.5]), "press": np.array([[1, 0, 0], [0, 0, 0]]),
              "p_go": np.array([[0.7, 0.1, 0.0], [0.2, 0.1, 0.0]])}
    save(replace(results, decisions=events), tmp_path / "run")
    loaded = load(tmp_path / "run")
    assert sorted(loaded.decisions) == ["p_go", "press", "t"]
    for name, values in events.items():
        np.testing.assert_array_equal(loaded.decisions[name], values)
    older = tmp_path / "v1"  # a directory of format version 1: no decisions.npz
    save(results, older)
    (older / store.DECISIONS_FILE).unlink()
    manifest = json.loads((older / store.MANIFEST_FILE).read_text())
    manifest["format_version"] = 1
    (older / store.MANIFEST_FILE).write_text(json.dumps(manifest))
    assert load(older).decisions == {}
    manifest["format_version"] = 99
    (older / store.MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="this code reads 1, 2"):
        load(older)
