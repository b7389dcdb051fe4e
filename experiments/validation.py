"""Hold the model against published findings: ``radsim validate`` (pattern-oriented validation).

Every target lives in ``experiments/targets.toml``: its level (micro, meso, macro, events), its role
(``calibrate``: the parameters may be fitted to it; ``validate``: never used in fitting), the quantity, the
source, the published value, the accepted range, the mapping from the model to the published figure and what a
pass and a fail mean. This module only *measures* (:func:`measure`) and then *judges* each measurement against
its target as read from the file (:func:`evaluate`); it has no ranges of its own. A failing check is reported,
never bent. The report (``validation.md`` with its figures, plus ``checks.csv``) is written atomically to the
output folder. See ``docs/validation.md``.

Replication ``k`` of a group of checks runs with the seed :func:`experiments.seeds.replication_seed`
``(base, k)``, with its own base per group (:data:`SEED_BASES`), so the groups do not share towns; the attack
runs and their no-attack twins share seeds (common random numbers).
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from model import RadicalisationModel
from model.state import Phase

from .plots import PHASE_COLOURS, PHASE_LABELS
from .provenance import provenance_json
from .runner import atomic_outputs
from .seeds import replication_seed
from .stats import mean_ci

__all__ = ["Check", "Settings", "Target", "Measurement", "TargetsError", "QUICK", "FULL", "SEED_BASES", "LEVELS",
           "ROLES", "CRITERIA", "load_targets", "targets_path", "judge", "measure", "evaluate", "run_validation",
           "write_report", "report_markdown"]

SEED_BASES = {"contact": 1000, "population": 2000, "attitude_action": 3000, "attack": 5000}
"""The base seed of each group of checks' replications."""

LEVELS = ("micro", "meso", "macro", "events")
ROLES = ("calibrate", "validate")
CRITERIA = ("value", "ci")
REQUIRED = ("id", "number", "name", "level", "role", "quantity", "source", "published", "value", "range",
            "mapping", "pass_means", "fail_means")
"""The fields every ``[[target]]`` of the targets file must have."""
TEXT_FIELDS = ("id", "number", "name", "quantity", "source", "published", "mapping", "pass_means", "fail_means")


class TargetsError(ValueError):
    """A targets file that cannot be used; the message is one line naming the target, the field and what is allowed."""


@dataclass(frozen=True)
class Settings:
    """Town sizes, length (steps, one step = one week) and replications of the validation runs.

    ``n_residents``: the contact checks (1, 1b); ``check3_n_residents``: the comparison of check 3 (at societal
    discrimination ``high_discrimination``); ``prevalence_n_residents``: the default-parameter towns of the
    timing, meso, pyramid, national-prevalence and youth checks (large, since members are rare: rates are per
    100,000); ``event_n_residents``: the attack runs and their twins, with an attack in ``attack_week``.
    ``None`` means ``n_residents`` (the town sizes) and ``steps // 2`` (the attack week).
    """

    n_residents: int
    steps: int
    replications: int
    workers: int | None = None
    check3_n_residents: int = 5000
    high_discrimination: float = 0.35      # check 3 runs in the breeding-ground neighbourhood, where residents act
    prevalence_n_residents: int | None = None
    event_n_residents: int | None = None
    attack_week: int | None = None

    @property
    def prevalence_town(self) -> int:
        return self.prevalence_n_residents or self.n_residents

    @property
    def event_town(self) -> int:
        return self.event_n_residents or self.n_residents

    @property
    def attack(self) -> int:
        return self.attack_week if self.attack_week is not None else self.steps // 2


QUICK = Settings(n_residents=2000, steps=260, replications=3, check3_n_residents=3000,
                 prevalence_n_residents=100_000, event_n_residents=2000, attack_week=130)
FULL = Settings(n_residents=10_000, steps=520, replications=10, check3_n_residents=10_000,
                prevalence_n_residents=100_000, event_n_residents=10_000, attack_week=260)


@dataclass(frozen=True)
class Target:
    """One target of the targets file (see its header for the fields)."""

    id: str
    number: str
    name: str
    level: str
    role: str
    quantity: str
    source: str
    published: str
    value: float
    low: float
    high: float
    mapping: str
    pass_means: str
    fail_means: str
    criterion: str = "value"

    @property
    def range_text(self) -> str:
        if self.high == math.inf:
            text = f"at least {self.low:g}"
        elif self.low == self.high:
            text = f"exactly {self.low:g}"
        else:
            text = f"{self.low:g} to {self.high:g}"
        return text + (" (whole 95% CI)" if self.criterion == "ci" else "")


