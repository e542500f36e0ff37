"""The `circuit` command: runs, writes a complete results directory, and fails clearly."""

import json
import subprocess
import sys

import pytest

import circuit
from circuit import cli
from circuit.cli import main
from conftest import REDUCED, ROOT

SHORT = []  # the reduced config as is: its build is shared with the other tests


def _circuit(*args):
    return subprocess.run([sys.executable, "-m", "circuit", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", [[], ["run"], ["check"]])
def test_help_on_every_command(command):
    result = _circuit(*command, "--help")
    assert result.returncode == 0
    assert "usage: circuit" in result.stdout


def test_bad_config_gives_one_clear_error_and_no_traceback(tmp_path):
    out = tmp_path / "run"
    result = _circuit("run", str(REDUCED), "--out", str(out), "--set", "neurons.msn.C=3 mV",
                      "--set", "fields.da.Kmm=1 nM")
    assert result.returncode == 2
    assert "neurons.msn.C" in result.stderr and "fields.da.Kmm" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_a_negative_worker_count_is_refused_before_anything_runs(tmp_path):
    out = tmp_path / "run"
    result = _circuit("run", str(ROOT / "configs" / "default.yaml"), "--out", str(out),
                      "--workers", "-1")
    assert result.returncode == 2 and "--workers: must be 0 or more" in result.stderr
    assert not out.exists()


def test_check_prints_the_resolved_config():
    result = _circuit("check", str(REDUCED), "--set", "network.scale=0.25")
    assert result.returncode == 0
    assert "scale: 0.25" in result.stdout


def test_run_writes_data_summary_and_figures(tmp_path):
    out = tmp_path / "run"
    assert main(["--quiet", "run", str(REDUCED), "--out", str(out), *SHORT]) == 0
    for name in ("config.yaml", "provenance.json", "summary.json", "spikes.npz",
                 "traces.npz", "rates.npz", "figures/raster.png", "figures/rates.png",
                 "figures/neuromodulators.png", "figures/occupancy.png"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rates_hz"]["vta_da"]["baseline"] > 0
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["seed"] == 1 and provenance["versions"]["brian2"] == "2.9.0"
    loaded = circuit.results.load(out)
    assert loaded.sizes["nac_d1"] == 100
    assert [p.name for p in loaded.phases] == ["baseline", "challenge", "washout"]


def test_existing_directory_is_not_overwritten_without_flag(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("earlier work")
    assert main(["--quiet", "run", str(REDUCED), "--out", str(out), *SHORT]) == 3
    assert (out / "keep.txt").read_text() == "earlier work"


def test_a_closed_pipe_stops_the_command_quietly(monkeypatch, capsys):
    class ClosedPipe:  # stdout once the reader has gone (`circuit check ... | head -1`)
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    status = main(["check", str(REDUCED)])
    assert status == 141  # 128 + SIGPIPE, not the bad-input status a ConnectionError gets
    assert "Broken pipe" not in capsys.readouterr().err


def test_a_broken_pipe_other_than_stdout_is_reported(monkeypatch, capsys):
    def broken(args):  # a worker's or a socket's pipe, while stdout is fine
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "_check", broken)
    assert main(["check", str(REDUCED)]) == 2
    assert "Broken pipe" in capsys.readouterr().err

