"""The one seed scheme for replications.

Replication ``k`` of anything seeded with ``base_seed`` (a sweep, a comparison, a
validation check, a calibration's prior draws, the EMA adapter) runs with
:func:`replication_seed` ``(base_seed, k)``: the first 64-bit word of numpy's
``SeedSequence([base_seed, k])``, reduced to a non-negative 63-bit integer (the
range a scenario's ``seed`` accepts). ``SeedSequence`` hashes its whole entropy, so
seeds for different ``k`` or different bases are independent-looking and never
overlap the way ``base_seed + k`` does (replication 1 of base 1 is not
replication 0 of base 2). A seed depends only on ``(base_seed, k)``, never on the
order or the worker that runs it, so results do not depend on the number of
workers.
"""

from __future__ import annotations

import numpy as np

__all__ = ["replication_seed", "replication_seeds"]


def replication_seed(base_seed: int, k: int) -> int:
    """The seed of replication (or run) ``k`` of a design seeded with ``base_seed``; in [0, 2**63)."""
    return int(np.random.SeedSequence([base_seed, k]).generate_state(1, dtype=np.uint64)[0] % (2**63))


def replication_seeds(base_seed: int, n: int) -> list[int]:
    """The seeds of replications 0 to ``n - 1``."""
    return [replication_seed(base_seed, k) for k in range(n)]