def targets_path() -> Path:
    """The targets file shipped with the package (``experiments/targets.toml``)."""
    return Path(str(resources.files("experiments") / "targets.toml"))


def load_targets(path: str | Path | None = None) -> dict[str, Target]:
    """The targets of ``path`` (default: :func:`targets_path`), by id, in the file's order.

    Raises :class:`TargetsError` with a one-line message for a missing or malformed field.
    """
    path = Path(path) if path is not None else targets_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise TargetsError(f"targets file {path}: cannot read it ({err.strerror})") from None
    except tomllib.TOMLDecodeError as err:
        raise TargetsError(f"targets file {path}: not valid TOML ({err})") from None
    entries = data.get("target")
    if not isinstance(entries, list) or not entries:
        raise TargetsError(f"targets file {path}: needs at least one [[target]] table")
    out: dict[str, Target] = {}
    for k, t in enumerate(entries):
        where = f"targets file {path}, target {t.get('id', k + 1)!s}"
        missing = [f for f in REQUIRED if f not in t]
        if missing:
            raise TargetsError(f"{where}: field {missing[0]!r} is missing (every target needs {', '.join(REQUIRED)})")
        unknown = sorted(set(t) - set(REQUIRED) - {"criterion"})
        if unknown:
            raise TargetsError(f"{where}: unknown field {unknown[0]!r} (allowed: {', '.join(REQUIRED)}, criterion)")
        for f in TEXT_FIELDS:
            if not isinstance(t[f], str) or not t[f].strip():
                raise TargetsError(f"{where}: field {f!r} must be a non-empty string")
        if t["level"] not in LEVELS:
            raise TargetsError(f"{where}: field 'level' must be one of {', '.join(LEVELS)}, not {t['level']!r}")
        if t["role"] not in ROLES:
            raise TargetsError(f"{where}: field 'role' must be one of {', '.join(ROLES)}, not {t['role']!r}")
        criterion = t.get("criterion", "value")
        if criterion not in CRITERIA:
            raise TargetsError(f"{where}: field 'criterion' must be one of {', '.join(CRITERIA)}, not {criterion!r}")
        if not isinstance(t["value"], int | float) or isinstance(t["value"], bool):
            raise TargetsError(f"{where}: field 'value' must be a number (nan where no single figure is published)")
        r = t["range"]
        if (not isinstance(r, list) or len(r) != 2 or any(not isinstance(x, int | float) or isinstance(x, bool)
                                                           or math.isnan(x) for x in r) or r[0] > r[1]):
            raise TargetsError(f"{where}: field 'range' must be [low, high] with numbers low <= high (inf allowed)")
        if t["id"] in out:
            raise TargetsError(f"{where}: field 'id' must be unique; {t['id']!r} appears twice")
        out[t["id"]] = Target(id=t["id"], number=t["number"], name=t["name"], level=t["level"], role=t["role"],
                              quantity=t["quantity"], source=t["source"], published=t["published"],
                              value=float(t["value"]), low=float(r[0]), high=float(r[1]), mapping=t["mapping"],
                              pass_means=t["pass_means"], fail_means=t["fail_means"], criterion=criterion)
    return out


def judge(target: Target, value: float, ci_low: float = math.nan, ci_high: float = math.nan) -> bool:
    """The verdict of ``target`` for a measurement: its criterion applied to its range, bounds included.

    ``value``: the mean lies in the range (a nan value fails); ``ci``: the whole 95% interval lies in the range
    (an interval that could not be computed fails).
    """
    if target.criterion == "ci":
        return bool(np.isfinite(ci_low) and np.isfinite(ci_high) and target.low <= ci_low
                    and ci_high <= target.high)
    return bool(not math.isnan(value) and target.low <= value <= target.high)


@dataclass
class Measurement:
    """The model's value of one target's quantity, with its 95% CI over replications."""

    value: float
    ci_low: float = math.nan
    ci_high: float = math.nan
    detail: str = ""
    figure: str = ""


@dataclass
class Check:
    """One target, the model's value and the verdict (a row of ``checks.csv``)."""

    number: str
    id: str
    name: str
    level: str
    role: str
    quantity: str
    source: str
    published: str
    published_value: float
    low: float
    high: float
    criterion: str
    target: str                     # the accepted range in words
    mapping: str
    value: float
    ci_low: float
    ci_high: float
    passed: bool
    verdict: str                    # "pass" or "FAIL"
    meaning: str                    # what *this* verdict means (the pass text for a pass, the fail text for a fail)
    detail: str = ""
    figure: str = ""


