"""Compiled kernels for the array engine (numba).

:func:`tie_sums` is the vectorised counterpart of the tie loop in
:meth:`model.agents.Resident.step`: one pass over every resident's ties
gathers everything E2-E4, E6, E15 and E19 need, reading each neighbour's state once.
Rows are independent, so the result does not depend on the number of threads,
and sums run in CSR order like the reference loop. A week runs it fused with the
element-wise rules, a block of residents at a time (:func:`week_pass`).
"""

from __future__ import annotations

import types
from collections import namedtuple

import numpy as np
from llvmlite import ir
from numba import njit, prange
from numba.core import cgutils
from numba.core import types as nb_types
from numba.extending import intrinsic, register_jitable

from . import rules
from .parameters import YOUTH_AGE

__all__ = ["tie_sums", "tie_sums_serial", "SERIAL_BELOW", "PACKED_COLUMNS", "SUM_COLUMNS", "WEEK_PARAMETERS",
           "WeekParameters", "week_parameters", "pack", "pack_serial", "CODE_BITS", "neighbour_codes", "week_pass",
           "week_pass_serial", "commit_phases", "commit_phases_serial"]

SERIAL_BELOW = 8_000
"""Towns with fewer residents use the one-thread kernels: below four blocks of :data:`TIE_BLOCK` residents
there is little to share between threads (measured on 2 cores, a week of the model: 0.36 ms either way at
1,000 residents, 1.13 against 1.03 ms at 5,000, 2.27 against 1.67 ms at 10,000). The dashboard's towns (at
most 5,000) stay on the one-thread builds it compiles at start, in a server whose threads step towns side by
side. A sweep's workers set numba's threads to one each instead."""

PACKED_COLUMNS = ("radical_belief", "violence_attitude", "prejudice", "personal_discrimination")
"""The floats the pass over ties reads of each neighbour: one row of 32 bytes, two to a cache line."""
CODE_BITS = {"in_group": 1, "pusher": 2, "bridge_builder": 4, "sympathiser": 8, "movement": 16}
"""The flags the pass over ties reads of each neighbour, bits of one int16 code; the background is ``code >> 5``.
The codes of a million residents take 2 MB and stay in the processor's cache."""
BACKGROUND_SHIFT = 5
SUM_COLUMNS = ("WR", "WrR", "Wr", "WV", "WrV", "A_out_P", "A_in_Dp", "A_push", "A_push_other", "A_bridge",
               "K_member", "Kr", "KrR", "A", "A_sympathiser")


def neighbour_codes(background, movement, in_group, pusher, bridge, sympathiser):
    """The int16 codes of :data:`CODE_BITS` (numpy; for building and testing the pass over ties)."""
    return ((np.asarray(background, np.int16) << BACKGROUND_SHIFT) + 16 * np.asarray(movement, np.int16)
            + 8 * np.asarray(sympathiser, np.int16) + 4 * np.asarray(bridge, np.int16)
            + 2 * np.asarray(pusher, np.int16) + np.asarray(in_group, np.int16)).astype(np.int16)


TIE_BLOCK = 2048
"""Residents per block of the pass over ties: their neighbours' rows (about 25,000 ties, 850 kB) stay in the
processor's L2 cache between the gather and the sums."""


PREFETCH_AHEAD = 16
"""Ties ahead of the copy loop of the pass over ties whose neighbour row it asks the processor to fetch
(a prefetch: the copy then finds the row in cache). A hint only, it changes no number."""


