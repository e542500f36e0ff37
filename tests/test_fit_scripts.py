"""The scripts that score the assay's fit and plan the scorecard's seeds
(scripts/assay_fit.py, scripts/power_pilot.py), draw sweeps against the findings and
publish the pilot (scripts/sweep_against_findings.py, scripts/publish_validation.py), on
tables made here."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

from circuit.results.tables import read_csv, write_csv

from conftest import ROOT


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # a dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


power = _script("power_pilot")
fit = _script("assay_fit")


@pytest.mark.parametrize("d_z, alpha, seeds", [(0.5, 0.05, 27), (0.8, 0.05, 12),
                                                (1.5, 0.05, 5)])
def test_seeds_for_80_percent_power_match_the_paired_t_test(d_z, alpha, seeds):
    # the one-sided paired t-test's sample sizes (as tabulated by G*Power)
    assert power.seeds_needed(d_z, alpha) == seeds
    assert power.paired_power(d_z, seeds, alpha) >= 0.8 > power.paired_power(d_z, seeds - 1, alpha)


def test_no_effect_or_one_the_other_way_needs_more_seeds_than_any_experiment():
    assert power.seeds_needed(0.0, 0.05) is None
    assert power.seeds_needed(-0.8, 0.05) is None  # a one-sided test of the other way
    assert power.seeds_needed(float("nan"), 0.05) is None


def _session(phase, active, inactive=0, **extra):
    return {"phase": phase, "active": active, "inactive": inactive, "trials": 60,
            "breakpoint": 0, "da_fold": 3.0, **extra}


def _write_subject(directory, seed, training, tests):
    """A training run and its test runs, as the experiment engine stores them."""
    state = f"state{seed}"
    runs = [("training", training, {"final_state": state})]
    runs += [(name, [row], {"start_state": state}) for name, row in tests.items()]
    for name, rows, link in runs:
        run = directory / "runs" / f"{name}{seed}"
        run.mkdir(parents=True)
        (run / "run.json").write_text(json.dumps({"condition": name, "seed": seed, **link}))
        write_csv(run / "sessions.csv", [{"condition": name, "seed": seed, **row}
                                         for row in rows], ["condition", "seed"])


def test_the_fit_is_scored_per_subject_and_for_the_group(tmp_path):
    training = ([_session("acquisition", 3, 6), _session("acquisition", 12, 2)]
                + [_session("progressive_ratio", 40, breakpoint=50, trials=240)]
                + [_session("extinction", 10), _session("extinction", 4)])
    _write_subject(tmp_path, 1, training, {"prime": _session("reinstatement", 9),
                                           "cue": _session("reinstatement", 5)})
    (values,) = fit.score(tmp_path).values()
    assert values["naive_presses"] == [9] and values["last_active"] == [12]
    assert values["prime"] == [9] and values["last_extinction"] == [4]
    report = fit.report(fit.score(tmp_path), markdown=False)
    lines = {text: line for line in report.splitlines() for text in [
        criterion[-1] for criterion in fit.CRITERIA.values()] if line.endswith(text)}
    # 9 presses of 60 presentations; x4 over acquisition; inactive 2/12; 4/10 left in
    # extinction; prime 9/4, cue 5/4; breakpoint 20
    assert lines[fit.CRITERIA["naive_fraction"][-1]].split()[:3] == ["0.15", "1/1", "yes"]
    assert lines[fit.CRITERIA["inactive_share"][-1]].split()[:3] == ["0.17", "1/1", "yes"]
    assert lines[fit.CRITERIA["prime_ratio"][-1]].split()[:3] == ["2.25", "1/1", "yes"]
    assert lines[fit.CRITERIA["cue_ratio"][-1]].split()[:3] == ["1.25", "0/1", "no"]
    # the progressive ratio of 240 trials ends at ratio 50, where this subject stopped
    (at_ceiling,) = [line for line in report.splitlines() if "at the ceiling (50)" in line]
    assert at_ceiling.split()[:4] == ["1.00", "1/1", "at", "it"]
    # the first extinction session is reported beside the criteria, without one
    (first,) = [line for line in report.splitlines() if line.endswith(fit.REPORTED["first_extinction"])]
    assert first.split()[:3] == ["10.00", "-", "-"]


def test_the_sessions_record_gives_a_training_the_sweep_point_of_its_tests(tmp_path):
    training = ([_session("acquisition", 3), _session("acquisition", 12)]
                + [_session("progressive_ratio", 40, breakpoint=32, trials=240)]
                + [_session("extinction", 10), _session("extinction", 4)])
    for seed, switch in ((1, 0.1), (2, 0.2)):
        point = {"behaviour.situation_switch": switch}
        _write_subject(tmp_path, seed, training,
                       {"prime": _session("reinstatement", 9, **point),
                        "cue": _session("reinstatement", 5, **point)})
    rows = fit.session_rows(tmp_path)
    trainings = [row for row in rows if row["condition"] == "training"]
    assert len(trainings) == 2 * len(training)
    assert {(row["seed"], row["behaviour.situation_switch"]) for row in trainings} == {
        (1, 0.1), (2, 0.2)}
    # two sweep points, one block each, scored from their own subjects
    assert [dict(point)["behaviour.situation_switch"] for point in fit.score(tmp_path)] == [0.1, 0.2]


@pytest.mark.parametrize("spec", sorted((ROOT / "validation").glob("assay/*.yaml"))
                         + sorted((ROOT / "validation").glob("pilot/*.yaml")),
                         ids=lambda path: f"{path.parent.name}/{path.name}")
def test_the_fit_and_pilot_specs_plan_without_a_problem(spec):
    from circuit.config.loader import read_yaml_file
    from circuit.experiments.plan import make_plan

    plan = make_plan(read_yaml_file(spec), spec.parent, str(spec))
    assert plan.runs and all(run.seed in plan.seeds for run in plan.runs)


d2r_fit = _script("fit_d2r_loss")


def _d2r_rows(scale, exposures_nMs, floor=0.8, carry=1.0):
    """Training rows of one subject whose sessions had the given drug exposures."""
    rows, a = [], 1.0
    for k, exposure in enumerate(exposures_nMs):
        a = floor + (a - floor) * d2r_fit.np.exp(-exposure / scale)
        rows.append({"run": "r1", "condition": "training", "phase": "acquisition",
                     "session": k, "d2r_availability": a})
        a = 1.0 - (1.0 - a) * carry
    return rows


def test_the_d2r_fit_recovers_the_exposure_behind_a_recorded_loss():
    # sessions recorded at scale 30000 nM s: their exposures come back divided by it
    exposures = [8000.0, 12000.0, 15000.0]
    rows = _d2r_rows(30000.0, exposures, carry=0.99)
    scaled = d2r_fit.subject_exposures(rows, floor=0.8, carry=0.99)["r1"]
    assert scaled == pytest.approx([e / 30000.0 for e in exposures], rel=1e-9)
    # replayed at the same scale, the availability after them is the recorded one
    assert d2r_fit.availability_after(scaled, 1.0, 0.8, 0.99) == pytest.approx(
        rows[-1]["d2r_availability"], rel=1e-12)
    # a smaller scale (ratio > 1) takes availability further towards the floor
    assert 0.8 < d2r_fit.availability_after(scaled, 2.0, 0.8, 0.99) < rows[-1]["d2r_availability"]


def test_the_d2r_fit_ignores_tests_and_later_phases():
    rows = _d2r_rows(30000.0, [9000.0, 9000.0])
    rows.append({"run": "r1", "condition": "training", "phase": "extinction", "session": 2,
                 "d2r_availability": 0.9})
    rows.append({"run": "t1", "condition": "prime", "phase": "acquisition", "session": 0,
                 "d2r_availability": 0.5})
    exposures = d2r_fit.subject_exposures(rows, floor=0.8, carry=1.0)
    assert list(exposures) == ["r1"] and len(exposures["r1"]) == 2


sweep_figure = _script("sweep_against_findings")


def _sweep_stats(folder, metric="acquisition_infusions", conditions=("oxt1", "vehicle")):
    folder.mkdir()
    rows = [{"contrast": " - ".join(conditions), "condition_a": conditions[0],
             "condition_b": conditions[1],
             "oxt_actions.da_current": size, "metric": metric, "mean_a": a, "mean_b": 10.0,
             "difference": a - 10.0, "ci_low": a - 11.0, "ci_high": a - 9.0}
            for size, a in (("0 pA", 6.0), ("20 pA", 8.0))]
    write_csv(folder / "stats.csv", rows, list(rows[0]))
    return folder


def test_a_sweep_is_read_in_the_units_and_range_of_its_finding(tmp_path):
    # finding 1 asks a ratio of 0.40-0.75: drawn as a percent change, band -60% to -25%
    swept = sweep_figure.swept_effect(_sweep_stats(tmp_path / "pilot"), "acquisition_infusions")
    assert swept.swept == "oxt_actions.da_current" and swept.points == ["0 pA", "20 pA"]
    assert swept.finding == 1 and swept.as_percent
    assert swept.effect == pytest.approx([-40, -20])
    assert swept.low == pytest.approx([-50, -30]) and swept.high == pytest.approx([-30, -10])
    assert swept.band == pytest.approx((-60, -25))
    # finding 2 asks a difference of at least two ratio steps: drawn as a difference
    breakpoint = sweep_figure.swept_effect(
        _sweep_stats(tmp_path / "pr", "breakpoint_steps", ("pr_oxt1", "pr_saline")),
        "breakpoint_steps")
    assert breakpoint.finding == 2 and not breakpoint.as_percent
    assert breakpoint.effect == pytest.approx([-4, -2]) and breakpoint.band == (-100, -2)


def test_a_mechanism_knock_out_is_drawn_beside_the_finding_in_its_units(tmp_path):
    folder = _sweep_stats(tmp_path / "pilot")
    rows = read_csv(folder / "stats.csv")
    knockout = [{**row, "contrast": "oxt1 - oxt1_no_M1", "condition_b": "oxt1_no_M1",
                 "mean_b": 5.0, "difference": float(row["mean_a"]) - 5.0,
                 "ci_low": float(row["mean_a"]) - 6.0, "ci_high": float(row["mean_a"]) - 4.0}
                for row in rows]
    write_csv(folder / "stats.csv", rows + knockout, list(rows[0]))
    finding, mechanism = sweep_figure.swept_effects(folder, "acquisition_infusions")
    assert finding.finding == 1 and mechanism.finding is None
    assert mechanism.as_percent and mechanism.band is None  # the finding's units, no range
    # a percent of the finding's reference (vehicle, 10), so the series add up
    assert mechanism.effect == pytest.approx([10, 30])  # (6 - 5) / 10 and (8 - 5) / 10
    with pytest.raises(SystemExit, match="expected one contrast"):
        sweep_figure.swept_effect(folder, "acquisition_infusions")
    out = tmp_path / "both.png"
    assert sweep_figure.main([f"{folder}:acquisition_infusions", "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000


def test_contrasts_measured_at_other_sweep_points_are_not_drawn_together(tmp_path):
    folder = _sweep_stats(tmp_path / "pilot")
    rows = read_csv(folder / "stats.csv")
    other = [{**rows[0], "contrast": "oxt1 - oxt1_no_M1", "condition_b": "oxt1_no_M1"}]
    write_csv(folder / "stats.csv", rows + other, list(rows[0]))  # at 0 pA only
    with pytest.raises(SystemExit, match="not measured at the sweep points"):
        sweep_figure.swept_effects(folder, "acquisition_infusions")


def test_a_sweep_is_drawn_with_its_default_marked(tmp_path):
    out = tmp_path / "sweep.png"
    assert sweep_figure.main([f"{_sweep_stats(tmp_path / 'pilot')}:acquisition_infusions",
                              "--out", str(out), "--default", "20 pA"]) == 0
    assert out.stat().st_size > 10_000


def test_a_sweep_figure_refuses_what_it_cannot_draw(tmp_path):
    folder = _sweep_stats(tmp_path / "pilot")
    with pytest.raises(SystemExit, match="breakpoint_steps"):  # a metric not measured
        sweep_figure.main([f"{folder}:breakpoint_steps", "--out", str(tmp_path / "x.png")])
    plain = tmp_path / "plain"  # no swept key
    plain.mkdir()
    rows = [{"contrast": "oxt1 - vehicle", "condition_a": "oxt1", "condition_b": "vehicle",
             "metric": "acquisition_infusions", "mean_a": 6.0, "mean_b": 10.0,
             "difference": -4.0, "ci_low": -5.0, "ci_high": -3.0}]
    write_csv(plain / "stats.csv", rows, list(rows[0]))
    with pytest.raises(SystemExit, match="one swept key"):
        sweep_figure.swept_effect(plain, "acquisition_infusions")


publish = _script("publish_validation")


def test_a_new_pilot_is_published_below_the_scorecard_it_keeps(tmp_path, monkeypatch):
    monkeypatch.setattr(publish, "PILOT", tmp_path / "power.md")
    page = tmp_path / "validation.md"
    scorecard = "# Validation scorecard\n\n**3 of 12 findings reproduced.**\n"
    publish.PILOT.write_text("## Power pilot\n\nthe first pilot\n")
    page.write_text(publish._page("docs/scorecards/2026-12-03-full.json", scorecard))
    publish.PILOT.write_text("## M1's site (2026-12-04)\n\na new one\n\n"
                             "## Power pilot\n\nthe first pilot\n")
    assert publish.refresh_pilot(page) == 0
    text = page.read_text()
    assert text.splitlines()[0].endswith("from docs/scorecards/2026-12-03-full.json:")
    assert text.count("the first pilot") == 1 and text.count("# Validation scorecard") == 1
    # the scorecard first, then the pilots under their own title, the newest first
    assert (text.index(scorecard) < text.index("\n# Pilots and sensitivity sweeps\n")
            < text.index("a new one") < text.index("the first pilot"))
    assert "  - [M1's site (2026-12-04)](#m1s-site-2026-12-04)" in text  # the contents


def test_a_page_with_the_pilot_above_its_scorecard_is_laid_out_anew(tmp_path, monkeypatch):
    monkeypatch.setattr(publish, "PILOT", tmp_path / "power.md")
    publish.PILOT.write_text("## Power pilot\n\nits numbers\n")
    page = tmp_path / "validation.md"
    scorecard = "# Validation scorecard\n\n**5 of 12 findings reproduced.**\n"
    page.write_text("<!-- Generated by `make validate` (scripts/publish_validation.py) from "
                    "docs/scorecards/x.json:\n     do not edit by hand. -->\n\n"
                    "## Power pilot\n\nits numbers\n\n" + scorecard)
    assert publish.refresh_pilot(page) == 0
    assert page.read_text() == publish._page("docs/scorecards/x.json", scorecard)
    assert page.read_text().count("its numbers") == 1


def test_a_heading_is_linked_by_the_renderer_s_anchor():
    assert publish.anchor("The adult OXT-LTD rate: how much the chosen 0.2 matters "
                          "(2026-12-05)") == ("the-adult-oxt-ltd-rate-how-much-the-chosen-02-"
                                              "matters-2026-12-05")


def test_a_pilot_is_not_published_without_a_scorecard_below_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(publish, "PILOT", tmp_path / "power.md")
    publish.PILOT.write_text("## Power pilot\n")
    page = tmp_path / "validation.md"
    page.write_text("notes, no scorecard\n")
    assert publish.refresh_pilot(page) == 2
    assert "publish one first" in capsys.readouterr().err
    assert page.read_text() == "notes, no scorecard\n"  # untouched


part_script = _script("mechanism_part")


def _knockout_runs(folder):
    """runs.csv of two seeds x four conditions at one sweep point: OXT lowers the metric by
    3 with the mechanism and by 1 without it, and the mechanism lowers saline's by 1."""
    values = {"oxt1": (4.5, 7.5), "oxt1_no_M1": (8.0, 10.0), "vehicle": (8.0, 10.0),
              "vehicle_no_M1": (8.5, 11.5)}  # each difference varies between the seeds
    rows = [{"condition": condition, "receptors.heteromer_site": "postsynaptic", "seed": seed,
             "acquisition_infusions": value}
            for condition, pair in values.items() for seed, value in zip((1, 2), pair)]
    folder.mkdir()
    write_csv(folder / "runs.csv", rows, list(rows[0]))
    return read_csv(folder / "runs.csv")


