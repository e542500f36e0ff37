"""Protocols: what happens to the circuit over time (phases and input time courses)."""

from . import challenge
from .schedule import Schedule

#: Protocols by the name used in ``protocol.name``.
PROTOCOLS = {"cocaine_challenge": challenge.schedule}


def make_schedule(config: dict) -> Schedule:
    """The schedule of the protocol named in ``config['protocol']['name']``."""
    return PROTOCOLS[config["protocol"]["name"]](config)


__all__ = ["PROTOCOLS", "Schedule", "make_schedule"]
