"""Run a compiled network without Brian2: the blueprint of a build.

Brian2 must build a network's Python objects and generate its code (5-10 s for the
behaving circuit) before it can run a compiled binary, in every new process. Yet all a
run needs from them is a few names: the command-line name of every run-time constant
and input the binary reads, and the file, type and shape of every array the runner reads
back. A `Blueprint` holds exactly that. The process that builds a structure writes it next
to the compiled project (`save`); a later process of the same structure and the same
code (an experiment worker, the next `circuit run`, a test) loads it (`load`), copies the
compiled project into its workspace and runs the binary directly, without importing
Brian2's code generation at all.

Every standalone run goes through `Blueprint.run` and `Blueprint.arrays`, also in the
process that built the network, so the two ways to start are one code path; a test
checks that they give bit-identical results. A blueprint is valid only for the code that
wrote it: its file name carries `code_version`, a hash of this package's source, Brian2's
version and the compiler flags, and it records the digest of the sources it was compiled
from.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from filelock import FileLock

from .workspace import RUN_ARG_PREFIX, STATIC_ARRAYS

#: Environment of the binary, as Brian2 sets it (resolve every symbol at start-up).
RUN_ENVIRONMENT = {"LD_BIND_NOW": "1"}


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the package's Python source, Brian2's version and the compiler flags."""
    import brian2

    from .compiling import COMPILE_FLAGS

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    digest.update(brian2.__version__.encode())
    digest.update(" ".join(COMPILE_FLAGS).encode())
    return digest.hexdigest()[:16]


def command_line_number(key: str, value, dtype):
    """`value` (a number or a Quantity, in SI units) as a number of `dtype` that the
    compiled binary reads from its command line.

    The binary parses a value as a number only when its text starts with a digit or '-';
    any other text is the name of a file to read, and when that fails the constant keeps
    its compiled-in value (0) with no more than a line on stderr. So an infinite value
    (`repr` gives 'inf': a limit the config leaves open) goes as the type's largest
    finite number of its sign, which clips and comparisons treat as the infinity (and
    which the -ffast-math build may assume, having no infinities); arithmetic would not
    (1 / max is not 0), so a constant meant to be infinite in a product or quotient needs
    another form. NaN is refused, naming the constant."""
    number = np.asarray(value, dtype=dtype).item()
    if isinstance(number, float):
        if np.isnan(number):
            raise ValueError(f"run-time constant {key} is NaN")
        if np.isinf(number):
            number = float(np.copysign(np.finfo(dtype).max, number))
    return number


def file_name(version: str) -> str:
    return f"blueprint-{version}.json"


