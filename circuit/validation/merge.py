"""A scorecard in parts: partial scorecards (`circuit validate --findings`) of one model,
each run when there was time for it, merged into the scorecard they make together.

Each test's statistic depends only on its own spec's runs, so the parts' measured
results are exact; what the merge redoes is what spans tests: the Benjamini-Hochberg
correction across every test of the union, the verdicts, and whether each knock-out's
effect is resolved. Parts merge only when they are of one model and scored alike
(`fingerprint`: the same plans, simulation code and scoring code) and test each finding
as the catalogue does.

A validation directory records the fingerprint of the code that made its first run
(`FINGERPRINT_FILE`); resuming it with other simulation code is refused, so a stored
run and a new one never come from two models.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict
from pathlib import Path

import yaml

from ..config import ConfigError
from ..config.schema import SCHEMA_PATH
from ..experiments.workflow import plan_keys
from ..resources import configs_dir
from ..results.store import atomic_write_text
from . import scoring
from .findings import Catalogue

#: Package folders and files (paths in the package) that read, score or draw results:
#: they do not decide a run's numbers. The statistics are scoring code (SCORING).
NOT_SIMULATION = ("validation", "plotting", "bench", "cli.py", "__main__.py", "_data",
                  "__pycache__", "analysis/statistics.py", "analysis/report.py")
#: The scoring code (paths in the package).
SCORING = ("validation/scoring.py", "analysis/statistics.py")
#: Where a validation directory keeps the fingerprint of the code that ran it.
FINGERPRINT_FILE = "fingerprint.json"
#: The protocols' folder in the configs (circuit.resources).
PROTOCOLS = "protocols"
#: Libraries whose versions enter the digests.
SIMULATION_LIBRARIES, SCORING_LIBRARIES = ("brian2", "numpy"), ("scipy", "numpy")


def simulation_sources() -> list:
    """The files whose content decides a run's numbers, beyond its config: the package's
    code and data outside NOT_SIMULATION, and the protocol files (named, not held, by a
    config)."""
    package = Path(__file__).resolve().parents[1]
    files = [p for p in package.rglob("*") if p.is_file() and p.suffix != ".pyc"
             and not _under(p.relative_to(package).as_posix(), NOT_SIMULATION)]
    return sorted(files) + sorted((configs_dir() / PROTOCOLS).glob("*.yaml"))


def _under(path: str, entries: tuple) -> bool:
    return any(path == entry or path.startswith(entry + "/") for entry in entries)


def _name(path: Path) -> str:
    """A source's name, the same in a checkout and an installed package."""
    if path.parent == configs_dir() / PROTOCOLS:  # in a wheel, under the package
        return f"{PROTOCOLS}/{path.name}"
    package = Path(__file__).resolve().parents[1]
    return str(Path(package.name) / path.relative_to(package))


def fingerprint(plans_by_spec: dict) -> dict:
    """What a scorecard's numbers depend on: `plan`, a digest of every run key of the
    whole catalogue's plans (configs, specs, seeds); `simulation`, of the simulation
    code and protocols (`simulation_sources`) with Brian2's and NumPy's versions;
    `scoring`, of the scoring code with SciPy's and NumPy's."""
    keys = sorted({key for plan in plans_by_spec.values() for key in plan_keys(plan)})
    package = Path(__file__).resolve().parents[1]
    scoring_files = [package / name for name in SCORING]
    return {"plan": hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16],
            "simulation": _digest(simulation_sources(), SIMULATION_LIBRARIES),
            "scoring": _digest(scoring_files, SCORING_LIBRARIES)}


def _digest(files: list, libraries: tuple) -> str:
    from importlib.metadata import version

    digest = hashlib.sha256(" ".join(f"{n}={version(n)}" for n in libraries).encode())
    for path in files:
        digest.update(_name(path).encode())
        schema = path.resolve() == SCHEMA_PATH.resolve()
        digest.update(_schema_rules(path) if schema else path.read_bytes())
    return digest.hexdigest()[:16]


