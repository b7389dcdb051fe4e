"""The model's parameters as text: the table of ``radsim params --markdown`` and docs/ODD.md §7."""

from __future__ import annotations

from model.parameters import parameter_table

__all__ = ["parameter_markdown"]


def parameter_markdown() -> str:
    """The parameter table in Markdown, one row per parameter."""
    lines = ["| parameter | default | range | unit | meaning |", "|---|---|---|---|---|"]
    for row in parameter_table():
        rng = "" if row["min"] is None else f"{row['min']} to {row['max']}"
        lines.append(f"| `{row['name']}` | {row['default']} | {rng} | {row['unit']} | {row['description']} |")
    return "\n".join(lines)
