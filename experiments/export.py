"""Convert the tables of a result folder between Parquet and CSV: the Python API behind ``radsim export``.

A table is a file at the top level of a result folder: ``NAME.csv``, ``NAME.parquet``, or a folder
``NAME.parquet`` of part files (a Parquet dataset, as a sweep appends its results and time series). The tables
of the folders radsim writes:

- a run: ``timeseries.parquet``;
- a comparison: ``comparison.csv``, ``runs.csv``, ``trajectories.parquet``;
- a sweep (and a sensitivity analysis, a calibration's ``prior/``): ``results.parquet``, ``timeseries.parquet``
  (read as :func:`experiments.sweep.read_results` and :func:`~experiments.sweep.read_timeseries` read them: each
  finished run once), and ``indices.csv`` after a sensitivity analysis;
- a calibration: ``fitted.csv``, ``posterior.csv``; a validation: ``checks.csv``.

:func:`export` writes each table in the other format, all or nothing::

    export("results/sweep", "csv")                    # results.csv, timeseries.csv beside the Parquet
    export("results/sweep", "parquet", out="x")       # every table as one Parquet file in x/

Values survive the round trip Parquet -> CSV -> Parquet (CSV holds floats in their shortest exact form).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .runner import atomic_outputs

__all__ = ["export", "tables", "read_table", "TableError", "FORMATS"]

FORMATS = {"csv": "CSV", "parquet": "Parquet"}
"""The formats, by their file suffix, with their names."""


class TableError(ValueError):
    """A result folder or one of its tables cannot be read (one-line message naming the path)."""


def tables(folder: str | Path) -> dict[str, Path]:
    """``name -> path`` of every table at the top level of ``folder`` (``name`` with its suffix: ``runs.csv``)."""
    folder = Path(folder)
    found = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix == ".csv" and path.is_file():
            found[path.name] = path
        elif path.suffix == ".parquet" and (path.is_file() or any(path.glob("*.parquet"))):
            found[path.name] = path
    return found


def read_table(path: str | Path) -> pd.DataFrame:
    """A table (CSV, a Parquet file or a sweep's Parquet dataset); :class:`TableError` if it cannot be read."""
    import pyarrow

    path = Path(path)
    try:
        if path.suffix == ".csv":
            return pd.read_csv(path)
        if path.is_dir() and (path.parent / "sweep.json").is_file() and path.stem in ("results", "timeseries"):
            from .sweep import read_results, read_timeseries

            return (read_results if path.stem == "results" else read_timeseries)(path.parent)
        return pd.read_parquet(path)
    except UnicodeDecodeError:
        raise TableError(f"{path}: not a UTF-8 text file") from None
    except pd.errors.EmptyDataError:
        raise TableError(f"{path}: the file is empty") from None
    except pd.errors.ParserError as err:
        raise TableError(f"{path}: malformed CSV ({str(err).splitlines()[0]})") from None
    except (pyarrow.ArrowException, OSError) as err:
        if isinstance(err, OSError) and err.errno is not None:
            raise
        raise TableError(f"{path}: not a readable Parquet table ({str(err).splitlines()[0]})") from None


def export(folder: str | Path, fmt: str, out: str | Path | None = None) -> list[Path]:
    """Write the tables of ``folder`` in ``fmt`` (``"csv"`` or ``"parquet"``) into ``out`` (default: ``folder``).

    Into ``folder`` itself, each table not yet there in ``fmt`` is converted. Into another folder, every table
    is written in ``fmt``, so that ``out`` holds all of them (a Parquet dataset becomes one file). Everything
    is read before anything is written, and the files appear all or none. Returns the paths written.
    Raises :class:`TableError` if ``folder`` is no folder, holds no tables, or a table cannot be read.
    """
    if fmt not in FORMATS:
        raise TableError(f"--format: '{fmt}' is not one of {', '.join(FORMATS)}")
    folder = Path(folder)
    if not folder.is_dir():
        raise TableError(f"DIR: {folder} is not a folder" if folder.exists() else f"DIR: {folder} does not exist")
    out = Path(out) if out is not None else folder
    into_itself = out.resolve() == folder.resolve()
    found = tables(folder)
    if not found:
        raise TableError(f"DIR: {folder} holds no tables (no .csv or .parquet files); give the folder of a radsim "
                         "run, compare or sweep")
    by_name: dict[str, Path] = {}
    for name, path in found.items():        # a table in both formats: the one already in fmt
        stem = Path(name).stem
        if stem not in by_name or path.suffix == f".{fmt}":
            by_name[stem] = path
    todo = {stem: path for stem, path in by_name.items() if not (into_itself and path.suffix == f".{fmt}")}
    frames = {stem: read_table(path) for stem, path in todo.items()}
    written = []
    with atomic_outputs(out.resolve()) as tmp:
        for stem, df in frames.items():
            target = tmp / f"{stem}.{fmt}"
            if fmt == "csv":
                df.to_csv(target, index=False)
            else:
                df.to_parquet(target, index=False)
            written.append(out / target.name)
    return written
