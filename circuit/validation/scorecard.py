"""`circuit validate`: run every spec of the catalogue, score the findings, and write
the scorecard (scorecard.md, scorecard.json, figures) and each spec's experiment outputs.

All specs' runs go to one store (DIR/runs/<key>, shared: two specs that hold the same
config share one run) and one Dask execution, so every worker builds each network once.
"""

from __future__ import annotations

import copy
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from ..config import ConfigError, load_config
from ..config.loader import override_texts
from ..experiments.execute import execute
from ..experiments.plan import ALL, make_plan, read_plan, read_spec
from ..experiments.workflow import (logged_to, plan_keys, run_rows, where_it_runs,
                                    write_outputs)
from ..results.runs import ExperimentDir
from ..results.store import atomic_write_text
from ..running.provenance import git_commit
from . import scoring
from .findings import VALIDATION_DIR, Catalogue, read_catalogue
from .merge import check_directory, fingerprint, merge, read_part
from .report import partial, scorecard_json, scorecard_markdown

log = logging.getLogger(__name__)

#: --quick: checks the machinery, not the science. A network of a quarter of the
#: default's neurons, 4-trial sessions, two seeds, one session per phase of a schedule.
QUICK = {"seeds": [1, 2], "overrides": ("network.scale=0.1", "behaviour.trials=4")}
EXPERIMENTS, FIGURES = "experiments", "figures"
SCORECARD_MD, SCORECARD_JSON, LOG = "scorecard.md", "scorecard.json", "validation.log"
#: A merged scorecard's copies of its parts (scorecard.json of each).
PARTS = "parts"


@dataclass
class Scorecard:
    """What a validation produced (the contents of scorecard.json, in objects)."""

    out: Path
    findings: list
    knockouts: list
    sensitivity: list
    failed: dict
    quick: bool

    @property
    def passed(self) -> int:
        return sum(entry["verdict"] == "pass" for entry in self.findings)


def plans(catalogue: Catalogue, quick: bool = False, overrides=()) -> dict:
    """Every spec's plan, validated; problems of all specs reported together."""
    out, problems = {}, []
    for name in catalogue.specs:
        path = catalogue.folder / name
        try:
            if quick:  # the schedules to shorten, from one seed's runs (they share them)
                spec, found = read_spec(path)
                first = make_plan({**spec, "seeds": QUICK["seeds"][:1]}, found.parent,
                                  str(found), overrides)
                plan = make_plan(quick_spec(spec, first), found.parent, str(found),
                                 (*QUICK["overrides"], *overrides))
            else:
                plan = read_plan(path, overrides)
        except ConfigError as err:
            problems += [f"{name}: {p}" for p in err.problems]
            continue
        out[name] = plan
    problems += _missing_conditions(catalogue, out)
    if problems:
        raise ConfigError(problems)
    return out


def quick_spec(spec: dict, plan) -> dict:
    """`spec` with QUICK's seeds and each condition's schedule (a within-subject spec's
    training and tests alike) cut to one session per phase run (consecutive repeats of a
    protocol dropped)."""
    quick = copy.deepcopy(spec)
    quick["seeds"] = QUICK["seeds"]
    within = "train" in quick
    if within and isinstance(quick["train"], list):
        quick["train"] = _one_per_run(quick["train"])
    elif within and isinstance(quick["train"], dict) and "behaviour.schedule" in quick["train"]:
        quick["train"]["behaviour.schedule"] = _one_per_run(quick["train"]["behaviour.schedule"])
    key = "tests" if within else "conditions"
    conditions = quick.get(key) or {ALL: {}}
    for cell_run in plan.runs:
        short = _one_per_run(cell_run.config["behaviour"]["schedule"])
        conditions[cell_run.cell.condition] = {**(conditions[cell_run.cell.condition] or {}),
                                               "behaviour.schedule": short}
    quick[key] = conditions
    return quick


def _one_per_run(schedule) -> list:
    """A schedule with consecutive repeats of a protocol dropped."""
    schedule = list(schedule)
    return [p for k, p in enumerate(schedule) if k == 0 or p != schedule[k - 1]]