def _schema_rules(path: Path) -> bytes:
    """The config schema as the simulation reads it: each key's structure mark, type and
    range (a leaf's text before its first '|'), without its meaning and source, so that
    documenting a key does not make stored runs look like another model's."""
    def rules(node):
        if isinstance(node, dict):
            return {key: rules(value) for key, value in node.items()}
        return str(node).split("|", 1)[0].strip()

    return json.dumps(rules(yaml.safe_load(path.read_text())), sort_keys=True).encode()


def recorded_simulation(out: Path) -> str | None:
    """The simulation fingerprint validation directory `out` records, if it has one."""
    file = Path(out) / FINGERPRINT_FILE
    return json.loads(file.read_text()).get("simulation") if file.is_file() else None


def check_directory(out: Path, printed: dict) -> None:
    """Record `printed` (this code's fingerprint) in validation directory `out`, or, if
    it holds one, refuse to add runs made by other simulation code to it."""
    file = Path(out) / FINGERPRINT_FILE
    if file.is_file():
        stored = recorded_simulation(out)
        if stored != printed["simulation"]:
            raise FileExistsError(
                f"{out} holds runs made by other simulation code (fingerprint "
                f"{stored}, this code's {printed['simulation']}): resuming "
                "would mix two models; choose another --out")
        return
    atomic_write_text(file, json.dumps({"simulation": printed["simulation"]}))


def read_part(path: Path) -> dict:
    """The scorecard.json of a partial (or full) validation: a file, or the directory
    holding it; ConfigError if it is not one."""
    path = Path(path)
    file = path / "scorecard.json" if path.is_dir() else path
    try:
        part = json.loads(file.read_text())
    except (OSError, ValueError) as err:
        raise ConfigError([f"{path}: no readable scorecard.json ({err})"]) from None
    if not (isinstance(part, dict) and isinstance(part.get("findings"), list)
            and all(isinstance(f, dict) and "id" in f and isinstance(f.get("tests"), list)
                    for f in part["findings"])):
        raise ConfigError([f"{file}: not a scorecard (no list of findings with tests)"])
    return part


def merge(parts: list, catalogue: Catalogue) -> dict:
    """The parts (their JSON) judged together: {"findings": scored, "knockouts",
    "sensitivity", "ids": findings merged, "failed": every part's failed runs,
    "sensitivity_run": whether a part ran it}. ConfigError if they are not of one model,
    test a finding otherwise than the catalogue, or score a finding twice with
    different numbers."""
    problems = _check(parts)
    by_id = {finding.id: finding for finding in catalogue.findings}
    measured, knockouts, sensitivity, owner, failed = {}, [], None, {}, {}
    for index, part in enumerate(parts):
        name = f"part {index + 1}"
        failed.update(part.get("failed_runs") or {})
        for entry in part["findings"]:
            finding = by_id.get(entry["id"])
            if finding is None:
                problems.append(f"{name}: finding {entry['id']!r} is not in the catalogue")
                continue
            results = _results(finding, entry, name, problems)
            if results is None:
                continue
            if entry["id"] in owner:
                if not _same(results, [measured[(finding.id, t.label)][2]
                                       for t in finding.tests]):
                    problems.append(f"{name}: finding {entry['id']} was scored with other "
                                    f"numbers in part {owner[entry['id']] + 1}")
                continue
            owner[entry["id"]] = index
            for test, result in zip(finding.tests, results):
                measured[(finding.id, test.label)] = (finding, test, result)
        knockouts += [k for k in part.get("knockouts", []) if owner.get(k.get("finding")) == index]
        if part.get("sensitivity") and sensitivity is None:
            sensitivity = [_sensitivity_entry(e, catalogue, name, problems)
                           for e in part["sensitivity"]]
    order = [(f.id, t.label) for f in catalogue.findings for t in f.tests]
    unknown = {k["mechanism"] for k in knockouts} - set(catalogue.mechanisms)
    problems += [f"a part's knock-outs name mechanism {m!r}, which the catalogue lacks"
                 for m in sorted(unknown)]
    if problems:
        raise ConfigError(problems)
    scored = scoring.judge(catalogue, [measured[k] for k in order if k in measured])
    scored = [entry for entry in scored if entry["tests"]]
    significant = scoring.resolved(scored)
    mechanisms = list(catalogue.mechanisms)
    knockouts = sorted(  # in the catalogue's order, as a full run lists them
        ({**_numbers(k), "effect_resolved": significant.get((k["finding"], k["test"]))}
         for k in knockouts),
        key=lambda k: (mechanisms.index(k["mechanism"]), order.index((k["finding"], k["test"]))))
    return {"findings": scored, "knockouts": knockouts, "sensitivity": sensitivity or [],
            "ids": sorted(owner), "failed": failed,
            "sensitivity_run": any(p.get("sensitivity_run", bool(p.get("sensitivity")))
                                   for p in parts)}


