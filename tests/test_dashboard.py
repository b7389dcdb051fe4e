"""The trainers' dashboard, tested in Python: the twin towns, the picture, the texts, and the
rendered Solara page (buttons pressed, sliders moved, switches toggled through the widget tree).

The browser test is tests/test_dashboard_browser.py.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import ipyvuetify as v
import numpy as np
import pytest
import solara
from PIL import Image

from dashboard import charts
from dashboard.app import Dashboard, Page
from dashboard.bench import bench, play_rate
from dashboard.components import HEAT_FLOOR, heat_scale
from dashboard.film import film_gif
from dashboard.i18n import EXPLAIN, EXPLAINED, TEXTS, number, percent, t, tick
from dashboard.layout import neighbourhood_names, town_layout
from dashboard.picture import PHASE_RGB, PHASE_SCALE, PICTURE_SIZE, NetworkPicture
from dashboard.scenario_file import load_scenario_text, scenario_toml
from dashboard.serve import is_loopback, solara_command
from dashboard.session import SLIDER_EXPLAIN, SLIDERS, Session
from dashboard.twin import CONTROLS, InterventionChoice, TownSettings, TwinTowns
from dashboard.widgets import ClickableImage
from experiments.cli import main as radsim
from experiments.compare import compare_arms
from experiments.scenario import load_scenario
from model import RadicalisationModel
from model.interventions import INTERVENTION_TYPES

SMALL = TownSettings(n_residents=300, seed=7)


# --- helpers ---------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def app_bar_children(monkeypatch):
    """Let ``solara.display`` put elements into the render tree, as Solara's server does (the app bar's
    children are shown with it); outside the server it would print them."""
    import IPython.display
    import reacton.core

    def display(*objs, **kwargs):
        rc = reacton.core._get_render_context(required=False)
        for el in objs:
            rc.container_adders[-1].add(el)

    monkeypatch.setattr(IPython.display, "display", display)


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", None) or []:
        if not isinstance(child, str):
            yield from _walk(child)


def _slider_box(rc, name: str):
    found = [w for w in _walk(rc.container) if f"radsim-slider-{name}" in (getattr(w, "class_", "") or "").split()]
    assert len(found) == 1, name
    return found[0]


def slider(rc, name: str):
    """The slider ``name`` (a town setting, speed, intensity or share): its widget."""
    (widget,) = [w for w in _slider_box(rc, name).children if isinstance(w, v.Slider)]
    return widget


def slider_value(rc, name: str) -> str:
    """The value and unit shown beside slider ``name``."""
    head = _slider_box(rc, name).children[0]
    (shown,) = [w for w in head.children if isinstance(w, v.Html) and w.class_ == "radsim-slider-value"]
    return shown.children[0]


@pytest.fixture
def page():
    """A rendered dashboard on a small town: (session, render context)."""
    session = Session(SMALL)
    _, rc = solara.render(solara.AppLayout(children=[Dashboard(session)]), handle_error=False)
    yield session, rc
    session.playing.value = False
    rc.close()


def button(rc, label: str):
    """The one button whose text is ``label`` (beside an icon, if it has one)."""
    found = [w for w in rc.find(v.Btn).widgets if label in w.children]
    assert len(found) == 1, (label, found)
    return found[0]


def click(rc, label: str) -> None:
    button(rc, label).click()


def type_into(rc, label: str, text: str) -> None:
    """Type into a text field and press Enter, as a trainer does."""
    field = rc.find(v.TextField, label=label).widget
    field.v_model = text
    field.fire_event("keyup.enter", None)


def shown_counts(rc, side: int) -> list[int]:
    """The counts per phase the pyramid of town ``side`` shows."""
    html = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
            if w.unsafe_innerHTML and f"radsim-pyramid-{side}" in w.unsafe_innerHTML]
    assert len(html) == 1
    return [int(x) for x in re.search(r'data-counts="([\d,]+)"', html[0]).group(1).split(",")]


def shown_week(rc) -> str:
    return rc.find(v.Html, class_="radsim-week").widget.children[0]


def message(rc) -> str:
    found = [w for w in rc.find(v.Alert).widgets]
    return " ".join(str(c) for w in found for c in w.children)


def wait_until(condition, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


# --- texts --------------------------------------------------------------------------------

def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_english_and_dutch_have_the_same_texts_and_placeholders():
    assert TEXTS["en"].keys() == TEXTS["nl"].keys()
    for key, text in TEXTS["en"].items():
        assert _placeholders(text) == _placeholders(TEXTS["nl"][key]), key
        assert TEXTS["nl"][key] != "" and text != ""
    assert EXPLAIN["en"].keys() == EXPLAIN["nl"].keys() == set(EXPLAINED)


def test_every_quantity_slider_and_intervention_is_labelled_and_explained():
    for lang in ("en", "nl"):
        for type_ in INTERVENTION_TYPES:
            assert type_ in CONTROLS
            assert t(lang, f"iv_{type_}") and EXPLAIN[lang][type_]
        for name, spec in SLIDERS.items():
            assert t(lang, spec.label) and EXPLAIN[lang][SLIDER_EXPLAIN[name]]
        for k in range(4):
            assert EXPLAIN[lang][f"phase_{k}"]
        for key in ("discrimination", "uncertainty", "trust", "shield", "prejudice", "polarisation"):
            assert EXPLAIN[lang][key]
    assert t("nl", "step") == "Stap" and t("en", "week", week=3) == "Week 3"


# --- layout and picture ---------------------------------------------------------------------

def test_layout_is_fast_deterministic_and_groups_neighbourhoods():
    m = RadicalisationModel(n_residents=5000, residents_per_neighbourhood=200, rng=3, collect=False)
    start = time.perf_counter()
    pos = town_layout(m.town, aspect=1.2)
    assert time.perf_counter() - start < 1.0          # a spring layout takes seconds at this size
    assert pos.shape == (5000, 2) and np.all((pos >= 0) & (pos <= 1))
    assert np.array_equal(pos, town_layout(m.town, aspect=1.2))
    hood = m.town.neighbourhood
    centres = np.array([pos[hood == k].mean(axis=0) for k in range(hood.max() + 1)])
    spread = np.mean([pos[hood == k].std(axis=0).mean() for k in range(hood.max() + 1)])
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=2)[np.triu_indices(len(centres), 1)]
    assert gaps.min() > 2 * spread                      # neighbourhoods are visibly apart


def test_picture_colours_each_resident_by_phase_and_marks_the_selected():
    m = RadicalisationModel(n_residents=400, residents_per_neighbourhood=200, rng=1, collect=False)
    pic = NetworkPicture(town_layout(m.town), m.town.edge_source, m.town.edge_target, m.town.background, 200, 160)
    phase = np.zeros(400, dtype=np.int8)
    quiet = pic.draw(phase)
    assert quiet.shape == (160, 200, 3) and quiet.dtype == np.uint8
    i = int(np.argmax(m.town.background == 0))
    x, y = int(round(float(pic.x[i]))), int(round(float(pic.y[i])))
    for k in (1, 3):
        phase[i] = k
        img = pic.draw(phase)
        assert np.abs(img[y, x].astype(int) - PHASE_RGB[k]).max() <= 2
    ringed = pic.draw(phase, selected=i, selected_ties=[])
    assert (ringed != img).any()


# --- the twin towns ---------------------------------------------------------------------------

def test_twin_towns_share_the_seed_and_differ_only_by_interventions():
    towns = TwinTowns(SMALL)
    towns.step(15)
    assert towns.phase_counts(0) == towns.phase_counts(1)
    assert np.array_equal(towns.as_is.state.radical_belief, towns.what_if.state.radical_belief)
    towns.set_intervention("inclusion_policy", InterventionChoice(on=True, intensity=1.0))
    assert towns.as_is.interventions == [] and towns.what_if.interventions[0].start == 15
    towns.trigger_attack()
    towns.step(20)
    assert towns.attacks == [15]
    assert towns.records[0].series["threat"][-1] > 0 and towns.records[1].series["threat"][-1] > 0
    assert towns.records[1].series["mean_trust"][-1] > towns.records[0].series["mean_trust"][-1]
    assert towns.records[1].series["cost"][-1] > 0 == towns.records[0].series["cost"][-1]
    towns.set_intervention("inclusion_policy", InterventionChoice(on=False, intensity=1.0))
    assert "inclusion_policy" not in towns.active
    assert towns.what_if.interventions[0].end_week() == towns.week


def test_switching_on_and_off_before_a_week_passes_leaves_no_trace():
    towns = TwinTowns(SMALL)
    towns.set_intervention("key_figures", InterventionChoice(on=True))
    towns.set_intervention("key_figures", InterventionChoice(on=False))
    assert towns.what_if.interventions == [] and towns.active == {}
    with pytest.raises(KeyError):
        towns.set_intervention("curfew", InterventionChoice(on=True))


def test_every_intervention_runs_in_the_dashboard_with_its_variant():
    towns = TwinTowns(SMALL)
    for type_, control in CONTROLS.items():
        towns.set_intervention(type_, InterventionChoice(on=True, intensity=0.6, variant=control.variant is not None))
    towns.trigger_attack()
    towns.step(5)
    assert set(towns.active) == set(CONTROLS)
    assert towns.active["key_figures"].government_visibility == 0.9
    assert towns.active["multiple_memberships"].target.share == 0.6
    towns.set_intervention("key_figures", InterventionChoice(on=True, intensity=0.3, variant=True))
    assert towns.active["key_figures"].intensity == 0.3          # applied at once, no restart
    towns.set_intervention("early_signalling", InterventionChoice(on=True, intensity=0.6, variant=False))
    assert towns.active["early_signalling"].false_positive_rate == 0.01 and towns.started["early_signalling"] == 5
    towns.step(2)


def test_a_residents_story_is_recorded_every_week():
    towns = TwinTowns(SMALL)
    towns.step(12)
    i = 5
    story = towns.records[0].story(i)
    assert story["week"].tolist() == list(range(13))
    assert story["phase"][-1] == towns.as_is.state.phase[i]
    assert abs(story["institutional_trust"][-1] - towns.as_is.state.institutional_trust[i]) <= 1 / 255
    profile = towns.resident_profile(0, i)
    assert sum(profile["ties_by_layer"]) > 0 and profile["household_size"] >= 1


# --- the rendered page ---------------------------------------------------------------------------

def test_the_page_entry_point_renders_a_town_of_1000():
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    try:
        assert sum(shown_counts(rc, 0)) == 1000 and shown_week(rc) == "Week 0"
    finally:
        rc.close()


def test_step_advances_both_towns_and_the_shown_numbers(page):
    session, rc = page
    click(rc, "Step")
    click(rc, "Step")
    towns = session.towns.value
    assert towns.week == 2 and shown_week(rc) == "Week 2"
    assert len(towns.records[0].series["week"]) == 3
    assert shown_counts(rc, 0) == towns.phase_counts(0) and shown_counts(rc, 1) == towns.phase_counts(1)
    before = shown_counts(rc, 0)
    for _ in range(8):
        click(rc, "Step")
    assert shown_week(rc) == "Week 10" and shown_counts(rc, 0) == towns.phase_counts(0) != before


def test_play_runs_weeks_until_pause(page):
    session, rc = page
    click(rc, "Play")
    assert wait_until(lambda: session.towns.value.week >= 3)
    click(rc, "Pause")
    assert wait_until(lambda: not session.playing.value)
    assert wait_until(lambda: not session.loop_running)     # a week under way when Pause came has landed
    week = session.towns.value.week
    time.sleep(0.6)
    assert session.towns.value.week == week and week >= 3
    assert shown_week(rc) == f"Week {week}" and shown_counts(rc, 0) == session.towns.value.phase_counts(0)
    assert button(rc, "Play").disabled is False


def test_play_and_pause_at_the_highest_speed_never_race_a_slow_renderer(page, monkeypatch):
    """A render pass slower than a week at 20 weeks per second: Play and Pause 20 times, attack, interventions.

    The old play loop stepped every 50 ms whatever the renderer did, so a click's render
    pass saw a new week in every pass and Reacton gave up ("Too many renders triggered").
    The timer steps only when the last frame is drawn, under the session's lock.
    """
    session, rc = page
    real = charts.pyramid

    def slow_pyramid(*args, **kwargs):
        time.sleep(0.035)                                  # two pyramids: 70 ms a pass, a week is 50 ms
        return real(*args, **kwargs)

    monkeypatch.setattr(charts, "pyramid", slow_pyramid)
    slider(rc, "speed").v_model = 20
    assert session.speed.value == 20
    weeks = []
    for cycle in range(20):
        before = session.towns.value.week
        rc.find(v.Btn, class_="radsim-play").widget.click()          # Play
        assert wait_until(lambda: session.towns.value.week >= before + 2, timeout=10)
        if cycle == 4:
            click(rc, "An attack happens now")
        if cycle == 8:
            rc.find(v.Switch, label="Inclusion policy").widget.v_model = True
        if cycle == 12:
            rc.find(v.Switch, label="Key figures").widget.v_model = True
        time.sleep(0.02 * (cycle % 5))
        rc.find(v.Btn, class_="radsim-play").widget.click()          # Pause
        assert wait_until(lambda: not session.loop_running, timeout=10)
        weeks.append(session.towns.value.week - before)
    towns = session.towns.value
    assert all(w >= 2 for w in weeks) and towns.attacks and set(towns.active) == {"inclusion_policy", "key_figures"}
    assert shown_week(rc) == f"Week {towns.week}" and shown_counts(rc, 1) == towns.phase_counts(1)
    assert "went wrong" not in message(rc)
    stats = session.play_stats
    assert stats.weeks_per_second < 1 / 0.07 + 1               # never faster than the renderer draws


def test_the_play_loop_waits_for_the_browser_to_paint(page):
    """With a browser that reports its frames, the timer steps only as far ahead as it has painted."""
    session, rc = page
    session.frame_painted(session.tick.value)                     # a browser is there, and has painted
    session.set_speed(20)
    click(rc, "Play")
    assert wait_until(lambda: session.towns.value.week >= 1)
    time.sleep(0.4)                                               # no report: the timer waits (FRAME_TIMEOUT 1 s)
    held = session.towns.value.week
    assert held <= 2 and session.play_stats.waits > 0
    for _ in range(10):                                           # the browser paints each frame
        week = session.towns.value.week
        session.frame_painted(session.tick.value)
        assert wait_until(lambda: session.towns.value.week > week, timeout=5)
    click(rc, "Pause")
    assert wait_until(lambda: not session.loop_running)
    assert session.towns.value.week >= held + 10


def test_the_discrimination_slider_changes_both_towns_at_once(page):
    session, rc = page
    slider(rc, "societal_discrimination").v_model = 0.9
    towns = session.towns.value
    assert towns.as_is.params.societal_discrimination == 0.9 == towns.what_if.params.societal_discrimination
    for _ in range(30):
        click(rc, "Step")
    reference = TwinTowns(SMALL)                      # same seed, default discrimination 0.3
    reference.step(30)
    assert towns.records[0].series["mean_discrimination_minority"][-1] > \
        reference.records[0].series["mean_discrimination_minority"][-1]
    assert shown_counts(rc, 0)[1] > reference.phase_counts(0)[1]


def test_town_sliders_build_a_new_town_on_reset(page):
    session, rc = page
    click(rc, "Step")
    slider(rc, "n_residents").v_model = 600
    assert session.towns.value.as_is.town.n_residents == 300          # waits for Reset
    assert rc.find(v.Alert, children=[t("en", "pending")]).widgets
    click(rc, "Reset")
    towns = session.towns.value
    assert towns.as_is.town.n_residents == 600 and towns.week == 0
    assert sum(shown_counts(rc, 0)) == 600 and shown_week(rc) == "Week 0"
    assert not rc.find(v.Alert, children=[t("en", "pending")]).widgets


def test_bad_slider_combinations_show_a_message_and_never_crash(page):
    session, rc = page
    old = session.towns.value
    slider(rc, "minority_share").v_model = 1.0                          # no majority left
    assert "leaves no majority" in message(rc) and "minority_shares" not in message(rc)
    click(rc, "Reset")
    assert session.towns.value is old and "leaves no majority" in message(rc)
    click(rc, "Step")
    assert shown_week(rc) == "Week 1"
    # zero residents in both minority backgrounds: a valid town, with a note
    slider(rc, "minority_share").v_model = 0.0
    assert "leaves no majority" not in message(rc)
    click(rc, "Reset")
    towns = session.towns.value
    assert towns is not old and not (towns.as_is.town.background > 0).any()
    assert t("en", "no_minority") in message(rc)
    for _ in range(3):
        click(rc, "Step")
    assert shown_week(rc) == "Week 3" and sum(shown_counts(rc, 1)) == 300
    rc.find(v.Tabs).widget.v_model = 2                                   # neighbourhoods: minority 0%
    click(rc, "Step")
    type_into(rc, "Seed (same seed, same town)", "-1")
    assert "The seed must be 0 or more (it is -1)" in message(rc)
    click(rc, "Reset")
    assert session.towns.value is towns and "seed" in message(rc)


def test_the_attack_button_triggers_an_attack_now(page):
    session, rc = page
    for _ in range(3):
        click(rc, "Step")
    click(rc, "An attack happens now")
    towns = session.towns.value
    assert towns.attacks == [3] and "week 3" in message(rc)
    click(rc, "Step")
    assert towns.records[0].series["threat"][-1] > 0.5 and towns.records[1].series["threat"][-1] > 0.5
    assert towns.records[0].series["threat"][-2] == 0


def test_switching_on_an_intervention_changes_the_right_hand_town_only(page):
    session, rc = page
    click(rc, "Step")
    rc.find(v.Switch, label="Inclusion policy").widget.v_model = True
    towns = session.towns.value
    assert "inclusion_policy" in towns.active and towns.as_is.interventions == []
    slider(rc, "intensity").v_model = 1.0                               # shown once switched on
    assert towns.active["inclusion_policy"].intensity == 1.0
    for _ in range(25):
        click(rc, "Step")
    assert towns.records[1].series["mean_trust"][-1] > towns.records[0].series["mean_trust"][-1]
    assert rc.find(v.Html, children=["with: Inclusion policy"]).widgets
    cost = towns.latest(1, "cost")
    assert cost > 0 and rc.find(v.Html, class_="radsim-cost").widget.children[0] == \
        f"Cost of the package so far: {cost:,.0f} units"
    rc.find(v.Switch, label="Inclusion policy").widget.v_model = False
    assert "inclusion_policy" not in towns.active


def test_language_switch_translates_controls_and_explanations(page):
    session, rc = page
    (toggle,) = [w for w in rc.find(v.BtnToggle).widgets                # English | Nederlands
                 if [b.children for b in w.children] == [["English"], ["Nederlands"]]]
    toggle.v_model = 1                                   # what the browser does on a click
    assert session.lang.value == "nl"
    click(rc, "Stap")
    assert shown_week(rc) == "Week 1"
    rc.find(v.Tabs).widget.v_model = 4
    text = " ".join(str(w.children) for w in rc.find(v.Html).widgets)
    assert "Weerbaarheidsschild" in text and "Sleutelpersonen" in text


def test_no_view_loads_anything_from_the_cdn_at_run_time(page):
    """No view uses solara.Markdown, whose template loads mermaid and KaTeX from the CDN (offline: a page error)."""
    session, rc = page
    click(rc, "Step")
    for tab in range(5):
        rc.find(v.Tabs).widget.v_model = tab
        if tab == 3:
            click(rc, "someone in phase 1")
        templates = [w.template for w in rc.find(v.VuetifyTemplate).widgets]
        templates = [getattr(x, "template", x) or "" for x in templates]
        assert templates and not [x for x in templates if "getCdn" in x or "mermaid" in x], tab


def test_meet_a_resident_shows_their_story(page):
    session, rc = page
    for _ in range(5):
        click(rc, "Step")
    rc.find(v.Tabs).widget.v_model = 3
    click(rc, "someone in phase 1")
    i = session.selected.value
    towns = session.towns.value
    assert i is not None and towns.as_is.state.phase[i] == 1
    now = rc.find(v.Html, class_="radsim-resident-now").widget.children[0]
    assert "1 sensitivity" in now
    charts = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
              if w.unsafe_innerHTML and "radsim-story" in w.unsafe_innerHTML]
    assert charts and charts[0].count("<polyline") == 6                 # five drivers and identification
    click(rc, "Step")                                        # the story grows with the weeks
    charts = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
              if w.unsafe_innerHTML and "radsim-phase-history" in w.unsafe_innerHTML]
    assert len(re.findall(r'points="([^"]*)"', charts[0])[0].split()) >= 7
    # a click on the network picture meets the resident drawn there
    towns = session.towns.value
    pic = NetworkPicture(towns.positions, towns.as_is.town.edge_source, towns.as_is.town.edge_target,
                         towns.as_is.town.background, *PICTURE_SIZE)
    rc.find(v.Tabs).widget.v_model = 0
    image = [w for w in rc.find(ClickableImage).widgets if "radsim-network-1" in w.css_class][0]
    image.vue_click({"x": float(pic.x[42]) / pic.width, "y": float(pic.y[42]) / pic.height})
    assert session.selected.value == 42 and session.tab.value == 3
    assert "Resident 42:" in str([w.children for w in rc.find(v.Html).widgets])
    type_into(rc, "Resident number", "12")
    assert session.selected.value == 12
    assert "Resident 12:" in str([w.children for w in rc.find(v.Html).widgets])


# --- the command and the benchmark -------------------------------------------------------------

def test_radsim_dashboard_on_an_occupied_port_says_so_in_one_line(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        assert radsim(["dashboard", "--port", str(port)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.count("\n") == 0 and f"port {port}" in err and "in use" in err and "Traceback" not in err
    assert captured.out == ""
    assert radsim(["dashboard", "--host", "no-such-host.invalid"]) == 2
    assert "no-such-host.invalid" in capsys.readouterr().err


def test_radsim_dashboard_on_port_0_prints_the_port_it_serves_on():
    """``--port 0`` takes a free port; the first line names it, and the page is there."""
    radsim_exe = Path(sys.executable).parent / "radsim"
    proc = subprocess.Popen([str(radsim_exe), "dashboard", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        line = proc.stdout.readline()
        found = re.fullmatch(r"radsim dashboard at (http://127\.0\.0\.1:(\d+)) \(Ctrl-C stops it\)\n", line)
        assert found and int(found.group(2)) > 0, line
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(found.group(1), timeout=5) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "the dashboard did not start"
                time.sleep(0.25)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)


def test_radsim_dashboard_checks_its_options_and_binds_to_localhost(capsys):
    assert radsim(["dashboard", "--port", "70000"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--port" in err and "0 to 65535" in err
    cmd = solara_command("127.0.0.1", 8765)
    assert cmd[1:5] == ["-m", "dashboard.solara_main", "run", "dashboard.app"] and "--production" in cmd
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and cmd[cmd.index("--port") + 1] == "8765"
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")


def test_the_benchmark_measures_every_view():
    rows = bench(sizes=(200,), steps=2, warmup=1)
    assert [r["view"] for r in rows] == ["side by side", "trends", "neighbourhoods", "meet a resident"]
    assert all(r["median_ms"] > r["step_ms"] > 0 for r in rows)
    (played,) = play_rate(sizes=(200,), seconds=1.0)
    assert 1 < played["weeks_per_second"] <= 21


# --- the dashboard as a presentation tool (issue 18) ---------------------------------------------

def test_numbers_sliders_and_the_town_size_follow_the_language(page):
    session, rc = page
    assert number("nl", 18400) == "18.400" and number("en", 18400) == "18,400"
    assert number("nl", 0.25, 2) == "0,25" and percent("nl", 0.125, 1) == "12,5%"
    assert number("en", -3, sign=True) == "-3"
    assert slider_value(rc, "n_residents") == "300 residents"
    assert slider_value(rc, "minority_share") == "22% of residents"
    assert slider_value(rc, "speed") == "4 weeks/s" and slider_value(rc, "memberships_mean") == "1.2 clubs per resident"
    slider(rc, "n_residents").v_model = 2500
    assert slider_value(rc, "n_residents") == "2,500 residents"              # the value shown moves with the slider
    session.set_lang("nl")
    assert slider_value(rc, "n_residents") == "2.500 inwoners" and slider_value(rc, "societal_discrimination") == \
        "0,30 (0 tot 1)"
    assert rc.find(v.Html, class_="radsim-town-size").widget.children[0] == "300 inwoners"   # built town, beside week
    assert tick("nl", 2500) == "2.500" and tick("nl", 0.5) == "0,5"


def test_validation_messages_are_in_the_language_and_can_be_closed(page):
    session, rc = page
    session.set_lang("nl")
    slider(rc, "minority_share").v_model = 1.0
    text = message(rc)
    assert "Bij een aandeel minderheden van 100% blijft er geen meerderheid over" in text
    assert "minority_shares" not in text and "must" not in text
    button(rc, "Sluiten").click()
    assert session.message.value is None and "geen meerderheid" not in message(rc)
    session.load_scenario("[scenario]\nsteps = 'many'\n")
    assert message(rc).startswith("Dit scenariobestand kan niet worden geladen.")


def test_the_what_if_saves_as_a_scenario_that_radsim_runs_and_loads_back():
    towns = TwinTowns(SMALL)
    towns.step(3)
    towns.trigger_attack()
    towns.set_intervention("key_figures", InterventionChoice(on=True, intensity=0.6, variant=True))
    towns.step(4)
    towns.set_intervention("inclusion_policy", InterventionChoice(on=True))
    towns.step(2)
    towns.set_intervention("inclusion_policy", InterventionChoice(on=False))
    towns.step(3)
    text = scenario_toml(towns, "what-if", "from the dashboard", "what if")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "what-if.toml"
        path.write_text(text, encoding="utf-8")
        scenario = load_scenario(path)                      # what radsim compare reads
    assert scenario.seed == SMALL.seed and scenario.steps == 52 and scenario.parameters.attack_weeks == [3]
    assert list(scenario.arms()) == ["baseline", "what if"]
    assert [(iv.type, iv.start, iv.duration) for iv in scenario.interventions] == [
        ("key_figures", 3, None), ("inclusion_policy", 7, 2)]
    # the file's what-if arm is the dashboard's right-hand town: same seed, same weeks, same residents' phases
    m = RadicalisationModel.from_parameters(scenario.parameters, rng=scenario.seed, collect=False,
                                            interventions=scenario.interventions)
    m.run_for(towns.week)
    assert np.array_equal(m.state.phase, towns.what_if.state.phase)
    assert m.outcomes()["cost"] == pytest.approx(towns.latest(1, "cost"))
    result = compare_arms(scenario.with_overrides(steps=20), replications=2, workers=1)
    assert result.arms == ["baseline", "what if"] and len(result.outcomes) == 4
    loaded, _ = load_scenario_text(text)
    assert loaded.settings == towns.settings and loaded.attacks == [3] and loaded.week == 0
    assert loaded.choices["key_figures"] == InterventionChoice(on=True, intensity=0.6, variant=True)
    assert loaded.started == {"key_figures": 3} and not loaded.choices["inclusion_policy"].on
    loaded.step(towns.week)
    assert np.array_equal(loaded.what_if.state.phase, towns.what_if.state.phase)
    assert np.array_equal(loaded.as_is.state.phase, towns.as_is.state.phase)


def test_a_loaded_scenario_replaces_the_towns_and_a_foreign_one_is_refused(page):
    session, rc = page
    towns = TwinTowns(SMALL)
    towns.set_intervention("crisis_response", InterventionChoice(on=True))
    assert session.load_scenario(scenario_toml(towns, "room 2", "", "what if"))
    assert "Scenario 'room 2' loaded" in message(rc) and session.towns.value.choices["crisis_response"].on
    assert rc.find(v.Switch, label="Crisis response").widget.v_model is True
    big = TwinTowns(SMALL)
    text = scenario_toml(big, "big", "", "what if").replace("n_residents = 300", "n_residents = 9000")
    assert not session.load_scenario(text)
    assert "towns of 100 to 5,000 residents; this file has 9,000" in message(rc)


def test_the_run_downloads_as_a_film_with_a_picture_per_week():
    towns = TwinTowns(SMALL)
    towns.set_intervention("inclusion_policy", InterventionChoice(on=True))
    towns.step(6)
    with Image.open(io.BytesIO(film_gif(towns, "nl"))) as gif:
        assert gif.format == "GIF" and gif.n_frames == 7
        assert gif.size == (2 * PICTURE_SIZE[0] + 36, PICTURE_SIZE[1] + 78)
    long = TwinTowns(SMALL)
    long.step(200)
    with Image.open(io.BytesIO(film_gif(long, "en", max_frames=20))) as gif:
        assert gif.n_frames == 20                           # a long run: every k-th week, the last included


def test_ten_replications_run_in_the_background_and_draw_a_band(page):
    session, rc = page
    session.set_choice("inclusion_policy", InterventionChoice(on=True, intensity=1.0))
    for _ in range(10):
        session.step()
    assert session.run_noise()
    assert not session.run_noise()                      # one at a time
    click(rc, "Step")                                   # the page goes on meanwhile
    assert wait_until(lambda: session.noise.value is not None, timeout=120)
    band = session.noise.value
    assert band.replications == 10 and band.weeks == list(range(53))
    for k in (1, 2, 3):
        assert all(lo <= m <= hi for lo, m, hi in zip(band.low[k], band.mean[k], band.high[k]))
    assert band.mean[1][-1] < 0                         # inclusion at full strength: fewer in phase 1
    def chart() -> list[str]:
        return [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
                if w.unsafe_innerHTML and "radsim-noise-chart" in w.unsafe_innerHTML]

    assert wait_until(lambda: len(chart()) == 1, timeout=10)          # drawn once the thread's change lands
    assert chart()[0].count('class="radsim-band"') == 3
    assert not rc.find(v.Html, class_="radsim-noise-stale").widgets            # a week later: the same scenario
    rc.find(v.Switch, label="Crisis response").widget.v_model = True
    assert rc.find(v.Html, class_="radsim-noise-stale").widgets                 # another package: say it is stale


def test_phases_2_and_3_have_their_own_chart_and_the_heat_map_names_and_floors(page):
    session, rc = page
    for _ in range(3):
        click(rc, "Step")
    rc.find(v.Tabs).widget.v_model = 1
    charts_html = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets if w.unsafe_innerHTML]
    (tip,) = [h for h in charts_html if "radsim-trend-phases-23" in h]
    assert tip.count("<polyline") == 4 and 'data-label="1 sensitivity' not in tip   # phases 2, 3 in two towns
    rc.find(v.Tabs).widget.v_model = 2
    towns = session.towns.value
    (table,) = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
                if w.unsafe_innerHTML and "radsim-hoods-0" in w.unsafe_innerHTML]
    assert all(f">{name}</th>" in table for name in towns.hood_names) and towns.hood_names[0] == "A1"
    one = np.zeros((2, 5))
    one[0] = [200, 0.3, 0.1, 0.0, 0.005]                # one resident of 200 in phase 3
    scale = heat_scale([one, one])
    assert scale == [200.0, 1.0, HEAT_FLOOR[0], HEAT_FLOOR[1], HEAT_FLOOR[2]]      # 0.5% is a tint, not full colour


def test_the_picture_draws_phases_above_the_grey_larger_and_names_the_neighbourhoods():
    m = RadicalisationModel(n_residents=1000, residents_per_neighbourhood=200, rng=1, collect=False)
    names = neighbourhood_names(5, 1.5)
    pic = NetworkPicture(town_layout(m.town, aspect=1.5), m.town.edge_source, m.town.edge_target,
                         m.town.background, 300, 200, neighbourhood=m.town.neighbourhood, names=names)
    assert [name for name, _ in pic.label_boxes] == names == ["A1", "B1", "C1", "A2", "B2"]
    phase = np.zeros(1000, dtype=np.int8)
    base = pic.draw(phase)
    i = int(np.argmax(m.town.background == 0))
    area = []
    for k in range(4):
        phase[:] = 0
        phase[i] = k
        area.append(int(np.count_nonzero((pic.draw(phase) != base).any(axis=2))))
    assert area[0] == 0 and 0 < area[1] < area[2] < area[3]          # marker size grows with the phase
    assert PHASE_SCALE[0] < PHASE_SCALE[1]                             # phase 0: small dots under everyone


# --- the two movements, the polarisation roles and identity (psychology version 2) ------------------------

def _html(rc, marker: str) -> list[str]:
    return [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
            if w.unsafe_innerHTML and marker in w.unsafe_innerHTML]


def _open_after(rc, weeks: int, tab: int) -> None:
    """Step ``weeks`` weeks, then open view ``tab`` (1 trends, 3 meet a resident)."""
    for _ in range(weeks):
        click(rc, "Step")
    rc.find(v.Tabs).widget.v_model = tab


def _attribute(html: str, name: str) -> list[int]:
    return [int(x) for x in re.search(rf'{name}="([\d,]+)"', html).group(1).split(",")]


def test_each_town_shows_a_pyramid_for_each_movement(page):
    """The pyramid is split by movement: the grievance movement's side (minority residents) on the left, the
    anti-minority movement's (majority residents) on the right, with the totals kept; both towns; both languages."""
    session, rc = page
    for _ in range(6):
        click(rc, "Step")
    towns = session.towns.value
    minority = int((towns.as_is.town.background > 0).sum())
    for side in (0, 1):
        (html,) = _html(rc, f"radsim-pyramid-{side}")
        left, right = _attribute(html, "data-counts-left"), _attribute(html, "data-counts-right")
        by_movement = towns.movement_counts(side)
        assert left == by_movement["grievance"] and right == by_movement["anti_minority"]
        assert sum(left) == minority and sum(right) == SMALL.n_residents - minority
        assert [a + b for a, b in zip(left, right)] == towns.phase_counts(side) == shown_counts(rc, side)
        outcomes = towns.models[side].outcomes()
        assert [left[k] for k in (1, 2, 3)] == [outcomes[f"phase_{k}_grievance"] for k in (1, 2, 3)]
        assert [right[k] for k in (1, 2, 3)] == [outcomes[f"phase_{k}_anti_minority"] for k in (1, 2, 3)]
        assert ">movement:</text>" in html and ">grievance</text>" in html and ">anti-minority</text>" in html
    session.set_lang("nl")
    (html,) = _html(rc, "radsim-pyramid-0")
    assert ">beweging:</text>" in html and ">onder minderheden</text>" in html and ">tegen minderheden</text>" in html
    assert ">actie</text>" in html
    # numbers in the language: a large side in Dutch
    big = charts.pyramid([1234, 5, 1, 0], [20500, 40, 3, 1], ["0", "1", "2", "3"], ["#000000"] * 4,
                         fmt=lambda x: tick("nl", x))
    assert ">1.234</text>" in big and ">20.500</text>" in big and 'data-counts="21734,45,4,1"' in big


