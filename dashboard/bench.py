"""Benchmark: one week (step) plus the redraw of the dashboard, at several town sizes.

    python -m dashboard.bench [--sizes 500 1000 5000] [--weeks 20]

For each size it renders the real page (:func:`dashboard.app.Dashboard`, in
Python, without a browser) and presses Step ``--weeks`` times on each view that
changes every week. A press steps both towns, records the week and redraws every
visible view: the two network pictures (JPEG), pyramids, charts and tables, and
the widget updates Solara would send to the browser. The time the browser then
needs to paint is not included (the browser test reports it). Prints the median
and the 90th percentile in milliseconds, and the share of the time spent in the
model step itself. The target is a median under 200 ms at 1,000 residents.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time

__all__ = ["bench", "main"]

VIEWS = ("side by side", "trends", "neighbourhoods", "meet a resident")


def _session_page(n: int):
    import ipyvuetify as v
    import solara

    from .app import Dashboard
    from .session import Session
    from .twin import TownSettings

    session = Session(TownSettings(n_residents=n))
    with contextlib.redirect_stdout(io.StringIO()):    # outside a server, the app bar prints its children
        _, rc = solara.render(solara.AppLayout(children=[Dashboard(session)]), handle_error=False)
    step = rc.find(v.Btn, children=["Step"]).widget
    tabs = rc.find(v.Tabs).widget
    return session, rc, step, tabs


def bench(sizes=(500, 1000, 5000), weeks: int = 20, warmup: int = 3) -> list[dict]:
    """Rows of ``{residents, view, median_ms, p90_ms, step_ms}``."""
    rows = []
    for n in sizes:
        session, rc, step, tabs = _session_page(n)
        for k, view in enumerate(VIEWS):
            tabs.v_model = k
            if view == "meet a resident":
                session.select(session.towns.value.pick(phase=1) or 0)
            total, model = [], []
            with contextlib.redirect_stdout(io.StringIO()):
                for _ in range(warmup):
                    step.click()
                for _ in range(weeks):
                    t0 = time.perf_counter()
                    step.click()
                    total.append(time.perf_counter() - t0)
                    model.append(session.last_step_seconds_model)
            total.sort()
            rows.append({"residents": n, "view": view, "median_ms": 1000 * statistics.median(total),
                         "p90_ms": 1000 * total[int(0.9 * (len(total) - 1))],
                         "step_ms": 1000 * statistics.median(model)})
        rc.close()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dashboard.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 5000], help="town sizes (residents)")
    parser.add_argument("--weeks", type=int, default=20, help="timed weeks per size and view")
    args = parser.parse_args(argv)
    if any(not 100 <= s <= 50_000 for s in args.sizes) or not 1 <= args.weeks <= 1000:
        parser.error("--sizes: 100 to 50000 residents; --weeks: 1 to 1000")
    rows = bench(tuple(args.sizes), args.weeks)
    print(f"step + redraw, {args.weeks} weeks per row (two towns in lockstep; median and 90th percentile)")
    print(f"{'residents':>9}  {'view':<16} {'median ms':>9} {'p90 ms':>7} {'of which model step ms':>23}")
    for r in rows:
        print(f"{r['residents']:>9,}  {r['view']:<16} {r['median_ms']:>9.0f} {r['p90_ms']:>7.0f} {r['step_ms']:>23.0f}")


if __name__ == "__main__":
    main()
