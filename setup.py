"""Packaging: metadata and options are in setup.cfg. This file only adds circuit's data
(the project's configs/ and validation/ folders) to a built wheel as circuit/_data/,
where circuit.resources finds it (an editable install reads the checkout instead)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA = ("configs", "validation")
#: Not data: validation/store holds a scorecard's runs while it is carried between
#: machines (validation/store/README.md), tens of MB that no installed package reads.
LEFT_OUT = ("store",)


class BuildWithData(build_py):
    """build_py that also copies the data folders into the package."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "circuit" / "_data"
        for name in DATA:
            shutil.copytree(name, target / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", *LEFT_OUT))


setup(cmdclass={"build_py": BuildWithData})
