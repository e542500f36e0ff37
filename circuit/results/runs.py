"""An experiment directory: each run stored under its key, and a lock on the directory.

``DIR/runs/<key>/`` holds one run: ``run.json`` (labels, metrics, timings),
``sessions.csv`` and ``trials.csv``. It is written in a temporary sibling and renamed
into place, so a run is either all there or absent; a resumed experiment skips the keys
it finds. A run stopped by a numerical fault holds ``fault.json`` and the tables of the
sessions before the fault as ``until_fault_sessions.csv`` and ``until_fault_trials.csv``,
and no ``run.json``: it is not done, and a resumed experiment runs it again. ``DIR/.lock`` is held by the experiment writing DIR: a second one started on
the same DIR stops with a message instead of interleaving its writes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from filelock import FileLock, Timeout

from .state import STATE_FILE, read_state, write_state
from .store import atomic_directory, check_writable, write_files
from .tables import write_csv

RUNS, RECORD, FAULT = "runs", "run.json", "fault.json"
#: Folder of a run's recorded sessions (`behaviour.record`), each a run directory.
SESSIONS = "sessions"
#: Prefix of the tables of the sessions a faulted run finished.
UNTIL_FAULT = "until_fault_"
LOCK = ".lock"


class DirectoryBusy(RuntimeError):
    """Another experiment holds the directory."""


class ExperimentDir:
    """The runs stored in an experiment directory."""

    def __init__(self, root: Path):
        self.root = Path(root).absolute()
        self._lock = FileLock(str(self.root / LOCK))

    def __enter__(self) -> "ExperimentDir":
        check_writable(self.root)  # before anything runs
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise DirectoryBusy(f"{self.root} is being written by another experiment "
                                f"(it holds {self.root / LOCK}); wait for it or choose "
                                "another --out") from None
        for leftover in (self.root / RUNS).glob(".*.tmp-*"):  # from an interrupted write
            shutil.rmtree(leftover, ignore_errors=True)
        return self

    def __exit__(self, *exc) -> None:
        self._lock.release()

    def folder(self, key: str) -> Path:
        return self.root / RUNS / key

    def done(self, key: str) -> bool:
        """Whether run `key` is stored (complete: the rename is the last step)."""
        return (self.folder(key) / RECORD).is_file()

    def stored(self) -> list:
        """Keys of every stored run; a run still being written (a hidden temporary
        folder that holds its record just before the rename) is not one."""
        folder = self.root / RUNS
        return sorted(p.name for p in folder.iterdir()
                      if not p.name.startswith(".") and (p / RECORD).is_file()) \
            if folder.is_dir() else []

    def check_holds_only(self, keys) -> None:
        """Refuse to add to a directory that holds runs other than `keys`: those of
        another spec or other --set values would be mixed with the new ones."""
        foreign = sorted(set(self.stored()) - set(keys))
        if foreign:
            raise FileExistsError(
                f"{self.root} holds {len(foreign)} stored run(s) that are not part of this "
                f"spec (another spec, or other --set values; e.g. {foreign[0]}): --resume "
                "finishes the same experiment only; choose another --out")

    def write(self, key: str, record: dict, tables: dict, state=None,
              recorded: dict | None = None) -> None:
        """Store run `key` atomically: its record, its tables ({name: (rows, columns)}),
        for a within-subject design's training its final `state` (state.npz), and the
        sessions `behaviour.record` kept ({name: Results}) as run directories under
        `SESSIONS/`."""
        with atomic_directory(self.folder(key), overwrite=True) as directory:
            for name, (rows, columns) in tables.items():
                write_csv(directory / name, rows, columns)
            if state is not None:
                write_state(state, directory / STATE_FILE)
            for name, results in (recorded or {}).items():
                (directory / SESSIONS).mkdir(exist_ok=True)
                (directory / SESSIONS / name).mkdir()
                write_files(results, directory / SESSIONS / name)
            (directory / RECORD).write_text(json.dumps(record, indent=1, default=str))

    def write_fault(self, key: str, fault: dict, tables: dict) -> None:
        """Store what run `key` did before a numerical fault (`fault`: its record)."""
        with atomic_directory(self.folder(key), overwrite=True) as directory:
            for name, (rows, columns) in tables.items():
                write_csv(directory / (UNTIL_FAULT + name), rows, columns)
            (directory / FAULT).write_text(json.dumps(fault, indent=1, default=str))

    def faulted(self, key: str) -> bool:
        """Whether run `key` stopped at a numerical fault (and is not stored since)."""
        return not self.done(key) and (self.folder(key) / FAULT).is_file()

    def fault(self, key: str) -> dict:
        """The record of the numerical fault run `key` stopped at (`write_fault`)."""
        return json.loads((self.folder(key) / FAULT).read_text())

    def state(self, key: str):
        """The final state stored with run `key` (a training's)."""
        return read_state(self.folder(key) / STATE_FILE)

    def read(self, key: str) -> dict:
        return json.loads((self.folder(key) / RECORD).read_text())

    def recorded(self, key: str) -> list:
        """The recorded sessions of run `key`: their run directories, in session order."""
        return sorted(p for p in (self.folder(key) / SESSIONS).glob("*") if p.is_dir())
