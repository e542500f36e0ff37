"""Statistics of an experiment: per contrast and metric, the difference between two
conditions across seeds, its effect size, a bootstrap confidence interval and two tests,
with p-values corrected across the whole experiment (Benjamini-Hochberg).

Two designs: *independent* conditions (between-subject: Welch's t-test, Mann-Whitney U,
Hedges' g) and *paired* ones, where each seed is measured in both conditions (a
within-subject design's test conditions, from one trained state: the paired t-test,
Wilcoxon's signed-rank test, d_z = mean difference / SD of the differences and g_av,
Lakens 2013). A contrast may name the direction it predicts (a one-sided test) or that
it predicts no effect (an equivalence test, TOST, within a margin in SD units).

Everything but the effect sizes (short formulas) comes from scipy.stats.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import stats

#: Confidence level of the bootstrap interval of the difference in means.
CONFIDENCE = 0.95
#: Bootstrap resamples (scipy.stats.bootstrap's default).
RESAMPLES = 9999
#: Seed of the bootstrap's generator: the same runs give the same intervals.
BOOTSTRAP_SEED = 0
#: A percentile interval is given when the statistic is finite on at least this share of
#: the resamples (its percentiles over those), else it is undefined (NaN).
MIN_FINITE_RESAMPLES = 0.95
#: A spread below this fraction of the values' magnitude is rounding, not spread: equal
#: differences such as 20/3 and 20 - 40/3 have an SD of 1e-16, not 0, and an effect over
#: it (a mean over that SD) would read 1e15 where it is undefined.
ROUNDING = 1e-9

COLUMNS = ("contrast", "metric", "design", "alternative", "n_a", "n_b", "mean_a", "mean_b",
           "sd_a", "sd_b", "difference", "hedges_g", "ci_low", "ci_high", "ci_method",
           "welch_t", "welch_p", "welch_p_bh", "mannwhitney_u", "mannwhitney_p",
           "mannwhitney_p_bh", "n_pairs", "d_z", "d_z_low", "d_z_high", "g_av", "paired_t",
           "paired_p", "paired_p_bh", "wilcoxon_w", "wilcoxon_p", "wilcoxon_p_bh",
           "margin", "tost_p", "tost_p_bh")
#: p-value columns corrected across the experiment.
TESTS = ("welch_p", "mannwhitney_p", "paired_p", "wilcoxon_p", "tost_p")
#: What a contrast may predict: a direction of a - b (one-sided tests), or no effect.
EXPECTATIONS = {"lower": "less", "higher": "greater", "same": "equivalent"}


def spread(sd, *samples, axis=None):
    """`sd` where it is a spread, NaN where it is none: at most ROUNDING x the samples'
    largest magnitude (along `axis`, for the vectorised statistics of a bootstrap)."""
    scale = np.max([np.max(np.abs(s), axis=axis) for s in samples], axis=0)
    return np.where(np.asarray(sd) > ROUNDING * scale, sd, np.nan)


def hedges_g(a, b) -> float:
    """Standardised mean difference (a - b) / pooled SD, small-sample corrected.

    Hedges' g = J d with d = (mean_a - mean_b) / s_pooled and J = 1 - 3 / (4 (n_a + n_b) - 9)
    (Hedges 1981). NaN when it is undefined (fewer than 2 values a side, or no spread).
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    n_a, n_b = len(a), len(b)
    if n_a < 2 or n_b < 2:
        return math.nan
    pooled = float(spread(math.sqrt(((n_a - 1) * a.var(ddof=1) + (n_b - 1) * b.var(ddof=1))
                                    / (n_a + n_b - 2)), a, b))
    if not math.isfinite(pooled):
        return math.nan
    correction = 1 - 3 / (4 * (n_a + n_b) - 9)
    return correction * (a.mean() - b.mean()) / pooled


def _mean_difference(a, b, axis=-1):
    return np.mean(a, axis=axis) - np.mean(b, axis=axis)


