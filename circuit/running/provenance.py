"""Provenance of a run: versions, seed, git commit, host and wall time."""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

PACKAGES = ("brian2", "numpy", "scipy", "matplotlib", "pyyaml")


def git_commit() -> str | None:
    """The commit of the source tree this package was loaded from, if it is a git checkout."""
    root = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], check=True,
                             capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() + ("-dirty" if dirty else "")


def versions() -> dict:
    """Versions of Python, circuit and the scientific stack."""
    found = {"python": platform.python_version()}
    for name in ("circuit", *PACKAGES):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def provenance(config, started: float, timings: dict) -> dict:
    """The provenance record of a run that started at perf_counter() time `started`."""
    return {
        "seed": int(config["simulation"]["seed"]),
        "device": config["simulation"]["device"],
        "config_source": getattr(config, "source", None),
        "git_commit": git_commit(),
        "versions": versions(),
        "host": platform.node(),
        "platform": platform.platform(),
        "command": sys.argv,
        "finished_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "wall_time_s": round(time.perf_counter() - started, 3),
        "timings_s": {k: (round(v, 3) if isinstance(v, float) else v) for k, v in timings.items()},
    }
