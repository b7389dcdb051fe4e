"""The example files, shipped with the package: runs, comparisons, sweeps and calibrations.

Every example is a file in a subfolder of this folder (``README.md`` lists each in
one line). Find one by its file name or by its path inside the folder::

    from experiments.examples import example_path

    example_path("demo.toml")                   # .../experiments/examples/runs/demo.toml
    example_path("comparisons/combined.toml")

The command line does the same when the file it is given does not exist, so
``radsim run demo.toml`` works from any folder; ``radsim examples`` lists them.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["EXAMPLES_DIR", "KINDS", "ExampleNotFound", "examples", "example_path", "describe"]

EXAMPLES_DIR = Path(__file__).resolve().parent
KINDS = ("runs", "comparisons", "sweeps", "calibrations")
"""The subfolders: scenarios to run, scenarios to compare, sweep files and calibration files."""
SUFFIXES = (".toml", ".csv")


class ExampleNotFound(FileNotFoundError):
    """No example has the given name; the message lists the examples (one line)."""


def examples(kind: str | None = None) -> list[Path]:
    """Every example file (``.toml`` and ``.csv``), sorted by kind, then name; only ``kind`` if given."""
    kinds = KINDS if kind is None else (kind,)
    return [p for k in kinds for p in sorted((EXAMPLES_DIR / k).iterdir()) if p.suffix in SUFFIXES]


def _relative(path: Path) -> str:
    return path.relative_to(EXAMPLES_DIR).as_posix()


def example_path(name: str | Path) -> Path:
    """The example called ``name``: a file name (``"demo.toml"``) or a path inside the examples
    (``"runs/demo.toml"``). Raises :class:`ExampleNotFound` listing the examples otherwise.

    A path with a folder matches only as a path inside the examples, so ``/elsewhere/demo.toml``
    is not taken for the demo.
    """
    name = Path(name).as_posix()
    every = examples()
    if "/" in name:         # a path: only a path inside the examples matches, never a file of that name elsewhere
        matches = [p for p in every if _relative(p) == name]
    else:
        matches = [p for p in every if p.name == name]
    if len(matches) == 1:
        return matches[0]
    listed = ", ".join(_relative(p) for p in every if p.suffix == ".toml")
    if matches:
        raise ExampleNotFound(f"example '{name}' is ambiguous: {', '.join(_relative(p) for p in matches)}")
    raise ExampleNotFound(f"no example '{name}'; the examples are {listed}")


def describe(path: Path) -> str:
    """The example's one-line description: the first comment line of the file."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return ""