def test_an_attack_by_the_anti_minority_side_is_felt_by_minorities():
    """The attack button's other side: an attack on minority residents, as if scheduled from week 0."""
    towns = TwinTowns(SMALL)
    towns.step(3)
    assert towns.trigger_attack("anti_minority") == 3
    towns.step(5)
    assert towns.anti_minority_attacks == [3] and towns.attacks == []
    for rec in towns.records:
        assert rec.series["threat_minority"][3] == 0 and rec.series["threat_minority"][4] > 0.5
        assert max(rec.series["threat"]) == pytest.approx(0.0, abs=1e-9)      # the majority does not feel it
    # the same as a model whose attack was scheduled before it started
    scheduled = RadicalisationModel(rng=SMALL.seed, collect=False, anti_minority_attack_weeks=[3],
                                    **SMALL.model_parameters())
    scheduled.run_for(towns.week)
    assert np.array_equal(scheduled.state.phase, towns.as_is.state.phase)
    assert np.array_equal(scheduled.state.group_discrimination, towns.as_is.state.group_discrimination)
    with pytest.raises(ValueError):
        towns.trigger_attack("nobody")
    # saved with the scenario, and loaded back
    text = scenario_toml(towns, "what-if", "from the dashboard", "what if")
    assert "anti_minority_attack_weeks = [3]" in text and "attack_weeks = []" in text
    loaded, scenario = load_scenario_text(text)
    assert scenario.parameters.anti_minority_attack_weeks == [3] and loaded.anti_minority_attacks == [3]
    loaded.step(towns.week)
    assert np.array_equal(loaded.as_is.state.phase, towns.as_is.state.phase)


