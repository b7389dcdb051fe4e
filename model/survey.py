"""Neighbourhood survey figures: the schema and the CSV reader (ODD §5.1).

A municipality that measured its breeding ground for radicalisation, for example
with the KIS instrument of the Verwey-Jonker Institute (questionnaires for
professionals, young people and key figures; see the seed document), has figures
per neighbourhood. A :class:`Survey` holds them:

* the size (residents) and the minority-background shares of each neighbourhood;
* the mean perceived discrimination, institutional trust and identity uncertainty
  of its young people (ages 12-27), each optional;
* the share of its residents who are key figures ("sleutelfiguren").

What a survey does to a run lives elsewhere, one job per module:
:mod:`model.town.survey_population` builds the neighbourhoods and picks the key
figures, :mod:`model.survey_figures` matches the young people's means at week 0
and checks a run against them, and :class:`model.interventions.SurveyKeyFigures`
lets the key figures act.

The figures are *aggregates*. Nothing here reads or represents a real person;
every resident is synthetic. This module imports nothing else of the core but
:mod:`model.errors`.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from .errors import STRICT, one_line_error

__all__ = ["NeighbourhoodFigures", "Survey", "SurveyError", "FIGURES", "CSV_COLUMNS", "read_survey_csv"]

Share = Annotated[float, Field(ge=0.0, le=1.0)]

FIGURES: dict[str, str] = {
    "young_discrimination": "perceived_discrimination",
    "young_trust": "institutional_trust",
    "young_uncertainty": "identity_uncertainty",
}
"""Survey figure -> the state variable whose mean over young residents it sets."""

CSV_COLUMNS: tuple[str, ...] = ("name", "residents", "minority_share_1 .. minority_share_K",
                                *FIGURES, "key_figure_share")
"""Columns of a survey CSV (``minority_share_k`` for each minority background k = 1..K)."""


class SurveyError(ValueError):
    """A survey file or table is missing, malformed or invalid (one-line message)."""


class NeighbourhoodFigures(BaseModel):
    """The survey figures of one neighbourhood. Means are over young people aged 12-27."""

    model_config = STRICT

    name: str = Field("", max_length=200, description="name of the neighbourhood (labels only)")
    residents: int = Field(ge=1, le=50_000_000, description="residents (persons)")
    minority_shares: list[Share] = Field(default_factory=list, max_length=8,
                                         description="share of residents of each minority background; "
                                                     "the majority is the rest")
    young_discrimination: float | None = Field(None, ge=0.0, le=1.0, description="mean perceived discrimination "
                                               "of young people, in [0, 1]; omitted = the model's own value")
    young_trust: float | None = Field(None, ge=0.0, le=1.0, description="mean institutional trust of young "
                                      "people, in [0, 1]; omitted = the model's own value")
    young_uncertainty: float | None = Field(None, ge=0.0, le=1.0, description="mean identity uncertainty of "
                                            "young people, in [0, 1]; omitted = the model's own value")
    key_figure_share: float = Field(0.0, ge=0.0, le=1.0, description="share of residents who are key figures")

    @field_validator("minority_shares")
    @classmethod
    def _sum(cls, v: list[float]) -> list[float]:
        if sum(v) > 1.0 + 1e-9:
            raise ValueError(f"the shares sum to {sum(v):.4g}; they must sum to at most 1 (the majority is the rest)")
        return v


class Survey(BaseModel):
    """Neighbourhood-level survey figures that a town is built from.

    ``neighbourhoods`` become neighbourhoods ``0, 1, ...`` of the town, in this
    order. Every neighbourhood gives the same number of minority shares. The key
    figures act like the ``key_figures`` intervention with ``key_figure_intensity``
    and ``key_figure_visibility`` (how visible their link to the government is),
    permanently from week 0, at no cost.
    """

    model_config = STRICT

    source: str = Field("", max_length=2000, description="where the figures come from (for provenance)")
    key_figure_intensity: float = Field(0.5, ge=0.0, le=1.0, description="intensity of the key figures' work")
    key_figure_visibility: float = Field(0.2, ge=0.0, le=1.0,
                                         description="how visible the key figures' link to the government is")
    neighbourhoods: list[NeighbourhoodFigures] = Field(min_length=1, max_length=1_000_000)

    @model_validator(mode="after")
    def _consistent(self) -> "Survey":
        k = len(self.neighbourhoods[0].minority_shares)
        for i, nb in enumerate(self.neighbourhoods):
            if len(nb.minority_shares) != k:
                raise ValueError(f"neighbourhoods[{i}].minority_shares: {len(nb.minority_shares)} shares, but "
                                 f"neighbourhoods[0] has {k}; give every neighbourhood one share per minority background")
        seen: dict[str, int] = {}
        for i, nb in enumerate(self.neighbourhoods):
            if nb.name and nb.name in seen:
                raise ValueError(f"neighbourhoods[{i}].name: {nb.name!r} is also neighbourhoods[{seen[nb.name]}]")
            seen.setdefault(nb.name, i)
        return self

    # --- derived figures ---------------------------------------------------------
    @property
    def residents(self) -> int:
        """Residents of all neighbourhoods together."""
        return sum(nb.residents for nb in self.neighbourhoods)

    @property
    def n_minorities(self) -> int:
        return len(self.neighbourhoods[0].minority_shares)

    @property
    def minority_shares(self) -> list[float]:
        """Town-wide minority shares: the neighbourhood shares weighted by size."""
        sizes = np.array([nb.residents for nb in self.neighbourhoods], dtype=float)
        shares = np.array([nb.minority_shares for nb in self.neighbourhoods], dtype=float).reshape(sizes.size, -1)
        return [float(x) for x in (sizes @ shares) / sizes.sum()]

    def composition(self) -> np.ndarray:
        """Background shares per neighbourhood, shape (neighbourhoods, 1 + minorities); column 0 is the majority."""
        minor = np.array([nb.minority_shares for nb in self.neighbourhoods], dtype=float)
        minor = minor.reshape(len(self.neighbourhoods), -1)
        return np.column_stack([np.clip(1.0 - minor.sum(axis=1), 0.0, 1.0), minor])

    def targets(self, figure: str) -> np.ndarray:
        """Target of ``figure`` per neighbourhood; NaN where the survey does not give it."""
        return np.array([math.nan if getattr(nb, figure) is None else getattr(nb, figure)
                         for nb in self.neighbourhoods], dtype=float)

    @classmethod
    def from_csv(cls, path: str | Path, **options: Any) -> "Survey":
        """Read a survey CSV; see :func:`read_survey_csv`."""
        return read_survey_csv(path, **options)


# ---------------------------------------------------------------------------
# one-line messages and the CSV reader
# ---------------------------------------------------------------------------
def _number(text: str, integer: bool) -> float | int:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError
    if integer:
        if value != int(value):
            raise ValueError
        return int(value)
    return value


def read_survey_csv(path: str | Path, **options: Any) -> Survey:
    """Read neighbourhood figures from a CSV file with one row per neighbourhood.

    Columns (a header row is required; order free; ``#`` starts a comment line):

    * ``name`` (optional): the neighbourhood's name;
    * ``residents`` (required): residents, an integer of at least 1;
    * ``minority_share_1`` .. ``minority_share_K``: share of each minority background
      (K may be 0; the majority is the rest);
    * ``young_discrimination``, ``young_trust``, ``young_uncertainty`` (optional, an
      empty cell means "not measured"): means over young people aged 12-27, in [0, 1];
    * ``key_figure_share`` (optional, default 0): share of residents who are key figures.

    ``options`` are the other :class:`Survey` fields (``source``,
    ``key_figure_intensity``, ``key_figure_visibility``). Raises :class:`SurveyError`
    with one line naming the file, the line and the column.
    """
    path = Path(path)
    if not path.is_file():
        raise SurveyError(f"survey file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SurveyError(f"{path}: not a UTF-8 text file") from None
    lines = [(k + 1, line) for k, line in enumerate(text.splitlines())
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise SurveyError(f"{path}: empty; expected a header row with columns {', '.join(CSV_COLUMNS)}")
    try:
        rows = list(csv.reader([line for _, line in lines], skipinitialspace=True))
    except csv.Error as err:
        raise SurveyError(f"{path}: malformed CSV: {err}") from None
    header_line, header = lines[0][0], [c.strip() for c in rows[0]]
    minority_cols = [c for c in header if c.startswith("minority_share_")]
    known = {"name", "residents", *FIGURES, "key_figure_share"}
    for c in header:
        if c not in known and not (c.startswith("minority_share_") and c.removeprefix("minority_share_").isdigit()):
            raise SurveyError(f"{path}, line {header_line}: unknown column {c!r}; expected {', '.join(CSV_COLUMNS)}")
    dup = [c for c in header if header.count(c) > 1]
    if dup:
        raise SurveyError(f"{path}, line {header_line}: column {dup[0]!r} appears twice")
    if "residents" not in header:
        raise SurveyError(f"{path}, line {header_line}: missing column 'residents'")
    k_minor = len(minority_cols)
    expected = [f"minority_share_{k}" for k in range(1, k_minor + 1)]
    if sorted(minority_cols) != sorted(expected):
        missing = sorted(set(expected) - set(minority_cols))
        raise SurveyError(f"{path}, line {header_line}: minority columns must be minority_share_1 .. "
                          f"minority_share_K without gaps (missing {missing[0] if missing else '?'})")
    if len(lines) == 1:
        raise SurveyError(f"{path}: no neighbourhood rows after the header")
    figures: list[NeighbourhoodFigures] = []
    seen: dict[str, int] = {}
    for (line_no, _), cells in zip(lines[1:], rows[1:]):
        if len(cells) != len(header):
            raise SurveyError(f"{path}, line {line_no}: {len(cells)} cells, but the header has {len(header)} columns")
        cell = {c: v.strip() for c, v in zip(header, cells)}
        label = f"{path}, line {line_no}" + (f" ({cell['name']})" if cell.get("name") else "")
        data: dict[str, Any] = {"name": cell.get("name", "")}
        for col in header:
            if col == "name":
                continue
            v = cell[col]
            if v == "":
                if col in FIGURES or col == "key_figure_share":
                    continue
                raise SurveyError(f"{label}, column {col}: empty; a value is required")
            try:
                data[col] = _number(v, integer=(col == "residents"))
            except ValueError:
                kind = "an integer" if col == "residents" else "a number"
                raise SurveyError(f"{label}, column {col}: {v!r} is not {kind}") from None
        data["minority_shares"] = [data.pop(c) for c in expected]
        try:
            nb = NeighbourhoodFigures(**data)
        except ValidationError as err:
            e = err.errors()[0]
            col = e["loc"][0] if e["loc"] else ""
            if col == "minority_shares":
                col = f"minority_share_{e['loc'][1] + 1}" if len(e["loc"]) > 1 else "minority_share_1 .."
            raise SurveyError(f"{label}, column {col}: {one_line_error(err, schema=NeighbourhoodFigures).split(': ', 1)[1]}") from None
        if nb.name and nb.name in seen:
            raise SurveyError(f"{label}, column name: {nb.name!r} is also on line {seen[nb.name]}")
        seen.setdefault(nb.name, line_no)
        figures.append(nb)
    try:
        return Survey(neighbourhoods=figures, **options)
    except ValidationError as err:
        raise SurveyError(f"{path}: {one_line_error(err, schema=Survey)}") from None
