"""The validation scorecard without simulating: the catalogue and its checks, the
statistics of each kind of test, verdicts, knock-out shares, quick mode's plans, and
the whole scorecard on stand-in runs. `test_validation_quick.py` runs the real thing."""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import numpy as np
import pytest
import yaml
from scipy import stats

import circuit
from circuit import cli
from circuit.analysis.statistics import interaction, one_sample, swept_number
from circuit.experiments import execute as execute_module
from circuit.results.state import State
from circuit.validation import merge_validation, run_validation, scoring
from circuit.validation.findings import Criterion, read_catalogue
from circuit.running.provenance import git_commit
from circuit.validation.scorecard import QUICK, plans, run_order
from circuit.validation.scoring import at_one_value, knockout_shares, measure, score, verdict

from conftest import ROOT

VALIDATION = ROOT / "validation"


def rows(groups: dict, metric: str = "m") -> list:
    """runs.csv-like rows: {condition: values}."""
    return [{"condition": c, "seed": k, metric: v} for c, vs in groups.items()
            for k, v in enumerate(vs)]


def test_the_catalogue_has_one_finding_per_science_item_and_every_mechanism():
    catalogue = read_catalogue()
    assert [f.id for f in catalogue.findings] == list(range(1, 13))
    assert list(catalogue.mechanisms) == ["M1", "M2", "M3", "M4", "M5", "VE", "M6", "M7"]
    assert all(f.source and f.observation and f.magnitude for f in catalogue.findings)
    assert {1, 2, 3, 4, 8} <= set(catalogue.sensitivity["findings"])


def test_every_spec_resolves_with_at_least_12_seeds_for_scored_tests():
    catalogue = read_catalogue()
    by_spec = plans(catalogue)
    scored = {t.spec for f in catalogue.findings for t in f.tests}
    assert all(len(by_spec[name].seeds) >= 12 for name in scored)


def test_quick_mode_cuts_schedules_to_one_session_per_phase_on_a_smaller_network():
    by_spec = plans(read_catalogue(), quick=True)
    drug = by_spec["adolescence.yaml"].runs[0].config
    assert drug["behaviour"]["schedule"] == ["adolescence", "fr1_acquisition",
                                             "progressive_ratio", "extinction",
                                             "reinstatement_drug"]
    assert drug["network"]["scale"] == 0.1
    history = [r for r in by_spec["social_choice.yaml"].runs if r.cell.condition == "history"]
    assert history[0].config["behaviour"]["schedule"] == ["fr1_acquisition", "social_training",
                                                          "choice"]
    assert all(plan.seeds == [1, 2] for plan in by_spec.values())


