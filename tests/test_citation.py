"""The citation files agree with the package: name, version, licence and pinned requirements."""

import json
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def cff_field(name: str) -> str:
    for line in (ROOT / "CITATION.cff").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip().strip('"')
    raise AssertionError(f"CITATION.cff has no {name}")


def test_citation_cff_names_this_version_and_licence():
    assert cff_field("cff-version") == "1.2.0"
    assert cff_field("version") == PROJECT["version"] and cff_field("license") == PROJECT["license"]
    assert cff_field("title").startswith("radsim")


def test_codemeta_agrees_with_pyproject():
    meta = json.loads((ROOT / "codemeta.json").read_text())
    assert meta["name"] == PROJECT["name"] and meta["version"] == PROJECT["version"]
    assert meta["license"].endswith(PROJECT["license"])
    assert set(meta["softwareRequirements"]) <= set(PROJECT["dependencies"])


def test_the_licence_file_is_the_one_pyproject_names():
    assert (ROOT / "LICENSE").read_text().startswith(f"{PROJECT['license']} License")


def test_the_readme_says_how_to_cite():
    readme = (ROOT / "README.md").read_text()
    assert "## How to cite" in readme and "CITATION.cff" in readme
