"""Where circuit's own data is: the configs (protocols, default configs, example specs)
and the findings catalogue with its specs.

In a checkout they are the project's ``configs/`` and ``validation/`` folders beside the
package; an installed wheel carries copies of both as package data (``circuit/_data/``,
put there by setup.py at build time), found through `importlib.resources`. The two
folders keep their relative layout, so the specs' ``base: ../configs/default.yaml``
resolves in both.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The data folders, as named in the project and in the wheel.
CONFIGS, VALIDATION = "configs", "validation"
#: The folder of circuit's own experiment specs, inside `CONFIGS`.
EXPERIMENTS = "experiments"
#: Package folder of the copies in an installed wheel.
PACKAGED = "_data"


def is_file(path) -> bool:
    """Whether `path` is a file; False for a name the OS cannot even look up (too long,
    a NUL byte)."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def data_root() -> Path:
    """The folder holding `CONFIGS` and `VALIDATION`: the wheel's copies if installed,
    else the checkout the package was imported from."""
    packaged = resources.files("circuit") / PACKAGED
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[1]


def configs_dir() -> Path:
    """circuit's configs: default configs, ``protocols/``, ``experiments/``."""
    return data_root() / CONFIGS


def validation_dir() -> Path:
    """The findings catalogue (findings.yaml) and the specs it runs."""
    return data_root() / VALIDATION


def packaged_config(name) -> Path | None:
    """The packaged config `name` ('default', 'default.yaml', 'experiments/heteromer', or
    as the README writes it, 'configs/default.yaml'), or None if circuit has none."""
    parts = Path(name).parts
    if parts[:1] == (CONFIGS,):
        parts = parts[1:]
    if not parts or ".." in parts or Path(name).is_absolute():
        return None
    path = configs_dir().joinpath(*parts)
    if path.suffix not in (".yaml", ".yml"):
        path = path.with_name(path.name + ".yaml")
    return path if is_file(path) else None


def find_config(name) -> Path:
    """`name` if it is a file, else circuit's packaged config of that name, else `name`
    (so that the error about it names what was given)."""
    path = Path(name)
    if is_file(path):
        return path
    return packaged_config(name) or path


def packaged_configs() -> list:
    """Names of the packaged top-level configs (for messages)."""
    return sorted(p.stem for p in configs_dir().glob("*.yaml"))


def packaged_specs() -> list:
    """Names of the packaged experiment specs, as `find_config` takes them (for
    messages): 'experiments/heteromer', ..."""
    root = configs_dir()
    return sorted(p.relative_to(root).with_suffix("").as_posix()
                  for p in (root / EXPERIMENTS).glob("*.yaml"))
