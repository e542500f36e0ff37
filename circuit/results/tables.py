"""Tidy CSV tables (one row per trial, session or subject), written atomically."""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

from .store import atomic_write_bytes


def write_csv(path: str | os.PathLike, rows: list, columns) -> Path:
    """Write `rows` (dicts) with `columns` in order; extra keys are appended, sorted."""
    columns = list(columns)
    extra = sorted({key for row in rows for key in row} - set(columns))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns + extra, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _plain(value) for key, value in row.items()})
    return atomic_write_bytes(path, buffer.getvalue().encode())


def read_csv(path: str | os.PathLike) -> list:
    """Rows of a CSV written by `write_csv`, numbers parsed back."""
    with open(path, newline="") as handle:
        return [{key: _number(value) for key, value in row.items()}
                for row in csv.DictReader(handle)]


def _plain(value):
    if isinstance(value, float) and math.isnan(value):
        return ""
    if hasattr(value, "item"):  # NumPy scalars
        return value.item()
    return value


def _number(text: str):
    if text == "":
        return float("nan")
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text
