"""Verdicts: each test's statistic on the runs of its spec, the finding's verdict, the
knock-out shares of the mechanisms and the fold-change sensitivity.

A directional test passes when its effect lies in the predicted direction, its p-value
(one-sided in that direction when the catalogue says `alternative: one-sided`), adjusted
across every test of the scorecard (Benjamini-Hochberg), is below ALPHA, and, where the
literature gives a magnitude, the ratio of the means lies in its range. An equivalence
test passes when TOST puts the ratio of the means within 1 +- margin at the same adjusted
level. A paired test matches the two conditions' runs by seed (an interaction's four).
"""

from __future__ import annotations

import math

import numpy as np

from ..analysis import statistics
from .findings import Catalogue, Criterion

#: Significance level after correction.
ALPHA = 0.05


def values(rows: list, condition: str, metric: str, point: dict | None = None) -> list:
    """Finite values of `metric` over the runs (seeds) of one condition (at a sweep point)."""
    point = point or {}
    out = [float(row.get(metric, math.nan)) for row in rows if row["condition"] == condition
           and all(row.get(k) == v for k, v in point.items())]
    return [v for v in out if math.isfinite(v)]


def measure(test: Criterion, rows: list, point: dict | None = None) -> dict:
    """The statistic of one test: means, raw difference, standardised effect with its
    95% interval (Hedges' g, or d_z when paired), the uncorrected p-value, and `uniform`:
    the groups whose subjects all sit at one value (`at_one_value`)."""
    if test.kind in ("contrast", "equivalence") and test.design == "paired":
        groups = statistics.paired_values(rows, test.condition, test.reference,
                                          point or {}, test.metric)
        out = _paired(test, *groups)
        if test.kind != "equivalence":
            out = _magnitudes(test, rows, point, out)
        return {**out, "uniform": at_one_value((test.condition, test.reference), groups)}
    a = values(rows, test.condition, test.metric, point)
    if test.kind == "one_sample":
        row = statistics.one_sample(a, float(test.value), test.scipy_alternative)
        return {"n": [row["n"]], "means": [row["mean"]], **_pick(row),
                "uniform": at_one_value((test.condition,), (a,))}
    if test.kind in ("contrast", "equivalence"):
        b = values(rows, test.reference, test.metric, point)
        out = _independent(a, b, test.scipy_alternative)
        out = (_equivalence(test, a, b, out, paired=False) if test.kind == "equivalence"
               else _magnitudes(test, rows, point, out))
        return {**out, "uniform": at_one_value((test.condition, test.reference), (a, b))}
    if test.design == "paired":  # seed-matched groups: each subject's double difference
        groups = statistics.matched_values(rows, test.conditions, point or {}, test.metric)
        row = statistics.interaction_paired(*groups, alternative=test.scipy_alternative)
    else:
        groups = [values(rows, c, test.metric, point) for c in test.conditions]
        row = statistics.interaction(*groups, alternative=test.scipy_alternative)
    return {"n": [len(g) for g in groups], "means": [_mean(g) for g in groups], **_pick(row),
            "uniform": at_one_value(test.conditions, groups)}


def at_one_value(conditions, groups) -> list:
    """[[condition, value, n], ...] for each group of at least two subjects (finite
    values, as `measure` passes them) that all sit at one value: often a bound of the
    measure's scale (a schedule's last ratio, a session's last opportunity), where a
    change towards the bound is measured short."""
    return [[name, float(group[0]), len(group)] for name, group in zip(conditions, groups)
            if len(group) >= 2 and len(set(group)) == 1]


def _independent(a: list, b: list, alternative: str) -> dict:
    """A contrast of two independent samples: Welch's p and Hedges' g."""
    row = statistics.compare(a, b, alternative)
    g, low, high = statistics.hedges_g_ci(a, b)
    return {"n": [row["n_a"], row["n_b"]], "means": [row["mean_a"], row["mean_b"]],
            "difference": row["difference"], "effect": g, "effect_low": low,
            "effect_high": high, "p": row["welch_p"], "difference_low": row["ci_low"],
            "difference_high": row["ci_high"]}


