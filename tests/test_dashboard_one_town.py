"""The one-town page is Mesa's SolaraViz: its Step button advances the model and the network view follows."""

import ipyvuetify as v
import solara

from dashboard.one_town import MODEL_PARAMS, Page, make_model
from dashboard.serve import ONE_TOWN_APP, solara_command


def shown(before: set[int]) -> str:
    """The one-town summary line(s) that widgets created by this render show (Markdown lives in templates)."""
    from ipywidgets.widgets.widget import _instances

    texts = []
    for key, w in list(_instances.items()):
        template = getattr(w, "template", None)
        text = template if isinstance(template, str) else getattr(template, "template", "") or ""
        if key not in before and "<strong>Week" in text:
            texts.append(text)
    return " ".join(texts)


def test_solaraviz_page_steps_the_model_and_redraws():
    from ipywidgets.widgets.widget import _instances

    before = set(_instances)
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    assert "Week 0" in shown(before)
    step = rc.find(v.Btn, children=["Step"])
    step.assert_single()
    for _ in range(3):
        step.widget.click()
    assert "Week 3" in shown(before), shown(before)
    assert "phase 1:" in shown(before)


def test_model_params_are_valid_and_build_a_model():
    m = make_model(n_residents=300)
    assert m.town.n_residents == 300 and m.params.segregation == MODEL_PARAMS["segregation"].value


def test_one_town_flag_selects_the_solaraviz_app():
    assert ONE_TOWN_APP in solara_command("127.0.0.1", 8765, app=ONE_TOWN_APP)
