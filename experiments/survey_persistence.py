"""How long a town started from survey figures keeps matching them (docs/ODD.md §5.1).

``radsim survey-persistence [--replications 3] [--steps 520]`` runs the example
survey (``survey_example.toml``) and a stress case whose figures are far from the
model's own levels, and prints, per figure and step, the mean over neighbourhoods
of the young people's mean and of the gap |model - figure|, and the gap in
standard errors of the young mean. Takes about a minute. Replication ``k`` runs
with the seed :func:`experiments.seeds.replication_seed` ``(seed, k)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from model import RadicalisationModel
from model.parameters import Parameters
from model.survey import FIGURES

from .scenario import ScenarioError
from .seeds import replication_seed

__all__ = ["STEPS", "STRESS", "persistence", "persistence_markdown", "persistence_report", "stress_case"]

STEPS = (0, 4, 13, 26, 52, 104, 260, 520)
"""The steps (weeks) at which the match is measured."""
STRESS = {"young_discrimination": 0.25, "young_trust": 0.35, "young_uncertainty": 0.50}
"""The stress case: every neighbourhood's figures far from the model's own levels."""


def stress_case(parameters: Parameters) -> Parameters:
    """``parameters`` with every neighbourhood's survey figures set to :data:`STRESS`."""
    stress = parameters.survey.model_copy(deep=True)
    for nb in stress.neighbourhoods:
        for f, v in STRESS.items():
            setattr(nb, f, v)
    return parameters.replace(survey=stress)


def persistence(parameters: Parameters, replications: int, steps: tuple[int, ...], seed: int = 1,
                progress: Callable[[int, int], None] | None = None) -> dict:
    """``{(figure, step): (mean model value, mean |gap|, mean |gap| / se)}`` over neighbourhoods and replications."""
    out: dict = {}
    for k in range(replications):
        m = RadicalisationModel.from_parameters(parameters, rng=replication_seed(seed, k), collect=False)
        for step in steps:
            if step > m.steps:
                m.run_for(step - m.steps)
            fit = m.survey_fit()
            for f in FIGURES:
                rows = fit[fit.figure == f]
                if len(rows):
                    out.setdefault((f, step), []).append(
                        (rows.model.mean(), rows.gap.abs().mean(), (rows.gap.abs() / rows.se).mean()))
        if progress:
            progress(k + 1, replications)
    return {key: tuple(np.mean(v, axis=0)) for key, v in out.items()}


def persistence_markdown(result: dict, steps: tuple[int, ...]) -> str:
    """The result of :func:`persistence` as a Markdown table, one row per figure and a column per step."""
    lines = ["| figure | " + " | ".join(f"step {s}" for s in steps) + " |", "|---" * (len(steps) + 1) + "|"]
    for f in FIGURES:
        cells = [f"{result[(f, s)][0]:.3f} ({result[(f, s)][1]:.3f}; {result[(f, s)][2]:.1f} se)" for s in steps
                 if (f, s) in result]
        if cells:
            lines.append(f"| {f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def persistence_report(parameters: Parameters, name: str = "the survey", replications: int = 3, last_step: int = 520,
                       seed: int = 1, progress: Callable[[int, int], None] | None = None) -> str:
    """The Markdown report: the match of ``parameters``' survey figures and of the stress case, up to ``last_step``.

    ``progress(done, total)`` counts replications over both cases. Raises :class:`ScenarioError` without a survey.
    """
    if parameters.survey is None:
        raise ScenarioError(f"{name}: no [survey] table; give a scenario started from survey figures")
    steps = tuple(s for s in STEPS if s <= last_step)
    parts = ["cells: mean over neighbourhoods of the young mean (mean |gap| to the figure; "
             "mean |gap| in standard errors)"]
    cases = ((f"figures of {name}", parameters), (f"stress case: every neighbourhood {STRESS}", stress_case(parameters)))
    for k, (title, p) in enumerate(cases):
        done = k * replications
        result = persistence(p, replications, steps, seed,
                             progress=(lambda d, _: progress(done + d, 2 * replications)) if progress else None)
        parts += [f"{title}, {p.n_residents:,} residents, {replications} replications", persistence_markdown(result, steps)]
    return "\n\n".join(parts) + "\n"
