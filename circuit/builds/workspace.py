"""Build directories that concurrent processes can share safely: compile once, run many.

A structure's builds live under ``<cache>/builds/<structure key>/``:

- ``shared/`` holds the compiled project, published by whichever process compiled it;
- ``ws<N>/`` is one process's own workspace. A process claims the first workspace no
  other process holds (a file lock it keeps while it uses the build), generates its code
  there and runs its simulations there, so no process ever rewrites a binary another
  one is running.

After generating its code a process compares it with the shared project's. Same code:
it copies the compiled objects and binary (``make`` then has nothing to do). Different
or no shared project: it compiles, holding the shared lock so that processes starting
together wait for one compile instead of each doing their own, and publishes the
result. `canonical_main_queue` first removes what made Brian2's ``main.cpp`` differ
between processes for one network (see there), so the same structure always generates
the same code.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from itertools import count
from pathlib import Path

from filelock import FileLock, Timeout

from . import compiling

log = logging.getLogger(__name__)

#: Files whose content decides whether two projects compile to the same binary.
SOURCE_SUFFIXES = (".cpp", ".h")
SOURCE_NAMES = ("makefile",)
#: Written next to the shared project: the digest of the code it was compiled from.
DIGEST_FILE = "sources.sha256"
#: Brian2's array holding the default clock's time step.
DEFAULT_DT_ARRAY = "_array_defaultclock_dt"
#: Folders of a project that are per run, never shared.
PRIVATE = ("static_arrays", "results")
#: The published project of a structure, beside the workspaces.
SHARED = "shared"
#: Suffix of a file being written (renamed into place when complete); never copied.
PARTIAL = ".part"
#: Arrays the binary reads at start-up (the build's own, published with it; run-time
#: inputs, named RUN_ARG_PREFIX..., stay in each workspace).
STATIC_ARRAYS, RUN_ARG_PREFIX = "static_arrays", "init_"


@dataclass
class Workspace:
    """A build directory this process holds until `release`."""

    directory: Path
    lock: FileLock
    compile_s: float = 0.0  # time `build` spent compiling (0 when the binary was reused)

    def release(self) -> None:
        self.lock.release()


def claim(structure_dir: Path) -> Workspace:
    """The first workspace under `structure_dir` that no other process holds."""
    structure_dir.mkdir(parents=True, exist_ok=True)
    for number in count():
        lock = FileLock(str(structure_dir / f"ws{number}.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue
        directory = structure_dir / f"ws{number}"
        directory.mkdir(exist_ok=True)
        return Workspace(directory, lock)
    raise AssertionError("unreachable")


def canonical_main_queue(device, default_dt: float) -> None:
    """Make Brian2's main queue the same in every process that builds one network.

    - Brian2 resets the clocks of a run by iterating over a set of Clock objects, whose
      order follows memory addresses; the lines are independent, so each run of them is
      sorted by array name.
    - Setting ``defaultclock.dt`` emits a line in a fresh process but not in one that
      built before (the clock outlives the device); the line is removed wherever it is
      and set once, first, to `default_dt`.
    """
    queue = device.main_queue
    queue[:] = [entry for entry in queue if not _is_default_dt(entry)]
    queue.insert(0, ("set_by_single_value", (DEFAULT_DT_ARRAY, 0, repr(float(default_dt)))))
    start = 0
    while start < len(queue):
        end = start
        while end < len(queue) and _is_clock_reset(queue[end]):
            end += 1
        if end > start + 1:
            queue[start:end] = sorted(queue[start:end], key=lambda entry: entry[1][0])
        start = end + 1


def _is_default_dt(entry) -> bool:
    kind, arguments = entry
    return kind == "set_by_single_value" and arguments[0] == DEFAULT_DT_ARRAY


def _is_clock_reset(entry) -> bool:
    kind, arguments = entry
    return (kind == "set_by_single_value"
            and arguments[0].endswith(("clock_timestep", "clock_t")))


def build(device, workspace: Workspace, make_jobs: int) -> tuple[bool, str]:
    """Generate the project in `workspace` and make its binary; (whether it compiled,
    the digest of its sources).

    The device holds the network just 'run' (recorded, not simulated).
    """
    from brian2 import defaultclock

    directory = workspace.directory
    canonical_main_queue(device, defaultclock.dt_)
    device.build(directory=str(directory), compile=False, run=False)
    compiling.prepare(directory, parts=make_jobs)
    digest = source_digest(directory)
    shared = directory.parent / SHARED
    with FileLock(str(shared) + ".lock"):
        if _read(shared / DIGEST_FILE) == digest:
            _mirror(shared, directory)
            if _up_to_date(directory, make_jobs):
                _copy_static_arrays(directory, shared)
                return False, digest
        log.info("compiling the network in %s (a new structure takes 10-30 s)", directory)
        started = time.perf_counter()
        compiling.make(directory, make_jobs)
        workspace.compile_s = time.perf_counter() - started
        (shared / DIGEST_FILE).unlink(missing_ok=True)  # first: a torn copy has none
        shutil.rmtree(shared, ignore_errors=True)
        _mirror(directory, shared)
        _copy_static_arrays(directory, shared)
        (shared / DIGEST_FILE).write_text(digest)
    return True, digest


def publish(workspace: Workspace, write, digest: str) -> bool:
    """Call `write(shared directory)` holding the shared lock, if the published project
    is still the one compiled from the sources of `digest` (True); otherwise another
    build has replaced it meanwhile, and writing would put a file about this build (a
    blueprint) beside another's binary, in place of that build's own (False). Under the
    lock, the file never appears half-written, or vanishes, while another process
    mirrors or replaces the project."""
    shared = workspace.directory.parent / SHARED
    with FileLock(str(shared) + ".lock"):
        if _read(shared / DIGEST_FILE) != digest:
            return False
        write(shared)
    return True


def published_digest(structure_dir: Path) -> str | None:
    """The digest of the sources of the project published for a structure, if any."""
    return _read(structure_dir / SHARED / DIGEST_FILE)


def take_published(workspace: Workspace, digest: str) -> bool:
    """Copy the published project into `workspace` if it is still the one compiled from
    the sources of `digest` (True), without generating or compiling anything."""
    shared = workspace.directory.parent / SHARED
    with FileLock(str(shared) + ".lock"):
        if _read(shared / DIGEST_FILE) != digest:
            return False
        _mirror(shared, workspace.directory)
        _copy_static_arrays(shared, workspace.directory)
    return True


def _copy_static_arrays(source: Path, target: Path) -> None:
    """The build's own static arrays of `source` into `target` (not run-time inputs)."""
    folder = target / STATIC_ARRAYS
    folder.mkdir(parents=True, exist_ok=True)
    for path in (source / STATIC_ARRAYS).glob("*"):
        if path.name.startswith(RUN_ARG_PREFIX) or path.suffix in (".lock", PARTIAL):
            continue
        copy = folder / path.name
        info = path.stat()
        if copy.exists() and (copy.stat().st_size, copy.stat().st_mtime_ns) == (
                info.st_size, info.st_mtime_ns):
            continue
        temporary = copy.with_name(copy.name + PARTIAL)
        shutil.copy2(path, temporary)
        os.replace(temporary, copy)


