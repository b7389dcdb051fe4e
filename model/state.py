"""Resident state: one numpy array per attribute, and the initial state.

The state is the single source of truth. The array engine updates it in
place; the per-agent reference reads and writes it through
:class:`model.agents.Resident` properties. With survey figures, the model then
shifts the young people's week-0 state (:func:`model.survey_figures.match_young_figures`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .parameters import YOUTH_AGE, Parameters
from . import rules
from .rules import IdentityStrategy, Movement, Phase, PolarisationRole
from .town import Town

__all__ = ["Phase", "IdentityStrategy", "Movement", "PolarisationRole", "ResidentState", "CONTINUOUS_FIELDS",
           "initial_state", "movement_of"]


CONTINUOUS_FIELDS: tuple[str, ...] = (
    "identification",
    "identity_uncertainty",
    "personal_discrimination",
    "group_discrimination",
    "perceived_discrimination",
    "significance_loss",
    "institutional_trust",
    "prejudice",
    "radical_belief",
    "violence_attitude",
    "resilience_shield",
)
"""State variables in [0, 1]."""


@dataclass
class ResidentState:
    """Arrays of length ``n_residents``; continuous variables are in [0, 1]."""

    phase: np.ndarray                     # int8, Phase
    time_in_phase: np.ndarray             # int32, weeks since entering the current phase
    identity_strategy: np.ndarray         # int8, IdentityStrategy (persists; reconsidered now and then)
    polarisation_role: np.ndarray         # int8, PolarisationRole this week
    movement: np.ndarray                  # int8, Movement of the resident's side (static)
    age: np.ndarray                       # float64, years
    identification: np.ndarray            # social identification with one's background group
    identity_uncertainty: np.ndarray
    personal_discrimination: np.ndarray   # personal relative deprivation
    group_discrimination: np.ndarray      # group relative deprivation
    perceived_discrimination: np.ndarray  # mean of the two
    significance_loss: np.ndarray
    institutional_trust: np.ndarray       # procedural justice experienced
    prejudice: np.ndarray                 # prejudice / perceived out-group threat
    radical_belief: np.ndarray
    violence_attitude: np.ndarray
    resilience_shield: np.ndarray         # strength; direction flips in phase 3
    uncertainty_propensity: np.ndarray    # lasting individual offset to the uncertainty target
    trust_propensity: np.ndarray          # lasting individual offset to the trust target
    prejudice_propensity: np.ndarray      # lasting individual offset to the prejudice target
    violence_propensity: np.ndarray       # lasting individual readiness for violence, expressed in a radical group
    discrimination_exposure: np.ndarray   # lasting individual exposure to discrimination (mean 1)

    @property
    def shield_direction(self) -> np.ndarray:
        """+1 protects against radical influence (phases 0-2), -1 protects the group (phase 3)."""
        return np.where(self.phase == Phase.ACTION, -1, 1).astype(np.int8)

    @property
    def young(self) -> np.ndarray:
        return (self.age >= YOUTH_AGE[0]) & (self.age <= YOUTH_AGE[1])

    def astype(self, dtype) -> "ResidentState":
        """A copy whose continuous variables and propensities are stored as ``dtype`` (age stays float64)."""
        return ResidentState(**{name: value.astype(dtype) if value.dtype.kind == "f" and name != "age" else value
                                for name, value in self.as_dict().items()})

    def copy(self) -> "ResidentState":
        return ResidentState(**{f.name: getattr(self, f.name).copy() for f in fields(self)})

    def as_dict(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def movement_of(background: np.ndarray) -> np.ndarray:
    """The movement of each resident's side: the grievance movement for minority backgrounds, else anti-minority."""
    return np.where(background > 0, Movement.GRIEVANCE, Movement.ANTI_MINORITY).astype(np.int8)