def test_the_trainer_chooses_who_attacks(page):
    session, rc = page
    for _ in range(2):
        click(rc, "Step")
    (side,) = [w for w in rc.find(v.BtnToggle).widgets if "radsim-attack-side" in (w.class_ or "")]
    assert [b.children for b in side.children] == [["grievance movement"], ["anti-minority movement"]]
    side.v_model = 1                                     # what the browser does on a click
    assert session.attack_side.value == "anti_minority"
    click(rc, "An attack happens now")
    towns = session.towns.value
    assert towns.anti_minority_attacks == [2] and towns.attacks == []
    assert "The anti-minority movement attacked in week 2" in message(rc)
    click(rc, "Step")
    assert towns.latest(0, "threat_minority") > 0.5 and towns.latest(0, "threat") == 0
    side.v_model = 0
    click(rc, "An attack happens now")
    assert towns.attacks == [3] and "An attack happened in week 3" in message(rc)
    session.set_lang("nl")
    (side,) = [w for w in rc.find(v.BtnToggle).widgets if "radsim-attack-side" in (w.class_ or "")]
    assert [b.children for b in side.children] == [["beweging onder minderheden"], ["beweging tegen minderheden"]]
    side.v_model = 1
    click(rc, "Er vindt nu een aanslag plaats")
    assert "In week 3 pleegde de beweging tegen minderheden een aanslag" in message(rc)
    # both kinds of attack are marked on the charts, each in its own colour
    click(rc, "Stap")
    (diff,) = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
               if "radsim-difference-chart" in w.attributes.get("class", "")]
    assert diff.count('class="radsim-mark-0"') == 1 and diff.count('class="radsim-mark-1"') == 2


