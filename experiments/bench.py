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

4. **Acceptance** (issue 16): every figure the issue asks for, measured in this run, beside its target
   and as a ratio: the whole ``radsim run --residents 1000000 --steps 100`` command (time and peak RSS,
   in a fresh process), the week at 1,000,000 residents against the bandwidth bound, the engine against the
   reference at 10,000, the sweep throughput with 2 workers against 1, and ``compare --warmup`` against the
   same comparison without it. 17.9 million residents is ``--stretch`` (its own run). Two rows beside them
   say what this machine allows: the *floor* of the week (the fetches of its pass over ties alone, for the
   same ties, against the same bound) and the *ceiling* of a pool of two (two independent runs at once
   against one).

Timings are printed and written, never asserted.
"""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .runner import atomic_outputs

__all__ = ["BenchConfig", "run_bench", "copy_bandwidth", "bytes_per_step"]

#: A denser town, about 17.5 ties per resident against 12.4 by default: the scaling runs' town until 2026-12-02
#: (``BenchConfig(dense_town=True)``, for tables comparable with the earlier ones in docs/performance.md).
DENSE_TOWN = dict(neighbour_degree=6, school_work_degree=7.0, association_degree=6.0, online_degree_mean=5.0)


@dataclass
class BenchConfig:
    reference_sizes: tuple[int, ...] = (1_000, 10_000)
    reference_steps: int = 100
    scaling_sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    scaling_steps: int = 100
    repetitions: int = 5
    warmup_steps: int = 3
    run_residents: int = 1_000_000          # the acceptance's whole `radsim run` command
    run_steps: int = 100
    sweep_residents: int = 10_000           # 16 runs, 2 workers against 1
    sweep_steps: int = 260
    warmup_replications: int = 10           # compare with a 260-week burn-in, with and without --warmup
    warmup_steps_total: int = 364           # the burn-in, then two years of policy
    warmup_week: int = 260
    warmup_residents: int = 20_000
    acceptance: bool = True
    precision: str = "float64"              # of the scaling runs (float32 for the largest towns)
    dense_town: bool = False                # the scaling runs' town: the model's default (that of the run command
                                            # and of the week figure), or DENSE_TOWN

    @classmethod
    def stretch(cls) -> "BenchConfig":
        """The Netherlands at 1:1: 17.9 million residents of the model's default town, build plus 10 steps, once."""
        return cls(reference_sizes=(), scaling_sizes=(17_900_000,), scaling_steps=10, repetitions=1, warmup_steps=1,
                   acceptance=False)

    @classmethod
    def quick(cls) -> "BenchConfig":
        return cls(reference_sizes=(300,), reference_steps=5, scaling_sizes=(2_000, 20_000), scaling_steps=10,
                   repetitions=2, warmup_steps=1, run_residents=2_000, run_steps=10, sweep_residents=500,
                   sweep_steps=20, warmup_replications=2, warmup_steps_total=40, warmup_week=20,
                   warmup_residents=500)


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


def bytes_per_step(n: int, nnz: int, state_bytes: int, itemsize: int = 8) -> int:
    """Bytes one step must touch at least (the passes of :mod:`model.kernels`, as fused on 2026-12-02).

    The CSR (int32 ``indptr`` and ``indices``, float64 ``data``) is read once. The state arrays are read
    once and written once. The neighbour table (4 floats and an int16 code per resident) and the pushers and
    bridge builders are written once (the pack) and read once; the 6 rows of draws are written and read once;
    the 12 rows of rule modifiers are read once (without interventions they are not reset); the engine's 9
    per-resident arrays of the town are read once; what the fused pass leaves for recruitment and the phases
    (the next phase, the relaxed shield, the appeal, two flags) is written once and read once. The tie sums
    are not counted: since 2026-12-02 they stay in a block-sized table in cache (until then the bound counted
    15 sums per resident written and read, 240 bytes at float64). ``itemsize`` is the bytes of a stored float
    (8, or 4 with ``precision="float32"``).
    """
    f = itemsize
    csr = 4 * (n + 1) + 4 * nnz + f * nnz
    state = 2 * state_bytes
    table = 2 * (f * 4 + 2) * n + 2 * 2 * f * n
    draws = 2 * f * 6 * n
    modifiers = f * 12 * n
    town = f * 9 * n
    handover = 2 * (3 + 2 * f) * n
    return csr + state + table + draws + modifiers + town + handover


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


