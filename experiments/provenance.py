"""Provenance of a result: what made it, so that a researcher can cite and repeat it.

Every record holds the radsim version, the git commit of the code when it runs from
a checkout (and whether the checkout had changes), the command line, a SHA-256 hash
of the resolved configuration (the same configuration always gives the same hash),
SHA-256 hashes of the input files, the seeds, the environment and the time.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import model

__all__ = ["provenance_record", "provenance_json", "config_hash", "file_hash", "git_state", "environment",
           "COMMAND_LINE"]

COMMAND_LINE: list[str] | None = None
"""The ``radsim`` command line being run (set by :func:`experiments.cli.main`); None from Python."""

PACKAGES = ("numpy", "scipy", "pandas", "pyarrow", "mesa", "networkx", "numba", "pydantic", "SALib", "dask",
            "distributed", "solara", "matplotlib")

ROOT = Path(__file__).resolve().parents[1]


def config_hash(config: Any) -> str:
    """SHA-256 of the configuration as canonical JSON (sorted keys), so equal configurations hash equally."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_hash(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_state() -> dict[str, Any] | None:
    """``{"commit": ..., "dirty": ...}`` of the checkout radsim runs from; None outside a git checkout."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return None
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status)}


def environment() -> dict[str, str]:
    """Python, the platform and the versions of the packages radsim's results depend on."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {"python": platform.python_version(), "platform": platform.platform(), **versions}


def provenance_record(config: Any, inputs: list[str | Path] = (), seeds: Any = None) -> dict[str, Any]:
    """The provenance of one result: see the module docstring."""
    return {
        "radsim_version": model.__version__,
        "git": git_state(),
        "command_line": COMMAND_LINE,
        "python_argv": None if COMMAND_LINE else list(sys.argv),
        "config_sha256": config_hash(config),
        "inputs": {str(p): file_hash(p) for p in inputs},
        "seeds": seeds,
        "environment": environment(),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def provenance_json(config: Any, inputs: list[str | Path] = (), seeds: Any = None) -> str:
    """The text of a ``provenance.json``: :func:`provenance_record` plus the resolved ``configuration`` itself."""
    return json.dumps({**provenance_record(config, inputs, seeds), "configuration": config}, indent=2,
                      default=str) + "\n"


def scenario_inputs(path: str | Path | None) -> list[Path]:
    """A scenario file and the survey CSV it reads, if any."""
    if path is None:
        return []
    path = Path(path)
    files = [path]
    try:
        survey = tomllib.loads(path.read_text(encoding="utf-8")).get("survey", {})
    except (OSError, tomllib.TOMLDecodeError):
        return files
    if isinstance(survey, dict) and isinstance(survey.get("csv"), str) and (path.parent / survey["csv"]).is_file():
        files.append(path.parent / survey["csv"])
    return files
