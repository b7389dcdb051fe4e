"""Starting a town from neighbourhood survey figures (ODD §5.1).

A municipality that measured its breeding ground for radicalisation, for example
with the KIS instrument of the Verwey-Jonker Institute (questionnaires for
professionals, young people and key figures; see the seed document), has figures
per neighbourhood. A :class:`Survey` holds them:

* the size (residents) and the minority-background shares of each neighbourhood;
* the mean perceived discrimination, institutional trust and identity uncertainty
  of its young people (ages 12-27, :attr:`model.town.Town.young`), each optional;
* the share of its residents who are key figures ("sleutelfiguren").

Given ``Parameters(survey=...)``, :func:`model.town.build_town` builds the
neighbourhoods with these sizes and compositions (exact up to whole households)
and picks the key figures, and :func:`model.state.initial_state` shifts the
young residents' state and lasting propensities so that the neighbourhood means
hit the figures at week 0. The key figures act from week 0 through the
mechanism of the ``key_figures`` intervention (:class:`SurveyKeyFigures`).

The figures are *aggregates*. Nothing here reads or represents a real person;
every resident is synthetic.

This module must not import :mod:`model.town` or :mod:`model.state` at module
level (they import :mod:`model.parameters`, which imports this module).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .interventions import KeyFigures, Levers

if TYPE_CHECKING:
    from .parameters import Parameters
    from .state import ResidentState
    from .town import Town

__all__ = [
    "NeighbourhoodFigures", "Survey", "SurveyError", "SurveyKeyFigures", "FIGURES", "CSV_COLUMNS",
    "read_survey_csv", "survey_message", "neighbourhood_sizes", "survey_residents", "choose_key_figures",
    "match_young_figures", "survey_interventions", "young_means", "survey_fit",
]

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

KEY_FIGURE_MIN_AGE = 18.0
"""Key figures are adults (years)."""


class SurveyError(ValueError):
    """A survey file or table is missing, malformed or invalid (one-line message)."""


class NeighbourhoodFigures(BaseModel):
    """The survey figures of one neighbourhood. Means are over young people aged 12-27."""

    model_config = ConfigDict(extra="forbid")

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

    model_config = ConfigDict(extra="forbid")

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

def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith("function-"):
            out += f".{part}" if out else str(part)
    return out


def survey_message(err: ValidationError, prefix: str = "") -> str:
    """The first error of a survey validation as one line naming the field, e.g.
    ``survey.neighbourhoods[2].young_trust: 1.3 is out of range; input should be less than or equal to 1``."""
    e = err.errors()[0]
    where = prefix + _where(e["loc"]) if e["loc"] else prefix.rstrip(".")
    msg = e["msg"].removeprefix("Value error, ")
    got = e.get("input")
    if e["type"] == "extra_forbidden":
        return f"unknown key '{where}'"
    if e["type"] == "missing":
        return f"{where}: missing"
    if e["type"] in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{where}: {got!r} is out of range; {msg[0].lower()}{msg[1:]}"
    if msg.startswith("neighbourhoods["):          # the survey-level check names the field itself
        return f"{where}.{msg}" if where else msg
    shown = f" (got {got!r})" if e["loc"] and not isinstance(got, (dict, list)) and got is not None else ""
    return f"{where}: {msg}{shown}" if where else msg


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
            raise SurveyError(f"{label}, column {col}: {survey_message(err).split(': ', 1)[1]}") from None
        if nb.name and nb.name in seen:
            raise SurveyError(f"{label}, column name: {nb.name!r} is also on line {seen[nb.name]}")
        seen.setdefault(nb.name, line_no)
        figures.append(nb)
    try:
        return Survey(neighbourhoods=figures, **options)
    except ValidationError as err:
        raise SurveyError(f"{path}: {survey_message(err)}") from None


# ---------------------------------------------------------------------------
# building the town
# ---------------------------------------------------------------------------

def neighbourhood_sizes(survey: Survey, n_residents: int) -> np.ndarray:
    """Residents per neighbourhood: the survey's sizes, scaled to ``n_residents`` if it differs.

    Scaling uses the largest-remainder method, so the sizes sum to ``n_residents``
    exactly and each is within one of ``residents * n_residents / total``.
    """
    sizes = np.array([nb.residents for nb in survey.neighbourhoods], dtype=np.int64)
    total = int(sizes.sum())
    if n_residents == total:
        return sizes
    exact = sizes * (n_residents / total)
    out = np.floor(exact).astype(np.int64)
    short = n_residents - int(out.sum())
    if short > 0:
        out[np.argsort(-(exact - out), kind="stable")[:short]] += 1
    return out


def survey_residents(survey: Survey, n_residents: int, rng: np.random.Generator
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Households, ages, neighbourhoods and backgrounds that match the survey.

    Each neighbourhood gets exactly its number of residents, split into households
    by :func:`model.town.households` (the last household of a neighbourhood is cut
    to fit). Households keep one background. They are put in a random order, and
    each takes the background in whose share of the neighbourhood's cumulative
    resident count its midpoint falls (systematic sampling), so every background's
    count is within about one household of ``share * residents``.

    Returns ``(household, age, neighbourhood, background)`` per resident.
    """
    from .town import households

    sizes = neighbourhood_sizes(survey, n_residents)
    hh, ages = [], []
    offset = 0
    for size in sizes:
        if size <= 0:
            continue
        h, a = households(int(size), rng)
        hh.append(h.astype(np.int64) + offset)
        ages.append(a)
        offset += int(h[-1]) + 1
    household = np.concatenate(hh).astype(np.int32)
    age = np.concatenate(ages)
    neighbourhood = np.repeat(np.arange(sizes.size, dtype=np.int32), sizes)

    n_house = offset
    hsize = np.bincount(household, minlength=n_house)
    first = np.concatenate(([0], np.cumsum(hsize)[:-1]))
    hood_of_house = neighbourhood[first]
    order = np.lexsort((rng.random(n_house), hood_of_house))
    hood_sorted = hood_of_house[order]
    cum = np.cumsum(hsize[order])
    before = np.concatenate(([0], np.cumsum(sizes)[:-1]))           # residents in earlier neighbourhoods
    mid = (cum - before[hood_sorted] - 0.5 * hsize[order]) / sizes[hood_sorted]
    cum_share = np.cumsum(survey.composition(), axis=1)
    bg_sorted = (mid[:, None] >= cum_share[hood_sorted]).sum(axis=1)
    bg_house = np.empty(n_house, dtype=np.int8)
    bg_house[order] = np.minimum(bg_sorted, cum_share.shape[1] - 1)
    return household, age, neighbourhood, bg_house[household]


