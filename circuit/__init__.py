"""circuit: a Brian2 model of the mesolimbic addiction circuit and its modulation by oxytocin.

Typical use::

    import circuit
    config = circuit.load_config("configs/challenge.yaml", overrides=["network.scale=0.5"])
    results = circuit.run(config)
    circuit.results.save(results, "out/")
"""

__version__ = "0.1.0"

from . import results
from .config import ConfigError, load_config

__all__ = ["ConfigError", "load_config", "results", "run", "__version__"]


def __getattr__(name):
    # `run` pulls in Brian2; load it on first use so that results, analysis and plotting
    # stay importable (and fast) on plain NumPy.
    if name == "run":
        from .running.simulate import run

        return run
    raise AttributeError(f"module 'circuit' has no attribute {name!r}")