@pytest.mark.filterwarnings("error::RuntimeWarning")  # stand-in pairs that vary: no precision loss
def test_a_mechanisms_part_is_the_difference_of_the_dose_effects_with_and_without_it(tmp_path):
    (part,) = part_script.mechanism_parts(_knockout_runs(tmp_path / "x"), "oxt1", "vehicle",
                                          "M1", "acquisition_infusions")
    assert part.point == {"receptors.heteromer_site": "postsynaptic"} and part.seeds == 2
    assert part.effect[0] == pytest.approx(-3.0)  # OXT against vehicle
    assert part.effect_without[0] == pytest.approx(-1.0)  # both without the mechanism
    assert part.endogenous[0] == pytest.approx(-1.0)  # vehicle with against without it
    # the dose's part; OXT with against without the mechanism (-3) holds the endogenous -1 too
    assert part.part[0] == pytest.approx(-2.0)
    with pytest.raises(SystemExit, match="oxt1_no_M2"):
        part_script.mechanism_parts(_knockout_runs(tmp_path / "y"), "oxt1", "vehicle", "M2",
                                    "acquisition_infusions")


def test_a_mechanism_s_part_of_a_metric_the_runs_lack_is_refused_naming_theirs(tmp_path):
    _knockout_runs(tmp_path / "x")
    with pytest.raises(SystemExit, match=r"--metric acquisition_infusons: not a column .* "
                                         r"\(its metrics: acquisition_infusions\)"):
        part_script.main([str(tmp_path / "x"), "--treated", "oxt1", "--reference", "vehicle",
                          "--mechanism", "M1", "--metric", "acquisition_infusons"])