def bootstrap_ci(a, b) -> tuple:
    """95% bootstrap interval of mean(a) - mean(b): (low, high, method).

    BCa where it is defined; the percentile interval where BCa is not (e.g. tied
    values); NaN when there is nothing to resample.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 2 or len(b) < 2:
        return math.nan, math.nan, ""
    for method in ("BCa", "percentile"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # degenerate samples: handled below
            result = stats.bootstrap((a, b), _mean_difference, confidence_level=CONFIDENCE,
                                     n_resamples=RESAMPLES, method=method, vectorized=True,
                                     rng=np.random.default_rng(BOOTSTRAP_SEED))
        low, high = result.confidence_interval
        if np.isfinite(low) and np.isfinite(high):
            return float(low), float(high), method
    return math.nan, math.nan, ""


def compare(a, b, alternative: str = "two-sided") -> dict:
    """Every statistic of one independent contrast on one metric (uncorrected p-values)."""
    a = np.asarray([x for x in a if np.isfinite(x)], float)
    b = np.asarray([x for x in b if np.isfinite(x)], float)
    row = {"n_a": len(a), "n_b": len(b),
           "mean_a": _mean(a), "mean_b": _mean(b),
           "sd_a": _sd(a), "sd_b": _sd(b),
           "difference": _mean(a) - _mean(b), "hedges_g": hedges_g(a, b)}
    row["ci_low"], row["ci_high"], row["ci_method"] = bootstrap_ci(a, b)
    row["mannwhitney_u"] = row["mannwhitney_p"] = math.nan
    row["welch_t"], row["welch_p"] = _welch(a, b, alternative)
    if len(a) >= 1 and len(b) >= 1:
        mann = stats.mannwhitneyu(a, b, alternative=alternative)
        row["mannwhitney_u"], row["mannwhitney_p"] = float(mann.statistic), float(mann.pvalue)
    return row


def paired(a, b, alternative: str = "two-sided", margin: float | None = None) -> dict:
    """Every statistic of one paired contrast: `a` and `b` are the same subjects' values
    (a[i] and b[i] of seed i; pairs with a missing value are dropped). Uncorrected p.

    d_z = mean(a - b) / SD(a - b), with a percentile bootstrap interval over resampled
    pairs; g_av = (mean a - mean b) / mean(SD a, SD b) x the small-sample correction
    J = 1 - 3 / (4 (n - 1) - 1) (Lakens 2013). Tests: scipy.stats.ttest_rel and
    wilcoxon (signed-rank; all-zero differences give NaN). With `margin` (in SDs of the
    differences), TOST: two one-sided paired t-tests against -margin x SD and
    +margin x SD; p is the larger of the two (the effect lies within the margin if small).
    """
    pairs = [(x, y) for x, y in zip(a, b) if np.isfinite(x) and np.isfinite(y)]
    x = np.array([p[0] for p in pairs], float)
    y = np.array([p[1] for p in pairs], float)
    d = x - y
    n = len(d)
    row = {"n_a": n, "n_b": n, "n_pairs": n, "mean_a": _mean(x), "mean_b": _mean(y),
           "sd_a": _sd(x), "sd_b": _sd(y), "difference": _mean(d)}
    for key in ("d_z", "d_z_low", "d_z_high", "g_av", "paired_t", "paired_p",
                "wilcoxon_w", "wilcoxon_p", "tost_p", "ci_low", "ci_high"):
        row[key] = math.nan
    row["ci_method"], row["margin"] = "", math.nan if margin is None else float(margin)
    if n < 2:
        return row
    sd_d = float(spread(np.std(d, ddof=1), x, y))
    if math.isfinite(sd_d):
        differences = one_sample(d, 0.0)  # d_z = mean / SD of the differences, its interval
        row["d_z"], row["d_z_low"], row["d_z_high"] = (
            differences["effect"], differences["effect_low"], differences["effect_high"])
        row["ci_low"], row["ci_high"] = percentile_ci((d,), np.mean)
        row["ci_method"] = "percentile (pairs)"
        test = stats.ttest_rel(x, y, alternative=alternative)
        row["paired_t"], row["paired_p"] = float(test.statistic), float(test.pvalue)
        if margin is not None:
            bound = margin * sd_d
            low = stats.ttest_1samp(d, -bound, alternative="greater").pvalue
            high = stats.ttest_1samp(d, bound, alternative="less").pvalue
            row["tost_p"] = float(max(low, high))
    else:  # every pair differs by the same amount: the t-test's limit
        row["paired_p"] = constant_difference_p(float(d[0]), alternative)
    mean_sd = (row["sd_a"] + row["sd_b"]) / 2
    if mean_sd > 0:
        row["g_av"] = (1 - 3 / (4 * (n - 1) - 1)) * row["difference"] / mean_sd if n > 2 \
            else row["difference"] / mean_sd
    if np.any(d != 0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # small samples: scipy warns, the p is exact
            wilcoxon = stats.wilcoxon(x, y, alternative=alternative)
        row["wilcoxon_w"], row["wilcoxon_p"] = (float(wilcoxon.statistic),
                                                float(wilcoxon.pvalue))
    return row


def constant_difference_p(difference: float, alternative: str) -> float:
    """The p-value of a paired t-test whose pairs all differ by `difference` (no spread,
    where scipy gives NaN), as its limit: 0 for a non-zero difference in the tested
    direction, 1 otherwise (no difference, or the other direction)."""
    if difference == 0:
        return 1.0
    return {"two-sided": 0.0, "greater": 0.0 if difference > 0 else 1.0,
            "less": 0.0 if difference < 0 else 1.0}[alternative]


def differences_p(d, alternative: str) -> float:
    """The one-sample t-test of differences `d` against 0, with its limit where they do
    not vary (`constant_difference_p`); NaN for fewer than 2."""
    d = np.asarray(d, float)
    if len(d) < 2:
        return math.nan
    if np.std(d, ddof=1) > 0:
        return float(stats.ttest_1samp(d, 0.0, alternative=alternative).pvalue)
    return constant_difference_p(float(d[0]), alternative)


def welch_p(a, b, alternative: str) -> float:
    """Welch's t-test of two independent samples (finite values): `compare`'s p without
    its bootstrap; NaN for fewer than 2 a side, or where scipy gives NaN (neither sample
    varies and their means are equal)."""
    return _welch(np.asarray([x for x in a if np.isfinite(x)], float),
                  np.asarray([x for x in b if np.isfinite(x)], float), alternative)[1]


def _welch(a: np.ndarray, b: np.ndarray, alternative: str) -> tuple:
    """(t, p) of Welch's t-test on finite samples; NaN for fewer than 2 a side."""
    if len(a) < 2 or len(b) < 2:
        return math.nan, math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant samples give NaN, reported as such
        welch = stats.ttest_ind(a, b, equal_var=False, alternative=alternative)
    return float(welch.statistic), float(welch.pvalue)