def _paired(test: Criterion, a: list, b: list) -> dict:
    """A paired contrast or equivalence test on matched values."""
    row = statistics.paired(a, b, test.scipy_alternative)
    out = {"n": [row["n_a"], row["n_b"]], "means": [row["mean_a"], row["mean_b"]],
           "difference": row["difference"], "effect": row["d_z"],
           "effect_low": row["d_z_low"], "effect_high": row["d_z_high"],
           "p": row["paired_p"], "difference_low": row["ci_low"],
           "difference_high": row["ci_high"]}
    if test.kind == "equivalence":
        return _equivalence(test, a, b, out, paired=True)
    return out


def _magnitudes(test: Criterion, rows: list, point: dict | None, out: dict) -> dict:
    """A contrast's ratio of means and, for a blocker's test, the fraction of the
    treatment's effect it restores, (blocked - treated) / (untreated - treated), with the
    one-sided p of the treatment's own effect (untreated against treated, in the
    direction the blocker should undo), `treatment_p`: no effect, nothing to restore.
    In a paired design all three conditions are matched by seed."""
    if test.ratio:
        out["ratio"] = _ratio(*out["means"])
    if test.restores_to:
        conditions = (test.condition, test.reference, test.restores_to)
        if test.design == "paired":
            blocked, treated, untreated = statistics.matched_values(rows, conditions,
                                                                    point or {}, test.metric)
            out["treatment_p"] = statistics.differences_p(
                np.subtract(untreated, treated), test.scipy_alternative)
        else:
            blocked, treated, untreated = (values(rows, c, test.metric, point)
                                           for c in conditions)
            out["treatment_p"] = statistics.welch_p(untreated, treated,
                                                    test.scipy_alternative)
        effect = _mean(untreated) - _mean(treated)
        out["restored"] = (_mean(blocked) - _mean(treated)) / effect if effect else math.nan
    return out


def _equivalence(test: Criterion, a: list, b: list, measured: dict, paired: bool) -> dict:
    """TOST of the ratio mean(condition) / mean(reference) within 1 +- margin (`bound`,
    margin x mean(reference), is reported for reading); `measured` holds the contrast's
    numbers (its own p, of a difference, is replaced by TOST's)."""
    return {**measured, "bound": test.margin * abs(measured["means"][1]),
            "ratio": _ratio(*measured["means"]),
            "p": statistics.tost_ratio(a, b, test.margin, paired)}


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def _pick(row: dict) -> dict:
    return {key: row[key] for key in ("difference", "effect", "effect_low", "effect_high", "p")}


def _mean(x) -> float:
    return float(np.mean(x)) if len(x) else math.nan


def verdict(test: Criterion, result: dict) -> tuple:
    """('pass' | 'fail', reason) from a measured result with its adjusted p (`p_bh`)."""
    difference, p = result["difference"], result["p_bh"]
    if not (math.isfinite(difference) and math.isfinite(p)):
        return "fail", "not measured: too few runs or no spread"
    if test.kind == "equivalence":
        if p >= ALPHA:
            return "fail", (f"not shown within +-{test.margin:.0%} of the reference "
                            f"(TOST p_bh = {p:.3g}, ratio {result['ratio']:.3g})")
        return "pass", f"within +-{test.margin:.0%} of the reference (TOST)"
    if difference == 0:
        return "fail", "no difference"
    if np.sign(difference) != test.sign:
        return "fail", f"wrong direction ({difference:+.3g})"
    if p >= ALPHA:
        return "fail", f"right direction, not significant (p_bh = {p:.3g})"
    if test.ratio:
        low, high = test.ratio
        if not low <= result["ratio"] <= high:
            return "fail", (f"significant, but the ratio {result['ratio']:.3g} is outside "
                            f"the literature's [{low:g}, {high:g}]")
    if test.difference:
        low, high = test.difference
        if not low <= difference <= high:
            return "fail", (f"significant, but the difference {difference:+.3g} is outside "
                            f"the literature's [{low:g}, {high:g}]")
    if test.restores_to:
        treatment_p, restored = result.get("treatment_p", math.nan), result["restored"]
        if not treatment_p < ALPHA:
            return "fail", (f"significant, but the treatment's own effect "
                            f"({test.restores_to} against {test.reference}) is not "
                            f"(p = {treatment_p:.3g}): there is no effect to restore")
        if not (math.isfinite(restored) and restored >= test.restores_at_least):
            return "fail", (f"significant, but it restores {restored:.0%} of the effect "
                            f"(at least {test.restores_at_least:.0%} asked)")
    met = [text for text, asked in (("ratio in range", test.ratio),
                                    ("difference in range", test.difference),
                                    ("restores enough", test.restores_to)) if asked]
    return "pass", ", ".join(["predicted direction, significant", *met])