def test_a_systemic_dose_is_compared_with_the_saline_run_of_its_own_seed():
    from scipy import stats

    systemic = _script("systemic_oxt_da")
    rows = [{"condition": "saline", "seed": seed, "tonic_da_nM": tonic}
            for seed, tonic in ((1, 20.0), (2, 30.0), (3, 40.0))]
    rows += [{"condition": "oxt_2", "seed": seed, "tonic_da_nM": tonic}
             for seed, tonic in ((1, 18.0), (2, 27.0), (3, 35.0), (4, 1.0))]  # 4: unpaired
    mean, low, high = systemic.paired_change(rows, "oxt_2", "saline", "tonic_da_nM")
    differences = [-2.0, -3.0, -5.0]  # by seed, not group means over unequal seeds
    assert mean == pytest.approx(-10 / 3)
    half = stats.t.ppf(0.975, 2) * stats.sem(differences)
    assert (low, high) == pytest.approx((mean - half, mean + half))
    same = [{**row, "condition": "oxt_2"} for row in rows[:3]]
    assert systemic.paired_change(rows[:3] + same, "oxt_2", "saline",
                                  "tonic_da_nM") == (0.0, 0.0, 0.0)


def test_a_kept_scorecard_is_not_replaced_by_another(tmp_path):
    card = tmp_path / "scorecard.json"
    kept = tmp_path / "scorecards" / "2026-12-05-full.json"
    card.write_text('{"passed": 5}')
    assert publish.keep(card, kept) and kept.read_text() == '{"passed": 5}'
    assert publish.keep(card, kept)  # the same scorecard again: nothing lost
    card.write_text('{"passed": 6}')
    assert not publish.keep(card, kept)
    assert kept.read_text() == '{"passed": 5}'  # the one the docs cite, untouched


