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


def git_commit(exclude: Path | None = None,
               root: Path = Path(__file__).resolve().parents[2]) -> str | None:
    """The commit of the checkout whose top level is `root` (this package's source tree),
    with '-dirty' where tracked files have uncommitted changes, those under `exclude` left
    out (a validation directory kept in the repository changes as it runs, which is not a
    change of the code). None where `root` is not a checkout's top level (an installed
    copy of the package, even inside one) or git is missing."""
    root = root.resolve()

    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], check=True,
                              capture_output=True, text=True, timeout=10).stdout.strip()

    inside = Path(exclude).resolve() if exclude is not None else root
    # literal: a folder named with `*` or `[` is not a pattern
    outside = (["--", ".", f":(exclude,literal){inside.relative_to(root).as_posix()}"]
               if inside != root and inside.is_relative_to(root) else [])
    try:
        if Path(git("rev-parse", "--show-toplevel")).resolve() != root:
            return None
        head = git("rev-parse", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no", *outside)
    except (OSError, subprocess.SubprocessError):
        return None
    return head + "-dirty" * bool(changed)


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
