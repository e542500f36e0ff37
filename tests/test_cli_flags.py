"""Every flag of every subcommand either acts or is refused with a message naming it:
a table of command lines, each checked against what reaches the workflow it calls
(circuit.workflows, circuit.experiments, circuit.validation; replaced here by recorders,
so nothing is simulated), and a check that the table covers every flag of the parser."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import dask

import circuit.experiments
import circuit.plotting.redraw
import circuit.results.export
import circuit.results.nwb
import circuit.validation
import circuit.validation.status
import circuit.workflows
from circuit import cli
from circuit.experiments.execute import DASHBOARD_KEY
from circuit.results import State, write_state

from conftest import BEHAVIOUR, REDUCED, ROOT

SPEC = ROOT / "configs" / "experiments" / "heteromer.yaml"
BENCH = ROOT / "configs" / "bench" / "pairing_with_da.yaml"


@pytest.fixture
def calls(monkeypatch, tmp_path):
    """Recorders in place of the workflows: {name: (args, kwargs)} of the last call."""
    seen = {}

    def recorder(name, result):
        def record(*args, **kwargs):  # with the dashboard the Dask config asks for
            seen[name] = (args, kwargs, dask.config.get(DASHBOARD_KEY, None))
            return result
        return record

    done = SimpleNamespace(complete=True, out=tmp_path, failed={}, faults={}, passed=0,
                           findings=[], quick=False)
    monkeypatch.setattr(circuit.workflows, "run_to", recorder("run_to", tmp_path))
    monkeypatch.setattr(circuit.workflows, "bench_to", recorder("bench_to", tmp_path))
    monkeypatch.setattr(circuit.experiments, "run_config", recorder("run_config", done))
    monkeypatch.setattr(circuit.experiments, "run_spec", recorder("run_spec", done))
    monkeypatch.setattr(circuit.validation, "run_validation", recorder("run_validation", done))
    monkeypatch.setattr(circuit.validation, "merge_validation",
                        recorder("merge_validation", done))
    monkeypatch.setattr(circuit.validation.status, "validation_status",
                        recorder("validation_status", done))
    monkeypatch.setattr(circuit.validation.status, "status_table", lambda status: "")
    monkeypatch.setattr(circuit.results.export, "load_run", lambda directory: "results")
    monkeypatch.setattr(circuit.results.nwb, "write_nwb", recorder("write_nwb", tmp_path))
    monkeypatch.setattr(circuit.plotting.redraw, "redraw", recorder("redraw", []))
    return seen


@pytest.fixture
def state_dir(tmp_path):
    folder = tmp_path / "day0"
    folder.mkdir()
    write_state(State(seed=1, structure="x", weights={"a": np.ones(3)}), folder / "state.npz")
    return folder


def _config(call):
    return call[0][0]


#: (command line, workflow it reaches, what must hold of that call: (args, kwargs) and
#: the --out path). {out} and {state} are filled in per test.
ACTS = [
    (["run", REDUCED, "--out", "{out}"], "run_to",
     lambda c, out: c[0][1] == out and c[1]["overwrite"] is False),
    (["run", REDUCED, "--out", "{out}", "--seed", "5"], "run_to",
     lambda c, out: _config(c)["simulation"]["seed"] == 5),
    (["run", REDUCED, "--out", "{out}", "--set", "network.scale=0.25"], "run_to",
     lambda c, out: _config(c)["network"]["scale"] == 0.25),
    (["run", REDUCED, "--out", "{out}", "--overwrite"], "run_to",
     lambda c, out: c[1]["overwrite"] is True),
    (["run", REDUCED, "--out", "{out}", "--no-figures"], "run_to",
     lambda c, out: c[1]["figures"] is False),
    (["-q", "run", REDUCED, "--out", "{out}"], "run_to", lambda c, out: c[1]["progress"] is False),
    (["--quiet", "run", REDUCED, "--out", "{out}"], "run_to",
     lambda c, out: c[1]["progress"] is False),
    (["run", REDUCED, "--out", "{out}", "-q"], "run_to", lambda c, out: not c[1]["progress"]),
    (["run", REDUCED, "--out", "{out}", "--quiet"], "run_to",
     lambda c, out: not c[1]["progress"]),
    (["experiment", SPEC, "--out", "{out}", "-q", "--quiet"], "run_spec",
     lambda c, out: c[1]["progress"] is None),
    (["validate", "--out", "{out}", "-q", "--quiet"], "run_validation",
     lambda c, out: c[1]["progress"] is None),
    (["plasticity", BENCH, "--out", "{out}", "-q", "--quiet"], "bench_to",
     lambda c, out: {h.level for h in logging.getLogger().handlers} == {logging.WARNING}),
    (["run", REDUCED, "--out", "{out}", "--restore", "{state}"], "run_to",
     lambda c, out: c[1]["state"].vta_potentiation == 0.0),
    (["run", REDUCED, "--out", "{out}", "--restore", "{state}", "--elapsed", "1 day"],
     "run_to", lambda c, out: c[1]["state"] is not None),
    (["run", REDUCED, "--out", "{out}", "--workers", "1"], "run_to",  # what it does anyway
     lambda c, out: c[1]["state"] is None),
    (["run", BEHAVIOUR, "--out", "{out}", "--set", "experiment.seeds=[7]"], "run_config",
     lambda c, out: _config(c).experiment["seeds"] == [7]),
    (["experiment", SPEC, "--out", "{out}", "--set", "a.b=1"], "run_spec",
     lambda c, out: c[1]["overrides"] == ["a.b=1"]),
    (["validate", "--out", "{out}", "--quick"], "run_validation",
     lambda c, out: c[1]["quick"] is True),
    (["validate", "--out", "{out}", "--workers", "2"], "run_validation",
     lambda c, out: c[1]["workers"] == 2),
    (["validate", "--out", "{out}", "--scheduler", "tcp://h:1"], "run_validation",
     lambda c, out: c[1]["scheduler"] == "tcp://h:1"),
    (["validate", "--out", "{out}", "--resume"], "run_validation",
     lambda c, out: c[1]["resume"] is True),
    (["validate", "--out", "{out}", "--set", "a.b=1"], "run_validation",
     lambda c, out: c[1]["overrides"] == ["a.b=1"]),
    (["validate", "--out", "{out}", "--findings", "2,4"], "run_validation",
     lambda c, out: c[1]["findings"] == [2, 4] and c[1]["sensitivity"] is False),
    (["validate", "--out", "{out}", "--findings", "11", "--sensitivity"], "run_validation",
     lambda c, out: c[1]["findings"] == [11] and c[1]["sensitivity"] is True),
    (["validate", "--out", "{out}", "--status", "--findings", "2"], "validation_status",
     lambda c, out: c[0][:2] == (out, [2])),
    (["validate", "--out", "{out}", "--merge", "{state}", "{state}"], "merge_validation",
     lambda c, out: len(c[0][0]) == 2 and c[0][1] == out),
    (["plasticity", BENCH, "--out", "{out}", "--config", REDUCED], "bench_to",
     lambda c, out: c[0][2] == Path(REDUCED)),
    (["plasticity", BENCH, "--out", "{out}", "--set", "a.b=1"], "bench_to",
     lambda c, out: c[0][3] == ["a.b=1"]),
    (["plasticity", BENCH, "--out", "{out}", "--overwrite"], "bench_to",
     lambda c, out: c[1]["overwrite"] is True),
    (["validate", "--out", "{out}", "--dashboard"], "run_validation",
     lambda c, out: c[2] == cli.DASHBOARD_ADDRESS),
    (["export", "{state}", "--nwb", "{out}"], "write_nwb",
     lambda c, out: c[0] == ("results", out) and c[1]["overwrite"] is False),
    (["export", "{state}", "--nwb", "{out}", "--overwrite", "-q", "--quiet"], "write_nwb",
     lambda c, out: c[1]["overwrite"] is True),
    (["plot", "{state}", "--formats", "pdf,svg"], "redraw",
     lambda c, out: c[0][1] == ("pdf", "svg")),
    (["plot", "{state}", "-q", "--quiet"], "redraw", lambda c, out: c[0][1] == ("png", "pdf", "svg")),
]

#: The runner flags of the two commands that run the experiment engine, each with what
#: must reach run_config (circuit run of a behavioural config) or run_spec.
RUNNER_FLAGS = [(["--workers", "3"], lambda c, out: c[1]["workers"] == 3),
                (["--scheduler", "tcp://h:1"], lambda c, out: c[1]["scheduler"] == "tcp://h:1"),
                (["--resume"], lambda c, out: c[1]["resume"] is True),
                (["--overwrite"], lambda c, out: c[1]["overwrite"] is True),
                (["--no-figures"], lambda c, out: c[1]["figures"] is False),
                (["--dashboard", ":8790"], lambda c, out: c[2] == ":8790")]
ACTS += [([command, source, "--out", "{out}", *flags], workflow, holds)
         for command, source, workflow in (("run", BEHAVIOUR, "run_config"),
                                           ("experiment", SPEC, "run_spec"))
         for flags, holds in RUNNER_FLAGS]

#: (command line, what the refusal says); exit status 2, nothing reaches a workflow.
REFUSED = [
    (["run", REDUCED, "--out", "{out}", "--resume"], "--resume: a single run has nothing"),
    (["run", REDUCED, "--out", "{out}", "--workers", "2"], "--workers: a single run"),
    (["run", REDUCED, "--out", "{out}", "--scheduler", "tcp://h:1"], "--scheduler: a single"),
    (["run", REDUCED, "--out", "{out}", "--elapsed", "1 day"], "--elapsed: ages a restored"),
    (["run", REDUCED, "--out", "{out}", "--dashboard"], "--dashboard: a single run"),
    (["run", REDUCED, "--out", "{out}", "--elapsed", "-1 s", "--restore", "{state}"],
     "--elapsed: must not be negative"),
    (["run", BEHAVIOUR, "--out", "{out}", "--seed", "5"], "--seed: "),
    (["run", BEHAVIOUR, "--out", "{out}", "--restore", "{state}"], "--restore: every subject"),
    (["run", BEHAVIOUR, "--out", "{out}", "--elapsed", "1 day"], "--elapsed: every subject"),
    (["run", BEHAVIOUR, "--out", "{out}", "--set", "experiment.x=1"], "experiment.x=1"),
    (["check", REDUCED, "--set", "network.scale=-1", "-q", "--quiet"], "network.scale"),
    (["validate", "--out", "{out}", "--sensitivity"], "--sensitivity: only with --findings"),
    (["validate", "--out", "{out}", "--merge", "{state}", "--findings", "2"],
     "--merge: scores the parts as they were run"),
    (["validate", "--out", "{out}", "--status", "--merge", "{state}"],
     "--status: reads one validation directory"),
]


def _argv(line, tmp_path, state):
    return [str(part).format(out=tmp_path / "out", state=state) for part in line]


@pytest.mark.parametrize("line, workflow, holds", ACTS,
                         ids=[" ".join(map(str, a[0][:1] + a[0][3:])) for a in ACTS])
def test_a_flag_acts(line, workflow, holds, calls, tmp_path, state_dir, capsys):
    assert cli.main(_argv(line, tmp_path, state_dir)) == 0, capsys.readouterr().err
    assert holds(calls[workflow], tmp_path / "out")


@pytest.mark.parametrize("line, says", REFUSED,
                         ids=[" ".join(map(str, r[0][:1] + r[0][3:])) for r in REFUSED])
def test_a_flag_that_cannot_act_is_refused(line, says, calls, tmp_path, state_dir, capsys):
    assert cli.main(_argv(line, tmp_path, state_dir)) == cli.BAD_INPUT
    assert says in capsys.readouterr().err
    assert not calls and not (tmp_path / "out").exists()


def test_check_and_version_act(capsys):
    assert cli.main(["check", str(REDUCED), "--set", "network.scale=0.25"]) == 0
    assert "scale: 0.25" in capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0 and circuit.__version__ in capsys.readouterr().out


def _flags(parser: argparse.ArgumentParser, prefix: str = "") -> set:
    found = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= _flags(sub, f"{name} ")
        elif action.option_strings and not isinstance(action, argparse._HelpAction):
            found |= {prefix + option for option in action.option_strings}
    return found


def test_the_table_covers_every_flag_of_every_command():
    covered = {"--version", "check --set"}
    for line, *_ in ACTS + REFUSED:
        words = [str(w) for w in line]
        command = next(w for w in words if not w.startswith("-"))
        covered |= {f"{command} {w}" for w in words if w.startswith("-")}
        covered |= {w for w in words[:words.index(command)]}
    assert _flags(cli._parser()) - covered == set()
