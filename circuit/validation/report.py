"""scorecard.md and scorecard.json: the findings, their tests and verdicts, the
knock-out shares and the fold-change sensitivity."""

from __future__ import annotations

import math
import os
from dataclasses import asdict
from datetime import date
from pathlib import Path

from .scoring import ALPHA

#: The scorecard's heading: where its text starts in a page that puts more above it.
TITLE = "# Validation scorecard"


def _clean(value):
    """JSON-safe: NaN and infinities become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _test_entry(result: dict) -> dict:
    test = result["test"]
    return {**asdict(test), "label": test.label,
            **{k: v for k, v in result.items() if k != "test"}}


def scorecard_json(card, catalogue, context: dict) -> dict:
    return _clean({
        "date": date.today().isoformat(), **context, "alpha": ALPHA,
        "passed": card.passed, "findings_total": len(card.findings),
        "findings": [{**{k: getattr(entry["finding"], k) for k in
                         ("id", "claim", "observation", "magnitude", "source")},
                      "verdict": entry["verdict"],
                      "tests": [_test_entry(t) for t in entry["tests"]]}
                     for entry in card.findings],
        "knockouts": card.knockouts,
        "sensitivity": [{**{k: v for k, v in e.items() if k != "test"},
                         "test": e["test"].label} for e in card.sensitivity],
        "failed_runs": card.failed,
    })


def _n(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.{digits}g}" if isinstance(value, float) else str(value)


def _p(value) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _interval(low, high) -> str:
    """' [low, high]', or nothing where the interval is undefined."""
    return f" [{_n(low)}, {_n(high)}]" if all(map(_finite, (low, high))) else ""


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def catalogue_alternative(catalogue) -> str:
    """How the catalogue's directional p-values are sided, in words."""
    tests = [t for f in catalogue.findings for t in f.tests]
    if any(t.alternative == "one-sided" for t in tests):
        return "one-sided in the predicted direction"
    return "two-sided"


def partial(context: dict) -> bool:
    """Whether a scorecard (its JSON, or its context) leaves out findings or the fold
    sensitivity."""
    return bool(context.get("subset")) or not context.get("sensitivity_run", True)


def _seeds(card) -> str:
    """The range of subjects per group over the scored tests ('12-16')."""
    counts = [n for entry in card.findings for result in entry["tests"]
              for n in result.get("n") or [] if isinstance(n, (int, float)) and n > 0]
    if not counts:
        return "no runs"
    low, high = int(min(counts)), int(max(counts))
    return f"{low}" if low == high else f"{low}-{high}"


