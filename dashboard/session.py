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

**The play loop** is one timer thread per session (:meth:`Session.toggle_play` starts
it; it ends on Pause). It never races the renderer:

- every change of the towns and the render pass it causes happen inside
  :meth:`Session.transaction`, which holds the session's lock: a week is stepped and
  drawn in one go, and a click waits for the week under way (tens of milliseconds)
  instead of rendering while the towns change;
- the timer steps only when the last week has been drawn: the page reports every
  render pass that has finished (:meth:`Session.frame_rendered`), and the browser
  every frame it has painted (:meth:`Session.frame_painted`). While a frame is not
  drawn, the timer skips its tick and waits. So at any speed no render pass is
  ever followed by another thread's change in the next pass, and no backlog of
  weeks builds up between the server and the browser: the weeks per second shown
  are those the machine and the browser can draw, at most the chosen speed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from typing import Any

import solara
from mesa.visualization import Slider

from experiments.scenario import ScenarioError
from model.parameters import ParameterError, Parameters

from .i18n import number, percent, t
from .noise import NoiseBand, replicate
from .scenario_file import LoadProblem, load_scenario_text, read_scenario_text, scenario_table, scenario_toml, to_toml
from .twin import ATTACK_SIDES, InterventionChoice, TownSettings, TwinTowns

__all__ = ["Session", "PlayStats", "SLIDERS", "SLIDER_EXPLAIN", "SLIDER_VALUE", "TOWN_SHAPING", "check_settings",
           "slider_value", "error_message"]

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

SLIDER_VALUE = {"societal_discrimination": "v_scale", "segregation": "v_scale", "minority_share": "v_share",
                "memberships_mean": "v_memberships", "n_residents": "v_residents", "speed": "v_speed",
                "intensity": "v_intensity", "share": "v_share_young"}
"""The text that shows each slider's value with its unit (a key of :mod:`dashboard.i18n`)."""


def slider_value(lang: str, name: str, value: float) -> str:
    """A slider's value with its unit, in the language's notation: "1.000 inwoners", "22% of residents"."""
    key = SLIDER_VALUE[name]
    if key in ("v_share", "v_intensity", "v_share_young"):
        shown = percent(lang, value)
    elif key == "v_scale":
        shown = number(lang, value, 2)
    elif key == "v_memberships":
        shown = number(lang, value, 1)
    else:
        shown = number(lang, value)
    return t(lang, key, value=shown)


def error_message(err: ParameterError) -> tuple[str, dict[str, Any]]:
    """The text (key, values) that says in the trainer's language what is wrong with settings.

    The model's messages are English one-liners for researchers; the dashboard shows its own,
    translated, for the two mistakes its sliders and the seed field allow, and names the field otherwise.
    """
    text = str(err)
    field_name = text.split(":", 1)[0].strip()
    if field_name == "minority_shares":
        return "err_no_majority", {}
    if field_name == "seed":
        digits = text.split(":", 1)[1].split()[0] if ":" in text else "?"
        return "err_seed", {"seed": digits}
    return "err_other", {"field": field_name}


TOWN_SHAPING = ("segregation", "minority_share", "memberships_mean", "n_residents", "seed")
"""Settings that build a new town (on Reset); societal discrimination applies at once."""

MEET_TAB = 3
"""Index of the "Meet a resident" tab."""

SPEED = (1.0, 20.0)
"""Range of the speed slider, weeks per second."""

FRAMES_IN_FLIGHT = 1
"""Weeks sent to the browser and not yet painted there when the timer steps the next one: one, so that
the browser paints week n while the server computes and draws week n + 1, and no backlog builds up."""

FRAME_TIMEOUT = 1.0
"""Seconds the timer waits for a frame to be reported drawn before it steps anyway: a lost report, or a
browser tab in the background (which paints nothing), slows the play loop down but never stops it."""


