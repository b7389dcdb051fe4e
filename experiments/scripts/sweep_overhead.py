"""The fixed seconds of a sweep's local Dask cluster (issue 16): importing Dask, starting the cluster with
radsim's worker set-up, each worker's first imports of the model, and closing it.

Run: ``python -m experiments.scripts.sweep_overhead [WORKERS]`` (default 2).
"""

from __future__ import annotations

import sys
import time


def _first_task(_: int) -> float:
    t = time.perf_counter()
    from model import RadicalisationModel

    RadicalisationModel(n_residents=500, rng=0, collect=False).step()
    return time.perf_counter() - t


def main(workers: int = 2) -> dict[str, float]:
    t0 = time.perf_counter()
    from dask.distributed import Client, LocalCluster

    t1 = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address="127.0.0.1:0", preload=["experiments.dask_worker"])
    client = Client(cluster)
    t2 = time.perf_counter()
    first = client.gather([client.submit(_first_task, i, pure=False) for i in range(workers)])
    t3 = time.perf_counter()
    client.close()
    cluster.close()
    t4 = time.perf_counter()
    out = {"import dask.distributed": t1 - t0, "cluster up": t2 - t1, "first tasks (wall)": t3 - t2,
           "first task in a worker (longest)": max(first), "close": t4 - t3}
    for name, seconds in out.items():
        print(f"{name:34s} {seconds:5.2f} s")
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
