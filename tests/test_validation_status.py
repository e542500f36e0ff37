"""`circuit validate --status`: how far a validation directory has got, read from its
stored runs against the catalogue's plans, without simulating or locking."""

from __future__ import annotations

import json

import pytest

from circuit import cli
from circuit.config import ConfigError
from circuit.experiments.workflow import plan_keys
from circuit.validation.findings import read_catalogue
from circuit.validation.merge import fingerprint
from circuit.validation.scorecard import plans
from circuit.validation.status import status_table, validation_status

SPEC = "acute_motivation.yaml"


@pytest.fixture(scope="module")
def by_spec():
    return plans(read_catalogue(), quick=True)


def _store(out, key, wall_s=None, fault=None):
    folder = out / "runs" / key
    folder.mkdir(parents=True)
    if fault:
        (folder / "fault.json").write_text(json.dumps({"message": fault}))
    else:
        (folder / "run.json").write_text(json.dumps({"wall_s": wall_s}))


def test_status_counts_stored_runs_faults_and_the_time_left_per_spec(tmp_path, by_spec):
    keys = sorted(set(plan_keys(by_spec[SPEC])))
    out = tmp_path / "v"
    for key in keys[:3]:
        _store(out, key, wall_s=720.0)
    _store(out, keys[3], fault="vta_da rate over 1000 Hz")
    _store(out, "0123456789abcdef", wall_s=1.0)  # not a run of the plan: not counted
    (out / "fingerprint.json").write_text(json.dumps(
        {"simulation": fingerprint(by_spec)["simulation"]}))

    status = validation_status(out, findings=[2], quick=True)

    [spec] = status.specs  # finding 2 has one spec
    assert (spec.spec, spec.stored, spec.planned, spec.faults) == (SPEC, 3, len(keys), 1)
    assert spec.worker_hours_left == pytest.approx((len(keys) - 3) * 0.2)
    assert status.same_code is True and status.stored == 3
    assert status.fault_messages == {keys[3]: "vta_da rate over 1000 Hz"}
    assert f"faulted {keys[3]}: vta_da rate over 1000 Hz" in status_table(status)

    whole = validation_status(out, quick=True)
    assert whole.planned > status.planned and whole.stored == 3
    assert whole.worker_hours_left is None  # specs with nothing stored cannot be timed
    # the timed part is still counted: every stored run took 0.2 h, so each run left is
    # either timed at 0.2 h or untimed, and a run two specs plan is counted once
    timed = whole.timed_hours_left / 0.2
    assert timed == pytest.approx(round(timed)) and timed >= len(keys) - 3
    assert round(timed) + whole.untimed == whole.planned - whole.stored and whole.untimed > 0
    table = status_table(whole)
    assert f"{whole.timed_hours_left:.1f}+?" in table and f"{whole.untimed} runs not timed" in table


def test_status_says_when_the_directory_was_made_by_other_code(tmp_path):
    out = tmp_path / "v"
    out.mkdir()
    assert validation_status(out, findings=[2], quick=True).same_code is None
    (out / "fingerprint.json").write_text(json.dumps({"simulation": "not this code"}))
    assert validation_status(out, findings=[2], quick=True).same_code is False


def test_the_status_command_prints_a_table_and_refuses_a_missing_directory(tmp_path, capsys):
    out = tmp_path / "v"
    out.mkdir()
    assert cli.main(["validate", "--out", str(out), "--status", "--quick",
                     "--findings", "2"]) == 0
    printed = capsys.readouterr().out
    assert SPEC in printed and "no runs recorded yet" in printed
    total = next(line for line in printed.splitlines() if line.startswith("all"))
    assert total.endswith(" ?")  # nothing stored: nothing to time, not "0.0+?"
    with pytest.raises(ConfigError, match="no such validation directory"):
        validation_status(tmp_path / "absent", quick=True)
    assert cli.main(["validate", "--out", str(tmp_path / "absent"), "--status"]) != 0