@dataclass
class PlayStats:
    """What the play loop did since the last Play: weeks stepped, seconds, and ticks skipped for a frame."""

    weeks: int = 0
    seconds: float = 0.0
    waits: int = 0
    """Ticks that came while the last frame was not yet drawn (the timer waited instead of stepping)."""

    @property
    def weeks_per_second(self) -> float:
        return self.weeks / self.seconds if self.seconds > 0 else 0.0


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
        self.attack_side = solara.reactive(ATTACK_SIDES[0])
        """Who attacks when the attack button is pressed (:data:`dashboard.twin.ATTACK_SIDES`)."""
        """The open view: 0 side by side, 1 trends, 2 neighbourhoods, 3 meet a resident, 4 explanations."""
        self.noise: solara.Reactive[NoiseBand | None] = solara.reactive(None)
        """The last replications' band (see :mod:`dashboard.noise`)."""
        self.noise_progress: solara.Reactive[tuple[int, int] | None] = solara.reactive(None)
        """Runs done and to do while replications run in the background; None when none run."""
        self._noise_thread: threading.Thread | None = None
        self.last_step_seconds = 0.0
        """Wall time of the last week, model step and redraw."""
        self.last_step_seconds_model = 0.0
        """Wall time of the last week's model step alone (both towns)."""
        self.render_context: Any = None
        """Set by the page: changes made inside :meth:`batch` redraw once, not once per subscribed view."""
        self.lock = threading.RLock()
        """Held by every change of the towns and the render pass that follows it (see :meth:`transaction`)."""
        self.play_stats = PlayStats()
        self._timer: threading.Thread | None = None
        self._timer_guard = threading.Lock()      # starting the timer and its decision to end, atomically
        self._wake = threading.Event()            # set on Pause, speed, close and every frame report
        self._closed = False
        self._frame = 0                           # tick of the last change
        self._frame_at = time.perf_counter()      # when it happened
        self._rendered = -1                       # last tick whose render pass finished
        self._painted = -1                        # last tick the browser painted; -1: no browser reports

    # --- plumbing -------------------------------------------------------------------
    def batch(self) -> Any:
        """Group changes so that the page redraws once after them (Reacton's batch render)."""
        return self.render_context if self.render_context is not None else nullcontext()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the session's lock and batch the changes: the page redraws once, at the end, under the lock.

        Every action and the play loop's every week run inside one, so the towns never
        change while a render pass reads them, and no render pass sees another thread's
        change in the middle. Reentrant: an action may call another.
        """
        with self.lock, self.batch():
            yield

    def changed(self) -> None:
        with self.transaction():
            self.tick.value += 1
            self._frame, self._frame_at = self.tick.value, time.perf_counter()

    def say(self, kind: str, key: str, **values: Any) -> None:
        """Show a message: ``kind`` is error, warning or info; ``key`` a text in :mod:`dashboard.i18n`.

        The page writes ``values`` in the language shown: an int with its thousands separator, a float as a
        percentage (a share), a string as it is.
        """
        self.message.value = (kind, key, values)

    def dismiss(self) -> None:
        """Close the message (its close button)."""
        with self.transaction():
            self.message.value = None

    def say_bad_settings(self, err: ParameterError) -> None:
        key, values = error_message(err)
        if key == "err_no_majority":
            values = {"share": float(self.pending.value.minority_share)}
        self.say("error", key, **values)

    def guarded(self, action: Callable[..., Any], *args: Any) -> bool:
        """Run an action on the towns; on bad input show a message instead of crashing. True if it worked."""
        with self.transaction():
            try:
                action(*args)
            except ParameterError as err:
                self.say_bad_settings(err)
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
        """Play or Pause. Play starts the timer (one per session); Pause ends it after the week under way."""
        with self.transaction():
            self.playing.value = playing = not self.playing.value
        self._wake.set()
        if playing:
            self._start_timer()

    def set_speed(self, value: float) -> None:
        """The play speed in weeks per second (``SPEED``); applies from the next week on."""
        with self.transaction():
            self.speed.value = min(max(float(value), SPEED[0]), SPEED[1])
        self._wake.set()

    def set_lang(self, lang: str) -> None:
        with self.transaction():
            self.lang.value = lang

    def set_tab(self, tab: int) -> None:
        with self.transaction():
            self.tab.value = int(tab)

    def run(self, action: Callable[..., Any], *args: Any) -> Any:
        """Run a view's own action (a local state change) inside a transaction, like every other change."""
        with self.transaction():
            return action(*args)

    def reset(self) -> bool:
        """Build new towns from the current sliders, keeping the chosen interventions (from week 0)."""
        with self.transaction():
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
        """An attack happens in the coming week, in both towns, by the side chosen (``attack_side``)."""
        def attack() -> None:
            by = self.attack_side.value
            week = self.towns.value.trigger_attack(by)
            self.say("warning", "attack_done" if by == "grievance" else "attack_done_anti_minority", week=week)

        self.guarded(attack)

    def set_attack_side(self, by: str) -> None:
        """Choose who attacks next: the grievance side or the anti-minority side."""
        if by not in ATTACK_SIDES:
            raise ValueError(f"unknown attacking side '{by}'")
        with self.transaction():
            self.attack_side.value = by

    def set_setting(self, name: str, value: Any) -> None:
        """Move a town slider. Discrimination applies at once; the others wait for Reset.

        A combination that cannot make a town shows a message at once (and again on Reset).
        """
        new = replace(self.pending.value, **{name: value})
        with self.transaction():
            self.pending.value = new
            try:
                check_settings(new)
            except ParameterError as err:
                self.say_bad_settings(err)
                return
            if self.message.value and self.message.value[0] == "error":
                self.message.value = None
            if name == "societal_discrimination":
                self.guarded(self.towns.value.set_discrimination, value)

    def set_choice(self, type_: str, choice: InterventionChoice) -> None:
        """Switch an intervention in the right-hand town, or change its intensity or variant."""
        with self.transaction():
            self.guarded(self.towns.value.set_intervention, type_, choice)
            self.panel.value += 1

    # --- save and share ------------------------------------------------------------
    def scenario_text(self) -> str:
        """The what-if as a scenario file (TOML) that ``radsim compare`` runs (see :mod:`dashboard.scenario_file`)."""
        lang = self.lang.value
        with self.lock:
            return scenario_toml(self.towns.value, t(lang, "scenario_name"), t(lang, "scenario_description"),
                                 t(lang, "arm_name"))

    def scenario_key(self) -> str:
        """What the replications depend on (the scenario's tables as text, not validated: cheap enough every week)."""
        lang = self.lang.value
        with self.lock:
            return to_toml(scenario_table(self.towns.value, t(lang, "scenario_name"), "", t(lang, "arm_name")))

    def film(self) -> bytes:
        """The run so far as an animated GIF of the side-by-side view (see :mod:`dashboard.film`)."""
        from .film import film_gif

        return film_gif(self.towns.value, self.lang.value)

    def load_scenario(self, text: str) -> bool:
        """New towns from a scenario file's text: its town, attacks and the interventions of its first arm."""
        with self.transaction():
            self.playing.value = False
            try:
                towns, scenario = load_scenario_text(text)
            except LoadProblem as err:
                self.say("error", err.key, **err.values)
                return False
            except (ScenarioError, ParameterError) as err:
                self.say("error", "err_file", detail=str(err))
                return False
            self.towns.value = towns
            self.pending.value = towns.settings
            self.selected.value = None
            self.noise.value = None
            self.panel.value += 1
            self.say("info", "loaded", name=scenario.name)
            self.changed()
            return True

    # --- is it noise? ---------------------------------------------------------------
    def run_noise(self) -> bool:
        """Start 10 replications of both towns in a background thread (one at a time); False if one runs."""
        with self.transaction():
            if self._noise_thread is not None and self._noise_thread.is_alive():
                return False
            key = self.scenario_key()
            scenario = read_scenario_text(self.scenario_text())
            self.noise_progress.value = (0, 1)
            self._noise_thread = threading.Thread(target=self._replicate, args=(scenario, key),
                                                  name="radsim-replications", daemon=True)
            self._noise_thread.start()
            return True

    def _replicate(self, scenario: Any, key: str) -> None:
        def progress(done: int, total: int) -> None:
            if not self._closed:
                with self.transaction():
                    self.noise_progress.value = (done, total)

        try:
            band = replicate(scenario, key, progress=progress)
        except Exception as err:                  # never take the room's demo down
            log.exception("dashboard replications failed")
            with self.transaction():
                self.noise_progress.value = None
                self.say("error", "failed", error=f"{type(err).__name__}: {err}")
            return
        with self.transaction():
            self.noise.value = band
            self.noise_progress.value = None

    @property
    def noise_running(self) -> bool:
        thread = self._noise_thread
        return thread is not None and thread.is_alive()

    def select(self, i: int | None) -> None:
        with self.transaction():
            self.selected.value = i
            self.changed()

    def meet(self, i: int) -> None:
        """Select resident ``i`` and open their story (a click on the network)."""
        with self.transaction():
            self.select(i)
            self.tab.value = MEET_TAB

    # --- the play loop ----------------------------------------------------------------
    @property
    def loop_running(self) -> bool:
        """True while the timer runs (it may finish the week under way after Pause)."""
        timer = self._timer
        return timer is not None and timer.is_alive()

    def frame_rendered(self, tick: int) -> None:
        """The page has finished the render pass that shows ``tick`` (called by the page, after the pass)."""
        self._rendered = max(self._rendered, int(tick))
        self._wake.set()

    def frame_painted(self, tick: int) -> None:
        """The browser has painted ``tick`` (called by the page's frame report, from the browser)."""
        self._painted = max(self._painted, int(tick))
        self._wake.set()

    def frame_drawn(self) -> bool:
        """True when the timer may step: the last week is rendered and, if a browser reports, painted.

        A browser reports only once its page runs; until then (and in Python-only tests) the
        render pass alone counts. After ``FRAME_TIMEOUT`` seconds the frame counts as drawn.
        """
        if time.perf_counter() - self._frame_at > FRAME_TIMEOUT:
            return True
        if self._rendered < self._frame:
            return False
        return self._painted < 0 or self._painted >= self._frame - FRAMES_IN_FLIGHT

    def close(self) -> None:
        """The page is gone: the timer ends (it is never waited for)."""
        self._closed = True
        self._wake.set()

    def _start_timer(self) -> None:
        with self._timer_guard:
            if self._timer is None and not self._closed:
                self.play_stats = PlayStats()
                self._timer = threading.Thread(target=self._play, name="radsim-play", daemon=True)
                self._timer.start()

    def _keep_playing(self) -> bool:
        """Whether the timer goes on; when not, it is forgotten in the same step (see :meth:`_start_timer`)."""
        with self._timer_guard:
            if self.playing.value and not self._closed:
                return True
            self._timer = None
            return False

    def _play(self) -> None:
        """The timer: one week every 1/speed seconds, each stepped and drawn in one transaction.

        A tick that comes while the last week is not yet drawn (:meth:`frame_drawn`) is
        skipped: the timer waits for the frame and steps as soon as it is drawn, so weeks
        never queue up. Runs until Pause, Reset, a failed week or the page closing.
        """
        last = -float("inf")                      # when the last week started
        began = time.perf_counter()
        try:
            while self._keep_playing():
                self._wake.clear()
                interval = 1.0 / max(float(self.speed.value), 0.1)
                now = time.perf_counter()
                if now < last + interval:
                    self._wake.wait(last + interval - now)
                    continue
                if not self.frame_drawn():
                    self.play_stats.waits += 1
                    self._wake.wait(interval)
                    continue
                with self.lock:
                    if not self.playing.value or self._closed:
                        continue
                    last = time.perf_counter()
                    ok = self.step()
                    if not ok:
                        with self.transaction():
                            self.playing.value = False
                        continue
                    self.play_stats.weeks += 1
                    self.play_stats.seconds = time.perf_counter() - began
        except Exception:                         # never take the room's demo down: log, show, stop
            log.exception("dashboard play loop failed")
            with self._timer_guard:
                self._timer = None
            try:
                with self.transaction():
                    self.playing.value = False
                    self.say("error", "failed", error="the play loop stopped")
            except Exception:
                log.exception("dashboard play loop could not stop cleanly")
