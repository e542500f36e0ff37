"""Saving and loading `Results` as a directory of plain files.

A run directory holds YAML/JSON for the small metadata and NumPy ``.npz`` archives for
the arrays, so it can be read without this package (see ``docs/outputs.md``).

Writes are atomic: `save` builds the whole directory under a hidden temporary sibling and
renames it into place, so a crash never leaves a half-written run directory. The
single-file helpers `atomic_write_text` / `atomic_write_bytes` do the same for files
written later into a run directory (``summary.json``, figures).
"""

from __future__ import annotations

import errno
import json
import os
from contextlib import contextmanager
import secrets
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from circuit.interrupts import raise_if_requested
from circuit.results.record import Phase, Results
from circuit.results.state import STATE_FILE, read_state, write_state

FORMAT_NAME = "circuit.results"
#: 2: decisions.npz (the agent's trial events) added; version 1 directories still load.
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)

CONFIG_FILE = "config.yaml"
MANIFEST_FILE = "manifest.json"
PROVENANCE_FILE = "provenance.json"
SIZES_FILE = "sizes.json"
PHASES_FILE = "phases.json"
SPIKES_FILE = "spikes.npz"
RATES_FILE = "rates.npz"
TRACES_FILE = "traces.npz"
WEIGHTS_FILE = "weights.npz"
DECISIONS_FILE = "decisions.npz"
FILES = (CONFIG_FILE, MANIFEST_FILE, PROVENANCE_FILE, SIZES_FILE, PHASES_FILE,
         SPIKES_FILE, RATES_FILE, TRACES_FILE, WEIGHTS_FILE, DECISIONS_FILE)

TIME_KEY = "t"  # key of the sample times in rates.npz and traces.npz
SPIKE_TIME_SUFFIX = ".t"
SPIKE_INDEX_SUFFIX = ".i"
INDEX_DTYPE = np.int32
NEW_FILE_MODE = 0o666  # before the umask, as for any ordinary new file
NEW_DIR_MODE = 0o777
TOKEN_BYTES = 6  # random suffix of temporary names


# ----------------------------------------------------------------------------- atomic files
def _fsync_dir(directory: Path) -> None:
    """Flush a directory entry (a rename or a new file) to disk, where the OS allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` (which must not exist), write `data` and fsync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to `path` atomically: readers see the old file or the new, never half.

    The bytes go to a hidden temporary file in the same directory, are fsynced, and
    replace `path` with `os.replace`. Parent directories are created as needed.
    """
    with atomic_file(path) as tmp:
        _write_new(tmp, data)
    return Path(path)


