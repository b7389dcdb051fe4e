"""The model's parameters as text: the table of ``radsim params --markdown`` and docs/ODD.md §7."""

from __future__ import annotations

from typing import Any

from model.parameters import parameter_table

__all__ = ["parameter_markdown"]


def parameter_markdown(rows: list[dict[str, Any]] | None = None) -> str:
    """The parameter table in Markdown, one row per parameter (``rows`` default to the model's parameters)."""
    lines = ["| parameter | default | range | unit | meaning |", "|---|---|---|---|---|"]
    for row in parameter_table() if rows is None else rows:
        rng = "" if row["min"] is None else f"{row['min']} to {row['max']}"
        lines.append(f"| `{row['name']}` | {row['default']} | {rng} | {row['unit']} | {row['description']} |")
    return "\n".join(lines)
