"""The survey town's population: neighbourhoods of the surveyed sizes and compositions, and its key figures.

See :mod:`model.survey` for the figures. All randomness comes from the
generator passed in, in the order :func:`model.town.build_town` calls these.
"""

from __future__ import annotations

import numpy as np

from ..survey import Survey
from .layers import households

__all__ = ["KEY_FIGURE_MIN_AGE", "neighbourhood_sizes", "survey_residents", "choose_key_figures"]

KEY_FIGURE_MIN_AGE = 18.0
"""Key figures are adults (years)."""


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
    by :func:`model.town.layers.households` (the last household of a neighbourhood is cut
    to fit). Households keep one background. They are put in a random order, and
    each takes the background in whose share of the neighbourhood's cumulative
    resident count its midpoint falls (systematic sampling), so every background's
    count is within about one household of ``share * residents``.

    Returns ``(household, age, neighbourhood, background)`` per resident.
    """
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