def test_trends_show_the_movements_their_acts_and_the_polarisation_roles(page):
    session, rc = page
    _open_after(rc, 8, tab=1)
    towns = session.towns.value
    series = towns.series(0)

    def lines(css: str) -> dict[str, str]:
        (html,) = [h for h in _html(rc, css) if f'class="radsim-chart {css}"' in h]
        return dict(re.findall(r'data-label="([^"]*)" data-last="([^"]*)"', html))

    roles = lines("radsim-trend-roles")
    assert set(roles) == {f"{name} ({town})" for name in ("pusher", "joiner", "bridge builder", "scapegoat")
                          for town in ("As is", "What if: with interventions")}
    assert roles["bridge builder (As is)"] == f"{series['role_bridge_builder'][-1]:.0f}"
    assert roles["joiner (As is)"] == f"{series['role_joiner'][-1]:.0f}"
    middle = lines("radsim-trend-middle")
    assert middle["silent middle (As is)"] == f"{series['role_silent_middle'][-1]:.0f}"
    assert sum(series[f"role_{r}"][-1] for r in ("silent_middle", "pusher", "joiner", "bridge_builder",
                                                  "scapegoat")) == SMALL.n_residents
    movements = lines("radsim-trend-movements")
    assert movements["grievance movement (As is)"] == f"{sum(series[f'phase_{k}_grievance'][-1] for k in (1, 2, 3)):.0f}"
    acts = lines("radsim-trend-acts")
    assert set(acts) == {f"{m} ({town})" for m in ("grievance movement", "anti-minority movement")
                         for town in ("As is", "What if: with interventions")}
    assert acts["anti-minority movement (As is)"] == f"{series['acts_anti_minority'][-1]:.0f}"
    threat = lines("radsim-trend-threat")
    assert "threat felt by minorities (As is)" in threat and "threat felt by the majority (As is)" in threat
    note = rc.find(v.Html, class_="radsim-trend-middle-note").widget.children[0]
    assert note == (f"Trust of the silent middle now: {series['mean_trust_silent_middle'][-1]:.2f} (as is), "
                    f"{towns.latest(1, 'mean_trust_silent_middle'):.2f} (with interventions).")
    session.set_lang("nl")
    roles = lines("radsim-trend-roles")
    assert "aanjager (pusher) (Zoals het is)" in roles and "zondebok (Wat als: met interventies)" in roles
    note = rc.find(v.Html, class_="radsim-trend-middle-note").widget.children[0]
    assert note.startswith("Vertrouwen van de stille middengroep nu: ") and "," in note.split(": ")[1][:4]