def score(catalogue: Catalogue, rows: dict) -> list:
    """One entry per finding: its tests measured, corrected together, and judged.

    `rows` maps each spec file name to its runs (rows of its runs.csv).
    """
    return judge(catalogue, [(finding, test, measure(test, rows[test.spec]))
                             for finding in catalogue.findings for test in finding.tests])


def judge(catalogue: Catalogue, measured: list) -> list:
    """`score` from measured tests, [(finding, test, result of `measure`)]: the p-values
    adjusted together (Benjamini-Hochberg), each test's verdict, each finding's."""
    measured = [(finding, test, {k: v for k, v in result.items()
                                 if k not in ("p_bh", "verdict", "reason")})
                for finding, test, result in measured]
    for (_, _, result), p in zip(measured, statistics.bh([r["p"] for _, _, r in measured])):
        result["p_bh"] = p
    scored = []
    for finding in catalogue.findings:
        tests = []
        for f, test, result in measured:
            if f is finding:
                result["verdict"], result["reason"] = verdict(test, result)
                tests.append({"test": test, **result})
        scored.append({"finding": finding, "tests": tests,
                       "verdict": "pass" if all(t["verdict"] == "pass" for t in tests)
                       else "fail"})
    return scored


def resolved(scored: list) -> dict:
    """{(finding id, test label): whether the test's effect is resolved}, in either
    direction: its two-sided p (twice the smaller tail of its one-sided p), adjusted
    across the scored tests (Benjamini-Hochberg), below ALPHA. A share divides by the
    effect whatever its sign, so an effect opposite to the prediction is resolved too.
    Equivalence tests are left out (they have no effect to share)."""
    keys, two_sided = [], []
    for entry in scored:
        for t in entry["tests"]:
            if t["test"].kind == "equivalence":
                continue
            p = t.get("p", math.nan)
            keys.append((entry["finding"].id, t["test"].label))
            two_sided.append(min(1.0, 2 * min(p, 1 - p)) if t["test"].alternative == "one-sided"
                             else p)
    return {key: p < ALPHA for key, p in zip(keys, statistics.bh(two_sided))}


def knockout_shares(catalogue: Catalogue, rows: dict, scored: list | None = None) -> list:
    """Per mechanism and test: the share of the test's effect that the mechanism
    carries, 1 - effect(without it) / effect, with a 95% bootstrap interval.

    The knock-out is the spec's condition `<condition>_no_<M>`; a missing one is
    reported as not run, with the mechanism's `idle` note where the catalogue gives one.
    With `scored` (from `score`), each share says whether the effect it divides is
    resolved (`resolved`): a share of an unresolved effect is noise over noise.
    """
    significant = resolved(scored or [])
    out = []
    for mechanism, spec in catalogue.mechanisms.items():
        for finding in catalogue.findings:
            for test in finding.tests:
                if test.kind in ("interaction", "equivalence"):
                    continue  # a share of a difference of differences, or of no effect
                runs = rows[test.spec]
                if not any(str(row["condition"]).startswith(f"{test.condition}_no_")
                           for row in runs):
                    continue  # no mechanism knocked out on this test's condition
                knockout = f"{test.condition}_no_{mechanism}"
                entry = {"mechanism": mechanism, "finding": finding.id, "test": test.label,
                         "knockout": knockout,
                         "effect_resolved": significant.get((finding.id, test.label))}
                if not any(row["condition"] == knockout for row in runs):
                    out.append({**entry, "run": False, "share": math.nan, "low": math.nan,
                                "high": math.nan, "note": spec.get("idle", "not run")})
                    continue
                out.append({**entry, "run": True, **_share(test, runs, mechanism)})
    return out


