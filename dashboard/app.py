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

import reacton.core
import solara
import solara.lab

from .components import Explanations, InfoTip, MeetResident, Neighbourhoods, SideBySide, Trends
from .i18n import LANGUAGES, t
from .serve import WARM_UP
from .session import SLIDER_EXPLAIN, SLIDERS, SPEED, TOWN_SHAPING, Session
from .widgets import FrameReport

__all__ = ["Page", "Dashboard", "Controls", "TownSettingsCard", "FrameMark", "warm_up"]


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


@solara.component
def WeekLabel(session: Session):
    session.tick.value
    solara.Text(t(session.lang.value, "week", week=session.towns.value.week), classes=["radsim-week"],
                style="font-size:20px;font-weight:bold")


@solara.component
def Controls(session: Session):
    """Play, pause, step, reset, speed, and the attack button."""
    lang, playing = session.lang.value, session.playing.value
    with solara.Card(t(lang, "run"), margin=1, classes=["radsim-controls"]):
        WeekLabel(session)
        with solara.Row(gap="4px", style="flex-wrap:wrap"):
            solara.Button(t(lang, "pause") if playing else t(lang, "play"), color="primary",
                          on_click=session.toggle_play, classes=["radsim-play"])
            solara.Button(t(lang, "step"), on_click=session.step, disabled=playing, classes=["radsim-step"])
            solara.Button(t(lang, "reset"), on_click=session.reset, classes=["radsim-reset"])
        solara.SliderFloat(t(lang, "speed"), value=session.speed.value, on_value=session.set_speed,
                           min=SPEED[0], max=SPEED[1], step=1.0)
        with solara.Row(style="align-items:center"):
            solara.Button(t(lang, "attack"), color="error", on_click=session.attack, classes=["radsim-attack"])
            InfoTip(lang, "attack")


@solara.component
def TownSettingsCard(session: Session):
    """The drivers: discrimination (at once) and the sliders that shape a new town (on Reset)."""
    lang, p, built = session.lang.value, session.pending.value, session.towns.value.settings
    with solara.Card(t(lang, "town"), margin=1, classes=["radsim-town-settings"]):
        for name, spec in SLIDERS.items():
            with solara.Row(style="align-items:center", gap="0px"):
                if spec.is_float_slider:
                    solara.SliderFloat(t(lang, spec.label), value=float(getattr(p, name)), min=spec.min, max=spec.max,
                                       step=spec.step, on_value=lambda v, k=name: session.set_setting(k, float(v)))
                else:
                    solara.SliderInt(t(lang, spec.label), value=int(getattr(p, name)), min=spec.min, max=spec.max,
                                     step=spec.step, on_value=lambda v, k=name: session.set_setting(k, int(v)))
                InfoTip(lang, SLIDER_EXPLAIN[name])
        solara.InputInt(t(lang, "seed"), value=p.seed, on_value=lambda v: session.set_setting("seed", int(v or 0)))
        solara.Text(t(lang, "live_note"), style="font-size:12px;color:#555")
        if any(getattr(p, k) != getattr(built, k) for k in TOWN_SHAPING):
            solara.Warning(t(lang, "pending"), dense=True, classes=["radsim-pending"])


@solara.component
def Message(session: Session):
    if session.message.value is None:
        return
    kind, key, values = session.message.value
    show = {"error": solara.Error, "warning": solara.Warning, "info": solara.Info}[kind]
    show(t(session.lang.value, key, **values), classes=["radsim-message", f"radsim-message-{kind}"])


@solara.component
def Dashboard(session: Session):
    """The whole dashboard for one session: app bar with the language switch, controls, views in tabs."""
    lang = session.lang.value
    session.render_context = reacton.core.get_render_context(required=False)
    solara.use_effect(lambda: session.close, [])          # the page closes: the play loop ends
    solara.Title(t(lang, "title"))
    with solara.AppBar():
        solara.AppBarTitle(t(lang, "title"))
    with solara.Sidebar():
        solara.ToggleButtonsSingle(value=lang, on_value=session.set_lang, dense=True, style="margin:4px 8px",
                                   children=[solara.Button(name, value=code, text=True, classes=[f"radsim-lang-{code}"])
                                             for code, name in LANGUAGES.items()])
        Controls(session)
        TownSettingsCard(session)
    Message(session)
    solara.Text(t(lang, "synthetic"), style="font-size:12px;color:#555")
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
    FrameMark(session)                                    # last: its report follows the views' updates


@solara.component
def Page():
    """Entry point for ``solara run``: a new session (two towns) per browser tab."""
    session = solara.use_memo(Session, [])
    Dashboard(session)
