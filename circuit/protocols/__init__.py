"""Protocols: what happens to the circuit over time (phases and input time courses)."""

from . import challenge, session
from .schedule import Schedule

#: Protocols by the name used in ``protocol.name``.
PROTOCOLS = {"cocaine_challenge": challenge.schedule}


def make_schedule(config: dict) -> Schedule:
    """The schedule of this config: a behavioural session if ``session.phase`` names one,
    otherwise the protocol named in ``protocol.name``."""
    if config["session"]["phase"] != "none":
        return session.schedule(config)
    return PROTOCOLS[config["protocol"]["name"]](config)


__all__ = ["PROTOCOLS", "Schedule", "make_schedule"]
