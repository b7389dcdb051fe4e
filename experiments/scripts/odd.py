"""Regenerate the parameter table in docs/ODD.md from the code: ``python -m experiments.scripts.odd`` (``make odd``)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from experiments.params import parameter_markdown

ODD_PATH = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"


def update_parameter_table(path: Path = ODD_PATH) -> bool:
    """Replace the block between the parameter markers; returns True if the file changed."""
    text = path.read_text(encoding="utf-8")
    new = re.sub(r"<!-- parameters:begin -->.*<!-- parameters:end -->",
                 lambda _: f"<!-- parameters:begin -->\n{parameter_markdown()}\n<!-- parameters:end -->", text, flags=re.S)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


@click.command()
@click.option("--odd", "path", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=ODD_PATH,
              show_default=True, help="the ODD file to update")
def main(path: Path) -> None:
    """Write the parameter table of ``radsim params --markdown`` into docs/ODD.md."""
    click.echo(f"updated {path}" if update_parameter_table(path) else f"{path} is up to date")


if __name__ == "__main__":
    main()
