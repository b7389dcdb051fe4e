"""The state of one browser session, and every action a trainer can take on it.

A :class:`Session` holds reactive values (language, the twin towns, play state,
pending slider settings, message, selected resident) and the actions that change
them. Views subscribe only to what they show: the town views to ``tick`` (bumped
after every week or change), the what-if panel to ``panel``, the controls to
``playing``; so a week redraws the views that changed, not the whole page.

Every action goes through :meth:`Session.guarded`: bad input (a
:class:`~model.parameters.ParameterError`) or any other failure shows a one-line
message and leaves the towns as they were, so no slider combination crashes the app
in front of a room.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import replace
from typing import Any

import solara
from mesa.visualization import Slider

from model.parameters import ParameterError, Parameters

from .twin import InterventionChoice, TownSettings, TwinTowns

__all__ = ["Session", "SLIDERS", "SLIDER_EXPLAIN", "TOWN_SHAPING", "check_settings"]

log = logging.getLogger(__name__)

_DEFAULT = TownSettings()
SLIDERS: dict[str, Slider] = {
    "societal_discrimination": Slider("societal_discrimination", _DEFAULT.societal_discrimination, 0.0, 1.0, 0.05),
    "segregation": Slider("segregation", _DEFAULT.segregation, 0.0, 1.0, 0.05),
    "minority_share": Slider("minority_share", _DEFAULT.minority_share, 0.0, 1.0, 0.02),
    "memberships_mean": Slider("memberships_mean", _DEFAULT.memberships_mean, 0.0, 5.0, 0.1),
    "n_residents": Slider("n_residents", _DEFAULT.n_residents, 100, 5000, 100),
}
"""The town sliders, declared as data in Mesa's way (``mesa.visualization.Slider``); the label is the
key of the text in :mod:`dashboard.i18n`, so that the language switch can translate it."""

SLIDER_EXPLAIN = {"societal_discrimination": "societal_discrimination", "segregation": "segregation",
                  "minority_share": "minority_share", "memberships_mean": "memberships", "n_residents": "network"}
"""Which plain-language explanation goes with each slider."""

TOWN_SHAPING = ("segregation", "minority_share", "memberships_mean", "n_residents", "seed")
"""Settings that build a new town (on Reset); societal discrimination applies at once."""

MEET_TAB = 3
"""Index of the "Meet a resident" tab."""

SPEED = (1.0, 20.0)
"""Range of the speed slider, weeks per second."""


def check_settings(settings: TownSettings) -> None:
    """Validate the settings without building a town (raises ParameterError)."""
    if settings.seed < 0:
        raise ParameterError(f"seed: {settings.seed} is out of range; must be 0 or more")
    Parameters.create(**settings.model_parameters())


class Session:
    """One trainer's dashboard: two towns in lockstep and the controls around them."""

    def __init__(self, settings: TownSettings | None = None, lang: str = "en"):
        towns = TwinTowns(settings or TownSettings())
        self.lang = solara.reactive(lang)
        self.towns = solara.reactive(towns)
        self.tick = solara.reactive(0)
        """Bumped after every week and every change of the towns: the views redraw."""
        self.panel = solara.reactive(0)
        """Bumped when the interventions change or the towns are rebuilt: the what-if panel redraws."""
        self.playing = solara.reactive(False)
        self.speed = solara.reactive(4.0)
        self.pending = solara.reactive(towns.settings)
        self.message: solara.Reactive[tuple[str, str, dict] | None] = solara.reactive(None)
        self.selected: solara.Reactive[int | None] = solara.reactive(None)
        self.tab = solara.reactive(0)
        """The open view: 0 side by side, 1 trends, 2 neighbourhoods, 3 meet a resident, 4 explanations."""
        self.last_step_seconds = 0.0
        """Wall time of the last week, model step and redraw."""
        self.last_step_seconds_model = 0.0
        """Wall time of the last week's model step alone (both towns)."""
        self.render_context: Any = None
        """Set by the page: changes made inside :meth:`batch` redraw once, not once per subscribed view."""
        self._play_lock = threading.Lock()

    # --- plumbing -------------------------------------------------------------------
    def batch(self) -> Any:
        """Group changes so that the page redraws once after them (Reacton's batch render)."""
        return self.render_context if self.render_context is not None else nullcontext()

    def changed(self) -> None:
        with self.batch():
            self.tick.value += 1

    def say(self, kind: str, key: str, **values: Any) -> None:
        """Show a message: ``kind`` is error, warning or info; ``key`` a text in :mod:`dashboard.i18n`."""
        self.message.value = (kind, key, values)

    def guarded(self, action: Callable[..., Any], *args: Any) -> bool:
        """Run an action on the towns; on bad input show a message instead of crashing. True if it worked."""
        with self.batch():
            try:
                action(*args)
            except ParameterError as err:
                self.say("error", "bad_settings", error=str(err))
                return False
            except Exception as err:              # never let a click take the room's demo down
                log.exception("dashboard action failed")
                self.say("error", "failed", error=f"{type(err).__name__}: {err}")
                return False
            finally:
                self.changed()
            return True

    # --- actions --------------------------------------------------------------------
    def step(self) -> bool:
        """One week in both towns, then the redraw."""
        started = time.perf_counter()

        def step() -> None:
            self.towns.value.step()
            self.last_step_seconds_model = time.perf_counter() - started

        ok = self.guarded(step)
        self.last_step_seconds = time.perf_counter() - started
        return ok

    def toggle_play(self) -> None:
        self.playing.value = not self.playing.value

    def reset(self) -> bool:
        """Build new towns from the current sliders, keeping the chosen interventions (from week 0)."""
        with self.batch():
            self.playing.value = False
            return self.guarded(self._build)

    def _build(self) -> None:
        check_settings(self.pending.value)
        new = TwinTowns(self.pending.value, choices=self.towns.value.choices)
        self.towns.value = new
        if self.selected.value is not None and self.selected.value >= new.as_is.town.n_residents:
            self.selected.value = None
        if not (new.as_is.town.background > 0).any():
            self.say("info", "no_minority")
        else:
            self.message.value = None
        self.panel.value += 1

    def attack(self) -> None:
        """An attack happens in the coming week, in both towns."""
        def attack() -> None:
            week = self.towns.value.trigger_attack()
            self.say("warning", "attack_done", week=week)

        self.guarded(attack)

    def set_setting(self, name: str, value: Any) -> None:
        """Move a town slider. Discrimination applies at once; the others wait for Reset.

        A combination that cannot make a town shows a message at once (and again on Reset).
        """
        new = replace(self.pending.value, **{name: value})
        with self.batch():
            self.pending.value = new
            try:
                check_settings(new)
            except ParameterError as err:
                self.say("error", "bad_settings", error=str(err))
                return
            if self.message.value and self.message.value[0] == "error":
                self.message.value = None
            if name == "societal_discrimination":
                self.guarded(self.towns.value.set_discrimination, value)

    def set_choice(self, type_: str, choice: InterventionChoice) -> None:
        """Switch an intervention in the right-hand town, or change its intensity or variant."""
        with self.batch():
            self.guarded(self.towns.value.set_intervention, type_, choice)
            self.panel.value += 1

    def select(self, i: int | None) -> None:
        with self.batch():
            self.selected.value = i
            self.changed()

    def meet(self, i: int) -> None:
        """Select resident ``i`` and open their story (a click on the network)."""
        with self.batch():
            self.select(i)
            self.tab.value = MEET_TAB

    @property
    def loop_running(self) -> bool:
        """True while the play loop runs (it may finish a week after Pause)."""
        return self._play_lock.locked()

    def play_loop(self, cancel: threading.Event) -> None:
        """Step and redraw until paused; waits so that the speed (weeks per second) holds."""
        with self._play_lock:                 # at most one loop per session
            while self.playing.value and not cancel.is_set():
                started = time.perf_counter()
                if not self.step():
                    self.playing.value = False
                    break
                wait = 1.0 / max(self.speed.value, 0.1) - (time.perf_counter() - started)
                if wait > 0:
                    cancel.wait(wait)
