"""The ``radsim`` command line: a thin layer over the library.

Each command parses its options with click, calls one library function of
``experiments`` (which does the work and can be called from Python the same way)
and prints its result. Errors are one line on stderr with exit code 2, never a
traceback: range checks are click types (:func:`field_range` takes the range from
the validated model; :class:`SchedulerAddress` checks that a scheduler answers), the
output folder is :func:`out_option`, the progress bar is :func:`progress_bar`, and an
input file that does not exist is looked up among the examples (:class:`InputFile`),
so ``radsim run demo.toml`` works from any folder.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from pydantic import BaseModel
from rich.console import Console
from rich.text import Text
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from model.errors import bounds
from model.interventions import intervention_table
from model.parameters import PRECISIONS, ParameterError, Parameters, parameter_table

from .examples import KINDS, ExampleNotFound, describe, example_path, examples
from . import provenance
from .memory import keep_freed_memory
from .params import parameter_markdown
from .runner import OutputError, check_output_folder, run_scenario, write_run
from .scenario import Scenario, ScenarioError, load_scenario
from .sweep import SweepError

__all__ = ["app", "main", "fail", "IntRange", "field_range", "InputFile", "SchedulerAddress", "out_option",
           "progress_bar", "parameter_markdown"]

out_console = Console(markup=False, highlight=False, soft_wrap=True)
err_console = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)
"""Plain text: user input (file names, scenario names, keys) is never read as rich markup; styles come from
:func:`say`. Long lines are never broken into several (soft wrap): a terminal wraps them itself, and a log file
keeps one line per line."""

EXIT_BAD_INPUT = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="radsim", prog_name="radsim")
def app() -> None:
    """radsim: an agent-based simulator of the radicalisation process (synthetic towns only).

    One step is one week. Files may be given by path or, for the shipped examples, by name
    (`radsim examples` lists them).
    """


# --- the helpers every command uses -------------------------------------------------------------------------------

def say(*parts: str | tuple[str, str], console: Console = out_console) -> None:
    """Print one line made of plain strings and ``(text, style)`` pairs; no markup is interpreted."""
    console.print(Text.assemble(*parts), soft_wrap=True)


def error_line(message: str) -> None:
    """The one line of an error on stderr."""
    say(("error:", "bold red"), " ", " ".join(str(message).split()), console=err_console)


def fail(message: str) -> None:
    """Print a one-line error and exit with code 2."""
    error_line(message)
    raise SystemExit(EXIT_BAD_INPUT)


class IntRange(click.IntRange):
    """click's integer range with the project's wording: ``70000 is out of range; allowed range 0 to 65535``."""

    def convert(self, value, param, ctx) -> int:
        number = click.INT.convert(value, param, ctx)
        if (self.min is not None and number < self.min) or (self.max is not None and number > self.max):
            allowed = (f"allowed range {self.min} to {self.max}" if self.min is not None and self.max is not None
                       else f"at least {self.min}" if self.min is not None else f"at most {self.max}")
            self.fail(f"{number} is out of range; {allowed}", param, ctx)
        return number


def field_range(model: type[BaseModel], name: str) -> IntRange:
    """The range of the integer pydantic field ``model.name`` as a click type, so the range has one source."""
    b = bounds(model.model_fields[name].metadata)
    return IntRange(b.get("ge"), b.get("le"))


class InputFile(click.Path):
    """An input file by path; if no such file exists, the example of that name (:mod:`experiments.examples`)."""

    def __init__(self, what: str) -> None:
        super().__init__(path_type=Path, dir_okay=False)
        self.what = what

    def convert(self, value, param, ctx) -> Path:
        if not Path(value).exists():
            try:
                return example_path(value)
            except ExampleNotFound:
                self.fail(f"{self.what} file not found: {value} (nor an example of that name; "
                          "`radsim examples` lists them)", param, ctx)
        return super().convert(value, param, ctx)


class SchedulerAddress(click.ParamType):
    """The address of a running Dask scheduler (``tcp://host:port``): checked to answer, so a typo fails at once."""

    name = "address"

    def convert(self, value, param, ctx) -> str:
        import socket
        from urllib.parse import urlparse

        parsed = urlparse(value if "://" in value else f"tcp://{value}")
        if not parsed.hostname or not parsed.port:
            self.fail(f"'{value}' is not an address like tcp://host:8786", param, ctx)
        try:
            socket.create_connection((parsed.hostname, parsed.port), timeout=5).close()
        except OSError as err:
            self.fail(f"cannot reach {value} ({err.strerror or err})", param, ctx)
        return value


class OutputFolder(click.ParamType):
    """An output folder that can be created and written, checked before any work (:func:`check_output_folder`)."""

    name = "folder"

    def convert(self, value, param, ctx) -> Path:
        try:
            return check_output_folder(value)
        except OutputError as err:
            self.fail(str(err), param, ctx)


def out_option(default: Path | None, what: str) -> Callable:
    """The ``--out`` option: a folder that can be written, checked before any work; required without a default."""
    if default is None:                     # no default at all: click then reports a missing --out
        return click.option("--out", type=OutputFolder(), required=True, help=f"output folder: {what}")
    return click.option("--out", type=OutputFolder(), default=default, show_default=True,
                        help=f"output folder: {what}")


def duration_text(seconds: float) -> str:
    """``12 s``, ``1 min 10 s``, ``2 h 5 min``."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


class PlainProgress:
    """Progress as plain lines, for a log file (a Slurm job's output) where a bar would print nothing.

    A line (``sweep: 8/16 runs, 50%, 1 min 10 s elapsed, about 1 min 10 s left``) is printed at the first update,
    at every further tenth of the total, at the end, and otherwise every ``interval`` seconds, so that a log
    shows a command alive even while no run finishes.
    """

    def __init__(self, command: str, noun: str, total: int | None, interval: float = 30.0,
                 console: Console = err_console) -> None:
        self.command, self.noun, self.total, self.interval, self.console = command, noun, total, interval, console
        self.done: int | None = None
        self.tenth = -1
        self.t0 = self.last = time.monotonic()
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._tick, daemon=True, name="radsim-progress")

    def line(self) -> str:
        elapsed = time.monotonic() - self.t0
        done = self.done or 0
        if not self.total:
            return f"{self.command}: {done} {self.noun}, {duration_text(elapsed)} elapsed"
        text = (f"{self.command}: {done}/{self.total} {self.noun}, {100 * done / self.total:.0f}%, "
                f"{duration_text(elapsed)} elapsed")
        if 0 < done < self.total:
            text += f", about {duration_text(elapsed * (self.total - done) / done)} left"
        return text

    def _print(self) -> None:
        self.last = time.monotonic()
        self.console.print(self.line(), soft_wrap=True)

    def update(self, done: int, total: int | None = None) -> None:
        with self.lock:
            first = self.done is None
            self.done = done
            if total is not None:
                self.total = total
            tenth = int(10 * done / self.total) if self.total else -1
            if first or tenth > self.tenth or (self.total and done >= self.total):
                self.tenth = tenth
                self._print()

    def _tick(self) -> None:
        while not self.stopped.wait(max(0.05, self.interval - (time.monotonic() - self.last))):
            with self.lock:
                if time.monotonic() - self.last >= self.interval:
                    self._print()

    def __enter__(self) -> "PlainProgress":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()


PROGRESS_INTERVAL = float(os.environ.get("RADSIM_PROGRESS_SECONDS", "30"))
"""Seconds between two plain progress lines when nothing else prints one (``RADSIM_PROGRESS_SECONDS``)."""


@contextmanager
def progress_bar(label: str, total: int | None = None, unit: str = "") -> Iterator[Callable[..., None]]:
    """Progress on stderr; yields ``update(done, total=None)``, the library's ``progress`` callback.

    On a terminal a transient bar; otherwise (a log file, a pipe) plain lines (:class:`PlainProgress`), named
    after the command: ``run: 130/260 steps, 50%, 12 s elapsed``.
    """
    if not err_console.is_terminal:
        ctx = click.get_current_context(silent=True)
        with PlainProgress(ctx.info_name if ctx else label, unit.strip() or label, total,
                           PROGRESS_INTERVAL) as plain:
            def update_plain(done: int, total: int | None = None) -> None:
                check_interrupt()
                plain.update(done, total)

            yield update_plain
        return
    with Progress(TextColumn(label), BarColumn(), TextColumn("{task.completed}/{task.total}" + unit),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=total)

        def update(done: int, total: int | None = None) -> None:
            check_interrupt()
            bar.update(task, completed=done, **({} if total is None else {"total": total}))

        yield update


def compile_note() -> str:
    """``, compiling the model first (only after an install or an update)`` if numba's disk cache of the
    model's compiled rules is missing or older than their source; else nothing."""
    import model

    folder = Path(model.__file__).parent
    indexes: dict[str, float] = {}
    for index in (folder / "__pycache__").glob("*.nbi"):
        module = index.name.split(".")[0]
        indexes[module] = max(indexes.get(module, 0.0), index.stat().st_mtime)
    stale = not indexes or any((folder / f"{m}.py").is_file() and (folder / f"{m}.py").stat().st_mtime > t
                               for m, t in indexes.items())
    return ", compiling the model first (only after an install or an update)" if stale else ""


def starting(what: str) -> None:
    """Say, on stdout, what happens before the first progress (worker processes, a cluster, the compilation)."""
    say(f"{what}{compile_note()} ...")


def _scenario(path: Path | None, **overrides) -> Scenario:
    """The scenario file (or the default scenario) with command-line overrides; one-line errors."""
    try:
        return (load_scenario(path) if path is not None else Scenario()).with_overrides(**overrides)
    except (ScenarioError, ParameterError) as err:
        fail(str(err))


RESIDENTS = field_range(Parameters, "n_residents")
STEPS = field_range(Scenario, "steps")
SEED = field_range(Scenario, "seed")
MAX_WORKERS = max(8, 4 * (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))
"""The most worker processes a command starts: four per CPU core this process may use, at least 8."""
WORKERS = IntRange(1, MAX_WORKERS)
REPLICATIONS = IntRange(1, 10_000)


# --- one run, one comparison ---------------------------------------------------------------------------------------

@app.command()
@click.argument("scenario", required=False, type=InputFile("scenario"))
@click.option("--residents", type=RESIDENTS, help="number of residents (overrides the scenario)")
@click.option("--steps", type=STEPS, help="steps to simulate, one step = one week (overrides the scenario)")
@click.option("--seed", type=SEED, help="random seed (overrides the scenario)")
@click.option("--precision", type=click.Choice(PRECISIONS), default="float64", show_default=True,
              help="precision of the stored state: float32 halves the memory of a large town (results close, not equal)")
@out_option(Path("results/run"), "timeseries.parquet, run.json, phases.png")
def run(scenario: Path | None, residents: int | None, steps: int | None, seed: int | None, precision: str,
        out: Path) -> None:
    """Simulate a town and write timeseries.parquet, run.json and phases.png to --out."""
    sc = _scenario(scenario, residents=residents, steps=steps, seed=seed)
    say((sc.name, "bold"), f": {sc.parameters.n_residents:,} residents, {sc.steps} steps, seed {sc.seed}")
    starting("building the town")
    with progress_bar("simulating", sc.steps, " steps") as update:
        result = run_scenario(sc, progress=update, precision=precision)
    write_run(result, out, inputs=provenance.scenario_inputs(scenario))
    s = result.summary()
    table = Table(title=f"After {sc.steps} steps (weeks), {result.wall_seconds:.1f} s")
    table.add_column("phase")
    table.add_column("residents", justify="right")
    table.add_column("share", justify="right")
    for k, label in enumerate(["0 none", "1 sensitivity", "2 group membership", "3 action"]):
        table.add_row(label, f"{s[f'phase_{k}']:,}", f"{100 * s[f'phase_{k}_share']:.2f}%")
    out_console.print(table)
    out_console.print(f"young people (12-27) in phase 1 or higher: {100 * s['young_sympathiser_share']:.1f}%")
    if s["moved_to_action"]:
        out_console.print(f"moved to action during the run: {s['moved_to_action']} "
                          f"(median {s['steps_to_action_median']:.0f} steps in phase 2 first)")
    out_console.print(f"wrote {out}/timeseries.parquet, run.json, phases.png")


@app.command()
@click.argument("scenario", type=InputFile("scenario"))
@click.option("--replications", type=REPLICATIONS, default=10, show_default=True, help="seeds per arm")
@click.option("--workers", type=WORKERS, default=None, help="parallel processes (default: all cores)")
@click.option("--residents", type=RESIDENTS, help="number of residents (overrides the scenario)")
@click.option("--steps", type=STEPS, help="steps to simulate, one step = one week (overrides the scenario)")
@click.option("--warmup", type=IntRange(0, 100_000), default=None, metavar="WEEKS",
              help="simulate the baseline once per replication up to this week and start every arm from its "
                   "checkpoint (same results, less time); no intervention may start before it")
@click.option("--uncertainty", type=IntRange(1, 100_000), default=None, metavar="N",
              help="draw N parameter sets from the priors (and --posterior), run every arm on each and report the "
                   "probability that each arm beats the baseline and each other arm (docs/uncertainty.md); writes "
                   "to results/uncertainty unless --out is given")
@click.option("--priors", "priors_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              metavar="FILE", help="priors for --uncertainty (default: experiments/priors.toml)")
@click.option("--posterior", "posterior_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              metavar="FILE", help="a calibration's fitted.csv or posterior.csv for --uncertainty (replaces the "
                                   "placeholder priors of its parameters)")
@out_option(Path("results/compare"), "comparison.csv, comparison.md, runs.csv, trajectories.parquet and .png, "
                                      "provenance.json")
def compare(scenario: Path, replications: int, workers: int | None, residents: int | None, steps: int | None,
            warmup: int | None, uncertainty: int | None, priors_file: Path | None, posterior_file: Path | None,
            out: Path) -> None:
    """Compare the baseline with each intervention arm (common random numbers, 95% CIs)."""
    from .compare import OUTPUT_FILES, check_warmup, compare_arms, worker_count, write_comparison

    sc = _scenario(scenario, residents=residents, steps=steps)
    arms = sc.arms()
    if len(arms) < 2:
        fail(f"{scenario}: no [[interventions]] to compare with the baseline")
    if warmup is not None:
        try:
            check_warmup(sc, warmup)
        except ParameterError as err:
            fail(str(err))
    if uncertainty is None and (priors_file is not None or posterior_file is not None):
        fail(f"{'--priors' if priors_file is not None else '--posterior'}: only with --uncertainty N (N at least 1)")
    if uncertainty is not None:
        ctx = click.get_current_context()
        if ctx.get_parameter_source("out") is click.core.ParameterSource.DEFAULT:
            out = check_output_folder("results/uncertainty")
        compare_uncertainty(scenario, sc, uncertainty, replications, workers, warmup, priors_file, posterior_file,
                            out, residents)
        return
    say((sc.name, "bold"), f": {len(arms)} arms ({', '.join(arms)}), {replications} replications, "
                           f"{sc.parameters.n_residents:,} residents, {sc.steps} steps"
                           + ("" if warmup is None else f", warm-up to week {warmup} shared by the arms"))
    processes = worker_count(workers, len(arms) * replications)
    starting(f"starting {processes} worker processes" if processes > 1 else "running in this process")
    runs = len(arms) * replications + (0 if warmup is None else replications)
    with progress_bar("runs", runs) as update:
        result = compare_arms(sc, replications=replications, workers=workers, progress=update, warmup=warmup)
    write_comparison(result, out, inputs=provenance.scenario_inputs(scenario))
    print_comparison(result, replications)
    info = result.run_info
    if warmup is not None:
        out_console.print(f"warm-up to week {warmup}: simulated once per replication instead of in each of "
                          f"{len(arms)} arms; saved about {info['compute_seconds_saved']:.1f} s of compute "
                          f"({100 * info['compute_share_saved']:.0f}% of {info['compute_seconds'] + info['compute_seconds_saved']:.1f} s), "
                          f"{info['wall_seconds']:.1f} s wall time (in provenance.json, run)")
    out_console.print(f"wrote {out}/" + ", ".join(OUTPUT_FILES))


def compare_uncertainty(path: Path, sc: Scenario, n_sets: int, replications: int, workers: int | None,
                        warmup: int | None, priors_file: Path | None, posterior_file: Path | None, out: Path,
                        residents: int | None) -> None:
    """``radsim compare --uncertainty N``: :func:`experiments.uncertainty.run_uncertainty` and its probability table."""
    import tomllib

    from .compare import worker_count
    from .uncertainty import (DEFAULT_PRIORS, OUTPUT_FILES, PriorsError, fixed_parameters, load_posterior,
                              load_priors, run_uncertainty, write_uncertainty)

    try:
        priors = load_priors(priors_file or DEFAULT_PRIORS)
        posterior = load_posterior(posterior_file) if posterior_file is not None else None
    except PriorsError as err:
        fail(str(err))
    given = set(tomllib.loads(path.read_text(encoding="utf-8")).get("parameters", {}))
    fixed = fixed_parameters(sc, given | ({"n_residents"} if residents is not None else set()))
    arms = sc.arms()
    runs = n_sets * replications * len(arms)
    say((sc.name, "bold"), f": {len(arms)} arms ({', '.join(arms)}), {n_sets} parameter sets x {replications} "
                           f"replications, {sc.parameters.n_residents:,} residents, {sc.steps} steps"
                           + ("" if warmup is None else f", warm-up to week {warmup} shared by the arms"))
    processes = worker_count(workers, runs)
    starting(f"starting {processes} worker processes" if processes > 1 else "running in this process")
    total = runs + (0 if warmup is None else n_sets * replications)
    with progress_bar("runs", total) as update:
        result = run_uncertainty(sc, n_sets, replications, priors, posterior, workers=workers, progress=update,
                                 warmup=warmup, fixed=fixed)
    inputs = [*provenance.scenario_inputs(path), priors_file or DEFAULT_PRIORS,
              *([posterior_file] if posterior_file else [])]
    write_uncertainty(result, out, inputs=inputs)
    print_probabilities(result)
    out_console.print(f"wrote {out}/" + ", ".join(OUTPUT_FILES))


def print_probabilities(result) -> None:
    """The probability table of ``radsim compare --uncertainty``: one table, or one per contrast on a narrow console."""
    titles, rows = result.probability_cells()
    title = (f"probability that the arm beats the other [95% Wilson interval] over {result.n_sets} parameter sets x "
             f"{result.replications} replications (an exact tie counts 1/2)")
    widest = max(len(label) for label, _, _ in rows)
    groups = ([list(range(len(titles)))] if out_console.width >= widest + 10 + 21 * len(titles)
              else [[k] for k in range(len(titles))])
    for group in groups:
        table = Table(title=title if len(groups) == 1 else f"{titles[group[0]]}: {title}")
        table.add_column("outcome", no_wrap=True)
        table.add_column("better", no_wrap=True)
        for k in group:
            table.add_column(titles[k] if len(groups) == 1 else "P(beats)", justify="right", no_wrap=True)
        for label, better, cells in rows:
            table.add_row(label, better, *(cells[k] for k in group))
        out_console.print(table)


def print_comparison(result, replications: int) -> None:
    """Summary on the console: a table on wide terminals, one line per arm otherwise."""
    from .compare import HEADLINE

    t = result.table().set_index(["arm", "outcome"])
    rows = []
    for arm in result.arms:
        cells = []
        for key in HEADLINE:
            r = t.loc[(arm, key)]
            fmt = "{:.3f}" if key.startswith(("mean_", "polarisation")) else "{:,.1f}"
            diff = "" if arm == "baseline" else f" ({'+' if r['difference'] >= 0 else ''}{fmt.format(r['difference'])})"
            cells.append(fmt.format(r["mean"]) + diff)
        cells.append("-" if arm == "baseline" else result.cost_per_averted_text(arm))
        rows.append((arm, cells))
    labels = [*HEADLINE.values(), "cost per averted entry"]
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
        say((arm, "bold"))
        out_console.print("  " + "; ".join(f"{label} {cell}" for label, cell in zip(labels, cells)), highlight=False)


# --- sweeps, sensitivity, calibration --------------------------------------------------------------------------------

def _cluster_options(f: Callable, metavar: str, what: str, outputs: str) -> Callable:
    f = click.option("--scheduler", type=SchedulerAddress(), default=None,
                     help="address of an existing Dask scheduler (tcp://host:port)")(f)
    f = click.option("--workers", type=WORKERS, default=2, show_default=True, help="local Dask worker processes")(f)
    f = out_option(None, f"{outputs} (resumes if it exists)")(f)
    return click.argument("sweep_file", metavar=metavar, type=InputFile(what))(f)


def sweep_options(f: Callable) -> Callable:
    return _cluster_options(f, "SWEEP.toml", "sweep", "results.parquet and sweep.json")


def cluster_text(workers: int, scheduler: str | None) -> str:
    return (f"connecting to the Dask scheduler {scheduler}" if scheduler else
            f"starting a local Dask cluster of {workers} worker process{'es' if workers > 1 else ''}")


@contextmanager
def _sweep_progress(spec, out: Path, workers: int, scheduler: str | None) -> Iterator[Callable[..., None]]:
    """Print what will run, show a progress bar, then the throughput."""
    from .sweep import read_results, runs_table

    total = len(runs_table(spec))
    done_before = len(read_results(out)) if out.exists() else 0
    say((spec.name, "bold"), f": {spec.design} design, {total} runs ({done_before} already done), {spec.steps} steps "
                             f"each, {'scheduler ' + scheduler if scheduler else f'{workers} local workers'}")
    if done_before < total:
        starting(cluster_text(workers, scheduler))
    t0 = time.perf_counter()
    with progress_bar("runs", total) as update:
        yield update
    seconds = time.perf_counter() - t0
    done = len(read_results(out))
    new = done - done_before
    out_console.print(f"{done} runs in {out}/results.parquet ({new} new, "
                      f"{new / seconds if seconds > 0 else 0:.2f} runs/s)")


@app.command()
@sweep_options
def sweep(sweep_file: Path, out: Path, workers: int, scheduler: str | None) -> None:
    """Run a sweep on a local Dask cluster (or --scheduler); results in OUT/results.parquet, resumable."""
    from .sweep import load_sweep, run_sweep

    try:
        spec = load_sweep(sweep_file)
    except SweepError as err:
        fail(str(err))
    with _sweep_progress(spec, out, workers, scheduler) as update:
        run_sweep(spec, out, workers=workers, scheduler=scheduler, progress=update, inputs=[sweep_file])


@app.command()
@sweep_options
@click.option("--method", type=click.Choice(["sobol", "morris"]), default=None,
              help="Sobol (first and total order) or Morris indices; default: the design of the sweep file")
def sensitivity(sweep_file: Path, out: Path, workers: int, scheduler: str | None, method: str | None) -> None:
    """Sobol or Morris sensitivity indices (SALib) of a sweep: OUT/indices.csv, indices.md, indices.png.

    With a [contrast] table, the indices of each contrast_<outcome>: the arm minus the baseline, run with the same
    seed (common random numbers).
    """
    from .sensitivity import contrast_note, indices_markdown, run_sensitivity, sensitivity_spec
    from .sweep import load_sweep

    try:
        spec = sensitivity_spec(load_sweep(sweep_file), method, source=str(sweep_file))
        with _sweep_progress(spec, out, workers, scheduler) as update:
            table = run_sensitivity(spec, out, workers=workers, scheduler=scheduler, progress=update,
                                    inputs=[sweep_file])
    except SweepError as err:
        fail(str(err))
    if spec.contrast is not None:
        out_console.print(contrast_note(spec), highlight=False)
    out_console.print(indices_markdown(table), highlight=False)
    out_console.print(f"wrote {out}/indices.csv, indices.md, indices.png and indices_provenance.json")


@app.command()
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
@click.option("--outcome", "outcomes", multiple=True, help="outcome to plot (repeatable; default: all recorded)")
@click.option("--x", default=None, help="a sweep's factor on the heat map's x axis (default: the first factor)")
@click.option("--y", default=None, help="a sweep's factor on the heat map's y axis (default: the second factor)")
def plot(folder: Path, outcomes: tuple[str, ...], x: str | None, y: str | None) -> None:
    """Figures of a result folder in DIR/plots: a sweep, a comparison or a run, with their recorded time series.

    A sweep: each outcome against each factor (95% bands), two-factor heat maps and the recorded time series.
    A comparison: the arms' trajectories, their differences to the baseline and the marks of interventions
    and attacks. A run: phases, pyramid and climate, and every recorded series.
    """
    from .export import TableError
    from .plots import PlotError, plot_folder

    try:
        paths = plot_folder(folder, list(outcomes) or None, x, y)
    except (PlotError, SweepError, TableError) as err:
        fail(str(err))
    for p in paths:
        out_console.print(f"wrote {p}")


@app.command()
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), required=True,
              help="the format to write the tables in")
@click.option("--out", type=OutputFolder(), default=None, help="folder to write into (default: DIR itself)")
def export(folder: Path, fmt: str, out: Path | None) -> None:
    """Convert the tables of a result folder (run, compare, sweep, ...) to CSV or Parquet.

    Into DIR itself, each table not there yet in the format is converted (results.parquet gives results.csv);
    into --out, every table is written in the format.
    """
    from .export import FORMATS, TableError
    from .export import export as export_tables

    try:
        paths = export_tables(folder, fmt, out)
    except TableError as err:
        fail(str(err))
    if not paths:
        out_console.print(f"nothing to convert: every table of {folder} is already {FORMATS[fmt]}")
    for p in paths:
        out_console.print(f"wrote {p}")


@app.command()
@lambda f: _cluster_options(f, "CALIBRATION.toml", "calibration",
                            "calibration.md, fitted.csv, posterior.csv, posterior.png and the prior draws")
def calibrate(sweep_file: Path, out: Path, workers: int, scheduler: str | None) -> None:
    """Fit free parameters to target prevalences by ABC; OUT/calibration.md, fitted.csv, posterior.csv."""
    from .calibrate import load_calibration, run_calibration, write_calibration

    try:
        spec = load_calibration(sweep_file)
    except SweepError as err:
        fail(str(err))
    say((spec.name, "bold"), f": {spec.samples} prior draws x {spec.replications} replications, "
                             f"keeping the closest {spec.accept:.0%}")
    starting(cluster_text(workers, scheduler))
    with progress_bar("prior draws", spec.samples * spec.replications) as update:
        summary, posterior = run_calibration(spec, out, workers=workers, scheduler=scheduler, progress=update)
    path = write_calibration(spec, summary, posterior, out, inputs=[sweep_file])
    for r in summary.itertuples():
        out_console.print(f"{r.parameter}: {r.mean:.3f} (sd {r.sd:.3f}; 95% interval {r.ci_low:.3f} to "
                          f"{r.ci_high:.3f})", highlight=False)
    out_console.print(f"report in {path}")


# --- checks against the literature, measurements --------------------------------------------------------------------

@app.command()
@click.option("--quick", is_flag=True,
              help="shorter runs (260 weeks, 100,000 residents for the national rates) and 3 replications: "
                   "under a minute (used by the tests)")
@click.option("--replications", type=IntRange(2, 1000), default=None,
              help="replications per check (default 3 with --quick, else 10)")
@click.option("--workers", type=WORKERS, default=None, help="processes for the comparison check")
@out_option(Path("results/validation"), "validation.md, checks.csv, provenance.json and the figures")
def validate(quick: bool, replications: int | None, workers: int | None, out: Path) -> None:
    """Hold the model against the targets of experiments/targets.toml; writes a Markdown report with plots.

    Calibration targets (the parameters may be fitted to them) are reported apart from validation targets.
    """
    import dataclasses

    from .validation import FULL, QUICK, TargetsError, evaluate, load_targets, measure, write_report

    try:
        targets = load_targets()
    except TargetsError as err:
        fail(str(err))
    settings = QUICK if quick else FULL
    settings = dataclasses.replace(settings, workers=workers, replications=replications or settings.replications)
    out_console.print(f"validation: {len(targets)} targets; {settings.prevalence_town:,} residents for the national "
                      f"rates, {settings.steps} steps, {settings.replications} replications per check")
    starting("running the checks")
    with progress_bar("checks", None, " runs") as update:
        measurements, data = measure(settings, progress=update)
    try:
        checks = evaluate(measurements, targets)
    except TargetsError as err:
        fail(str(err))
    path = write_report(checks, data, settings, out)
    for c in checks:
        say(("pass", "green") if c.passed else ("FAIL", "bold red"),
            f"  {c.number}. {c.name} ({c.role}): {c.value:.3g}, target {c.target}")
    for role in ("calibrate", "validate"):
        group = [c for c in checks if c.role == role]
        out_console.print(f"{role}: {sum(c.passed for c in group)} of {len(group)} pass", highlight=False)
    out_console.print(f"{sum(c.passed for c in checks)} of {len(checks)} checks pass; report in {path}",
                      highlight=False)


@app.command()
@click.option("--replications", type=IntRange(1, 1000), default=10, show_default=True)
@click.option("--residents", type=RESIDENTS, default=10_000, show_default=True, help="number of residents")
@click.option("--steps", type=STEPS, default=520, show_default=True, help="steps to simulate (weeks)")
@click.option("--seed", type=SEED, default=1, show_default=True, help="base seed of the replications")
def pyramid(replications: int, residents: int, steps: int, seed: int) -> None:
    """The calibration check of docs/ODD.md §7.4: the default pyramid with 95% CIs, as a Markdown table."""
    from .pyramid import pyramid as measure_pyramid
    from .pyramid import pyramid_markdown

    with progress_bar("replications", replications) as update:
        result = measure_pyramid(replications, residents, steps, seed, progress=update)
    click.echo(pyramid_markdown(result, residents, steps, replications))


@app.command()
@click.option("--replications", type=IntRange(1, 1000), default=3, show_default=True)
@click.option("--residents", type=IntRange(100, RESIDENTS.max), default=5000, show_default=True,
              help="number of residents")
@click.option("--steps", type=IntRange(105, STEPS.max), default=520, show_default=True,
              help="steps to simulate (weeks; the shocks start in week 104)")
@click.option("--seed", type=SEED, default=1, show_default=True, help="base seed of the replications")
def bounded(replications: int, residents: int, steps: int, seed: int) -> None:
    """Bounded responses (docs/ODD.md §7.4): each background's peak share in phase >= 1 under every shock.

    The shocks are three attacks within 30 weeks and each example intervention at full intensity; the table
    gives the peak share and its multiple of the baseline (at most 40% and 3 times).
    """
    from .bounded import MAX_RATIO, MAX_SHARE, bounded_markdown, bounded_responses, shocks

    with progress_bar("runs", replications * (len(shocks()) + 1)) as update:
        df = bounded_responses(replications, residents, steps, seed, progress=update)
    click.echo(bounded_markdown(df))
    worst = df.loc[df.ratio.idxmax()]
    within = bool((df.peak_share <= MAX_SHARE).all() and (df.ratio <= MAX_RATIO).all())
    click.echo(f"\n{'within' if within else 'OUTSIDE'} the bounds; largest rise: {worst.shock}, background "
               f"{int(worst.background)}, {worst.ratio:.1f} times its baseline")


@app.command(name="attitude-action")
@click.option("--replications", type=IntRange(1, 1000), default=8, show_default=True)
@click.option("--residents", type=IntRange(100, RESIDENTS.max), default=5000, show_default=True,
              help="number of residents (at least 100: the key figures are 3% of them)")
@click.option("--steps", type=IntRange(53, STEPS.max), default=520, show_default=True,
              help="steps to simulate (weeks; the arms start in week 52)")
@click.option("--seed", type=SEED, default=1, show_default=True, help="base seed of the replications")
@click.option("--workers", type=WORKERS, default=None, help="parallel processes (default: all cores)")
def attitude_action(replications: int, residents: int, steps: int, seed: int, workers: int | None) -> None:
    """How attitude- and opportunity-focused arms split between attitudes and action (PROTON-T), as Markdown."""
    from .attitude_action import ARMS, attitude_action_markdown, measure

    with progress_bar("runs", (1 + len(ARMS)) * replications) as update:
        rows, p1, e3 = measure(replications, residents, steps, seed=seed, workers=workers, progress=update)
    click.echo(attitude_action_markdown(rows, p1, e3, replications))


@app.command(name="survey-persistence")
@click.argument("scenario", required=False, default="survey_example.toml", type=InputFile("scenario"))
@click.option("--replications", type=IntRange(1, 1000), default=3, show_default=True)
@click.option("--steps", type=STEPS, default=520, show_default=True, help="last step measured (weeks)")
@click.option("--seed", type=SEED, default=1, show_default=True, help="base seed of the replications")
def survey_persistence(scenario: Path, replications: int, steps: int, seed: int) -> None:
    """How long a town started from survey figures keeps matching them (docs/ODD.md §5.1), as Markdown.

    SCENARIO (default: the example survey_example.toml) must have a [survey]; a stress case sets every
    neighbourhood's figures far from the model's own levels.
    """
    from .survey_persistence import persistence_report

    params = _scenario(scenario).parameters
    try:
        with progress_bar("replications", 2 * replications) as update:
            report = persistence_report(params, scenario.name, replications, steps, seed, progress=update)
    except ScenarioError as err:
        fail(str(err))
    click.echo(report)


@app.command()
@click.option("--quick", is_flag=True, help="small sizes, a few seconds (used by the tests)")
@click.option("--stretch", is_flag=True,
              help="only 17.9 million residents of the default town, build plus 10 steps (about 12 GB of memory)")
@click.option("--precision", type=click.Choice(PRECISIONS), default="float64", show_default=True,
              help="precision of the scaling runs (float32: half the memory per resident)")
@out_option(Path("results/bench"), "bench.csv and bench.md")
def bench(quick: bool, stretch: bool, precision: str, out: Path) -> None:
    """Benchmark: array engine against the per-agent reference, scaling, memory-bandwidth bound, and every figure
    of the performance acceptance (issue 16) beside its target, as a ratio."""
    from .bench import BenchConfig, markdown, run_bench

    if quick and stretch:
        fail("--quick and --stretch: choose one")
    cfg = BenchConfig.quick() if quick else BenchConfig.stretch() if stretch else BenchConfig()
    cfg.precision = precision
    with progress_bar("benchmark sections") as update:
        result = run_bench(cfg, out, progress=update)
    out_console.print(markdown(result), markup=False, highlight=False)
    out_console.print(f"wrote {out}/bench.csv, bench.md")


# --- listings and the dashboard -------------------------------------------------------------------------------------

@app.command(name="examples")
@click.option("--kind", type=click.Choice(KINDS), default=None, help="only this kind of example")
def examples_command(kind: str | None) -> None:
    """List the shipped examples; give a command an example's file name to use it (radsim run demo.toml)."""
    for k in (kind,) if kind else KINDS:
        say((f"{k}/", "bold"))
        for path in examples(k):
            out_console.print(f"  {path.name:<28} {describe(path)}", highlight=False, soft_wrap=True)


@app.command()
@click.option("--markdown", is_flag=True, help="print a Markdown table (as in docs/ODD.md)")
@click.option("--interventions", is_flag=True,
              help="list the fields of every intervention instead: schedule, targeting and the coefficients of its mechanism")
def params(markdown: bool, interventions: bool) -> None:
    """List every model parameter (or, with --interventions, intervention field) with its default, range and unit."""
    if interventions:
        rows = [{**r, "name": f"{r['intervention']}.{r['name']}",
                 "unit": "coefficient" if r["coefficient"] else ""} for r in intervention_table()]
        title = "radsim interventions (docs/ODD.md section 7.5)"
    else:
        rows, title = parameter_table(), "radsim parameters (docs/ODD.md section 7)"
    if markdown:
        click.echo(parameter_markdown(rows))
        return
    if out_console.width < 130:          # narrow terminal or a pipe: one parameter per line
        for row in rows:
            rng = "" if row["min"] is None else f"  [{row['min']} .. {row['max']}]"
            click.echo(f"{row['name']} = {row['default']}{rng} {row['unit']}: {row['description']}")
        return
    table = Table(title=title)
    table.add_column("name", no_wrap=True)
    table.add_column("default", no_wrap=True)
    table.add_column("range", no_wrap=True)
    table.add_column("unit")
    table.add_column("meaning", overflow="fold")
    for row in rows:
        rng = "" if row["min"] is None else f"{row['min']} .. {row['max']}"
        table.add_row(row["name"], str(row["default"]), rng, row["unit"], row["description"])
    out_console.print(table)


@app.command(name="dashboard")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on (this machine only)")
@click.option("--port", type=IntRange(0, 65535), default=8765, show_default=True, help="port (0: any free port)")
@click.option("--open/--no-open", "open_browser", default=False, help="open the dashboard in a browser")
@click.option("--one-town", is_flag=True, help="one town in Mesa's SolaraViz page instead of the side-by-side view")
def dashboard_command(host: str, port: int, open_browser: bool, one_town: bool) -> None:
    """Start the trainers' dashboard (Solara) at http://HOST:PORT; Ctrl-C stops it.

    An occupied port is a one-line error (exit code 2); with --port 0 the dashboard
    takes a free port, and the line it prints before serving names it.
    """
    from dashboard.serve import APP, ONE_TOWN_APP, PortError, claim_port, is_loopback, serve, url

    try:
        port = claim_port(host, port)
    except PortError as err:
        fail(str(err))
    if not is_loopback(host):
        click.echo(f"note: listening on {host}: other machines on the network can open the dashboard", err=True)
    click.echo(f"radsim dashboard at {url(host, port)} (Ctrl-C stops it)")
    serve(host, port, open_browser=open_browser, app=ONE_TOWN_APP if one_town else APP)


class Interrupted(BaseException):
    """Ctrl-C. Raised by :func:`main`'s SIGINT handler instead of ``KeyboardInterrupt``, so that neither click nor a
    library prints anything of its own: the command stops with one line."""


INTERRUPT_PENDING = threading.Event()
"""Set by Ctrl-C. An ``Interrupted`` raised inside a C callback (numba's compiler cache, for one) is swallowed
by Python; the progress callbacks and :func:`main` read this flag, so that such a Ctrl-C still stops the command."""


def _interrupt(signum, frame) -> None:
    INTERRUPT_PENDING.set()
    raise Interrupted


def check_interrupt() -> None:
    """Raise :class:`Interrupted` if a Ctrl-C came and was swallowed where it was raised."""
    if INTERRUPT_PENDING.is_set():
        raise Interrupted


def _quiet_unraisable(unraisable) -> None:
    """Python's hook for exceptions it cannot raise, silent for a swallowed Ctrl-C (no traceback on stderr)."""
    if not isinstance(unraisable.exc_value, Interrupted):
        sys.__unraisablehook__(unraisable)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app; usage errors, I/O failures and Ctrl-C end in one line on stderr, never a traceback.

    Exit codes: 0 success, 2 bad input, 1 an I/O failure while working, 130 interrupted.
    """
    provenance.COMMAND_LINE = ["radsim", *(sys.argv[1:] if argv is None else argv)]
    keep_freed_memory()                 # freed arrays reused, not faulted in again (experiments.memory)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _interrupt) if in_main_thread else None
    INTERRUPT_PENDING.clear()
    previous_hook, sys.unraisablehook = sys.unraisablehook, _quiet_unraisable
    try:
        rv = app.main(args=argv, standalone_mode=False, prog_name="radsim")
        check_interrupt()
    except click.exceptions.NoArgsIsHelpError as err:
        click.echo(err.ctx.get_help() if err.ctx else str(err))
        return 0
    except click.UsageError as err:
        error_line(err.format_message())
        return EXIT_BAD_INPUT
    except click.exceptions.Exit as err:
        return err.exit_code
    except (Interrupted, click.Abort):
        say("interrupted: nothing half-written is left (a sweep or calibration resumes from here if run again)",
            console=err_console)
        return 130
    except ParameterError as err:       # found while working, e.g. a target that reaches nobody in the built town
        error_line(str(err))
        return EXIT_BAD_INPUT
    except OSError as err:              # a disk that fills up, a folder that vanishes: one line naming the path
        where = f"{err.filename}: " if err.filename else ""
        error_line(f"{where}{err.strerror or err}")
        return 1
    except SystemExit as err:
        return int(err.code or 0)
    finally:
        sys.unraisablehook = previous_hook
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
