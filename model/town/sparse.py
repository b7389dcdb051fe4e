"""Sparse helpers of the town and the engine that scipy has no lean path for: each equals the scipy or numpy
form it replaces bit for bit, without its temporaries the size of the tie list."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numba import njit, prange

__all__ = ["add_symmetric", "row_sums", "tie_strength_sums", "symmetric_csr"]


@njit(cache=True, nogil=True)
def _new_entries_per_row(indptr, indices, rows, cols, counts):  # pragma: no cover - compiled
    """``counts[i]``: the entries ``(rows, cols)`` of row ``i`` not already in the CSR (a binary search in the
    row, for the few new entries)."""
    for k in range(rows.size):
        i = rows[k]
        p = indptr[i] + np.searchsorted(indices[indptr[i]:indptr[i + 1]], cols[k])
        if not (p < indptr[i + 1] and indices[p] == cols[k]):
            counts[i] += 1


@njit(cache=True, nogil=True, parallel=True)
def _merge_rows(indptr, indices, data, rows, cols, value, touched, first_new, out_indptr, out_indices,
                out_data):  # pragma: no cover - compiled
    """Merge the sorted entries ``(rows, cols)`` (each of weight ``value``) into a canonical CSR: an entry
    already present gets ``old + value``, a new one ``value``.

    ``touched`` lists the rows that get entries, in order, and ``first_new[b]`` the first entry of row
    ``touched[b]``; ``out_indptr`` is already filled. Between two touched rows the output is the input shifted
    by the entries added before, so each segment (a touched row, then the untouched rows up to the next one)
    is one merge and one contiguous copy, and the segments run in parallel (each writes its own part).
    """
    n = indptr.size - 1
    for b in prange(touched.size + 1):
        if b == 0:
            lo, hi = 0, (touched[0] if touched.size else n)     # the rows before the first touched one
        else:
            i = touched[b - 1]
            k = first_new[b - 1]
            end_k = first_new[b]
            p = indptr[i]
            end = indptr[i + 1]
            out = out_indptr[i]
            while p < end or k < end_k:
                if k < end_k and (p >= end or cols[k] <= indices[p]):
                    if p < end and cols[k] == indices[p]:
                        out_data[out] = data[p] + value
                        p += 1
                    else:
                        out_data[out] = value
                    out_indices[out] = cols[k]
                    k += 1
                else:
                    out_indices[out] = indices[p]
                    out_data[out] = data[p]
                    p += 1
                out += 1
            lo, hi = i + 1, (touched[b] if b < touched.size else n)
        if hi > lo:
            shift = out_indptr[lo] - indptr[lo]
            a, z = indptr[lo], indptr[hi]
            out_indices[a + shift:z + shift] = indices[a:z]
            out_data[a + shift:z + shift] = data[a:z]


def add_symmetric(adjacency: sp.csr_matrix, source: np.ndarray, target: np.ndarray, weight: float) -> sp.csr_matrix:
    """``adjacency + W + W.T`` for the new ties ``(source, target)`` of strength ``weight``, as a canonical CSR.

    ``adjacency`` is canonical (sorted indices, no duplicates); the pairs are distinct, with ``source < target``.
    Equals ``(adjacency + half + half.T).tocsr()`` with ``half`` the COO of the new ties, bit for bit (one
    addition per entry a new tie touches), but copies the CSR once, in parallel segments, instead of building
    two sums (at 1,000,000 residents, for the few thousand ties of individual mobility, about 0.05 instead of
    0.9 seconds).
    """
    n = adjacency.shape[0]
    rows = np.concatenate([source, target]).astype(np.int64)
    cols = np.concatenate([target, source]).astype(np.int64)
    order = np.lexsort((cols, rows))
    rows, cols = rows[order], cols[order]
    indptr, indices = adjacency.indptr, adjacency.indices
    counts = np.zeros(n, dtype=np.int64)
    _new_entries_per_row(indptr, indices, rows, cols.astype(indices.dtype), counts)
    nnz = adjacency.nnz + int(counts.sum())
    wide = nnz > np.iinfo(np.int32).max
    out_indptr = np.empty(n + 1, dtype=np.int64 if wide else indptr.dtype)
    out_indptr[0] = 0
    np.cumsum(counts, out=out_indptr[1:])
    out_indptr += indptr
    touched, first_new = np.unique(rows, return_index=True)
    first_new = np.append(first_new, rows.size)
    out_indices = np.empty(nnz, dtype=np.int64 if wide else indices.dtype)
    out_data = np.empty(nnz, dtype=adjacency.data.dtype)
    _merge_rows(indptr, indices, adjacency.data, rows, cols, float(weight), touched, first_new, out_indptr,
                out_indices, out_data)
    merged = sp.csr_matrix((out_data, out_indices, out_indptr), shape=adjacency.shape)
    merged.has_sorted_indices = True
    return merged


ROW_CHUNK = 1 << 20
"""Entries of the CSR per chunk of :func:`row_sums` (8 MB of floats)."""


def row_sums(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, background: np.ndarray | None = None
             ) -> np.ndarray:
    """Per row of a CSR, the sum of ``data`` over its entries (0.0 for an empty row); with ``background``, over
    the entries whose column has another background than the row.

    Bit for bit ``np.add.reduceat(np.append(data * factor, 0.0), indptr[:-1]) * (np.diff(indptr) > 0)``, the
    form it replaces, but a chunk of rows at a time, so that no temporary has the size of the CSR: each chunk
    is the same ``reduceat`` over the same segments (the 0.0 appended after the last row included).
    """
    n = indptr.size - 1
    out = np.zeros(n)
    r0 = 0
    while r0 < n:
        r1 = min(n, int(np.searchsorted(indptr, indptr[r0] + ROW_CHUNK, side="right")) - 1)
        r1 = max(r1, r0 + 1)
        lo, hi = int(indptr[r0]), int(indptr[r1])
        values = np.asarray(data[lo:hi], dtype=np.float64)
        if background is not None:
            row_background = np.repeat(background[r0:r1], np.diff(indptr[r0:r1 + 1]))
            values = values * (row_background != background[indices[lo:hi]])
        if r1 == n:
            values = np.append(values, 0.0)
        starts = indptr[r0:r1] - lo
        filled = starts < values.size           # rows that start inside the chunk (not trailing empty ones)
        sums = np.zeros(r1 - r0)
        if filled.any():
            sums[filled] = np.add.reduceat(values, starts[filled])
        out[r0:r1] = sums * (np.diff(indptr[r0:r1 + 1]) > 0)
        r0 = r1
    return out


@njit(cache=True, nogil=True)
def _contact_sums(indptr, indices, data, background, total, cross):  # pragma: no cover - compiled
    for i in range(indptr.size - 1):
        t = 0.0
        c = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            t += data[k]
            c += data[k] * (1.0 if background[indices[k]] != background[i] else 0.0)
        total[i] = t
        cross[i] = c


def tie_strength_sums(adjacency: sp.csr_matrix, background: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per resident, the summed strength of all ties and of ties to residents of another background, added one
    after the other in CSR order from 0.0: bit for bit ``np.bincount(row, weights=...)`` over the CSR's entries,
    which it replaces, without the COO copy and the weights of the size of the CSR."""
    n = adjacency.shape[0]
    total, cross = np.empty(n), np.empty(n)
    _contact_sums(adjacency.indptr, adjacency.indices, np.asarray(adjacency.data, dtype=np.float64), background,
                  total, cross)
    return total, cross


