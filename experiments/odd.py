"""Regenerate the parameter table in docs/ODD.md from the code: ``python -m experiments.odd``."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .cli import parameter_markdown

ODD_PATH = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"


def update_parameter_table(path: Path = ODD_PATH) -> bool:
    """Replace the block between the parameter markers; returns True if the file changed."""
    text = path.read_text(encoding="utf-8")
    new = re.sub(r"<!-- parameters:begin -->.*<!-- parameters:end -->",
                 lambda _: f"<!-- parameters:begin -->\n{parameter_markdown()}\n<!-- parameters:end -->", text, flags=re.S)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    print("updated docs/ODD.md" if update_parameter_table() else "docs/ODD.md is up to date")
    sys.exit(0)