# --- measuring ---------------------------------------------------------------------------------------------------

def _ci(values) -> Measurement:
    """Mean and t-interval of per-replication values; an infinite value (a censored one) makes the mean infinite."""
    v = np.asarray(list(values), dtype=float)
    if np.isinf(v).any():
        return Measurement(float(v[np.isinf(v)][0]))
    return Measurement(*mean_ci(v))


def _within_background_r(m: RadicalisationModel) -> tuple[float, dict[int, float]]:
    """Pearson r of intergroup contact and prejudice within each background, pooled by group size."""
    contact, prejudice, bg = m.engine.contact_share, m.state.prejudice, m.town.background
    per = {}
    for b in np.unique(bg):
        sel = bg == b
        if sel.sum() > 10 and contact[sel].std() > 0 and prejudice[sel].std() > 0:
            per[int(b)] = float(np.corrcoef(contact[sel], prejudice[sel])[0, 1])
    sizes = {b: int((bg == b).sum()) for b in per}
    pooled = sum(per[b] * sizes[b] for b in per) / sum(sizes.values()) if sizes else math.nan
    return pooled, per


def measure_contact(s: Settings, progress) -> tuple[dict[str, Measurement], dict]:
    """Checks 1 and 1b: r of contact and prejudice without a programme, and optimal minus bare contact."""
    allport = {"type": "intergroup_contact", "start": 0, "intensity": 1.0, "target": {"share": 0.3}}
    arms = {"none": [], "bare contact": [allport],
            "optimal contact": [{**allport, "common_goal": True, "equal_status": True, "institutional_support": True}]}
    r = {a: [] for a in arms}
    per_bg, sample = [], None
    for rep in range(s.replications):
        for arm, ivs in arms.items():
            m = RadicalisationModel(n_residents=s.n_residents, rng=replication_seed(SEED_BASES["contact"], rep),
                                    interventions=ivs, collect=False)
            m.run_for(min(s.steps, 156))
            pooled, per = _within_background_r(m)
            r[arm].append(pooled)
            if arm == "none":
                per_bg.append(per)
                if sample is None:
                    sample = (m.engine.contact_share.copy(), m.state.prejudice.copy(), m.town.background.copy())
            progress()
    c1 = _ci(r["none"])
    c1.detail = "r per background (0 = majority): " + ", ".join(
        f"{b}: {np.mean([p[b] for p in per_bg if b in p]):+.2f}" for b in sorted(per_bg[0]))
    c1.figure = "contact_prejudice.png"
    c1b = _ci(np.array(r["optimal contact"]) - np.array(r["bare contact"]))
    c1b.detail = f"mean r: bare contact {np.mean(r['bare contact']):+.3f}, optimal contact " \
                 f"{np.mean(r['optimal contact']):+.3f}"
    c1b.figure = "contact_prejudice.png"
    return {"contact_prejudice": c1, "contact_optimal": c1b}, {"r": r, "sample": sample}


def radical_assortativity(m: RadicalisationModel) -> float:
    """Check 5a: the share of phase >= 1 residents' ties that go to phase >= 1 residents, over the share random
    mixing within backgrounds would give (each tie to background b goes to b's phase >= 1 share)."""
    radical = (m.state.phase >= Phase.SENSITIVITY).astype(np.float64)
    a = m.engine.adjacency.copy()
    a.data[:] = 1.0
    bg = m.town.background
    mask = radical > 0
    if not mask.any():
        return math.nan
    observed = float((a @ radical)[mask].sum())
    expected = 0.0
    for b in np.unique(bg):
        in_b = (bg == b).astype(np.float64)
        share = radical[bg == b].mean()
        expected += float((a @ in_b)[mask].sum()) * share
    return observed / expected if expected > 0 else math.nan


def members_with_close_ties(m: RadicalisationModel) -> tuple[int, int]:
    """Check 5b: members (phase 2-3, not in prison) with a close tie (strength >= kin_tie_strength) to another
    resident in phase >= 1 or a relative in phase >= 1; returns ``(such members, members)``."""
    phase = m.state.phase
    radical = (phase >= Phase.SENSITIVITY).astype(np.float64)
    members = (phase >= Phase.GROUP_MEMBERSHIP) & ~m.removed
    a = m.engine.adjacency.tocsr()
    close = a.copy()
    close.data = (close.data >= m.params.kin_tie_strength).astype(np.float64)
    close.eliminate_zeros()
    through_ties = (close @ radical) > 0
    household = m.town.household
    relatives = np.bincount(household, weights=radical)[household] - radical > 0
    tied = members & (through_ties | relatives)
    return int(tied.sum()), int(members.sum())