@njit(cache=True, nogil=True)
def _fill_both_directions(source, target, weight, indptr, indices, data):  # pragma: no cover - compiled
    """Scipy's ``coo_tocsr`` of the entries ``(source, target)`` then ``(target, source)``: each row gets its
    entries in that input order."""
    nxt = indptr[:-1].copy()
    for e in range(source.size):
        r = source[e]
        indices[nxt[r]] = target[e]
        data[nxt[r]] = weight[e]
        nxt[r] += 1
    for e in range(source.size):
        r = target[e]
        indices[nxt[r]] = source[e]
        data[nxt[r]] = weight[e]
        nxt[r] += 1


def symmetric_csr(source: np.ndarray, target: np.ndarray, weight: np.ndarray, n: int) -> sp.csr_matrix:
    """The symmetric adjacency of the undirected ties ``(source, target)`` with strengths ``weight``, a pair's
    strengths summed: bit for bit ``csr_matrix((concat(w, w), (concat(s, t), concat(t, s))))`` (scipy's
    ``coo_tocsr`` then ``sum_duplicates``), but written straight into the CSR arrays, without the three
    concatenated copies of the tie list (24 bytes per tie); int32 indices, and an int32 ``indptr`` while it fits.
    """
    counts = np.bincount(source, minlength=n) + np.bincount(target, minlength=n)
    nnz = int(counts.sum())
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    del counts
    indices = np.empty(nnz, dtype=np.int32)
    data = np.empty(nnz, dtype=np.float64)
    _fill_both_directions(source, target, np.asarray(weight, dtype=np.float64), indptr, indices, data)
    if nnz <= np.iinfo(np.int32).max:
        indptr = indptr.astype(np.int32)
    adjacency = sp.csr_matrix((data, indices, indptr), shape=(n, n), copy=False)
    adjacency.sum_duplicates()
    return adjacency
