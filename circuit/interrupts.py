"""A stop request that cannot be lost.

The command line turns SIGINT and SIGTERM into KeyboardInterrupt. Python swallows an
exception raised inside a weakref callback or a `__del__` (it prints "Exception ignored
in ..." and goes on), so a signal that lands there would let the work run to the end and
write its output. `request` records the signal as well as raising; the atomic commits of
`circuit.results.store` call `raise_if_requested` before renaming anything into place,
and a subject's schedule calls it before each session, so a swallowed interrupt still
stops the command before it writes and, for a subject run in this process (not in a Dask
worker, which has its own record), before its next session.
"""

from __future__ import annotations

import signal

_requested: list = []


def request(signum: int) -> None:
    """Record a stop request and raise it (a signal handler)."""
    _requested.append(signal.Signals(signum).name)
    raise KeyboardInterrupt(_requested[-1])


def raise_if_requested() -> None:
    """Raise KeyboardInterrupt if a stop was requested, even if its first raise was lost."""
    if _requested:
        raise KeyboardInterrupt(_requested[-1])


def clear() -> None:
    """Forget earlier requests (a new command in the same process)."""
    _requested.clear()