def _half_life(excess: np.ndarray) -> tuple[float, float, int]:
    """``(peak, weeks from the peak to the first week below half of it, week of the peak)``; inf if censored."""
    if excess.size == 0:
        return math.nan, math.nan, 0
    k = int(np.argmax(excess))
    peak = float(excess[k])
    if peak <= 0:
        return peak, math.nan, k
    below = np.flatnonzero(excess[k:] < peak / 2)
    return peak, float(below[0]) if below.size else math.inf, k


def measure_population(s: Settings, progress) -> tuple[dict[str, Measurement], dict]:
    """Default-parameter towns of ``prevalence_town`` residents: timing (4a-4d), meso (5a, 5b), national
    prevalence (6a-6d), the pyramids (2a-2d) and the young people (7a, 7b)."""
    per = {k: [] for k in ("timing_median", "timing_fast", "timing_slow", "timing_skew", "radical_assortativity",
                           "members_close_ties", "members_grievance", "members_anti_minority", "actors_grievance",
                           "actors_anti_minority", "pyramid_grievance_base", "pyramid_grievance_top",
                           "pyramid_anti_minority_base", "pyramid_anti_minority_top", "youth_grievance",
                           "youth_anti_minority")}
    delays, counts, tied_total, members_total = [], [], 0, 0
    n = s.prevalence_town
    for rep in range(s.replications):
        m = RadicalisationModel(n_residents=n, rng=replication_seed(SEED_BASES["population"], rep))
        m.run_for(s.steps)
        late = m.timeseries()
        late = late[late.step >= s.steps // 2]
        for mv in ("grievance", "anti_minority"):
            p1, p3 = (float(late[f"phase_{k}_{mv}"].mean()) for k in (1, 3))
            members = float(late[f"members_{mv}"].mean())
            per[f"members_{mv}"].append(1e5 * members / n)
            per[f"actors_{mv}"].append(1e5 * p3 / n)
            per[f"pyramid_{mv}_base"].append(p1 / members if members > 0 else math.nan)
            per[f"pyramid_{mv}_top"].append(members / p3 if p3 > 0 else math.nan)
            per[f"youth_{mv}"].append(float(late[f"young_sympathiser_share_{mv}"].mean()))
        counts.append({f"phase_{k}_{mv}": float(late[f"phase_{k}_{mv}"].mean()) for k in range(1, 4)
                       for mv in ("grievance", "anti_minority")})
        d = np.asarray(m.action_delays, dtype=float)
        delays.append(d)
        per["timing_median"].append(float(np.median(d)) if d.size else math.nan)
        per["timing_fast"].append(float((d <= 6).mean()) if d.size else math.nan)
        per["timing_slow"].append(float((d >= 104).mean()) if d.size else math.nan)
        per["timing_skew"].append(float(stats.skew(d)) if d.size >= 8 else math.nan)
        per["radical_assortativity"].append(radical_assortativity(m))
        tied, members = members_with_close_ties(m)
        tied_total, members_total = tied_total + tied, members_total + members
        per["members_close_ties"].append(tied / members if members else math.nan)
        progress()
    out = {k: _ci(v) for k, v in per.items()}
    alld = np.concatenate(delays)
    town = f"{n:,} residents, {s.replications} replications"
    timing = (f"{alld.size} delays in all ({town}); median {np.median(alld):.0f} weeks, mean {np.mean(alld):.0f}; "
              f"{100 * (alld <= 6).mean():.1f}% within 6 weeks, {100 * (alld >= 104).mean():.1f}% after 104 weeks "
              f"or more" if alld.size else f"no resident acted ({town})")
    for k in ("timing_median", "timing_fast", "timing_slow", "timing_skew"):
        out[k].detail, out[k].figure = timing, "timing.png"
        missing = int(np.isnan(per[k]).sum())
        if missing:
            out[k].detail += f"; {missing} replication(s) with too few delays left out"
    out["members_close_ties"].detail = f"{tied_total} of {members_total} members at the end of the runs ({town})"
    out["radical_assortativity"].detail = f"at the end of the runs ({town})"
    mean_counts = pd.DataFrame(counts).mean()
    for mv, label in (("grievance", "grievance"), ("anti_minority", "anti-minority")):
        c = [mean_counts[f"phase_{k}_{mv}"] for k in (1, 2, 3)]
        text = (f"{label} movement, mean over the second half ({town}): phase 1 {c[0]:.1f}, phase 2 {c[1]:.1f}, "
                f"phase 3 {c[2]:.1f}")
        for k in (f"members_{mv}", f"actors_{mv}", f"pyramid_{mv}_base", f"pyramid_{mv}_top"):
            gaps = int(np.isnan(per[k]).sum())
            out[k].detail = text + (f"; {gaps} replication(s) with an empty layer left out" if gaps else "")
            out[k].figure = "prevalence.png" if k.startswith(("members", "actors")) else "pyramid.png"
        out[f"youth_{mv}"].figure = "pyramid.png"
        out[f"youth_{mv}"].detail = f"mean over the second half ({town})"
    national = {k: per[k] for k in ("members_grievance", "members_anti_minority", "actors_grievance",
                                    "actors_anti_minority")}
    return out, {"delays": alld, "counts": mean_counts, "national": national}


def measure_attack(s: Settings, progress) -> tuple[dict[str, Measurement], dict]:
    """Checks 8a-8d: an attack in ``attack`` against the same seed without it (common random numbers)."""
    columns = {"prejudice": "mean_prejudice_majority", "discrimination": "mean_discrimination_minority"}
    peaks = {k: [] for k in columns}
    halves = {k: [] for k in columns}
    peak_weeks = {k: [] for k in columns}
    excesses = {k: [] for k in columns}
    week = s.attack
    for rep in range(s.replications):
        seed = replication_seed(SEED_BASES["attack"], rep)
        runs = []
        for attack in ([week], []):
            m = RadicalisationModel(n_residents=s.event_town, rng=seed, attack_weeks=attack)
            m.run_for(s.steps)
            runs.append(m.timeseries().set_index("step"))
            progress()
        after = runs[0].index > week          # the row of step t holds the state after week t - 1
        for k, col in columns.items():
            excess = (runs[0][col] - runs[1][col])[after].to_numpy()
            excesses[k].append(excess)
            peak, half, at = _half_life(excess)
            peaks[k].append(peak)
            halves[k].append(half)
            peak_weeks[k].append(at + 1)
    out = {}
    for k in columns:
        town = f"{s.event_town:,} residents, attack in week {week} of {s.steps}, {s.replications} replications"
        out[f"attack_{k}_peak"] = _ci(peaks[k])
        out[f"attack_{k}_peak"].detail = (f"peak {np.mean(peak_weeks[k]):.0f} weeks after the attack on average "
                                          f"({town})")
        out[f"attack_{k}_half_life"] = _ci(halves[k])
        censored = int(np.isinf(halves[k]).sum())
        out[f"attack_{k}_half_life"].detail = (f"half-lives per replication: "
                                               + ", ".join(_fmt(h) for h in halves[k])
                                               + (f"; {censored} censored at the end of the run" if censored else ""))
        for c in (f"attack_{k}_peak", f"attack_{k}_half_life"):
            out[c].figure = "attack.png"
    return out, {"excess": {k: np.array(excesses[k]) for k in columns}, "week": week}


def measure_attitude_action(s: Settings, progress) -> tuple[dict[str, Measurement], dict]:
    """Check 3: the share of the arms whose attitude/action split is the expected one (PROTON-T)."""
    from .attitude_action import ARMS, measure as measure_arms, percent_with_ci

    arms = 1 + len({a.get("arm") for a in ARMS})
    measured, _, _ = measure_arms(s.replications, s.check3_n_residents, s.steps, s.high_discrimination,
                                  seed=SEED_BASES["attitude_action"], workers=s.workers,
                                  progress=lambda done, total: progress() if done % arms == 0 else None)
    rows = []
    for row in measured:
        expected = row["changes"] == ("action more" if "opportunity" in row["arm"] else "attitudes more")
        rows.append({**row, "as_expected": expected})
    share = float(np.mean([r["as_expected"] for r in rows]))
    detail = (" ; ".join(f"{r['arm']}: phase 1 {percent_with_ci(r, 'phase_1', 'change_phase_1')}, phase-3 entries "
                         f"{percent_with_ci(r, 'phase_3_entries', 'change_phase_3_entries')}"
                         f"{'' if r['as_expected'] else ' (not as expected)'}" for r in rows)
              + f" (the breeding-ground neighbourhood, societal discrimination {s.high_discrimination}, "
                f"{s.check3_n_residents:,} residents, "
                f"{s.replications} replications, common random numbers)")
    return {"attitude_action": Measurement(share, detail=detail, figure="attitude_action.png")}, {"rows": rows}


def total_runs(s: Settings) -> int:
    """The runs :func:`measure` reports progress for."""
    return s.replications * (3 + 1 + 1 + 2)


def measure(settings: Settings = QUICK, progress: Callable[[int, int], None] | None = None
            ) -> tuple[dict[str, Measurement], dict]:
    """Run every group of checks; returns the measurements by target id and the data behind the figures."""
    if not 0 < settings.attack < settings.steps - 1:
        raise ValueError(f"attack_week must be between 1 and steps - 2 ({settings.steps - 2}), "
                         f"not {settings.attack}")
    total = total_runs(settings)
    done = [0]

    def tick():
        done[0] += 1
        if progress:
            progress(done[0], total)

    measurements, data = {}, {}
    for name, fn in (("contact", measure_contact), ("population", measure_population),
                     ("attitude_action", measure_attitude_action), ("attack", measure_attack)):
        found, data[name] = fn(settings, tick)
        measurements.update(found)
    return measurements, data


def evaluate(measurements: Mapping[str, Measurement], targets: Mapping[str, Target]) -> list[Check]:
    """Judge each measurement against its target; checks sorted by number. Every target needs a measurement."""
    missing = [t for t in targets if t not in measurements]
    if missing:
        raise TargetsError(f"target {missing[0]!r}: the validation measures no quantity of that id "
                           f"(known: {', '.join(sorted(measurements))})")
    checks = []
    for t in targets.values():
        mm = measurements[t.id]
        passed = judge(t, mm.value, mm.ci_low, mm.ci_high)
        checks.append(Check(number=t.number, id=t.id, name=t.name, level=t.level, role=t.role, quantity=t.quantity,
                            source=t.source, published=t.published, published_value=t.value, low=t.low,
                            high=t.high, criterion=t.criterion, target=t.range_text, mapping=t.mapping,
                            value=mm.value, ci_low=mm.ci_low, ci_high=mm.ci_high, passed=passed,
                            verdict="pass" if passed else "FAIL", meaning=t.pass_means if passed else t.fail_means,
                            detail=mm.detail, figure=mm.figure))
    return sorted(checks, key=lambda c: _number_key(c.number))


def _number_key(number: str) -> tuple[int, str]:
    digits = "".join(ch for ch in number if ch.isdigit())
    return int(digits or 0), number


def run_validation(settings: Settings = QUICK, progress: Callable[[int, int], None] | None = None,
                   targets: Mapping[str, Target] | None = None) -> tuple[list[Check], dict]:
    """Measure, then judge against ``targets`` (default: the targets file); returns the checks and the data."""
    targets = load_targets() if targets is None else targets
    measurements, data = measure(settings, progress)
    return evaluate(measurements, targets), data


# --- the report ----------------------------------------------------------------------------------------------------

def _figures(data: dict, checks: list[Check], folder: Path) -> None:
    import matplotlib.pyplot as plt

    from .plots import use_agg

    use_agg()
    by_id = {c.id: c for c in checks}

    contact, prejudice, bg = data["contact"]["sample"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for b, colour in zip(np.unique(bg), ("#4c72b0", "#dd8452", "#55a868", "#c44e52")):
        sel = bg == b
        axes[0].scatter(contact[sel], prejudice[sel], s=3, alpha=0.3, color=colour,
                        label="majority" if b == 0 else f"minority {b}")
    axes[0].set_xlabel("intergroup contact (share of tie strength to other backgrounds)")
    axes[0].set_ylabel("prejudice (0-1)")
    axes[0].legend(fontsize=7, markerscale=3)
    r = data["contact"]["r"]
    axes[1].boxplot([r[a] for a in r], tick_labels=list(r))
    if "contact_prejudice" in by_id:
        c = by_id["contact_prejudice"]
        axes[1].axhspan(c.low, c.high, color="grey", alpha=0.15, lw=0)
        axes[1].text(0.55, c.high, f"target range {c.target}", fontsize=7, color="grey", va="bottom")
    axes[1].set_ylabel("r(contact, prejudice) within background")
    fig.tight_layout()
    fig.savefig(folder / "contact_prejudice.png", dpi=110)
    plt.close(fig)

    counts = data["population"]["counts"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharex=True)
    for ax, (mv, label) in zip(axes, (("grievance", "grievance movement"), ("anti_minority", "anti-minority"))):
        ax.barh(PHASE_LABELS[1:], [max(counts[f"phase_{k}_{mv}"], 1e-2) for k in (1, 2, 3)],
                color=PHASE_COLOURS[1:])
        ax.set_xscale("log")
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("residents (mean over the second half, log)")
    fig.tight_layout()
    fig.savefig(folder / "pyramid.png", dpi=110)
    plt.close(fig)

    national = data["population"]["national"]
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    names = list(national)
    for i, k in enumerate(names):
        v = np.asarray(national[k], dtype=float)
        ax.scatter(v, np.full(v.size, i), color="#333333", s=12, zorder=3)
        if k in by_id:
            c = by_id[k]
            ax.plot([max(c.low, 1e-2), c.high], [i, i], color="#55a868", lw=6, alpha=0.4, solid_capstyle="butt")
    ax.set_yticks(range(len(names)), [n.replace("_", " ") for n in names], fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("residents per 100,000 (dots: replications; band: accepted range)")
    fig.tight_layout()
    fig.savefig(folder / "prevalence.png", dpi=110)
    plt.close(fig)

    rows = data["attitude_action"]["rows"]
    fig, ax = plt.subplots(figsize=(6.5, 3.7))
    y = np.arange(len(rows))
    for offset, key, prefix, label in ((-0.2, "change_phase_1", "phase_1", "phase-1 prevalence (attitudes)"),
                                       (0.2, "change_phase_3_entries", "phase_3_entries",
                                        "entries into phase 3 (action)")):
        mid = np.array([100 * r[key] for r in rows])
        err = np.array([[m - 100 * r[prefix + "_low"], 100 * r[prefix + "_high"] - m] for m, r in zip(mid, rows)]).T
        ax.barh(y + offset, mid, 0.4, xerr=np.nan_to_num(np.abs(err)), capsize=2, label=label)
    ax.set_yticks(y, [r["arm"] for r in rows], fontsize=8)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel("change against baseline (%), with 95% bootstrap intervals")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False)
    fig.tight_layout()
    fig.savefig(folder / "attitude_action.png", dpi=110)
    plt.close(fig)

    delays = data["population"]["delays"]
    fig, ax = plt.subplots(figsize=(5, 3.2))
    if delays.size:
        ax.hist(delays, bins=30, color=PHASE_COLOURS[3])
    ax.axvline(6, color="grey", ls="--", lw=1)
    ax.axvline(104, color="grey", ls=":", lw=1)
    ax.set_xlabel("weeks from joining a group to action (lines: 6 and 104)")
    ax.set_ylabel("residents")
    fig.tight_layout()
    fig.savefig(folder / "timing.png", dpi=110)
    plt.close(fig)

    excess = data["attack"]["excess"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, (k, label) in zip(axes, (("prejudice", "majority prejudice"),
                                     ("discrimination", "minority residents' perceived discrimination"))):
        e = excess[k]
        weeks = np.arange(1, e.shape[1] + 1)
        for row in e:
            ax.plot(weeks, row, color="#c44e52", alpha=0.3, lw=0.8)
        ax.plot(weeks, e.mean(axis=0), color="#c44e52", lw=1.8)
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_xlabel(f"weeks after the attack (week {data['attack']['week']})")
        ax.set_title(f"excess {label}", fontsize=9)
    fig.tight_layout()
    fig.savefig(folder / "attack.png", dpi=110)
    plt.close(fig)


def _fmt(x: float) -> str:
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return "n/a" if not np.isfinite(x) else (f"{x:.3f}" if abs(x) < 10 else f"{x:,.1f}")


def _side(c: Check) -> str:
    """Where a failed check's value lies against its range, in words."""
    if c.criterion == "ci":
        if not (np.isfinite(c.ci_low) and np.isfinite(c.ci_high)):
            return "no interval could be computed"
        return "the interval reaches outside the accepted range"
    if math.isnan(c.value):
        return "not measurable (no value)"
    return "below the accepted range" if c.value < c.low else "above the accepted range"


def _value(c: Check) -> str:
    ci = "" if not np.isfinite(c.ci_low) else f" [{_fmt(c.ci_low)}, {_fmt(c.ci_high)}]"
    return _fmt(c.value) + ci


def report_markdown(checks: list[Check], settings: Settings, targets_sha256: str = "") -> str:
    """The report: the calibration targets, then the validation targets, each a table and a section per check,
    and a plain list of the failures with what each means."""
    passed = sum(c.passed for c in checks)
    groups = {role: [c for c in checks if c.role == role] for role in ROLES}
    lines = [
        "# radsim validation report", "",
        f"Settings: contact checks {settings.n_residents:,} residents; timing, meso, pyramid, prevalence and youth "
        f"checks {settings.prevalence_town:,} residents; check 3 {settings.check3_n_residents:,} residents of the "
        f"breeding-ground neighbourhood (high_breeding_ground.toml) at societal discrimination "
        f"{settings.high_discrimination}; attack checks {settings.event_town:,} residents "
        f"with an attack in week {settings.attack}; {settings.steps} steps (weeks), {settings.replications} "
        f"replications per check; default parameters otherwise. Values are means over replications with 95% CIs.",
        "",
        f"**{passed} of {len(checks)} checks pass**: {sum(c.passed for c in groups['calibrate'])} of "
        f"{len(groups['calibrate'])} calibration targets, {sum(c.passed for c in groups['validate'])} of "
        f"{len(groups['validate'])} validation targets.", "",
        "Every target, its source and its accepted range are read from `experiments/targets.toml`"
        + (f" (sha256 {targets_sha256[:12]})" if targets_sha256 else "")
        + ", written down before any run; no range was moved after seeing a result. "
        "Calibration targets are the ones the parameters may be fitted to: a pass there is a fitted starting "
        "point, not evidence. Validation targets are never used in fitting.", ""]
    failed = [c for c in checks if not c.passed]
    if failed:
        lines += ["## What fails, and why", ""]
        lines += [f"- **{c.number}. {c.name}** ({c.role}): {_value(c)}: {_side(c)} ({c.target}). {c.meaning}"
                  for c in failed]
        lines.append("")
    for role, title in (("calibrate", "Calibration targets"), ("validate", "Validation targets")):
        if not groups[role]:
            continue
        lines += [f"## {title}", "", "| check | level | value (95% CI) | target | verdict |", "|---|---|---|---|---|"]
        lines += [f"| {c.number}. {c.name} | {c.level} | {_value(c)} | {c.target} | "
                  f"{'pass' if c.passed else '**FAIL**'} |" for c in groups[role]]
        for c in groups[role]:
            lines += ["", f"### {c.number}. {c.name}: {c.verdict}", "",
                      f"- **Level, role:** {c.level}, {c.role}",
                      f"- **Quantity:** {c.quantity}",
                      f"- **Source:** {c.source}",
                      f"- **Published:** {c.published}",
                      f"- **Target:** {c.target}",
                      f"- **Mapping:** {c.mapping}",
                      f"- **Model:** {_value(c)}" + (f"; {c.detail}" if c.detail else ""),
                      f"- **Meaning:** {c.meaning}"]
            if c.figure:
                lines += ["", f"![{c.name}]({c.figure})"]
        lines.append("")
    lines += ["What these checks do not show: that the model forecasts anything about a real town or person. "
              "See docs/validation.md."]
    return "\n".join(lines) + "\n"


def write_report(checks: list[Check], data: dict, settings: Settings, out: str | Path,
                 targets_file: str | Path | None = None) -> Path:
    """Write ``validation.md``, ``checks.csv``, the figures and ``provenance.json`` to ``out`` (all or nothing).

    The configuration of the provenance is the settings but the worker count (which does not change results),
    plus the sha256 of the targets file.
    """
    sha = hashlib.sha256(Path(targets_file or targets_path()).read_bytes()).hexdigest()
    config = {k: v for k, v in asdict(settings).items() if k != "workers"}
    config["targets_sha256"] = sha
    seeds = {"bases": SEED_BASES, "replications": settings.replications, "scheme": "replication_seed(base, k)"}
    with atomic_outputs(out) as tmp:
        (tmp / "provenance.json").write_text(provenance_json(config, seeds=seeds), encoding="utf-8")
        _figures(data, checks, tmp)
        (tmp / "validation.md").write_text(report_markdown(checks, settings, sha), encoding="utf-8")
        pd.DataFrame([asdict(c) for c in checks]).to_csv(
            tmp / "checks.csv", index=False)
    return Path(out) / "validation.md"