def initial_state(town: Town, params: Parameters, rng: np.random.Generator) -> ResidentState:
    """Draw the week-0 state (ODD section 5, Initialisation).

    Lasting individual offsets (dispositions) for uncertainty and trust are
    drawn from normal distributions; they are the main source of individual
    differences beyond network position. Continuous variables start near the targets their rules relax to, with
    individual noise (``initial_noise_sd``), so the burn-in is short. Radical belief
    starts from Beta(``initial_belief_alpha``, ``initial_belief_beta``) (mean 0.08 by
    default); residents above the sensitivity threshold start in phase 1. Seeded
    radical relatives start in phase 2 with belief ``relative_radical_belief``.
    Exposure to discrimination is Gamma with mean 1 and coefficient of variation
    ``discrimination_exposure_sd``; identification starts at its target; the identity
    strategy is drawn once from E11 with the week-0 state. Every
    constant is a field of :class:`model.parameters.Parameters`.
    """
    p = params
    n = town.n_residents
    young = town.young
    minority = town.background > 0

    def noisy(centre):
        return np.clip(centre + rng.normal(0.0, p.initial_noise_sd, n), 0.0, 1.0)

    household = town.household
    n_house = int(household.max()) + 1 if n else 0
    shared = p.family_resemblance

    def disposition(sd):
        """N(0, sd^2), of which the share ``family_resemblance`` of the variance is shared within the household."""
        return sd * (np.sqrt(shared) * rng.normal(0.0, 1.0, n_house)[household]
                     + np.sqrt(1.0 - shared) * rng.normal(0.0, 1.0, n))

    uncertainty_propensity = disposition(params.uncertainty_propensity_sd)
    trust_propensity = disposition(params.trust_propensity_sd)
    uncertainty = noisy(params.uncertainty_base + params.uncertainty_youth * young + uncertainty_propensity)
    cv = p.discrimination_exposure_sd
    if cv > 0:      # a household's exposure (its street, its jobs) and the person's own, both Gamma with mean 1
        k = 1.0 / cv ** 2
        exposure = (shared * rng.gamma(k, 1.0 / k, n_house)[household] + (1.0 - shared) * rng.gamma(k, 1.0 / k, n))
    else:
        exposure = np.ones(n)
    inst = params.societal_discrimination * (1.0 - params.institutional_fairness) * minority
    personal = np.clip(inst * exposure, 0.0, 1.0)
    identification = np.clip(p.identification_base + p.identification_rejection * 0.5 * personal, 0.0, 1.0)
    group = np.clip(params.group_deprivation_macro_weight * identification * params.societal_discrimination
                    * minority + (1.0 - params.group_deprivation_macro_weight) * inst, 0.0, 1.0)
    identification = np.clip(p.identification_base + p.identification_rejection * group, 0.0, 1.0)
    perceived = 0.5 * (personal + group)
    significance = noisy(p.initial_significance_base + p.initial_significance_discrimination * perceived)
    trust = noisy(params.institutional_fairness * (1.0 - params.trust_discrimination * perceived) + trust_propensity)
    prejudice_propensity = disposition(params.prejudice_propensity_sd)
    prejudice = np.clip(np.where(minority, params.prejudice_minority, params.prejudice_majority)
                        + prejudice_propensity, 0.0, 1.0)
    violence_propensity = rng.normal(0.0, params.violence_propensity_sd, n)
    belief = rng.beta(p.initial_belief_alpha, p.initial_belief_beta, n)
    violence = belief * rng.beta(1.0, p.initial_violence_beta, n)
    shield = noisy(params.shield_base + params.shield_trust * trust + p.initial_complexity * params.shield_complexity
                   - params.shield_discrimination * perceived)
    old_enough = town.age >= p.radicalisation_min_age
    phase = np.where((belief >= params.sensitivity_threshold) & old_enough, Phase.SENSITIVITY,
                     Phase.NONE).astype(np.int8)
    time_in_phase = rng.integers(0, p.initial_weeks_in_phase_max, n).astype(np.int32)
    rel = town.radical_relative
    k = int(rel.sum())
    if k:
        phase[rel] = Phase.GROUP_MEMBERSHIP
        belief[rel] = p.relative_radical_belief
        violence[rel] = rng.uniform(p.relative_violence_low, p.relative_violence_high, k)
        time_in_phase[rel] = rng.integers(0, p.relative_weeks_in_group_max, k)
    permeability = rules.perceived_permeability.vectorized(p.permeability_contact, town.contact_share())
    strategy = rules.identity_strategy.vectorized(0.0, rng.random(n), 0.0, 1.0, group, p.threat_grievance_weight,
                                                  prejudice, p.grievance_half_saturation, permeability, trust, 1.0,
                                                  1.0, 0.0, 0.0)        # week 0: no peer term
    state = ResidentState(
        phase=phase,
        time_in_phase=time_in_phase,
        identity_strategy=strategy.astype(np.int8),
        polarisation_role=np.zeros(n, dtype=np.int8),
        movement=movement_of(town.background),
        age=town.age.astype(np.float64).copy(),
        identification=identification,
        identity_uncertainty=uncertainty,
        personal_discrimination=personal,
        group_discrimination=group,
        perceived_discrimination=perceived,
        significance_loss=significance,
        institutional_trust=trust,
        prejudice=prejudice,
        radical_belief=belief,
        violence_attitude=violence,
        resilience_shield=shield,
        uncertainty_propensity=uncertainty_propensity,
        trust_propensity=trust_propensity,
        prejudice_propensity=prejudice_propensity,
        violence_propensity=violence_propensity,
        discrimination_exposure=exposure,
    )
    return state
