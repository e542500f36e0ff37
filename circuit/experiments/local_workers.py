"""What circuit's local Dask worker processes do as they start (imported with Dask)."""

from __future__ import annotations

import signal
import threading

from distributed import WorkerPlugin


class DeafToCtrlC(WorkerPlugin):
    """Each local worker ignores SIGINT. Ctrl-C in a terminal reaches the whole process
    group: a worker is to be stopped by the command, which closes its cluster and keeps
    the finished runs, not interrupted mid-task with a traceback of wherever it was."""

    def setup(self, worker):
        import brian2  # noqa: F401  (it puts its own SIGINT handler in place on import)

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
