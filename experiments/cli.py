"""The ``radsim`` command line."""

from __future__ import annotations

import sys
import time
from pathlib import Path
import click
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from model.parameters import ParameterError, parameter_table

from .runner import run_scenario, write_run
from .scenario import Scenario, ScenarioError, load_scenario, validation_message


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="radsim", prog_name="radsim")
def app() -> None:
    """radsim: an agent-based simulator of the radicalisation process (synthetic towns only)."""

out_console = Console()
err_console = Console(stderr=True)

EXIT_BAD_INPUT = 2


def fail(message: str) -> None:
    """Print a one-line error and exit with code 2."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise SystemExit(EXIT_BAD_INPUT)


@app.command()
@click.argument("scenario", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--residents", type=int, help="number of residents (overrides the scenario)")
@click.option("--steps", type=int, help="weeks to simulate (overrides the scenario)")
@click.option("--seed", type=int, help="random seed (overrides the scenario)")
@click.option("--out", type=click.Path(path_type=Path), default=Path("results/run"), show_default=True,
              help="output folder")
def run(scenario: Path | None, residents: int | None, steps: int | None, seed: int | None, out: Path) -> None:
    """Simulate a town and write timeseries.parquet, run.json and phases.png to --out."""
    try:
        sc = load_scenario(scenario) if scenario is not None else Scenario()
        sc = sc.with_overrides(residents=residents, steps=steps, seed=seed)
    except (ScenarioError, ParameterError) as err:
        fail(str(err))
    if out.exists() and not out.is_dir():
        fail(f"--out: {out} exists and is not a folder")
    p = sc.parameters
    out_console.print(f"[bold]{sc.name}[/]: {p.n_residents:,} residents, {sc.steps} weeks, seed {sc.seed}")
    with Progress(TextColumn("simulating"), BarColumn(), TextColumn("week {task.completed}/{task.total}"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("run", total=sc.steps)
        result = run_scenario(sc, progress=lambda w: bar.update(task, completed=w))
    write_run(result, out)
    s = result.summary()
    table = Table(title=f"After {sc.steps} weeks ({result.wall_seconds:.1f} s)")
    table.add_column("phase")
    table.add_column("residents", justify="right")
    table.add_column("share", justify="right")
    for k, label in enumerate(["0 none", "1 sensitivity", "2 group membership", "3 action"]):
        table.add_row(label, f"{s[f'phase_{k}']:,}", f"{100 * s[f'phase_{k}_share']:.2f}%")
    out_console.print(table)
    out_console.print(f"young people (12-27) in phase 1 or higher: {100 * s['young_sympathiser_share']:.1f}%")
    if s["moved_to_action"]:
        out_console.print(f"moved to action during the run: {s['moved_to_action']} "
                          f"(median {s['weeks_to_action_median']:.0f} weeks in phase 2 first)")
    out_console.print(f"wrote {out}/timeseries.parquet, run.json, phases.png")


@app.command()
@click.argument("scenario", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--replications", type=int, default=10, show_default=True, help="seeds per arm")
@click.option("--workers", type=int, default=None, help="parallel processes (default: all cores)")
@click.option("--residents", type=int, help="number of residents (overrides the scenario)")
@click.option("--steps", type=int, help="weeks to simulate (overrides the scenario)")
@click.option("--out", type=click.Path(path_type=Path), default=Path("results/compare"), show_default=True,
              help="output folder")
def compare(scenario: Path, replications: int, workers: int | None, residents: int | None, steps: int | None,
            out: Path) -> None:
    """Compare the baseline with each intervention arm (common random numbers, 95% CIs)."""
    from .compare import compare_arms, write_comparison

    try:
        sc = load_scenario(scenario).with_overrides(residents=residents, steps=steps)
    except (ScenarioError, ParameterError) as err:
        fail(str(err))
    if replications < 1 or replications > 10_000:
        fail(f"--replications: {replications} is out of range; allowed range 1 to 10000")
    if workers is not None and workers < 1:
        fail(f"--workers: {workers} is out of range; must be at least 1")
    if out.exists() and not out.is_dir():
        fail(f"--out: {out} exists and is not a folder")
    arms = sc.arms()
    if len(arms) < 2:
        fail(f"{scenario}: no [[interventions]] to compare with the baseline")
    out_console.print(f"[bold]{sc.name}[/]: {len(arms)} arms ({', '.join(arms)}), {replications} replications, "
                      f"{sc.parameters.n_residents:,} residents, {sc.steps} weeks")
    with Progress(TextColumn("runs"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("compare", total=len(arms) * replications)
        result = compare_arms(sc, replications=replications, workers=workers,
                              progress=lambda done, total: bar.update(task, completed=done))
    write_comparison(result, out)
    print_comparison(result, replications)
    out_console.print(f"wrote {out}/comparison.csv, comparison.md, runs.csv, trajectories.png")


def print_comparison(result, replications: int) -> None:
    """Summary on the console: a table on wide terminals, one line per arm otherwise."""
    shown = [("phase_1", "phase 1"), ("phase_2", "phase 2"), ("phase_3", "phase 3"),
             ("entered_phase_2", "entered 2"), ("entered_phase_3", "entered 3"), ("mean_trust", "trust"),
             ("cost", "cost")]
    t = result.table().set_index(["arm", "outcome"])
    rows = []
    for arm in result.arms:
        cells = []
        for key, _ in shown:
            r = t.loc[(arm, key)]
            fmt = "{:.3f}" if key == "mean_trust" else "{:,.1f}"
            diff = "" if arm == "baseline" else f" ({'+' if r['difference'] >= 0 else ''}{fmt.format(r['difference'])})"
            cells.append(fmt.format(r["mean"]) + diff)
        cpa = t.loc[(arm, "cost_per_averted_phase_2_entry")]["mean"]
        cells.append("-" if arm == "baseline" else ("none averted" if cpa != cpa else f"{cpa:,.0f}"))
        rows.append((arm, cells))
    labels = [label for _, label in shown] + ["cost per averted entry"]
    title = f"mean over {replications} replications; difference to the baseline in brackets"
    if out_console.width >= 150:
        table = Table(title=title)
        table.add_column("arm", no_wrap=True)
        for label in labels:
            table.add_column(label, justify="right", no_wrap=True)
        for arm, cells in rows:
            table.add_row(arm, *cells)
        out_console.print(table)
        return
    out_console.print(title)
    for arm, cells in rows:
        out_console.print(f"[bold]{arm}[/]", highlight=False)
        out_console.print("  " + "; ".join(f"{label} {cell}" for label, cell in zip(labels, cells)), highlight=False)


def _sweep_options(f, metavar: str = "SWEEP.toml"):
    f = click.option("--scheduler", type=str, default=None,
                     help="address of an existing Dask scheduler (tcp://host:port)")(f)
    f = click.option("--workers", type=int, default=2, show_default=True, help="local Dask worker processes")(f)
    f = click.option("--out", type=click.Path(path_type=Path), required=True,
                     help="output folder (resumes if it exists)")(f)
    return click.argument("sweep_file", metavar=metavar, type=click.Path(path_type=Path, dir_okay=False))(f)


def _run_with_progress(spec_file: Path, out: Path, workers: int, scheduler: str | None, method: str | None = None):
    """Validate the inputs, run (or resume) the sweep with a progress bar; returns (spec, results)."""
    from .sweep import SweepError, SweepSpec, load_sweep, read_results, run_sweep, runs_table

    try:
        spec = load_sweep(spec_file)
        if method is not None:
            spec = SweepSpec.model_validate({**spec.model_dump(), "design": method})
    except SweepError as err:
        fail(str(err))
    except ValidationError as err:       # a design that does not fit the factors
        fail(f"{spec_file}: {validation_message(err)}")
    _check_cluster_options(out, workers, scheduler)
    total = len(runs_table(spec))
    done_before = len(read_results(out)) if out.exists() else 0
    out_console.print(f"[bold]{spec.name}[/]: {spec.design} design, {total} runs "
                      f"({done_before} already done), {spec.steps} weeks each, "
                      f"{'scheduler ' + scheduler if scheduler else f'{workers} local workers'}")
    t0 = time.perf_counter()
    with Progress(TextColumn("runs"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("sweep", total=total)
        results = run_sweep(spec, out, workers=workers, scheduler=scheduler,
                            progress=lambda done, tot: bar.update(task, completed=done))
    seconds = time.perf_counter() - t0
    new = len(results) - done_before
    out_console.print(f"{len(results)} runs in {out}/results.parquet ({new} new, "
                      f"{new / seconds if seconds > 0 else 0:.2f} runs/s)")
    return spec, results


@app.command()
@_sweep_options
def sweep(sweep_file: Path, out: Path, workers: int, scheduler: str | None) -> None:
    """Run a sweep on a local Dask cluster (or --scheduler); results in OUT/results.parquet, resumable."""
    _run_with_progress(sweep_file, out, workers, scheduler)


@app.command()
@_sweep_options
@click.option("--method", type=click.Choice(["sobol", "morris"]), default=None,
              help="Sobol (first and total order) or Morris indices; default: the design of the sweep file")
def sensitivity(sweep_file: Path, out: Path, workers: int, scheduler: str | None, method: str | None) -> None:
    """Sobol or Morris sensitivity indices (SALib) of a sweep: OUT/indices.csv, indices.md, indices.png."""
    from .sensitivity import analyze, indices_markdown, write_indices
    from .sweep import SweepError

    if method is None:
        from .sweep import load_sweep

        try:
            design = load_sweep(sweep_file).design
        except SweepError as err:
            fail(str(err))
        if design not in ("sobol", "morris"):
            fail(f"--method: the sweep file has design '{design}'; give --method sobol or --method morris")
    spec, results = _run_with_progress(sweep_file, out, workers, scheduler, method)
    try:
        table = analyze(spec, results)
    except SweepError as err:
        fail(str(err))
    write_indices(table, out, title=f"{spec.name}: {spec.design} indices")
    out_console.print(indices_markdown(table), highlight=False)
    out_console.print(f"wrote {out}/indices.csv, indices.md and indices.png")


@app.command()
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
@click.option("--outcome", "outcomes", multiple=True, help="outcome to plot (repeatable; default: all recorded)")
@click.option("--x", default=None, help="factor on the heat map's x axis (default: the first factor)")
@click.option("--y", default=None, help="factor on the heat map's y axis (default: the second factor)")
def plot(folder: Path, outcomes: tuple[str, ...], x: str | None, y: str | None) -> None:
    """Plots of a finished sweep: each outcome against each factor (95% bands) and two-factor heat maps."""
    from .sweep import SweepError
    from .sweep_plots import plot_sweep

    if not (folder / "sweep.json").is_file():
        fail(f"DIR: {folder} holds no sweep (no sweep.json); run `radsim sweep` into it first")
    try:
        paths = plot_sweep(folder, list(outcomes) or None, x, y)
    except SweepError as err:
        fail(str(err))
    for p in paths:
        out_console.print(f"wrote {p}")


def _check_cluster_options(out: Path, workers: int, scheduler: str | None) -> None:
    """One-line errors for the output folder, the worker count and the scheduler address."""
    if workers < 1 or workers > 1024:
        fail(f"--workers: {workers} is out of range; allowed range 1 to 1024")
    if out.exists() and not out.is_dir():
        fail(f"--out: {out} exists and is not a folder")
    if scheduler:
        _check_scheduler(scheduler)


def _check_scheduler(address: str) -> None:
    """Fail with one line if no Dask scheduler answers at ``address``."""
    import socket
    from urllib.parse import urlparse

    parsed = urlparse(address if "://" in address else f"tcp://{address}")
    if not parsed.hostname or not parsed.port:
        fail(f"--scheduler: '{address}' is not an address like tcp://host:8786")
    try:
        socket.create_connection((parsed.hostname, parsed.port), timeout=5).close()
    except OSError as err:
        fail(f"--scheduler: cannot reach {address} ({err.strerror or err})")


@app.command()
@lambda f: _sweep_options(f, metavar="CALIBRATION.toml")
def calibrate(sweep_file: Path, out: Path, workers: int, scheduler: str | None) -> None:
    """Fit free parameters to target prevalences by ABC; OUT/calibration.md, fitted.csv, posterior.csv."""
    from .abc import calibrate as run_calibration
    from .abc import load_calibration, write_calibration
    from .sweep import SweepError

    try:
        spec = load_calibration(sweep_file)
    except SweepError as err:
        fail(str(err))
    _check_cluster_options(out, workers, scheduler)
    out_console.print(f"[bold]{spec.name}[/]: {spec.samples} prior draws x {spec.replications} replications, "
                      f"keeping the closest {spec.accept:.0%}")
    with Progress(TextColumn("prior draws"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("abc", total=spec.samples * spec.replications)
        summary, posterior = run_calibration(spec, out, workers=workers, scheduler=scheduler,
                                             progress=lambda done, tot: bar.update(task, completed=done))
    path = write_calibration(spec, summary, posterior, out)
    for r in summary.itertuples():
        out_console.print(f"{r.parameter}: {r.mean:.3f} (sd {r.sd:.3f}; 95% interval {r.ci_low:.3f} to "
                          f"{r.ci_high:.3f})", highlight=False)
    out_console.print(f"report in {path}")


@app.command()
@click.option("--quick", is_flag=True, help="smaller towns and 4 replications: about 2 minutes (used by the tests)")
@click.option("--replications", type=click.IntRange(2, 1000), default=None,
              help="replications per check (default 4 with --quick, else 10)")
@click.option("--workers", type=click.IntRange(1, 1024), default=None, help="processes for the comparison check")
@click.option("--out", type=click.Path(path_type=Path), default=Path("results/validation"), show_default=True,
              help="output folder for validation.md, checks.csv and the figures")
def validate(quick: bool, replications: int | None, workers: int | None, out: Path) -> None:
    """Hold the model against published findings; writes a Markdown report with plots."""
    import dataclasses

    from .validation import FULL, QUICK, run_validation, write_report

    if out.exists() and not out.is_dir():
        fail(f"--out: {out} exists and is not a folder")
    settings = QUICK if quick else FULL
    settings = dataclasses.replace(settings, workers=workers,
                                   replications=replications or settings.replications)
    out_console.print(f"validation: {settings.residents:,} residents, {settings.weeks} weeks, "
                      f"{settings.replications} replications per check")
    with Progress(TextColumn("checks"), BarColumn(), TextColumn("{task.completed}/{task.total} runs"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("validate", total=None)
        checks, data = run_validation(settings, progress=lambda d, t: bar.update(task, completed=d, total=t))
    path = write_report(checks, data, settings, out)
    for c in checks:
        verdict = "[green]pass[/]" if c.passed else "[bold red]FAIL[/]"
        out_console.print(f"{verdict}  {c.number}. {c.name}: {c.value:.3g}", highlight=False)
    out_console.print(f"{sum(c.passed for c in checks)} of {len(checks)} checks pass; report in {path}")


@app.command()
@click.option("--quick", is_flag=True, help="small sizes, a few seconds (used by the tests)")
@click.option("--stretch", is_flag=True, help="only 17.9 million residents, build plus 10 steps (needs about 20 GB)")
@click.option("--out", type=click.Path(path_type=Path), default=Path("results/bench"), show_default=True,
              help="output folder for bench.csv and bench.md")
def bench(quick: bool, stretch: bool, out: Path) -> None:
    """Benchmark: array engine against the per-agent reference, scaling, memory-bandwidth bound."""
    from .bench import BenchConfig, run_bench

    if out.exists() and not out.is_dir():
        fail(f"--out: {out} exists and is not a folder")
    if quick and stretch:
        fail("--quick and --stretch: choose one")
    cfg = BenchConfig.quick() if quick else BenchConfig.stretch() if stretch else BenchConfig()
    with err_console.status("benchmarking (engine against reference, then scaling)") as status:
        result = run_bench(cfg, out, progress=lambda what: status.update(f"benchmarking: done {what}"))
    from .bench import markdown

    out_console.print(markdown(result), markup=False, highlight=False)
    out_console.print(f"wrote {out}/bench.csv, bench.md")


@app.command()
@click.option("--markdown", is_flag=True, help="print a Markdown table (as in docs/ODD.md)")
def params(markdown: bool) -> None:
    """List every model parameter with its default, range and unit."""
    if markdown:
        click.echo(parameter_markdown())
        return
    if out_console.width < 130:          # narrow terminal or a pipe: one parameter per line
        for row in parameter_table():
            rng = "" if row["min"] is None else f"  [{row['min']} .. {row['max']}]"
            click.echo(f"{row['name']} = {row['default']}{rng} {row['unit']}: {row['description']}")
        return
    table = Table(title="radsim parameters (docs/ODD.md section 7)")
    table.add_column("name", no_wrap=True)
    table.add_column("default", no_wrap=True)
    table.add_column("range", no_wrap=True)
    table.add_column("unit")
    table.add_column("meaning", overflow="fold")
    for row in parameter_table():
        rng = "" if row["min"] is None else f"{row['min']} .. {row['max']}"
        table.add_row(row["name"], str(row["default"]), rng, row["unit"], row["description"])
    out_console.print(table)


def parameter_markdown() -> str:
    """The parameter table in Markdown, one row per parameter."""
    lines = ["| parameter | default | range | unit | meaning |", "|---|---|---|---|---|"]
    for row in parameter_table():
        rng = "" if row["min"] is None else f"{row['min']} to {row['max']}"
        lines.append(f"| `{row['name']}` | {row['default']} | {rng} | {row['unit']} | {row['description']} |")
    return "\n".join(lines)


@app.command(name="dashboard")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on (this machine only)")
@click.option("--port", type=int, default=8765, show_default=True, help="port (0: any free port)")
@click.option("--open/--no-open", "open_browser", default=False, help="open the dashboard in a browser")
@click.option("--one-town", is_flag=True, help="one town in Mesa's SolaraViz page instead of the side-by-side view")
def dashboard_command(host: str, port: int, open_browser: bool, one_town: bool) -> None:
    """Start the trainers' dashboard (Solara) at http://HOST:PORT; Ctrl-C stops it."""
    from dashboard.serve import APP, ONE_TOWN_APP, is_loopback, serve

    if not 0 <= port <= 65535:
        fail(f"--port: {port} is out of range; allowed range 0 to 65535")
    if not is_loopback(host):
        err_console.print(f"note: listening on {host}: other machines on the network can open the dashboard")
    out_console.print(f"radsim dashboard at http://{host}:{port} (Ctrl-C stops it)")
    serve(host, port, open_browser=open_browser, app=ONE_TOWN_APP if one_town else APP)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning usage errors into one-line messages with exit code 2."""
    try:
        rv = app.main(args=argv, standalone_mode=False, prog_name="radsim")
    except click.exceptions.NoArgsIsHelpError as err:
        click.echo(err.ctx.get_help() if err.ctx else str(err))
        return 0
    except click.UsageError as err:
        err_console.print(f"[bold red]error:[/] {err.format_message()}", highlight=False, soft_wrap=True)
        return EXIT_BAD_INPUT
    except click.exceptions.Exit as err:
        return err.exit_code
    except click.Abort:
        err_console.print("aborted")
        return 130
    except SystemExit as err:
        return int(err.code or 0)
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
