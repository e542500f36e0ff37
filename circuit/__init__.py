"""circuit: a Brian2 model of the mesolimbic addiction circuit and its modulation by oxytocin.

Typical use::

    import circuit
    config = circuit.load_config("configs/challenge.yaml", overrides=["network.scale=0.5"])
    results = circuit.run(config)
    circuit.results.save(results, "out/")
"""

__version__ = "0.1.0"

from . import results

__all__ = ["ConfigError", "load_config", "results", "run", "__version__"]


def __getattr__(name):
    # The config reader and the simulator pull in Brian2 (units, devices); load them on
    # first use so that `circuit.results`, analysis and plotting stay importable (and
    # fast) on plain NumPy.
    if name == "run":
        from .running.simulate import run

        return run
    if name in ("ConfigError", "load_config"):
        from . import config

        return getattr(config, name)
    raise AttributeError(f"module 'circuit' has no attribute {name!r}")
