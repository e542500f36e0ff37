"""Experiment specs, statistics and the report pipeline, without simulating.

The pipeline tests replace the simulation of one run by a function of its config, so the
spec -> runs -> statistics -> figures -> report chain is checked in seconds; the real
thing runs in test_experiment_runs.py.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

import circuit
from circuit.analysis.statistics import bootstrap_ci, contrast_table, hedges_g, paired
from circuit.experiments import run_spec
from circuit.results.runs import DirectoryBusy, ExperimentDir
from circuit.results.tables import read_csv
from circuit.experiments import execute as execute_module
from circuit.experiments.plan import make_plan, read_plan

from conftest import ROOT

BASE = str(ROOT / "configs" / "default.yaml")


def spec(**changes) -> dict:
    base = {"base": BASE, "seeds": 3, "conditions": {"drug": {}, "drug_oxt": {
        "interventions.oxt.given": True, "interventions.oxt.dose": "1 mg/kg"}},
        "contrasts": [["drug_oxt", "drug"]], "metrics": ["breakpoint"]}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def problems(**changes) -> str:
    with pytest.raises(circuit.ConfigError) as err:
        make_plan(spec(**changes), ROOT)
    return str(err.value)


def test_a_spec_resolves_every_condition_and_seed():
    plan = make_plan(spec(), ROOT)
    assert [(r.cell.condition, r.seed) for r in plan.runs] == [
        (c, s) for c in ("drug", "drug_oxt") for s in (1, 2, 3)]
    assert len({r.key for r in plan.runs}) == 6
    assert [r.config["interventions"]["oxt"]["given"] for r in plan.runs] == [False] * 3 + [True] * 3
    again = make_plan(spec(), ROOT)
    assert [r.key for r in again.runs] == [r.key for r in plan.runs]  # keys are stable


def test_a_sweep_crosses_its_keys_with_every_condition():
    plan = make_plan(spec(seeds=[4, 5], sweep={"receptors.heteromer_fold": [1, 2, 4],
                                               "interventions.oxt.dose": ["0.3 mg/kg", "1 mg/kg"]}),
                     ROOT)
    assert len(plan.cells) == 2 * 3 * 2 and len(plan.runs) == 24
    folds = [float(r.config["receptors"]["heteromer_fold"]) for r in plan.runs[:12:2]]
    assert folds == [1, 1, 2, 2, 4, 4]
    assert plan.cells[1].name == ("drug [receptors.heteromer_fold=1, "
                                  "interventions.oxt.dose=1 mg/kg]")


@pytest.mark.parametrize("changes, message", [
    ({"seed": 3}, "seed: unknown spec key"),
    ({"seeds": 0}, "seeds: expected a count"),
    ({"seeds": [1, 1]}, "seeds: expected a count"),
    ({"metrics": ["breakpoint", "brakepoint"]}, "metrics[1]: unknown metric 'brakepoint'"),
    ({"contrasts": [["drug_oxt", "vehicle"]]}, "contrasts[0]: no condition 'vehicle'"),
    ({"contrasts": [["drug", "drug"]]}, "contrasts[0]: compares 'drug' with itself"),
    ({"sweep": {"receptors.heteromer_fold": 2}}, "sweep.receptors.heteromer_fold: expected a "
                                                 "non-empty list"),
    ({"conditions": {"drug": {"interventions.oxt.dose": "1 mV"}, "drug_oxt": {}}},
     "conditions.drug: interventions.oxt.dose"),
    ({"sweep": {"receptors.heteromer_fold": [1, 1000]}},
     "receptors.heteromer_fold=1000]: receptors.heteromer_fold"),
    ({"set": {"behaviour.schedule": ["fr1_acquisition"]}},
     "metric 'breakpoint' needs a progressive_ratio session"),
    ({"base": None}, "base: missing"),
    ({"contrasts": [["drug_oxt", "drug", "smaller"]]}, "contrasts[0]: the prediction must be"),
    ({"contrasts": [["drug_oxt", "drug", "same"]]}, "contrasts[0]: 'same' needs a margin"),
    ({"contrasts": [["drug_oxt", "drug", "lower", 2]]}, "contrasts[0]: only 'same' takes"),
    ({"train": ["fr1_acquisition"]}, "tests: expected a mapping"),
    ({"tests": {"a": {}}}, "train: expected a list of protocols"),
    ({"train": ["fr1_acquisition", "nope"], "tests": {"a": {}}, "conditions": None},
     "train: behaviour.schedule[1] (nope): no protocol 'nope'"),
    ({"train": ["fr1_acquisition"], "tests": {"a": {}}},
     "conditions: a within-subject spec (train, tests) names its test conditions under tests"),
    ({"train": ["fr1_acquisition"], "tests": {"a": None}, "conditions": None,
      "contrasts": None}, "tests.a: expected a mapping"),
    ({"contrasts": [["drug_oxt", "drug", ["lower"]]]}, "contrasts[0]: expected condition names"),
    ({"contrasts": [[["drug_oxt"], "drug"]]}, "contrasts[0]: expected condition names"),
    ({"contrasts": [["drug_oxt", "drug", "same", 0.5]]}, "'same' (an equivalence test) needs"),
    ({"train": ["fr1_acquisition"], "conditions": None, "contrasts": None,
      "tests": {"a": {"behaviour.schedule": ["extinction"], "network.scale": 0.2}}},
     "tests.a: changes the network"),
    ({"train": ["fr1_acquisition"], "tests": {"a": {}}, "conditions": None, "paired": False,
      "contrasts": None}, "paired: expected true or false"),
])
def test_a_bad_spec_is_rejected_naming_the_key(changes, message):
    assert message in problems(**changes)


def test_a_model_config_given_as_a_spec_says_so_in_one_line():
    with pytest.raises(circuit.config.ConfigError) as caught:
        read_plan(ROOT / "configs" / "default.yaml")
    (problem,) = caught.value.problems
    assert "is a model config, not an experiment spec" in problem and "circuit run" in problem


def test_a_spec_not_found_names_circuits_own_specs(tmp_path):
    with pytest.raises(circuit.config.ConfigError) as caught:
        read_plan(tmp_path / "nothere.yaml")
    (problem,) = caught.value.problems
    assert "experiment spec not found" in problem and "experiments/heteromer" in problem
    assert read_plan("experiments/heteromer").runs  # the name it gives is one that works


def test_the_config_loader_knows_every_key_only_a_spec_has():
    from circuit.config.loader import SPEC_ONLY_KEYS
    from circuit.experiments.plan import SPEC_KEYS

    assert SPEC_ONLY_KEYS <= SPEC_KEYS and not SPEC_ONLY_KEYS & set(circuit.config.schema())


def test_a_within_subject_spec_trains_once_per_seed_and_keys_tests_by_their_training():
    within = {"train": ["fr1_acquisition", "fr1_acquisition"], "conditions": None,
              "tests": {"vehicle": {"behaviour.schedule": ["progressive_ratio"]},
                        "oxt": {"behaviour.schedule": ["progressive_ratio"],
                                "interventions.oxt.given": "on"}},
              "contrasts": [["oxt", "vehicle", "lower"]], "metrics": ["breakpoint"]}
    plan = make_plan(spec(**within), ROOT)
    assert plan.design == "paired"
    assert [(t.seed, t.sessions) for t in plan.trainings] == [(1, 2), (2, 2), (3, 2)]
    for run in plan.runs:  # every test of a seed starts from that seed's one training
        assert run.training.seed == run.seed
        assert run.training.config["behaviour"]["schedule"] == ["fr1_acquisition"] * 2
        assert run.config["behaviour"]["schedule"] == ["progressive_ratio"]
    assert len({r.key for r in plan.runs}) == 6
    assert not {r.key for r in plan.runs} & {t.key for t in plan.trainings}
    assert plan.contrasts == [("oxt", "vehicle", "lower", None)]
    assert make_plan(spec(paired=True), ROOT).design == "paired"  # seed-matched groups
    assert make_plan(spec(), ROOT).design == "independent"
    assert "paired: expected true or false" in problems(paired="yes")


def test_a_bad_training_is_reported_once_and_a_training_never_shares_a_run_key():
    bad = {"train": ["nope"], "conditions": None, "contrasts": None,
           "tests": {"a": {}, "b": {}, "c": {}}}
    assert problems(**bad).count("no protocol 'nope'") == 1
    within = {"train": ["fr1_acquisition"], "conditions": None, "contrasts": None,
              "metrics": None, "tests": {"a": {"behaviour.schedule": ["fr1_acquisition"]}}}
    training = make_plan(spec(**within), ROOT).trainings[0]
    plain = make_plan(spec(set={"behaviour.schedule": ["fr1_acquisition"]}, contrasts=None,
                           metrics=None, conditions={"x": {}}), ROOT).runs[0]
    assert training.config.plain == plain.config.plain and training.key != plain.key


def test_a_spec_given_by_its_name_runs_from_any_directory(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(execute_module, "simulate_run", fake_simulation(calls))
    monkeypatch.chdir(tmp_path)
    result = run_spec("configs/experiments/heteromer.yaml", tmp_path / "out", workers=0,
                      figures=False)
    assert result.complete and calls
    assert (tmp_path / "out" / "spec.yaml").read_text() == (
        ROOT / "configs" / "experiments" / "heteromer.yaml").read_text()


def test_overwrite_refuses_a_directory_another_experiment_is_writing(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(execute_module, "simulate_run", fake_simulation(calls))
    out = tmp_path / "out"
    run_spec(write_spec(tmp_path), out, workers=0, figures=False)
    before = sorted(p.name for p in out.iterdir())
    with ExperimentDir(out):  # another experiment holds it
        with pytest.raises(DirectoryBusy):
            run_spec(write_spec(tmp_path), out, workers=0, overwrite=True, figures=False)
    assert sorted(p.name for p in out.iterdir()) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.new")]
    assert run_spec(write_spec(tmp_path), out, workers=0, overwrite=True, figures=False).complete


def test_paired_statistics_match_scipy():
    a, b = [5.0, 7, 6, 9, 8, 7], [4.0, 6, 6, 7, 5, 6]
    row = paired(a, b, "greater", margin=None)
    d = np.subtract(a, b)
    assert row["d_z"] == pytest.approx(d.mean() / d.std(ddof=1))
    assert row["paired_p"] == pytest.approx(stats.ttest_rel(a, b, alternative="greater").pvalue)
    assert row["wilcoxon_p"] == pytest.approx(stats.wilcoxon(a, b, alternative="greater").pvalue)
    assert row["d_z_low"] < row["d_z"] < row["d_z_high"]
    mean_sd = (np.std(a, ddof=1) + np.std(b, ddof=1)) / 2
    assert row["g_av"] == pytest.approx((1 - 3 / (4 * 5 - 1)) * d.mean() / mean_sd)
    close = paired([1.0, 2, 3, 4.1, 5, 6], [1.05, 2, 2.95, 4.0, 5.02, 5.97], margin=0.5)
    bound = 0.5 * np.std(np.subtract([1.0, 2, 3, 4.1, 5, 6], [1.05, 2, 2.95, 4.0, 5.02, 5.97]),
                         ddof=1)
    diffs = np.subtract([1.0, 2, 3, 4.1, 5, 6], [1.05, 2, 2.95, 4.0, 5.02, 5.97])
    expected = max(stats.ttest_1samp(diffs, -bound, alternative="greater").pvalue,
                   stats.ttest_1samp(diffs, bound, alternative="less").pvalue)
    assert close["tost_p"] == pytest.approx(expected)
    runs = [{"condition": c, "seed": s, "m": v} for c, values in (("a", a), ("b", b))
            for s, v in zip(range(6), values)]
    runs.append({"condition": "a", "seed": 99, "m": 100.0})  # unpaired: left out
    (row,) = contrast_table(runs, [("a", "b", "higher", None)], ["m"], [], "paired")
    assert row["n_pairs"] == 6 and row["paired_p"] == pytest.approx(
        stats.ttest_rel(a, b, alternative="greater").pvalue)


def test_hedges_g_and_the_tests_agree_with_scipy():
    a, b = np.array([9.0, 6, 9, 8, 7]), np.array([5.0, 6, 4, 5])
    pooled = np.sqrt((4 * a.var(ddof=1) + 3 * b.var(ddof=1)) / 7)
    assert hedges_g(a, b) == pytest.approx((1 - 3 / (4 * 9 - 9)) * (a.mean() - b.mean()) / pooled)
    runs = ([{"condition": "x", "seed": s, "m": v} for s, v in enumerate(a)]
            + [{"condition": "y", "seed": s, "m": v} for s, v in enumerate(b)]
            + [{"condition": "z", "seed": s, "m": v} for s, v in enumerate(b + 0.5)])
    rows = contrast_table(runs, [("x", "y"), ("z", "y")], ["m"], [])
    welch = stats.ttest_ind(a, b, equal_var=False)
    mann = stats.mannwhitneyu(a, b, alternative="two-sided")
    first = rows[0]
    assert (first["n_a"], first["n_b"]) == (5, 4)
    assert first["difference"] == pytest.approx(a.mean() - b.mean())
    assert first["welch_t"] == pytest.approx(welch.statistic)
    assert first["welch_p"] == pytest.approx(welch.pvalue)
    assert first["mannwhitney_p"] == pytest.approx(mann.pvalue)
    adjusted = stats.false_discovery_control([r["welch_p"] for r in rows], method="bh")
    assert [r["welch_p_bh"] for r in rows] == pytest.approx(list(adjusted))
    assert first["ci_low"] < first["difference"] < first["ci_high"]
    assert first["ci_low"] > 0  # these samples barely overlap


def test_statistics_are_undefined_not_invented_for_too_few_or_tied_values():
    assert math.isnan(hedges_g([1.0], [2.0, 3.0]))
    assert math.isnan(hedges_g([2.0, 2.0], [2.0, 2.0]))
    low, high, method = bootstrap_ci([3.0, 3.0, 3.0], [1.0, 1.0, 1.0])
    assert (low, high) == (2.0, 2.0) and method == "percentile"


def test_differences_equal_but_for_rounding_have_no_spread_to_standardise_by():
    from circuit.analysis.statistics import paired

    # seven pairs differ by -1/3, some computed as -0.33333333333333337: an SD of 1e-17,
    # not 0; resamples of those pairs alone would give d_z near -1e16
    before = [0, 2 / 3] * 3 + [0, 5.0]
    after = [1 / 3, 1.0] * 3 + [1 / 3, 2.0]
    row = paired(before, after)
    assert math.isnan(row["d_z_low"]) and math.isnan(row["d_z_high"])
    assert abs(row["d_z"]) < 1  # the point estimate over the real spread stands
    constant = paired([0, 2 / 3, 0], [1 / 3, 1.0, 1 / 3])  # -1/3 three times, rounded
    assert math.isnan(constant["d_z"]) and constant["paired_p"] == 0.0


def fake_simulation(calls):
    """A stand-in for simulate_run: breakpoint grows with the OXT dose, plus seed noise."""

    def simulate(plain, source, labels, *_, **__):
        calls.append(labels["seed"])
        dose = float(str(plain["interventions"]["oxt"]["dose"]).split()[0])
        given = plain["interventions"]["oxt"]["given"]
        fold = float(plain["receptors"]["heteromer_fold"])
        value = 6 + 2 * dose * given * fold / 4 + 0.3 * (labels["seed"] % 3)
        record = {**labels, "breakpoint": value, "structure": "s", "wall_s": 1.0,
                  "simulate_s": 0.5, "build_s": 0.0, "builds": 0, "replays": 0, "compiles": 0,
                  "worker": "w"}
        return {"record": record, "sessions": [], "trials": []}

    return simulate


def write_spec(tmp_path, **changes):
    import yaml

    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec(**changes), sort_keys=False))
    return path


def test_the_pipeline_writes_runs_stats_figures_and_report(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(execute_module, "simulate_run", fake_simulation(calls))
    path = write_spec(tmp_path, sweep={"receptors.heteromer_fold": [1, 4],
                                       "interventions.oxt.dose": ["0.5 mg/kg", "1 mg/kg"]})
    result = run_spec(path, tmp_path / "out", workers=0)
    runs, table = read_csv(tmp_path / "out" / "runs.csv"), read_csv(tmp_path / "out" / "stats.csv")
    assert len(runs) == 2 * 4 * 3 and len(calls) == 24
    assert list(runs[0])[:5] == ["condition", "receptors.heteromer_fold",
                                 "interventions.oxt.dose", "seed", "cell"]
    assert len(table) == 4  # one contrast x four sweep points x one metric
    header = (tmp_path / "out" / "stats.csv").read_text().splitlines()[0].split(",")
    assert len(header) == len(set(header))  # each column once
    strongest = [r for r in table if r["receptors.heteromer_fold"] == 4
                 and r["interventions.oxt.dose"] == "1 mg/kg"][0]
    assert strongest["difference"] == pytest.approx(2.0)
    figures = sorted(p.name for p in (tmp_path / "out" / "figures").iterdir())
    assert figures == [f"{name}.{fmt}" for name in ("heatmap_breakpoint", "metrics")
                       for fmt in ("pdf", "png", "svg")]
    report = (tmp_path / "out" / "report.md").read_text()
    assert ("| drug_oxt - drug | 4 | 1 mg/kg | breakpoint | independent, two-sided | 3, 3 |"
            in report)
    assert "![heatmap_breakpoint](figures/heatmap_breakpoint.png)" in report
    assert result.complete


def test_resume_runs_only_what_is_missing(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(execute_module, "simulate_run", fake_simulation(calls))
    path = write_spec(tmp_path)
    run_spec(path, tmp_path / "out", workers=0)
    assert len(calls) == 6
    with pytest.raises(FileExistsError, match="--resume"):
        run_spec(path, tmp_path / "out", workers=0)
    store = ExperimentDir(tmp_path / "out")
    lost = store.stored()[:2]
    for key in lost:
        import shutil

        shutil.rmtree(store.folder(key))
    calls.clear()
    run_spec(path, tmp_path / "out", workers=0, resume=True)
    assert len(calls) == 2
    runs = read_csv(tmp_path / "out" / "runs.csv")
    assert sorted((r["condition"], r["seed"]) for r in runs) == sorted(
        (c, s) for c in ("drug", "drug_oxt") for s in (1, 2, 3))


def test_resume_with_another_spec_is_refused_and_writes_nothing(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(execute_module, "simulate_run", fake_simulation(calls))
    out = tmp_path / "out"
    run_spec(write_spec(tmp_path), out, workers=0)
    before = sorted(p.name for p in (out / "runs").iterdir())
    calls.clear()
    other = write_spec(tmp_path, set={"receptors.heteromer_fold": 2})
    with pytest.raises(FileExistsError, match="not part of this spec"):
        run_spec(other, out, workers=0, resume=True)
    with pytest.raises(FileExistsError, match="not part of this spec"):  # other --set values
        run_spec(write_spec(tmp_path), out, workers=0, resume=True,
                 overrides=["receptors.heteromer_fold=2"])
    assert not calls
    assert sorted(p.name for p in (out / "runs").iterdir()) == before
    more = write_spec(tmp_path, seeds=[1, 2, 3, 4])  # a superset: only the new seed runs
    run_spec(more, out, workers=0, resume=True)
    assert sorted(c for c in calls) == [4, 4]


def test_a_failed_run_is_reported_and_the_others_are_kept(tmp_path, monkeypatch):
    good = fake_simulation([])

    def flaky(plain, source, labels, *_, **__):
        if labels["seed"] == 2 and labels["condition"] == "drug":
            raise RuntimeError("simulated crash")
        return good(plain, source, labels)

    monkeypatch.setattr(execute_module, "simulate_run", flaky)
    result = run_spec(write_spec(tmp_path), tmp_path / "out", workers=0)
    assert not result.complete and len(result.runs) == 5
    assert "simulated crash" in (tmp_path / "out" / "experiment.log").read_text()


def test_two_experiments_cannot_write_one_directory(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from filelock import FileLock; "
         f"lock = FileLock({str(tmp_path / '.lock')!r}); lock.acquire(); print('held', flush=True); "
         "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(DirectoryBusy, match="another experiment"):
            with ExperimentDir(tmp_path):
                pass
    finally:
        holder.kill()
        holder.wait()
    with ExperimentDir(tmp_path):  # free again once the holder is gone
        pass


def test_an_unreachable_scheduler_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(execute_module, "SCHEDULER_TIMEOUT", "1s")
    with pytest.raises(ConnectionError, match="cannot reach a Dask scheduler at tcp://127.0.0.1:1"):
        run_spec(write_spec(tmp_path), tmp_path / "out", scheduler="tcp://127.0.0.1:1")
    assert not (tmp_path / "out").exists()  # no lock, spec or log left behind
    with pytest.raises(ConnectionError, match="cannot reach a Dask scheduler at nonsense"):
        run_spec(write_spec(tmp_path), tmp_path / "out", scheduler="nonsense")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", ["seeds: !!int abc\n", b"\xff\xfe\x00binary", "a: [1,\n", None])
def test_an_unreadable_spec_is_one_config_error_naming_the_file(tmp_path, content):
    path = tmp_path / "spec.yaml"
    if content is None:
        path.mkdir()  # a directory where the spec should be
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(circuit.ConfigError, match="spec.yaml"):
        read_plan(path)


def test_set_seeds_replaces_a_spec_s_seeds_and_experiment_seeds_is_refused(tmp_path):
    plan = make_plan(spec(), ROOT, overrides=["seeds=[1, 2]", "receptors.heteromer_fold=2"])
    assert plan.seeds == [1, 2] and len(plan.runs) == 4
    assert {r.config["receptors"]["heteromer_fold"] for r in plan.runs} == {2.0}
    with pytest.raises(circuit.ConfigError, match=r"its own seeds \(--set 'seeds=\[1, 2\]'"):
        make_plan(spec(), ROOT, overrides=["experiment.seeds=[1, 2]"])  # was ignored


def test_the_kept_spec_of_a_run_with_set_values_runs_the_same_runs(tmp_path):
    import yaml

    from circuit.experiments.workflow import spec_as_run

    import os

    path = write_spec(tmp_path, base=os.path.relpath(BASE, tmp_path))  # beside the spec
    overrides = ["seeds=[2, 5]", "receptors.heteromer_fold=2", "interventions.oxt.dose=2 mg/kg"]
    plan = read_plan(path, overrides)
    kept = spec_as_run(plan, overrides)
    assert kept.startswith(f"# {path} run with --set 'seeds=[2, 5]'")
    assert yaml.safe_load(kept)["seeds"] == [2, 5]
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "kept.yaml").write_text(kept)
    again = read_plan(tmp_path / "elsewhere" / "kept.yaml")  # no --set: the kept spec alone
    assert [r.key for r in again.runs] == [r.key for r in plan.runs]
    assert spec_as_run(read_plan(path)) == path.read_text()  # without --set: as written


def test_every_mistake_of_a_spec_is_named_at_once_a_shared_one_once():
    text = problems(seeds=[1, 2, 2], metrics=["brakepoint"],
                    set={"behaviour.schedule": ["fr1_acquisition", "nope"]})
    assert "seeds: expected a count" in text  # the bad seeds no longer hide the rest
    assert "metrics[0]: unknown metric 'brakepoint'; did you mean 'breakpoint'?" in text
    # the schedule every condition shares is named once, as theirs, by its list index
    assert text.count("no protocol 'nope'") == 1
    assert "set (or --set, or the base): behaviour.schedule[1] (nope): no protocol" in text


def test_a_spec_s_base_may_name_one_of_circuit_s_own_configs(tmp_path):
    by_name = make_plan(spec(base="default"), tmp_path)  # no default.yaml in tmp_path
    by_path = make_plan(spec(), ROOT)
    assert [r.key for r in by_name.runs] == [r.key for r in by_path.runs]
    with pytest.raises(circuit.ConfigError, match=r"base: config file not found: 'nodefault' "
                                                  r"\(not beside the spec, in "):
        make_plan(spec(base="nodefault"), tmp_path)
