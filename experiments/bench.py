"""The benchmark: the array engine against the per-agent reference, scaling, and the memory bound.

Run: ``radsim bench [--quick] [--out DIR]``. Three sections:

1. **Engine against reference**: ``RadicalisationModel(engine="array")`` against
   ``engine="agent"`` (the per-agent Mesa reference), same rules, seed and town,
   measured side by side in one process. The median ms per step over repetitions.
2. **Scaling**: for each size, in a fresh process, the time to build the town
   (town, initial state, engine), the median time per step, the time for build
   plus 100 steps, and the peak resident memory (RSS), in total and per resident.
3. **Memory-bandwidth bound**: the bytes one step must touch (state arrays plus
   the CSR) divided by this machine's measured copy bandwidth, and the measured
   step time divided by that bound.

Timings are printed and written, never asserted.
"""

from __future__ import annotations

import multiprocessing as mp
import platform
import resource
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .runner import atomic_outputs

__all__ = ["BenchConfig", "run_bench", "copy_bandwidth", "bytes_per_step"]

#: Town options for the scaling runs: about 20 ties per resident.
DENSE_TOWN = dict(neighbour_degree=6, school_work_degree=7.0, association_degree=6.0, online_degree_mean=5.0)


@dataclass
class BenchConfig:
    reference_sizes: tuple[int, ...] = (1_000, 10_000)
    reference_steps: int = 100
    scaling_sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    scaling_steps: int = 100
    repetitions: int = 5
    warmup_steps: int = 3

    @classmethod
    def stretch(cls) -> "BenchConfig":
        """The Netherlands at 1:1: 17.9 million residents, build plus 10 steps, once."""
        return cls(reference_sizes=(), scaling_sizes=(17_900_000,), scaling_steps=10, repetitions=1, warmup_steps=1)

    @classmethod
    def quick(cls) -> "BenchConfig":
        return cls(reference_sizes=(300,), reference_steps=5, scaling_sizes=(2_000, 20_000), scaling_steps=10,
                   repetitions=2, warmup_steps=1)


def _median_ms_per_step(step, steps: int, repetitions: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repetitions):
        t = time.perf_counter()
        for _ in range(steps):
            step()
        times.append((time.perf_counter() - t) / steps * 1000.0)
    return statistics.median(times), times


def engine_against_reference(cfg: BenchConfig) -> list[dict]:
    """Section 1: both executions of the rules, side by side in this process."""
    from model import RadicalisationModel

    rows = []
    for n in cfg.reference_sizes:
        fast = RadicalisationModel(n_residents=n, rng=1, engine="array", collect=False)
        ref = RadicalisationModel(n_residents=n, rng=1, engine="agent", collect=False)
        for _ in range(cfg.warmup_steps):
            fast.step()
            ref.step()
        ref_reps = 1 if n >= 10_000 else min(3, cfg.repetitions)   # the reference is slow: fewer repetitions
        ref_ms, _ = _median_ms_per_step(ref.step, cfg.reference_steps, ref_reps)
        fast_ms, _ = _median_ms_per_step(fast.step, cfg.reference_steps, cfg.repetitions)
        rows.append({"n_residents": n, "steps": cfg.reference_steps, "reference_ms_per_step": ref_ms,
                     "engine_ms_per_step": fast_ms, "speed_ratio": ref_ms / fast_ms,
                     "reference_repetitions": ref_reps, "engine_repetitions": cfg.repetitions})
    return rows


def copy_bandwidth(megabytes: int = 512, repetitions: int = 5) -> float:
    """Measured copy bandwidth in GB/s (bytes read plus bytes written), median of repetitions."""
    n = megabytes * 1024 * 1024 // 8
    src = np.ones(n)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    rates = []
    for _ in range(repetitions):
        t = time.perf_counter()
        np.copyto(dst, src)
        rates.append(2 * src.nbytes / (time.perf_counter() - t) / 1e9)
    return statistics.median(rates)


def bytes_per_step(n: int, nnz: int, state_bytes: int) -> int:
    """Bytes one step must touch at least.

    The CSR (``indptr``, ``indices`` and ``data``) is read once. The 14 state
    arrays are read once and written once. The packed neighbour table (6 columns)
    and the tie sums (7 columns) are written once and read once, and the three
    random draws are read once.
    """
    csr = 8 * (n + 1) + 4 * nnz + 8 * nnz
    state = 2 * state_bytes
    packed = 2 * 8 * n * 6 + 2 * 8 * n * 7
    draws = 8 * n * 3
    return csr + state + packed + draws


def _proc_status_mb(key: str) -> float | None:
    """A memory line of ``/proc/self/status`` (``VmHWM``, ``VmRSS``) in MB, or None without ``/proc``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    Reads ``VmHWM`` from ``/proc/self/status``, which a new program starts afresh.
    ``getrusage`` is not used because its ``ru_maxrss`` survives ``exec`` and would
    report the parent's peak. Falls back to ``getrusage`` where ``/proc`` is missing.
    """
    peak = _proc_status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mb() -> float:
    """This process's resident memory now, in MB (0 where ``/proc`` is missing)."""
    return _proc_status_mb("VmRSS") or 0.0


