"""`circuit validate --quick` end to end: every spec of the catalogue on a
reduced network with two seeds, the scorecard, its figures, and a resume that reuses
every run. It checks the machinery, not the science (docs/validation.md). It runs the
package as installed from its wheel, from an empty directory (the catalogue is package
data; tests/wheel_install.py). Marked slow (about 3.5 minutes on 2 cores; `make test-all`
runs it): CI's default run keeps the stand-in scorecard pipeline of
tests/test_validation.py, which checks the scoring and every output without simulating."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from circuit.results.tables import read_csv
from circuit.validation.findings import read_catalogue
from circuit.validation.scorecard import plans


@pytest.mark.slow
def test_quick_validation_writes_the_scorecard_and_resumes(tmp_path, installed):
    def _validate(out, *extra):
        return installed.circuit("validate", "--quick", "--out", str(out), *extra)

    out = tmp_path / "validation"
    first = _validate(out)
    assert first.returncode == 0, first.stderr[-3000:]
    card = json.loads((out / "scorecard.json").read_text())
    assert card["quick"] is True
    assert [f["id"] for f in card["findings"]] == list(range(1, 13))
    assert all(f["verdict"] in ("pass", "fail") for f in card["findings"])
    for plan in plans(read_catalogue(), quick=True).values():  # both seeds of every cell
        rows = read_csv(out / "experiments" / Path(plan.source).stem / "runs.csv")
        assert sorted((r["cell"], int(r["seed"])) for r in rows) == sorted(
            (run.cell.name, run.seed) for run in plan.runs)
    runs = [r for p in plans(read_catalogue(), quick=True).values() for r in p.runs]
    distinct = {r.key for r in runs} | {r.training.key for r in runs if r.training}
    stored = {p.name for p in (out / "runs").iterdir()}
    assert stored == distinct  # every run once, under its key
    measured = [k for k in card["knockouts"] if k["run"]]
    assert {k["mechanism"] for k in measured} == {*(f"M{k}" for k in range(1, 8)), "VE"}
    assert {e["value"] for e in card["sensitivity"]} == {1, 2, 3, 10}
    for name in ("scorecard.png", "knockouts.png", "heteromer_fold.png"):
        assert (out / "figures" / name).stat().st_size > 10_000
    text = (out / "scorecard.md").read_text()
    assert "**--quick**" in text and "## Knock-outs" in text
    assert (out / "experiments" / "acute_reinstatement" / "report.md").is_file()

    again = _validate(out, "--resume")
    assert again.returncode == 0, again.stderr[-3000:]
    tests = {r.key for r in runs}  # a stored test needs no training run: only tests count
    assert f"0 runs simulated, {len(tests)} reused" in again.stderr
    taken = _validate(out)
    assert taken.returncode == 3 and "--resume" in taken.stderr