def correct(rows: list) -> None:
    """Add Benjamini-Hochberg adjusted p-values across all `rows` (NaN stays NaN)."""
    for test in TESTS:
        for row, value in zip(rows, bh([row.get(test, math.nan) for row in rows])):
            row[f"{test}_bh"] = value


def contrast_table(runs: list, contrasts: list, metrics: list, sweep_keys: list,
                   design: str = "independent") -> list:
    """One row per contrast x sweep point x metric, from the per-run rows of runs.csv.

    `contrasts`: (a, b) or (a, b, expect, margin) with expect in EXPECTATIONS (None: a
    two-sided test). `design` 'paired' pairs the two conditions' runs by seed.
    """
    points = sweep_points(runs, sweep_keys)
    rows = []
    for contrast in contrasts:
        first, second, expect, margin = (*contrast, None, None)[:4]
        alternative = EXPECTATIONS.get(expect, "two-sided")
        tested = "two-sided" if alternative == "equivalent" else alternative
        for point in points:
            for metric in metrics:
                head = {"contrast": f"{first} - {second}", "condition_a": first,
                        "condition_b": second, **point, "metric": metric, "design": design,
                        "alternative": alternative}
                if design == "paired":
                    a, b = paired_values(runs, first, second, point, metric)
                    body = paired(a, b, tested, margin if expect == "same" else None)
                else:
                    body = compare(_values(runs, first, point, metric),
                                   _values(runs, second, point, metric), tested)
                rows.append({**head, **body})
    correct(rows)
    return rows


