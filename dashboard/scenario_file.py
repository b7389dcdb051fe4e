"""Save and share the what-if: the dashboard's towns as a scenario file that ``radsim compare`` runs, and back.

:func:`scenario_table` turns the twin towns into the tables of a scenario file
(:mod:`experiments.scenario`): the town settings as ``[parameters]`` (with the
attacks as ``attack_weeks`` and, by the anti-minority side, ``anti_minority_attack_weeks``), and every intervention of the right-hand town, with
the week it started and, if it was switched off, its duration, as one comparison
arm. ``radsim compare`` then runs the town as is (the baseline) against that arm
with replications. :func:`load_scenario_text` reads such a file (or any scenario
file whose town the dashboard can show) back into new twin towns.

No TOML writer ships with Python, and the tables are simple (strings, numbers,
booleans, lists and inline tables), so :func:`to_toml` writes them.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

from experiments.scenario import Scenario, ScenarioError, load_scenario
from model.interventions import Intervention, validate_interventions

from .twin import CONTROLS, InterventionChoice, TownSettings, TwinTowns

__all__ = ["scenario_table", "to_toml", "scenario_toml", "read_scenario_text", "load_scenario_text",
           "towns_from_scenario",
           "LoadProblem", "MIN_STEPS", "RESIDENTS_RANGE"]

MIN_STEPS = 52
"""A saved what-if runs for at least a year, and at least as long as the session so far."""
RESIDENTS_RANGE = (100, 5000)
"""Towns the dashboard shows (its residents slider)."""


class LoadProblem(ValueError):
    """A scenario file the dashboard cannot show: ``key`` and ``values`` name the text in :mod:`dashboard.i18n`."""

    def __init__(self, key: str, **values: Any):
        super().__init__(f"{key}: {values}")
        self.key, self.values = key, values


def _intervention_table(iv: Intervention, arm: str) -> dict[str, Any]:
    data = iv.model_dump(mode="json", exclude_none=True)
    return {"type": data.pop("type"), "arm": arm, **{k: v for k, v in data.items() if k != "arm"}}


def scenario_table(towns: TwinTowns, name: str, description: str, arm: str) -> dict[str, Any]:
    """The tables of a scenario file for ``towns`` (read under the towns' lock)."""
    with towns.lock:
        params = towns.settings.model_parameters()
        interventions = [_intervention_table(iv, arm) for iv in towns.what_if.interventions]
        starts = [iv.start for iv in towns.what_if.interventions]
        attacks = [*towns.attacks, *towns.anti_minority_attacks]
        steps = max(towns.week, MIN_STEPS, *(s + 1 for s in starts), *(a + 1 for a in attacks))
        params["attack_weeks"] = [int(a) for a in towns.attacks]
        if towns.anti_minority_attacks:
            params["anti_minority_attack_weeks"] = [int(a) for a in towns.anti_minority_attacks]
        return {
            "scenario": {"name": name, "description": description, "steps": int(steps),
                         "seed": int(towns.settings.seed)},
            "parameters": params,
            "interventions": interventions,
        }


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"TOML has no {v}")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)      # a JSON string is a TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def to_toml(tables: dict[str, Any], comment: str = "") -> str:
    """TOML text of ``tables``: tables of scalars, and lists of tables (``[[interventions]]``)."""
    lines = [f"# {line}" for line in comment.splitlines()]
    for name, table in tables.items():
        rows = table if isinstance(table, list) else [table]
        for row in rows:
            lines.append("")
            lines.append(f"[[{name}]]" if isinstance(table, list) else f"[{name}]")
            lines.extend(f"{k} = {_value(v)}" for k, v in row.items())
    return "\n".join(lines).lstrip("\n") + "\n"


def scenario_toml(towns: TwinTowns, name: str, description: str, arm: str) -> str:
    """The scenario file of ``towns`` as TOML text, checked by the same validation as ``radsim validate``."""
    text = to_toml(scenario_table(towns, name, description, arm),
                   comment=f"{name}\n{description}\nRun it with: radsim compare FILE.toml --replications 10")
    read_scenario_text(text)                      # never hand out a file radsim would refuse
    return text


def read_scenario_text(text: str) -> Scenario:
    """Validate scenario text exactly as a scenario file is validated (raises ScenarioError)."""
    with tempfile.TemporaryDirectory(prefix="radsim-scenario-") as folder:
        path = Path(folder) / "scenario.toml"
        path.write_text(text, encoding="utf-8")
        return load_scenario(path)


def _choice(iv: Intervention) -> InterventionChoice:
    control = CONTROLS[iv.type]                    # type: ignore[attr-defined]
    variant = bool(control.variant) and all(getattr(iv, k, None) == v for k, v in control.variant.items())
    intensity = iv.target.share if control.intensity_sets_share and iv.target.share is not None else iv.intensity
    return InterventionChoice(on=iv.duration is None, intensity=float(intensity), variant=variant)


def towns_from_scenario(scenario: Scenario) -> TwinTowns:
    """New twin towns from a validated scenario: its town, its attacks, and the interventions of its first arm.

    Raises:
        LoadProblem: the town is outside the dashboard's range, or the arm has two interventions of one kind.
    """
    p = scenario.parameters
    low, high = RESIDENTS_RANGE
    if not low <= p.n_residents <= high:
        raise LoadProblem("err_town_size", low=low, high=high, n=p.n_residents)
    arms = [ivs for arm, ivs in scenario.arms().items() if arm != "baseline"]
    chosen = arms[0] if arms else []
    kinds = [iv.type for iv in chosen]             # type: ignore[attr-defined]
    twice = sorted({k for k in kinds if kinds.count(k) > 1})
    if twice:
        raise LoadProblem("err_file_type", names=", ".join(twice))
    settings = TownSettings(n_residents=p.n_residents, societal_discrimination=p.societal_discrimination,
                            segregation=p.segregation, minority_share=round(float(sum(p.minority_shares)), 6),
                            memberships_mean=p.memberships_mean, seed=scenario.seed)
    towns = TwinTowns(settings)
    with towns.lock:
        for week in p.attack_weeks:
            for m in towns.models:
                m.attack_weeks.append(int(week))
            towns.attacks.append(int(week))
        if p.anti_minority_attack_weeks:
            for m in towns.models:
                m.update_parameters(anti_minority_attack_weeks=[int(w) for w in p.anti_minority_attack_weeks])
            towns.anti_minority_attacks.extend(int(w) for w in p.anti_minority_attack_weeks)
        for iv in validate_interventions(chosen):
            iv.arm = None
            towns.what_if.interventions.append(iv)
            towns.choices[iv.type] = choice = _choice(iv)      # type: ignore[attr-defined]
            if choice.on:
                towns.active[iv.type] = iv                     # type: ignore[attr-defined]
                towns.started[iv.type] = iv.start              # type: ignore[attr-defined]
    return towns


def load_scenario_text(text: str) -> tuple[TwinTowns, Scenario]:
    """Twin towns from the text of a scenario file. Raises ScenarioError (invalid) or LoadProblem (not showable).

    The dashboard's neighbourhoods hold about 200 residents whatever the file says, and parameters without a
    slider keep their defaults.
    """
    scenario = read_scenario_text(text)
    if scenario.parameters.survey is not None:
        raise ScenarioError("survey: the dashboard builds its towns from its sliders, not from survey figures")
    return towns_from_scenario(scenario), scenario