def _check(parts: list) -> list:
    """Problems that keep `parts` from being one model's scorecard, scored alike."""
    if not parts:
        return ["no partial scorecard to merge"]
    problems = [f"part {k + 1}: a --quick scorecard (merge full runs only)"
                for k, part in enumerate(parts) if part.get("quick")]
    prints = [part.get("fingerprint") for part in parts]
    if any(p is None for p in prints):
        problems.append("a part has no fingerprint (scored before scorecards could be "
                        "merged): score it again, with the code that ran it, by `circuit "
                        "validate --out DIR --resume` with the same --findings and "
                        "--sensitivity")
    elif len({json.dumps(p, sort_keys=True) for p in prints}) > 1:
        problems.append("the parts are not of one model scored alike (their plans, "
                        "simulation or scoring code differ: "
                        + "; ".join(json.dumps(p, sort_keys=True) for p in prints) + ")")
    return problems


#: A saved test entry's measured numbers (the rest is the test's definition or its
#: verdict, which the merge redoes).
MEASURED = ("n", "means", "difference", "effect", "effect_low", "effect_high", "p",
            "difference_low", "difference_high", "ratio", "restored", "treatment_p", "bound",
            "uniform")


def _results(finding, entry: dict, name: str, problems: list) -> list | None:
    """The measured results of a saved finding, test by test; None (and a problem) if
    its tests are not the catalogue's, field for field."""
    if len(entry["tests"]) != len(finding.tests):
        problems.append(f"{name}: finding {finding.id} has {len(entry['tests'])} tests, "
                        f"the catalogue's {len(finding.tests)}")
        return None
    out = []
    for test, saved in zip(finding.tests, entry["tests"]):
        definition = json.loads(json.dumps(asdict(test)))  # tuples as JSON lists
        # (a saved entry's ratio and difference are the measured ones, not the bounds;
        # the verdict takes the bounds from the catalogue)
        differs = [k for k, v in definition.items() if k not in MEASURED and saved.get(k) != v]
        if differs:
            problems.append(f"{name}: finding {finding.id}, test {test.label!r}: "
                            f"{', '.join(differs)} differ from the catalogue's")
            return None
        out.append({key: _number(saved[key]) for key in MEASURED if key in saved})
    return out


def _same(a: list, b: list) -> bool:
    """Whether two lists of measured results hold the same numbers (NaN equal to NaN)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _numbers(entry: dict) -> dict:
    return {key: _number(value) for key, value in entry.items()}


def _number(value):
    """A JSON value with None (NaN in the scorecard's JSON) back to NaN."""
    if value is None:
        return math.nan
    if isinstance(value, list):
        return [_number(v) for v in value]
    return value


def _sensitivity_entry(saved: dict, catalogue: Catalogue, name: str, problems: list) -> dict:
    tests = {t.label: t for f in catalogue.findings for t in f.tests}
    if saved.get("test") not in tests:
        problems.append(f"{name}: sensitivity test {saved.get('test')!r} is not the catalogue's")
        return {}
    return {**_numbers(saved), "test": tests[saved["test"]]}
