"""Compiled kernels for the array engine (numba).

:func:`tie_sums` is the vectorised counterpart of the tie loop in
:meth:`model.agents.Resident.step`: one pass over every resident's ties
gathers everything E2-E4, E6, E15 and E19 need, reading each neighbour's state once.
Rows are independent, so the result does not depend on the number of threads,
and sums run in CSR order like the reference loop.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["tie_sums", "tie_sums_serial", "SERIAL_BELOW", "PACKED_COLUMNS", "SUM_COLUMNS"]

SERIAL_BELOW = 20_000
"""Towns with fewer residents use the one-thread kernel: their pass over ties takes
well under a millisecond, so waking threads costs more than it saves, and on a
busy machine (a sweep's workers, a notebook's kernel) waiting for them was
several times slower."""

PACKED_COLUMNS = ("radical_belief", "violence_attitude", "in_group", "prejudice", "personal_discrimination",
                  "background", "movement", "pusher", "bridge_builder", "sympathiser")
SUM_COLUMNS = ("WR", "WrR", "Wr", "WV", "WrV", "A_out_P", "A_in_Dp", "A_push", "A_push_other", "A_bridge",
               "K_member", "Kr", "KrR", "A", "A_sympathiser")


def _tie_sums(indptr, indices, weight, outgroup_influence, close_tie, packed, out):  # pragma: no cover - compiled
    """For every resident i, sums over ties j (tie strength a = A_ij, influence w = a or a * omega):

    out[i] = (sum w R_j, sum w r_j R_j, sum w r_j, sum w V_j, sum w r_j V_j   [ties on i's side only],
              sum over out-group ties a P_j, sum over in-group ties a Dp_j,
              sum a pusher_j, sum over ties on the other side a pusher_j, sum a bridge_j,
              number of ties with a >= close_tie to members on i's side,
              sum w r_j and sum w r_j R_j over those close ties, sum a,
              sum over ties on i's side a [phase_j >= 1]),
    with ``packed[j] = (R, V, r, P, Dp, background, movement, pusher, bridge builder, phase >= 1)``.
    Accumulates in float64.
    """
    n = indptr.size - 1
    for i in prange(n):
        wr = wrr = wr1 = wv = wrv = a_out_p = a_in_dp = a_push = a_push_other = a_bridge = k_member = 0.0
        kr = krr = a_sum = a_symp = 0.0
        bi = packed[i, 5]
        mi = packed[i, 6]
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            a = np.float64(weight[k])
            a_sum += a
            if packed[j, 5] == bi:
                w = a
                a_in_dp += a * np.float64(packed[j, 4])
            else:
                w = a * outgroup_influence
                a_out_p += a * np.float64(packed[j, 3])
            a_push += a * np.float64(packed[j, 7])
            a_bridge += a * np.float64(packed[j, 8])
            if packed[j, 6] == mi:
                r_j = np.float64(packed[j, 0])
                v_j = np.float64(packed[j, 1])
                g_j = np.float64(packed[j, 2])
                wr += w * r_j
                wrr += w * (g_j * r_j)
                wr1 += w * g_j
                wv += w * v_j
                wrv += w * (g_j * v_j)
                a_symp += a * np.float64(packed[j, 9])
                if a >= close_tie:
                    k_member += g_j
                    kr += w * g_j
                    krr += w * (g_j * r_j)
            else:
                a_push_other += a * np.float64(packed[j, 7])
        out[i, 0] = wr
        out[i, 1] = wrr
        out[i, 2] = wr1
        out[i, 3] = wv
        out[i, 4] = wrv
        out[i, 5] = a_out_p
        out[i, 6] = a_in_dp
        out[i, 7] = a_push
        out[i, 8] = a_push_other
        out[i, 9] = a_bridge
        out[i, 10] = k_member
        out[i, 11] = kr
        out[i, 12] = krr
        out[i, 13] = a_sum
        out[i, 14] = a_symp


tie_sums = njit(parallel=True, cache=True, nogil=True)(_tie_sums)
tie_sums_serial = njit(cache=True, nogil=True)(_tie_sums)   # prange runs as range: same sums, same order
