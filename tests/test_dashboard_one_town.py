"""The one-town page is Mesa's SolaraViz: its Step button advances the model and the network view follows; its
texts are the model's labels in words, in English or Dutch, with "week" on the x axis and no "Page 0" tab."""

import ipyvuetify as v
import solara
import solara.widgets

from dashboard.i18n import TEXTS
from dashboard.one_town import CHARTS, CSS, MODEL_PARAMS, Page, chart_series, make_model, model_params, summary
from dashboard.serve import ONE_TOWN_APP, solara_command
from model.metrics import OUTCOME_COLUMNS


def shown(rc) -> str:
    """The one-town summary line ("Week 3: 0 not radical: ..., 1 sensitivity: ...")."""
    return " ".join(str(c) for w in rc.find(v.Html, class_="radsim-one-town-week").widgets for c in w.children)


def html(rc) -> str:
    """All raw HTML the page shows (the charts and legends)."""
    return " ".join(w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets)


def render(lang="en"):
    _, rc = solara.render(solara.AppLayout(children=[Page(lang=lang)]), handle_error=False)
    return rc


def test_solaraviz_page_steps_the_model_and_redraws():
    rc = render()
    assert shown(rc).startswith("Week 0:")
    step = rc.find(v.Btn, children=["Step"])
    step.assert_single()
    for _ in range(3):
        step.widget.click()
    assert shown(rc).startswith("Week 3:"), shown(rc)
    assert "1 sensitivity:" in shown(rc)


def test_charts_use_the_models_labels_in_words_and_week_on_the_axis():
    rc = render()
    page = html(rc)
    for css_class in CHARTS:
        assert css_class in page
    for label in ("1 sensitivity", "2 group membership", "3 action", "grievance movement", "anti-minority movement",
                  "prejudice", "trust", "polarisation"):
        assert f'data-label="{label}"' in page, label
    assert ">week</text>" in page and ">Step<" not in page
    for column in ("phase_1", "phase_1_grievance", "mean_prejudice", "mean_trust"):    # no raw column names
        assert f'data-label="{column}"' not in page and f">{column}<" not in page


def test_the_movements_chart_adds_up_each_movements_phases():
    m = make_model(n_residents=300)
    for _ in range(4):
        m.step()
    grievance, anti = chart_series("en", m, "radsim-one-town-movements")
    df = m.datacollector.get_model_vars_dataframe()
    assert grievance.y[-1] == sum(df[f"phase_{k}_grievance"].iloc[-1] for k in (1, 2, 3))
    assert anti.y[-1] == sum(df[f"phase_{k}_anti_minority"].iloc[-1] for k in (1, 2, 3))
    assert list(grievance.x) == list(range(5))
    for _, keys, _ in CHARTS.values():
        assert all(c in OUTCOME_COLUMNS for columns, _, _ in keys for c in columns)


def test_the_page_speaks_dutch_with_dutch_numbers():
    rc = render("nl")
    page = html(rc)
    assert "1 gevoeligheid" in shown(rc) and "niet radicaal" in shown(rc)
    for label in ("1 gevoeligheid", "beweging onder minderheden", "beweging tegen minderheden", "vertrouwen"):
        assert f'data-label="{label}"' in page, label
    assert ">week</text>" in page
    m = make_model(n_residents=1200)
    assert "niet radicaal: 1." in summary("nl", m) and "not radical: 1," in summary("en", m)   # 1.1xx / 1,1xx
    labels = [p["label"] if isinstance(p, dict) else p.label for p in model_params("nl").values()]
    assert labels[0] == TEXTS["nl"]["seed_label"] and TEXTS["nl"]["institutional_fairness"] in labels


def test_the_language_switch_keeps_the_run():
    lang = solara.reactive("en")           # what the language switch in the app bar sets
    rc = render(lang)
    rc.find(v.Btn, children=["Step"]).widget.click()
    lang.value = "nl"
    assert shown(rc).startswith("Week 1:") and "gevoeligheid" in shown(rc), shown(rc)


def test_the_single_page_tab_is_hidden():
    assert ".v-tabs" in CSS and "display: none" in CSS


def test_model_params_are_valid_and_build_a_model():
    m = make_model(n_residents=300)
    assert m.town.n_residents == 300 and m.params.segregation == MODEL_PARAMS["segregation"].value


def test_one_town_flag_selects_the_solaraviz_app():
    assert ONE_TOWN_APP in solara_command("127.0.0.1", 8765, app=ONE_TOWN_APP)
