"""A scorecard in parts: partial scorecards (`circuit validate --findings`) of one model,
each run when there was time for it, merged into the scorecard they make together.

Each test's statistic depends only on its own spec's runs, so the parts' measured
results are exact; what the merge redoes is what spans tests: the Benjamini-Hochberg
correction across every test of the union, the verdicts, and whether each knock-out's
effect is resolved. Parts merge only when they scored the same model: the same plans
(every run key of the catalogue) and the same simulation code and configs (`fingerprint`).
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

from ..config import ConfigError
from ..experiments.workflow import plan_keys
from ..resources import configs_dir
from . import scoring
from .findings import Catalogue

#: Package folders whose code decides a run's results (the rest reads or draws them).
NOT_SIMULATION = ("validation", "plotting", "cli.py", "__main__.py", "_data")


def fingerprint(plans_by_spec: dict) -> dict:
    """What a scorecard's runs depend on: `plan`, a digest of every run key of the whole
    catalogue's plans (configs, specs, seeds); `simulation`, a digest of the package's
    simulation code, the protocol and config files, and Brian2's version."""
    keys = sorted({key for plan in plans_by_spec.values() for key in plan_keys(plan)})
    plan = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]
    import brian2

    package = Path(__file__).resolve().parents[1]
    code = hashlib.sha256(brian2.__version__.encode())
    sources = [p for p in package.rglob("*.py")
               if p.relative_to(package).parts[0] not in NOT_SIMULATION]
    sources += list(configs_dir().rglob("*.yaml"))
    for path in sorted(sources, key=lambda p: (p.name, str(p))):
        code.update(path.name.encode())
        code.update(path.read_bytes())
    return {"plan": plan, "simulation": code.hexdigest()[:16]}


def read_part(path: Path) -> dict:
    """The scorecard.json of a partial (or full) validation: a file, or the directory
    holding it."""
    path = Path(path)
    file = path / "scorecard.json" if path.is_dir() else path
    try:
        return json.loads(file.read_text())
    except (OSError, ValueError) as err:
        raise ConfigError([f"--merge: {path}: no readable scorecard.json ({err})"]) from None


def merge(parts: list, catalogue: Catalogue) -> tuple:
    """(scored findings, knock-outs, sensitivity, ids merged) of the partial scorecards
    `parts` (their JSON), judged together; ConfigError if they are not of one model or
    score a finding twice with different numbers."""
    problems = _check(parts)
    measured, knockouts, sensitivity, seen = {}, [], [], {}
    by_id = {finding.id: finding for finding in catalogue.findings}
    for index, part in enumerate(parts):
        for entry in part["findings"]:
            finding = by_id.get(entry["id"])
            if finding is None or len(entry["tests"]) != len(finding.tests):
                problems.append(f"part {index + 1}: finding {entry['id']} is not the "
                                "catalogue's (its tests differ)")
                continue
            if entry["id"] in seen:
                continue  # the same runs give the same numbers (same fingerprint)
            seen[entry["id"]] = index
            for test, saved in zip(finding.tests, entry["tests"]):
                if saved["label"] != test.label:
                    problems.append(f"part {index + 1}: finding {entry['id']}: test "
                                    f"{saved['label']!r} is not the catalogue's {test.label!r}")
                measured[(finding.id, test.label)] = (finding, test, _result(saved))
        knockouts += [k for k in part.get("knockouts", []) if seen.get(k["finding"]) == index]
        if part.get("sensitivity") and not sensitivity:
            sensitivity = [_sensitivity_entry(e, catalogue) for e in part["sensitivity"]]
    if problems:
        raise ConfigError(problems)
    order = [(f.id, t.label) for f in catalogue.findings for t in f.tests]
    scored = scoring.judge(catalogue, [measured[k] for k in order if k in measured])
    scored = [entry for entry in scored if entry["tests"]]
    significant = {(entry["finding"].id, t["test"].label): t["p_bh"] < scoring.ALPHA
                   for entry in scored for t in entry["tests"]}
    mechanisms = list(catalogue.mechanisms)
    knockouts = sorted(  # in the catalogue's order, as a full run lists them
        ({**_numbers(k), "effect_resolved": significant.get((k["finding"], k["test"]))}
         for k in knockouts),
        key=lambda k: (mechanisms.index(k["mechanism"]), order.index((k["finding"], k["test"]))))
    return scored, knockouts, sensitivity, sorted(seen)


def _check(parts: list) -> list:
    """Problems that keep `parts` from being one model's scorecard."""
    if not parts:
        return ["--merge: no partial scorecard given"]
    problems = [f"part {k + 1}: a --quick scorecard (merge full runs only)"
                for k, part in enumerate(parts) if part.get("quick")]
    prints = [part.get("fingerprint") for part in parts]
    if any(p is None for p in prints):
        problems.append("--merge: a part has no fingerprint (scored before parts could be "
                        "merged): score it again with `circuit validate --resume`")
    elif len({json.dumps(p, sort_keys=True) for p in prints}) > 1:
        problems.append("--merge: the parts are of different models (plans or simulation "
                        "code differ: " + "; ".join(json.dumps(p) for p in prints) + ")")
    return problems


def _result(saved: dict) -> dict:
    """A measured test result from its JSON entry (None back to NaN)."""
    keys = ("n", "means", "difference", "effect", "effect_low", "effect_high", "p",
            "difference_low", "difference_high", "ratio", "restored", "bound")
    return {key: _number(saved[key]) for key in keys if key in saved}


def _numbers(entry: dict) -> dict:
    return {key: _number(value) for key, value in entry.items()}


def _number(value):
    if value is None:
        return math.nan
    if isinstance(value, list):
        return [_number(v) for v in value]
    return value


def _sensitivity_entry(saved: dict, catalogue: Catalogue) -> dict:
    tests = {t.label: t for f in catalogue.findings for t in f.tests}
    return {**_numbers(saved), "test": tests[saved["test"]]}