def _missing_conditions(catalogue: Catalogue, plans_by_spec: dict) -> list:
    problems = []
    for index, finding in enumerate(catalogue.findings):
        for k, test in enumerate(finding.tests):
            plan = plans_by_spec.get(test.spec)
            if plan is None:
                continue
            conditions = {cell.condition for cell in plan.cells}
            where = f"findings.yaml: findings[{index}].tests[{k}]"
            problems += [f"{where}: no condition {c!r} in {test.spec}"
                         for c in test.conditions if c not in conditions]
            if test.metric not in plan.metrics:
                problems.append(f"{where}: {test.spec} does not measure {test.metric!r} "
                                "(add it to the spec's metrics)")
    return problems


def run_validation(out: Path, quick: bool = False, workers: int | None = None,
                   scheduler: str | None = None, resume: bool = False, progress=None,
                   folder: Path = VALIDATION_DIR, overrides=(),
                   findings: list | None = None, sensitivity: bool = False) -> Scorecard:
    """Validate the catalogue and its specs, run what `out` lacks, score and write.

    `findings`: ids to run and score alone (a partial scorecard: the correction spans
    their tests only; the fold sensitivity too if `sensitivity`); their runs are the
    full scorecard's, so a later `--resume` of the whole catalogue into `out` keeps
    them, and partial scorecards of one model merge (`merge_validation`)."""
    from ..experiments.workflow import default_workers

    full = read_catalogue(folder)
    everything = plans(full, quick, overrides)  # everything checked before anything runs
    catalogue = full.subset(findings, sensitivity) if findings else full
    by_spec = {name: everything[name] for name in catalogue.specs}
    out = Path(out).absolute()
    if out.exists() and any(out.iterdir()) and not resume:
        raise FileExistsError(f"{out} already exists; pass --resume to finish the validation "
                              "it holds (stored runs are kept) or choose another --out")
    workers = default_workers() if workers is None else workers
    runs = run_order(catalogue, by_spec)
    where = where_it_runs(workers, scheduler)
    printed = fingerprint(everything)
    commit = git_commit(exclude=out)  # before anything is written: the code this process loaded
    with ExperimentDir(out) as store, logged_to(out / LOG):
        store.check_holds_only(key for plan in everything.values() for key in plan_keys(plan))
        check_directory(out, printed)
        log.info("circuit: validation%s: %d findings%s, %d specs, %d distinct runs on %s",
                 " (quick)" * quick, len(catalogue.findings),
                 f" ({_ids(catalogue)} of {len(full.findings)})" * bool(findings),
                 len(by_spec), len(runs), where)
        started = time.perf_counter()
        outcome = execute(runs, store, workers, scheduler, progress)
        rows = {}
        for name, plan in by_spec.items():
            target = out / EXPERIMENTS / Path(name).stem
            write_outputs(plan, store, target, outcome, started, where)
            atomic_write_text(target / "spec.yaml", (folder / name).read_text())
            rows[name] = run_rows(plan, store)
        scored = scoring.score(catalogue, rows)
        swept = scoring.sensitivity(full if catalogue.sensitivity else catalogue, rows)
        card = Scorecard(out, scored, scoring.knockout_shares(catalogue, rows, scored),
                         swept, outcome.failed, quick)
        context = _context(catalogue, by_spec, time.perf_counter() - started, where,
                           len(full.findings), printed)
        context["simulated_s"] = _simulated_s(store, by_spec)
        context["commit"] = commit  # the code that scored it (its runs: the fingerprint)
        # settings away from the configs' defaults, as the plans applied them
        context["overrides"] = override_texts((*QUICK["overrides"], *overrides) if quick
                                               else overrides)
        # a catalogue without a sensitivity block has none to leave out
        context["sensitivity_run"] = bool(catalogue.sensitivity or not full.sensitivity)
        _write(card, catalogue, context, _base_value(full, everything))
    return card


