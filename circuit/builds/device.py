"""Brian2 devices: C++ standalone (default, compiled once per structure) or runtime.

A standalone build lives in a cache directory named by the hash of the network's
structure, so a second run of the same structure recompiles nothing; `make` runs with
``-j2`` (Brian2 2.9 otherwise runs an unbounded ``make -j``). A file lock keeps
concurrent processes from building into the same directory at once; see
`circuit.builds.workspace` for how processes share one structure's build.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
from pathlib import Path

import brian2
import numpy as np
from brian2 import device, prefs, set_device
from brian2.utils.logger import BrianLogger

from . import compiling

#: Parallel make jobs for standalone builds.
MAKE_JOBS = 2
#: Environment variable that moves the build cache.
CACHE_ENV = "CIRCUIT_CACHE"


def cache_dir() -> Path:
    """Root of the build cache (``$CIRCUIT_CACHE`` or ``~/.cache/circuit``)."""
    root = os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "circuit"
    return Path(root)


def structure_key(structure: dict) -> str:
    """A short stable hash of the structural part of a config."""
    text = json.dumps(structure, sort_keys=True, default=str)
    text += brian2.__version__
    return hashlib.sha256(text.encode()).hexdigest()[:16]


#: Incremented at every device activation; a session built under an older generation
#: belongs to a device that no longer exists.
generation = 0


def activate(kind: str, build_dir: Path | None = None) -> int:
    """Start a fresh Brian2 device of `kind` ('standalone' or 'runtime'); its generation."""
    global generation
    generation += 1
    device.reinit()
    # Only now are the previous build's objects unreferenced; collect them so their
    # names are free (Brian2 would otherwise suffix new names with "_1", changing the
    # generated code and forcing a full recompile of a cached build).
    gc.collect()
    if kind == "standalone":
        set_device("cpp_standalone", build_on_run=False, directory=str(build_dir))
        prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{MAKE_JOBS}"]
        prefs.devices.cpp_standalone.openmp_threads = 0
        prefs.codegen.cpp.extra_compile_args_gcc = list(compiling.COMPILE_FLAGS)
    else:
        set_device("runtime")
        prefs.codegen.target = "numpy"
    prefs.core.default_float_dtype = np.float64
    # Weight monitors sample the first synapses of each plastic projection, which every
    # seed creates (see recording._weight_monitor); Brian2 cannot check that ahead of run.
    BrianLogger.suppress_name("cannot_check_statemonitor_indices")
    if not any(isinstance(f, _OrderIndependentOutcomes)
               for f in BrianLogger.console_handler.filters):
        BrianLogger.console_handler.addFilter(_OrderIndependentOutcomes())
    return generation


class _OrderIndependentOutcomes:
    """Drops Brian2's warning that an agent outcome's code 'may depend on the order of
    execution' (circuit.model.agent): each of those statements moves a time forward to
    one value or leaves it (``x = x + gate * clip(until - x, 0, inf)``, i.e. a maximum;
    the cue sets ``t + cue_duration`` from every source alike), and maxima commute.
    Brian2 cannot prove that, so it warns at every code generation; any other
    order-dependence warning still shows."""

    VARIABLES = ("blocked_until_post", "cue_until_post", "silenced_until_post")

    def filter(self, record) -> bool:
        text = record.getMessage()
        return not ("abstract code block" in text
                    and any(name in text for name in self.VARIABLES))