def scorecard_markdown(card, catalogue, context: dict, figures: list, folder: Path) -> str:
    """The scorecard text; figure links relative to `folder`."""
    mode = ("**--quick**: a reduced network and two seeds. This checks the machinery, "
            "not the science: the verdicts below mean nothing." if card.quick else
            f"Full run: every condition with the seeds its spec names ({_seeds(card)} "
            f"per group in the scored tests), p < {ALPHA} after Benjamini-Hochberg "
            "correction across every test of the scorecard.")
    subset, parts = context.get("subset"), context.get("parts")
    swept = context.get("sensitivity_run", True)
    across = "every test of the scorecard"
    if parts:
        mode = (f"Merged from {len(parts)} partial runs of one model ("
                + "; ".join(f"{p['date']}"
                            + (f" at {_commit(p['commit'])}" if p.get("commit") else "")
                            + f": findings {', '.join(map(str, p['findings']))}"
                            + " and the fold sensitivity" * bool(p["sensitivity"])
                            for p in parts)
                + f"), each with the seeds its specs name; p < {ALPHA} after "
                f"Benjamini-Hochberg correction across {across}.")
    if subset:
        across = "the tests of these findings only"
        mode = mode.replace("every test of the scorecard", across)
    if partial(context):
        missing = ["the other findings"] * bool(subset) + \
            ["the heteromer-fold sensitivity"] * (not swept)
        headline = (f"**{card.passed} of the {len(card.findings)} findings scored here "
                    f"reproduced** (a partial scorecard: findings "
                    f"{', '.join(str(entry['finding'].id) for entry in card.findings)} of "
                    f"the {context.get('catalogued', '?')} of SCIENCE.md section 5; "
                    f"{' and '.join(missing)} not run yet).")
    else:
        headline = (f"**{card.passed} of {len(card.findings)} findings of SCIENCE.md "
                    "section 5 reproduced.**")
    runs = (f"{context['runs']} runs over its parts (a spec that serves findings of two "
            f"parts counted in each); the parts' last invocations took "
            f"{context['wall_s'] / 60:.1f} min (runs they found stored not counted)"
            if parts else f"{context['runs']} distinct runs on {context['where']}; "
            f"{context['wall_s'] / 60:.1f} min in this invocation")
    if context.get("simulated_s") is not None:
        runs += (f"; its runs and trainings took {context['simulated_s'] / 3600:.1f} "
                 "worker-hours of simulation (each one's wall time, summed"
                 + (", over the parts)" if parts else ")"))
    lines = [
        TITLE, "",
        f"{headline} {mode}", "",
        f"- date: {date.today().isoformat()}"
        + (f"; scored at commit {_commit(context['commit'])}" if context.get("commit") else "")
        + f"; {runs}"
        + (f"; **{context['failed_runs']} runs failed**" if context["failed_runs"] else ""),
        *_settings(context),
        "- a test passes when its effect is in the literature's direction, its p-value "
        f"(Welch's t-test, or the paired t-test where runs are paired by seed; one-sample "
        f"t; the ANOVA interaction contrast, or the one-sample t of each seed's double "
        f"difference where the groups are seed-matched; {catalogue_alternative(catalogue)}) "
        f"adjusted across {across} is below {ALPHA}, and a ratio, difference or "
        "restored fraction the literature gives is met (a blocker restores only an effect "
        "the treatment had: its own one-sided p below 0.05); an equivalence test passes "
        "when TOST puts the ratio of the means within 1 +- its margin at the same level",
        "- effect: Hedges' g (contrast), d_z (paired contrast), (mean - value) / SD (one "
        "sample), the contrast over the pooled SD (interaction; of the double differences "
        "where paired); 95% percentile bootstrap intervals",
        "- measures: " + _measures(card), "",
    ]
    lines += [f"![{Path(p).stem}]({os.path.relpath(p, folder)})" for p in figures[:1]]
    lines += ["", "| # | finding | test | means | effect [95% CI] | p (adj.) | verdict |",
              "|---|---|---|---|---|---|---|"]
    for entry in card.findings:
        for k, result in enumerate(entry["tests"]):
            finding = entry["finding"]
            test = result["test"]
            means = " vs ".join(_n(m) for m in result["means"])
            verdict = ("**pass**" if result["verdict"] == "pass" else "**FAIL**") + \
                f": {result['reason']}"
            lines.append(f"| {finding.id if k == 0 else ''} | "
                         f"{finding.claim if k == 0 else ''} | {test.label} | {means} | "
                         f"{_n(result['effect'])}"
                         f"{_interval(result['effect_low'], result['effect_high'])} | "
                         f"{_p(result['p_bh'])} | {verdict} |")
    lines += findings_section(card)
    lines += _knockout_section(card, catalogue, figures, folder)
    lines += _sensitivity_section(card, catalogue, figures, folder, context)
    if card.failed:
        lines += ["## Failed runs", ""] + [f"- `{key}`: {error}"
                                            for key, error in card.failed.items()] + [""]
    lines += ["## Outputs", "",
              "`scorecard.json` holds every number above; " + (
                  "`parts/` the scorecard.json of each part (their runs stay in the parts' "
                  "directories)." if context.get("parts") else
                  "`experiments/<spec>/` each spec's runs.csv, stats.csv, report.md and "
                  "figures; `runs/<key>/` every run."), ""]
    return "\n".join(lines)


def findings_section(card) -> list:
    """The scorecard's lines per finding: its claim, observation, magnitude, source and
    spec, then each test's ratio, bound or restored fraction against the literature's,
    and the groups whose subjects all sit at one value."""
    lines = ["", "## Findings", ""]
    for entry in card.findings:
        finding = entry["finding"]
        lines += [f"**{finding.id}. {finding.claim}** ({entry['verdict']}). Observed: "
                  f"{finding.observation}. Magnitude: {finding.magnitude}. Source: "
                  f"{finding.source}. Spec: "
                  + ", ".join(f"`validation/{s}`" for s in
                              dict.fromkeys(t["test"].spec for t in entry["tests"])), ""]
        for result in entry["tests"]:
            if "ratio" in result and result["test"].ratio:
                lines += [f"- ratio of means {_n(result['ratio'])} (literature: "
                          f"{result['test'].ratio[0]:g}-{result['test'].ratio[1]:g})", ""]
            elif result["test"].kind == "equivalence":
                lines += [f"- ratio of means {_n(result['ratio'])}; equivalence bound "
                          f"+-{_n(result['bound'])} (+-{result['test'].margin:.0%} of the "
                          "reference's mean)", ""]
            if result["test"].difference:
                low, high = result["test"].difference
                lines += [f"- difference of means {_n(result['difference'])} (literature: "
                          f"{low:g} to {high:g})", ""]
            for condition, value, n in result.get("uniform", []):
                lines += [f"- all {n} subjects of `{condition}` at {_n(value)}: a bound of "
                          "the measure's scale may cut a change towards it short", ""]
            if result["test"].restores_to:
                lines += [f"- restores {_n(result['restored'])} of the effect of "
                          f"{result['test'].reference} against {result['test'].restores_to} "
                          f"(at least {result['test'].restores_at_least:g} asked)", ""]
    return lines


