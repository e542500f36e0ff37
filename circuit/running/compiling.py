"""Compiling Brian2's generated C++ project: vectorised simulation code, compiled faster.

`COMPILE_FLAGS` replace Brian2's defaults for the simulation code (measured by
benchmarks/engine_floor.py and benchmarks/vector_maths.py):

- full ``-ffast-math``: Brian2 adds ``-fno-finite-math-only``, which keeps GCC from using
  glibc's vector maths library, so no loop that calls ``exp`` (every neuron's update:
  the NMDA Mg2+ block, the AdEx spike term) is vectorised. Non-finite values are still
  caught: the watchdog tests the bits of each value (`circuit.running.watchdog`), which
  no floating-point flag can optimise away;
- a higher limit on GCC's run-time alias checks: Brian2 reads every state variable
  through its own pointer, and GCC vectorises a loop over many of them only if it may
  check at run time that they do not overlap.

Two additions to the makefile Brian2 writes (see `prepare`), both measured by
benchmarks/compile_time.py:

- `SETUP_RULE`: the sources that hold no simulation loop (``objects.cpp``: array
  allocation and file input/output; the code run once before and after a run) are
  compiled without optimisation. No model arithmetic is in them.
- `PCH_RULE`: every source first includes ``circuit_pch.h`` (the headers all of them
  include), precompiled once per optimisation level into ``circuit_pch.h.gch/``, so
  each of a network's ~300 sources no longer parses the standard library and
  ``objects.h`` again. GCC uses a precompiled header only where it matches the flags
  of the source; elsewhere it reads ``circuit_pch.h`` as text, so a missing or stale
  one costs time, never correctness. The precompiled headers are deleted after the
  build (about 50 MB each).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

#: Compiler flags of every generated source (see the module's docstring).
COMPILE_FLAGS = ["-w", "-O3", "-ffast-math", "-march=native", "-std=c++11",
                 "--param=vect-max-version-for-alias-checks=200"]

SETUP_RULE = """
# circuit: sources without a simulation loop are compiled without optimisation.
SETUP_OBJS = objects.o $(filter code_objects/before_run_% code_objects/after_run_%,$(OBJS))
$(SETUP_OBJS): OPTIMISATIONS := $(subst -O3,-O0,$(OPTIMISATIONS))
"""

PCH_HEADER = "circuit_pch.h"
PCH_DIRECTORY = PCH_HEADER + ".gch"
#: Headers every generated source includes; each has an include guard, so the sources'
#: own #include lines of them are then skipped.
PCH_TEXT = """// circuit: headers shared by every source, precompiled (circuit.running.compiling).
#ifndef CIRCUIT_PCH_H
#define CIRCUIT_PCH_H
#include "objects.h"
#include "synapses_classes.h"
#include "brianlib/common_math.h"
#include "brianlib/stdint_compat.h"
#include <climits>
#include <cmath>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <vector>
#endif
"""
PCH_RULE = f"""
# circuit: every source includes {PCH_HEADER} first, precompiled per optimisation level.
PCH_FLAGS = $(CXXFLAGS)
CXXFLAGS += -include {PCH_HEADER}
pch: {PCH_DIRECTORY}/O3 {PCH_DIRECTORY}/O0
{PCH_DIRECTORY}/O3 {PCH_DIRECTORY}/O0: {PCH_HEADER} objects.h synapses_classes.h
\tmkdir -p {PCH_DIRECTORY} && $(CXX) $(PCH_FLAGS) -x c++-header {PCH_HEADER} -o $@
{PCH_DIRECTORY}/O0: OPTIMISATIONS := $(subst -O3,-O0,$(OPTIMISATIONS))
.PHONY: pch
"""


def prepare(directory: Path, precompiled_headers: bool = True) -> None:
    """Add circuit's rules to the project Brian2 just generated in `directory`."""
    rules = SETUP_RULE
    if precompiled_headers:
        (directory / PCH_HEADER).write_text(PCH_TEXT)
        rules += PCH_RULE
    with open(directory / "makefile", "a") as handle:
        handle.write(rules)


def make(directory: Path, jobs: int) -> None:
    """Compile the project: the precompiled headers first (if prepared), then the rest."""
    if (directory / PCH_HEADER).exists():
        _run_make(directory, jobs, "pch")
    try:
        _run_make(directory, jobs)
    finally:
        shutil.rmtree(directory / PCH_DIRECTORY, ignore_errors=True)


def _run_make(directory: Path, jobs: int, *targets: str) -> None:
    result = subprocess.run(["make", f"-j{jobs}", *targets], cwd=directory,
                            capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-20:])
        raise RuntimeError(f"compiling the network in {directory} failed:\n{tail}")
