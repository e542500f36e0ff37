"""The worked example of docs/example.py runs end to end: a within-subject experiment,
its tables in pandas, one recorded session exported to NWB, a PSTH with Elephant."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT

EXAMPLE = ROOT / "docs" / "example.py"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("example") / "out"
    done = subprocess.run([sys.executable, str(EXAMPLE), "--out", str(out)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out, done.stdout


def test_the_example_writes_its_tables_nwb_and_psth(example):
    out, stdout = example
    sessions = pd.read_csv(out / "sessions.csv")
    assert set(sessions["group"]) == {"vehicle", "oxt"}  # the tests (trainings: runs/)
    assert (out / "psth_d1.png").stat().st_size > 0
    assert "drug-lever presses" in stdout


def test_the_exported_session_reads_back_with_pynwb(example):
    from pynwb import NWBHDF5IO

    out, _ = example
    with NWBHDF5IO(str(out / "session.nwb"), "r") as io:
        nwbfile = io.read()
        units = nwbfile.units.to_dataframe()
        trials = nwbfile.trials.to_dataframe()
    assert (units["population"] == "nac_d1").sum() > 0
    assert trials["press"].sum() > 0
