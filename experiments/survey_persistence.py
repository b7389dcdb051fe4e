"""How long a town started from survey figures keeps matching them (docs/ODD.md §5.1).

``python -m experiments.survey_persistence [--seeds 3] [--weeks 520]`` runs the
example survey (``survey_example.toml``) and a stress case whose figures
are far from the model's own levels, and prints, per figure and week, the mean over
neighbourhoods of the young people's mean and of the gap |model - figure|, and
the gap in standard errors of the young mean. Takes about a minute.
"""

from __future__ import annotations

import argparse

import numpy as np

from model import RadicalisationModel
from model.survey import FIGURES

from .examples import example_path
from .scenario import load_scenario

WEEKS = (0, 4, 13, 26, 52, 104, 260, 520)
STRESS = {"young_discrimination": 0.25, "young_trust": 0.35, "young_uncertainty": 0.50}


def persistence(parameters, seeds: int, weeks: tuple[int, ...]) -> dict:
    """``{(figure, week): (mean model value, mean |gap|, mean |gap| / se)}`` averaged over neighbourhoods and seeds."""
    out: dict = {}
    for seed in range(1, seeds + 1):
        m = RadicalisationModel.from_parameters(parameters, rng=seed, collect=False)
        for week in weeks:
            m.run_for(week - m.steps)
            fit = m.survey_fit()
            for f in FIGURES:
                rows = fit[fit.figure == f]
                if len(rows):
                    out.setdefault((f, week), []).append(
                        (rows.model.mean(), rows.gap.abs().mean(), (rows.gap.abs() / rows.se).mean()))
    return {k: tuple(np.mean(v, axis=0)) for k, v in out.items()}


def table(result: dict, weeks: tuple[int, ...]) -> str:
    lines = ["| figure | " + " | ".join(f"week {w}" for w in weeks) + " |", "|---" * (len(weeks) + 1) + "|"]
    for f in FIGURES:
        cells = [f"{result[(f, w)][0]:.3f} ({result[(f, w)][1]:.3f}; {result[(f, w)][2]:.1f} se)" for w in weeks
                 if (f, w) in result]
        if cells:
            lines.append(f"| {f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--weeks", type=int, default=520)
    a = ap.parse_args()
    weeks = tuple(w for w in WEEKS if w <= a.weeks)
    params = load_scenario(example_path("survey_example.toml")).parameters
    stress = params.survey.model_copy(deep=True)
    for nb in stress.neighbourhoods:
        for f, v in STRESS.items():
            setattr(nb, f, v)
    print("cells: mean over neighbourhoods of the young mean (mean |gap| to the figure; mean |gap| in standard errors)\n")
    print(f"example figures (survey_example.csv), {params.n_residents:,} residents, {a.seeds} seeds\n")
    print(table(persistence(params, a.seeds, weeks), weeks))
    print(f"\nstress case: every neighbourhood {STRESS}\n")
    print(table(persistence(params.replace(survey=stress), a.seeds, weeks), weeks))


if __name__ == "__main__":
    main()
