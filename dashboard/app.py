"""The trainers' dashboard: the page, its controls and the play loop.

Run it with ``radsim dashboard`` (or ``solara run dashboard.app``). Each browser
session gets its own :class:`~dashboard.session.Session`: the town as is and the
same town with the interventions the trainer switches on, stepped in lockstep.

The play loop is the session's timer (:mod:`dashboard.session`), started by Play, not
by a render. The page only reports its frames to it: :func:`FrameMark`, drawn last,
tells the session when a render pass has finished and when the browser has painted it.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import reacton.core
import solara
import solara.lab

from .components import Explanations, InfoTip, LabelledSlider, MeetResident, Neighbourhoods, SideBySide, Trends
from .i18n import LANGUAGES, number, percent, t
from .serve import WARM_UP
from .session import SLIDER_EXPLAIN, SLIDERS, SPEED, TOWN_SHAPING, Session
from .twin import ATTACK_SIDES
from .widgets import FrameReport, ScenarioUpload

__all__ = ["Page", "Dashboard", "Controls", "TownSettingsCard", "ShareCard", "PlayControls", "FrameMark", "warm_up"]


def warm_up() -> None:
    """Step a town of 100 once, so that the model's compiled rules are loaded before a trainer presses Play.

    The first week of a process loads them (about a second); without this, the first
    Play or Step of the first session would stand still for that second.
    """
    from model import RadicalisationModel

    try:
        RadicalisationModel(n_residents=100, rng=0, collect=False).step()
    except Exception:                              # a warm-up never stops the server
        logging.getLogger(__name__).exception("dashboard warm-up failed")


if os.environ.get(WARM_UP) == "1":
    threading.Thread(target=warm_up, name="radsim-warm-up", daemon=True).start()


@solara.component
def FrameMark(session: Session):
    """Reports each frame to the play loop: rendered (after the pass), painted (from the browser). Invisible."""
    tick = session.tick.value
    solara.use_effect(lambda: session.frame_rendered(tick), [tick])
    FrameReport.element(frame=tick, handler=session.frame_painted)


CSS = """
/* a presentation layout: the whole side-by-side view fits a projector's 1280 x 720 */
.v-navigation-drawer.solara-content-main { min-width: 300px !important; max-width: 300px !important; }
.v-navigation-drawer .v-card__title { font-size: 16px; padding: 8px 12px 4px; }
.radsim-appbar-controls, .radsim-appbar-controls .v-sheet { background: transparent !important; color: white; }
.radsim-interventions .v-card__title { font-size: 16px; word-break: normal; line-height: 1.3; }
.radsim-slider .v-input__slot { margin-bottom: 0; }
.radsim-slider .v-messages { display: none; }
.radsim-slider .v-input { margin-top: 0; }
.radsim-town-head { font-size: 15px; font-weight: bold; line-height: 1.2; }
.radsim-town-sub { font-size: 12px; color: #555; font-weight: normal; margin-left: 8px; white-space: nowrap;
                   overflow: hidden; text-overflow: ellipsis; flex: 1 1 0; min-width: 0; }
.radsim-message-box { position: fixed; top: 132px; right: 16px; z-index: 30; max-width: 560px; background: white;
                      border-radius: 4px; box-shadow: 0 4px 12px rgba(0, 0, 0, 0.25); pointer-events: none; }
