"""Where a week of the array engine goes (issue 16): the compiled passes and the numpy between them.

Builds a model of ``N`` residents (default 1,000,000), runs 3 weeks, then times 20 weeks with each part of
:meth:`model.engine.ArrayEngine.step` wrapped, and prints each part's median in ms.

Run: ``python -m experiments.scripts.week_parts [N]``.
"""

from __future__ import annotations

import statistics
import sys
import time

import model.engine as engine_module
from model import RadicalisationModel

PARTS = ("week_pass", "pack", "commit_phases", "recruit", "kin_recruits")


def main(n: int = 1_000_000, weeks: int = 20) -> dict[str, float]:
    m = RadicalisationModel(n_residents=n, rng=1, collect=False)
    for _ in range(3):
        m.step()
    times: dict[str, list[float]] = {}

    def timed(name, f):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            result = f(*args, **kwargs)
            times.setdefault(name, []).append(time.perf_counter() - t)
            return result
        return wrapper

    originals = {name: getattr(engine_module, name) for name in PARTS}
    try:
        for name, f in originals.items():
            setattr(engine_module, name, timed(name, f))
        m.engine.relatives_in_group = timed("relatives_in_group", m.engine.relatives_in_group)
        m.engine.step = timed("engine.step", m.engine.step)
        for _ in range(weeks):
            timed("model.step", m.step)()
    finally:
        for name, f in originals.items():
            setattr(engine_module, name, f)
    medians = {name: statistics.median(v) * 1000.0 for name, v in times.items()}
    for name, ms in medians.items():
        print(f"{name:20s} median {ms:7.1f} ms")
    return medians


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
