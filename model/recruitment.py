"""Opportunity-bounded recruitment (E15, joining phase 2): recruiters, not the group's size, set the pace.

Recruitment into a radical group needs a recruiter to meet a ready sympathiser.
In radsim, each movement's recruiters are a fixed presence: each week they make
a Poisson number of *approaches*, in every neighbourhood in proportion to the
movement's constituency there (local recruiters: minority residents for the
grievance movement, majority residents for the anti-minority movement) and
town-wide among young people of that side (online recruiters). An approach
meets one candidate, chosen uniformly among the movement's ready sympathisers of
its venue (phase 1, radical belief at least ``membership_threshold``), who
joins unless the resilience shield holds or the group does not appeal: with
probability ``(1 - H) * appeal`` (:func:`model.rules.approach_succeeds`).

Alongside the recruiters, a ready sympathiser with a close tie to a member can
join through it (:func:`model.rules.kin_route`); :func:`kin_recruits` caps those
joins per movement per week, so recruitment stays bounded by opportunity.

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

__all__ = ["Approaches", "draw_approaches", "recruit", "approach_rates", "venue_of", "kin_recruits", "kin_cap"]

PER_RESIDENTS = 10_000
"""Approach rates are per this many residents per week."""


@dataclass(frozen=True)
class Approaches:
    """One week of recruiters' approaches.

    ``counts[v]`` is the number of approaches in venue ``v``: for each movement
    ``m`` in :class:`model.rules.Movement` order, its neighbourhoods
    ``m (K+1) + 0 .. K-1``, then ``m (K+1) + K`` = online. ``whom``, ``accept`` and ``blocked`` are
    U(0,1) draws, one per approach, in venue order.
    """

    counts: np.ndarray
    whom: np.ndarray
    accept: np.ndarray
    blocked: np.ndarray

    @classmethod
    def none(cls, n_venues: int) -> "Approaches":
        return cls(np.zeros(n_venues, dtype=np.int64), np.empty(0), np.empty(0), np.empty(0))


def approach_rates(params: Parameters, neighbourhood: np.ndarray, movement: np.ndarray) -> np.ndarray:
    """Expected approaches per week per venue, movement by movement: local ones spread over neighbourhoods by the
    movement's residents there, then online (both per 10,000 residents of the town)."""
    n_hoods = int(neighbourhood.max()) + 1
    town = neighbourhood.size / PER_RESIDENTS
    rates = []
    for m, (local_rate, online_rate) in enumerate([
            (params.recruiter_approaches, params.online_recruiter_approaches),
            (params.anti_minority_recruiter_approaches, params.anti_minority_online_recruiter_approaches)]):
        sizes = np.bincount(neighbourhood[movement == m], minlength=n_hoods).astype(np.float64)
        spread = sizes / sizes.sum() if sizes.sum() > 0 else sizes
        rates.append(np.append(local_rate * town * spread, online_rate * town * (sizes.sum() > 0)))
    return np.concatenate(rates)


def venue_of(movement: int, neighbourhood: int | None, n_hoods: int) -> int:
    """Index of a venue: a movement's neighbourhood, or its online venue (``neighbourhood=None``)."""
    return movement * (n_hoods + 1) + (n_hoods if neighbourhood is None else neighbourhood)


def draw_approaches(rates: np.ndarray, rng: np.random.Generator) -> Approaches:
    """Draw this week's approaches (Poisson counts, then three uniforms each).

    ``rng`` is the model's recruitment stream, spawned from its generator, so
    that the residents' draws do not depend on how many approaches there were.
    """
    counts = rng.poisson(rates)
    u = rng.random((3, int(counts.sum())))
    return Approaches(counts, u[0], u[1], u[2])


def recruit(approaches: Approaches, ready: np.ndarray, neighbourhood: np.ndarray, movement: np.ndarray,
            young: np.ndarray, shield: np.ndarray, appeal: np.ndarray, blocked: np.ndarray,
            online_blocked: float) -> np.ndarray:
    """Indices of the residents recruited this week, in the order the approaches recruited them.

    Args:
        ready: ready sympathisers (phase 1 after this week's other transitions, belief >= membership threshold).
        neighbourhood, movement, young: per resident; online approaches reach the movement's young ready
            sympathisers anywhere.
        shield, appeal: resilience shield at the start of the week and the group's appeal (E15); an approached
            resident joins if ``accept < (1 - H) * appeal``.
        blocked, online_blocked: chance that an approach is prevented (recruiter disruption): per resident met
            by a local approach, and for online approaches. A prevented approach recruits nobody.

    Within a venue, candidates are in resident order; one chosen is ``candidates[int(whom * len)]``.
    A recruited resident leaves every pool; one who refuses can be approached again.
    """
    counts = approaches.counts
    per_movement = counts.size // 2
    n_hoods = per_movement - 1
    active = np.flatnonzero(counts)          # only venues with approaches this week
    if active.size == 0:
        return np.empty(0, dtype=np.int64)
    first = np.cumsum(counts) - counts       # index of each venue's first approach
    candidates = np.flatnonzero(ready)
    venue = movement[candidates].astype(np.int64) * per_movement + neighbourhood[candidates]
    order = np.argsort(venue, kind="stable")
    bounds = np.searchsorted(venue[order], np.arange(counts.size + 1))
    recruited: list[int] = []
    for v in active:
        m, local = divmod(int(v), per_movement)
        online = local == n_hoods
        if not online:
            pool = candidates[order[bounds[v]:bounds[v + 1]]].tolist()
        else:
            taken = set(recruited)
            mine = candidates[young[candidates] & (movement[candidates] == m)]
            pool = [i for i in mine.tolist() if i not in taken]
        for j in range(first[v], first[v] + counts[v]):
            if not pool:
                break
            pos = int(approaches.whom[j] * len(pool))
            chosen = pool[pos]
            prevented = online_blocked if online else blocked[chosen]
            if rules.approach_succeeds(approaches.accept[j], approaches.blocked[j], prevented, shield[chosen],
                                       appeal[chosen]):
                recruited.append(chosen)
                del pool[pos]
    return np.asarray(recruited, dtype=np.int64)


def kin_cap(params: Parameters, n_residents: int) -> int:
    """Most joins through relatives and friends per movement per week: ``kin_recruits_max`` per 10,000, at least 1."""
    return max(1, int(round(params.kin_recruits_max * n_residents / PER_RESIDENTS)))


def kin_recruits(joins: np.ndarray, movement: np.ndarray, cap: int, taken: np.ndarray) -> np.ndarray:
    """Indices joining through a close tie this week: the first ``cap`` of each movement in resident order,
    skipping residents a recruiter already recruited (``taken``)."""
    chosen = np.flatnonzero(joins)
    chosen = chosen[~np.isin(chosen, taken)]
    keep = [chosen[movement[chosen] == m][:cap] for m in (0, 1)]
    return np.sort(np.concatenate(keep)).astype(np.int64)
