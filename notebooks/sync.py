"""Keep the teaching notebooks in a form that diffs well (jupytext pairing).

Each notebook is a pair. The percent-format script ``NN_name.py`` is the source
that is reviewed and diffed. The ``NN_name.ipynb`` that students open is generated
from it, with no outputs and stable cell ids. Commands (from the repository root)::

    .venv/bin/python notebooks/sync.py             # write every .ipynb from its .py (and normalise the .py)
    .venv/bin/python notebooks/sync.py --check     # exit 1 if an .ipynb has outputs or differs from its .py
    .venv/bin/python notebooks/sync.py --from-ipynb notebooks/03_contact_hypothesis.ipynb
                                                   # after editing in Jupyter: update the .py, strip the .ipynb
                                                   # (repeat --from-ipynb for several notebooks)

With the jupytext extension, Jupyter keeps the pair in sync by itself (see
``jupytext.toml``); run ``sync.py`` before committing to strip the outputs.
``tests/test_notebooks.py`` runs the check.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import jupytext
import nbformat

HERE = Path(__file__).resolve().parent
PY_FORMAT = {"extension": ".py", "format_name": "percent",
             "notebook_metadata_filter": "kernelspec,jupytext.formats,-all", "cell_metadata_filter": "-all"}
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

__all__ = ["scripts", "notebook_from_script", "ipynb_text", "script_text", "check", "main"]


def scripts(folder: Path = HERE) -> list[Path]:
    """The notebook sources: ``NN_*.py`` in ``folder``, in order."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.py"))


def notebook_from_script(py: Path) -> nbformat.NotebookNode:
    """Read a percent script as a notebook with no outputs, stable cell ids and the python3 kernel."""
    nb = jupytext.read(py)
    nb.metadata = {"jupytext": {"formats": "ipynb,py:percent"}, "kernelspec": dict(KERNELSPEC),
                   "language_info": {"name": "python"}}
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{k:03d}"
        cell["metadata"] = {}
        if cell.cell_type == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


def ipynb_text(py: Path) -> str:
    """The exact text of the .ipynb generated from ``py``."""
    return nbformat.writes(notebook_from_script(py)) + "\n"


def script_text(nb: nbformat.NotebookNode) -> str:
    """The percent-format text of a notebook, in the normal form that a round trip through .ipynb keeps."""
    nb = nbformat.from_dict(nb)
    nb.metadata = {"jupytext": {"formats": "ipynb,py:percent"}, "kernelspec": dict(KERNELSPEC)}
    for cell in nb.cells:
        cell["metadata"] = {}
    return jupytext.writes(nb, fmt=PY_FORMAT)


def check(folder: Path = HERE) -> list[str]:
    """Problems with the committed pairs: a missing, stale or executed .ipynb, or an .ipynb without a .py."""
    problems = []
    sources = scripts(folder)
    for py in sources:
        ipynb = py.with_suffix(".ipynb")
        if py.read_text(encoding="utf-8") != script_text(notebook_from_script(py)):
            problems.append(f"{py.name}: not in normal form (blank lines between cells); run python notebooks/sync.py")
        if not ipynb.is_file():
            problems.append(f"{ipynb.name}: missing; run python notebooks/sync.py")
            continue
        text = ipynb.read_text(encoding="utf-8")
        nb = nbformat.reads(text, as_version=4)
        if any(c.get("outputs") or c.get("execution_count") for c in nb.cells if c.cell_type == "code"):
            problems.append(f"{ipynb.name}: contains outputs; run python notebooks/sync.py --from-ipynb {ipynb}")
        elif text != ipynb_text(py):
            problems.append(f"{ipynb.name}: out of sync with {py.name}; run python notebooks/sync.py "
                            f"(or --from-ipynb {ipynb} if you edited the notebook)")
    names = {p.stem for p in sources}
    for ipynb in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        if ipynb.stem not in names:
            problems.append(f"{ipynb.name}: no {ipynb.stem}.py source; "
                            f"run python notebooks/sync.py --from-ipynb {ipynb}")
    return problems


def script_from_ipynb(ipynb: Path) -> Path:
    """Write the .py source from an edited .ipynb (outputs dropped); returns the .py path."""
    py = ipynb.with_suffix(".py")
    py.write_text(script_text(nbformat.read(ipynb, as_version=4)), encoding="utf-8")
    return py


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--check", "check_only", is_flag=True, help="report stale or executed notebooks; exit 1 if any")
@click.option("--from-ipynb", "from_ipynb", multiple=True, metavar="NOTEBOOK",
              type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="update the .py source from this edited notebook first (repeatable)")
def main(check_only: bool, from_ipynb: tuple[Path, ...]) -> None:
    """Keep the teaching notebooks in a form that diffs well (jupytext pairing)."""
    if check_only:
        problems = check()
        for p in problems:
            click.echo(p)
        sys.exit(1 if problems else 0)
    for ipynb in from_ipynb:
        click.echo(f"{ipynb.name} -> {script_from_ipynb(ipynb.resolve()).name}")
    for py in scripts():
        normal = script_text(notebook_from_script(py))
        if py.read_text(encoding="utf-8") != normal:
            py.write_text(normal, encoding="utf-8")
            click.echo(f"{py.name}: normalised")
        ipynb = py.with_suffix(".ipynb")
        text = ipynb_text(py)
        if not ipynb.is_file() or ipynb.read_text(encoding="utf-8") != text:
            ipynb.write_text(text, encoding="utf-8")
            click.echo(f"{py.name} -> {ipynb.name}")


if __name__ == "__main__":
    main()