def paired_values(runs, first, second, point, metric) -> tuple:
    """The two conditions' finite values of `metric`, seed by seed (seeds measured in
    both only; a run without the metric counts as unmeasured)."""
    return matched_values(runs, (first, second), point, metric)


def matched_values(runs, conditions, point, metric) -> tuple:
    """Each condition's finite values of `metric`, seed by seed (seeds measured in
    every condition only; a run without the metric counts as unmeasured)."""
    by_seed = [{run["seed"]: float(run.get(metric, math.nan)) for run in runs
                if run["condition"] == condition
                and all(run.get(k) == v for k, v in point.items())}
               for condition in conditions]
    seeds = [seed for seed in by_seed[0]
             if all(math.isfinite(values.get(seed, math.nan)) for values in by_seed)]
    return tuple([values[s] for s in seeds] for values in by_seed)


def sweep_points(runs: list, keys: list) -> list:
    """The distinct values of the swept `keys` over `runs`, in order of appearance ([{}]:
    no sweep)."""
    seen = []
    for run in runs:
        point = {key: run[key] for key in keys}
        if point not in seen:
            seen.append(point)
    return seen or [{}]


def swept_number(value) -> float:
    """The number of a swept value ('3', 3.0 or '3 ms'); nan where it has none (a
    categorical point such as 'autoreceptor')."""
    try:
        return float(str(value).split()[0])
    except (ValueError, IndexError):
        return math.nan


def _values(runs, condition, point, metric) -> list:
    return [float(run[metric]) for run in runs
            if run["condition"] == condition and all(run[k] == v for k, v in point.items())]


def _mean(x) -> float:
    return float(np.mean(x)) if len(x) else math.nan


def _sd(x) -> float:
    return float(np.std(x, ddof=1)) if len(x) > 1 else math.nan


