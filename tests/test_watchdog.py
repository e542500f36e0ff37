"""Numerical faults stop the run, name what went wrong and keep what was simulated.

The faults are real: run-time values that make the reduced network run away (a VTA
input burst far too strong) or make the Euler step diverge (an OXT clearance time
constant far below dt). Both re-run the reduced network's compiled binary.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from brian2 import second

import circuit
from circuit.config.schema import leaves, schema
from circuit.results.record import Phase
from circuit.running import simulate as simulate_module
from circuit.running import watchdog
from conftest import REDUCED, ROOT, simulate

#: A VTA input burst (at 2 s of the baseline) that drives DA neurons far above any rate.
RUNAWAY = ["protocol.bursts.rate=400 Hz", "connections.vta_input_to_vta_da.g_max=5 nS"]
#: OXT clearance 1e5 times faster than the time step: forward Euler diverges at once.
DIVERGING = ["fields.oxt.tau_clearance=1e-9 s"]
#: The check period of the configs (simulation.watchdog.period), s.
PERIOD = 0.1


@pytest.fixture(scope="module")
def runaway():
    with pytest.raises(watchdog.NumericalFault) as caught:
        simulate(overrides=RUNAWAY)
    return caught.value


def test_runaway_firing_stops_the_run_at_the_burst_and_names_the_population(runaway):
    assert (runaway.population, runaway.variable) == ("vta_da", "rate")
    assert runaway.value > 300  # simulation.watchdog.max_rate, Hz
    assert 2.0 <= runaway.time <= 2.0 + PERIOD  # the first burst starts at 2 s
    assert runaway.phase == "baseline"
    assert runaway.suspects[0] == "connections.vta_input_to_vta_da.g_max"
    message = str(runaway)
    for part in ("vta_da.rate", "t = 2.", "max_rate", "connections.vta_input_to_vta_da.g_max"):
        assert part in message


def test_what_was_simulated_up_to_the_fault_is_kept(runaway):
    partial = runaway.partial
    last_spike = max(t.max() for t, _ in partial.spikes.values() if t.size)
    assert runaway.time - PERIOD < last_spike <= runaway.time + 1e-9
    assert partial.rate_t[-1] <= runaway.time
    assert partial.trace_t[-1] == pytest.approx(runaway.time, abs=0.01)
    # Before the burst the DA neurons fired fast (the strong input) but below the ceiling.
    assert 0 < partial.mean_rate("vta_da", 0.0, 2.0) < 300


# the diverged state's weights are read back for the fault's partial results: inf - inf
@pytest.mark.filterwarnings("ignore:invalid value encountered in subtract:RuntimeWarning")
def test_a_diverging_state_is_named_with_the_parameter_to_blame():
    """Also with full fast maths, which lets the compiler assume that no value is NaN or
    infinite (circuit.builds.compiling): the watchdog tests the bits."""
    with pytest.raises(watchdog.NumericalFault) as caught:
        simulate(overrides=DIVERGING + ["simulation.watchdog.max_rate=1e6 Hz"])
    flags = next(line for line in (simulate_module._session.build_dir / "makefile")
                 .read_text().splitlines() if line.startswith("OPTIMISATIONS"))
    assert "-ffast-math" in flags and "-fno-finite-math-only" not in flags
    fault = caught.value
    assert (fault.population, fault.variable) == ("volume", "OXT")
    assert not np.isfinite(fault.value)
    assert fault.limit == "not finite"
    assert fault.suspects[0] == "fields.oxt.tau_clearance"
    assert "simulation.dt" in fault.suspects
    assert fault.phase == "warm-up"


def test_a_healthy_run_is_not_stopped(reduced_results):
    assert "fault" not in reduced_results.provenance
    assert reduced_results.trace_t[-1] == pytest.approx(40.0, abs=0.01)  # all of 10+25+5 s


def test_every_suspect_is_a_config_key():
    known = {path for path, _ in leaves(schema())}
    sections = {path.rsplit(".", 1)[0] for path in known}
    suspects = [*watchdog._FIELD_SUSPECTS.values()]
    for name in watchdog.CELL_MODELS:
        suspects += [watchdog._state(name, "v").suspects, watchdog._rate_suspects(name)]
    for key in (key for group in suspects for key in group):
        assert key in known or key in sections, key


def test_the_command_exits_4_and_writes_the_partial_run(tmp_path):
    out = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "circuit", "--quiet", "run", str(REDUCED), "--out", str(out),
         *(arg for item in RUNAWAY for arg in ("--set", item))],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert "vta_da.rate" in result.stderr and str(out) in result.stderr
    record = json.loads((out / "fault.json").read_text())
    assert record["population"] == "vta_da" and record["phase"] == "baseline"
    partial = circuit.results.load(out)
    assert partial.provenance["fault"].startswith("numerical fault")
    assert 2.0 <= partial.trace_t[-1] <= 2.0 + PERIOD


def test_the_runtime_checks_record_the_first_fault_and_stop_the_network():
    """Runtime mode (no compiled code): the Python checks stop the network themselves."""
    class Network:
        stopped = False

        def stop(self):
            self.stopped = True

    network = Network()
    watchdog.watch_runtime(network)
    checks = [watchdog.Check("nac_d1", "v", "not finite", ("simulation.dt",))]
    schedule = type("Schedule", (), {"warmup": 1.0, "phases": [Phase("baseline", 0.0, 10.0)]})
    watchdog.circuit_watch(np.array([-70.0, -65.0]), np.inf, 0, 2.5 * second)
    assert not network.stopped and watchdog.fault_from(None, checks, schedule) is None
    watchdog.circuit_watch(np.array([-70.0, np.nan]), np.inf, 0, 2.5 * second)
    watchdog.circuit_watch(np.array([np.inf]), np.inf, 0, 2.6 * second)  # after: ignored
    assert network.stopped
    fault = watchdog.fault_from(None, checks, schedule)
    assert (fault.population, fault.variable, fault.phase) == ("nac_d1", "v", "baseline")
    assert fault.time == pytest.approx(1.5) and np.isnan(fault.value)
    assert watchdog.fault_from(None, checks, schedule) is None  # reported once