def test_the_published_outputs_name_the_run_directory_and_the_kept_file():
    card = "# Validation scorecard\n\n## Outputs\n\n`scorecard.json` holds every number above.\n"
    text = publish.outputs_kept(card, "validation/store/scorecard", "docs/scorecards/x.json")
    assert "In the run directory (`validation/store/scorecard`; the repository keeps its " \
           "scorecard.json as `docs/scorecards/x.json`): `scorecard.json` holds" in text
    assert publish.outputs_kept("no such section\n", "a", "b") == "no such section\n"


def test_a_second_scorecard_of_a_date_is_kept_under_its_commit():
    card = {"date": "2026-12-05", "commit": "4fe1a05deadbeef"}
    assert publish.kept_names(card, "full") == ["2026-12-05-full.json",
                                                "2026-12-05-4fe1a05-full.json"]
    assert publish.kept_names({"date": "2026-12-05", "commit": None}, "full") == [
        "2026-12-05-full.json"]


size_site = _script("oxt_ltd_size_site")


def _size_site_pilot(folder, tests, presses):
    """An experiment folder as `circuit experiment` leaves it: spec.yaml with `tests`
    and the test sessions' drug-lever presses ({condition: [seed 1, seed 2, ...]})."""
    import yaml

    folder.mkdir()
    (folder / "spec.yaml").write_text(yaml.safe_dump({"tests": tests}))
    rows = [{"condition": condition, "seed": seed, "active": value, "inactive": ""}
            for condition, values in presses.items() for seed, value in enumerate(values, 1)]
    write_csv(folder / "sessions.csv", rows, list(rows[0]))
    return folder


