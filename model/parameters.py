"""Validated model parameters.

All parameters of the town and of the rules live in one pydantic object,
:class:`Parameters`. Every field carries its unit, range and default; the same
table appears in ``docs/ODD.md`` (section 7, "Input data and parameters").
Unknown or out-of-range values raise :class:`ParameterError` whose message is a
single line naming the field and the allowed range.

Units: one step is one week. Rates are "share of the gap closed per week".
All state variables and most parameters are dimensionless in [0, 1].

The constants that several layers of the core share (weeks per year, the youth
band, the cross-cutting share, the group kinds) live here too, at the bottom of
the core. This module imports only :mod:`model.errors` and the survey schema.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import STRICT, ParameterError, bounds, one_line_error
from .survey import Survey

__all__ = ["Parameters", "ParameterError", "parameter_table", "neighbourhood_count", "TOWN_FIELDS",
           "WEEKS_PER_YEAR", "YOUTH_AGE", "CROSS_CUTTING_SHARE", "GROUP_KINDS", "GroupKind"]

WEEKS_PER_YEAR = 52.0
"""Weeks in a year: one step is one week, and a resident ages ``1 / WEEKS_PER_YEAR`` years a step."""

YOUTH_AGE = (12.0, 27.0)

PRECISIONS = ("float64", "float32")
"""The precisions of the array engine's stored state (``RadicalisationModel(precision=...)``, ``radsim run
--precision``)."""
"""Ages (years, inclusive) of the group at risk: young people."""

def neighbourhood_count(n_residents: int, residents_per_neighbourhood: int) -> int:
    """Neighbourhoods of a synthetic town: ``n_residents / residents_per_neighbourhood`` rounded, at least one."""
    return max(1, int(round(n_residents / residents_per_neighbourhood)))


CROSS_CUTTING_SHARE = 0.2
"""A group is cross-cutting for a member if at least this share of its members has another background."""


class GroupKind(IntEnum):
    """Kinds of group membership (the affiliation list's ``group_kind``)."""

    SCHOOL = 0
    WORK = 1
    ASSOCIATION = 2
    RELIGIOUS = 3


GROUP_KINDS: tuple[str, ...] = tuple(k.name.lower() for k in GroupKind)
"""Names of the group kinds, by code."""


def _f(default: float, lo: float, hi: float, doc: str, unit: str = "dimensionless") -> Any:
    return Field(default, ge=lo, le=hi, description=doc, json_schema_extra={"unit": unit})


class Parameters(BaseModel):
    """Every parameter of a run, with its default, unit and allowed range.

    Create it with keyword arguments (``Parameters(societal_discrimination=0.4)``);
    unknown keys and out-of-range values raise :class:`ParameterError` through
    :meth:`create`. Defaults are calibrated to the radicalisation pyramid
    (``docs/ODD.md`` section 7.3).
    """

    model_config = ConfigDict(**STRICT, validate_assignment=True, frozen=False)

    # --- the synthetic town -------------------------------------------------
    n_residents: int = Field(2000, ge=10, le=50_000_000, description="number of residents", json_schema_extra={"unit": "persons"})
    residents_per_neighbourhood: int = Field(1000, ge=20, le=1_000_000, description="mean size of a neighbourhood", json_schema_extra={"unit": "persons"})
    minority_shares: list[float] = Field(default_factory=lambda: [0.14, 0.08], description="population share of each minority background (the majority is the rest)", json_schema_extra={"unit": "share"})
    segregation: float = _f(0.5, 0.0, 1.0, "residential segregation and tie homophily: 0 = ties ignore background, 1 = no cross-background ties where avoidable")
    neighbour_degree: int = Field(4, ge=0, le=50, description="neighbour ties per resident (Watts-Strogatz ring degree)", json_schema_extra={"unit": "ties"})
    neighbour_rewiring: float = _f(0.1, 0.0, 1.0, "Watts-Strogatz rewiring probability within a neighbourhood")
    school_work_degree: float = _f(5.0, 0.0, 50.0, "mean ties per member of a school class or work team", "ties")
    memberships_mean: float = _f(1.2, 0.0, 10.0, "mean number of associations (clubs) a resident belongs to", "memberships")
    association_degree: float = _f(4.0, 0.0, 50.0, "mean ties per membership inside a club", "ties")
    clubs_by_district: bool = Field(False, description="clubs drawn per district of four neighbourhoods (as secondary schools and religious communities are) instead of town-wide; true keeps a large town's ties near in memory (docs/performance.md)", json_schema_extra={"unit": "switch"})
    religious_participation_majority: float = _f(0.15, 0.0, 1.0, "share of majority residents in a religious community")
    religious_participation_minority: float = _f(0.45, 0.0, 1.0, "share of minority residents in a religious community")
    religious_degree: float = _f(4.0, 0.0, 50.0, "mean ties per member inside a religious community", "ties")
    online_degree_mean: float = _f(3.0, 0.0, 100.0, "mean online ties of a young resident (adults have half)", "ties")
    radical_family_share: float = _f(0.00005, 0.0, 1.0, "share of households with a member already in a radical group (seeded in phase 2)")

    # tie strength per layer (weight of a tie in social influence)
    weight_household: float = _f(1.0, 0.0, 1.0, "tie strength of a household (family) tie")
    weight_neighbour: float = _f(0.3, 0.0, 1.0, "tie strength of a neighbour tie")
    weight_school_work: float = _f(0.5, 0.0, 1.0, "tie strength of a school or work tie")
    weight_association: float = _f(0.5, 0.0, 1.0, "tie strength of an association (club) tie")
    weight_religious: float = _f(0.6, 0.0, 1.0, "tie strength of a religious-community tie")
    weight_online: float = _f(0.4, 0.0, 1.0, "tie strength of an online tie")
    outgroup_influence: float = _f(0.3, 0.0, 1.0, "influence of an out-group tie relative to an in-group tie (shared identity)")

    # --- macro context ------------------------------------------------------
    societal_discrimination: float = _f(0.3, 0.0, 1.0, "societal (institutional) discrimination level faced by minorities")
    institutional_fairness: float = _f(0.7, 0.0, 1.0, "procedural justice of institutions")
    attack_weeks: list[int] = Field(default_factory=list, description="weeks in which a trigger event (an attack) happens", json_schema_extra={"unit": "week"})
    attack_severity: float = _f(0.6, 0.0, 1.0, "jump in societal threat caused by one attack")
    attack_relaxation_weeks: float = _f(12.0, 0.5, 520.0, "time constant of the exponential decay of threat after an attack", "weeks")
    attack_discrimination_gain: float = _f(0.4, 0.0, 1.0, "rise in societal discrimination per unit of threat")
    attack_prejudice_gain: float = _f(0.4, 0.0, 1.0, "rise in the prejudice target per unit of the threat a resident's side feels")
    anti_minority_attack_weeks: list[int] = Field(default_factory=list, description="weeks in which an attack on minority residents by the anti-minority side happens (a trigger event for minority residents)", json_schema_extra={"unit": "week"})
    act_hazard: float = _f(0.01, 0.0, 1.0, "weekly chance that a resident in phase 3 (action) commits an act of violence; an act is a trigger event for the other side", "1/week")
    act_severity: float = _f(0.15, 0.0, 1.0, "threat one act adds for the other side before saturation (threat from acts is 1 - exp(-sum), so each further act adds less)")

    # --- prejudice and discrimination ----------------------------------------
    prejudice_majority: float = _f(0.3, 0.0, 1.0, "baseline prejudice of majority residents towards minorities")
    prejudice_minority: float = _f(0.15, 0.0, 1.0, "baseline prejudice of minority residents towards other backgrounds")
    contact_prejudice_reduction: float = _f(0.2, 0.0, 1.0, "fall in prejudice target per unit share of cross-background ties (contact alone)")
    prejudice_propensity_sd: float = _f(0.1, 0.0, 0.5, "spread (sd) of residents' lasting individual offset to prejudice (dispositional prejudice)")
    prejudice_rate: float = _f(0.1, 0.0, 1.0, "weekly adaptation rate of prejudice", "1/week")
    incident_rate: float = _f(0.25, 0.0, 1.0, "weekly chance of a discrimination incident per unit of prejudiced out-group tie share", "1/week")
    discrimination_memory: float = _f(0.05, 0.001, 1.0, "weekly update rate of perceived (personal and group) discrimination", "1/week")
    group_deprivation_macro_weight: float = _f(0.7, 0.0, 1.0, "weight of the shared societal term (societal discrimination times the resident's identification with the group) against in-group peers' experiences in group relative deprivation")
    family_resemblance: float = _f(0.5, 0.0, 1.0, "share of the variance of the lasting dispositions (uncertainty, trust, prejudice) shared within a household, and weight of the household's part of exposure to discrimination")
    discrimination_exposure_sd: float = _f(0.8, 0.0, 3.0, "spread (coefficient of variation) of residents' lasting exposure to discrimination (Gamma with mean 1): contact with police, landlords, employers")
    act_grievance_gain: float = _f(0.5, 0.0, 1.0, "rise in minority residents' group-deprivation target per unit threat from attacks on them")

    # --- identity -------------------------------------------------------------
    complexity_half_saturation: float = _f(2.0, 0.1, 20.0, "memberships at which social identity complexity reaches one half", "memberships")
    uncertainty_base: float = _f(0.15, 0.0, 1.0, "baseline identity uncertainty of adults")
    uncertainty_youth: float = _f(0.2, 0.0, 1.0, "extra identity uncertainty of young people (12-27)")
    uncertainty_discrimination: float = _f(0.5, 0.0, 2.0, "rise in uncertainty per unit perceived discrimination")
    uncertainty_complexity: float = _f(0.3, 0.0, 2.0, "fall in uncertainty per unit social identity complexity")
    uncertainty_group_relief: float = _f(0.5, 0.0, 1.0, "share of uncertainty removed by membership of a radical group")
    uncertainty_propensity_sd: float = _f(0.15, 0.0, 0.5, "spread (sd) of residents' lasting individual offset to identity uncertainty (need for closure)")
    uncertainty_rate: float = _f(0.05, 0.0, 1.0, "weekly adaptation rate of identity uncertainty", "1/week")
    significance_discrimination: float = _f(0.6, 0.0, 2.0, "significance loss per unit personal discrimination")
    significance_belonging: float = _f(0.2, 0.0, 2.0, "significance loss per unit lack of identity complexity")
    significance_rate: float = _f(0.05, 0.0, 1.0, "weekly adaptation rate of significance loss", "1/week")
    trust_discrimination: float = _f(0.8, 0.0, 1.0, "fall in institutional trust per unit perceived discrimination")
    trust_group_loss: float = _f(0.5, 0.0, 1.0, "share of trust lost by membership of a radical group")
    trust_propensity_sd: float = _f(0.25, 0.0, 0.5, "spread (sd) of residents' lasting individual offset to institutional trust (dispositional trust)")
    trust_rate: float = _f(0.05, 0.0, 1.0, "weekly adaptation rate of institutional trust", "1/week")
    threat_grievance_weight: float = _f(0.5, 0.0, 1.0, "weight of perceived out-group threat (prejudice) in collective grievance")
    identification_base: float = _f(0.6, 0.0, 1.0, "baseline social identification with one's background group")
    identification_rejection: float = _f(0.6, 0.0, 2.0, "rise in the identification target per unit group relative deprivation (rejection-identification)")
    identification_competition: float = _f(0.2, 0.0, 1.0, "rise in the identification target while choosing social competition")
    identification_mobility: float = _f(0.15, 0.0, 1.0, "fall in the identification target while choosing individual mobility")
    identification_rate: float = _f(0.05, 0.0, 1.0, "weekly adaptation rate of social identification", "1/week")
    grievance_half_saturation: float = _f(0.5, 0.01, 10.0, "collective grievance at which half of the residents answer it as a group (mobility is the other answer; diminishing returns)")
    competition_peer_floor: float = _f(0.5, 0.0, 1.0, "chance factor of social competition without sympathisers or members among one's ties on one's side")
    competition_peer_gain: float = _f(5.0, 0.0, 50.0, "rise of that factor per unit share of tie strength to sympathisers and members on one's side (collective action spreads among peers)")
    strategy_reconsider_rate: float = _f(0.03, 0.0, 1.0, "weekly chance that a resident reconsiders the identity strategy (inertia: the strategy persists otherwise)", "1/week")
    permeability_contact: float = _f(1.5, 0.0, 10.0, "perceived permeability of group boundaries per unit share of cross-background ties")
    creativity_significance_relief: float = _f(0.15, 0.0, 1.0, "fall in the significance-loss target while choosing social creativity")
    group_significance_gain: float = _f(0.2, 0.0, 1.0, "fall in the significance-loss target for members of a radical group (quest for significance)")
    mobility_tie_rate: float = _f(0.002, 0.0, 0.07, "weekly chance that a minority resident choosing individual mobility gains a tie at school or work with a resident of another background (added every 13 weeks)", "1/week")

    # --- radical belief and violence ------------------------------------------
    influence_rate: float = _f(0.1, 0.0, 1.0, "weekly rate of social influence on radical belief", "1/week")
    competition_drive: float = _f(0.5, 0.0, 1.0, "weekly rise of radical belief, times (1 - belief), in a week the resident chooses social competition", "1/week")
    significance_drive: float = _f(0.05, 0.0, 1.0, "weekly rise of radical belief per unit significance loss times radical exposure", "1/week")
    belief_decay: float = _f(0.02, 0.0, 1.0, "weekly decay of radical belief outside a radical group", "1/week")
    group_pull: float = _f(1.0, 0.0, 10.0, "tie strength of the radical group itself (its ideology and members outside town) for residents in phase 2-3")
    group_isolation: float = _f(0.8, 0.0, 1.0, "share by which ties between radical-group members and non-members weaken (both ways), and by which members' other memberships fade")
    violence_significance: float = _f(0.4, 0.0, 2.0, "violence attitude target per unit significance loss (times belief)")
    violence_peer: float = _f(0.4, 0.0, 2.0, "violence attitude target per unit peers' violence attitude (times belief)")
    violence_group: float = _f(0.4, 0.0, 2.0, "violence attitude target from radical-group norms in phase 2-3 (times belief)")
    violence_propensity_sd: float = _f(0.15, 0.0, 0.5, "spread (sd) of residents' lasting individual readiness for violence, expressed in a radical group (sensation seeking, criminal past)")
    violence_competition: float = _f(0.2, 0.0, 2.0, "violence attitude target per unit belief while choosing social competition (activism)")
    violence_rate: float = _f(0.05, 0.0, 1.0, "weekly adaptation rate of the attitude to violence", "1/week")

    # --- resilience shield ----------------------------------------------------
    shield_base: float = _f(0.1, 0.0, 1.0, "baseline resilience shield")
    shield_trust: float = _f(0.4, 0.0, 2.0, "shield per unit institutional trust")
    shield_complexity: float = _f(0.6, 0.0, 2.0, "shield per unit social identity complexity")
    shield_discrimination: float = _f(0.4, 0.0, 2.0, "fall in shield per unit perceived discrimination")
    shield_rate: float = _f(0.05, 0.0, 1.0, "weekly adaptation rate of the resilience shield", "1/week")
    shield_turns_around: bool = Field(True, description="in phase 3 the shield follows commitment and filters de-radicalising influence, including the pull out of action; false = an ablation in which it keeps protecting against radical influence", json_schema_extra={"unit": "switch"})
    shield_after_action: float = _f(0.0, 0.0, 1.0, "resilience shield of a resident who has just left phase 3 (reset to a non-protective value)")
    exit_family: float = _f(0.02, 0.0, 1.0, "weekly exit hazard from phase 3 per unit share of relatives outside a radical group, filtered by (1 - shield)", "1/week")

    # --- phase transitions -----------------------------------------------------
    radicalisation_min_age: float = _f(12.0, 0.0, 30.0, "youngest age at which a resident can enter phase 1 (sensitivity); children stay in phase 0", "years")
    sensitivity_threshold: float = _f(0.3, 0.0, 1.0, "radical belief at which a resident enters phase 1 (sensitivity)")
    membership_threshold: float = _f(0.4, 0.0, 1.0, "radical belief needed to join a radical group (phase 2)")
    action_threshold: float = _f(0.4, 0.0, 1.0, "attitude to violence needed to move to action (phase 3)")
    hysteresis: float = _f(0.1, 0.0, 0.5, "margin below a threshold before a resident falls back a phase")
    recruiter_approaches: float = _f(0.0053, 0.0, 1000.0, "approaches by local recruiters of the grievance movement per 10,000 residents per week, spread over neighbourhoods by their minority residents; each meets one ready sympathiser of the movement (phase 1, belief >= membership_threshold) of the neighbourhood", "per 10,000 residents per week")
    online_recruiter_approaches: float = _f(0.0053, 0.0, 1000.0, "approaches by online recruiters of the grievance movement per 10,000 residents per week; each meets one young ready sympathiser of the movement anywhere in town", "per 10,000 residents per week")
    anti_minority_recruiter_approaches: float = _f(0.0043, 0.0, 1000.0, "approaches by local recruiters of the anti-minority movement per 10,000 residents per week, spread over neighbourhoods by their majority residents", "per 10,000 residents per week")
    anti_minority_online_recruiter_approaches: float = _f(0.0043, 0.0, 1000.0, "approaches by online recruiters of the anti-minority movement per 10,000 residents per week; each meets one young ready sympathiser of the movement anywhere in town", "per 10,000 residents per week")
    join_appeal_base: float = _f(0.5, 0.0, 1.0, "appeal of a radical group to an approached resident without identity uncertainty")
    join_appeal_uncertainty: float = _f(1.0, 0.0, 5.0, "rise in a radical group's appeal per unit identity uncertainty (a clear, single identity)")
    kin_join_rate: float = _f(0.08, 0.0, 1.0, "weekly chance that a sympathiser (phase 1) with a close tie to a member of the movement joins through it (before shield and appeal)", "1/week")
    kin_tie_strength: float = _f(0.5, 0.0, 5.0, "tie strength at which a tie counts as close (family, school or work, club, religious community)")
    kin_recruits_max: float = _f(0.5, 0.0, 1000.0, "most residents joining a movement through relatives and friends per week, per 10,000 residents (at least one)", "per 10,000 residents per week")
    min_weeks_before_action: int = Field(2, ge=0, le=520, description="minimum time in phase 2 before action", json_schema_extra={"unit": "weeks"})
    action_hazard: float = _f(0.02, 0.0, 1.0, "weekly hazard of moving to action per unit attitude to violence", "1/week")
    pusher_prejudice: float = _f(0.6, 0.0, 1.0, "prejudice at which a resident outside a radical group acts as a pusher (members always do)")
    bridge_prejudice: float = _f(0.15, 0.0, 1.0, "highest prejudice of a bridge builder (phase 0)")
    bridge_contact: float = _f(0.3, 0.0, 1.0, "lowest share of cross-background ties of a bridge builder")
    scapegoat_exposure: float = _f(0.1, 0.0, 1.0, "share of tie strength to the other side's pushers at which a resident in phase 0 is a scapegoat")
    pusher_prejudice_gain: float = _f(0.3, 0.0, 2.0, "rise in the prejudice target per unit share of tie strength to pushers")
    bridge_prejudice_reduction: float = _f(0.3, 0.0, 2.0, "fall in the prejudice target per unit share of tie strength to bridge builders")
    scapegoat_incident_rate: float = _f(0.2, 0.0, 1.0, "weekly chance of a discrimination incident per unit share of tie strength to the other side's pushers", "1/week")
    blame_trust: float = _f(0.2, 0.0, 1.0, "fall in the silent middle's trust target per unit threat the other side feels (collective blame)")
    neglect_trust: float = _f(0.2, 0.0, 1.0, "fall in the trust target per unit neglect (an inclusion policy aimed at other groups only)")
    neglect_prejudice: float = _f(0.1, 0.0, 1.0, "rise in majority residents' prejudice target per unit neglect")
    disengagement_hazard: float = _f(0.015, 0.0, 1.0, "weekly hazard of leaving a radical group (phase 2 to 1)", "1/week")
    action_exit_hazard: float = _f(0.008, 0.0, 1.0, "weekly hazard of leaving action (phase 3 to 2): arrest, disillusion, ageing out", "1/week")
    life_expectancy: float = _f(85.0, 30.0, 120.0, "age at which a resident leaves town and a newborn takes the place (demographic renewal)", "years")

    # --- the week-0 state (ODD §5) ----------------------------------------------
    initial_noise_sd: float = _f(0.05, 0.0, 0.5, "spread (sd) of the individual noise around the week-0 values of uncertainty, significance loss, trust and shield")
    initial_belief_alpha: float = _f(1.2, 0.01, 100.0, "first shape parameter of the Beta distribution of week-0 radical belief")
    initial_belief_beta: float = _f(14.0, 0.01, 100.0, "second shape parameter of the Beta distribution of week-0 radical belief (mean alpha / (alpha + beta) = 0.08)")
    initial_violence_beta: float = _f(8.0, 0.01, 100.0, "week-0 attitude to violence is radical belief times Beta(1, this)")
    initial_significance_base: float = _f(0.1, 0.0, 1.0, "week-0 significance loss before discrimination")
    initial_significance_discrimination: float = _f(0.3, 0.0, 2.0, "rise in week-0 significance loss per unit perceived discrimination")
    initial_complexity: float = _f(0.5, 0.0, 1.0, "social identity complexity assumed in the week-0 resilience shield")
    initial_weeks_in_phase_max: int = Field(52, ge=1, le=5200, description="week-0 time in phase is uniform on 0 .. this - 1", json_schema_extra={"unit": "weeks"})
    relative_radical_belief: float = _f(0.8, 0.0, 1.0, "week-0 radical belief of a seeded radical relative (phase 2)")
    relative_violence_low: float = _f(0.2, 0.0, 1.0, "lowest week-0 attitude to violence of a seeded radical relative (uniform)")
    relative_violence_high: float = _f(0.6, 0.0, 1.0, "highest week-0 attitude to violence of a seeded radical relative (uniform)")
    relative_weeks_in_group_max: int = Field(104, ge=1, le=5200, description="week-0 time in the group of a seeded radical relative is uniform on 0 .. this - 1", json_schema_extra={"unit": "weeks"})

    # --- survey figures (ODD §5.1) ---------------------------------------------
    survey: Survey | None = Field(None, description="neighbourhood survey figures (model.survey.Survey) the town is built from; none = the synthetic town above. With a survey, n_residents defaults to the survey's total (another value scales the neighbourhoods), minority_shares follow from it and residents_per_neighbourhood is not used", json_schema_extra={"unit": "table"})

    @model_validator(mode="before")
    @classmethod
    def _from_survey(cls, data: Any) -> Any:
        """With a survey: n_residents defaults to its total, minority_shares are its town-wide shares."""
        if not isinstance(data, dict) or data.get("survey") is None:
            return data
        try:
            survey = Survey.model_validate(data["survey"])
        except ValidationError:
            return data                      # reported with its location by the field's own validation
        data = {**data, "survey": survey}
        data.setdefault("n_residents", survey.residents)
        derived = survey.minority_shares
        given = data.get("minority_shares")
        if given is None:
            data["minority_shares"] = derived
        elif not isinstance(given, list) or len(given) != len(derived) or any(
                not isinstance(a, (int, float)) or abs(a - b) > 1e-9 for a, b in zip(given, derived)):
            raise ValueError("minority_shares: set by the survey (town-wide shares "
                             f"{', '.join(f'{x:.4g}' for x in derived)}); remove it or change the survey")
        return data

    @model_validator(mode="after")
    def _check_shares(self) -> "Parameters":
        if any(not 0.0 <= s <= 1.0 for s in self.minority_shares):
            raise ValueError("minority_shares: each share must be between 0 and 1")
        if sum(self.minority_shares) >= 1.0:
            raise ValueError("minority_shares: the shares must sum to less than 1 (the majority is the rest)")
        if len(self.minority_shares) > 8:
            raise ValueError("minority_shares: at most 8 minority backgrounds")
        if any(w < 0 for w in self.attack_weeks):
            raise ValueError("attack_weeks: weeks must be 0 or later")
        if any(w < 0 for w in self.anti_minority_attack_weeks):
            raise ValueError("anti_minority_attack_weeks: weeks must be 0 or later")
        if self.hysteresis > self.sensitivity_threshold:
            raise ValueError("hysteresis: must not exceed sensitivity_threshold")
        if self.relative_violence_low > self.relative_violence_high:
            raise ValueError("relative_violence_low: must not exceed relative_violence_high")
        return self

    @classmethod
    def create(cls, **kwargs: Any) -> "Parameters":
        """Validate keyword parameters, raising :class:`ParameterError` with a one-line message."""
        return cls.from_table(kwargs)

    @classmethod
    def from_table(cls, table: Any, prefix: str = "") -> "Parameters":
        """Validate a table of parameters (as read from TOML), raising :class:`ParameterError` with a one-line
        message whose field names start with ``prefix`` (``"parameters."``, ``"constants."``)."""
        if not isinstance(table, dict):
            raise ParameterError(f"{prefix.rstrip('.') or 'parameters'}: must be a table of parameters (got {table!r})")
        try:
            return cls(**table)
        except ValidationError as err:
            unknown = "unknown parameter '{}' (see `radsim params` for the list)"
            raise ParameterError(one_line_error(err, prefix, schema=cls, unknown_top_level=unknown)) from None

    def replace(self, **changes: Any) -> "Parameters":
        """Return a validated copy with some fields changed."""
        return Parameters.create(**{**self.model_dump(), **changes})

    @property
    def n_backgrounds(self) -> int:
        """Backgrounds of the town: 0 (the majority) to ``len(minority_shares)``."""
        return 1 + len(self.minority_shares)

    @property
    def n_neighbourhoods(self) -> int:
        """Neighbourhoods of the town these parameters build: one per survey neighbourhood, else
        ``n_residents / residents_per_neighbourhood`` rounded, at least one (as :mod:`model.town` builds them)."""
        if self.survey is not None:
            return len(self.survey.neighbourhoods)
        return neighbourhood_count(self.n_residents, self.residents_per_neighbourhood)

    @property
    def background_shares(self) -> list[float]:
        return [1.0 - sum(self.minority_shares), *self.minority_shares]


TOWN_FIELDS: frozenset[str] = frozenset({
    "n_residents", "residents_per_neighbourhood", "minority_shares", "segregation", "neighbour_degree",
    "neighbour_rewiring", "school_work_degree", "memberships_mean", "association_degree", "clubs_by_district",
    "religious_participation_majority", "religious_participation_minority", "religious_degree",
    "online_degree_mean", "radical_family_share", "weight_household", "weight_neighbour", "weight_school_work",
    "weight_association", "weight_religious", "weight_online", "survey",
    "initial_noise_sd", "initial_belief_alpha", "initial_belief_beta", "initial_violence_beta",
    "initial_significance_base", "initial_significance_discrimination", "initial_complexity",
    "initial_weeks_in_phase_max", "relative_radical_belief", "relative_violence_low", "relative_violence_high",
    "relative_weeks_in_group_max", "discrimination_exposure_sd", "family_resemblance",
})
"""Parameters that shape the town or its week-0 state; they take effect only when a model is built."""


def parameter_table() -> list[dict[str, Any]]:
    """Rows of (name, default, range, unit, description) for docs and the CLI."""
    rows = []
    defaults = Parameters()
    for name, field in Parameters.model_fields.items():
        b = bounds(field.metadata)
        extra = field.json_schema_extra or {}
        rows.append(
            {
                "name": name,
                "default": getattr(defaults, name),
                "min": b.get("ge"),
                "max": b.get("le"),
                "unit": extra.get("unit", "") if isinstance(extra, dict) else "",
                "description": field.description or "",
            }
        )
    return rows
