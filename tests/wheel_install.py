"""The package as a user installs it: a wheel built from the tracked sources, installed
into a fresh virtual environment, run from an empty directory (shared by the tests that
use it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: A scorecard's runs kept in git while it is carried between machines: left out of
#: the wheel (setup.py, LEFT_OUT).
STORE = "validation/store/"


def tracked_files() -> list:
    """The checkout's files under version control (what a clean clone holds)."""
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return [name for name in out.split("\0") if name]


def build_wheel(folder: Path) -> Path:
    """A wheel of the tracked sources (copied first, so nothing untracked gets in)."""
    source = folder / "source"
    for name in tracked_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                             "-w", str(folder / "dist"), str(source)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = (folder / "dist").glob("circuit-*.whl")
    return wheel


def install(wheel: Path, folder: Path) -> Path:
    """A fresh virtual environment in `folder` with `wheel` installed by its own pip.

    Its dependencies are those of this environment, made visible by one path line in a
    .pth file (the packages only: a path line does not run this environment's .pth
    files, so its editable install of circuit stays out), so no package is downloaded."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=600)
    python = folder / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; "
                           "print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    ours = subprocess.run([sys.executable, "-c", "import sysconfig; "
                           "print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "dependencies.pth").write_text(ours + "\n")
    result = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index",
                             "--quiet", str(wheel)], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


def wheel_files(wheel: Path) -> set:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


class Installed:
    """Runs the installed package's python and `circuit` command from an empty directory."""

    def __init__(self, venv: Path, workdir: Path):
        self.venv, self.workdir = venv, workdir
        self.env = {key: value for key, value in os.environ.items()
                    if key not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def python(self, *args, timeout=1800) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.venv / "bin" / "python"), *args], cwd=self.workdir,
                              env=self.env, capture_output=True, text=True, timeout=timeout)

    def circuit(self, *args, timeout=1800) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.venv / "bin" / "circuit"), *args], cwd=self.workdir,
                              env=self.env, capture_output=True, text=True, timeout=timeout)
