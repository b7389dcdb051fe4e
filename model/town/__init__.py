"""The synthetic town: who lives where, who belongs to which group, and who is tied to whom.

:func:`build_town` draws a town from :class:`model.parameters.Parameters` with
the generators of :mod:`model.town.layers` (vectorised numpy) or of
:mod:`model.town.networkx_reference` (networkx, the slow reference), and from
survey figures with :mod:`model.town.survey_population`. A :class:`Town` owns
its ties and its group memberships: interventions change them only through its
methods (:meth:`Town.add_ties`, :meth:`Town.join_groups`, :meth:`Town.leave_groups`).

All randomness comes from the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.sparse as sp

from ..parameters import CROSS_CUTTING_SHARE, YOUTH_AGE, GroupKind, Parameters
from .layers import (LAYERS, Edges, association_ties, household_ties, households, neighbour_ties,
                     neighbourhood_backgrounds, online_ties, religious_ties, school_work_ties, sorted_unique,
                     ties_within_groups)
from .networkx_reference import networkx_layers
from .sparse import add_symmetric, symmetric_csr, tie_strength_sums
from .survey_population import choose_key_figures, survey_residents

__all__ = ["LAYERS", "Town", "MembershipChange", "build_town", "cross_cutting"]


def cross_cutting(group: np.ndarray, member_background: np.ndarray) -> np.ndarray:
    """Per membership: is the group cross-cutting for this member?

    True where at least :data:`model.parameters.CROSS_CUTTING_SHARE` of the
    group's members (in this list) have another background (Roccas & Brewer 2002).
    ``group`` holds non-negative group ids, one per membership.
    """
    if group.size == 0:
        return np.zeros(0, dtype=bool)
    n_bg = int(member_background.max()) + 1
    n_groups = int(group.max()) + 1
    comp = np.bincount(group * n_bg + member_background, minlength=n_groups * n_bg).reshape(n_groups, n_bg)
    other_share = 1.0 - comp[group, member_background] / comp.sum(axis=1)[group]
    return other_share >= CROSS_CUTTING_SHARE


@dataclass
class MembershipChange:
    """Memberships added per resident by :meth:`Town.join_groups` (all, and cross-cutting ones)."""

    memberships: np.ndarray
    cross_memberships: np.ndarray

@dataclass
class Town:
    """A synthetic town: who lives where, and who is tied to whom.

    Attributes (arrays indexed by resident):
        age: years. background: 0 = majority, 1.. = minority backgrounds.
        household, neighbourhood: ids.
        memberships: number of groups (school/work, clubs, religious community).
        cross_memberships: memberships in groups where at least 20% of the
            members have another background (cross-cutting groups).
        radical_relative: residents seeded as members of a radical group.
        key_figure: key figures ("sleutelfiguren") given by survey figures (all False
            without a survey); they act through :class:`model.interventions.SurveyKeyFigures`.
    Network:
        edge_source, edge_target, edge_layer, edge_weight: the multiplex edge list
            (each tie once per layer) with the tie strength of each edge.
        adjacency: symmetric CSR, weight = sum of the layer strengths of a pair.
        group_resident, group_id, group_kind: the membership (affiliation) list.
    """

    age: np.ndarray
    background: np.ndarray
    household: np.ndarray
    neighbourhood: np.ndarray
    edge_source: np.ndarray
    edge_target: np.ndarray
    edge_layer: np.ndarray
    edge_weight: np.ndarray
    adjacency: sp.csr_matrix
    group_resident: np.ndarray
    group_id: np.ndarray
    group_kind: np.ndarray
    memberships: np.ndarray
    cross_memberships: np.ndarray
    radical_relative: np.ndarray
    key_figure: np.ndarray | None = None
    _membership_index: tuple | None = field(default=None, repr=False, compare=False)
    _household_index: tuple | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.key_figure is None:
            self.key_figure = np.zeros(self.age.size, dtype=bool)

    @property
    def n_residents(self) -> int:
        return int(self.age.size)

    @property
    def young(self) -> np.ndarray:
        """Boolean mask of the group at risk (ages 12-27)."""
        return (self.age >= YOUTH_AGE[0]) & (self.age <= YOUTH_AGE[1])

    @property
    def n_neighbourhoods(self) -> int:
        return int(self.neighbourhood.max()) + 1

    def layer_sizes(self) -> dict[str, int]:
        """Number of ties in each layer."""
        counts = np.bincount(self.edge_layer, minlength=len(LAYERS))
        return dict(zip(LAYERS, counts.tolist()))

    def cross_background_share(self) -> float:
        """Share of ties (all layers) that join residents of different backgrounds."""
        if self.edge_source.size == 0:
            return 0.0
        return float(np.mean(self.background[self.edge_source] != self.background[self.edge_target]))

    def contact_share(self) -> np.ndarray:
        """Per resident: share of tie strength to residents of another background (0 without ties)."""
        total, cross = tie_strength_sums(self.adjacency, self.background)
        return np.divide(cross, total, out=np.zeros(self.n_residents), where=total > 0)

    def add_ties(self, source: np.ndarray, target: np.ndarray, layer: str, weight: float) -> int:
        """Add ties in ``layer`` (skipping self-ties and ties already in that layer); returns how many."""
        code = LAYERS.index(layer)
        n = self.n_residents
        lo = np.minimum(source, target).astype(np.int64)
        hi = np.maximum(source, target).astype(np.int64)
        ok = lo != hi
        key = sorted_unique(lo[ok] * n + hi[ok])
        old = self.edge_layer == code
        existing = self.edge_source[old].astype(np.int64) * n + self.edge_target[old]
        if key.size:    # drop the keys already tied in this layer (a search in the few sorted keys, not a hash of all)
            at = np.minimum(np.searchsorted(key, existing), key.size - 1)
            tied = np.zeros(key.size, dtype=bool)
            tied[at[key[at] == existing]] = True
            key = key[~tied]
        if key.size == 0:
            return 0
        s, t = (key // n).astype(np.int32), (key % n).astype(np.int32)
        self.edge_source = np.concatenate([self.edge_source, s])
        self.edge_target = np.concatenate([self.edge_target, t])
        self.edge_layer = np.concatenate([self.edge_layer, np.full(s.size, code, np.int8)])
        self.edge_weight = np.concatenate([self.edge_weight, np.full(s.size, float(weight))])
        self.adjacency = add_symmetric(self.adjacency, s, t, weight)
        return int(s.size)

    # --- group memberships ---------------------------------------------------------
    def relatives_of(self, index: int) -> list[int]:
        """The other residents of resident ``index``'s household, in resident order."""
        if self._household_index is None:
            order = np.argsort(self.household, kind="stable")
            starts = np.searchsorted(self.household[order], np.arange(int(self.household.max()) + 2))
            self._household_index = (order, starts)
        order, starts = self._household_index
        h = int(self.household[index])
        return [int(j) for j in order[starts[h]:starts[h + 1]] if j != index]

    def memberships_of(self, index: int) -> list[int]:
        """Ids of the groups (school/work, clubs, religious community) resident ``index`` belongs to."""
        if self._membership_index is None:
            order = np.argsort(self.group_resident, kind="stable")
            starts = np.searchsorted(self.group_resident[order], np.arange(self.n_residents + 1))
            self._membership_index = (order, starts)
        order, starts = self._membership_index
        return self.group_id[order[starts[index]:starts[index + 1]]].tolist()

    def join_groups(self, residents: np.ndarray, group: np.ndarray, kind: GroupKind, ties_per_membership: float,
                    tie_strength: float, rng: np.random.Generator) -> MembershipChange:
        """Put ``residents`` in new groups (local ids ``group``, one per resident) with ties inside each.

        The new groups get fresh ids after the existing ones; each membership adds
        about ``ties_per_membership`` ties of strength ``tie_strength`` in the layer of
        ``kind`` (drawn from ``rng`` by :func:`model.town.layers.ties_within_groups`).
        Returns the memberships added, to undo with :meth:`leave_groups`.
        """
        n = self.n_residents
        change = MembershipChange(np.zeros(n, dtype=np.int16), np.zeros(n, dtype=np.int16))
        if residents.size == 0:
            return change
        offset = int(self.group_id.max()) + 1 if self.group_id.size else 0
        local = group.astype(np.int64)
        cross = cross_cutting(local, self.background[residents]).astype(np.int16)
        self.group_resident = np.concatenate([self.group_resident, residents.astype(np.int32)])
        self.group_id = np.concatenate([self.group_id, local + offset])
        self.group_kind = np.concatenate([self.group_kind, np.full(residents.size, int(kind), np.int8)])
        np.add.at(self.memberships, residents, 1)
        np.add.at(self.cross_memberships, residents, cross)
        np.add.at(change.memberships, residents, 1)
        np.add.at(change.cross_memberships, residents, cross)
        self._membership_index = None
        src, dst = ties_within_groups(residents.astype(np.int32), local, ties_per_membership, self.background, 0.0, rng)
        self.add_ties(src, dst, _GROUP_LAYER[kind], tie_strength)
        return change

    def leave_groups(self, change: MembershipChange) -> None:
        """The memberships of ``change`` end: counts fall back; the ties made in the groups stay."""
        self.memberships -= change.memberships
        self.cross_memberships -= change.cross_memberships

    def to_networkx(self):
        """The town as a ``networkx.MultiGraph``: one edge per tie and layer.

        Nodes carry ``age``, ``background``, ``household`` and ``neighbourhood``;
        edges carry ``layer`` (name) and ``weight`` (tie strength). Summing the
        weights of parallel edges gives :attr:`adjacency`.
        """
        g = nx.MultiGraph()
        g.add_nodes_from(
            (i, {"age": float(a), "background": int(b), "household": int(h), "neighbourhood": int(k)})
            for i, (a, b, h, k) in enumerate(zip(self.age, self.background, self.household, self.neighbourhood))
        )
        w = self.edge_weight
        g.add_edges_from(
            (int(s), int(t), {"layer": LAYERS[int(l)], "weight": float(x)})
            for s, t, l, x in zip(self.edge_source, self.edge_target, self.edge_layer, w)
        )
        return g


