"""Parse and format physical quantities written in configs ("20 ms", "4 uM/s", "1 mg/kg").

Units are Brian2's, looked up by name in a restricted namespace: a unit string is a
product/quotient of unit names and numbers (``nS/mV``, ``1/ms``, ``uM/s``). Doses in
``mg/kg`` are dimensionless and kept as a plain float in mg/kg.
"""

from __future__ import annotations

import ast
import functools
import re

import brian2
from brian2.units.fundamentalunits import DIMENSIONLESS, Quantity, get_dimensions

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_QUANTITY_RE = re.compile(rf"^\s*(?P<value>{_NUMBER})\s*(?P<unit>.*?)\s*$")

#: Unit names allowed in configs, besides every unit Brian2 defines.
_EXTRA_UNITS = {"mg_per_kg": 1.0}


def _unit_namespace() -> dict:
    names = {}
    for module in (brian2.units.allunits, brian2):
        names.update(
            (name, value) for name, value in vars(module).items() if isinstance(value, Quantity)
        )
    names.update(s=brian2.second, min=60 * brian2.second, h=3600 * brian2.second,
                 day=86400 * brian2.second)
    return names


_UNITS = _unit_namespace()
_ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.Name, ast.Load, ast.Div, ast.Mult,
                  ast.Pow, ast.Constant, ast.UnaryOp, ast.USub)


class UnitError(ValueError):
    """A unit string that cannot be read."""


@functools.lru_cache(maxsize=None)
def parse_unit(text: str):
    """The Brian2 unit (a Quantity of magnitude 1 in SI) named by `text`; '1' is dimensionless.

    Cached: a config names a few dozen units, read hundreds of times per experiment plan.
    """
    text = text.strip()
    if text.startswith("/"):
        text = "1" + text
    if text in ("", "1"):
        return 1.0
    if text == "mg/kg":
        return _EXTRA_UNITS["mg_per_kg"]
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as err:
        raise UnitError(f"cannot read unit {text!r}") from err
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise UnitError(f"cannot read unit {text!r}")
        if isinstance(node, ast.Name) and node.id not in _UNITS:
            raise UnitError(f"unknown unit {node.id!r} in {text!r}")
    return eval(compile(tree, "<unit>", "eval"), {"__builtins__": {}}, _UNITS)  # noqa: S307


def parse_quantity(text, unit: str):
    """Read `text` ("20 ms") as a quantity with the dimensions of `unit`.

    Raises UnitError with a message saying what was expected.
    """
    expected = parse_unit(unit)
    if isinstance(text, bool):
        raise UnitError(f"expected a quantity in {unit}, got {text!r}")
    if isinstance(text, (int, float)):
        if get_dimensions(expected) is DIMENSIONLESS:
            return float(text)
        raise UnitError(f"expected a quantity with a unit, like '{text} {unit}', got {text!r}")
    if not isinstance(text, str):
        raise UnitError(f"expected a quantity in {unit}, got {text!r}")
    match = _QUANTITY_RE.match(text)
    if match is None:
        raise UnitError(f"expected a number followed by a unit like {unit!r}, got {text!r}")
    value = float(match["value"])
    given = parse_unit(match["unit"]) if match["unit"] else 1.0
    if unit == "mg/kg" and match["unit"] != "mg/kg":
        raise UnitError(f"expected a dose in mg/kg, like '1 mg/kg', got {text!r}")
    if get_dimensions(given) != get_dimensions(expected):
        raise UnitError(
            f"expected units of {unit} ({get_dimensions(expected)}), got {text!r}"
        )
    return value * given


def format_quantity(value, unit: str) -> str:
    """Write `value` in `unit` as a config string ("20 ms"); inverse of parse_quantity."""
    scale = parse_unit(unit)
    number = float(value / scale)
    if unit in ("", "1"):
        return repr(number) if not number.is_integer() else str(number)
    return f"{number:g} {unit}"