@intrinsic
def _prefetch_row(typingctx, table, row):
    """Ask the processor to fetch row ``row`` of the 2-d ``table`` into cache (LLVM's ``prefetch``: read,
    high locality), without waiting for it and without faulting."""
    sig = nb_types.void(table, row)

    def codegen(context, builder, signature, args):
        table_type, row_type = signature.args
        array = context.make_array(table_type)(context, builder, args[0])
        i = context.cast(builder, args[1], row_type, nb_types.intp)
        pointer = cgutils.get_item_pointer(context, builder, table_type, array,
                                           [i, context.get_constant(nb_types.intp, 0)])
        i32 = ir.IntType(32)
        prefetch = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(),
                                                  [pointer.type, i32, i32, i32]), "llvm.prefetch.p0")
        builder.call(prefetch, [pointer, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen


def _tie_sums(indptr, indices, weight, outgroup_influence, close_tie, floats, codes, out):  # pragma: no cover
    """For every resident i, sums over ties j (tie strength a = A_ij, influence w = a or a * omega):

    out[i] = (sum w R_j, sum w r_j R_j, sum w r_j, sum w V_j, sum w r_j V_j   [ties on i's side only],
              sum over out-group ties a P_j, sum over in-group ties a Dp_j,
              sum a pusher_j, sum over ties on the other side a pusher_j, sum a bridge_j,
              number of ties with a >= close_tie to members on i's side,
              sum w r_j and sum w r_j R_j over those close ties, sum a,
              sum over ties on i's side a [phase_j >= 1]),
    with ``floats[j] = (R, V, P, Dp)`` and the flags of ``codes[j]`` (:data:`CODE_BITS`; ``r_j`` = in a group).
    Accumulates in float64, in CSR order.

    Works in blocks of :data:`TIE_BLOCK` residents, in two loops: first it copies the block's neighbours' rows
    into a scratch table in tie order (a tight loop of independent loads, so that the processor has many
    cache misses in flight at once), then it sums over the scratch table, which is in cache. In one loop, the
    arithmetic between the loads left only a few misses in flight: at 1,000,000 residents the blocks make the
    pass 2 to 3 times faster, with the same sums in the same order (so the same floats).
    The copy loop also asks for the row :data:`PREFETCH_AHEAD` ties ahead (a prefetch, which retires without
    waiting): at 1,000,000 residents the copies alone went from 174 to 134 ms (medians of 12, side by side).
    """
    n = indptr.size - 1
    for b in prange((n + TIE_BLOCK - 1) // TIE_BLOCK):
        _block_tie_sums(indptr, indices, weight, outgroup_influence, close_tie, floats, codes, b * TIE_BLOCK,
                        min(n, (b + 1) * TIE_BLOCK), out, 0)


@register_jitable
def _gather_block(indptr, indices, floats, codes, lo, hi):  # pragma: no cover - compiled
    """The neighbour rows and codes of the ties of residents ``lo`` to ``hi``, copied in tie order into a
    scratch table (the first loop of :func:`_tie_sums`, with its prefetches)."""
    k0 = indptr[lo]
    m = indptr[hi] - k0
    rows = np.empty((m, 4), dtype=floats.dtype)
    row_codes = np.empty(m, dtype=codes.dtype)
    for t in range(m):
        if t + PREFETCH_AHEAD < m:
            _prefetch_row(floats, indices[k0 + t + PREFETCH_AHEAD])
        j = indices[k0 + t]
        row_codes[t] = codes[j]
        rows[t, 0] = floats[j, 0]
        rows[t, 1] = floats[j, 1]
        rows[t, 2] = floats[j, 2]
        rows[t, 3] = floats[j, 3]
    return rows, row_codes


@register_jitable
def _block_tie_sums(indptr, indices, weight, outgroup_influence, close_tie, floats, codes, lo, hi, out,
                    row0):  # pragma: no cover - compiled
    """The sums of :func:`_tie_sums` for residents ``lo`` to ``hi`` (one block), into ``out[i - row0]``."""
    k0 = indptr[lo]
    rows, row_codes = _gather_block(indptr, indices, floats, codes, lo, hi)
    for i in range(lo, hi):
        wr = wrr = wr1 = wv = wrv = a_out_p = a_in_dp = a_push = a_push_other = a_bridge = k_member = 0.0
        kr = krr = a_sum = a_symp = 0.0
        ci = codes[i]
        bi = ci >> 5
        mi = ci & 16
        for k in range(indptr[i], indptr[i + 1]):
            # branch-free: a sum that does not apply to a tie adds a product with a 0 mask, which is +0.0 for
            # these non-negative values and leaves the sum unchanged (so the sums equal the reference's, which
            # branches); unpredictable branches cost more than the extra multiplications
            t = k - k0
            cj = row_codes[t]
            a = np.float64(weight[k])
            a_sum += a
            same_background = 1.0 if cj >> 5 == bi else 0.0
            other_background = 1.0 - same_background
            w = a * (same_background + other_background * outgroup_influence)
            a_in_dp += a * rows[t, 3] * same_background
            a_out_p += a * rows[t, 2] * other_background
            pusher_j = 1.0 if cj & 2 else 0.0
            a_push += a * pusher_j
            a_bridge += a * (1.0 if cj & 4 else 0.0)
            side = 1.0 if cj & 16 == mi else 0.0
            r_j = rows[t, 0] * side
            v_j = rows[t, 1] * side
            g_j = (1.0 if cj & 1 else 0.0) * side
            wr += w * r_j
            wrr += w * (g_j * r_j)
            wr1 += w * g_j
            wv += w * v_j
            wrv += w * (g_j * v_j)
            a_symp += a * ((1.0 if cj & 8 else 0.0) * side)
            close = 1.0 if a >= close_tie else 0.0
            k_member += g_j * close
            kr += w * g_j * close
            krr += w * (g_j * r_j) * close
            a_push_other += a * pusher_j * (1.0 - side)
        out[i - row0, 0] = wr
        out[i - row0, 1] = wrr
        out[i - row0, 2] = wr1
        out[i - row0, 3] = wv
        out[i - row0, 4] = wrv
        out[i - row0, 5] = a_out_p
        out[i - row0, 6] = a_in_dp
        out[i - row0, 7] = a_push
        out[i - row0, 8] = a_push_other
        out[i - row0, 9] = a_bridge
        out[i - row0, 10] = k_member
        out[i - row0, 11] = kr
        out[i - row0, 12] = krr
        out[i - row0, 13] = a_sum
        out[i - row0, 14] = a_symp


_jit = dict(cache=True, nogil=True)


def _one_thread(kernel):
    """The one-thread build of ``kernel`` (``prange`` runs as ``range``: the same floats, in the same order).

    It compiles a copy of the function under its own name (``<name>_one_thread``), because numba's disk cache
    keys a function's builds by its name and signature, not by the ``parallel`` option: the two builds of one
    function shared one cache entry, and whichever compiled first was loaded for both. The threaded passes then
    ran on one thread in every later process (or the one-thread passes on all threads).
    """
    name = kernel.__name__ + "_one_thread"
    copy = types.FunctionType(kernel.__code__, kernel.__globals__, name, kernel.__defaults__, kernel.__closure__)
    copy.__qualname__ = kernel.__qualname__ + "_one_thread"
    copy.__doc__ = kernel.__doc__
    return njit(**_jit)(copy)


tie_sums = njit(parallel=True, **_jit)(_tie_sums)
tie_sums_serial = _one_thread(_tie_sums)


# ---------------------------------------------------------------------------
# the pass over residents: every element-wise rule of a week, for one resident at a time
# ---------------------------------------------------------------------------

WEEK_PARAMETERS = (
    "act_grievance_gain", "action_exit_hazard", "action_hazard", "action_threshold", "attack_prejudice_gain",
    "belief_decay", "blame_trust", "bridge_contact", "bridge_prejudice", "bridge_prejudice_reduction",
    "competition_drive", "competition_peer_floor", "competition_peer_gain", "complexity_half_saturation",
    "contact_prejudice_reduction", "creativity_significance_relief", "discrimination_memory",
    "disengagement_hazard", "exit_family", "grievance_half_saturation", "group_deprivation_macro_weight",
    "group_isolation", "group_pull", "group_significance_gain", "hysteresis", "identification_base",
    "identification_competition", "identification_mobility", "identification_rate", "identification_rejection",
    "incident_rate", "influence_rate", "join_appeal_base", "join_appeal_uncertainty", "kin_join_rate",
    "membership_threshold", "min_weeks_before_action", "neglect_prejudice", "neglect_trust",
    "permeability_contact", "prejudice_rate", "pusher_prejudice", "pusher_prejudice_gain",
    "radicalisation_min_age", "scapegoat_exposure", "scapegoat_incident_rate", "sensitivity_threshold",
    "shield_base", "shield_complexity", "shield_discrimination", "shield_rate", "shield_trust",
    "shield_turns_around", "significance_belonging", "significance_discrimination", "significance_drive",
    "significance_rate", "strategy_reconsider_rate", "threat_grievance_weight", "trust_discrimination",
    "trust_group_loss", "trust_rate", "uncertainty_base", "uncertainty_complexity", "uncertainty_discrimination",
    "uncertainty_group_relief", "uncertainty_rate", "uncertainty_youth", "violence_competition", "violence_group",
    "violence_peer", "violence_rate", "violence_significance", "outgroup_influence", "kin_tie_strength",
    "youth_from", "youth_to")
"""The parameters the week's passes read, as floats (booleans 0/1), in :class:`WeekParameters`."""

WeekParameters = namedtuple("WeekParameters", WEEK_PARAMETERS)
"""One week's parameters for the compiled passes (a namedtuple of floats numba reads by name)."""


def week_parameters(params) -> WeekParameters:
    """The :class:`WeekParameters` of a :class:`model.parameters.Parameters`."""
    values = {name: float(getattr(params, name)) for name in WEEK_PARAMETERS if name not in ("youth_from", "youth_to")}
    return WeekParameters(**values, youth_from=float(YOUTH_AGE[0]), youth_to=float(YOUTH_AGE[1]))


def _pack(phase, R, V, P, Dp, contact_share, static_codes, p, pusher, bridge, floats, codes):  # pragma: no cover
    """E19 at the start of the week (who pushes, who builds bridges), and what the pass over ties reads of each
    resident: ``floats`` and ``codes`` (``static_codes`` holds the background and movement bits)."""
    for i in prange(phase.size):
        ph = np.float64(phase[i])
        push = rules.is_pusher(ph, P[i], p.pusher_prejudice)
        build = rules.is_bridge_builder(ph, P[i], contact_share[i], p.bridge_prejudice, p.bridge_contact)
        pusher[i] = push
        bridge[i] = build
        floats[i, 0] = R[i]
        floats[i, 1] = V[i]
        floats[i, 2] = P[i]
        floats[i, 3] = Dp[i]
        codes[i] = (static_codes[i] + (8 if ph >= 1.0 else 0) + (4 if build > 0.0 else 0) + (2 if push > 0.0 else 0)
                    + (1 if ph >= 2.0 else 0))


@register_jitable
def _resident_rows(lo, hi, p, threat_majority, threat_minority, discrimination, institutional_fairness,
                    phase, time_in_phase_, strategy_, role_, age, I_, U_, Dp_, Dg_, D_, S_, T_, P_, R_, V_, H_,
                    uncertainty_propensity, trust_propensity, prejudice_propensity, violence_propensity,
                    discrimination_exposure,
                    sums, pusher, bridge, draws, mods, influence_weight, ingroup_weight, contact_share,
                    programme_contact_share, minority_, base_prejudice, membership_count, relatives,
                    relatives_in_group, removed,
                    new_phase, shield_next, appeal_, ready_, kin_):  # pragma: no cover - compiled
    """Every element-wise rule of one week (E2-E19) for residents ``lo`` to ``hi``, one at a time, as
    :meth:`Resident.step` does; resident ``i``'s tie sums are ``sums[i - lo]``.

    Reads the resident's state at the start of the week and its tie sums, and writes its next continuous
    state in place (each resident reads and writes only its own entries). Leaves for the sequential steps of
    recruitment: the phase before recruiters (``new_phase``), the relaxed shield before the reset on leaving
    action (``shield_next``), the group's appeal, and who is ready to join (``ready_``) or would join
    through a close tie (``kin_``). ``mods`` is :attr:`model.interventions.RuleModifiers.rows` (its per-resident
    fields in declaration order). The arithmetic is the rules' own, in the same order, so the result equals
    the element-wise execution and the per-agent reference.
    """
    r = rules
    turns = p.shield_turns_around
    for i in range(lo, hi):
        ph = np.float64(phase[i])
        minority = minority_[i]
        in_group = 1.0 if ph >= 2.0 else 0.0
        in_action = (1.0 if ph == 3.0 else 0.0) * turns
        R, V, H = R_[i], V_[i], H_[i]
        U, T, P, I = U_[i], T_[i], P_[i], I_[i]
        Dp, Dg, D, S = Dp_[i], Dg_[i], D_[i], S_[i]
        threat = threat_minority if minority > 0.0 else threat_majority
        blame = threat_majority if minority > 0.0 else threat_minority
        WR, WrR, Wr, WV, WrV = sums[i - lo, 0], sums[i - lo, 1], sums[i - lo, 2], sums[i - lo, 3], sums[i - lo, 4]
        out_P, in_Dp, push, push_other, bridges = sums[i - lo, 5], sums[i - lo, 6], sums[i - lo, 7], sums[i - lo, 8], sums[i - lo, 9]
        close_members, Kr, KrR, tie_weight, sympathisers = sums[i - lo, 10], sums[i - lo, 11], sums[i - lo, 12], sums[i - lo, 13], sums[i - lo, 14]
        u_incident, u_strategy, u_transition, u_reconsider, u_kin = draws[0, i], draws[1, i], draws[2, i], draws[3, i], draws[4, i]
        fairness_gain, relief, quality, support, penalty = mods[0, i], mods[1, i], mods[2, i], mods[3, i], mods[4, i]
        injustice, care, exit_support, action_blocked = mods[5, i], mods[6, i], mods[7, i], mods[8, i]
        neglect, deterrence = mods[10, i], mods[11, i]
        W1 = influence_weight[i]
        cs = contact_share[i]

        # E19 roles, E2 exposure
        pusher_share = r.share(push, tie_weight, 0.0)
        other_pusher_share = r.share(push_other, tie_weight, 0.0)
        role = r.polarisation_role(ph, pusher[i], bridge[i], other_pusher_share, p.scapegoat_exposure)
        middle = 1.0 if role == 0.0 else 0.0
        exposure = r.influence_exposure(WR, WrR, Wr, W1, Kr, KrR, in_group, p.group_isolation, p.group_pull, R)
        peer_v = r.peer_violence(WV, WrV, Wr, W1, in_group, p.group_isolation, p.group_pull, V)
        # E3 prejudice
        target_p = r.prejudice_target(
            base_prejudice[i], prejudice_propensity[i], p.attack_prejudice_gain, threat, p.pusher_prejudice_gain,
            pusher_share, p.bridge_prejudice_reduction, r.share(bridges, tie_weight, 0.0), p.neglect_prejudice,
            neglect, minority, p.contact_prejudice_reduction, cs, quality, programme_contact_share[i])
        # E4-E6 discrimination
        fairness = r.procedural_fairness(institutional_fairness, fairness_gain)
        incident = r.discrimination_incident(u_incident, r.incident_probability(
            p.incident_rate, r.share(out_P, tie_weight, 0.0), p.scapegoat_incident_rate, other_pusher_share,
            discrimination, fairness, relief, minority, discrimination_exposure[i]))
        ingroup_dp = r.share(in_Dp, ingroup_weight[i], Dp)
        target_g = r.group_deprivation_target(ingroup_dp, p.group_deprivation_macro_weight, I, discrimination,
                                              relief, minority, injustice, p.act_grievance_gain, threat)
        # E11 identity strategy, E18 identification
        permeability = r.perceived_permeability(p.permeability_contact, cs)
        strategy = r.identity_strategy(u_reconsider, u_strategy, np.float64(strategy_[i]), p.strategy_reconsider_rate,
                                       Dg, p.threat_grievance_weight, P, p.grievance_half_saturation, permeability,
                                       T, 1.0 - threat, p.competition_peer_floor, p.competition_peer_gain,
                                       r.share(sympathisers, tie_weight, 0.0))
        competing = 1.0 if strategy == 2.0 else 0.0
        creating = 1.0 if strategy == 1.0 else 0.0
        mobile = 1.0 if strategy == 0.0 else 0.0
        target_i = r.identification_target(p.identification_base, p.identification_rejection, Dg,
                                           p.identification_competition, competing, p.identification_mobility, mobile)
        # E7-E10
        C = r.identity_complexity(membership_count[i], p.group_isolation, in_group, p.complexity_half_saturation)
        young = 1.0 if (age[i] >= p.youth_from and age[i] <= p.youth_to) else 0.0
        target_u = r.uncertainty_target(p.uncertainty_base, uncertainty_propensity[i], p.uncertainty_youth, young,
                                        p.uncertainty_discrimination, D, p.uncertainty_complexity, C,
                                        p.uncertainty_group_relief, in_group)
        target_s = r.significance_target(p.significance_discrimination, Dp, p.significance_belonging, C,
                                         p.creativity_significance_relief, creating, p.group_significance_gain,
                                         in_group)
        target_t = r.trust_target(fairness, p.trust_discrimination, D, trust_propensity[i], penalty, p.neglect_trust,
                                  neglect, p.blame_trust, blame, middle, p.trust_group_loss, in_group)
        # E12-E14
        R_new = r.radical_belief_update(R, exposure, U, S, H, competing, I, in_group, in_action, care,
                                        p.influence_rate, p.competition_drive, p.significance_drive, p.belief_decay)
        target_v = r.violence_target(R, p.violence_significance, S, p.violence_peer, peer_v, p.violence_group,
                                     in_group, p.violence_competition, competing, violence_propensity[i])
        V_new = r.relax(V, target_v, p.violence_rate)
        target_h = r.shield_target(in_action, R, p.shield_base, p.shield_trust, T, p.shield_complexity, C,
                                   p.shield_discrimination, D, support, in_group)
        # E15 phase transitions before recruiters; the ready sympathisers and the route through close ties
        pull = r.family_pull(relatives[i], relatives_in_group[i])
        old_enough = 1.0 if age[i] >= p.radicalisation_min_age else 0.0
        nxt = r.phase_transition(ph, R_new, V_new, u_transition, np.float64(time_in_phase_[i]),
                                 p.sensitivity_threshold, p.membership_threshold, p.action_threshold, p.hysteresis,
                                 p.disengagement_hazard, exit_support, p.min_weeks_before_action, p.action_hazard,
                                 action_blocked, deterrence, p.action_exit_hazard, p.exit_family, pull, H, turns,
                                 old_enough)
        out = 1.0 if removed[i] else 0.0
        appeal = r.join_appeal(p.join_appeal_base, p.join_appeal_uncertainty, U)
        ready_[i] = r.ready_to_join(ph, nxt, R_new, p.membership_threshold, out) > 0.0
        kin_[i] = r.kin_route(u_kin, r.ready_to_join(ph, nxt, R_new, 0.0, out), close_members, p.kin_join_rate, H,
                              appeal) > 0.0
        new_phase[i] = np.int8(nxt)
        appeal_[i] = appeal
        shield_next[i] = r.relax(H, target_h, p.shield_rate)

        # commit what recruitment does not change (each resident writes only its own entries)
        strategy_[i] = np.int8(strategy)
        role_[i] = np.int8(role)
        I_[i] = r.relax(I, target_i, p.identification_rate)
        P_[i] = r.relax(P, target_p, p.prejudice_rate)
        Dp_new = r.relax(Dp, incident, p.discrimination_memory)
        Dg_new = r.relax(Dg, target_g, p.discrimination_memory)
        Dp_[i] = Dp_new
        Dg_[i] = Dg_new
        D_[i] = r.perceived_discrimination(Dp_new, Dg_new)
        U_[i] = r.relax(U, target_u, p.uncertainty_rate)
        S_[i] = r.relax(S, target_s, p.significance_rate)
        T_[i] = r.relax(T, target_t, p.trust_rate)
        R_[i] = R_new
        V_[i] = V_new


def _week_pass(indptr, indices, weight, floats, codes, p, threat_majority, threat_minority, discrimination,
               institutional_fairness, phase, time_in_phase_, strategy_, role_, age, I_, U_, Dp_, Dg_, D_, S_, T_,
               P_, R_, V_, H_, uncertainty_propensity, trust_propensity, prejudice_propensity, violence_propensity,
               discrimination_exposure, pusher, bridge, draws, mods, influence_weight, ingroup_weight,
               contact_share, programme_contact_share, minority_, base_prejudice, membership_count, relatives,
               relatives_in_group, removed, new_phase, shield_next, appeal_, ready_, kin_):  # pragma: no cover
    """The pass over ties and the pass over residents fused, a block of :data:`TIE_BLOCK` residents at a time:
    the block's tie sums (:func:`_block_tie_sums`) go to a table of the block's size, which the rules of the
    same residents (:func:`_resident_rows`) read at once, so no table of sums for the whole town is written
    and read back. Each resident reads its neighbours only through ``floats`` and ``codes``, packed at the
    start of the week, so rules that write a block's state in place do not change another block's sums."""
    n = phase.size
    for b in prange((n + TIE_BLOCK - 1) // TIE_BLOCK):
        lo = b * TIE_BLOCK
        hi = min(n, lo + TIE_BLOCK)
        sums = np.empty((hi - lo, len(SUM_COLUMNS)), dtype=floats.dtype)
        _block_tie_sums(indptr, indices, weight, p.outgroup_influence, p.kin_tie_strength, floats, codes, lo, hi,
                        sums, lo)
        _resident_rows(lo, hi, p, threat_majority, threat_minority, discrimination, institutional_fairness,
                       phase, time_in_phase_, strategy_, role_, age, I_, U_, Dp_, Dg_, D_, S_, T_, P_, R_, V_, H_,
                       uncertainty_propensity, trust_propensity, prejudice_propensity, violence_propensity,
                       discrimination_exposure, sums, pusher, bridge, draws, mods, influence_weight, ingroup_weight,
                       contact_share, programme_contact_share, minority_, base_prejudice, membership_count,
                       relatives, relatives_in_group, removed, new_phase, shield_next, appeal_, ready_, kin_)


def _commit_phases(phase, new_phase, time_in_phase_, H_, shield_next, shield_after_action):  # pragma: no cover
    """E14, E16 after recruitment: time in phase, the shield (reset on leaving action), the new phase."""
    for i in prange(phase.size):
        old = np.float64(phase[i])
        nxt = np.float64(new_phase[i])
        time_in_phase_[i] = np.int32(rules.time_in_phase(old, nxt, np.float64(time_in_phase_[i])))
        H_[i] = rules.shield_after_transition(old, nxt, shield_next[i], shield_after_action)
        phase[i] = new_phase[i]


pack = njit(parallel=True, **_jit)(_pack)
pack_serial = _one_thread(_pack)
week_pass = njit(parallel=True, **_jit)(_week_pass)
week_pass_serial = _one_thread(_week_pass)
commit_phases = njit(parallel=True, **_jit)(_commit_phases)
commit_phases_serial = _one_thread(_commit_phases)


def _state_counts(phase, movement, role, strategy, age, youth_from, youth_to, out):  # pragma: no cover
    """The counts of one row of the time series, in one pass (sequential: integers, exact).

    ``out`` (int64, 40): phases 0-3; phases 0-3 per movement (4 + 4); young residents and young
    sympathisers (phase >= 1) per movement (2 + 2); polarisation roles (5); identity strategies (3).
    """
    out[:] = 0
    for i in range(phase.size):
        ph = phase[i]
        mv = movement[i]
        out[ph] += 1
        out[4 + 4 * mv + ph] += 1
        if age[i] >= youth_from and age[i] <= youth_to:
            out[12 + mv] += 1
            if ph >= 1:
                out[14 + mv] += 1
        out[16 + role[i]] += 1
        out[21 + strategy[i]] += 1


state_counts = njit(**_jit)(_state_counts)


def _week_transitions(before_phase, before_tau, phase, movement, age, entries, exits, movement_entries,
                      delays):  # pragma: no cover - compiled
    """The week's bookkeeping of phase changes, in one sequential pass (integers, exact): entries into each
    phase (in all and per movement), exits to the phase below (not the renewed places, age 0), and the weeks
    in phase 2 of each resident who moved to action, in resident order, into ``delays``.

    Returns ``(number of delays written, residents in phase 3)``.
    """
    n_delays = 0
    in_action = 0
    for i in range(phase.size):
        old = before_phase[i]
        new = phase[i]
        if new > old:
            entries[new] += 1
            movement_entries[movement[i], new] += 1
            if old == 2 and new == 3:
                delays[n_delays] = before_tau[i] + 1
                n_delays += 1
        elif new < old and age[i] > 0.0:
            exits[old] += 1
        if new == 3:
            in_action += 1
    return n_delays, in_action


week_transitions = njit(**_jit)(_week_transitions)