def test_meet_a_resident_shows_their_side_role_strategy_and_identification_by_name(page):
    session, rc = page
    _open_after(rc, 6, tab=3)
    towns = session.towns.value
    st = towns.as_is.state
    click(rc, "a bridge builder")
    i = session.selected.value
    assert i is not None and st.polarisation_role[i] == 3

    def table() -> str:
        (html,) = _html(rc, "radsim-resident-table")
        return html

    def cells(field: str) -> list[str]:
        return re.findall(rf'data-field="{field}"[^>]*>([^<]*)<', table())

    assert cells("role") == ["bridge builder", "bridge builder"]
    side = "grievance movement" if towns.as_is.town.background[i] > 0 else "anti-minority movement"
    assert cells("movement") == [side, side]
    names = {0: "individual mobility", 1: "social creativity", 2: "social competition"}
    assert cells("strategy")[0] == names[int(st.identity_strategy[i])]
    assert cells("identification")[0] == f"{st.identification[i]:.2f} (0 to 1)"
    for code in ("anti_minority", "silent_middle", "bridge_builder", "social_competition", "individual_mobility"):
        assert code not in table()                       # names, never codes
    story = towns.story(0, i)
    assert story["role"][-1] == 3 and story["strategy"][-1] == st.identity_strategy[i]
    assert np.allclose(story["identification"][-1], st.identification[i], atol=1 / 255)
    so_far = rc.find(v.Html, class_="radsim-roles-so-far").widget.children[0]
    weeks = np.bincount(story["role"], minlength=5)
    assert f"{weeks[3]} bridge builder" in so_far and so_far.startswith("Weeks in each role since week 0 (As is)")
    # someone on the other side, then in Dutch
    other = int(np.flatnonzero(towns.as_is.town.background == 0)[0])
    session.select(other)
    assert cells("movement") == ["anti-minority movement"] * 2
    session.set_lang("nl")
    assert cells("movement") == ["beweging tegen minderheden"] * 2
    assert cells("identification")[0] == f"{st.identification[other]:.2f} (0 tot 1)".replace(".", ",")
    assert cells("strategy")[0] in {"individuele mobiliteit", "sociale creativiteit", "sociale competitie"}
    assert "rol in polarisatie" in table() and "identificatie met de eigen groep" in table()
    click(rc, "een zondebok")                              # nobody, or a scapegoat
    chosen = session.selected.value
    assert st.polarisation_role[chosen] == 4 or "nu is niemand zondebok" in str(
        [w.children for w in rc.find(v.Html).widgets])
