"""Set-up of radsim's local Dask workers (a Dask *preload* module, see :func:`experiments.sweep.run_sweep`).

Ctrl-C in a terminal reaches every process of the foreground group, the worker
processes too. They ignore it: the command that started them shuts the cluster
down and prints one line, instead of every worker printing its own traceback.
"""

from __future__ import annotations

import logging
import signal


def dask_setup(worker) -> None:
    """Called by Dask in each worker process as it starts (and the command line's allocator setting,
    :func:`experiments.memory.keep_freed_memory`)."""
    from .memory import keep_freed_memory

    keep_freed_memory()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger("distributed").setLevel(logging.ERROR)
