"""The config schema (schema.yaml) and the validation of configs against it.

Every leaf of the schema is a `Spec`: a type with units and bounds, whether the key is
structural (changes the compiled network), what it means, and its source.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .units import UnitError, format_quantity, parse_quantity, parse_unit, shown

SCHEMA_PATH = Path(__file__).with_name("schema.yaml")
_SPEC_RE = re.compile(
    r"^(?P<structure>structure\s+)?(?P<type>choice\([^)]*\)|list\([^)]*\)|\S+)"
    r"\s*(?P<range>[\[(][^\])]*[\])])?$"
)
_BOOL_WORDS = {"on": True, "off": False, "true": True, "false": False, "yes": True, "no": False}


class ConfigError(ValueError):
    """Invalid input (a config, a spec, a state or a command's option): the message
    names every offending key path or option."""

    def __init__(self, problems):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        super().__init__(f"invalid input ({count} problem{'s' * (count != 1)}):\n{lines}")


@dataclass(frozen=True)
class Spec:
    """What one config key must hold."""

    kind: str  # "quantity", "int", "bool", "choice", "list"
    unit: str = "1"
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    choices: tuple = ()
    structural: bool = False
    meaning: str = ""
    source: str = ""

    def expected(self) -> str:
        """A short description of what is expected, for error messages."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "on or off"
        if self.kind == "list":
            return "a list of names" if self.unit == "str" else f"a list of quantities in {self.unit}"
        what = "an integer" if self.kind == "int" else (
            "a number" if self.unit == "1" else f"a quantity in {self.unit}")
        if math.isinf(self.low) and math.isinf(self.high):
            return what
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"{what} in {left}{self.low:.10g}, {self.high:.10g}{right}"

    def parse(self, value, path: str):
        """The value as the model uses it; ConfigError naming `path` if it is wrong."""
        try:
            parsed = self._parse(value)
        except (UnitError, TypeError, ValueError, ArithmeticError) as err:
            raise ConfigError(f"{path}: expected {self.expected()}, got {shown(value)} ({err})")
        if self.kind in ("quantity", "int") and not self._in_range(parsed):
            raise ConfigError(f"{path}: expected {self.expected()}, got {shown(value)}")
        return parsed

    def format(self, parsed):
        """The plain, YAML-serialisable form of a parsed value."""
        if self.kind == "quantity" and self.unit != "1":
            return format_quantity(parsed, self.unit)
        if self.kind == "list":
            if self.unit == "str":
                return list(parsed)
            return [format_quantity(v, self.unit) for v in parsed]
        return parsed

    def _parse(self, value):
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in _BOOL_WORDS:
                return _BOOL_WORDS[value.lower()]
            raise ValueError("not on/off")
        if self.kind == "choice":
            if value not in self.choices:
                raise ValueError("not a known choice")
            return value
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError("not an integer")
            return value
        if self.kind == "list":
            if not isinstance(value, list):
                raise TypeError("not a list")
            if self.unit == "str":
                if not all(isinstance(item, str) and item for item in value):
                    raise TypeError("not a list of names")
                return list(value)
            return [parse_quantity(item, self.unit) for item in value]
        if self.unit == "1":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError("not a number")
            return float(value)
        return parse_quantity(value, self.unit)

    def _in_range(self, parsed) -> bool:
        number = float(parsed / parse_unit(self.unit)) if self.kind == "quantity" else parsed
        if isinstance(number, float) and math.isnan(number):  # an int may not fit a float
            return False
        above = number > self.low if self.low_open else number >= self.low
        below = number < self.high if self.high_open else number <= self.high
        return above and below


def parse_spec(text: str) -> Spec:
    """Read a schema leaf "[structure] TYPE [RANGE] | meaning | source"."""
    head, meaning, source = (part.strip() for part in (text.split("|") + ["", ""])[:3])
    match = _SPEC_RE.match(head)
    if match is None:
        raise ValueError(f"bad schema entry: {text!r}")
    kind_text = match["type"]
    fields = dict(structural=bool(match["structure"]), meaning=meaning, source=source)
    if kind_text.startswith("choice("):
        choices = tuple(c.strip() for c in kind_text[7:-1].split(","))
        return Spec("choice", choices=choices, **fields)
    if kind_text.startswith("list("):
        return Spec("list", unit=kind_text[5:-1], **fields)
    if kind_text == "bool":
        return Spec("bool", **fields)
    kind, unit = ("int", "1") if kind_text == "int" else ("quantity", kind_text)
    if match["range"]:
        bounds = match["range"]
        low, high = (float(x) for x in bounds[1:-1].split(","))
        fields.update(low=low, high=high, low_open=bounds[0] == "(", high_open=bounds[-1] == ")")
    return Spec(kind, unit=unit, **fields)


@lru_cache(maxsize=1)
def schema() -> dict:
    """The schema as a nested dict whose leaves are `Spec` objects."""
    with open(SCHEMA_PATH) as handle:
        return _specs(yaml.safe_load(handle))


def _specs(node):
    if isinstance(node, dict):
        return {key: _specs(value) for key, value in node.items()}
    return parse_spec(node)


def leaves(tree: dict, prefix: str = ""):
    """(dotted path, spec) for every leaf of a schema tree."""
    for key, node in tree.items():
        path = f"{prefix}{key}"
        if isinstance(node, Spec):
            yield path, node
        else:
            yield from leaves(node, path + ".")


def validate(raw: dict, tree: dict | None = None) -> tuple[dict, dict]:
    """Check `raw` against the schema; return (parsed values, plain values).

    Every problem is collected, then raised together as one ConfigError.
    """
    problems: list[str] = []
    parsed, plain = _validate(raw, schema() if tree is None else tree, "", problems)
    if problems:
        raise ConfigError(problems)
    return parsed, plain


def _validate(raw, tree: dict, prefix: str, problems: list):
    if not isinstance(raw, dict):
        problems.append(f"{prefix.rstrip('.') or '<top>'}: expected a mapping of keys, "
                        f"got {shown(raw)}")
        return {}, {}
    parsed, plain = {}, {}
    for key in raw:
        if key not in tree:
            hint = difflib.get_close_matches(str(key), list(tree), n=1)
            where = prefix.rstrip(".") or "the top level"
            suggestion = f"; did you mean '{prefix}{hint[0]}'?" if hint else ""
            problems.append(f"{prefix}{key}: unknown key in {where}{suggestion} "
                            f"(known: {', '.join(tree)})")
    for key, node in tree.items():
        path = f"{prefix}{key}"
        if key not in raw:
            problems.append(f"{path}: missing key ({_describe(node)})")
            continue
        if isinstance(node, Spec):
            try:
                parsed[key] = node.parse(raw[key], path)
                plain[key] = node.format(parsed[key])
            except ConfigError as err:
                problems.extend(err.problems)
        else:
            parsed[key], plain[key] = _validate(raw[key], node, path + ".", problems)
    return parsed, plain


def _describe(node) -> str:
    if isinstance(node, Spec):
        return f"expected {node.expected()}"
    return "expected a section with keys " + ", ".join(node)


def structural_values(config) -> dict:
    """The values of every structural key, {dotted path: plain value}: the build key."""
    result = {}
    for path, spec in leaves(schema()):
        if spec.structural:
            node = config.plain
            for part in path.split("."):
                node = node[part]
            result[path] = node
    return result