def source_digest(directory: Path) -> str:
    """SHA-256 over the project's source files (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(_files(directory)):
        if path.suffix in SOURCE_SUFFIXES or path.name in SOURCE_NAMES:
            digest.update(str(path.relative_to(directory)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _files(directory: Path):
    for root, folders, files in os.walk(directory):
        folders[:] = [f for f in folders
                      if not (Path(root) == directory and f.startswith(PRIVATE))]
        for name in files:
            yield Path(root) / name


def _mirror(source: Path, target: Path) -> None:
    """Copy every shared file of `source` whose size or time differs, keeping times
    (not the digest, which the caller writes last, nor a file still being written)."""
    for path in _files(source):
        if path.name == DIGEST_FILE or path.suffix == PARTIAL:
            continue
        copy = target / path.relative_to(source)
        info = path.stat()
        if copy.exists():
            mine = copy.stat()
            if (mine.st_size, mine.st_mtime_ns) == (info.st_size, info.st_mtime_ns):
                continue
        copy.parent.mkdir(parents=True, exist_ok=True)
        temporary = copy.with_name(copy.name + PARTIAL)
        shutil.copy2(path, temporary)
        os.replace(temporary, copy)


def _up_to_date(directory: Path, make_jobs: int) -> bool:
    """Whether `make` has nothing to do (``make -q`` exits 0)."""
    return subprocess.run(["make", "-q", f"-j{make_jobs}"], cwd=directory,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None
