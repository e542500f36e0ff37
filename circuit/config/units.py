"""Parse and format physical quantities written in configs ("20 ms", "4 uM/s", "1 mg/kg").

Units are Brian2's, looked up by name in a restricted namespace: a unit string is a
product/quotient of unit names and numbers (``nS/mV``, ``1/ms``, ``uM/s``). Doses in
``mg/kg`` are dimensionless and kept as a plain float in mg/kg.
"""

from __future__ import annotations

import ast
import functools
import math
import operator
import re
import reprlib

import brian2
import numpy as np
from brian2.units.fundamentalunits import (DIMENSIONLESS, DimensionMismatchError, Quantity,
                                           get_dimensions)

# Brian2 replaces sys.excepthook at import so that *any* uncaught exception (a
# ConfigError in a user's script too) prints "Brian 2 encountered an unexpected error ...
# please report". Errors of this package are its own, with their own messages: keep
# Brian2's debug log but not that message.
brian2.prefs["logging.display_brian_error_message"] = False

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
# Matched against the stripped text; atomic and possessive parts keep it linear in time.
_QUANTITY_RE = re.compile(rf"(?P<value>(?>{_NUMBER}))\s*+(?P<unit>.*+)")
#: Longest unit text read: schema units have under 10 characters; the cap keeps a
#: malformed value from costing the parser much time or memory.
MAX_UNIT_LENGTH = 64

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
_OPERATORS = {ast.Mult: operator.mul, ast.Div: operator.truediv, ast.Pow: operator.pow,
              ast.USub: operator.neg}
#: A config value shown in an error message: shortened, so a huge value stays readable.
_SHOWN = reprlib.Repr()
_SHOWN.maxstring = _SHOWN.maxother = 80


class UnitError(ValueError):
    """A unit string that cannot be read."""


def shown(value) -> str:
    """`value` as an error message shows it (its repr, shortened); never fails."""
    try:
        return _SHOWN.repr(value)
    except ValueError:  # an int too long to write in decimal
        return f"<{type(value).__name__} too long to show>"


def counted(number: int, noun: str) -> str:
    """'1 seed', '2 seeds': a count with its noun, for messages."""
    return f"{number} {noun}{'s' * (number != 1)}"


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
    if len(text) > MAX_UNIT_LENGTH:
        raise UnitError(f"unit {shown(text)} is longer than {MAX_UNIT_LENGTH} characters")
    try:
        with np.errstate(all="ignore"):  # an infinite or zero scale is refused below
            unit = _evaluate(ast.parse(text, mode="eval").body, text)
    except (SyntaxError, ArithmeticError, TypeError, ValueError, RecursionError,
            DimensionMismatchError) as err:
        raise UnitError(f"cannot read unit {text!r}") from err
    scale = float(np.asarray(unit)) if isinstance(unit, (float, Quantity)) else math.nan
    if not math.isfinite(scale) or scale == 0:
        raise UnitError(f"unit {text!r} is not a finite, nonzero scale")
    return unit


def _evaluate(node, text: str):
    """The value of a unit expression: unit names, numbers (as floats), * / ** and -."""
    if isinstance(node, ast.Name):
        if node.id not in _UNITS:
            raise UnitError(f"unknown unit {node.id!r} in {text!r}")
        return _UNITS[node.id]
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)  # floats: 9**9**9 overflows at once, no endless bigint
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _evaluate(node.left, text), _evaluate(node.right, text)
        return _OPERATORS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.operand, text))
    raise UnitError(f"cannot read unit {text!r}")


def parse_quantity(text, unit: str):
    """Read `text` ("20 ms") as a quantity with the dimensions of `unit`.

    Raises UnitError with a message saying what was expected.
    """
    expected = parse_unit(unit)
    if isinstance(text, bool):
        raise UnitError(f"expected a quantity in {unit}, got {text!r}")
    if isinstance(text, (int, float)):
        if unit == "mg/kg":  # a dose says its unit, as a time or a concentration does
            raise UnitError(f"expected a dose with its unit, like '{shown(text)} mg/kg', "
                            f"got {shown(text)}")
        if get_dimensions(expected) is DIMENSIONLESS:
            try:
                return float(text)
            except OverflowError:
                raise UnitError(f"expected a number, got {shown(text)}") from None
        raise UnitError(f"expected a quantity with a unit, like '{shown(text)} {unit}', "
                        f"got {shown(text)}")
    if not isinstance(text, str):
        raise UnitError(f"expected a quantity in {unit}, got {shown(text)}")
    match = _QUANTITY_RE.fullmatch(text.strip())
    if match is None:
        raise UnitError(f"expected a number followed by a unit like {unit!r}, got {shown(text)}")
    value = float(match["value"])
    given = parse_unit(match["unit"]) if match["unit"] else 1.0
    if unit == "mg/kg" and match["unit"] != "mg/kg":
        raise UnitError(f"expected a dose in mg/kg, like '1 mg/kg', got {shown(text)}")
    if not _same_dimensions(given, expected):
        raise UnitError(
            f"expected units of {unit} ({get_dimensions(expected)}), got {shown(text)}"
        )
    if isinstance(given, Quantity):  # built directly: a Quantity product costs 7x more
        return Quantity(value * float(given), dim=given.dim)
    return value * given


def _same_dimensions(a, b) -> bool:
    """Whether `a` and `b` have the same dimensions. Brian2 keeps one Dimension object
    per set of exponents, so identity answers at once; Brian2's own comparison (with a
    tolerance, slow) decides the rest."""
    first, second = get_dimensions(a), get_dimensions(b)
    return first is second or first == second


def format_quantity(value, unit: str) -> str:
    """Write `value` in `unit` as a config string ("20 ms"); inverse of parse_quantity."""
    scale = parse_unit(unit)
    number = float(value / scale)
    if unit in ("", "1"):
        return repr(number) if not number.is_integer() else str(number)
    return f"{number:g} {unit}"
