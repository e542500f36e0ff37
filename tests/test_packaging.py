"""The package outside its checkout: the wheel holds every module and circuit's data,
and the installed package runs a packaged behavioural config from an empty directory
(tests/test_validation_quick.py runs `circuit validate --quick` the same way)."""

from __future__ import annotations

from pathlib import Path

from wheel_install import STORE, tracked_files, wheel_files

import circuit


def test_the_wheel_holds_every_module_and_the_data(built_wheel):
    files = wheel_files(built_wheel)
    tracked = tracked_files()
    modules = {name for name in tracked if name.startswith("circuit/")
               and name.endswith((".py", ".yaml"))}
    assert modules and modules <= files, sorted(modules - files)
    data = {f"circuit/_data/{name}" for name in tracked
            if name.startswith(("configs/", "validation/")) and not name.startswith(STORE)}
    assert data and data <= files, sorted(data - files)
    assert not [name for name in files if name.startswith(f"circuit/_data/{STORE}")]
    assert any(name.endswith("LICENSE") for name in files)


def test_the_installed_package_runs_a_packaged_config_from_an_empty_directory(installed):
    where = installed.python("-c", "import circuit; print(circuit.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(installed.venv), where.stderr
    version = installed.circuit("--version")
    assert version.returncode == 0 and circuit.__version__ in version.stdout
    check = installed.circuit("check", "configs/default.yaml")  # the README's name for it
    assert check.returncode == 0, check.stderr[-2000:]
    run = installed.circuit("--quiet", "run", "default", "--out", "small", "--workers", "0",
                            "--set", "network.scale=0.1", "--set", "behaviour.trials=4",
                            "--set", "behaviour.schedule=[fr1_acquisition]",
                            "--set", "experiment.seeds=[1]", "--no-figures")
    assert run.returncode == 0, run.stderr[-3000:]
    runs = (installed.workdir / "small" / "runs.csv").read_text().splitlines()
    assert len(runs) == 1 + 2  # a header and one subject of each group