def _share(test: Criterion, runs: list, mechanism: str) -> dict:
    """The share and its bootstrap interval; for a paired test the seeds measured in all
    conditions, resampled together (a subject's own knock-out against itself).

    A knock-out removes what the mechanism does with the treatment and with the
    endogenous OXT alike. Where the spec also runs the reference without the mechanism
    (`<reference>_no_<M>`), the effect that remains is measured against it, so the share
    is the treatment's own part, (effect - effect without M) / effect; otherwise against
    the reference with M, and the share also holds the endogenous OXT's part through M
    (`against` says which).
    """
    knockout = f"{test.condition}_no_{mechanism}"
    baseline_knockout = f"{test.reference}_no_{mechanism}" if test.reference else None
    if baseline_knockout and not any(row["condition"] == baseline_knockout for row in runs):
        baseline_knockout = None
    conditions = (test.condition, knockout, test.reference) + (
        (baseline_knockout,) if baseline_knockout else ())
    paired = test.design == "paired"
    if paired:
        samples = statistics.matched_values(runs, conditions, {}, test.metric)
        baseline = True
    elif test.kind == "one_sample":
        samples = (values(runs, test.condition, test.metric), values(runs, knockout, test.metric))
        baseline = None
    else:
        samples = tuple(values(runs, c, test.metric) for c in conditions)
        baseline = True

    def share(*groups, axis=-1):
        reference = groups[2] if baseline else float(test.value)
        remaining_reference = groups[3] if len(groups) > 3 else reference
        return statistics.knockout_share(*statistics.knockout_effects(
            groups[0], groups[1], reference, remaining_reference, axis=axis))

    against = {"against": baseline_knockout or test.reference}
    if any(len(s) < 2 for s in samples):
        return {"share": math.nan, "low": math.nan, "high": math.nan,
                "note": "too few runs", **against}
    value = float(share(*[np.asarray(s) for s in samples]))
    if not math.isfinite(value):
        return {"share": math.nan, "low": math.nan, "high": math.nan,
                "note": "no effect to share (the test's effect is zero)", **against}
    low, high = statistics.percentile_ci(tuple(samples), share, paired=paired)
    return {"share": value, "low": low, "high": high, "note": "", **against}


def sensitivity(catalogue: Catalogue, rows: dict) -> list:
    """Each sensitivity finding's contrast tests measured at every value of the swept key,
    in every sensitivity spec that has the test's conditions."""
    key = catalogue.sensitivity.get("key")
    wanted = set(catalogue.sensitivity.get("findings", []))
    out = []
    for name in catalogue.sensitivity.get("specs", []):
        runs = rows[name]
        points = sorted({row[key] for row in runs if key in row}, key=_sort_key)
        conditions = {row["condition"] for row in runs}
        for finding in catalogue.findings:
            if finding.id not in wanted:
                continue
            for test in finding.tests:
                if test.kind != "contrast" or not set(test.conditions) <= conditions:
                    continue
                for point in points:
                    result = measure(test, runs, {key: point})
                    out.append({"finding": finding.id, "test": test, "spec": name,
                                "value": point, **result})
    return out


def _sort_key(value) -> float:
    """Swept values in numeric order, categorical ones last."""
    number = statistics.swept_number(value)
    return math.inf if math.isnan(number) else number
