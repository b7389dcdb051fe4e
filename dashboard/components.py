"""The views of the dashboard, as Solara components.

Each view takes the :class:`~dashboard.session.Session` (as Mesa's visualisation
components take the model) and subscribes only to the reactive values it shows:
the town views redraw every week (``session.tick``), the what-if panel only when
the interventions change (``session.panel``). Expensive work (the network
pictures) is cached with ``use_memo``, keyed on the town build and the week, so a
language switch or a click elsewhere does not redraw them.

Every change a view makes goes through the session (``session.run`` for a view's own
state), so it happens under the session's lock, never while the play loop steps.
No view uses ``solara.Markdown``: it loads mermaid and KaTeX from the CDN in the
browser, which a training room without internet does not have; the texts are plain.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable

import numpy as np
import solara

from experiments.plots import PHASE_COLOURS
from model.interventions import INTERVENTION_TYPES
from model.town import LAYERS

from . import charts
from .i18n import EXPLAINED, explain, number, percent, t, tick
from .picture import PICTURE_SIZE, NetworkPicture, encode_jpeg
from .session import Session, slider_value
from .twin import CONTROLS, MOVEMENTS, ROLES, STRATEGIES, InterventionChoice, TwinTowns
from .widgets import ClickableImage

SIDE_KEYS = ("as_is", "what_if")
STORY_COLOURS = {"perceived_discrimination": "#b01234", "identity_uncertainty": "#7b3fa0",
                 "institutional_trust": "#1565c0", "resilience_shield": "#2e7d32", "radical_belief": "#e86b1e",
                 "identification": "#00838f"}
STORY_LABELS = {"perceived_discrimination": "q_discrimination", "identity_uncertainty": "q_uncertainty",
                "institutional_trust": "q_trust", "resilience_shield": "q_shield", "radical_belief": "q_belief",
                "identification": "q_identification"}
MOVEMENT_COLOURS = {"grievance": "#00838f", "anti_minority": "#6d4c41"}
"""One colour per movement in the trends (the pyramids use the phase colours on both sides)."""
ROLE_COLOURS = {"silent_middle": "#78909c", "pusher": "#c62828", "joiner": "#f9a825", "bridge_builder": "#2e7d32",
                "scapegoat": "#6a1b9a"}
ROLE_EXPLAIN = {"silent_middle": "silent_middle", "pusher": "pusher", "joiner": "joiner",
                "bridge_builder": "bridge_builder", "scapegoat": "scapegoat"}
ANTI_MINORITY_MARK = "#5c6bc0"
"""Colour of the marks of attacks by the anti-minority side (those by the grievance side are red)."""
MAX_POINTS = 600
PYRAMID_WIDTH = 308
"""Pixels of a town's pyramids: the card's width, so that they are drawn at their size, not scaled down."""
INFO_STYLE = ("cursor:help;color:#1565c0;border:1.5px solid #1565c0;border-radius:50%;width:16px;height:16px;"
              "display:inline-flex;align-items:center;justify-content:center;font:bold 11px serif;margin-left:4px;"
              "flex:none")


def phase_label(lang: str, k: int) -> str:
    return f"{k} {t(lang, f'phase_{k}')}"


def movement_label(lang: str, movement: str) -> str:
    return t(lang, f"movement_{movement}")


def role_label(lang: str, role: str) -> str:
    return t(lang, f"role_{role}")


def strategy_label(lang: str, strategy: str) -> str:
    return t(lang, f"strategy_{strategy}")


def attack_marks(lang: str, towns: TwinTowns) -> dict:
    """The marks of the attacks on a chart: by the grievance side in red, by the anti-minority side in blue."""
    return dict(marks=towns.attacks, mark_label=t(lang, "attack"),
                other_marks=towns.anti_minority_attacks, other_mark_label=t(lang, "attack_anti_minority"),
                other_mark_colour=ANTI_MINORITY_MARK)


def background_label(lang: str, b: int) -> str:
    return t(lang, f"background_{b}") if b <= 2 else t(lang, "background_n", k=b)


def _thin(x: list, *ys: list) -> tuple:
    """Every k-th point so that a chart has at most MAX_POINTS points (the last point is kept)."""
    n = len(x)
    if n <= MAX_POINTS:
        return (x, *ys)
    idx = np.unique(np.concatenate([np.linspace(0, n - 1, MAX_POINTS).astype(int), [n - 1]]))
    return tuple([seq[i] for i in idx] for seq in (x, *ys))


def InfoTip(lang: str, key: str, light: bool = False) -> None:
    """A small (i) that explains ``key`` in plain words on hover (the browser's own tooltip: one element).

    ``light``: drawn in white, for the dark app bar.
    """
    style = INFO_STYLE.replace("#1565c0", "#ffffff") if light else INFO_STYLE
    solara.HTML(tag="span", unsafe_innerHTML="i", classes=["radsim-info"],
                attributes={"title": explain(lang, key), "data-explain": key}, style=style)


def LabelledSlider(lang: str, name: str, label: str, value: float, on_value: Callable[[float], None], *,
                   low: float, high: float, step: float, integer: bool = False, explain_key: str | None = None,
                   disabled: bool = False) -> None:
    """A slider with its name above it and, to the right, its value and unit (``slider_value``)."""
    with solara.Column(gap="0px", classes=["radsim-slider", f"radsim-slider-{name}"]):
        with solara.Row(gap="2px", style="align-items:center;font-size:13px"):
            solara.Text(label)
            if explain_key:
                InfoTip(lang, explain_key)
            solara.Div(style="flex:1")
            solara.Text(slider_value(lang, name, value), classes=["radsim-slider-value"],
                        style="font-weight:bold;text-align:right;max-width:66%")     # wraps, never overflows
        if integer:
            solara.SliderInt("", value=int(value), min=int(low), max=int(high), step=int(step),
                             on_value=on_value, disabled=disabled, thumb_label=False)
        else:
            solara.SliderFloat("", value=float(value), min=low, max=high, step=step, on_value=on_value,
                               disabled=disabled, thumb_label=False)



def fmt(lang: str) -> Callable[[float], str]:
    """The chart number formatter of ``lang`` (18,400 / 18.400)."""
    return lambda value: tick(lang, value)


# --- the town network ------------------------------------------------------------------

@solara.component
def TownPicture(towns: TwinTowns, side: int, week: int, selected: int | None, lang: str,
                on_pick: Callable[[int], None]):
    """The network of one town, coloured by phase; the selected resident ringed with their ties.

    A click picks the resident drawn nearest to it (``on_pick``).
    """
    model = towns.models[side]
    n_ties = int(model.town.edge_source.size)

    def make_picture() -> NetworkPicture:
        return NetworkPicture(towns.positions, model.town.edge_source, model.town.edge_target, model.town.background,
                              *PICTURE_SIZE, neighbourhood=towns.as_is.town.neighbourhood, names=towns.hood_names)

    picture = solara.use_memo(make_picture, [towns.build, side, n_ties])

    def make_jpeg() -> str:
        sel = selected if selected is not None and 0 <= selected < model.town.n_residents else None
        tied = towns.resident_profile(side, sel)["tied"] if sel is not None else None
        jpeg = encode_jpeg(picture.draw(towns.phases(side), sel, tied))
        return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")

    src = solara.use_memo(make_jpeg, [picture, week, selected, towns.build])
    ClickableImage.element(src=src, css_class=f"radsim-network radsim-network-{side}", tip=t(lang, "click_to_meet"),
                           handler=lambda x, y: on_pick(picture.nearest(x, y)))


@solara.component
def TownView(session: Session, side: int):
    """One town: its name, the network, and the pyramid with the counts per phase."""
    session.tick.value                    # redraw every week
    towns, lang, selected = session.towns.value, session.lang.value, session.selected.value
    counts = towns.movement_counts(side)
    title = t(lang, SIDE_KEYS[side])
    if side == 1:
        names = [t(lang, f"iv_{k}") for k in towns.intervention_names()]
        sub = t(lang, "with_list", names=", ".join(names)) if names else t(lang, "no_interventions")
    else:
        sub = t(lang, "counts", week=number(lang, towns.week))
    with solara.Card(margin=1, classes=[f"radsim-town-{side}"], style="padding:4px 8px"):
        with solara.Row(gap="0px", style="align-items:baseline;flex-wrap:nowrap;min-height:22px"):
            solara.Text(title, classes=["radsim-town-head"])
            solara.Text(sub, classes=["radsim-town-sub", f"radsim-town-sub-{side}"])
            InfoTip(lang, "pyramid")
        TownPicture(towns, side, towns.week, selected, lang, session.meet)
        with solara.Row(style="align-items:center;justify-content:center;margin:0 -12px"):   # into the padding
            solara.HTML(unsafe_innerHTML=charts.pyramid(
                counts["grievance"], counts["anti_minority"], [t(lang, f"phase_{k}") for k in range(4)],
                PHASE_COLOURS, heads=(t(lang, "pyramid_grievance"), t(lang, "pyramid_anti_minority")),
                corner=t(lang, "pyramid_movement"),
                head_tips=(explain(lang, "grievance_movement"), explain(lang, "anti_minority_movement")),
                tips=[explain(lang, f"phase_{k}") for k in range(4)], css_class=f"radsim-pyramid-{side}",
                width=PYRAMID_WIDTH, height=100, fmt=fmt(lang)), classes=[f"radsim-counts-{side}"])


def cost_texts(lang: str, towns: TwinTowns) -> list[str]:
    """The package's cost so far, per averted entry into a radical group, and what a unit is."""
    cost = towns.latest(1, "cost") - towns.latest(0, "cost")
    averted = int(towns.latest(0, "entered_phase_2") - towns.latest(1, "entered_phase_2"))
    lines = [t(lang, "cost_package", cost=number(lang, cost))]
    if cost > 0 and averted > 0:
        lines.append(t(lang, "cost_per_averted", per=number(lang, cost / averted), averted=number(lang, averted),
                       share=percent(lang, 1.0 / averted, 0 if averted <= 100 else 1)))
    elif averted < 0:
        lines.append(t(lang, "cost_more_entries", n=number(lang, -averted)))
    elif cost > 0:
        lines.append(t(lang, "cost_none_averted"))
    unit = {name: number(lang, INTERVENTION_TYPES[name].model_fields["cost"].default)
            for name in ("key_figures", "care_and_repression")}
    lines.append(t(lang, "cost_unit", key_figure=unit["key_figures"], exit=unit["care_and_repression"]))
    return lines


@solara.component
def CostNote(session: Session):
    """The cost of the right-hand town's package in terms a room understands."""
    session.tick.value
    lang, towns = session.lang.value, session.towns.value
    if not towns.what_if.interventions:
        return
    first, *rest = cost_texts(lang, towns)
    with solara.Column(gap="2px", classes=["radsim-cost-box"], style="margin:0 4px 6px"):
        solara.Text(first, classes=["radsim-cost"], style="font-weight:bold;font-size:13px")
        for line in rest:
            solara.Text(line, classes=["radsim-cost-detail"], style="font-size:12px;color:#444")


@solara.component
def DifferencePlot(session: Session):
    """Residents per phase, with interventions minus as is, week by week."""
    session.tick.value
    towns, lang = session.towns.value, session.lang.value
    a, b = towns.series(0), towns.series(1)
    series = []
    for k in (1, 2, 3):
        diff = [y - x for x, y in zip(a[f"phase_{k}"], b[f"phase_{k}"])]
        x, d = _thin(a["week"], diff)
        series.append(charts.Series(phase_label(lang, k), x, d, PHASE_COLOURS[k], width=2.5))
    last = {k: b[f"phase_{k}"][-1] - a[f"phase_{k}"][-1] for k in (1, 2, 3)}
    with solara.Card(margin=1, classes=["radsim-difference"], style="padding:4px 8px"):
        with solara.Row(style="align-items:center;flex-wrap:wrap", gap="8px"):
            solara.Text(t(lang, "difference"), style="font-weight:bold;font-size:13px")
            InfoTip(lang, "difference")
            solara.HTML(unsafe_innerHTML=charts.legend([(f"{s.label}: {number(lang, last[k], sign=True)}", s.colour,
                                                         False) for k, s in zip((1, 2, 3), series)]),
                        classes=["radsim-difference-now"],
                        attributes={"data-diff": ",".join(f"{last[k]:.0f}" for k in (1, 2, 3))})
        solara.HTML(unsafe_innerHTML=charts.line_chart(
            series, y_label=t(lang, "difference_y"), x_label=t(lang, "weeks"), zero_line=True,
            **attack_marks(lang, towns), width=760, height=146, fmt=fmt(lang)),
            classes=["radsim-difference-chart"], attributes={"data-week": str(a["week"][-1])})


@solara.component
def NoisePanel(session: Session):
    """Ten replications of both towns in the background, and the difference with its 95% band."""
    session.tick.value                    # the band goes stale when the towns' settings change
    lang, band, running = session.lang.value, session.noise.value, session.noise_progress.value
    with solara.Card(margin=1, classes=["radsim-noise"], style="padding:4px 8px"):
        with solara.Row(style="align-items:center;flex-wrap:wrap", gap="8px"):
            solara.Text(t(lang, "noise_card"), style="font-weight:bold;font-size:13px")
            solara.Button(t(lang, "noise_button"), on_click=session.run_noise, disabled=running is not None,
                          outlined=True, small=True, classes=["radsim-noise-run"], icon_name="mdi-chart-bell-curve")
            if running is not None:
                solara.ProgressLinear(value=100 * running[0] / max(running[1], 1), style="max-width:160px")
                solara.Text(t(lang, "noise_running", done=running[0], total=running[1]),
                            classes=["radsim-noise-progress"], style="font-size:12px")
        if band is None:
            return
        series = []
        for k in (1, 2, 3):
            x, m, lo, hi = _thin(band.weeks, band.mean[k], band.low[k], band.high[k])
            series.append(charts.Series(phase_label(lang, k), x, m, PHASE_COLOURS[k], width=2.0, band=(lo, hi)))
        solara.Text(t(lang, "noise_chart"), style="font-size:12px")
        solara.HTML(unsafe_innerHTML=charts.legend([(s.label, s.colour, False) for s in series]))
        solara.HTML(unsafe_innerHTML=charts.line_chart(
            series, y_label=t(lang, "difference_y"), x_label=t(lang, "weeks"), zero_line=True, width=760, height=150,
            fmt=fmt(lang), css_class="radsim-noise-chart"),
            classes=["radsim-noise-band"], attributes={"data-replications": str(band.replications)})
        solara.Text(t(lang, "noise_done"), style="font-size:12px;color:#555")
        if band.key != session.scenario_key():
            solara.Text(t(lang, "noise_stale"), classes=["radsim-noise-stale"], style="font-size:12px;color:#b01234")


@solara.component
def InterventionPanel(session: Session):
    """The what-if panel: a switch, an intensity and a variant for each intervention (right-hand town)."""
    session.panel.value                   # redraw when the choices change, not every week
    towns, lang, on_choice = session.towns.value, session.lang.value, session.set_choice
    with solara.Card(t(lang, "interventions"), margin=1, classes=["radsim-interventions"]):
        CostNote(session)
        for type_, control in CONTROLS.items():
            choice = towns.choices[type_]
            with solara.Column(gap="0px", classes=[f"radsim-iv-{type_}"], style="margin-bottom:6px"):
                with solara.Row(style="align-items:center", gap="2px"):
                    solara.Switch(label=t(lang, f"iv_{type_}"), value=choice.on,
                                  on_value=lambda on, k=type_: on_choice(k, _with(towns.choices[k], on=on)))
                    InfoTip(lang, type_)
                if choice.on and type_ in towns.started:
                    solara.Text(t(lang, "since", week=towns.started[type_]), style="font-size:11px;color:#555")
                if control.intensity_sets_share:     # chosen before switching on: it decides whom the clubs reach
                    solara.Text(t(lang, "share_of_young"), style="font-size:12px;color:#555")
                    LabelledSlider(lang, "share", t(lang, "share"), choice.intensity,
                                   lambda x, k=type_: on_choice(k, _with(towns.choices[k], intensity=x)),
                                   low=0.0, high=1.0, step=0.05, disabled=choice.on)
                elif choice.on:
                    LabelledSlider(lang, "intensity", t(lang, "intensity"), choice.intensity,
                                   lambda x, k=type_: on_choice(k, _with(towns.choices[k], intensity=x)),
                                   low=0.0, high=1.0, step=0.05)
                if control.variant and choice.on:
                    solara.Checkbox(label=t(lang, f"variant_{type_}"), value=choice.variant,
                                    on_value=lambda x, k=type_: on_choice(k, _with(towns.choices[k], variant=x)))


def _with(choice: InterventionChoice, **changes) -> InterventionChoice:
    from dataclasses import replace

    return replace(choice, **changes)


@solara.component
def SideBySide(session: Session):
    """What if, side by side: the two towns, the difference underneath, the interventions on the right."""
    lang = session.lang.value
    with solara.Columns([8, 3], gutters_dense=True):
        with solara.Column(gap="0px"):
            with solara.Columns([1, 1], gutters_dense=True):
                TownView(session, 0)
                TownView(session, 1)
            DifferencePlot(session)
            with solara.Row(style="align-items:center;flex-wrap:wrap;margin:0 8px", gap="12px"):
                solara.HTML(unsafe_innerHTML=charts.legend([(phase_label(lang, k), PHASE_COLOURS[k], False)
                                                            for k in range(4)]))
                solara.Text(t(lang, "legend_shapes"), style="font-size:12px")
            solara.Text(t(lang, "same_seed"), style="font-size:12px;color:#555;margin:0 8px")
            NoisePanel(session)
        InterventionPanel(session)


# --- trends and neighbourhoods ---------------------------------------------------------------

@solara.component
def Trends(session: Session):
    """Time series: the phases; prejudice, trust and polarisation; discrimination and each side's threat; the two
    movements and their acts; the roles in polarisation and the silent middle."""
    session.tick.value
    towns, lang = session.towns.value, session.lang.value
    a, b = towns.series(0), towns.series(1)
    marks = dict(**attack_marks(lang, towns), x_label=t(lang, "weeks"), fmt=fmt(lang))

    def lines(keys: list[tuple[object, str, str]], step: bool = False) -> list[charts.Series]:
        """One line per key and town (dashed: with interventions); a key is a series name or a tuple to add up."""
        out = []
        for side, rec in enumerate((a, b)):
            for key, label, colour in keys:
                parts = key if isinstance(key, tuple) else (key,)
                values = [sum(v) for v in zip(*(rec[k] for k in parts))]
                x, y = _thin(rec["week"], values)
                out.append(charts.Series(f"{label} ({t(lang, SIDE_KEYS[side])})", x, y, colour, dashed=side == 1,
                                         step=step))
        return out

    def card(title: str, explain_key: str, keys: list[tuple[object, str, str]], css_class: str,
             note: str = "", step: bool = False, **options) -> None:
        with solara.Card(margin=1, classes=[f"{css_class}-card"]):
            _title(lang, title, explain_key)
            solara.HTML(unsafe_innerHTML=charts.legend([(label, colour, False) for _, label, colour in keys]))
            solara.HTML(unsafe_innerHTML=charts.line_chart(lines(keys, step), **marks, **options,
                                                           css_class=css_class))
            if note:
                solara.Text(note, classes=[f"{css_class}-note"], style="font-size:12px;color:#444")

    solara.Text(t(lang, "solid_dashed"), style="font-size:12px")
    with solara.Columns([1, 1], gutters_dense=True):
        card("phase_1_chart", "phase_1", [("phase_1", phase_label(lang, 1), PHASE_COLOURS[1])], "radsim-trend-phase-1")
        card("phases_23_chart", "pyramid", [(f"phase_{k}", phase_label(lang, k), PHASE_COLOURS[k]) for k in (2, 3)],
             "radsim-trend-phases-23")
    with solara.Columns([1, 1], gutters_dense=True):
        card("movements_chart", "movements",
             [(tuple(f"phase_{k}_{m}" for k in (1, 2, 3)), movement_label(lang, m), MOVEMENT_COLOURS[m])
              for m in MOVEMENTS], "radsim-trend-movements")
        card("acts_chart", "acts", [(f"acts_{m}", movement_label(lang, m), MOVEMENT_COLOURS[m]) for m in MOVEMENTS],
             "radsim-trend-acts", step=True)
    with solara.Columns([1, 1], gutters_dense=True):
        card("roles_chart", "roles", [(f"role_{r}", role_label(lang, r), ROLE_COLOURS[r]) for r in ROLES[1:]],
             "radsim-trend-roles")
        trust = [number(lang, rec["mean_trust_silent_middle"][-1], 2) for rec in (a, b)]
        card("middle_chart", "silent_middle", [("role_silent_middle", role_label(lang, "silent_middle"),
                                                ROLE_COLOURS["silent_middle"])], "radsim-trend-middle",
             note=t(lang, "middle_trust", as_is=trust[0], what_if=trust[1]))
    with solara.Columns([1, 1], gutters_dense=True):
        card("climate_chart", "polarisation", [("mean_prejudice", t(lang, "q_prejudice"), "#8d6e63"),
                                               ("mean_trust", t(lang, "q_trust"), "#1565c0"),
                                               ("polarisation", t(lang, "q_polarisation"), "#6a1b9a")],
             "radsim-trend-climate", y_range=(0.0, 1.0))
        card("discrimination_chart", "discrimination",
             [("mean_discrimination_minority", t(lang, "q_discrimination"), "#b01234"),
              ("threat", t(lang, "threat_majority"), "#37474f"),
              ("threat_minority", t(lang, "threat_minority"), ANTI_MINORITY_MARK)],
             "radsim-trend-threat", y_range=(0.0, 1.0))
    with solara.Column(gap="2px"):
        for key in ("movements", "acts", "roles", "prejudice", "trust", "polarisation", "threat", "threat_minority"):
            solara.Text(explain(lang, key), style="font-size:12px")


def _title(lang: str, key: str, explain_key: str) -> None:
    with solara.Row(style="align-items:center"):
        solara.Text(t(lang, key), style="font-weight:bold")
        InfoTip(lang, explain_key)


@solara.component
def Neighbourhoods(session: Session):
    """A heat map of each neighbourhood's phase shares, for both towns."""
    session.tick.value
    towns, lang = session.towns.value, session.lang.value
    cols = [t(lang, "residents_col"), t(lang, "minority_col"), phase_label(lang, 1), phase_label(lang, 2),
            phase_label(lang, 3)]
    tips = ["", explain(lang, "minority_share"), explain(lang, "phase_1"), explain(lang, "phase_2"),
            explain(lang, "phase_3")]
    solara.Text(t(lang, "hood_note", **{f"p{k}": percent(lang, HEAT_FLOOR[k - 1]) for k in (1, 2, 3)}),
                style="font-size:12px")
    tables = [towns.neighbourhood_table(side) for side in (0, 1)]
    col_max = heat_scale(tables)
    with solara.Columns([1, 1], gutters_dense=True):
        for side in (0, 1):
            table = tables[side]
            with solara.Card(t(lang, SIDE_KEYS[side]), margin=1):
                solara.HTML(unsafe_innerHTML=charts.heat_table(
                    towns.hood_names, cols, table.tolist(),
                    colours=["#90a4ae", "#5c6bc0", PHASE_COLOURS[1], PHASE_COLOURS[2], PHASE_COLOURS[3]], col_tips=tips,
                    percent=[False, True, True, True, True], col_max=col_max, corner=t(lang, "hood_col"),
                    css_class=f"radsim-hoods-{side}", fmt=fmt(lang), fmt_percent=lambda v: percent(lang, v, 1)))


HEAT_FLOOR = (0.20, 0.05, 0.02)
"""Shares in phases 1, 2 and 3 that the heat map shows in full colour (unless a neighbourhood has more):
one resident in phase 3 out of 200 (0.5%) is a light tint, not a saturated cell."""


def heat_scale(tables: list[np.ndarray]) -> list[float]:
    """The heat map's full-colour value of each column, one scale for both towns: the most residents; the
    minority share on its own scale of 0 to 100%; the phase shares at :data:`HEAT_FLOOR` or the largest share."""
    largest = np.maximum(tables[0].max(axis=0), tables[1].max(axis=0))
    return [float(largest[0]), 1.0, *(max(float(largest[2 + k]), HEAT_FLOOR[k]) for k in range(3))]


# --- meet a resident -----------------------------------------------------------------------------

@solara.component
def MeetResident(session: Session):
    """Pick a resident and see their story: phase history, drivers over time, memberships and ties."""
    session.tick.value
    towns, lang, selected, on_select = session.towns.value, session.lang.value, session.selected.value, session.select
    story_side, set_story_side = solara.use_state(0)
    n = towns.as_is.town.n_residents
    i = selected if selected is not None and 0 <= selected < n else 0
    note, set_note = solara.use_state("")

    def pick(phase: int | None = None, young: bool = False, role: str | None = None) -> None:
        j = towns.pick(phase=phase, young=young, after=i, role=role)
        if j is None:
            set_note(t(lang, "pick_no_role", role=role_label(lang, role)) if role else
                     t(lang, "pick_none", phase=phase))
        else:
            set_note("")
            on_select(j)

    def pick_in_transaction(phase: int | None = None, young: bool = False, role: str | None = None) -> None:
        session.run(pick, phase, young, role)          # like every change: under the session's lock

    with solara.Row(style="align-items:center;flex-wrap:wrap"):
        solara.InputInt(t(lang, "resident"), value=i, on_value=lambda v: on_select(min(max(int(v or 0), 0), n - 1)),
                        style="max-width:160px", classes=["radsim-resident-input"])
        for k in (1, 2, 3):
            solara.Button(t(lang, "pick_phase", phase=k), on_click=lambda k=k: pick_in_transaction(phase=k),
                          outlined=True,
                          style=f"border-color:{PHASE_COLOURS[k]}")
        solara.Button(t(lang, "pick_young"), on_click=lambda: pick_in_transaction(young=True), outlined=True)
        for role in ("pusher", "bridge_builder", "scapegoat"):
            solara.Button(t(lang, "pick_role", role=role_label(lang, role)),
                          on_click=lambda r=role: pick_in_transaction(role=r), outlined=True,
                          classes=[f"radsim-pick-{role}"], style=f"border-color:{ROLE_COLOURS[role]}")
        if note:
            solara.Text(note, style="color:#b01234")
    profiles = [towns.resident_profile(s, i) for s in (0, 1)]
    p = profiles[0]
    solara.Text(t(lang, "who", i=i, age=int(p["age"]), background=background_label(lang, p["background"]),
                  hood=towns.hood_names[p["neighbourhood"]], size=p["household_size"]), classes=["radsim-resident-who"],
                style="font-weight:bold")
    solara.Text(t(lang, "now_phase", phase_as_is=phase_label(lang, profiles[0]["phase"]),
                  phase_what_if=phase_label(lang, profiles[1]["phase"])), classes=["radsim-resident-now"])
    with solara.Row(style="align-items:center", gap="4px"):
        solara.HTML(unsafe_innerHTML=resident_table(lang, profiles), classes=["radsim-resident-side"])
        InfoTip(lang, "roles")
    stories = [towns.story(s, i) for s in (0, 1)]
    with solara.Columns([1, 1], gutters_dense=True):
        with solara.Card(margin=1):
            _title(lang, "phase_history", "pyramid")
            series = [charts.Series(t(lang, SIDE_KEYS[s]), *_thin(stories[s]["week"].tolist(),
                                                                   stories[s]["phase"].tolist()),
                                    "#37474f" if s == 0 else "#e86b1e", dashed=s == 1, step=True) for s in (0, 1)]
            solara.HTML(unsafe_innerHTML=charts.legend([(t(lang, SIDE_KEYS[s]), series[s].colour, s == 1)
                                                        for s in (0, 1)]))
            solara.HTML(unsafe_innerHTML=charts.line_chart(series, y_range=(-0.2, 3.2), x_label=t(lang, "weeks"),
                                                           fmt=fmt(lang),
                                                           **attack_marks(lang, towns),
                                                           css_class="radsim-phase-history"))
        with solara.Card(margin=1):
            with solara.Row(style="align-items:center"):
                solara.Text(t(lang, "story", town=t(lang, SIDE_KEYS[story_side])), style="font-weight:bold")
                solara.ToggleButtonsSingle(value=story_side, on_value=lambda k: session.run(set_story_side, k),
                                           dense=True,
                                           children=[solara.Button(t(lang, "as_is"), value=0, text=True),
                                                     solara.Button(t(lang, "what_if"), value=1, text=True)])
            st = stories[story_side]
            lines = [charts.Series(t(lang, STORY_LABELS[k]), *_thin(st["week"].tolist(), st[k].tolist()),
                                   STORY_COLOURS[k], dashed=k == "radical_belief") for k in STORY_COLOURS]
            solara.HTML(unsafe_innerHTML=charts.legend([(s.label, s.colour, s.dashed) for s in lines]))
            solara.HTML(unsafe_innerHTML=charts.line_chart(lines, y_range=(0.0, 1.0), x_label=t(lang, "weeks"),
                                                           fmt=fmt(lang),
                                                           **attack_marks(lang, towns),
                                                           css_class="radsim-story"))
            weeks = np.bincount(st["role"], minlength=len(ROLES))
            solara.Text(t(lang, "roles_so_far", town=t(lang, SIDE_KEYS[story_side]),
                          roles=", ".join(t(lang, "role_weeks", weeks=number(lang, int(weeks[k])),
                                            role=role_label(lang, r)) for k, r in enumerate(ROLES) if weeks[k])),
                        classes=["radsim-roles-so-far"], style="font-size:12px")
            with solara.Row(style="flex-wrap:wrap"):
                for key in ("discrimination", "uncertainty", "trust", "shield", "identification"):
                    with solara.Row(gap="0px", style="align-items:center;margin-right:10px;font-size:12px"):
                        solara.Text(t(lang, f"q_{key}"))
                        InfoTip(lang, key)
    with solara.Columns([1, 1], gutters_dense=True):
        with solara.Card(t(lang, "memberships"), margin=1):
            with solara.Row(style="align-items:center"):
                kinds = [f"{c} × {t(lang, f'kind_{k}')}" for k, c in p["memberships"].items() if c]
                solara.Text(", ".join(kinds) if kinds else t(lang, "no_memberships"), classes=["radsim-memberships"])
                InfoTip(lang, "memberships")
        with solara.Card(t(lang, "ties"), margin=1), solara.Column(gap="2px"):
            pw = profiles[story_side]
            by_layer = [f"{c} {t(lang, f'layer_{LAYERS[k]}')}" for k, c in enumerate(pw["ties_by_layer"]) if c]
            solara.Text(t(lang, "ties_by_layer", count=sum(pw["ties_by_layer"]), layers=", ".join(by_layer)),
                        classes=["radsim-ties"])
            if pw["removed"]:
                solara.Warning(t(lang, "in_prison"), dense=True)
            solara.Text(t(lang, "strongest_ties"), style="font-size:12px;color:#555")
            for tie in pw["strongest"]:
                with solara.Row(style="align-items:center", gap="4px"):
                    solara.HTML(tag="span", unsafe_innerHTML="&#9679;", style=f"color:{PHASE_COLOURS[tie['phase']]}")
                    solara.Text(t(lang, "tie_row", j=tie["resident"], layer=t(lang, f"layer_{LAYERS[tie['layer']]}"),
                                  phase=phase_label(lang, tie["phase"])), style="font-size:13px")
                    solara.Button(t(lang, "meet"), on_click=lambda j=tie["resident"]: on_select(j), text=True,
                                  small=True)
    solara.Text(t(lang, "history_note"), style="font-size:12px;color:#555")


def resident_table(lang: str, profiles: list[dict]) -> str:
    """The resident's side, role, identity strategy and identification in both towns, as an HTML table with names
    (never codes) and the language's numbers; each row explains itself on hover."""
    def cells(values: list[str], field: str) -> str:
        return "".join(f'<td data-field="{field}" style="padding:1px 8px">{html.escape(v)}</td>' for v in values)

    rows = [("row_phase", "pyramid", "phase", [phase_label(lang, p["phase"]) for p in profiles]),
            ("row_movement", "movements", "movement", [movement_label(lang, p["movement"]) for p in profiles]),
            ("row_role", "roles", "role", [role_label(lang, p["role"]) for p in profiles]),
            ("row_strategy", "strategy", "strategy", [strategy_label(lang, p["strategy"]) for p in profiles]),
            ("row_identification", "identification", "identification",
             [t(lang, "v_scale", value=number(lang, p["identification"], 2)) for p in profiles])]
    head = "".join(f'<th style="padding:1px 8px;text-align:left">{html.escape(t(lang, k))}</th>' for k in SIDE_KEYS)
    body = "".join(f'<tr><th title="{html.escape(explain(lang, tip))}" style="text-align:left;font-weight:normal;'
                   f'padding:1px 8px;cursor:help">{html.escape(t(lang, key))}</th>{cells(values, field)}</tr>'
                   for key, tip, field, values in rows)
    return (f'<table class="radsim-resident-table" style="font-size:13px;border-collapse:collapse">'
            f'<thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>')


@solara.component
def Explanations(session: Session):
    """Every quantity, view and intervention in plain words."""
    lang = session.lang.value
    solara.Text(t(lang, "explain_intro"))
    with solara.Column(classes=["radsim-explanations"], gap="6px"):
        for key in EXPLAINED:
            solara.Text(explain(lang, key), classes=["radsim-explain-item"], style="display:list-item;margin-left:24px")


__all__ = ["TownPicture", "TownView", "DifferencePlot", "NoisePanel", "CostNote", "InterventionPanel", "SideBySide",
           "Trends", "Neighbourhoods", "MeetResident", "Explanations", "InfoTip", "LabelledSlider", "heat_scale",
           "cost_texts", "HEAT_FLOOR", "resident_table", "attack_marks", "MOVEMENT_COLOURS", "ROLE_COLOURS"]
