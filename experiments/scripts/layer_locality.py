"""The cost of the layers that join residents across the whole town, in the pass over ties (issue 16).

Builds towns of ``N`` residents (default 1,000,000) with all layers and with clubs, online ties or
school and work left out, and prints the pass over ties in ms and ns per tie, measured in this process
on the same minute's machine. Residents are numbered by neighbourhood and household, so the local layers
are near in memory and the town-wide ones are not.

Run: ``python -m experiments.scripts.layer_locality [N]``.
"""

from __future__ import annotations

import sys
import time

from model import RadicalisationModel

CASES = {"all layers": {}, "clubs by district": {"clubs_by_district": True}, "no clubs": {"memberships_mean": 0.0}, "no online ties": {"online_degree_mean": 0.0},
         "no school/work": {"school_work_degree": 0.0},
         "none of the three": {"memberships_mean": 0.0, "online_degree_mean": 0.0, "school_work_degree": 0.0}}


def tie_pass_seconds(n: int, repetitions: int = 5, **params) -> tuple[float, int]:
    """Mean seconds of one pass over ties (with its packing) after one week, and the number of ties."""
    m = RadicalisationModel(n_residents=n, rng=1, collect=False, **params)
    m.run_for(1)
    engine, state = m.engine, m.state
    pusher, bridge = engine._buffers["pusher"], engine._buffers["bridge"]
    engine.tie_sums(state, pusher, bridge)
    t = time.perf_counter()
    for _ in range(repetitions):
        engine.tie_sums(state, pusher, bridge)
    return (time.perf_counter() - t) / repetitions, int(engine.adjacency.nnz)


def main(n: int = 1_000_000) -> None:
    for name, params in CASES.items():
        seconds, ties = tie_pass_seconds(n, **params)
        print(f"{name:18s} ties {ties / 1e6:5.1f} M  pass {1000 * seconds:6.1f} ms  {1e9 * seconds / ties:5.1f} ns/tie",
              flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
