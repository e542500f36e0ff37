"""A config's experiment block (groups x seeds) as a plan of the one experiment engine:
validation up front, keys, resuming, refused flags."""

from __future__ import annotations

import pytest

import circuit
from circuit import cli
from circuit.analysis.behaviour import SESSION_COLUMNS, TRIAL_COLUMNS
from circuit.experiments import plan_config, run_config
from circuit.results.runs import ExperimentDir
from circuit.results.tables import read_csv

from conftest import ROOT

DEFAULT = ROOT / "configs" / "default.yaml"


def test_default_experiment_is_a_plan_of_every_group_and_seed():
    config = circuit.load_config(DEFAULT)
    plan = plan_config(config)
    assert [(r.cell.condition, r.seed) for r in plan.runs] == [
        (group, seed) for group in ("drug", "drug_oxt") for seed in (1, 2, 3)]
    oxt = [r.config["interventions"]["oxt"]["given"] for r in plan.runs]
    assert oxt == [False] * 3 + [True] * 3
    assert len({r.key for r in plan.runs}) == 6  # keys from the resolved configs
    assert plan.contrasts == [("drug_oxt", "drug")]  # every group against the first


def test_a_config_without_an_experiment_block_is_one_subject_of_its_seed():
    config = circuit.load_config(DEFAULT, seed=7)
    config.experiment = None
    plan = plan_config(config)
    assert [(r.cell.condition, r.seed) for r in plan.runs] == [("subject", 7)]


def _experiment(tmp_path, groups: str):
    path = tmp_path / "experiment.yaml"
    path.write_text(f"base: {DEFAULT}\nexperiment:\n  seeds: [1, 2]\n  groups:\n{groups}")
    return circuit.load_config(path)


def test_a_bad_group_override_is_named(tmp_path):
    config = _experiment(tmp_path, "    ok: {}\n    bad: {interventions.oxt.dose: 1 mV}\n")
    with pytest.raises(circuit.ConfigError, match=r"experiment.groups.bad: interventions.oxt.dose"):
        plan_config(config)


def test_a_bad_protocol_in_the_schedule_is_named_by_check_as_by_run(tmp_path, capsys):
    config = _experiment(tmp_path, "    g: {behaviour.schedule: [extinction, nope]}\n")
    with pytest.raises(circuit.ConfigError, match="no protocol 'nope'"):
        plan_config(config)
    path = tmp_path / "typo.yaml"
    path.write_text(f"base: {DEFAULT}\nbehaviour:\n  schedule: [extinction, nope]\n")
    for command in (["check", str(path)], ["run", str(path), "--out", str(tmp_path / "o")]):
        assert cli.main(command) == cli.BAD_INPUT
        assert "no protocol 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_check_prints_a_configs_experiment_block(tmp_path, capsys, caplog):
    path = tmp_path / "groups.yaml"
    path.write_text(f"base: {DEFAULT}\nexperiment:\n  seeds: [1, 2]\n  groups:\n    a: {{}}\n")
    caplog.set_level("INFO", logger="circuit")
    assert cli.main(["check", str(path), "--set", "experiment.seeds=[4, 5, 6]"]) == 0
    printed = capsys.readouterr()
    assert "experiment:\n  seeds:\n  - 4\n  - 5\n  - 6\n" in printed.out
    assert "3 runs (1 group x 3 seeds)" in caplog.text


def test_check_validates_a_spec_and_prints_its_plan(tmp_path, capsys, caplog):
    path = tmp_path / "spec.yaml"
    spec = (f"base: {DEFAULT}\nseeds: 3\ntrain: [fr1_acquisition]\n"
            "tests:\n  saline: {}\n  oxt: {interventions.oxt.given: on}\n"
            "contrasts: [[oxt, saline, lower]]\n")
    path.write_text(spec)
    caplog.set_level("INFO", logger="circuit")
    assert cli.main(["check", str(path)]) == 0
    printed = capsys.readouterr()
    assert "6 runs (2 conditions x 3 seeds, 3 trainings), paired design" in caplog.text
    assert "- oxt vs saline, predicted lower" in printed.out
    path.write_text(spec.replace("interventions.oxt.given: on", "interventions.oxt.dose: 1 mV"))
    assert cli.main(["check", str(path)]) == cli.BAD_INPUT
    assert "tests.oxt: interventions.oxt.dose" in capsys.readouterr().err


def test_stored_runs_are_not_rerun_and_the_tables_are_combined(tmp_path):
    """Every run already in the store: nothing is simulated, the tables are combined."""
    config = _experiment(tmp_path, "    a: {}\n")
    out = tmp_path / "run"
    plan = plan_config(config)
    with ExperimentDir(out) as store:
        for run in plan.runs:
            rows = [{"group": "a", "seed": run.seed, "session": k, "protocol": "extinction",
                     "phase": "extinction", "active": 5 - k, "inactive": 0} for k in range(3)]
            store.write(run.key, {"condition": "a", "seed": run.seed, "extinction_slope": -1.0,
                                  "builds": 0, "replays": 0, "compiles": 0},
                        {"sessions.csv": (rows, SESSION_COLUMNS),
                         "trials.csv": ([], TRIAL_COLUMNS)})
    result = run_config(config, out, resume=True, figures=False)
    assert result.complete and len(read_csv(out / "sessions.csv")) == 6
    assert [row["extinction_slope"] for row in read_csv(out / "runs.csv")] == [-1.0, -1.0]
    loaded = circuit.results.load(out)  # the directory `make run` writes loads too
    assert isinstance(loaded, circuit.results.ExperimentResults)
    assert list(zip(loaded.runs["condition"], loaded.runs["seed"])) == [("a", 1), ("a", 2)]
    assert len(loaded.sessions) == 6 and loaded.source["experiment"]["seeds"] == [1, 2]
    assert loaded.sessions.groupby("seed")["active"].sum().to_dict() == {1: 12, 2: 12}
    assert "2 runs of a" in repr(loaded)


def test_resume_refuses_a_directory_of_another_experiment(tmp_path):
    config = _experiment(tmp_path, "    a: {}\n")
    out = tmp_path / "run"
    with ExperimentDir(out) as store:
        store.write("0123456789abcdef", {"seed": 1}, {})
    with pytest.raises(FileExistsError, match="not part of this spec"):
        run_config(config, out, resume=True)


@pytest.mark.parametrize("flags, named", [
    (["--seed", "5"], "--seed: "),
    (["--restore", "x"], "--restore: every subject of a behavioural experiment starts naive"),
    (["--elapsed", "1 day"], "--elapsed: "),
    (["--workers", "-1"], "--workers: must be 0 or more"),
    (["--resume", "--overwrite"], "--resume and --overwrite"),
])
def test_flags_that_cannot_act_on_an_experiment_are_refused(tmp_path, capsys, flags, named):
    out = tmp_path / "out"
    status = cli.main(["run", str(DEFAULT), "--out", str(out), *flags])
    assert status == cli.BAD_INPUT and named in capsys.readouterr().err
    assert not out.exists()
