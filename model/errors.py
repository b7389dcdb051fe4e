"""One-line errors for bad input: the exception, the strict configuration and the one pydantic-error formatter.

Every validated input of radsim (parameters, survey figures, interventions,
scenario, sweep and calibration files) is a pydantic model with :data:`STRICT`
types and reports its first error as a single line that names the field and,
for a number, the allowed range (taken from the field's bounds, :func:`schema_bounds`).
This module sits at the bottom of the core and imports nothing from it.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.fields import FieldInfo

__all__ = ["ParameterError", "one_line_error", "location", "bounds", "range_words", "schema_bounds",
           "RANGE_ERRORS", "TYPE_ERRORS", "STRICT"]

RANGE_ERRORS = ("greater_than_equal", "less_than_equal", "greater_than", "less_than")
"""pydantic error types of a number outside its bounds."""

STRICT = ConfigDict(extra="forbid", strict=True)
"""The configuration of every input schema: unknown keys are errors, and types are strict (pydantic's
strict mode): no bool or string for a number, no number or string for a bool, no float for an integer
(an integer is fine where a float is expected, as TOML writes ``1`` for ``1.0``)."""

TYPE_ERRORS: dict[str, str] = {
    "int_type": "an integer", "float_type": "a number", "bool_type": "true or false", "string_type": "a string",
    "list_type": "a list", "dict_type": "a table", "model_type": "a table", "model_attributes_type": "a table",
    "finite_number": "a finite number",
}
"""pydantic error types of a value of the wrong type, and what the field needs instead."""

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


def bounds(metadata: Iterable[Any]) -> dict[str, Any]:
    """The bounds (``ge``, ``gt``, ``le``, ``lt``) among a field's metadata (``FieldInfo.metadata``)."""
    out: dict[str, Any] = {}
    for m in metadata:
        for key in ("ge", "gt", "le", "lt"):
            if getattr(m, key, None) is not None:
                out[key] = getattr(m, key)
    return out


def range_words(b: dict[str, Any]) -> str:
    """``{"ge": 0.0, "le": 1.0}`` -> ``"allowed range 0.0 to 1.0"``; one-sided or open bounds in words."""
    if "ge" in b and "le" in b:
        return f"allowed range {b['ge']} to {b['le']}"
    words = [f"{w} {b[k]}" for k, w in (("ge", "at least"), ("gt", "above"), ("le", "at most"), ("lt", "below"))
             if k in b]
    return ("allowed: " + " and ".join(words)) if words else ""


def _unwrap(node: Any, meta: list) -> Any:
    """Strip ``Annotated`` (collecting its metadata into ``meta``) and ``X | None`` from a type."""
    while True:
        origin = typing.get_origin(node)
        if origin is typing.Annotated:
            node, *extra = typing.get_args(node)
            for m in extra:
                meta.extend(m.metadata if isinstance(m, FieldInfo) else [m])
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(node) if a is not type(None)]
            if len(args) != 1:
                return node
            node = args[0]
        else:
            return node


def schema_bounds(schema: Any, loc: tuple, tags: Iterable[str] = ()) -> dict[str, Any]:
    """The bounds of the number at ``loc`` (a pydantic error location) in the type ``schema``; ``{}`` if none.

    Follows model fields, list items, dict values and the members of a union tagged by ``type``.
    """
    tags = set(tags)
    node, meta = _unwrap(schema, []), []
    for part in loc:
        if isinstance(part, str) and part.startswith("function-"):
            continue
        meta = []
        origin, args = typing.get_origin(node), typing.get_args(node)
        if isinstance(part, int) and origin in (list, tuple) and args:
            node = args[0]
        elif origin is dict and args:
            node = args[1]
        elif origin in (typing.Union, types.UnionType) and part in tags:
            node = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)
                         and a.model_fields.get("type") is not None and a.model_fields["type"].default == part), None)
            if node is None:
                return {}
            continue
        elif isinstance(node, type) and issubclass(node, BaseModel) and part in node.model_fields:
            field = node.model_fields[part]
            node, meta = field.annotation, list(field.metadata)
        else:
            return {}
        node = _unwrap(node, meta)
    return bounds(meta)


_KINDS = ((bool, "a boolean"), (str, "a string"), (int, "an integer"), (float, "a decimal number"),
          (list, "a list"), (tuple, "a tuple"), (dict, "a table"))
"""What a wrong value is, in the words of a TOML or CSV file (bool before int: a bool is an int)."""


def _kind_of(value: object) -> str:
    if value is None:
        return "nothing"
    return next((words for kind, words in _KINDS if isinstance(value, kind)), f"a {type(value).__name__}")


def one_line_error(err: ValidationError, prefix: str = "", *, schema: Any = None, tags: Iterable[str] = (),
                   tag_kind: str = "type", unknown_top_level: str | None = None) -> str:
    """The first error of ``err`` as one line that names the field.

    Args:
        prefix: put before the field's location (``"survey."``, ``"interventions[0]."``).
        schema: the type that was validated (a model class, or the union of interventions); a number's
            allowed range is taken from its field there.
        tags: the tags of a discriminated union (intervention types), left out of locations and listed
            when a tag is unknown; ``tag_kind`` names them in that message.
        unknown_top_level: message for an unknown top-level key, with ``{}`` for its name (with ``prefix``)
            (default ``unknown key '{}'``).
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
        if unknown_top_level and len(loc) == 1:
            return unknown_top_level.format(where)
        return f"unknown key '{where}'"
    if kind == "missing":
        return f"{where}: missing"
    if _NAMES_A_FIELD.match(msg):                 # a model-level check that names the field itself
        return f"{where}.{msg}" if where else msg
    if not where:
        return msg
    range_text = range_words(schema_bounds(schema, loc, tags)) if schema is not None else ""
    if kind in TYPE_ERRORS:
        shown = "" if isinstance(got, (dict, list, tuple)) or got is None else f" (got {got!r})"
        need = "a finite number" if kind == "finite_number" else f"{TYPE_ERRORS[kind]}, not {_kind_of(got)}"
        return f"{where}: must be {need}{shown}" + (f"; {range_text}" if range_text else "")
    if kind == "too_short":
        given = len(got) if isinstance(got, (list, tuple, dict, str)) else 0
        return f"{where}: give at least {e.get('ctx', {}).get('min_length', 1)} (got {given})"
    if kind == "literal_error":
        return f"{where}: {got!r} is not one of {e.get('ctx', {}).get('expected', msg)}"
    if kind in RANGE_ERRORS:
        return f"{where}: {got!r} is out of range; {range_text or msg[0].lower() + msg[1:]}"
    shown = f" (got {got!r})" if not isinstance(got, (dict, list)) and got is not None else ""
    return f"{where}: {msg}{shown}" + (f"; {range_text}" if range_text else "")
