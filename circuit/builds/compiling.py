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

`prepare` changes how the makefile Brian2 writes compiles the project, measured by
benchmarks/compile_time.py:

- a unity build: Brian2 writes one source per code object (about 300 for the behaving
  circuit), each small, and compiling each one costs mostly what every compiler run
  costs (reading the standard library and ``objects.h``, starting up). The code objects
  are compiled instead as a few sources (`UNITY_PREFIX`...), each including a share of
  them. Every code object is included inside a namespace of its own, so that the
  helpers each one defines (``_rand``, ``_clip``, the support code of its functions)
  do not collide; a forwarding definition at global scope gives the linker the
  ``_run_...``-style functions its header declares. The headers the code objects
  include are included first, at global scope, so that their include guards make the
  code objects' own #include lines no-ops inside the namespaces.
- `SETUP_RULE`: the sources that hold no simulation loop (``objects.cpp``: array
  allocation and file input/output; the code run once before and after a run) are
  compiled without optimisation. No model arithmetic is in them.

If a unity build fails to compile (a template of another Brian2 version, say), `make`
compiles the project once more from Brian2's own list of sources.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

#: Compiler flags of every generated source (see the module's docstring).
COMPILE_FLAGS = ["-w", "-O3", "-ffast-math", "-march=native", "-std=c++11",
                 "--param=vect-max-version-for-alias-checks=200"]

#: Names of the unity sources; the one of the code run before and after a run is
#: compiled without optimisation (SETUP_RULE).
UNITY_PREFIX = "circuit_unity_"
UNITY_SETUP = UNITY_PREFIX + "setup.cpp"
#: Brian2's makefile as generated, kept for a build from its own list of sources.
SOURCES_MAKEFILE = "makefile.sources"

SETUP_RULE = f"""
# circuit: sources without a simulation loop are compiled without optimisation.
SETUP_OBJS = objects.o {UNITY_SETUP[:-4]}.o $(filter code_objects/before_run_% code_objects/after_run_%,$(OBJS))
$(SETUP_OBJS): OPTIMISATIONS := $(subst -O3,-O0,$(OPTIMISATIONS))
"""

_SOURCES_LINE = re.compile(r"^SRCS = (.*)$", re.MULTILINE)
_INCLUDE = re.compile(r"^\s*#include\s*([<\"][^>\"]+[>\"])", re.MULTILINE)
_DECLARATION = re.compile(r"^void (\w+)\(\);", re.MULTILINE)
_SETUP_SOURCE = re.compile(r"code_objects/(before|after)_run_")


def prepare(directory: Path, parts: int = 2, unity: bool = True) -> None:
    """Add circuit's rules to the project Brian2 just generated in `directory`: its code
    objects compiled as `parts` unity sources (plus one of setup code), unless not
    `unity`."""
    makefile = directory / "makefile"
    text = makefile.read_text() + SETUP_RULE
    (directory / SOURCES_MAKEFILE).write_text(text)
    if unity:
        text = _unity_makefile(directory, text, parts)
    makefile.write_text(text)


def _unity_makefile(directory: Path, makefile: str, parts: int) -> str:
    """`makefile` compiling the code objects as unity sources, which it writes."""
    sources = _SOURCES_LINE.search(makefile).group(1).split()
    code = [s for s in sources if s.startswith("code_objects/")]
    others = [s for s in sources if s not in code]
    setup = [s for s in code if _SETUP_SOURCE.match(s)]
    loops = [s for s in code if s not in setup]
    units = {UNITY_SETUP: setup}
    units.update({f"{UNITY_PREFIX}{k}.cpp": loops[k::parts] for k in range(parts)})
    for name, members in units.items():
        (directory / name).write_text(_unity_source(directory, members))
    return _SOURCES_LINE.sub(lambda _: "SRCS = " + " ".join(others + list(units)),
                             makefile, count=1)


def _unity_source(directory: Path, members: list[str]) -> str:
    """One source that compiles the code objects `members`, each in its own namespace."""
    includes: list[str] = []
    for member in members:
        for name in _INCLUDE.findall((directory / member).read_text()):
            if not name.strip('"<>').startswith("code_objects/") and name not in includes:
                includes.append(name)
    lines = ["// circuit: a unity build of Brian2's code objects (circuit.builds.compiling)"]
    lines += [f"#include {name}" for name in includes]
    lines += [f'#include "{member[:-len(".cpp")]}.h"' for member in members]
    for member in members:
        unit = "circuit_unit_" + Path(member).stem
        header = (directory / f"{member[:-len('.cpp')]}.h").read_text()
        lines += [f"namespace {unit} {{", f'#include "{member}"', "}"]
        lines += [f"void {function}() {{ {unit}::{function}(); }}"
                  for function in _DECLARATION.findall(header)]
    return "\n".join(lines) + "\n"


def make(directory: Path, jobs: int) -> None:
    """Compile the project; from Brian2's list of sources if the unity build fails."""
    try:
        _run_make(directory, jobs)
    except RuntimeError as error:
        sources, makefile = directory / SOURCES_MAKEFILE, directory / "makefile"
        if (not sources.exists() or sources.read_text() == makefile.read_text()
                or UNITY_PREFIX not in str(error)):  # not the unity sources' failure
            raise
        log.warning("the unity build of %s failed; compiling its sources one by one "
                    "(%s)", directory, str(error).splitlines()[-1])
        shutil.copy(sources, makefile)
        _run_make(directory, jobs)


def _run_make(directory: Path, jobs: int, *targets: str) -> None:
    result = subprocess.run(["make", f"-j{jobs}", *targets], cwd=directory,
                            capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-20:])
        raise RuntimeError(f"compiling the network in {directory} failed:\n{tail}")
