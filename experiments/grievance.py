"""Where perceived discrimination comes from: experiences against the shared societal term (ODD §7.4).

Perceived discrimination is ``D = (Dp + Dg) / 2`` (E5-E6), and group relative
deprivation relaxes to ``(1 - mu) d_in + mu I delta minority`` (E6). So the
difference in ``D`` between minority and majority residents splits into

* **own experiences**: half the difference in ``Dp`` (incidents the resident met);
* **peers' experiences**: half the difference in ``(1 - mu) d_in`` (incidents of
  in-group ties);
* **the shared term**: half the difference in ``mu I delta minority`` (societal
  discrimination, weighted by how strongly each resident identifies with the group).

:func:`grievance_decomposition` computes the three parts from a model's state
(without interventions, whose terms it does not split out).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from model import RadicalisationModel

__all__ = ["grievance_decomposition"]


def grievance_decomposition(model: RadicalisationModel) -> pd.DataFrame:
    """Rows ``own experiences``, ``peers' experiences``, ``shared societal term`` and ``total``; columns the mean
    contribution to ``D`` of minority and of majority residents, their ``difference`` and its ``share``."""
    p, s, town = model.params, model.state, model.town
    bg = town.background
    a = model.engine.adjacency.tocoo()
    same = bg[a.row] == bg[a.col]
    a_in = sp.csr_matrix((a.data * same, (a.row, a.col)), shape=a.shape)
    weight = np.asarray(a_in.sum(axis=1)).ravel()
    d_in = np.divide(a_in @ s.personal_discrimination, weight, out=s.personal_discrimination.copy(),
                     where=weight > 0)
    mu = p.group_deprivation_macro_weight
    minority = bg > 0
    parts = {
        "own experiences": 0.5 * s.personal_discrimination,
        "peers' experiences": 0.5 * (1.0 - mu) * d_in,
        "shared societal term": 0.5 * mu * s.identification * model.macro.discrimination * minority,
    }
    rows = []
    for name, value in parts.items():
        rows.append({"part": name, "minority": float(value[minority].mean()), "majority": float(value[~minority].mean())})
    df = pd.DataFrame(rows)
    df["difference"] = df.minority - df.majority
    total = df[["minority", "majority", "difference"]].sum()
    df = pd.concat([df, pd.DataFrame([{"part": "total", **total.to_dict()}])], ignore_index=True)
    df["share"] = df.difference / float(total["difference"])
    return df.set_index("part")
