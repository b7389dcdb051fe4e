"""Benchmark: one week (step) plus the redraw of the dashboard, at several town sizes.

    python -m dashboard.bench [--sizes 500,1000,5000] [--steps 20]

For each size it renders the real page (:func:`dashboard.app.Dashboard`, in
Python, without a browser) and presses Step ``--steps`` times on each view that
changes every week. A press steps both towns, records the week and redraws every
visible view: the two network pictures (JPEG), pyramids, charts and tables, and
the widget updates Solara would send to the browser. The time the browser then
needs to paint is not included (the browser test reports it). Prints the median
and the 90th percentile in milliseconds, and the share of the time spent in the
model step itself. The target is a median under 200 ms at 1,000 residents.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import time

import click

from experiments.cli import IntRange

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


def bench(sizes=(500, 1000, 5000), steps: int = 20, warmup: int = 3) -> list[dict]:
    """Rows of ``{n_residents, view, median_ms, p90_ms, step_ms}``: ``steps`` timed presses of Step per view."""
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
                for _ in range(steps):
                    t0 = time.perf_counter()
                    step.click()
                    total.append(time.perf_counter() - t0)
                    model.append(session.last_step_seconds_model)
            total.sort()
            rows.append({"n_residents": n, "view": view, "median_ms": 1000 * statistics.median(total),
                         "p90_ms": 1000 * total[int(0.9 * (len(total) - 1))],
                         "step_ms": 1000 * statistics.median(model)})
        rc.close()
    return rows


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--sizes", default="500,1000,5000", show_default=True,
              help="town sizes (residents, 100 to 50000), separated by commas")
@click.option("--steps", type=IntRange(1, 1000), default=20, show_default=True,
              help="timed steps (weeks) per size and view")
def main(sizes: str, steps: int) -> None:
    """Benchmark: one step plus the redraw of the dashboard, at several town sizes."""
    try:
        towns = tuple(int(s) for s in sizes.split(","))
    except ValueError:
        raise click.BadParameter(f"{sizes!r} is not a list of integers like 500,1000", param_hint="--sizes") from None
    if not all(100 <= n <= 50_000 for n in towns):
        raise click.BadParameter(f"{sizes}: each size must be 100 to 50000 residents", param_hint="--sizes")
    rows = bench(towns, steps)
    click.echo(f"step + redraw, {steps} steps per row (two towns in lockstep; median and 90th percentile)")
    click.echo(f"{'residents':>9}  {'view':<16} {'median ms':>9} {'p90 ms':>7} {'of which model step ms':>23}")
    for r in rows:
        click.echo(f"{r['n_residents']:>9,}  {r['view']:<16} {r['median_ms']:>9.0f} {r['p90_ms']:>7.0f} "
                   f"{r['step_ms']:>23.0f}")


if __name__ == "__main__":
    main()