.radsim-message-box .radsim-dismiss { pointer-events: auto; }   /* clicks go through the message, except Close */
/* the what-if panel scrolls on its own: switching an intervention never scrolls the towns away */
.radsim-interventions { max-height: calc(100vh - 150px); overflow-y: auto; }
.radsim-share .v-btn { white-space: normal; height: auto !important; min-height: 36px; max-width: 100%; padding: 6px 12px; }
.radsim-share .v-btn__content { white-space: normal; flex: 1 1 auto; text-align: left; }
.radsim-attack-side .v-btn { text-transform: none; letter-spacing: normal; font-size: 13px; padding: 0 8px !important; }
"""
"""The page's own styles: a narrower side bar (Solara's is at least 400 px wide), compact cards, and the
message box, which floats above the page instead of pushing it down."""


@solara.component
def WeekLabel(session: Session):
    """The week and, beside it, the size of the town (in the app bar)."""
    session.tick.value
    lang, towns = session.lang.value, session.towns.value
    with solara.Row(gap="10px", style="align-items:baseline;margin-right:8px"):
        solara.Text(t(lang, "week", week=number(lang, towns.week)), classes=["radsim-week"],
                    style="font-size:20px;font-weight:bold")
        solara.Text(t(lang, "town_size", n=number(lang, towns.as_is.town.n_residents)), classes=["radsim-town-size"],
                    style="font-size:14px")


@solara.component
def PlayControls(session: Session):
    """Play or Pause, Step, and the attack: in the app bar, so they stay visible when the side bar is closed."""
    lang, playing = session.lang.value, session.playing.value
    with solara.Row(gap="4px", style="align-items:center", classes=["radsim-appbar-controls"]):
        WeekLabel(session)
        solara.Button(t(lang, "pause") if playing else t(lang, "play"), color="primary", on_click=session.toggle_play,
                      classes=["radsim-play"], icon_name="mdi-pause" if playing else "mdi-play")
        solara.Button(t(lang, "step"), on_click=session.step, disabled=playing, classes=["radsim-step"],
                      color="primary", outlined=True, style="background:white")
        solara.Button(t(lang, "attack"), color="error", on_click=session.attack, classes=["radsim-attack"])
        InfoTip(lang, "attack", light=True)


@solara.component
def Controls(session: Session):
    """The speed of play, and who attacks when the attack button is pressed."""
    lang, by = session.lang.value, session.attack_side.value
    with solara.Card(t(lang, "run"), margin=1, classes=["radsim-controls"]):
        LabelledSlider(lang, "speed", t(lang, "speed"), session.speed.value, session.set_speed,
                       low=SPEED[0], high=SPEED[1], step=1.0)
        with solara.Row(gap="2px", style="align-items:center;font-size:13px;margin-top:6px"):
            solara.Text(t(lang, "attack_by"))
            InfoTip(lang, "attack")
        solara.ToggleButtonsSingle(value=by, on_value=session.set_attack_side, dense=True,
                                   classes=["radsim-attack-side"], style="flex-wrap:wrap;height:auto",
                                   children=[solara.Button(t(lang, f"attack_by_{side}"), value=side, text=True,
                                                           classes=[f"radsim-attack-by-{side}"])
                                             for side in ATTACK_SIDES])
        solara.Text(t(lang, "attack_by_note"), style="font-size:12px;color:#555")


@solara.component
def TownSettingsCard(session: Session):
    """The drivers: discrimination (at once) and the sliders that shape a new town (on Reset)."""
    lang, p, built = session.lang.value, session.pending.value, session.towns.value.settings
    with solara.Card(t(lang, "town"), margin=1, classes=["radsim-town-settings"]):
        for name, spec in SLIDERS.items():
            LabelledSlider(lang, name, t(lang, spec.label), getattr(p, name),
                           lambda v, k=name, f=spec.is_float_slider: session.set_setting(k, float(v) if f else int(v)),
                           low=spec.min, high=spec.max, step=spec.step, integer=not spec.is_float_slider,
                           explain_key=SLIDER_EXPLAIN[name])
        solara.InputInt(t(lang, "seed"), value=p.seed, on_value=lambda v: session.set_setting("seed", int(v or 0)))
        solara.Text(t(lang, "live_note"), style="font-size:12px;color:#555")
        if any(getattr(p, k) != getattr(built, k) for k in TOWN_SHAPING):
            solara.Warning(t(lang, "pending"), dense=True, classes=["radsim-pending"])
        solara.Button(t(lang, "reset"), on_click=session.reset, classes=["radsim-reset"], color="primary",
                      outlined=True, icon_name="mdi-restart")


@solara.component
def ShareCard(session: Session):
    """Save and share: the what-if as a scenario file (and load one back), and the run as a film."""
    lang = session.lang.value
    with solara.Card(t(lang, "share_card"), margin=1, classes=["radsim-share"]):
        solara.FileDownload(session.scenario_text, filename="radsim-what-if.toml", mime_type="application/toml",
                            children=[solara.Button(t(lang, "download_scenario"), icon_name="mdi-download",
                                                    outlined=True, classes=["radsim-download-scenario"])])
        solara.Text(t(lang, "scenario_note"), style="font-size:12px;color:#555")
        ScenarioUpload.element(label=t(lang, "load_scenario"), handler=session.load_scenario)
        solara.FileDownload(session.film, filename="radsim-run.gif", mime_type="image/gif",
                            children=[solara.Button(t(lang, "download_film"), icon_name="mdi-filmstrip",
                                                    outlined=True, classes=["radsim-download-film"])])


def _shown(lang: str, value: Any) -> Any:
    """A value in a message, written in the language: an int with separators, a float as a percentage."""
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, int):
        return number(lang, value)
    if isinstance(value, float):
        return percent(lang, value)
    return value


@solara.component
def Message(session: Session):
    """The last message, floating above the page (it never moves the page) with a button that closes it."""
    if session.message.value is None:
        return
    lang = session.lang.value
    kind, key, values = session.message.value
    text = t(lang, key, kept=t(lang, "kept"), **{k: _shown(lang, v) for k, v in values.items()})
    show = {"error": solara.Error, "warning": solara.Warning, "info": solara.Info}[kind]
    with solara.Div(classes=["radsim-message-box"]):
        show(text, classes=["radsim-message", f"radsim-message-{kind}"], style="padding-right:96px;margin:0")
        solara.Button(t(lang, "close"), on_click=session.dismiss, small=True, text=True, icon_name="mdi-close",
                      classes=["radsim-dismiss"], style="position:absolute;top:6px;right:6px")


@solara.component
def Dashboard(session: Session):
    """The whole dashboard for one session: app bar with the controls, side bar, views in tabs."""
    lang = session.lang.value
    session.render_context = reacton.core.get_render_context(required=False)
    solara.use_effect(lambda: session.close, [])          # the page closes: the play loop ends
    with solara.Column(gap="0px"):                     # no gaps around the invisible parts (title, styles, portals)
        solara.Title(t(lang, "title"))
        solara.Style(CSS)
        with solara.AppBar():
            PlayControls(session)
            solara.ToggleButtonsSingle(value=lang, on_value=session.set_lang, dense=True, style="margin:4px 8px",
                                       children=[solara.Button(name, value=code, text=True,
                                                               classes=[f"radsim-lang-{code}"])
                                                 for code, name in LANGUAGES.items()])
        with solara.AppBarTitle():
            solara.Text("radsim", style="font-weight:bold")
        with solara.Sidebar():
            Controls(session)
            TownSettingsCard(session)
            ShareCard(session)
        Message(session)
        with solara.lab.Tabs(value=session.tab.value, on_value=session.set_tab, lazy=True):
            with solara.lab.Tab(t(lang, "tab_side")):
                SideBySide(session)
            with solara.lab.Tab(t(lang, "tab_trends")):
                Trends(session)
            with solara.lab.Tab(t(lang, "tab_hoods")):
                Neighbourhoods(session)
            with solara.lab.Tab(t(lang, "tab_resident")):
                MeetResident(session)
            with solara.lab.Tab(t(lang, "tab_explain")):
                Explanations(session)
        solara.Text(t(lang, "synthetic"), style="font-size:12px;color:#555")
        FrameMark(session)                                # last: its report follows the views' updates


@solara.component
def Page():
    """Entry point for ``solara run``: a new session (two towns) per browser tab."""
    session = solara.use_memo(Session, [])
    Dashboard(session)