def _gather_kernel(parallel: bool):
    """The fetches of the week's pass over ties alone (compiled on first use): for each block of
    :data:`model.kernels.TIE_BLOCK` residents, copy every tie's neighbour row and code into a scratch table
    with the week's own copy loop (:func:`model.kernels._gather_block`), and nothing else. Its time is the
    floor of that pass for this town's ties and this machine's memory, whatever the arithmetic."""
    from numba import njit, prange

    from model.kernels import TIE_BLOCK, _gather_block

    @njit(parallel=parallel, nogil=True)
    def gather(indptr, indices, floats, codes, out):  # pragma: no cover - compiled
        n = indptr.size - 1
        for b in prange((n + TIE_BLOCK - 1) // TIE_BLOCK):
            rows, row_codes = _gather_block(indptr, indices, floats, codes, b * TIE_BLOCK,
                                            min(n, (b + 1) * TIE_BLOCK))
            total = 0.0
            for t in range(rows.shape[0]):  # read the table back, so that the copies are not optimised away
                total += rows[t, 0] + row_codes[t]
            out[b] = total

    return gather


def gather_floor_ms(engine, repetitions: int) -> float:
    """Best time in ms of the fetches alone of a week's pass over ties (:func:`_gather_kernel`), over the
    engine's CSR and neighbour table as they stand."""
    from model.kernels import TIE_BLOCK

    a = engine.adjacency
    out = np.zeros((a.shape[0] + TIE_BLOCK - 1) // TIE_BLOCK)
    gather = engine._compiled(_gather_kernel(True), _gather_kernel(False))   # threaded as the week's passes are
    gather(a.indptr, a.indices, engine._floats, engine._codes, out)
    best = math.inf
    for _ in range(max(1, repetitions)):
        t = time.perf_counter()
        gather(a.indptr, a.indices, engine._floats, engine._codes, out)
        best = min(best, time.perf_counter() - t)
    return best * 1000.0


def _one_run_seconds(args: tuple[int, int, float]) -> float:
    """In a process of its own: one model of ``n`` residents run ``steps`` weeks on one numba thread (as a
    sweep's worker runs); the wall seconds of build and weeks. ``start`` (a ``time.time()``) lines up the
    processes of one measurement."""
    n, steps, start = args
    import numba

    from model import RadicalisationModel

    numba.set_num_threads(1)
    RadicalisationModel(n_residents=500, rng=0, collect=False).step()     # compiled passes loaded
    time.sleep(max(0.0, start - time.time()))
    t = time.perf_counter()
    m = RadicalisationModel(n_residents=n, rng=1, collect=False)
    for _ in range(steps):
        m.step()
    m.outcomes()
    return time.perf_counter() - t


def two_process_ceiling(n: int, steps: int) -> dict:
    """The throughput of two independent runs at once against one at a time, each in its own process on one
    thread: the most any pool of 2 workers can gain on this machine for runs of this size (memory and the
    processor's shared parts set it, not the pool). ``ceiling`` is ``2 * alone / together``."""
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        alone = pool.submit(_one_run_seconds, (n, steps, time.time() + 5.0)).result()
        start = time.time() + 2.0
        together = [f.result() for f in [pool.submit(_one_run_seconds, (n, steps, start)) for _ in range(2)]]
    return {"alone_seconds": alone, "together_seconds": together, "ceiling": 2 * alone / max(together)}


def _scaling_worker(args: tuple[int, int, int, int, str, bool]) -> dict:
    """One size in a fresh process, so that its peak RSS is its own."""
    n, steps, repetitions, warmup, precision, dense = args
    from model import Parameters, build_town, initial_state
    from model.engine import N_DRAWS, ArrayEngine, macro_context

    p = Parameters(n_residents=n, **(DENSE_TOWN if dense else {}))
    rng = np.random.default_rng(1)
    baseline_mb = current_rss_mb()          # the interpreter and libraries, before the town exists
    t0 = time.perf_counter()
    town = build_town(p, rng)
    t_town = time.perf_counter() - t0
    state = initial_state(town, p, rng)
    if precision != "float64":
        state = state.astype(np.dtype(precision))
    engine = ArrayEngine(town, p, np.dtype(precision))
    t_build = time.perf_counter() - t0
    draws = np.empty((N_DRAWS, n), dtype=precision)

    def step(week=[0]):  # noqa: B006 - a counter
        rng.random(out=draws, dtype=draws.dtype)
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
    gather_ms = gather_floor_ms(engine, repetitions)
    return {
        "n_residents": n,
        "ties_per_resident": town.adjacency.nnz / n,
        "nnz": int(town.adjacency.nnz),
        "town_seconds": t_town,
        "build_seconds": t_build,
        "ms_per_step": statistics.median(reps),
        "gather_floor_ms": gather_ms,
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
            row = pool.submit(_scaling_worker, (n, cfg.scaling_steps, cfg.repetitions, cfg.warmup_steps,
                                                cfg.precision, cfg.dense_town)).result()
        row["precision"] = cfg.precision
        row["rss_bytes_per_resident"] = row["peak_rss_mb"] * 1024 * 1024 / n
        row["model_bytes_per_resident"] = (row["peak_rss_mb"] - row["baseline_rss_mb"]) * 1024 * 1024 / n
        rows.append(row)
        if progress:
            progress(len(rows))
    bandwidth = copy_bandwidth(256 if max(cfg.scaling_sizes, default=0) <= 100_000 else 512)   # after the runs
    for row in rows:
        n = row["n_residents"]
        row["copy_bandwidth_gb_s"] = bandwidth
        row["bytes_per_step"] = bytes_per_step(n, row["nnz"], row["state_bytes"], np.dtype(cfg.precision).itemsize)
        row["bound_ms_per_step"] = row["bytes_per_step"] / (bandwidth * 1e9) * 1000.0
        row["step_over_bound"] = row["ms_per_step"] / row["bound_ms_per_step"]
        row["gather_floor_over_bound"] = row["gather_floor_ms"] / row["bound_ms_per_step"]
    return rows


_MEASURE = ("import resource, subprocess, sys, time\n"
            "t = time.perf_counter(); r = subprocess.run(sys.argv[2:], cwd=sys.argv[1], capture_output=True)\n"
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)\n"
            "sys.stderr.write(r.stderr.decode()[-2000:])")


def timed_command(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``radsim ARGS`` in a fresh process (measured by a parent of its own,
    so that no other child of the benchmark counts). Raises ``RuntimeError`` if the command fails."""
    res = subprocess.run([sys.executable, "-c", _MEASURE, str(cwd), sys.executable, "-m", "experiments", *args],
                         capture_output=True, text=True)
    try:
        seconds, rss_kb, code = res.stdout.split()
    except ValueError:
        raise RuntimeError(f"radsim {' '.join(args)}: {res.stderr.strip()[-300:]}") from None
    if int(code) != 0:
        raise RuntimeError(f"radsim {' '.join(args)} failed: {res.stderr.strip()[-300:]}")
    return float(seconds), float(rss_kb) / 1024.0


SWEEP_TOML = """[sweep]
name = "bench-sweep"
design = "lhs"
samples = 8
replications = 2
seed = 3
steps = {steps}
batch_size = 4
outcomes = ["phase_1", "phase_2", "entered_phase_2", "mean_trust"]

[uncertainties]
societal_discrimination = {{ low = 0.1, high = 0.5 }}

[constants]
n_residents = {residents}
"""


def burn_in_scenario(week: int, steps: int, residents: int | None = None) -> str:
    """The combined example with every intervention starting at ``week``, ``steps`` weeks in all and, if given,
    ``residents`` residents.

    With its 3 arms, a warm-up of ``W`` of ``T`` weeks leaves at best ``(W + 3 (T - W)) / 3 T`` of the
    comparison's simulated weeks: 0.67 for 260 of 520 weeks, 0.52 for 260 of 364. The bench uses 364 (a
    five-year burn-in, then two years of policy) in a town of 20,000, where the simulation, not the
    command's fixed seconds (start-up, worker processes, writing the outputs), is most of the time.
    """
    from .examples import example_path

    text = example_path("comparisons/combined.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^start = \d+", f"start = {week}", text)
    if residents is not None:
        text = re.sub(r"(?m)^n_residents = \d+", f"n_residents = {residents}", text)
    return re.sub(r"(?m)^steps = \d+", f"steps = {steps}", text)


def acceptance(cfg: BenchConfig, reference: list[dict], scale: list[dict], progress=None) -> list[dict]:
    """Section 4: each figure of issue 16 beside its target; ``ratio`` > 1 means the target is met."""
    rows: list[dict] = []

    def row(figure: str, measured: float, unit: str, target: float, better: str, command: str) -> None:
        ratio = target / measured if better == "lower" else measured / target
        rows.append({"figure": figure, "measured": measured, "unit": unit, "target": target, "better": better,
                     "ratio": ratio, "met": ratio >= 1.0, "command": command})

    with tempfile.TemporaryDirectory(prefix="radsim-bench-") as tmp:
        folder = Path(tmp)
        run_args = ["run", "--residents", str(cfg.run_residents), "--steps", str(cfg.run_steps), "--out", "run"]
        seconds, rss = timed_command(run_args, folder)
        command = "radsim " + " ".join(run_args)
        row("whole run command: seconds", seconds, "s", 25.0, "lower", command)
        row("whole run command: peak RSS", rss, "MB", 2048.0, "lower", command)
        if progress:
            progress()
        big = [r for r in scale if r["n_residents"] == max(x["n_residents"] for x in scale)]
        if big:
            row(f"week at {big[0]['n_residents']:,} over the bandwidth bound", big[0]["step_over_bound"], "x", 5.0,
                "lower", "radsim bench (scaling)")
            row(f"floor: the fetches of the pass over ties alone at {big[0]['n_residents']:,}, over the same bound",
                big[0]["gather_floor_over_bound"], "x", 5.0, "lower", "radsim bench (scaling: gather_floor_ms)")
        for r in reference:
            if r["n_residents"] == max(x["n_residents"] for x in reference):
                row(f"engine over reference at {r['n_residents']:,}", r["speed_ratio"], "x", 1000.0, "higher",
                    "radsim bench (engine against reference)")
        (folder / "sweep.toml").write_text(SWEEP_TOML.format(steps=cfg.sweep_steps, residents=cfg.sweep_residents),
                                           encoding="utf-8")
        sweep_seconds = {}
        for workers in (1, 2):
            sweep_seconds[workers], _ = timed_command(["sweep", "sweep.toml", "--out", f"sweep{workers}",
                                                       "--workers", str(workers)], folder)
            if progress:
                progress()
        row("sweep, 2 workers against 1 (16 runs, whole command)", sweep_seconds[1] / sweep_seconds[2], "x", 1.7,
            "higher", f"radsim sweep (16 runs of {cfg.sweep_residents:,} residents x {cfg.sweep_steps} weeks)")
        ceiling = two_process_ceiling(cfg.sweep_residents, cfg.sweep_steps)
        row("ceiling: two independent runs at once against one (one thread each)", ceiling["ceiling"], "x", 1.7,
            "higher", f"two processes, one run of {cfg.sweep_residents:,} residents x {cfg.sweep_steps} weeks each "
                      f"(alone {ceiling['alone_seconds']:.2f} s, together "
                      f"{' and '.join(f'{x:.2f}' for x in ceiling['together_seconds'])} s)")
        (folder / "burn_in.toml").write_text(burn_in_scenario(cfg.warmup_week, cfg.warmup_steps_total,
                                                              cfg.warmup_residents), encoding="utf-8")
        compare = ["compare", "burn_in.toml", "--replications", str(cfg.warmup_replications)]
        without, _ = timed_command([*compare, "--out", "cold"], folder)
        warm, _ = timed_command([*compare, "--warmup", str(cfg.warmup_week), "--out", "warm"], folder)
        same = all((folder / "cold" / name).read_bytes() == (folder / "warm" / name).read_bytes()
                   for name in ("runs.csv", "comparison.csv"))
        command = (f"radsim compare <combined, {cfg.warmup_residents:,} residents, interventions from week "
                   f"{cfg.warmup_week}, {cfg.warmup_steps_total} weeks> --replications {cfg.warmup_replications} "
                   f"[--warmup {cfg.warmup_week}]" + ("" if same else " (OUTPUTS DIFFER)"))
        row(f"compare --warmup {cfg.warmup_week} over without (share of time)", warm / without, "", 0.60, "lower",
            command)
        walls = [json.loads((folder / name / "provenance.json").read_text(encoding="utf-8"))["run"]["wall_seconds"]
                 for name in ("warm", "cold")]
        row(f"compare --warmup {cfg.warmup_week} over without, the comparison alone (its wall_seconds)",
            walls[0] / walls[1], "", 0.60, "lower", command)
        if progress:
            progress()
    return rows


def run_bench(cfg: BenchConfig, out: Path | None = None, progress=None) -> dict:
    """Run all sections; write ``bench.csv`` and ``bench.md`` to ``out`` if given.

    ``progress(done, total)`` is called after the reference section and after each town size.
    """
    import pandas as pd

    sections = 1 + len(cfg.scaling_sizes) + (4 if cfg.acceptance else 0)
    reference = engine_against_reference(cfg)
    if progress:
        progress(1, sections)
    scale = scaling(cfg, (lambda done: progress(1 + done, sections)) if progress else None)
    done = [1 + len(cfg.scaling_sizes)]

    def tick() -> None:
        done[0] += 1
        if progress:
            progress(done[0], sections)

    accept = acceptance(cfg, reference, scale, tick) if cfg.acceptance else []
    result = {"config": asdict(cfg), "machine": machine(), "reference": reference, "scaling": scale,
              "acceptance": accept}
    if out is not None:
        with atomic_outputs(out) as tmp:     # both or none
            pd.concat([pd.DataFrame(reference).assign(section="engine_vs_reference"),
                       pd.DataFrame(scale).assign(section="scaling"),
                       pd.DataFrame(accept).assign(section="acceptance")]).to_csv(tmp / "bench.csv", index=False)
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
    precision = result["config"].get("precision", "float64")
    town = ("the bench's dense town, about 17.5 ties per resident" if result["config"].get("dense_town", True)
            else "the model's default town")
    lines += ["", f"## Scaling (array engine, {town}, {precision})\n",
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
    if result.get("acceptance"):
        lines += ["", "## Acceptance of issue 16 (measured in this run)\n",
                  "| figure | measured | target | ratio (> 1: met) | met | command |", "|---|---|---|---|---|---|"]
        for r in result["acceptance"]:
            sign = "<=" if r["better"] == "lower" else ">="
            lines.append(f"| {r['figure']} | {r['measured']:.2f} {r['unit']} | {sign} {r['target']:g} {r['unit']} | "
                         f"{r['ratio']:.2f} | {'yes' if r['met'] else 'no'} | `{r['command']}` |")
    return "\n".join(lines) + "\n"
