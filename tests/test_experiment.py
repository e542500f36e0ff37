"""Experiments (groups x seeds): validation up front, tables, resuming."""

from __future__ import annotations

import pytest

import circuit
from circuit.analysis.behaviour import SESSION_COLUMNS, TRIAL_COLUMNS
from circuit.results.tables import read_csv, write_csv
from circuit.running.experiment import SESSIONS, TRIALS, run_experiment, subjects

from conftest import ROOT

DEFAULT = ROOT / "configs" / "default.yaml"


def test_default_experiment_validates_every_subject():
    config = circuit.load_config(DEFAULT)
    everyone = subjects(config)
    assert [(s.group, s.seed) for s in everyone] == [
        (group, seed) for group in ("drug", "drug_oxt") for seed in (1, 2, 3)]
    oxt = [s.config["interventions"]["oxt"]["given"] for s in everyone]
    assert oxt == [False] * 3 + [True] * 3


def _experiment(tmp_path, groups: str):
    path = tmp_path / "experiment.yaml"
    path.write_text(f"base: {DEFAULT}\nexperiment:\n  seeds: [1, 2]\n  groups:\n{groups}")
    return circuit.load_config(path)


def test_a_bad_group_override_is_named(tmp_path):
    config = _experiment(tmp_path, "    ok: {}\n    bad: {interventions.oxt.dose: 1 mV}\n")
    with pytest.raises(circuit.ConfigError, match=r"experiment.groups.bad: interventions.oxt.dose"):
        subjects(config)


def test_a_bad_protocol_in_the_schedule_is_named(tmp_path):
    config = _experiment(tmp_path, "    g: {behaviour.schedule: [extinction, nope]}\n")
    with pytest.raises(circuit.ConfigError, match="no protocol 'nope'"):
        subjects(config)


def test_finished_subjects_are_not_rerun(tmp_path):
    """Every subject already on disk: nothing is simulated, the tables are combined."""
    config = _experiment(tmp_path, "    a: {}\n")
    out = tmp_path / "run"
    for seed in (1, 2):
        folder = out / "subjects" / f"a_seed{seed}"
        rows = [{"group": "a", "seed": seed, "session": k, "protocol": "extinction",
                 "phase": "extinction", "active": 5 - k, "inactive": 0} for k in range(3)]
        write_csv(folder / SESSIONS, rows, SESSION_COLUMNS)
        write_csv(folder / TRIALS, [], TRIAL_COLUMNS)
    tables = run_experiment(config, out, progress=False)
    assert len(tables["sessions"]) == 6
    metrics = read_csv(out / "subjects.csv")
    assert [row["extinction_slope"] for row in metrics] == [-1.0, -1.0]
