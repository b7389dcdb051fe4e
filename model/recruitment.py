"""Opportunity-bounded recruitment (E15, joining phase 2): recruiters, not the group's size, set the pace.

Recruitment into a radical group needs a recruiter to meet a ready sympathiser.
In radsim, recruiters are a fixed presence: each week they make a Poisson
number of *approaches*, in every neighbourhood in proportion to its size
(local recruiters) and town-wide among young people (online recruiters). An
approach meets one candidate, chosen uniformly among the ready sympathisers of
its venue (phase 1, radical belief at least ``membership_threshold``), who
joins unless the resilience shield holds: with probability ``1 - H``.

The number of approaches does not grow with the group, so recruitment is
bounded by opportunity, as in PROTON-T (Weisburd et al. 2022, whose recruiters
are a fixed set of agents) and Situational Action Theory (Bouhana and Wikström
2011: action needs both propensity and exposure to a setting). When ready
sympathisers are scarce, approaches find nobody and recruitment is bounded by
the pool instead. Protecting some sympathisers displaces recruiters to others
in the same venue (the displacement of situational crime prevention).

The engine (:func:`recruit`) and the per-agent reference
(:class:`model.agents.Recruiter`) make the same choices from the same draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import rules
from .parameters import Parameters

__all__ = ["Approaches", "draw_approaches", "recruit", "approach_rates"]

PER_RESIDENTS = 10_000
"""Approach rates are per this many residents per week."""


@dataclass(frozen=True)
class Approaches:
    """One week of recruiters' approaches.

    ``counts[v]`` is the number of approaches in venue ``v``: neighbourhoods
    ``0 .. K-1``, then ``K`` = online. ``whom``, ``accept`` and ``blocked`` are
    U(0,1) draws, one per approach, in venue order.
    """

    counts: np.ndarray
    whom: np.ndarray
    accept: np.ndarray
    blocked: np.ndarray

    @classmethod
    def none(cls, n_venues: int) -> "Approaches":
        return cls(np.zeros(n_venues, dtype=np.int64), np.empty(0), np.empty(0), np.empty(0))


def approach_rates(params: Parameters, neighbourhood: np.ndarray) -> np.ndarray:
    """Expected approaches per week per venue: local ones by neighbourhood size, then online."""
    sizes = np.bincount(neighbourhood).astype(np.float64)
    local = params.recruiter_approaches * sizes / PER_RESIDENTS
    online = params.online_recruiter_approaches * neighbourhood.size / PER_RESIDENTS
    return np.append(local, online)


def draw_approaches(rates: np.ndarray, rng: np.random.Generator) -> Approaches:
    """Draw this week's approaches (Poisson counts, then three uniforms each).

    ``rng`` is the model's recruitment stream, spawned from its generator, so
    that the residents' draws do not depend on how many approaches there were.
    """
    counts = rng.poisson(rates)
    u = rng.random((3, int(counts.sum())))
    return Approaches(counts, u[0], u[1], u[2])


def recruit(approaches: Approaches, ready: np.ndarray, neighbourhood: np.ndarray, young: np.ndarray,
            shield: np.ndarray, blocked: np.ndarray, online_blocked: float) -> np.ndarray:
    """Indices of the residents recruited this week, in the order the approaches recruited them.

    Args:
        ready: ready sympathisers (phase 1 after this week's other transitions, belief >= membership threshold).
        neighbourhood, young: per resident; online approaches reach young ready sympathisers anywhere.
        shield: resilience shield at the start of the week; an approached resident joins if ``accept < 1 - H``.
        blocked, online_blocked: chance that an approach is prevented (recruiter disruption): per resident met
            by a local approach, and for online approaches. A prevented approach recruits nobody.

    Within a venue, candidates are in resident order; one chosen is ``candidates[int(whom * len)]``.
    A recruited resident leaves every pool; one who refuses can be approached again.
    """
    counts = approaches.counts
    online = counts.size - 1
    active = np.flatnonzero(counts)          # only venues with approaches this week
    if active.size == 0:
        return np.empty(0, dtype=np.int64)
    first = np.cumsum(counts) - counts       # index of each venue's first approach
    candidates = np.flatnonzero(ready)
    hood = neighbourhood[candidates]
    order = np.argsort(hood, kind="stable")
    bounds = np.searchsorted(hood[order], np.arange(online + 1))
    recruited: list[int] = []
    for venue in active:
        if venue < online:
            pool = candidates[order[bounds[venue]:bounds[venue + 1]]].tolist()
        else:
            taken = set(recruited)
            pool = [i for i in candidates[young[candidates]].tolist() if i not in taken]
        for j in range(first[venue], first[venue] + counts[venue]):
            if not pool:
                break
            pos = int(approaches.whom[j] * len(pool))
            chosen = pool[pos]
            prevented = online_blocked if venue == online else blocked[chosen]
            if rules.approach_succeeds(approaches.accept[j], approaches.blocked[j], prevented, shield[chosen]):
                recruited.append(chosen)
                del pool[pos]
    return np.asarray(recruited, dtype=np.int64)
