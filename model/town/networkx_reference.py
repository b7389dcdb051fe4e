"""The town's ties drawn with networkx generators: the reference for the vectorised ones.

Same residents, households, neighbourhoods and group memberships as
:func:`model.town.build_town`; each layer's ties come from the networkx generator
of the same network model. Python loops over groups make it slow: use it for small
towns and in tests (``build_town(params, rng, generator="networkx")``).
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from ..parameters import Parameters
from .layers import Edges, online_expected_degrees, street_order

__all__ = ["networkx_layers", "pair_probability"]


def _edges(graph: nx.Graph, labels: np.ndarray) -> Edges:
    if graph.number_of_edges() == 0:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    e = np.array(graph.edges(), dtype=np.int64)
    return labels[e[:, 0]].astype(np.int32), labels[e[:, 1]].astype(np.int32)


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(2**31 - 1))


def pair_probability(size: int, mean_degree: float) -> float:
    """Probability that a given pair in a group of ``size`` is tied by the vectorised scheme.

    The vectorised generator draws ``m = min(round(size k / 2), size (size - 1) / 2)``
    ordered pairs with replacement; a given unordered pair is hit with
    probability ``1 - (1 - 2 / size**2) ** m``.
    """
    if size < 2 or mean_degree <= 0:
        return 0.0
    m = min(round(size * mean_degree / 2.0), size * (size - 1) // 2)
    return 1.0 - (1.0 - 2.0 / size**2) ** m


def household_layer(household: np.ndarray) -> Edges:
    """Households as complete graphs (``nx.complete_graph``)."""
    src, dst = [], []
    order = np.argsort(household, kind="stable")
    bounds = np.flatnonzero(np.diff(household[order])) + 1
    for members in np.split(order, bounds):
        s, t = _edges(nx.complete_graph(members.size), members)
        src.append(s)
        dst.append(t)
    return np.concatenate(src), np.concatenate(dst)


def neighbour_layer(neighbourhood, household, background, degree, rewiring, segregation, rng) -> Edges:
    """``nx.watts_strogatz_graph`` on each neighbourhood's street ring; pairs in one household dropped."""
    order = street_order(neighbourhood, household, background, segregation, rng)
    hood = neighbourhood[order]
    bounds = np.flatnonzero(np.diff(hood)) + 1
    src, dst = [], []
    for ring in np.split(order, bounds):
        k = min(2 * (degree // 2), ring.size - 1 - (ring.size - 1) % 2)
        if k < 2:
            continue
        s, t = _edges(nx.watts_strogatz_graph(ring.size, k, rewiring, seed=_seed(rng)), ring)
        keep = household[s] != household[t]
        src.append(s[keep])
        dst.append(t[keep])
    if not src:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    return np.concatenate(src), np.concatenate(dst)


def group_layer(members, groups, mean_degree, background, segregation, rng) -> Edges:
    """``nx.stochastic_block_model`` per group, blocks = backgrounds.

    In-block pairs are tied with ``pair_probability(size, mean_degree)`` and
    cross-block pairs with that times ``1 - segregation``, as in the vectorised scheme.
    """
    src, dst = [], []
    order = np.argsort(groups, kind="stable")
    members, groups = members[order], groups[order]
    bounds = np.flatnonzero(np.diff(groups)) + 1
    for group in np.split(members, bounds):
        if group.size < 2:
            continue
        group = group[np.argsort(background[group], kind="stable")]
        bgs, sizes = np.unique(background[group], return_counts=True)
        p = pair_probability(group.size, mean_degree)
        probs = [[p if a == b else p * (1.0 - segregation) for b in bgs] for a in bgs]
        g = nx.stochastic_block_model(sizes.tolist(), probs, seed=_seed(rng), sparse=True)
        s, t = _edges(g, group)
        src.append(s)
        dst.append(t)
    if not src:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    return np.concatenate(src), np.concatenate(dst)


def online_layer(age, background, mean_degree_youth, segregation, rng) -> Edges:
    """``nx.expected_degree_graph`` (Chung-Lu) with the same expected degrees; cross ties kept with 1 - s."""
    if mean_degree_youth <= 0:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    w = online_expected_degrees(age, mean_degree_youth, rng)
    g = nx.expected_degree_graph(w.tolist(), seed=_seed(rng), selfloops=False)
    s, t = _edges(g, np.arange(age.size))
    cross = background[s] != background[t]
    keep = ~cross | (rng.random(s.size) >= segregation)
    return s[keep], t[keep]


def networkx_layers(params: Parameters, household, age, neighbourhood, background, groups, rng) -> list[Edges]:
    """The six layers in :data:`model.town.layers.LAYERS` order (without ``contact``)."""
    s = params.segregation
    layers = [household_layer(household),
              neighbour_layer(neighbourhood, household, background, params.neighbour_degree,
                              params.neighbour_rewiring, s, rng)]
    for members, gid, degree, seg in groups:
        layers.append(group_layer(members, gid, degree, background, seg, rng))
    layers.append(online_layer(age, background, params.online_degree_mean, s, rng))
    return layers