def merge_validation(parts: list, out: Path, folder: Path = VALIDATION_DIR) -> Scorecard:
    """The scorecard of partial scorecards of one model (`parts`: scorecard.json files or
    the validation directories holding them), judged together, written into `out`
    with a copy of each part (`out`/parts/), without simulating anything. `out` must be
    new or a merged scorecard's directory (FileExistsError otherwise)."""
    full = read_catalogue(folder)
    saved = [read_part(part) for part in parts]
    merged = merge(saved, full)
    out = Path(out).absolute()
    if (out / "runs").is_dir() or ((out / SCORECARD_JSON).is_file() and not json.loads(
            (out / SCORECARD_JSON).read_text()).get("parts")):
        raise FileExistsError(f"{out} holds a validation run, not a merged scorecard: merge "
                              "into another --out")
    for stale in (out / PARTS).glob("part*.json"):  # of an earlier merge into `out`
        stale.unlink()
    copies = []
    for k, part in enumerate(saved):
        copy = out / PARTS / f"part{k + 1}.json"
        copy.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(copy, json.dumps(part, indent=1))
        copies.append(copy.name)
    ids = merged["ids"]
    catalogue = full.subset(ids, merged["sensitivity_run"]) if len(ids) < len(full.findings) \
        else full
    card = Scorecard(out, merged["findings"], merged["knockouts"], merged["sensitivity"],
                     merged["failed"], False)
    simulated = [p.get("simulated_s") for p in saved]
    context = {"wall_s": sum(p.get("wall_s", 0.0) for p in saved),
               # parts written before the sum was recorded leave it unknown
               "simulated_s": None if None in simulated else sum(simulated),
               "where": "; ".join(dict.fromkeys(p.get("where", "?") for p in saved)),
               "seeds": {k: v for p in saved for k, v in p.get("seeds", {}).items()},
               "runs": sum(p.get("runs", 0) for p in saved),
               "subset": ids if len(ids) < len(full.findings) else None,
               "sensitivity_run": merged["sensitivity_run"],
               "catalogued": len(full.findings), "fingerprint": saved[0]["fingerprint"],
               # one fingerprint, so one set of settings; older parts did not record it
               "overrides": next((p["overrides"] for p in saved
                                  if p.get("overrides") is not None), None),
               "parts": [{"file": name, "date": p.get("date"), "commit": p.get("commit"),
                          "findings": [f["id"] for f in p["findings"]],
                          "sensitivity": p.get("sensitivity_run", bool(p.get("sensitivity")))}
                         for name, p in zip(copies, saved)]}
    _write(card, catalogue, context, _sensitivity_default(full))
    return card


def _context(catalogue: Catalogue, by_spec: dict, wall_s: float, where: str,
             catalogued: int, fingerprinted: dict) -> dict:
    return {"wall_s": wall_s, "where": where,
            "seeds": {name: plan.seeds for name, plan in by_spec.items()},
            "runs": len({run.key for plan in by_spec.values() for run in plan.runs}),
            "subset": ([finding.id for finding in catalogue.findings]
                       if len(catalogue.findings) < catalogued else None),
            "catalogued": catalogued, "fingerprint": fingerprinted}


def _simulated_s(store: ExperimentDir, by_spec: dict) -> float:
    """Wall time of every distinct run and training of the plans, as stored, summed:
    what the scorecard cost, whichever invocations simulated it."""
    keys = {key for plan in by_spec.values() for key in plan_keys(plan)}
    return sum(float(store.read(key).get("wall_s", 0.0)) for key in keys if store.done(key))


def run_order(catalogue: Catalogue, by_spec: dict) -> list:
    """Every distinct run of the plans: those of the scored findings' specs before those
    of the sensitivity's alone, each group's short schedules first, so an interrupted
    validation has what the findings need first."""
    scored = {test.spec for finding in catalogue.findings for test in finding.tests}
    runs = {}
    for name in sorted(by_spec, key=lambda name: name not in scored):
        for run in by_spec[name].runs:
            runs.setdefault(run.key, (name not in scored, run))
    return [run for _, run in sorted(runs.values(), key=lambda entry: (
        entry[0], len(entry[1].config["behaviour"]["schedule"])))]


