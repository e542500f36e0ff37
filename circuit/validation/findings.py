"""The catalogue of findings (`validation/findings.yaml`): what each claims, where it is
observed, the spec that measures it and its tests; checked before anything runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


from ..analysis.behaviour import METRICS
from ..config import ConfigError
from ..config.loader import read_yaml_file
from ..resources import validation_dir

#: Where the catalogue and its specs live (circuit.resources: the checkout's
#: validation/ folder, or its copy in an installed wheel).
VALIDATION_DIR = validation_dir()
CATALOGUE = "findings.yaml"
KINDS = ("contrast", "one_sample", "interaction", "equivalence")
#: What a test predicts: a direction, or (equivalence tests only) no change.
EXPECTATIONS = {"lower": -1, "higher": 1, "same": 0}
#: How the conditions' runs relate: different subjects, or the same subjects (seeds)
#: measured in both (a within-subject design's tests, or seed-matched groups).
DESIGNS = ("independent", "paired")
#: Sidedness of every directional test's p-value (the catalogue's `alternative`).
ALTERNATIVES = ("two-sided", "one-sided")
_TEXT_KEYS = ("claim", "observation", "magnitude", "source")


@dataclass(frozen=True)
class Criterion:
    """One statistical test of a finding (see findings.yaml for the kinds)."""

    kind: str
    spec: str
    condition: str
    metric: str
    expect: str
    reference: str | None = None
    value: float | None = None
    versus: tuple = ()
    ratio: tuple | None = None
    design: str = "independent"
    margin: float | None = None  # equivalence: the bound, a fraction of the reference mean
    alternative: str = "two-sided"
    #: Magnitude as a difference of means, condition - reference: [low, high].
    difference: tuple | None = None
    #: A blocker's test: the condition (treatment + blocker) must move from the reference
    #: (the treatment alone) at least this fraction of the way back to `restores_to`.
    restores_to: str | None = None
    restores_at_least: float | None = None

    @property
    def sign(self) -> int:
        """+1 if the effect is predicted positive, -1 if negative, 0 if none."""
        return EXPECTATIONS[self.expect]

    @property
    def scipy_alternative(self) -> str:
        """The `alternative` of a scipy test of condition - reference."""
        if self.alternative == "two-sided" or self.sign == 0:
            return "two-sided"
        return "less" if self.sign < 0 else "greater"

    @property
    def conditions(self) -> list:
        return [c for c in (self.condition, self.reference, *self.versus, self.restores_to)
                if c is not None]

    @property
    def label(self) -> str:
        if self.kind == "one_sample":
            against = f"vs {self.value:g}"
        elif self.kind == "interaction":
            against = f"- {self.reference}, vs {' - '.join(self.versus)}"
        else:
            against = f"vs {self.reference}"
        expect = (f"within +-{self.margin:.0%}" if self.kind == "equivalence"
                  else self.expect)
        paired = ", paired" if self.design == "paired" else ""
        return f"{self.metric}: {self.condition} {against} ({expect}{paired})"


@dataclass(frozen=True)
class Finding:
    id: int
    claim: str
    observation: str
    magnitude: str
    source: str
    tests: tuple


@dataclass
class Catalogue:
    findings: list
    mechanisms: dict  # id -> {switch, name, idle?}
    sensitivity: dict = field(default_factory=dict)
    folder: Path = VALIDATION_DIR

    def subset(self, ids, sensitivity: bool = False) -> "Catalogue":
        """The catalogue of the findings `ids` only (their specs, the same mechanisms),
        with the sensitivity block only if `sensitivity`: a partial scorecard.
        ConfigError naming any id the catalogue lacks."""
        known = [f.id for f in self.findings]
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise ConfigError([f"--findings: no finding {i!r} in {CATALOGUE} (it has "
                               f"{', '.join(map(str, known))})" for i in unknown])
        chosen = [f for f in self.findings if f.id in set(ids)]
        return Catalogue(chosen, self.mechanisms, self.sensitivity if sensitivity else {},
                         self.folder)

    @property
    def specs(self) -> list:
        """Every spec file the catalogue names, in order of first use."""
        names = [t.spec for f in self.findings for t in f.tests]
        return list(dict.fromkeys(names + list(self.sensitivity.get("specs", []))))


def read_catalogue(folder: Path = VALIDATION_DIR) -> Catalogue:
    """Read and check `folder/findings.yaml`; every problem names its key."""
    path = Path(folder) / CATALOGUE
    data = read_yaml_file(path, "findings catalogue")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with 'findings'")
    problems = []
    alternative = data.get("alternative", "two-sided")
    if alternative not in ALTERNATIVES:
        problems.append(f"alternative: {alternative!r} is not one of {', '.join(ALTERNATIVES)}")
    mechanisms = data.get("mechanisms") or {}
    for key, spec in mechanisms.items():
        if not isinstance(spec, dict) or "switch" not in spec or "name" not in spec:
            problems.append(f"mechanisms.{key}: needs 'switch' and 'name'")
    findings = [_finding(entry, index, Path(folder), problems, alternative)
                for index, entry in enumerate(data.get("findings") or [])]
    if not findings:
        problems.append("findings: none listed")
    sensitivity = data.get("sensitivity") or {}
    for index, name in enumerate(sensitivity.get("specs", [])):
        if not (Path(folder) / name).is_file():
            problems.append(f"sensitivity.specs[{index}]: no spec file {name!r} in {folder}")
    known = {f.id for f in findings}
    for index, fid in enumerate(sensitivity.get("findings", [])):
        if fid not in known:
            problems.append(f"sensitivity.findings[{index}]: no finding {fid!r}")
    if problems:
        raise ConfigError([f"{path.name}: {p}" for p in problems])
    return Catalogue(findings, mechanisms, sensitivity, Path(folder))


def _finding(entry, index: int, folder: Path, problems: list,
             alternative: str = "two-sided") -> Finding | None:
    where = f"findings[{index}]"
    if not isinstance(entry, dict):
        problems.append(f"{where}: expected a mapping")
        return None
    for key in ("id", *_TEXT_KEYS, "spec", "tests"):
        if key not in entry:
            problems.append(f"{where}.{key}: missing")
    specs = entry.get("spec") or []
    specs = [specs] if isinstance(specs, str) else list(specs)
    for name in specs:
        if not (folder / name).is_file():
            problems.append(f"{where}.spec: no spec file {name!r} in {folder}")
    tests = tuple(_test(t, f"{where}.tests[{k}]", specs, problems, alternative)
                  for k, t in enumerate(entry.get("tests") or []))
    if not tests:
        problems.append(f"{where}.tests: none listed")
    return Finding(entry.get("id"), *(str(entry.get(key, "")) for key in _TEXT_KEYS),
                   tests=tests)


def _test(entry, where: str, specs: list, problems: list,
          alternative: str = "two-sided") -> Criterion | None:
    if not isinstance(entry, dict):
        problems.append(f"{where}: expected a mapping")
        return None
    kind = entry.get("kind")
    if kind not in KINDS:
        problems.append(f"{where}.kind: {kind!r} is not one of {', '.join(KINDS)}")
    expect = entry.get("expect")
    if kind == "equivalence" and expect != "same":
        problems.append(f"{where}.expect: an equivalence test predicts 'same' "
                        f"(got {expect!r})")
    elif kind != "equivalence" and expect not in ("lower", "higher"):
        problems.append(f"{where}.expect: {expect!r} is not lower or higher")
    design = entry.get("design", "independent")
    if design not in DESIGNS:
        problems.append(f"{where}.design: {design!r} is not one of {', '.join(DESIGNS)}")
    elif design == "paired" and kind not in ("contrast", "equivalence", "interaction"):
        problems.append(f"{where}.design: only contrast, equivalence and interaction tests "
                        "pair runs")
    margin = entry.get("margin")
    if kind == "equivalence" and not (isinstance(margin, (int, float)) and 0 < margin < 1):
        problems.append(f"{where}.margin: an equivalence test needs a margin in (0, 1), "
                        f"a fraction of the reference's mean (got {margin!r})")
    if entry.get("metric") not in METRICS:
        problems.append(f"{where}.metric: unknown metric {entry.get('metric')!r}")
    spec = entry.get("spec", specs[0] if len(specs) == 1 else None)
    if spec not in specs:
        problems.append(f"{where}.spec: must name one of the finding's specs {specs}")
    needed = {"contrast": ("reference",), "equivalence": ("reference",), "one_sample": ("value",),
              "interaction": ("reference", "versus")}.get(kind, ())
    for key in ("condition", *needed):
        if key not in entry:
            problems.append(f"{where}.{key}: missing (a {kind} test needs it)")
    versus = tuple(entry.get("versus") or ())
    if kind == "interaction" and len(versus) != 2:
        problems.append(f"{where}.versus: expected [condition, reference]")
    for key in ("ratio", "difference"):
        bounds = entry.get(key)
        if bounds is not None and (not isinstance(bounds, list) or len(bounds) != 2
                                   or not bounds[0] <= bounds[1]):
            problems.append(f"{where}.{key}: expected [low, high]")
    restores = entry.get("restores")
    if restores is not None:
        if kind != "contrast":
            problems.append(f"{where}.restores: only a contrast test (blocker + treatment vs "
                            "the treatment) restores")
        if not (isinstance(restores, dict) and isinstance(restores.get("to"), str)
                and isinstance(restores.get("at_least"), (int, float))
                and 0 < restores["at_least"] <= 1):
            problems.append(f"{where}.restores: expected {{to: <untreated condition>, "
                            f"at_least: <fraction in (0, 1]>}}, got {restores!r}")
            restores = None
    ratio, difference = entry.get("ratio"), entry.get("difference")
    return Criterion(kind=kind, spec=spec, condition=entry.get("condition"),
                metric=entry.get("metric"), expect=entry.get("expect"),
                reference=entry.get("reference"), value=entry.get("value"), versus=versus,
                ratio=tuple(ratio) if ratio else None, design=design,
                margin=float(margin) if kind == "equivalence" and margin else None,
                alternative=alternative,
                difference=tuple(difference) if difference else None,
                restores_to=restores["to"] if restores else None,
                restores_at_least=float(restores["at_least"]) if restores else None)