@contextmanager
def atomic_file(path: str | os.PathLike):
    """Yield a hidden temporary name beside `path` for a writer that makes its own file
    (h5py, ...); on normal exit the file is fsynced and replaces `path`, on an exception
    it is removed and `path` is untouched. Parent directories are created as needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{secrets.token_hex(TOKEN_BYTES)}.tmp{path.suffix}")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        raise_if_requested()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `path` atomically (see `atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode(encoding))


class OutputNotWritable(OSError):
    """An output directory that cannot be created or written (`check_writable`), whatever
    the error number: a file in the way, a read-only or virtual file system (/proc)."""


def check_writable(directory: str | os.PathLike) -> Path:
    """Fail early, before any simulation, if `directory` could not be created or written.

    Probes the directory itself, or the nearest existing parent, by creating and removing
    a hidden file there. Raises OutputNotWritable naming that path.
    """
    directory = Path(directory).absolute()
    existing = directory
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise OutputNotWritable(errno.ENOTDIR, "it is a file, not a directory", str(existing))
    probe = existing / f".circuit-write-probe-{secrets.token_hex(TOKEN_BYTES)}"
    try:
        _write_new(probe, b"")
    except OSError as err:
        raise OutputNotWritable(err.errno, err.strerror, str(existing)) from None
    probe.unlink()
    return directory


# ----------------------------------------------------------------------------- save
def _json_default(value: Any) -> Any:
    """Make NumPy scalars/arrays and paths JSON-serialisable; anything else as its str."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, default=_json_default) + "\n").encode("utf-8")


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write `arrays` as an uncompressed ``.npz`` to the new file `path`, fsynced."""
    for key in arrays:
        if key.endswith(".npy") or "/" in key:
            raise ValueError(f"{path.name}: unusable array name {key!r}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        np.savez(fh, **arrays)
        fh.flush()
        os.fsync(fh.fileno())


def _timed_arrays(name: str, t: np.ndarray, series: dict[str, np.ndarray]) -> dict:
    """The arrays of rates.npz / traces.npz: `t` plus one float64 array per series."""
    if TIME_KEY in series:
        raise ValueError(f"{name}: a series may not be called {TIME_KEY!r}")
    t = np.asarray(t, dtype=np.float64)
    arrays = {TIME_KEY: t}
    for key, values in series.items():
        values = np.asarray(values, dtype=np.float64)
        if values.shape[:1] != t.shape:
            raise ValueError(f"{name}: {key!r} has shape {values.shape}, times have {t.shape}")
        arrays[key] = values
    return arrays


def _spike_arrays(spikes: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict:
    arrays = {}
    for pop, (times, indices) in spikes.items():
        times = np.asarray(times, dtype=np.float64)
        indices = np.asarray(indices)
        if times.shape != indices.shape:
            raise ValueError(f"spikes of {pop!r}: {times.size} times but {indices.size} indices")
        if indices.size and indices.max() > np.iinfo(INDEX_DTYPE).max:
            raise ValueError(f"spikes of {pop!r}: neuron index too large for {INDEX_DTYPE}")
        arrays[pop + SPIKE_TIME_SUFFIX] = times
        arrays[pop + SPIKE_INDEX_SUFFIX] = indices.astype(INDEX_DTYPE)
    return arrays


def write_files(results: Results, directory: Path) -> None:
    """Write every file of the format into the (new, empty) `directory`."""
    config_text = yaml.safe_dump(results.config, sort_keys=False)
    _write_new(directory / CONFIG_FILE, config_text.encode("utf-8"))
    written = list(FILES) + ([STATE_FILE] if results.state is not None else [])
    manifest = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION,
                "seed": int(results.seed), "files": written}
    _write_new(directory / MANIFEST_FILE, _json_bytes(manifest))
    _write_new(directory / PROVENANCE_FILE, _json_bytes(results.provenance))
    sizes = {pop: int(n) for pop, n in results.sizes.items()}
    _write_new(directory / SIZES_FILE, _json_bytes(sizes))
    phases = [{"name": p.name, "start": float(p.start), "stop": float(p.stop)}
              for p in results.phases]
    _write_new(directory / PHASES_FILE, _json_bytes(phases))
    _write_npz(directory / SPIKES_FILE, _spike_arrays(results.spikes))
    _write_npz(directory / RATES_FILE, _timed_arrays(RATES_FILE, results.rate_t, results.rates))
    _write_npz(directory / TRACES_FILE,
                  _timed_arrays(TRACES_FILE, results.trace_t, results.traces))
    _write_npz(directory / WEIGHTS_FILE,
               _timed_arrays(WEIGHTS_FILE, results.weight_t, results.weights))
    _write_npz(directory / DECISIONS_FILE,
               {name: np.asarray(values) for name, values in results.decisions.items()})
    if results.state is not None:
        write_state(results.state, directory / STATE_FILE)


def new_sibling(directory: Path, tag: str) -> Path:
    """An unused hidden name next to `directory`, e.g. ``.run1.tmp-3f9a...``."""
    while True:
        token = secrets.token_hex(TOKEN_BYTES)
        candidate = directory.with_name(f".{directory.name}.{tag}-{token}")
        if not os.path.lexists(candidate):
            return candidate


def save(results: Results, directory: str | os.PathLike, overwrite: bool = False,
         extras=None) -> Path:
    """Write `results` to the run directory `directory` atomically; return its path.

    Everything is written into a hidden temporary sibling, fsynced, then renamed to
    `directory`, so `directory` is either absent/old or complete. An existing non-empty
    `directory` is refused unless `overwrite` is true; then the *whole* directory is
    replaced (files this function did not write, such as figures, are deleted too): the
    old one is renamed aside, the new one renamed in, and only then the old one removed.

    `extras`, if given, is called with the temporary directory after the data files are
    written, so that derived files (summary, figures) land atomically with the data.

    Raises
    ------
    FileExistsError
        If `directory` exists, is not empty (or not a directory) and `overwrite` is false.
    """
    directory = Path(directory).absolute()
    with atomic_directory(directory, overwrite=overwrite) as tmp:
        write_files(results, tmp)
        if extras is not None:
            extras(tmp)
    return directory


@contextmanager
def atomic_directory(directory: str | os.PathLike, overwrite: bool = False):
    """Yield a temporary directory that replaces `directory` atomically on success.

    For outputs other than `Results` (e.g. the plasticity bench): write into the yielded
    path; on normal exit it is renamed to `directory` (an existing non-empty one only with
    `overwrite`); on an exception it is removed and `directory` is untouched.
    """
    directory = Path(directory).absolute()
    if os.path.lexists(directory) and not directory.is_dir():
        raise FileExistsError(f"{directory} exists and is not a directory")
    if os.path.lexists(directory) and any(directory.iterdir()) and not overwrite:
        raise FileExistsError(f"{directory} already exists and is not empty; pass --overwrite "
                              "(overwrite=True) to replace it")
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = new_sibling(directory, "tmp")
    os.mkdir(tmp, NEW_DIR_MODE)
    try:
        yield tmp
        _fsync_dir(tmp)
        raise_if_requested()  # a stop whose KeyboardInterrupt was swallowed on the way
        if os.path.lexists(directory):
            replace_dir(tmp, directory)
        else:
            os.rename(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(directory.parent)


def replace_dir(new: Path, directory: Path) -> None:
    """Swap the complete `new` in for the existing `directory`, then delete the old one."""
    raise_if_requested()
    old = new_sibling(directory, "old")
    os.rename(directory, old)
    try:
        os.rename(new, directory)
    except BaseException:
        os.rename(old, directory)  # put the previous run back
        raise
    _fsync_dir(directory.parent)
    shutil.rmtree(old)


# ----------------------------------------------------------------------------- load
def _path_of(directory: Path, name: str) -> Path:
    path = directory / name
    if not path.is_file():
        raise FileNotFoundError(f"{directory} is not a complete run directory: {name} is missing")
    return path


def _read_json(directory: Path, name: str) -> Any:
    path = _path_of(directory, name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"cannot read {path}: {err}") from err


def _read_npz(directory: Path, name: str) -> dict[str, np.ndarray]:
    path = _path_of(directory, name)
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except (OSError, ValueError, EOFError) as err:
        raise ValueError(f"cannot read {path}: {err}") from err


def _split_timed(name: str, arrays: dict[str, np.ndarray]) -> tuple[np.ndarray, dict]:
    if TIME_KEY not in arrays:
        raise ValueError(f"{name} has no {TIME_KEY!r} array of sample times")
    return arrays[TIME_KEY], {k: v for k, v in arrays.items() if k != TIME_KEY}


def _split_spikes(arrays: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    spikes = {}
    for key in arrays:
        if key.endswith(SPIKE_TIME_SUFFIX):
            pop = key[: -len(SPIKE_TIME_SUFFIX)]
            index_key = pop + SPIKE_INDEX_SUFFIX
            if index_key not in arrays:
                raise ValueError(f"{SPIKES_FILE}: {key!r} has no matching {index_key!r}")
            spikes[pop] = (arrays[key], arrays[index_key])
    return spikes


def load(directory: str | os.PathLike):
    """Read a run directory written by `save` back into a `Results`, or an experiment
    directory (``circuit run`` of a behavioural config, ``circuit experiment``) into an
    `ExperimentResults` of its tables.

    Raises
    ------
    FileNotFoundError
        If `directory` or one of the format's files is missing (the message names it).
    ValueError
        If a file cannot be parsed or has an unknown format version.
    """
    from .experiment import is_experiment, load_experiment

    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"no run directory at {directory}")
    if not (directory / MANIFEST_FILE).is_file() and is_experiment(directory):
        return load_experiment(directory)
    manifest = _read_json(directory, MANIFEST_FILE)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ValueError(f"{directory / MANIFEST_FILE} does not describe a "
                         f"{FORMAT_NAME} directory")
    if manifest.get("format_version") not in READABLE_VERSIONS:
        raise ValueError(f"{directory}: format version {manifest.get('format_version')!r}, "
                         f"this code reads {', '.join(map(str, READABLE_VERSIONS))}")
    config_path = _path_of(directory, CONFIG_FILE)
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ValueError(f"cannot read {config_path}: {err}") from err
    phases = [Phase(p["name"], float(p["start"]), float(p["stop"]))
              for p in _read_json(directory, PHASES_FILE)]
    rate_t, rates = _split_timed(RATES_FILE, _read_npz(directory, RATES_FILE))
    trace_t, traces = _split_timed(TRACES_FILE, _read_npz(directory, TRACES_FILE))
    weight_t, weights = _split_timed(WEIGHTS_FILE, _read_npz(directory, WEIGHTS_FILE))
    return Results(
        config=config,
        seed=int(manifest["seed"]),
        sizes=_read_json(directory, SIZES_FILE),
        spikes=_split_spikes(_read_npz(directory, SPIKES_FILE)),
        rate_t=rate_t,
        rates=rates,
        trace_t=trace_t,
        traces=traces,
        phases=phases,
        provenance=_read_json(directory, PROVENANCE_FILE),
        weight_t=weight_t,
        weights=weights,
        decisions=(_read_npz(directory, DECISIONS_FILE)
                   if manifest["format_version"] >= 2 else {}),
        state=read_state(directory) if (directory / STATE_FILE).is_file() else None,
    )