def test_each_oxt_test_is_paired_with_the_saline_test_of_its_size_and_site(tmp_path):
    prime = {"behaviour.schedule": ["reinstatement_drug"]}
    oxt = {"interventions.oxt.given": "on", "interventions.oxt.dose": "1 mg/kg"}
    d1_x10 = {"plasticity.A_oxt": 0.02, "plasticity.oxt_ltd_site": "d1"}
    folder = _size_site_pilot(
        tmp_path / "pilot",
        {"prime_saline": prime, "prime_oxt1": {**prime, **oxt},
         "prime_saline_d1": {**prime, **d1_x10}, "prime_oxt1_d1": {**prime, **oxt, **d1_x10}},
        {"prime_saline": [4, 4, 4], "prime_oxt1": [4, 5, 3],
         "prime_saline_d1": [4, 5, 6], "prime_oxt1_d1": [2, 2, 2]})
    found = size_site.effects([folder], "reinstatement_drug", "active", True, 0.002)
    by_site = {(e.site, e.size): e for e in found}
    assert set(by_site) == {("both", 0.002), ("d1", 0.02)}
    assert by_site["both", 0.002].effect == pytest.approx(0.0)
    assert by_site["d1", 0.02].effect == pytest.approx(-60.0)  # -3 presses of saline's 5
    # no inactive lever measured (a progressive ratio's empty cells): nothing to draw
    assert size_site.effects([folder], "reinstatement_drug", "inactive", True, 0.002) == []
    assert size_site._band(("reinstatement_active", "prime_oxt1", "prime_saline"), True) \
        == (4, pytest.approx((-100, -40)))
    out = tmp_path / "size_site.png"
    assert size_site.main([str(folder), "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000


def test_an_oxt_test_without_its_saline_test_is_refused(tmp_path):
    prime = {"behaviour.schedule": ["reinstatement_drug"]}
    folder = _size_site_pilot(
        tmp_path / "pilot",
        {"prime_oxt1_d2": {**prime, "interventions.oxt.given": "on",
                           "plasticity.oxt_ltd_site": "d2"}, "prime_saline": prime},
        {"prime_oxt1_d2": [3, 3], "prime_saline": [4, 4]})
    with pytest.raises(SystemExit, match="prime_oxt1_d2 has no single saline test"):
        size_site.effects([folder], "reinstatement_drug", "active", True, 0.002)


sensitivity = _script("sensitivity")


def test_the_sensitivity_sweep_scales_each_parameter_from_the_config_s_own_default():
    from circuit import load_config

    config = load_config(sensitivity.CONFIG)
    assert sensitivity.scaled(config, "fields.da.release", 2.0) == "400 nM"
    assert sensitivity.scaled(config, "receptors.heteromer_fold", 0.5) == "1.5"
    for key in sensitivity.PARAMETERS:  # every swept value is one the config accepts
        for factor in sensitivity.FACTORS:
            value = sensitivity.scaled(config, key, factor)
            assert load_config(sensitivity.CONFIG, [f"{key}={value}"]) is not None


def test_the_sensitivity_figure_draws_each_parameter_s_seed_mean_and_range(tmp_path):
    metrics = list(sensitivity.METRICS)
    rows = [{"parameter": parameter, "factor": factor, "value": "x", "seed": seed,
             **{m: factor * seed + k for k, m in enumerate(metrics)}}
            for parameter in ("fields.da.release", "receptors.Kd_oxtr")
            for factor in sensitivity.FACTORS for seed in (1, 3)]
    write_csv(tmp_path / "sensitivity.csv", rows, list(rows[0]))
    found = sensitivity.summary(tmp_path / "sensitivity.csv")
    # tonic [DA] (metric 0) at 2x: seeds 1 and 3 give 2 and 6
    assert found["fields.da.release", metrics[0]][-1] == (2.0, 4.0, 2.0, 6.0)
    assert sensitivity.main(["--plot-only", "--out", str(tmp_path),
                             "--figure", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").stat().st_size > 0


def test_the_sensitivity_figure_alone_needs_its_table(tmp_path):
    with pytest.raises(SystemExit, match="run without --plot-only first"):
        sensitivity.main(["--plot-only", "--out", str(tmp_path / "none")])
