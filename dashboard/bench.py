"""Benchmark: one week (step) plus the redraw of the dashboard, at several town sizes.

    python -m dashboard.bench [--sizes 500,1000,5000] [--steps 20]
    python -m dashboard.bench --play [--sizes 1000,5000] [--seconds 5]

For each size it renders the real page (:func:`dashboard.app.Dashboard`, in
Python, without a browser) and presses Step ``--steps`` times on each view that
changes every week. A press steps both towns, records the week and redraws every
visible view: the two network pictures (JPEG), pyramids, charts and tables, and
the widget updates Solara would send to the browser. The time the browser then
needs to paint is not included (the browser test reports it). Prints the median
and the 90th percentile in milliseconds, and the share of the time spent in the
model step itself. The target is a median under 200 ms at 1,000 residents.

``--play`` measures the play loop instead: it presses Play at the highest speed (20
weeks per second) and counts the weeks over ``--seconds``, one second after Play. Each
week is stepped and redrawn by the session's timer as in the server; without a browser,
the timer waits only for the render pass, not for a paint. The browser test
(``tests/test_dashboard_browser.py``) measures the same with the browser in the loop.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import time

import click

from experiments.cli import IntRange

__all__ = ["bench", "play_rate", "main"]

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


def play_rate(sizes=(1000, 5000), seconds: float = 5.0) -> list[dict]:
    """Rows of ``{n_residents, weeks_per_second, waits}``: Play at the highest speed on the side-by-side view."""
    from .session import SPEED

    rows = []
    for n in sizes:
        session, rc, _, _ = _session_page(n)
        session.set_speed(SPEED[1])
        with contextlib.redirect_stdout(io.StringIO()):
            session.toggle_play()
            time.sleep(1.0)                                  # the first weeks of a process load the compiled rules
            w0, t0 = session.towns.value.week, time.perf_counter()
            time.sleep(seconds)
            w1, t1 = session.towns.value.week, time.perf_counter()
            session.toggle_play()
            while session.loop_running:
                time.sleep(0.01)
        rows.append({"n_residents": n, "weeks_per_second": (w1 - w0) / (t1 - t0), "waits": session.play_stats.waits})
        rc.close()
    return rows


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--sizes", default=None,
              help="town sizes (residents, 100 to 50000), separated by commas [default: 500,1000,5000; "
                   "with --play 1000,5000]")
@click.option("--steps", type=IntRange(1, 1000), default=20, show_default=True,
              help="timed steps (weeks) per size and view")
@click.option("--play", is_flag=True, help="measure the weeks per second of Play at the highest speed instead")
@click.option("--seconds", type=click.FloatRange(1, 600), default=5.0, show_default=True,
              help="with --play: seconds of play measured per size")
def main(sizes: str | None, steps: int, play: bool, seconds: float) -> None:
    """Benchmark: one step plus the redraw of the dashboard, at several town sizes."""
    sizes = sizes or ("1000,5000" if play else "500,1000,5000")
    try:
        towns = tuple(int(s) for s in sizes.split(","))
    except ValueError:
        raise click.BadParameter(f"{sizes!r} is not a list of integers like 500,1000", param_hint="--sizes") from None
    if not all(100 <= n <= 50_000 for n in towns):
        raise click.BadParameter(f"{sizes}: each size must be 100 to 50000 residents", param_hint="--sizes")
    if play:
        click.echo(f"Play at the highest speed, weeks per second over {seconds:g} s (two towns, side by side, "
                   "redrawn in Python; no browser)")
        for r in play_rate(towns, seconds):
            click.echo(f"{r['n_residents']:>9,} residents  {r['weeks_per_second']:5.1f} weeks per second")
        return
    rows = bench(towns, steps)
    click.echo(f"step + redraw, {steps} steps per row (two towns in lockstep; median and 90th percentile)")
    click.echo(f"{'residents':>9}  {'view':<16} {'median ms':>9} {'p90 ms':>7} {'of which model step ms':>23}")
    for r in rows:
        click.echo(f"{r['n_residents']:>9,}  {r['view']:<16} {r['median_ms']:>9.0f} {r['p90_ms']:>7.0f} "
                   f"{r['step_ms']:>23.0f}")


if __name__ == "__main__":
    main()