def _broken_catalogue(tmp_path, edit) -> str:
    folder = tmp_path / "validation"
    shutil.copytree(VALIDATION, folder)
    (tmp_path / "configs").symlink_to(ROOT / "configs")  # the specs' base
    data = yaml.safe_load((folder / "findings.yaml").read_text())
    edit(data)
    (folder / "findings.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(circuit.ConfigError) as err:
        plans(read_catalogue(folder))
    return str(err.value)


def test_a_bad_catalogue_is_rejected_naming_the_key(tmp_path):
    def bad(data):
        data["findings"][0]["tests"][0]["metric"] = "brakepoint"
        data["findings"][1]["tests"][0]["expect"] = "smaller"
        data["findings"][2]["spec"] = "missing.yaml"
    message = _broken_catalogue(tmp_path, bad)
    assert "findings[0].tests[0].metric: unknown metric 'brakepoint'" in message
    assert "findings[1].tests[0].expect" in message
    assert "findings[2].spec: no spec file 'missing.yaml'" in message


def test_a_test_naming_a_condition_its_spec_lacks_is_rejected(tmp_path):
    def bad(data):
        data["findings"][0]["tests"][0]["condition"] = "oxytocin"
    message = _broken_catalogue(tmp_path, bad)
    assert "findings[0].tests[0]: no condition 'oxytocin' in daily_acquisition.yaml" in message


def test_one_sample_statistics_match_scipy():
    x = [0.6, 0.7, 0.55, 0.8, 0.65]
    row = one_sample(x, 0.5)
    assert row["p"] == pytest.approx(stats.ttest_1samp(x, 0.5).pvalue)
    assert row["effect"] == pytest.approx((np.mean(x) - 0.5) / np.std(x, ddof=1))
    assert row["effect_low"] < row["effect"] < row["effect_high"]


def test_the_interaction_is_the_two_way_anova_interaction():
    rng = np.random.default_rng(3)
    groups = [rng.normal(mu, 1.0, 8) for mu in (0.0, 2.0, 0.0, 0.0)]
    row = interaction(*groups)
    means = [g.mean() for g in groups]
    assert row["difference"] == pytest.approx(means[0] - means[1] - means[2] + means[3])
    # the same test as OLS with an interaction term: F = t^2 with df (1, N - 4)
    y = np.concatenate(groups)
    a = np.repeat([1, 0, 1, 0], 8)  # condition vs reference
    b = np.repeat([1, 1, 0, 0], 8)  # first pair vs `versus`
    design = np.column_stack([np.ones_like(y), a, b, a * b])
    coef, residual, *_ = np.linalg.lstsq(design, y, rcond=None)
    sigma2 = residual[0] / (len(y) - 4)
    cov = sigma2 * np.linalg.inv(design.T @ design)
    t = coef[3] / math.sqrt(cov[3, 3])
    assert row["t"] == pytest.approx(t)
    assert row["p"] == pytest.approx(2 * stats.t.sf(abs(t), len(y) - 4))


def test_verdicts_need_the_direction_significance_and_the_magnitude():
    lower = Criterion("contrast", "s.yaml", "oxt", "m", "lower", reference="vehicle")
    assert verdict(lower, {"difference": -1.0, "p_bh": 0.01})[0] == "pass"
    assert "wrong direction" in verdict(lower, {"difference": 1.0, "p_bh": 0.01})[1]
    assert "not significant" in verdict(lower, {"difference": -1.0, "p_bh": 0.2})[1]
    assert "not measured" in verdict(lower, {"difference": math.nan, "p_bh": math.nan})[1]
    ranged = Criterion("contrast", "s.yaml", "oxt", "m", "lower", reference="vehicle",
                  ratio=(0.8, 0.85))
    assert verdict(ranged, {"difference": -1.0, "p_bh": 0.01, "ratio": 0.82})[0] == "pass"
    assert "outside" in verdict(ranged, {"difference": -1.0, "p_bh": 0.01, "ratio": 0.95})[1]


def test_a_contrast_measures_means_effect_and_welch_p():
    test = Criterion("contrast", "s.yaml", "oxt", "m", "lower", reference="vehicle")
    data = rows({"oxt": [1, 2, 3, 2], "vehicle": [4, 5, 6, 5]})
    result = measure(test, data)
    assert result["means"] == [2.0, 5.0] and result["difference"] == -3.0
    assert result["p"] == pytest.approx(stats.ttest_ind([1, 2, 3, 2], [4, 5, 6, 5],
                                                        equal_var=False).pvalue)
    assert result["effect"] < 0
    assert result["effect_low"] <= result["effect"] <= result["effect_high"]


def test_knockout_share_is_the_part_of_the_effect_that_goes_without_the_mechanism():
    catalogue = read_catalogue()
    data = {name: [] for name in catalogue.specs}
    data["daily_acquisition.yaml"] = rows({
        "vehicle": [10, 11, 9, 10], "oxt1": [6, 7, 5, 6], "oxt1_no_M1": [8, 9, 7, 8],
        "oxt1_no_M2": [6, 7, 5, 6], "oxt1_antagonist": [10, 10, 9, 11]},
        metric="acquisition_infusions")
    shares = [k for k in knockout_shares(catalogue, data)
              if k["finding"] == 1]
    by_mechanism = {k["mechanism"]: k for k in shares}
    assert by_mechanism["M1"]["share"] == pytest.approx(0.5)  # half the effect gone
    assert by_mechanism["M2"]["share"] == pytest.approx(0.0)
    assert by_mechanism["M1"]["low"] <= 0.5 <= by_mechanism["M1"]["high"]
    assert math.isnan(by_mechanism["M7"]["share"]) and "stress" in by_mechanism["M7"]["note"]
    # the dose and antagonist tests have no knock-outs: no share is reported for them
    assert {k["test"] for k in shares} == {"acquisition_infusions: oxt1 vs vehicle (lower, paired)"}


def test_a_knockout_share_is_the_doses_own_part_where_the_reference_is_knocked_out_too():
    # without M1 the endogenous OXT no longer lowers vehicle's intake (10 -> 11): the
    # dose's effect without M1 is 8 - 11 = -3 of -4, so M1 carries a quarter of it, not
    # the half that the knock-out against vehicle with M1 (8 - 10 = -2) would give
    catalogue = read_catalogue()
    data = {name: [] for name in catalogue.specs}
    data["daily_acquisition.yaml"] = rows({
        "vehicle": [10, 11, 9, 10], "vehicle_no_M1": [11, 12, 10, 11],
        "oxt1": [6, 7, 5, 6], "oxt1_no_M1": [8, 9, 7, 8], "oxt1_no_M2": [6, 7, 5, 6]},
        metric="acquisition_infusions")
    by_mechanism = {k["mechanism"]: k for k in knockout_shares(catalogue, data)
                    if k["finding"] == 1 and k["run"]}
    assert by_mechanism["M1"]["share"] == pytest.approx(0.25)
    assert by_mechanism["M1"]["against"] == "vehicle_no_M1"
    assert by_mechanism["M2"]["share"] == pytest.approx(0.0)  # no vehicle_no_M2: as before
    assert by_mechanism["M2"]["against"] == "vehicle"


def test_knockout_effects_and_share_along_the_resampling_axis():
    from circuit.analysis.statistics import knockout_effects, knockout_share

    treated, without = np.array([[4.0, 6.0], [2.0, 2.0]]), np.array([[7.0, 9.0], [5.0, 5.0]])
    reference, reference_without = np.array([[10.0, 10.0], [8.0, 8.0]]), 10.0
    effect, remaining = knockout_effects(treated, without, reference, reference_without)
    np.testing.assert_allclose(effect, [-5.0, -6.0])  # one value per resample (row)
    np.testing.assert_allclose(remaining, [-2.0, -5.0])
    np.testing.assert_allclose(knockout_share(effect, remaining), [0.6, 1 / 6])
    assert np.isnan(knockout_share(0.0, 0.0)) and knockout_share(-2.0, 1.0) == 1.5


def test_a_paired_knockout_share_resamples_each_subject_whole():
    """Subjects that differ a lot but lose half the OXT effect each without M1: the
    paired interval is the subjects' common share, where resampling conditions apart
    would mix subjects and span zero."""
    catalogue = read_catalogue()
    data = {name: [] for name in catalogue.specs}
    base = [0.0, 20.0, 40.0, 60.0, 5.0, 35.0]
    data["daily_acquisition.yaml"] = rows({
        "vehicle": [b + 10 for b in base], "oxt1": [b + 6 for b in base],
        "oxt1_no_M1": [b + 8 for b in base]}, metric="acquisition_infusions")
    (m1,) = [k for k in knockout_shares(catalogue, data)
             if k["finding"] == 1 and k["mechanism"] == "M1"]
    assert m1["share"] == pytest.approx(0.5)
    assert 0.45 < m1["low"] <= 0.5 <= m1["high"] < 0.55


def test_scores_are_corrected_across_the_scorecard():
    catalogue = read_catalogue()
    data = {name: [] for name in catalogue.specs}
    data["daily_acquisition.yaml"] = rows({"vehicle": [10, 11, 9, 10, 10, 11, 9, 10],
                                           "oxt03": [8, 9, 8, 8, 9, 9, 7, 8],
                                           "oxt1": [6, 7, 5, 6, 6, 7, 5, 5]},
                                          metric="acquisition_infusions")
    scored = score(catalogue, data)
    first = scored[0]["tests"][0]
    assert scored[0]["verdict"] == "pass" and first["p_bh"] >= first["p"]
    assert all(entry["verdict"] == "fail" for entry in scored[1:])  # nothing measured


def stand_in_runs(monkeypatch) -> list:
    """Replace the simulation of every run by a stand-in (OXT lowers acquisition
    infusions, nothing else moves) and each spec's figures by none; the list of the
    groups it is called for."""
    calls = []

    def stand_in(plain, source, labels, *args, **kwargs):
        calls.append(labels["group"])
        oxt = plain["interventions"]["oxt"]  # a resolved config: "1 mg/kg", seed an int
        dose = float(str(oxt["dose"]).split()[0]) if oxt["given"] else 0.0
        seed = plain["simulation"]["seed"]
        metrics = {name: float(seed % 3) for name in circuit.analysis.behaviour.METRICS}
        metrics["acquisition_infusions"] = 10.0 + 0.1 * seed - dose * (4.0 + 0.1 * seed)
        state = State(seed=seed, structure="s", weights={"a": np.ones(3)})
        record = {**labels, **metrics, "structure": "s", "wall_s": 0.0, "simulate_s": 0.0,
                  "build_s": 0.0, "builds": 0, "replays": 0, "compiles": 0, "worker": "test",
                  "final_state": state.digest()}
        if kwargs.get("trained") is not None or len(args) > 1:  # a within-subject test
            record["start_state"] = state.digest()
        out = {"record": record, "sessions": [], "trials": []}
        return {**out, "state": state} if kwargs.get("keep_state") else out

    monkeypatch.setattr(execute_module, "simulate_run", stand_in)
    # each spec's own figures are tested with the experiment engine; here they would be
    # most of the time (13 specs)
    from circuit.plotting import experiment_figures
    monkeypatch.setattr(experiment_figures, "make_experiment_figures", lambda *_, **__: [])
    return calls


def test_the_scorecard_pipeline_on_stand_in_runs(tmp_path, monkeypatch):
    """Every spec runs (a stand-in simulation), the scorecard, its JSON and figures are
    written, a test that holds passes, and --resume reuses every run."""
    calls = stand_in_runs(monkeypatch)
    card = run_validation(tmp_path / "v", quick=True, workers=0)
    runs = [r for p in plans(read_catalogue(), quick=True).values() for r in p.runs]
    distinct = len({r.key for r in runs} | {r.training.key for r in runs if r.training})
    assert len(calls) == distinct
    first = card.findings[0]["tests"][0]  # the stand-in's OXT effect: -4.15 infusions
    assert first["difference"] == pytest.approx(-4.15) and first["verdict"] == "pass"
    assert card.findings[0]["verdict"] == "pass"  # and less of it at 0.3 mg/kg
    assert card.findings[1]["verdict"] == "fail"  # no effect on the breakpoint
    saved = json.loads((tmp_path / "v" / "scorecard.json").read_text())
    assert [f["id"] for f in saved["findings"]] == list(range(1, 13))
    assert {k["mechanism"] for k in saved["knockouts"]} == {*(f"M{k}" for k in range(1, 8)), "VE"}
    first_test = [k for k in saved["knockouts"] if k["finding"] == 1 and k["run"]]
    assert first_test and all(k["effect_resolved"] is True for k in first_test)
    text = (tmp_path / "v" / "scorecard.md").read_text()
    assert "--quick" in text and "| 1 | OXT impairs acquisition" in text
    # the measures are defined, the swept key's default row marked, the cost recorded
    assert "`acquisition_infusions` mean infusions per acquisition session" in text
    assert "| 3 (default) |" in text and "| 10 (default) |" not in text
    assert saved["simulated_s"] == 0.0 and "worker-hours of simulation" in text
    assert saved["overrides"] == list(QUICK["overrides"])  # what --quick itself sets
    assert f"- settings: `{QUICK['overrides'][0]}`" in text and "`--quick`'s reduction" in text
    assert saved["commit"] and f"scored at commit {saved['commit'][:12]}" in text
    assert ("uncommitted changes" in text) == saved["commit"].endswith("-dirty")
    # the specs run each reference without the mechanism: the table says so per share
    assert all(k["against"] == f"vehicle_no_{k['mechanism']}" for k in first_test)
    assert "| `vehicle_no_M3` |" in text
    for name in ("scorecard.png", "knockouts.png", "heteromer_fold.png"):
        assert (tmp_path / "v" / "figures" / name).stat().st_size > 10_000
    assert (tmp_path / "v" / "experiments" / "daily_acquisition" / "stats.csv").is_file()
    calls.clear()
    run_validation(tmp_path / "v", quick=True, workers=0, resume=True)
    assert calls == []
    figure = tmp_path / "v" / "figures" / "scorecard.svg"
    drawn = figure.read_bytes()
    figure.unlink()
    assert cli.main(["plot", str(tmp_path / "v"), "--formats", "svg"]) == 0
    assert figure.read_bytes() == drawn and calls == []  # rescored, nothing simulated
    with pytest.raises(FileExistsError):
        run_validation(tmp_path / "v", quick=True, workers=0)


def test_a_scorecard_in_parts_merges_into_the_full_one(tmp_path, monkeypatch):
    """--findings 1,8: their specs' runs alone, scored alone (said in the scorecard); the
    other findings with the sensitivity in a second part; merged, the two give the full
    run's verdicts and adjusted p-values; a full validation into the first part's
    directory keeps its runs; the sensitivity's own runs come after every finding's."""
    calls = stand_in_runs(monkeypatch)
    catalogue = read_catalogue()
    by_spec = plans(catalogue, quick=True)

    def distinct(names):
        runs = [r for name in names for r in by_spec[name].runs]
        return {r.key for r in runs} | {r.training.key for r in runs if r.training}

    first = ["daily_acquisition.yaml", "heteromer.yaml"]
    card = run_validation(tmp_path / "a", quick=True, workers=0, findings=[1, 8])
    assert len(calls) == len(distinct(first))
    assert [entry["finding"].id for entry in card.findings] == [1, 8]
    assert card.sensitivity == [] and card.findings[0]["verdict"] == "pass"
    text = (tmp_path / "a" / "scorecard.md").read_text()
    assert "partial scorecard" in text and "findings 1, 8 of the 12" in text
    assert "adjusted across the tests of these findings only" in text
    assert json.loads((tmp_path / "a" / "scorecard.json").read_text())["subset"] == [1, 8]
    drawn = tmp_path / "a" / "figures" / "scorecard.svg"
    assert cli.main(["plot", str(tmp_path / "a"), "--formats", "svg"]) == 0
    assert drawn.is_file() and len(calls) == len(distinct(first))  # redrawn, nothing run
    others = [f.id for f in catalogue.findings if f.id not in (1, 8)]
    second = run_validation(tmp_path / "b", quick=True, workers=0, findings=others,
                            sensitivity=True)
    assert second.sensitivity and len(second.findings) == 10

    for part in ("a", "b"):  # merging takes full runs only: make the parts look full
        path = tmp_path / part / "scorecard.json"
        path.write_text(path.read_text().replace('"quick": true', '"quick": false'))
    parts = [tmp_path / "a", tmp_path / "b" / "scorecard.json"]
    merged = merge_validation(parts, tmp_path / "m")
    assert json.loads((tmp_path / "m" / "scorecard.json").read_text())["overrides"] == \
        list(QUICK["overrides"])  # the parts' settings, which their one fingerprint shares
    again = merge_validation([*parts, tmp_path / "a"], tmp_path / "m2")  # an overlap
    assert [e["verdict"] for e in again.findings] == [e["verdict"] for e in merged.findings]
    with pytest.raises(FileExistsError, match="not a merged scorecard"):
        merge_validation(parts, tmp_path / "a")  # a part's own directory
    calls.clear()
    full = run_validation(tmp_path / "a", quick=True, workers=0, resume=True)
    assert len(calls) == len(distinct(by_spec)) - len(distinct(first))
    assert [e["finding"].id for e in merged.findings] == list(range(1, 13))

    def judged(card):  # NaN (not measured) compares as None
        return [(e["verdict"], [(None if math.isnan(t["p_bh"]) else t["p_bh"], t["reason"])
                                for t in e["tests"]]) for e in card.findings]

    assert judged(merged) == judged(full)
    assert [k["effect_resolved"] for k in merged.knockouts] == \
        [k["effect_resolved"] for k in full.knockouts]
    assert len(merged.sensitivity) == len(full.sensitivity)
    text = (tmp_path / "m" / "scorecard.md").read_text()
    assert "Merged from 2 partial runs" in text and "of 12 findings" in text
    assert "Each value is its own experiment (`fold_acquisition.yaml`" in text
    assert cli.main(["plot", str(tmp_path / "m"), "--formats", "svg"]) == 0
    assert (tmp_path / "m" / "figures" / "knockouts.svg").is_file()

    kept = tmp_path / "m" / "parts" / "part1.json"
    other = json.loads((tmp_path / "b" / "scorecard.json").read_text())
    other["fingerprint"]["simulation"] = "another model"
    (tmp_path / "other.json").write_text(json.dumps(other))
    with pytest.raises(circuit.ConfigError, match="not of one model"):
        merge_validation([kept, tmp_path / "other.json"], tmp_path / "n")
    changed = json.loads(kept.read_text())  # finding 1 scored again, with other numbers
    changed["findings"][0]["tests"][0]["means"][0] += 1.0
    changed["failed_runs"] = {"abc": "RuntimeError: the binary failed"}
    (tmp_path / "changed.json").write_text(json.dumps(changed))
    with pytest.raises(circuit.ConfigError, match="finding 1 was scored with other numbers"):
        merge_validation([kept, tmp_path / "changed.json"], tmp_path / "n")
    sided = json.loads(kept.read_text())  # a test scored otherwise than the catalogue
    sided["findings"][0]["tests"][0]["alternative"] = "two-sided"
    (tmp_path / "sided.json").write_text(json.dumps(sided))
    with pytest.raises(circuit.ConfigError, match="alternative differ"):
        merge_validation([tmp_path / "sided.json"], tmp_path / "n")
    failing = merge_validation([tmp_path / "changed.json", tmp_path / "b"], tmp_path / "f")
    assert failing.failed == {"abc": "RuntimeError: the binary failed"}
    assert "1 runs failed" in (tmp_path / "f" / "scorecard.md").read_text()
    with pytest.raises(FileExistsError, match="other simulation code"):
        (tmp_path / "b" / "fingerprint.json").write_text('{"simulation": "older code"}')
        run_validation(tmp_path / "b", quick=True, workers=0, findings=[2], resume=True)
    order = run_order(catalogue, by_spec)
    only_sensitivity = {r.key for r in order} - {r.key for name in by_spec
                                                 if name not in catalogue.sensitivity["specs"]
                                                 for r in by_spec[name].runs}
    start = min(k for k, r in enumerate(order) if r.key in only_sensitivity)
    assert only_sensitivity and all(r.key in only_sensitivity for r in order[start:])
    with pytest.raises(circuit.ConfigError, match="no finding 13"):
        run_validation(tmp_path / "w", quick=True, workers=0, findings=[13])


def test_a_knockout_names_what_its_effect_was_measured_against():
    from circuit.validation.report import _against

    assert _against({"against": "vehicle_no_M3"}) == "`vehicle_no_M3`"
    assert _against({}) == "the test's reference"  # scorecards before it was recorded
    for one_sample in (None, float("nan"), "nan"):
        assert "one-sample" in _against({"against": one_sample})


def test_the_knockout_colour_scale_is_centred_on_a_share_of_zero():
    from matplotlib import colormaps

    from circuit.plotting.validation_figures import SHARE_LIMITS, SHARE_NORM

    assert SHARE_NORM(0.0) == pytest.approx(0.5)  # no share: the map's white centre
    assert SHARE_NORM(SHARE_LIMITS[0]) == pytest.approx(0.0)
    assert SHARE_NORM(SHARE_LIMITS[1]) == pytest.approx(1.0)
    red, green, blue, _ = colormaps["RdBu_r"](SHARE_NORM(0.0))
    assert min(red, green, blue) > 0.9  # white, not the blue of a negative share


def test_a_paired_contrast_matches_runs_by_seed_and_is_one_sided_when_asked():
    # each seed's vehicle value is far from the others', its OXT value a little lower:
    # unpaired the difference is noise, paired it is clear
    vehicle = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    oxt = [v - 2.0 + 0.3 * k % 0.5 for k, v in enumerate(vehicle)]
    data = rows({"oxt": oxt, "vehicle": vehicle})
    data = data[::-1]  # the order of the rows must not matter, only their seeds
    unpaired = measure(Criterion("contrast", "s.yaml", "oxt", "m", "lower",
                                 reference="vehicle"), data)
    two = measure(Criterion("contrast", "s.yaml", "oxt", "m", "lower", reference="vehicle",
                            design="paired"), data)
    one = measure(Criterion("contrast", "s.yaml", "oxt", "m", "lower", reference="vehicle",
                            design="paired", alternative="one-sided"), data)
    assert unpaired["p"] > 0.5 and two["p"] < 0.001
    assert two["p"] == pytest.approx(stats.ttest_rel(oxt, vehicle).pvalue)
    assert one["p"] == pytest.approx(two["p"] / 2)
    assert two["effect"] < 0 and two["n"] == [6, 6]
    # one-sided in the wrong direction: the p-value is large, and the verdict says why
    wrong = measure(Criterion("contrast", "s.yaml", "oxt", "m", "higher",
                              reference="vehicle", design="paired", alternative="one-sided"),
                    data)
    assert wrong["p"] > 0.99


def test_a_paired_contrast_uses_only_seeds_measured_in_both_conditions():
    data = rows({"oxt": [1.0, 2.0, 3.0], "vehicle": [2.0, 3.5, 4.0, 100.0]})
    result = measure(Criterion("contrast", "s.yaml", "oxt", "m", "lower",
                               reference="vehicle", design="paired"), data)
    assert result["n"] == [3, 3] and result["means"][1] == pytest.approx(9.5 / 3)


@pytest.mark.parametrize("design", ["independent", "paired"])
def test_an_equivalence_test_passes_within_its_margin_and_fails_outside(design):
    rng = np.random.default_rng(1)
    vehicle = rng.normal(100.0, 5.0, 16)
    same = Criterion("equivalence", "s.yaml", "pre", "m", "same", reference="vehicle",
                     margin=0.25, design=design)
    near = measure(same, rows({"pre": vehicle + rng.normal(0.0, 2.0, 16), "vehicle": vehicle}))
    far = measure(same, rows({"pre": vehicle * 0.6, "vehicle": vehicle}))
    assert near["bound"] == pytest.approx(0.25 * vehicle.mean())
    assert near["p"] < 0.001 and far["p"] > 0.5
    assert verdict(same, {**near, "p_bh": near["p"]})[0] == "pass"
    assert "not shown within" in verdict(same, {**far, "p_bh": far["p"]})[1]


def test_the_catalogue_checks_designs_margins_and_sidedness(tmp_path):
    folder = tmp_path / "validation"
    shutil.copytree(VALIDATION, folder)
    catalogue = yaml.safe_load((folder / "findings.yaml").read_text())
    catalogue["alternative"] = "one-sided"
    first = catalogue["findings"][0]["tests"][0]
    first.update(design="paired")
    (folder / "findings.yaml").write_text(yaml.safe_dump(catalogue))
    assert read_catalogue(folder).findings[0].tests[0].scipy_alternative == "less"
    first.update(kind="equivalence", expect="same")
    catalogue["findings"][1]["tests"][0].update(design="crossed")
    catalogue["alternative"] = "both"
    (folder / "findings.yaml").write_text(yaml.safe_dump(catalogue))
    with pytest.raises(circuit.ConfigError) as info:
        read_catalogue(folder)
    message = str(info.value)
    assert "findings[0].tests[0].margin" in message
    assert "findings[1].tests[0].design" in message and "alternative: 'both'" in message


def test_a_difference_range_bounds_a_significant_contrast():
    test = Criterion("contrast", "s.yaml", "oxt", "m", "lower", reference="vehicle",
                     design="paired", difference=(-100.0, -2.0))
    small = measure(test, rows({"oxt": [9, 10, 11, 10, 9], "vehicle": [10, 11, 12, 11, 10]}))
    large = measure(test, rows({"oxt": [7, 8, 9, 8, 7], "vehicle": [10, 11, 12, 11, 10]}))
    assert small["difference"] == pytest.approx(-1.0) and large["difference"] == pytest.approx(-3.0)
    assert "outside the literature's [-100, -2]" in verdict(test, {**small, "p_bh": 0.001})[1]
    assert verdict(test, {**large, "p_bh": 0.001}) == (
        "pass", "predicted direction, significant, difference in range")


@pytest.mark.filterwarnings("error::RuntimeWarning")  # stand-in pairs that vary: no precision loss
def test_a_blocker_must_restore_the_asked_fraction_of_the_effect():
    # OXT lowers 10 -> 4; the antagonist brings it back to 8 (2/3) or 9.4 (90%)
    test = Criterion("contrast", "s.yaml", "blocked", "m", "higher", reference="oxt",
                     design="paired", restores_to="vehicle", restores_at_least=0.7)
    noise = np.array([0.0, 0.3, -0.3, 0.1, -0.1, 0.2])
    other = noise[::-1]  # the same mean, so paired differences that vary
    base = {"oxt": 4 + noise, "vehicle": 10 + other}
    partial = measure(test, rows({**base, "blocked": 8 + other}))
    full = measure(test, rows({**base, "blocked": 9.4 + other}))
    assert partial["restored"] == pytest.approx(4 / 6) and full["restored"] == pytest.approx(0.9)
    assert "restores 67% of the effect" in verdict(test, {**partial, "p_bh": 0.001})[1]
    assert verdict(test, {**full, "p_bh": 0.001})[0] == "pass"
    assert "vehicle" in test.conditions  # the spec must have it


def test_the_catalogue_rejects_a_malformed_restoration(tmp_path):
    folder = tmp_path / "validation"
    shutil.copytree(VALIDATION, folder)
    catalogue = yaml.safe_load((folder / "findings.yaml").read_text())
    catalogue["findings"][0]["tests"][0]["restores"] = {"to": "vehicle", "at_least": 1.5}
    catalogue["findings"][1]["tests"][0]["difference"] = [0, -2]
    (folder / "findings.yaml").write_text(yaml.safe_dump(catalogue))
    with pytest.raises(circuit.ConfigError) as info:
        read_catalogue(folder)
    assert "findings[0].tests[0].restores" in str(info.value)
    assert "findings[1].tests[0].difference: expected [low, high]" in str(info.value)


def test_the_fingerprint_covers_simulation_code_not_what_reads_or_draws_results():
    from circuit.validation.merge import _name, simulation_sources

    names = {str(p.relative_to(ROOT)) for p in simulation_sources()}
    assert {"circuit/model/agent.py", "circuit/running/simulate.py",
            "circuit/config/schema.yaml", "configs/protocols/extinction.yaml"} <= names
    assert "protocols/extinction.yaml" in {_name(p) for p in simulation_sources()}
    assert not any(n.startswith(("circuit/plotting/", "circuit/validation/")) for n in names)
    assert "circuit/analysis/behaviour.py" in names  # the metrics of a run
    assert "circuit/analysis/statistics.py" not in names  # scoring, digested apart


def test_the_schema_enters_the_fingerprint_by_its_rules_not_its_descriptions(tmp_path):
    """Documenting a key (its meaning, its source) keeps stored runs resumable; changing
    its type or range makes them another model's."""
    from circuit.validation.merge import _schema_rules

    schema = ROOT / "circuit" / "config" / "schema.yaml"
    text = schema.read_text()
    line = next(x for x in text.splitlines() if x.strip().startswith("critical_period:"))
    documented = line.replace("| Nardou et al. 2019", "| Nardou et al. 2019; a new note")
    ranged = line.replace("1 [0, 1]", "1 [0, 2]")
    assert documented != line and ranged != line
    copies = {}
    for name, new in (("same", line), ("documented", documented), ("ranged", ranged)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "schema.yaml").write_text(text.replace(line, new))
        copies[name] = _schema_rules(folder / "schema.yaml")
    assert copies["documented"] == copies["same"] != copies["ranged"]
    from circuit.validation import merge as merge_module  # the digest takes it so

    digests = {}
    for name in copies:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(merge_module, "SCHEMA_PATH", tmp_path / name / "schema.yaml")
            patch.setattr(merge_module, "_name", lambda path: path.name)  # not in the package
            digests[name] = merge_module._digest([tmp_path / name / "schema.yaml"], ())
    assert digests["documented"] == digests["same"] != digests["ranged"]


def test_swept_values_are_read_as_numbers_and_categories_sort_last():
    assert swept_number("3 ms") == 3.0 and swept_number(1.5) == 1.5
    assert math.isnan(swept_number("autoreceptor")) and math.isnan(swept_number(""))
    points = ["10", "autoreceptor", "2", "1.5 nS"]
    assert sorted(points, key=scoring._sort_key) == ["1.5 nS", "2", "10", "autoreceptor"]


def test_a_full_scorecard_states_the_subjects_per_group_its_tests_had():
    from types import SimpleNamespace

    from circuit.validation.report import _seeds

    card = SimpleNamespace(findings=[{"tests": [{"n": [16, 16]}, {"n": [12]}]},
                                     {"tests": [{"n": [12, 12, 12, 12]}, {"n": []}]}])
    assert _seeds(card) == "12-16"
    card.findings = [{"tests": [{"n": [16, 16]}]}]
    assert _seeds(card) == "16"


# Scoring defects found by a statistical audit (2026-12-05), each shown failing before.

def test_a_blocker_restores_nothing_where_the_treatment_had_no_effect():
    """A blocker that moves the treated subjects while the treatment itself did nothing
    must not pass as restoring its effect (restored = 0.5 / 0.05 = 10 before)."""
    rng = np.random.default_rng(3)
    subject = rng.normal(10.0, 2.0, 16)
    test = Criterion("contrast", "s.yaml", "blocked", "m", "higher", reference="oxt",
                     design="paired", restores_to="vehicle", restores_at_least=0.7)
    result = measure(test, rows({"vehicle": subject + rng.normal(0.05, 1.0, 16),
                                 "oxt": subject, "blocked": subject + 0.5
                                 + rng.normal(0.0, 0.1, 16)}))
    assert result["treatment_p"] > 0.05
    outcome, reason = verdict(test, {**result, "p_bh": 0.001})
    assert outcome == "fail" and "no effect to restore" in reason


def test_a_blocker_is_measured_on_the_seeds_of_all_three_conditions():
    """Every seed fully restored, one seed missing in the blocked condition: 100%."""
    untreated = np.array([10.0, 20.0, 30.0, 40.0])
    test = Criterion("contrast", "s.yaml", "blocked", "m", "higher", reference="oxt",
                     design="paired", restores_to="vehicle", restores_at_least=0.7)
    result = measure(test, rows({"vehicle": untreated, "oxt": untreated - 2,
                                 "blocked": untreated[:3]}))
    assert result["restored"] == pytest.approx(1.0)  # 0.286 when the means mixed seed sets


def test_an_effect_against_the_prediction_is_resolved_for_its_shares():
    """A large wrong-direction effect (one-sided p ~ 1) is still an effect to share."""
    test = Criterion("contrast", "s.yaml", "oxt", "m", "lower", reference="vehicle",
                     design="paired", alternative="one-sided")
    noise = np.array([0.0, 0.3, -0.3, 0.1, -0.1, 0.2])
    result = measure(test, rows({"oxt": 12 + 2 * noise, "vehicle": 10 + noise}))
    assert result["p"] > 0.99
    finding = type("F", (), {"id": 2})()
    assert scoring.resolved([{"finding": finding, "tests": [{"test": test, **result}]}]) == {
        (2, test.label): True}


def test_an_equivalence_test_keeps_the_reference_uncertainty_in_its_margin():
    """At a true ratio exactly on the margin the test must reject no more often than its
    level; a bound fixed at margin x the observed reference mean rejected 14% here."""
    rng = np.random.default_rng(7)
    test = Criterion("equivalence", "s.yaml", "pre", "m", "same", reference="vehicle",
                     margin=0.25, design="paired")
    rejections = 0
    for _ in range(400):
        vehicle = rng.normal(10.0, 5.0, 16)  # subjects spread widely, the shift tight
        pre = vehicle + 2.5 + rng.normal(0.0, 1.0, 16)
        rejections += measure(test, rows({"pre": pre, "vehicle": vehicle}))["p"] < 0.05
    assert rejections / 400 < 0.08


def test_a_paired_interaction_removes_the_subjects_shared_noise():
    """Seed-matched groups share each subject's noise: each subject's own double
    difference resolves an interaction the four-group test does not."""
    rng = np.random.default_rng(5)
    subject = rng.normal(0.0, 2.0, 12)
    groups = {"a": subject + 0.3 + rng.normal(0, 0.2, 12), "b": subject + rng.normal(0, 0.2, 12),
              "c": subject + rng.normal(0, 0.2, 12), "d": subject + rng.normal(0, 0.2, 12)}
    data = rows(groups)
    paired = measure(Criterion("interaction", "s.yaml", "a", "m", "higher", reference="b",
                               versus=("c", "d"), design="paired"), data)
    unpaired = measure(Criterion("interaction", "s.yaml", "a", "m", "higher", reference="b",
                                 versus=("c", "d")), data)
    assert paired["difference"] == pytest.approx(unpaired["difference"])
    assert paired["p"] < 0.01 < 0.1 < unpaired["p"]


def test_pairs_that_all_differ_alike_are_measured_not_dropped():
    test = Criterion("contrast", "s.yaml", "oxt", "m", "lower", reference="vehicle",
                     design="paired", alternative="one-sided")
    same_drop = measure(test, rows({"oxt": [1.0, 2.0, 3.0, 4.0], "vehicle": [3.0, 4.0, 5.0, 6.0]}))
    assert same_drop["p"] == 0.0
    assert verdict(test, {**same_drop, "p_bh": 0.0})[0] == "pass"
    rise = measure(test, rows({"oxt": [5.0, 6.0, 7.0, 8.0], "vehicle": [3.0, 4.0, 5.0, 6.0]}))
    assert rise["p"] == 1.0


def test_a_share_interval_survives_a_few_undefined_resamples():
    """A resample whose effect is 0 makes the share undefined there; the interval is
    taken over the others (it was NaN for any such resample)."""
    from circuit.analysis.statistics import percentile_ci

    x = np.array([0.0] * 12 + [1.0, 2.0, 3.0, 4.0])  # all twelve zeros: ~1% of resamples

    def ratio(s, axis=-1):
        with np.errstate(invalid="ignore"):
            return np.mean(s ** 2, axis=axis) / np.mean(s, axis=axis)

    low, high = percentile_ci((x,), ratio)
    assert math.isfinite(low) and math.isfinite(high) and 1.0 <= low <= high <= 4.0


@pytest.mark.filterwarnings("error::RuntimeWarning")  # stand-in pairs that vary: no precision loss
def test_a_merge_keeps_every_number_a_verdict_reads():
    """Merged parts are judged again from their saved numbers: each number `measure`
    gives (a blocker's treatment_p included) must be among those a merge keeps."""
    from circuit.validation.merge import MEASURED

    noise = np.array([0.0, 0.3, -0.3, 0.1, -0.1, 0.2])
    data = rows({"oxt": 4 + noise, "vehicle": 10 + noise[::-1],  # differences that vary
                 "blocked": 8 + np.roll(noise, 1), "other": 5 + np.roll(noise, 2)})
    tests = [Criterion("contrast", "s.yaml", "blocked", "m", "higher", reference="oxt",
                       design="paired", restores_to="vehicle", restores_at_least=0.7,
                       ratio=(1.0, 3.0)),
             Criterion("equivalence", "s.yaml", "oxt", "m", "same", reference="other",
                       margin=0.25, design="paired"),
             Criterion("interaction", "s.yaml", "blocked", "m", "higher", reference="oxt",
                       versus=("vehicle", "other"), design="paired"),
             Criterion("one_sample", "s.yaml", "oxt", "m", "higher", value=3.0)]
    for test in tests:
        assert set(measure(test, data)) <= set(MEASURED), test.kind


def test_a_group_whose_subjects_all_sit_at_one_value_is_flagged_in_the_report():
    """All OXT subjects at the schedule's last ratio (a bound): the scorecard says so,
    as a rise towards the bound is measured short; varied groups are not flagged."""
    from types import SimpleNamespace

    from circuit.validation.report import findings_section

    test = Criterion("contrast", "s.yaml", "oxt", "m", "lower", reference="vehicle",
                     design="paired", alternative="one-sided")
    result = measure(test, rows({"oxt": [40.0] * 6, "vehicle": [32, 32, 40, 25, 32, 40]}))
    assert result["uniform"] == [["oxt", 40.0, 6]]
    varied = measure(test, rows({"oxt": [40, 32, 40, 40, 40, 40], "vehicle": [32] * 6}))
    assert varied["uniform"] == [["vehicle", 32.0, 6]]
    assert at_one_value(("a",), ([1.0],)) == []  # one subject is no group
    finding = SimpleNamespace(id=2, claim="c", observation="o", magnitude="m", source="s")
    card = SimpleNamespace(findings=[{"finding": finding, "verdict": "fail", "tests": [
        {"test": test, **result, "p_bh": 1.0, "verdict": "fail", "reason": "r"}]}])
    lines = findings_section(card)
    assert any(line.startswith("- all 6 subjects of `oxt` at 40: a bound") for line in lines)


def test_welch_p_is_scipys_welch_test_on_the_finite_values():
    from circuit.analysis.statistics import welch_p

    a, b = [3.0, 4.5, 5.0, math.nan, 6.0], [1.0, 2.5, 2.0, 3.0]
    expected = stats.ttest_ind([3.0, 4.5, 5.0, 6.0], b, equal_var=False,
                               alternative="greater").pvalue
    assert welch_p(a, b, "greater") == pytest.approx(expected)
    assert welch_p(a, b, "less") == pytest.approx(1 - expected)
    assert math.isnan(welch_p([1.0], b, "two-sided"))  # one value a side: no test
    assert math.isnan(welch_p([2.0, 2.0], [2.0, 2.0], "two-sided"))  # nothing varies


def test_the_header_names_the_settings_a_scorecard_ran_with():
    from circuit.validation.report import _settings

    assert _settings({}) == []  # a part written before settings were recorded: unsaid
    assert _settings({"overrides": []}) == ["- settings: every config's defaults (no `--set`)"]
    line, = _settings({"overrides": ["network.scale=0.5", "oxt.fold=3"]})
    assert "`network.scale=0.5`, `oxt.fold=3` (`--set`)" in line and "defaults" in line


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_commit_ignores_changes_inside_the_validation_directory(tmp_path):
    root = tmp_path / "repo"
    store = root / "store[1]*"  # read literally, not as a pattern
    store.mkdir(parents=True)

    def git(*args):
        return subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c",
                               "user.email=t@t", "-c", "commit.gpgsign=false", *args],
                              check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    (root / "code.py").write_text("x = 1\n")
    (root / "store1x").write_text("a file the pattern store[1]* would match\n")
    (store / "validation.log").write_text("started\n")
    git("add", ".")
    git("commit", "-qm", "first")
    head = git("rev-parse", "HEAD")
    (store / "validation.log").write_text("started\nscored\n")
    assert git_commit(exclude=store, root=root) == head
    (root / "store1x").write_text("changed\n")  # outside the store, though it matches
    assert git_commit(exclude=store, root=root) == head + "-dirty"
    git("commit", "-qam", "second")
    head = git("rev-parse", "HEAD")
    (root / "code.py").write_text("x = 2\n")
    assert git_commit(exclude=store, root=root) == head + "-dirty"
    assert git_commit(exclude=tmp_path / "outside", root=root) == head + "-dirty"
    # a package folder inside a checkout that is not the checkout's top level: unknown
    (root / "sub").mkdir()
    assert git_commit(exclude=store, root=root / "sub") is None