def choose_key_figures(survey: Survey, neighbourhood: np.ndarray, age: np.ndarray, excluded: np.ndarray,
                       degree: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The survey's key figures: per neighbourhood, ``round(key_figure_share * residents)`` adults.

    Like the ``key_figures`` intervention, they are the best-connected eligible
    residents (most ties; ties broken at random). Eligible: aged 18 or over and
    not ``excluded`` (the seeded radical relatives). If a neighbourhood has too few
    eligible residents, all of them are key figures.
    """
    k = len(survey.neighbourhoods)
    sizes = np.bincount(neighbourhood, minlength=k)
    share = np.array([nb.key_figure_share for nb in survey.neighbourhoods])
    wanted = np.rint(share * sizes).astype(np.int64)
    chosen = np.zeros(neighbourhood.size, dtype=bool)
    if not wanted.any():
        return chosen
    idx = np.nonzero((age >= KEY_FIGURE_MIN_AGE) & ~excluded)[0]
    order = idx[np.lexsort((rng.random(idx.size), -degree[idx], neighbourhood[idx]))]
    hood = neighbourhood[order]
    start = np.searchsorted(hood, np.arange(k))
    rank = np.arange(order.size) - start[hood]
    chosen[order[rank < wanted[hood]]] = True
    return chosen


# ---------------------------------------------------------------------------
# key figures as a permanent intervention
# ---------------------------------------------------------------------------

class SurveyKeyFigures(KeyFigures):
    """The key figures a survey reports, acting from week 0 (not a new policy).

    The mechanism is that of :class:`model.interventions.KeyFigures` (shield
    support and care for their contacts; a trust penalty if they are seen as
    informants). They are the residents flagged in ``town.key_figure``, chosen
    when the town is built, and they cost nothing in the model's cost account.
    """

    arm: str | None = "survey key figures"
    cost: float = 0.0

    def begin(self, model):
        self._reached = model.town.key_figure.copy()
        self._reach = np.minimum(1.0, model.town.adjacency @ self._reached.astype(float))


def survey_interventions(params: "Parameters", town: "Town") -> list[SurveyKeyFigures]:
    """The permanent interventions a survey implies: its key figures, if any."""
    if params.survey is None or not town.key_figure.any():
        return []
    s = params.survey
    return [SurveyKeyFigures(start=0, intensity=s.key_figure_intensity, government_visibility=s.key_figure_visibility)]


def _week0_levers(params: "Parameters", town: "Town", phase: np.ndarray) -> Levers:
    """The levers the survey's key figures set in week 0 (read by the trust target)."""
    levers = Levers.neutral(town.n_residents)
    stub = SimpleNamespace(town=town, state=SimpleNamespace(phase=phase))
    for iv in survey_interventions(params, town):
        iv.begin(stub)
        iv.act(stub, levers, 0)
    return levers


# ---------------------------------------------------------------------------
# matching the young people's means
# ---------------------------------------------------------------------------

def _shift_to_means(value, group: np.ndarray, target: np.ndarray, lo: float = -5.0, hi: float = 5.0,
                    iterations: int = 72) -> np.ndarray:
    """Per group g, the additive shift ``d[g]`` with ``mean(value(d[group])) == target[g]`` over the group.

    ``value`` maps a per-member shift to per-member values and must be
    non-decreasing in the shift; found by bisection. Where the target cannot be
    reached (clipping at 0 or 1), the shift ends at the nearest bound.
    """
    k = target.size
    count = np.maximum(np.bincount(group, minlength=k), 1)
    low, high = np.full(k, lo), np.full(k, hi)
    goal = np.nan_to_num(target, nan=0.0)
    for _ in range(iterations):
        mid = 0.5 * (low + high)
        mean = np.bincount(group, weights=value(mid[group]), minlength=k) / count
        above = mean > goal
        high = np.where(above, mid, high)
        low = np.where(above, low, mid)
    return np.where(np.isnan(target), 0.0, 0.5 * (low + high))


def match_young_figures(state: "ResidentState", town: "Town", params: "Parameters") -> None:
    """Shift the week-0 state so that each neighbourhood's young people have the survey's means.

    In each neighbourhood with a figure (ODD §5.1):

    1. **Perceived discrimination**: the young residents' personal and group
       discrimination are shifted by one common amount (clipped to [0, 1]) so
       that the mean of D = (Dp + Dg) / 2 hits the figure.
    2. **Identity uncertainty** and **institutional trust**: the lasting
       propensities εU, εT of every resident aged 27 or under (the young people
       and the children who grow into the age band) are shifted by one common
       amount, and their U and T start at the target of their rule (E8, E10:
       the value they relax to, given D, memberships, phase and the key
       figures), so that the young people's mean hits the figure. Because the
       shift sits in the lasting propensity, it does not relax away.
    3. Significance loss and the resilience shield are moved with D and T as in
       the default initialisation (S by 0.3 ΔD; H by ``shield_trust`` ΔT −
       ``shield_discrimination`` ΔD).

    Uses no random numbers. A figure that clipping makes unreachable (for example
    trust 1.0 with a radical-group member among the young) ends at the nearest
    reachable mean; :func:`survey_fit` shows the gap.
    """
    from .town import YOUTH_AGE

    survey = params.survey
    if survey is None:
        return
    p = params
    hood = town.neighbourhood.astype(np.int64)
    young = town.young
    cohort = town.age <= YOUTH_AGE[1]
    in_group = (state.phase >= 2).astype(np.float64)

    def clip(x):
        return np.clip(x, 0.0, 1.0)

    # 1. perceived discrimination (young people only)
    target = survey.targets("young_discrimination")
    sel = np.nonzero(young & ~np.isnan(target)[hood])[0]
    D_old = state.perceived_discrimination.copy()
    if sel.size:
        dp, dg = state.personal_discrimination[sel], state.group_discrimination[sel]
        shift = _shift_to_means(lambda d: 0.5 * (clip(dp + d) + clip(dg + d)), hood[sel], target)[hood[sel]]
        state.personal_discrimination[sel] = clip(dp + shift)
        state.group_discrimination[sel] = clip(dg + shift)
        state.perceived_discrimination[sel] = 0.5 * (state.personal_discrimination[sel]
                                                     + state.group_discrimination[sel])
    D = state.perceived_discrimination

    # E7 complexity and the week-0 levers of the survey's key figures, as the engine computes them
    memb = (town.memberships + town.cross_memberships).astype(np.float64) * (1.0 - p.group_isolation * in_group)
    C = memb / (memb + p.complexity_half_saturation)
    levers = _week0_levers(params, town, state.phase)
    fairness = clip(p.institutional_fairness + levers.fairness_gain)

    def target_u(i, eps):        # E8
        return clip(p.uncertainty_base + eps + p.uncertainty_youth * young[i] + p.uncertainty_discrimination * D[i]
                    - p.uncertainty_complexity * C[i]) * (1.0 - p.uncertainty_group_relief * in_group[i])

    def target_t(i, eps):        # E10
        return clip(fairness[i] * (1.0 - p.trust_discrimination * D[i]) + eps - levers.trust_penalty[i]) \
            * (1.0 - p.trust_group_loss * in_group[i])

    T_old = state.institutional_trust.copy()
    for figure, propensity, value, rule in (
            ("young_uncertainty", state.uncertainty_propensity, state.identity_uncertainty, target_u),
            ("young_trust", state.trust_propensity, state.institutional_trust, target_t)):
        target = survey.targets(figure)
        has = ~np.isnan(target)[hood]
        sel = np.nonzero(young & has)[0]
        if sel.size == 0:
            continue
        eps = propensity[sel]
        shift = _shift_to_means(lambda d, i=sel, e=eps: rule(i, e + d), hood[sel], target)
        moved = np.nonzero(cohort & has)[0]
        propensity[moved] += shift[hood[moved]]
        value[moved] = rule(moved, propensity[moved])

    # 3. significance loss and shield follow D and T as in the default initialisation
    dD = D - D_old
    dT = state.institutional_trust - T_old
    state.significance_loss[:] = np.where(dD != 0, clip(state.significance_loss + 0.3 * dD), state.significance_loss)
    changed = (dD != 0) | (dT != 0)
    state.resilience_shield[:] = np.where(changed, clip(state.resilience_shield + p.shield_trust * dT
                                                         - p.shield_discrimination * dD), state.resilience_shield)


# ---------------------------------------------------------------------------
# checking the match
# ---------------------------------------------------------------------------

def young_means(town: "Town", state: "ResidentState", variable: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, standard deviation and count of ``variable`` over young people, per neighbourhood."""
    k = town.n_neighbourhoods
    young = state.young
    hood = town.neighbourhood[young]
    x = getattr(state, variable)[young]
    n = np.bincount(hood, minlength=k).astype(float)
    safe = np.maximum(n, 1.0)
    mean = np.bincount(hood, weights=x, minlength=k) / safe
    var = np.bincount(hood, weights=x * x, minlength=k) / safe - mean**2
    mean[n == 0] = np.nan
    return mean, np.sqrt(np.maximum(var, 0.0)), n


def survey_fit(town: "Town", state: "ResidentState", survey: Survey):
    """A table of each survey figure against the model's current value, per neighbourhood.

    Columns: ``neighbourhood`` (id), ``name``, ``figure``, ``target``, ``model``,
    ``gap`` (model - target), ``young`` (young residents) and ``se`` (standard
    error of the young mean, sd / sqrt(young)). Figures: ``residents`` (the
    survey's size, scaled if ``n_residents`` differs from the survey's total),
    ``minority_share_k``, the three young means and ``key_figure_share``.
    """
    import pandas as pd

    k = len(survey.neighbourhoods)
    hood = town.neighbourhood
    size = np.bincount(hood, minlength=k).astype(float)
    rows = []
    _, _, n_young = young_means(town, state, "perceived_discrimination")
    comp = np.bincount(hood.astype(np.int64) * (survey.n_minorities + 1) + town.background,
                       minlength=k * (survey.n_minorities + 1)).reshape(k, -1)
    means = {f: young_means(town, state, var) for f, var in FIGURES.items()}
    key = np.bincount(hood, weights=town.key_figure.astype(float), minlength=k)
    residents = neighbourhood_sizes(survey, town.n_residents)
    for i, nb in enumerate(survey.neighbourhoods):
        def row(figure, target, model, se=math.nan, young=math.nan):
            rows.append({"neighbourhood": i, "name": nb.name, "figure": figure, "target": target, "model": model,
                         "gap": model - target, "young": young, "se": se})
        row("residents", float(residents[i]), size[i])
        for b, share in enumerate(nb.minority_shares, start=1):
            row(f"minority_share_{b}", share, comp[i, b] / max(size[i], 1.0))
        for f in FIGURES:
            target = getattr(nb, f)
            if target is not None:
                mean, sd, n = means[f]
                row(f, target, mean[i], sd[i] / math.sqrt(max(n[i], 1.0)), n_young[i])
        row("key_figure_share", nb.key_figure_share, key[i] / max(size[i], 1.0))
    return pd.DataFrame(rows)
