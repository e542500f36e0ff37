"""The package as a user installs it: a wheel built from the tracked sources, installed
into a folder of its own, run from an empty directory (shared by the tests that use it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
    """`wheel` installed (without dependencies: this environment has them) into `folder`."""
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
                             "--target", str(folder), str(wheel)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


def wheel_files(wheel: Path) -> set:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


class Installed:
    """Runs `python -m circuit` of the installed package from an empty directory."""

    def __init__(self, site: Path, workdir: Path):
        self.site, self.workdir = site, workdir
        self.env = {**os.environ, "PYTHONPATH": str(site)}

    def python(self, *args, timeout=1800) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], cwd=self.workdir, env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def circuit(self, *args, timeout=1800) -> subprocess.CompletedProcess:
        return self.python("-m", "circuit", *args, timeout=timeout)