def _standardised_difference(a, b, axis=-1):
    """Hedges' g along `axis` (vectorised for scipy.stats.bootstrap)."""
    n_a, n_b = a.shape[axis], b.shape[axis]
    pooled = spread(np.sqrt(((n_a - 1) * np.var(a, axis=axis, ddof=1)
                             + (n_b - 1) * np.var(b, axis=axis, ddof=1)) / (n_a + n_b - 2)),
                    a, b, axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (1 - 3 / (4 * (n_a + n_b) - 9)) * _mean_difference(a, b, axis) / pooled


def knockout_effects(treated, treated_without, reference, reference_without,
                     axis=-1) -> tuple:
    """(effect, effect without the mechanism) of a knock-out design, along `axis`:
    mean(treated) - mean(reference) and mean(treated_without) - mean(reference_without).

    A knock-out removes what a mechanism does with the treatment and with the
    endogenous OXT alike, so the treatment's part through the mechanism is the
    difference of these differences, and its share of the effect is one minus their
    ratio (`knockout_share`). A reference may be a number (a one-sample test's value)."""
    def mean(x):
        return np.mean(x, axis=axis) if np.ndim(x) else float(x)

    return mean(treated) - mean(reference), mean(treated_without) - mean(reference_without)


def knockout_share(effect, effect_without):
    """The share of `effect` a mechanism carries, 1 - effect_without / effect: 1 all of
    it, 0 none, below 0 works against it, above 1 more than all of it (without it the
    effect reverses); NaN (or inf) where there is no effect to share."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 - np.asarray(effect_without) / np.asarray(effect)


def percentile_ci(samples: tuple, statistic, paired: bool = False) -> tuple:
    """95% percentile bootstrap interval of `statistic(*samples, axis)`, each sample
    resampled independently, or with `paired` (samples of equal length, element k of
    each from one subject) subjects resampled together. The percentiles are taken over
    the resamples where the statistic is finite (a share is undefined on a resample whose
    effect is 0) when they are at least MIN_FINITE_RESAMPLES of all; NaN otherwise, and
    where a sample has fewer than 2 values."""
    samples = tuple(np.asarray(s, float) for s in samples)
    if any(len(s) < 2 for s in samples):
        return math.nan, math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = stats.bootstrap(samples, statistic, confidence_level=CONFIDENCE,
                                 n_resamples=RESAMPLES, method="percentile", vectorized=True,
                                 paired=paired, rng=np.random.default_rng(BOOTSTRAP_SEED))
    distribution = np.asarray(result.bootstrap_distribution, float)
    finite = distribution[np.isfinite(distribution)]
    if finite.size < MIN_FINITE_RESAMPLES * distribution.size:
        return math.nan, math.nan
    tail = 100 * (1 - CONFIDENCE) / 2
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high)


def hedges_g_ci(a, b) -> tuple:
    """Hedges' g of a vs b and its 95% percentile bootstrap interval."""
    return (hedges_g(a, b), *percentile_ci((a, b), _standardised_difference))


def one_sample(x, value: float, alternative: str = "two-sided") -> dict:
    """A sample against a fixed value: the difference, the standardised effect
    (mean - value) / SD with its bootstrap interval, and the one-sample t-test."""
    x = np.asarray([v for v in x if np.isfinite(v)], float)
    row = {"n": len(x), "mean": _mean(x), "difference": _mean(x) - value,
           "effect": math.nan, "effect_low": math.nan, "effect_high": math.nan,
           "t": math.nan, "p": math.nan}
    if len(x) >= 2 and np.isfinite(spread(np.std(x, ddof=1), x)):
        def effect(sample, axis=-1):
            sd = spread(np.std(sample, axis=axis, ddof=1), sample, axis=axis)
            with np.errstate(divide="ignore", invalid="ignore"):
                return (np.mean(sample, axis=axis) - value) / sd
        row["effect"] = float(effect(x))
        row["effect_low"], row["effect_high"] = percentile_ci((x,), effect)
        test = stats.ttest_1samp(x, value, alternative=alternative)
        row["t"], row["p"] = float(test.statistic), float(test.pvalue)
    return row


def interaction(a, b, c, d, alternative: str = "two-sided") -> dict:
    """The difference of two differences, (a - b) - (c - d), over four independent
    samples: the ANOVA contrast t-test with the pooled within-group variance
    (df = N - 4), and the contrast over the pooled SD with its bootstrap interval."""
    groups = [np.asarray([v for v in g if np.isfinite(v)], float) for g in (a, b, c, d)]
    row = {"n": sum(len(g) for g in groups), "difference": math.nan, "effect": math.nan,
           "effect_low": math.nan, "effect_high": math.nan, "t": math.nan, "p": math.nan}
    if any(len(g) < 2 for g in groups):
        return row
    weights = np.array([1.0, -1.0, -1.0, 1.0])

    def pooled_sd(*samples, axis=-1):
        dof = sum(s.shape[axis] - 1 for s in samples)
        return np.sqrt(sum((s.shape[axis] - 1) * np.var(s, axis=axis, ddof=1)
                           for s in samples) / dof)

    def contrast(*samples, axis=-1):
        return sum(w * np.mean(s, axis=axis) for w, s in zip(weights, samples))

    def standardised(*samples, axis=-1):
        sd = spread(pooled_sd(*samples, axis=axis), *samples, axis=axis)
        with np.errstate(divide="ignore", invalid="ignore"):
            return contrast(*samples, axis=axis) / sd

    row["difference"] = float(contrast(*groups))
    sd = float(spread(pooled_sd(*groups), *groups))
    if math.isfinite(sd):
        dof = row["n"] - 4
        se = sd * math.sqrt(sum(1 / len(g) for g in groups))
        row["effect"] = row["difference"] / sd
        row["t"] = row["difference"] / se
        row["p"] = float({"two-sided": 2 * stats.t.sf(abs(row["t"]), dof),
                          "greater": stats.t.sf(row["t"], dof),
                          "less": stats.t.cdf(row["t"], dof)}[alternative])
        row["effect_low"], row["effect_high"] = percentile_ci(tuple(groups), standardised)
    return row


def interaction_paired(a, b, c, d, alternative: str = "two-sided") -> dict:
    """The difference of two differences, (a - b) - (c - d), over four samples matched by
    subject (a[i], b[i], c[i], d[i] of seed i): each subject's own double difference,
    tested against 0 (one-sample t), its effect the mean over the SD (d_z) with its
    bootstrap interval. The paired counterpart of `interaction`, for seed-matched groups."""
    double = np.asarray(a, float) - np.asarray(b, float) - (np.asarray(c, float)
                                                            - np.asarray(d, float))
    double = double[np.isfinite(double)]
    row = one_sample(double, 0.0, alternative)
    p = row["p"] if math.isfinite(row["p"]) else differences_p(double, alternative)
    return {"n": 4 * row["n"], "difference": row["difference"], "effect": row["effect"],
            "effect_low": row["effect_low"], "effect_high": row["effect_high"],
            "t": row["t"], "p": p}


def tost(a, b, bound: float, paired: bool = False) -> float:
    """The p-value of two one-sided tests (Lakens 2017) that mean(a) - mean(b) lies
    within +-`bound`: the larger of the tests of a - b > -bound and a - b < bound
    (paired t-tests on the differences of matched `a` and `b`, else Welch's)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if paired:
        d = a - b
        if len(d) < 2 or np.std(d, ddof=1) == 0:
            return math.nan
        low = stats.ttest_1samp(d, -bound, alternative="greater").pvalue
        high = stats.ttest_1samp(d, bound, alternative="less").pvalue
    else:
        if len(a) < 2 or len(b) < 2:
            return math.nan
        low = stats.ttest_ind(a + bound, b, equal_var=False, alternative="greater").pvalue
        high = stats.ttest_ind(a - bound, b, equal_var=False, alternative="less").pvalue
    return float(max(low, high))


def tost_ratio(a, b, margin: float, paired: bool = False) -> float:
    """The p-value of two one-sided tests that mean(a) / mean(b) lies within 1 +- `margin`:
    the larger of the tests of mean(a) - (1 + margin) mean(b) < 0 and mean(a) - (1 -
    margin) mean(b) > 0 (paired t-tests on a_i - k b_i of matched `a` and `b`, else
    Welch's of a against k b). Testing the ratio itself keeps the reference's own
    uncertainty in the test, which a bound fixed at margin x the observed mean(b) would
    leave out (more false equivalences than the test's level). NaN for a reference mean
    of 0; a negative one flips both samples' signs."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 2 or len(b) < 2 or not np.mean(b):
        return math.nan
    sign = 1.0 if np.mean(b) > 0 else -1.0
    a, b = sign * a, sign * b
    p = [differences_p(a - k * b, alternative) if paired else
         stats.ttest_ind(a, k * b, equal_var=False, alternative=alternative).pvalue
         for k, alternative in ((1 + margin, "less"), (1 - margin, "greater"))]
    return float(max(p))


def bh(p_values) -> list:
    """Benjamini-Hochberg adjusted p-values (NaN stays NaN)."""
    values = np.array(p_values, float)
    adjusted = np.full(len(values), math.nan)
    finite = np.isfinite(values)
    if finite.any():
        adjusted[finite] = stats.false_discovery_control(values[finite], method="bh")
    return [float(v) for v in adjusted]
