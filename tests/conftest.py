"""Shared fixtures: simulations run once per test session and are reused by many tests."""

from __future__ import annotations

from pathlib import Path

import pytest

import circuit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "configs" / "challenge.yaml"
REDUCED = ROOT / "configs" / "reduced.yaml"
#: The default experiment: the behaving circuit, at the reduced network's size.
BEHAVIOUR = ROOT / "configs" / "default.yaml"

#: Baseline firing-rate bands (Hz, population mean) from SCIENCE.md section 2.
BANDS = {
    "vta_da": (1.0, 6.0),      # tonic ~1-6 Hz (Grace and Bunney; Marinelli and White 2000)
    "vta_gaba": (10.0, 50.0),  # "fast-firing" (SCIENCE.md); band chosen: tens of Hz
    "nac_d1": (0.05, 3.0),     # well below 5 Hz
    "nac_d2": (0.05, 3.0),     # well below 5 Hz
    "nac_pv": (10.0, 60.0),    # tens of Hz, almost continuously active (Berke 2009)
    "pvn_oxt": (0.2, 3.0),     # 0-9 Hz at rest, most below 3 Hz (Wakerley and Lincoln 1973)
}


#: Test modules that use the plasticity bench. Brian2 holds one standalone project per
#: process, so they run after the network tests instead of between them: switching back
#: and forth would regenerate the network's code each time. The behaving circuit's
#: modules likewise run together, after the other network tests. This order holds in one
#: process (`pytest` alone); `make test` runs pytest-xdist with ``--dist loadfile``,
#: which keeps a module whole in one process but hands out the largest modules first
#: (switching projects then costs a worker a code generation, a few seconds, not a
#: compile: the build cache holds each structure once).
BENCH_MODULES = {"test_plasticity.py", "test_bench_cli.py"}
#: Test modules that run the behaving circuit: one structure, so they run together.
BEHAVIOUR_MODULES = {"test_behaviour.py", "test_drug_seeking.py", "test_experiment_runs.py",
                     "test_interruption.py"}


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: (item.path.name in BENCH_MODULES,
                                 item.path.name in BEHAVIOUR_MODULES))


def simulate(path=REDUCED, overrides=(), seed=None):
    """Run a config file with overrides (no progress output)."""
    return circuit.run(circuit.load_config(path, overrides, seed=seed), progress=False)


@pytest.fixture(scope="session")
def reduced_results():
    """The reduced network through the short protocol, seed 1."""
    return simulate(REDUCED)


@pytest.fixture(scope="session")
def default_baseline_results():
    """The default-size network through a short baseline-only-length protocol."""
    return simulate(DEFAULT, ["protocol.warmup=1 s", "protocol.baseline=10 s",
                              "protocol.challenge=5 s", "protocol.washout=1 s",
                              "protocol.bursts.times=[2 s, 5 s, 8 s]"])


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory):
    """A wheel of the tracked sources (tests/packaging.py)."""
    from wheel_install import build_wheel

    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def installed(built_wheel, tmp_path_factory):
    """The wheel installed into a fresh virtual environment, run from an empty directory."""
    from wheel_install import Installed, install

    venv = install(built_wheel, tmp_path_factory.mktemp("venv"))
    return Installed(venv, tmp_path_factory.mktemp("elsewhere"))