def build_town(params: Parameters, rng: np.random.Generator, generator: str = "vectorised") -> Town:
    """Build a synthetic town from ``params`` with the generator ``rng``.

    Layers are drawn in a fixed order (households, backgrounds, neighbours,
    school/work, associations, religious communities, online), so a seed fixes the
    town. Duplicate ties inside a layer are merged; a pair tied in several layers
    keeps one edge per layer, and its CSR weight is the sum of layer strengths.

    ``generator="networkx"`` draws the ties of the same model with networkx's own
    generators (:mod:`model.town.networkx_reference`); it is slow and meant for small towns and
    for testing that the vectorised generators draw from the same model.
    """
    if generator not in ("vectorised", "networkx"):
        raise ValueError("generator: must be 'vectorised' or 'networkx'")
    n = params.n_residents
    if params.survey is None:
        household, age = households(n, rng)
        neighbourhood, background = neighbourhood_backgrounds(
            household, params.background_shares, params.residents_per_neighbourhood, params.segregation, rng
        )
    else:       # neighbourhood sizes and compositions from survey figures (ODD §5.1)
        household, age, neighbourhood, background = survey_residents(params.survey, n, rng)
    s = params.segregation
    layers: list[Edges] = [household_ties(household)]
    layers.append(neighbour_ties(neighbourhood, household, background, params.neighbour_degree,
                                 params.neighbour_rewiring, s, rng))
    sw_edges, sw_res, sw_gid, sw_kind = school_work_ties(age, neighbourhood, background,
                                                         params.school_work_degree, s, rng)
    layers.append(sw_edges)
    as_edges, as_res, as_club = association_ties(
        background, params.memberships_mean, params.association_degree, s, rng,
        district=(neighbourhood.astype(np.int64) // 4) if params.clubs_by_district else None)
    layers.append(as_edges)
    participation = np.full(params.n_backgrounds, params.religious_participation_minority)
    participation[0] = params.religious_participation_majority
    re_edges, re_res, re_gid = religious_ties(background, neighbourhood, participation,
                                              params.religious_degree, rng)
    layers.append(re_edges)
    layers.append(online_ties(age, background, params.online_degree_mean, s, rng))
    if generator == "networkx":
        groups = [(sw_res, sw_gid, params.school_work_degree, s), (as_res, as_club, params.association_degree, s),
                  (re_res, re_gid, params.religious_degree, 0.0)]
        layers = networkx_layers(params, household, age, neighbourhood, background, groups, rng)

    # merge: canonical (min, max) per layer, drop duplicates inside a layer
    src_l, dst_l, lay_l = [], [], []
    for code, (a, b) in enumerate(layers):
        lo, hi = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
        ok = lo != hi
        key = sorted_unique(lo[ok] * n + hi[ok])
        src_l.append((key // n).astype(np.int32))
        dst_l.append((key % n).astype(np.int32))
        lay_l.append(np.full(key.size, code, dtype=np.int8))
    del layers
    src, dst, lay = np.concatenate(src_l), np.concatenate(dst_l), np.concatenate(lay_l)
    del src_l, dst_l, lay_l
    weights = np.array([params.weight_household, params.weight_neighbour, params.weight_school_work,
                        params.weight_association, params.weight_religious, params.weight_online])
    w = weights[lay]
    # symmetric CSR in one conversion (both directions of every tie; duplicates summed)
    adjacency = symmetric_csr(src, dst, w, n)

    # memberships: school/work, clubs, religious communities, as one affiliation list
    off1 = int(sw_gid.max()) + 1 if sw_gid.size else 0
    off2 = off1 + (int(as_club.max()) + 1 if as_club.size else 0)
    g_res = np.concatenate([sw_res, as_res, re_res]).astype(np.int32)
    g_id = np.concatenate([sw_gid, as_club + off1, re_gid + off2]).astype(np.int64)
    g_kind = np.concatenate([sw_kind, np.full(as_res.size, GroupKind.ASSOCIATION, np.int8),
                             np.full(re_res.size, GroupKind.RELIGIOUS, np.int8)])
    memberships = np.bincount(g_res, minlength=n).astype(np.int16)
    cross = np.bincount(g_res, weights=cross_cutting(g_id, background[g_res].astype(np.int64)),
                        minlength=n).astype(np.int16)

    # radical relatives: in a share of households, one member aged 16+ is in a radical group
    n_house = int(household.max()) + 1
    chosen = rng.random(n_house) < params.radical_family_share
    radical_relative = np.zeros(n, dtype=bool)
    if chosen.any():
        cand = chosen[household] & (age >= 16)
        idx = np.nonzero(cand)[0]
        if idx.size:
            # the first eligible member of each chosen household
            first = np.unique(household[idx], return_index=True)[1]
            radical_relative[idx[first]] = True

    key_figure = np.zeros(n, dtype=bool)
    if params.survey is not None:      # the survey's key figures: best-connected adults per neighbourhood
        key_figure = choose_key_figures(params.survey, neighbourhood, age, radical_relative,
                                        np.diff(adjacency.indptr), rng)

    return Town(age=age.astype(np.float64), background=background.astype(np.int8), household=household,
                neighbourhood=neighbourhood.astype(np.int32), edge_source=src, edge_target=dst, edge_layer=lay,
                edge_weight=w, adjacency=adjacency, group_resident=g_res, group_id=g_id, group_kind=g_kind,
                memberships=memberships, cross_memberships=cross, radical_relative=radical_relative,
                key_figure=key_figure)


_GROUP_LAYER = {GroupKind.SCHOOL: "school_work", GroupKind.WORK: "school_work", GroupKind.ASSOCIATION: "association",
                GroupKind.RELIGIOUS: "religious"}
"""The layer of the ties inside a group of each kind."""