def _knockout_section(card, catalogue, figures, folder) -> list:
    lines = ["## Knock-outs: the share of each effect a mechanism carries", "",
             "Share = 1 - effect without the mechanism / effect with it (1: it carries "
             "all of the effect; 0: none; below 0: the effect grows without it). "
             "Effect: the test's difference of means; 95% bootstrap interval (a paired "
             "test's seeds resampled together across the condition, its knock-out and its "
             "reference). The effect without the mechanism is measured against the "
             "reference without it where the spec runs one (`<reference>_no_<M>`: the "
             "share is then the treatment's own part), else against the reference with "
             "it, and the share also holds what the endogenous OXT does through the "
             "mechanism. Where the "
             "effect itself is not resolved (its two-sided p, adjusted across the tests, "
             "not below 0.05, in either direction: marked *effect not resolved*, and in "
             "italics in the figure) the share divides noise by noise: read it as "
             "undetermined.", ""]
    lines += [f"![knockouts]({os.path.relpath(p, folder)})" for p in figures
              if Path(p).stem == "knockouts"]
    lines += ["", "| mechanism | finding | test | share [95% CI] | without it, against |",
              "|---|---|---|---|---|"]
    for mechanism, spec in catalogue.mechanisms.items():
        rows = [k for k in card.knockouts if k["mechanism"] == mechanism]
        measured = [k for k in rows if _finite(k["share"])]
        if not measured:
            note = spec.get("idle", "no knock-out condition in the specs")
            lines.append(f"| {mechanism}: {spec['name']} | - | - | not run: {note} | - |")
            continue
        for k in measured:
            unresolved = " (effect not resolved)" if k["effect_resolved"] is False else ""
            lines.append(f"| {mechanism}: {spec['name']} | {k['finding']} | {k['test']} | "
                         f"{_n(k['share'], 3)}{_interval(k['low'], k['high'])}{unresolved} | "
                         f"{_against(k)} |")
    lines += ["", "Not run elsewhere, and why:", ""]
    lines += [f"- {m}: {spec['idle']}" for m, spec in catalogue.mechanisms.items()
              if spec.get("idle")]
    lines += ["- any other test: its spec has no condition `<condition>_no_<M>` (the "
              "knock-outs are run where OXT, or the mechanism, carries the effect)"]
    return lines + [""]


def _against(knockout: dict) -> str:
    """The reference the effect without the mechanism was measured against; scorecards
    made before it was recorded measured against the test's reference. A one-sample
    test has no reference condition (recorded as null, or NaN once merged)."""
    if "against" not in knockout:
        return "the test's reference"
    against = knockout["against"]
    if not isinstance(against, str) or against in ("", "nan"):
        return "the test's fixed value (one-sample test)"
    return f"`{against}`"


def _settings(context: dict) -> list:
    """The header line saying which settings the runs used, where the run recorded them."""
    overrides = context.get("overrides")
    if overrides is None:
        return []
    if not overrides:
        return ["- settings: every config's defaults (no `--set`)"]
    how = "`--quick`'s reduction, then any `--set`" if context.get("quick") else "`--set`"
    return [f"- settings: {', '.join(f'`{o}`' for o in overrides)} ({how}) on every "
            "spec's runs, away from the configs' defaults"]


def _commit(commit: str) -> str:
    """A commit, short, saying if the tree had uncommitted changes to tracked files."""
    short = commit[:12]
    return f"{short} (with uncommitted changes)" if commit.endswith("-dirty") else short


def _measures(card) -> str:
    """Each metric the scorecard's tests read, with its definition."""
    from ..analysis.behaviour import METRICS

    used = dict.fromkeys(result["test"].metric for entry in card.findings
                         for result in entry["tests"])
    return "; ".join(f"`{name}` {METRICS[name][1]}" if name in METRICS else f"`{name}`"
                     for name in used)


def _is_default(value, default) -> bool:
    try:
        return default is not None and math.isclose(float(value), float(default))
    except (TypeError, ValueError):
        return False


def _sensitivity_section(card, catalogue, figures, folder, context: dict) -> list:
    if not card.sensitivity:
        return []
    key = catalogue.sensitivity["key"]
    lines = [f"## Sensitivity to `{key}` (not known: SCIENCE.md M1)", ""]
    lines += [f"![heteromer fold]({os.path.relpath(p, folder)})" for p in figures
              if Path(p).stem == "heteromer_fold"]
    specs = ", ".join(f"`{name}`" for name in catalogue.sensitivity.get("specs", []))
    lines += ["", f"Each value is its own experiment ({specs}: the seeds each spec names, "
              "every subject trained at that value), so the default value's row differs "
              "from the scored test above by its subjects. Effect: d_z for a paired test, "
              "Hedges' g otherwise.", "",
              f"| finding | test | {key} | difference [95% CI] | effect |",
              "|---|---|---|---|---|"]
    default = context.get("sensitivity_default")
    for e in card.sensitivity:
        value = f"{e['value']} (default)" if _is_default(e["value"], default) else e["value"]
        lines.append(f"| {e['finding']} | {e['test'].label} | {value} | "
                     f"{_n(e['difference'])}"
                     f"{_interval(e.get('difference_low'), e.get('difference_high'))} | "
                     f"{_n(e['effect'])} |")
    return lines + [""]