def _ids(catalogue: Catalogue) -> str:
    return ", ".join(str(finding.id) for finding in catalogue.findings)


def redraw_figures(out: Path, folder: Path = VALIDATION_DIR) -> list:
    """The scorecard figures of the validation directory `out`, drawn again from the runs
    it stores, scored again (the same rows give the same scores; nothing is simulated and
    scorecard.json/.md are left as they are), or for a merged scorecard from its parts.
    FileNotFoundError naming how many runs it lacks (a validation run with --set, or one
    not finished: `circuit validate --resume`)."""
    out = Path(out).absolute()
    saved = json.loads((out / SCORECARD_JSON).read_text())
    quick = bool(saved.get("quick", False))
    full = read_catalogue(folder)
    if saved.get("parts"):  # a merged scorecard: from the copies of its parts
        merged = merge([read_part(out / PARTS / part["file"]) for part in saved["parts"]],
                       full)
        catalogue = full.subset(merged["ids"], merged["sensitivity_run"]) \
            if saved.get("subset") else full
        card = Scorecard(out, merged["findings"], merged["knockouts"],
                         merged["sensitivity"], merged["failed"], False)
        from ..plotting.validation_figures import make_validation_figures

        return make_validation_figures(card, catalogue, out / FIGURES,
                                       _sensitivity_default(full))
    sensitivity_run = saved.get("sensitivity_run", True)
    catalogue = full.subset(saved["subset"] or [f.id for f in full.findings], sensitivity_run) \
        if partial(saved) else full
    by_spec = plans(catalogue, quick)
    store = ExperimentDir(out)
    missing = {key for plan in by_spec.values() for key in plan_keys(plan)
               if not store.done(key)}
    if missing:
        raise FileNotFoundError(f"{out} lacks {len(missing)} run(s) of the catalogue's specs "
                                "(made with --set, or not finished): redraw its scorecard "
                                "with `circuit validate --out DIR --resume` and the same flags")
    rows = {name: run_rows(plan, store) for name, plan in by_spec.items()}
    scored = scoring.score(catalogue, rows)
    card = Scorecard(out, scored, scoring.knockout_shares(catalogue, rows, scored),
                     scoring.sensitivity(full if catalogue.sensitivity else catalogue, rows),
                     {}, quick)
    from ..plotting.validation_figures import make_validation_figures

    return make_validation_figures(card, catalogue, out / FIGURES,
                                   _base_value(catalogue, by_spec))


def _sensitivity_default(catalogue: Catalogue) -> float | None:
    """The sensitivity key's value in the base config of its first spec."""
    names = catalogue.sensitivity.get("specs") or []
    if not names:
        return None
    return _base_value(catalogue, {names[0]: read_plan(catalogue.folder / names[0])})


def _base_value(catalogue: Catalogue, by_spec: dict) -> float | None:
    """The sensitivity key's value in the base config of its first spec."""
    names = catalogue.sensitivity.get("specs") or []
    if not names or names[0] not in by_spec:
        return None
    plan = by_spec[names[0]]
    value = load_config(Path(plan.source).parent / plan.spec["base"])
    for part in catalogue.sensitivity["key"].split("."):
        value = value[part]
    return float(value)


def _write(card: Scorecard, catalogue: Catalogue, context: dict,
           default: float | None) -> None:
    from ..plotting.validation_figures import make_validation_figures

    figures = make_validation_figures(card, catalogue, card.out / FIGURES, default)
    context = {**context, "quick": card.quick, "failed_runs": len(card.failed),
               "sensitivity_default": default}
    atomic_write_text(card.out / SCORECARD_JSON,
                      json.dumps(scorecard_json(card, catalogue, context), indent=1))
    atomic_write_text(card.out / SCORECARD_MD,
                      scorecard_markdown(card, catalogue, context, figures, card.out))
