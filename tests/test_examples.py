"""The examples: one folder, listed in its README, shipped as package data, found by name from any folder."""

import re
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from experiments.calibrate import load_calibration
from experiments.examples import EXAMPLES_DIR, KINDS, ExampleNotFound, example_path, examples
from experiments.scenario import load_scenario
from experiments.sweep import load_sweep

ROOT = Path(__file__).resolve().parents[1]
LOADERS = {"runs": load_scenario, "comparisons": load_scenario, "sweeps": load_sweep, "calibrations": load_calibration}


def radsim(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "experiments", *args], capture_output=True, text=True, cwd=cwd)


def test_every_example_is_listed_once_in_the_readme_and_has_a_unique_name():
    readme = (EXAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([^`]+)` \|", readme, re.M)
    files = [p.relative_to(EXAMPLES_DIR).as_posix() for p in examples()]
    assert sorted(listed) == sorted(files)
    names = [p.name for p in examples()]
    assert len(names) == len(set(names)), "example file names must be unique: they are looked up by name"
    assert {p.parent.name for p in examples()} == set(KINDS)


@pytest.mark.parametrize("path", [p for p in examples() if p.suffix == ".toml"], ids=lambda p: p.name)
def test_every_example_file_is_valid(path):
    LOADERS[path.parent.name](path)


def test_example_path_by_name_or_relative_path_and_a_clear_error():
    assert example_path("demo.toml") == EXAMPLES_DIR / "runs" / "demo.toml"
    assert example_path("comparisons/combined.toml") == example_path("combined.toml")
    with pytest.raises(ExampleNotFound, match=r"no example 'nope.toml'; the examples are runs/demo.toml, .*combined"):
        example_path("nope.toml")
    with pytest.raises(ExampleNotFound):
        example_path("/somewhere/else/demo.toml")      # a path elsewhere is not the example of that name


def test_package_data_ships_every_example():
    """A wheel holds every example: each file matches a package-data pattern of experiments.examples."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = config["package-data"]["experiments.examples"]
    for path in [*examples(), EXAMPLES_DIR / "README.md"]:
        rel = path.relative_to(EXAMPLES_DIR).as_posix()
        assert any(fnmatch(rel, p) for p in patterns), f"{rel} is not package data"
    assert "experiments.*" in config["packages"]["find"]["include"]


def test_commands_take_an_example_by_name_from_any_folder(tmp_path):
    res = radsim("run", "demo.toml", "--residents", "200", "--steps", "3", "--out", str(tmp_path / "r"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "demo" in res.stdout and (tmp_path / "r" / "timeseries.parquet").is_file()
    res = radsim("run", "nope.toml", "--out", str(tmp_path / "n"), cwd=tmp_path)
    assert res.returncode == 2 and "scenario file not found: nope.toml" in res.stderr and "radsim examples" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_radsim_examples_lists_every_example():
    res = radsim("examples")
    assert res.returncode == 0, res.stderr
    for path in examples():
        assert path.name in res.stdout
    assert "A municipal package" in res.stdout            # the first comment line of combined.toml
    res = radsim("examples", "--kind", "sweeps")
    assert "drivers_sobol.toml" in res.stdout and "demo.toml" not in res.stdout


def test_the_demo_is_the_breeding_ground_scenario_with_an_attack():
    """demo.toml repeats high_breeding_ground.toml's parameters (each explained there) and adds one attack."""
    demo = load_scenario(example_path("demo.toml")).parameters.model_dump()
    breeding = load_scenario(example_path("high_breeding_ground.toml")).parameters.model_dump()
    assert demo.pop("attack_weeks") == [260] and breeding.pop("attack_weeks") == []
    assert demo == breeding


@pytest.mark.parametrize("path", examples("comparisons"), ids=lambda p: p.name)
def test_every_example_comparison_runs_in_the_breeding_ground(path):
    """Each comparison repeats high_breeding_ground.toml's figures (TOML has no include), at its own size and
    with its own attacks: a change to the scenario must be made in every copy."""
    given = load_scenario(path).given_parameters(exclude=("n_residents", "attack_weeks"))
    assert given == load_scenario(example_path("high_breeding_ground.toml")).given_parameters()