@dataclass
class Blueprint:
    """What running a compiled network takes, without its Brian2 objects.

    `constants`: {"object.variable": dtype} of every run-time constant; `inputs`:
    {input channel: (TimedArray name, number of samples)}; `arrays`: {"object.variable":
    (file name in the results directory, dtype, columns of a 2-D monitor array or 0)};
    `checks`: the watchdog's checks by code; `digest`: the sources compiled.
    """

    constants: dict
    inputs: dict
    arrays: dict
    checks: list
    digest: str = ""
    version: str = field(default_factory=code_version)

    def command_line(self, table: dict, inputs: dict, project: Path) -> list:
        """The binary's arguments for the run-time constants in `table` ({object:
        {variable: value}}) and the input samples in `inputs` ({channel: samples}); input
        arrays are written to the project's static arrays (once per content)."""
        arguments = []
        for name, values in table.items():
            for variable, value in values.items():
                key = f"{name}.{variable}"
                if key not in self.constants:
                    raise KeyError(f"the compiled network has no run-time constant {key}")
                number = command_line_number(key, value, self.constants[key])
                arguments.append(f"{key}={number!r}")
        for channel, (timed, samples) in self.inputs.items():
            values = np.asarray(inputs[channel], dtype=np.float64)
            if values.shape != (samples,):
                raise ValueError(f"input {channel!r} has {values.shape} samples, the compiled "
                                 f"network reads {samples}")
            data_name = f"{RUN_ARG_PREFIX}{timed}_values_{hashlib.md5(values.data).hexdigest()}.dat"
            path = project / STATIC_ARRAYS / data_name
            with FileLock(str(path) + ".lock"):
                if not path.exists():
                    values.tofile(path)
            arguments.append(f"{timed}.values={STATIC_ARRAYS}/{data_name}")
        return arguments

    def run(self, project: Path, results: Path, arguments: list, show_output: bool) -> float:
        """Run the binary of `project` writing into `results`; the fraction of the run it
        completed (below 1 when the watchdog or a signal stopped it)."""
        from brian2 import prefs

        command = prefs.devices.cpp_standalone.run_cmd_unix
        command = [command] if isinstance(command, str) else list(command)
        results.mkdir(parents=True, exist_ok=True)
        environment = {**os.environ, **RUN_ENVIRONMENT}
        with open(results / "stdout.txt", "w") as log, subprocess.Popen(
                [*command, "--results_dir", f"{results.resolve()}/", *arguments],
                cwd=project, env=environment, stdout=subprocess.PIPE, text=True) as binary:
            try:
                for line in binary.stdout:  # through Python's stdout: a notebook shows it
                    log.write(line)
                    if show_output:
                        sys.stdout.write(line)
                        sys.stdout.flush()
                status = binary.wait()
            except BaseException:  # Ctrl-C, SIGTERM: the binary stops with us
                binary.kill()
                raise
        if status != 0:
            raise RuntimeError(f"the compiled network in {project} failed (exit {status}); "
                               f"its output is in {results / 'stdout.txt'}")
        info = results / "last_run_info.txt"
        return float(info.read_text().split()[1]) if info.is_file() else 0.0

    def reader(self, results: Path):
        """A function reading array "object.variable" of a run written into `results`, in
        storage layout (a monitor's 2-D arrays as (samples, recorded indices))."""
        def read(key: str) -> np.ndarray:
            name, dtype, columns = self.arrays[key]
            data = np.fromfile(results / name, dtype=dtype)
            return data.reshape(-1, columns) if columns else data
        return read

    def save(self, directory: Path) -> None:
        """Write the blueprint into `directory` (atomically)."""
        path = directory / file_name(self.version)
        temporary = path.with_suffix(".part")
        temporary.write_text(json.dumps({"constants": self.constants, "inputs": self.inputs,
                                         "arrays": self.arrays, "checks": self.checks,
                                         "digest": self.digest, "version": self.version}))
        os.replace(temporary, path)


def load(directory: Path, digest: str | None) -> Blueprint | None:
    """The blueprint this code wrote into `directory` for the sources of `digest`, if any."""
    path = directory / file_name(code_version())
    try:
        record = json.loads(path.read_text())
        blueprint = Blueprint(constants=record["constants"],
                              inputs={k: tuple(v) for k, v in record["inputs"].items()},
                              arrays={k: tuple(v) for k, v in record["arrays"].items()},
                              checks=record["checks"], digest=record["digest"],
                              version=record["version"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # none, or unreadable: the caller generates the network instead
    return blueprint if digest is not None and blueprint.digest == digest else None


def from_network(network, table: dict, timed_arrays: dict, read: list, checks: list,
                 digest: str) -> Blueprint:
    """The blueprint of a generated standalone network: its constants (every variable
    named in `table`), inputs ({channel: TimedArray}), the arrays named in `read` and
    the watchdog's checks (dataclasses)."""
    from brian2 import device

    constants = {f"{name}.{variable}": np.dtype(network[name].variables[variable].dtype).str
                 for name, values in table.items() for variable in values}
    inputs = {channel: (timed.name, int(timed.values.shape[0]))
              for channel, timed in timed_arrays.items()}
    arrays = {}
    for key in read:
        name, variable = key.split(".")
        array = network[name].variables[variable]
        size = array.size
        columns = int(size[1]) if isinstance(size, tuple) and len(size) == 2 else 0
        arrays[key] = (device.get_array_filename(array), np.dtype(array.dtype).str, columns)
    return Blueprint(constants, inputs, arrays, [asdict(check) for check in checks], digest)
