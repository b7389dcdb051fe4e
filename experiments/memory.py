"""The allocator setting of radsim's processes: keep freed memory for reuse instead of returning it.

A week allocates and frees arrays the size of the town (the CSR rebuilt when individual mobility adds ties
every 13 weeks, the copies of a summary). glibc serves every block over 32 MB with its own ``mmap`` and
gives it back on ``free``, so the next array of that size starts on fresh pages, and each page costs a fault
when first written. On the virtual machines radsim is benchmarked on, a fresh page costs about 1 ms per MB
(``docs/performance.md``): at 1,000,000 residents, 0.2 s for each rebuilt CSR of 150 MB.

:func:`keep_freed_memory` asks glibc to serve large blocks from its heap too and not to trim it, so freed
memory is reused without faults. The command line calls it at start, and so do the processes of its pools;
the library (a notebook, a script) is left alone. The cost is a higher peak of resident memory, because freed
blocks stay in the process (1.37 to 1.56 GB for ``radsim run --residents 1000000 --steps 100``). Set
``RADSIM_RETURN_MEMORY=1`` to keep glibc's default. Elsewhere than on glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["keep_freed_memory", "OPT_OUT"]

OPT_OUT = "RADSIM_RETURN_MEMORY"
"""The environment variable that keeps glibc's default (freed blocks over 32 MB go back to the system)."""

_M_TRIM_THRESHOLD = -1      # glibc's mallopt parameters (malloc.h)
_M_MMAP_MAX = -4
_TRIM_NEVER = 2**31 - 1     # bytes free at the top of the heap before it is trimmed (mallopt takes an int)


def keep_freed_memory() -> bool:
    """Serve large blocks from glibc's heap and do not trim it (see the module); True if glibc took both
    settings, False where it does not apply (another C library, another system, or the opt-out set)."""
    if os.environ.get(OPT_OUT) or not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, _TRIM_NEVER))
