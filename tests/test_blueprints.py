"""A process that finds a structure's blueprint in the build cache runs it without Brian2's
code generation, and gets the same results as the process that built it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from circuit.builds import blueprints, workspace
from circuit.builds.device import cache_dir

from conftest import REDUCED

#: One run of the reduced network in a fresh process: its timings and a digest of
#: everything it recorded. With the argument "generate" the process ignores blueprints
#: and generates the network's code itself.
RUN = f"""
import hashlib, json, sys
import numpy as np
import circuit
from circuit.builds import blueprints
if sys.argv[1] == "generate":
    blueprints.load = lambda *arguments: None
results = circuit.run(circuit.load_config({str(REDUCED)!r}), progress=False)
digest = hashlib.sha256()
for t, i in results.spikes.values():
    digest.update(t.tobytes()); digest.update(i.tobytes())
for group in (results.traces, results.weights, results.decisions, results.state.weights):
    for name in sorted(group):
        digest.update(np.ascontiguousarray(group[name]).tobytes())
print(json.dumps({{"timings": results.provenance["timings_s"], "digest": digest.hexdigest()}}))
"""


def _fresh_process_run(how: str) -> dict:
    done = subprocess.run([sys.executable, "-c", RUN, how], capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_new_process_replays_the_cached_build_with_identical_results(reduced_results):
    first, second = _fresh_process_run("generate"), _fresh_process_run("replay")
    assert first["timings"]["replayed"] is False and first["timings"]["generate_s"] > 1.0
    assert second["timings"]["replayed"] is True
    assert second["timings"]["generate_s"] < 1.0
    assert second["digest"] == first["digest"]


def test_a_blueprint_is_only_used_by_the_code_and_sources_it_was_made_for(
        reduced_results, monkeypatch):
    key = next(path for path in (cache_dir() / "builds").iterdir()
               if blueprints.load(path / workspace.SHARED, workspace.published_digest(path)))
    shared = key / workspace.SHARED
    digest = workspace.published_digest(key)
    assert blueprints.load(shared, "another digest") is None
    monkeypatch.setattr(blueprints, "code_version", lambda: "another version")
    assert blueprints.load(shared, digest) is None


def test_a_replayed_run_refuses_a_constant_the_binary_does_not_read(tmp_path):
    plan = blueprints.Blueprint(constants={"cells.tau": "<f8"}, inputs={}, arrays={},
                                checks=[], digest="d", version="v")
    (tmp_path / workspace.STATIC_ARRAYS).mkdir()
    assert plan.command_line({"cells": {"tau": 0.01}}, {}, tmp_path) == ["cells.tau=0.01"]
    try:
        plan.command_line({"cells": {"tua": 0.01}}, {}, tmp_path)
    except KeyError as error:
        assert "cells.tua" in str(error)
    else:
        raise AssertionError("an unknown constant was accepted")


def test_results_are_written_to_memory_where_the_machine_has_a_memory_file_system(
        tmp_path, monkeypatch):
    from circuit.running import simulate

    monkeypatch.setattr(simulate, "SCRATCH", str(tmp_path / "absent"))
    assert simulate.scratch_dir(tmp_path / "project") == tmp_path / "project"
    memory = tmp_path / "memory"
    memory.mkdir()
    monkeypatch.setattr(simulate, "SCRATCH", str(memory))
    assert simulate.scratch_dir(tmp_path / "project") == memory


def test_an_unreadable_blueprint_is_ignored(tmp_path):
    path = tmp_path / blueprints.file_name(blueprints.code_version())
    for text in ("{not json", "[]", '{"constants": {}}'):
        path.write_text(text)
        assert blueprints.load(tmp_path, "digest") is None


def test_an_open_limit_reaches_the_binary_as_a_number_and_nan_is_refused(tmp_path):
    # the binary reads a value as a number only when it starts with a digit or '-'
    # ('inf' was read as a file name, and the constant kept its compiled-in 0)
    plan = blueprints.Blueprint(constants={"agent.most": "<f8", "agent.least": "<f8",
                                           "agent.single": "<f4"},
                                inputs={}, arrays={}, checks=[], digest="d", version="v")
    line = plan.command_line({"agent": {"most": float("inf"), "least": -float("inf"),
                                        "single": float("inf")}}, {}, tmp_path)
    assert line == ["agent.most=1.7976931348623157e+308",
                    "agent.least=-1.7976931348623157e+308",
                    "agent.single=3.4028234663852886e+38"]
    with pytest.raises(ValueError, match="agent.most"):
        plan.command_line({"agent": {"most": float("nan")}}, {}, tmp_path)