def _scaling_worker(args: tuple[int, int, int, int]) -> dict:
    """One size in a fresh process, so that its peak RSS is its own."""
    n, steps, repetitions, warmup = args
    from model import Parameters, build_town, initial_state
    from model.engine import N_DRAWS, ArrayEngine, macro_context

    p = Parameters(n_residents=n, **DENSE_TOWN)
    rng = np.random.default_rng(1)
    baseline_mb = current_rss_mb()          # the interpreter and libraries, before the town exists
    t0 = time.perf_counter()
    town = build_town(p, rng)
    t_town = time.perf_counter() - t0
    state = initial_state(town, p, rng)
    engine = ArrayEngine(town, p)
    t_build = time.perf_counter() - t0
    draws = np.empty((N_DRAWS, n))

    def step(week=[0]):  # noqa: B006 - a counter
        rng.random(out=draws)
        engine.step(state, macro_context(p, [], week[0]), draws)
        week[0] += 1

    for _ in range(warmup):
        step()
    t1 = time.perf_counter()
    for _ in range(steps):
        step()
    t_steps = time.perf_counter() - t1
    reps = [t_steps / steps * 1000.0]
    for _ in range(repetitions - 1):
        reps.append(_median_ms_per_step(step, max(1, steps // 5), 1)[0])
    state_bytes = sum(v.nbytes for v in state.as_dict().values())
    return {
        "n_residents": n,
        "ties_per_resident": town.adjacency.nnz / n,
        "nnz": int(town.adjacency.nnz),
        "town_seconds": t_town,
        "build_seconds": t_build,
        "ms_per_step": statistics.median(reps),
        "steps": steps,
        "build_plus_steps_seconds": t_build + t_steps,
        "peak_rss_mb": peak_rss_mb(),
        "baseline_rss_mb": baseline_mb,
        "state_bytes": state_bytes,
    }


def scaling(cfg: BenchConfig, progress=None) -> list[dict]:
    """Section 2 and 3: one fresh process per size."""
    rows = []
    ctx = mp.get_context("spawn")
    for n in cfg.scaling_sizes:
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            row = pool.submit(_scaling_worker, (n, cfg.scaling_steps, cfg.repetitions, cfg.warmup_steps)).result()
        row["rss_bytes_per_resident"] = row["peak_rss_mb"] * 1024 * 1024 / n
        row["model_bytes_per_resident"] = (row["peak_rss_mb"] - row["baseline_rss_mb"]) * 1024 * 1024 / n
        rows.append(row)
        if progress:
            progress(len(rows))
    bandwidth = copy_bandwidth(256 if max(cfg.scaling_sizes, default=0) <= 100_000 else 512)   # after the runs
    for row in rows:
        n = row["n_residents"]
        row["copy_bandwidth_gb_s"] = bandwidth
        row["bytes_per_step"] = bytes_per_step(n, row["nnz"], row["state_bytes"])
        row["bound_ms_per_step"] = row["bytes_per_step"] / (bandwidth * 1e9) * 1000.0
        row["step_over_bound"] = row["ms_per_step"] / row["bound_ms_per_step"]
    return rows


def run_bench(cfg: BenchConfig, out: Path | None = None, progress=None) -> dict:
    """Run all sections; write ``bench.csv`` and ``bench.md`` to ``out`` if given.

    ``progress(done, total)`` is called after the reference section and after each town size.
    """
    import pandas as pd

    sections = 1 + len(cfg.scaling_sizes)
    reference = engine_against_reference(cfg)
    if progress:
        progress(1, sections)
    scale = scaling(cfg, (lambda done: progress(1 + done, sections)) if progress else None)
    result = {"config": asdict(cfg), "machine": machine(), "reference": reference, "scaling": scale}
    if out is not None:
        with atomic_outputs(out) as tmp:     # both or none
            pd.concat([pd.DataFrame(reference).assign(section="engine_vs_reference"),
                       pd.DataFrame(scale).assign(section="scaling")]).to_csv(tmp / "bench.csv", index=False)
            (tmp / "bench.md").write_text(markdown(result), encoding="utf-8")
    return result


def machine() -> dict:
    import os

    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "processor": _cpu_name()}


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def markdown(result: dict) -> str:
    m = result["machine"]
    lines = [f"# radsim benchmark\n\nMachine: {m['processor']}, {m['cpus']} CPUs, Python {m['python']}.\n",
             "## Engine against the per-agent reference (same rules, seed and town)\n",
             "| residents | steps | reference ms/step | engine ms/step | ratio |", "|---|---|---|---|---|"]
    for r in result["reference"]:
        lines.append(f"| {r['n_residents']:,} | {r['steps']} | {r['reference_ms_per_step']:.1f} | "
                     f"{r['engine_ms_per_step']:.2f} | {r['speed_ratio']:.0f}x |")
    lines += ["", "## Scaling (array engine, about 20 ties per resident)\n",
              "| residents | ties/resident | build s | ms/step | build + steps s (steps) | peak RSS MB | RSS bytes/resident | "
              "model bytes/resident | bound ms/step | step / bound |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["scaling"]:
        lines.append(f"| {r['n_residents']:,} | {r['ties_per_resident']:.1f} | {r['build_seconds']:.2f} | "
                     f"{r['ms_per_step']:.1f} | {r['build_plus_steps_seconds']:.1f} ({r['steps']}) | {r['peak_rss_mb']:.0f} | "
                     f"{r['rss_bytes_per_resident']:.0f} | {r['model_bytes_per_resident']:.0f} | {r['bound_ms_per_step']:.1f} | "
                     f"{r['step_over_bound']:.1f} |")
    if result["scaling"]:
        lines.append(f"\nCopy bandwidth: {result['scaling'][0]['copy_bandwidth_gb_s']:.1f} GB/s (read + write). "
                     "The bound is the bytes one step must touch (see `bytes_per_step`) divided by it. "
                     "Model bytes/resident is the peak RSS minus the RSS after imports, per resident. "
                     "Times exclude the one-off numba compilation (warm-up steps).")
    return "\n".join(lines) + "\n"
