"""One-line errors for bad input: the exception and the one pydantic-error formatter.

Every validated input of radsim (parameters, survey figures, interventions,
scenario, sweep and calibration files) reports its first error as a single
line that names the field and, for a number out of range, the allowed range.
This module sits at the bottom of the core and imports nothing from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from pydantic import ValidationError

__all__ = ["ParameterError", "one_line_error", "location", "RANGE_ERRORS"]

RANGE_ERRORS = ("greater_than_equal", "less_than_equal", "greater_than", "less_than")
"""pydantic error types of a number outside its bounds."""

_NAMES_A_FIELD = re.compile(r"^\w+(\[\d+\])*(\.\w+(\[\d+\])*)*: ")


class ParameterError(ValueError):
    """A parameter or intervention is unknown or outside its allowed range (one-line message)."""


def location(loc: tuple, skip: Iterable[str] = ()) -> str:
    """``('interventions', 0, 'intergroup_contact', 'target', 'share')`` -> ``interventions[0].target.share``.

    Parts in ``skip`` (the tags of a discriminated union) and pydantic's
    ``function-...`` wrappers are left out.
    """
    skip = set(skip)
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in skip or str(part).startswith("function-"):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def one_line_error(err: ValidationError, prefix: str = "", *, tags: Iterable[str] = (), tag_kind: str = "type",
                   unknown_top_level: str | None = None,
                   allowed_range: Callable[[str], str] | None = None) -> str:
    """The first error of ``err`` as one line that names the field.

    Args:
        prefix: put before the field's location (``"survey."``, ``"interventions[0]."``).
        tags: the tags of a discriminated union (intervention types), left out of locations and listed
            when a tag is unknown; ``tag_kind`` names them in that message.
        unknown_top_level: message for an unknown top-level key, with ``{}`` for its name
            (default ``unknown key '{}'``).
        allowed_range: maps a top-level field to its range text (``"allowed range 0.0 to 1.0"``);
            without it the range comes from pydantic's message.
    """
    tags = tuple(tags)
    e = err.errors()[0]
    kind, loc, got = e["type"], e["loc"], e.get("input")
    msg = e["msg"].removeprefix("Value error, ")
    where = prefix + location(loc, tags) if loc else prefix.rstrip(".")
    if kind == "union_tag_invalid":
        name = got.get("type") if isinstance(got, dict) else got
        return f"{where}.type: unknown {tag_kind} {name!r}; one of {', '.join(tags)}"
    if kind == "union_tag_not_found":
        return f"{where}: missing 'type' (one of {', '.join(tags)})"
    if kind == "extra_forbidden":
        if unknown_top_level and len(loc) == 1 and not prefix:
            return unknown_top_level.format(where)
        return f"unknown key '{where}'"
    if kind == "missing":
        return f"{where}: missing"
    if _NAMES_A_FIELD.match(msg):                 # a model-level check that names the field itself
        return f"{where}.{msg}" if where else msg
    if not where:
        return msg
    field = str(loc[0]) if loc else ""
    range_text = allowed_range(field) if allowed_range and len(loc) == 1 else ""
    if kind in RANGE_ERRORS:
        return f"{where}: {got!r} is out of range; {range_text or msg[0].lower() + msg[1:]}"
    shown = f" (got {got!r})" if not isinstance(got, (dict, list)) and got is not None else ""
    return f"{where}: {msg}{shown}" + (f"; {range_text}" if range_text else "")
