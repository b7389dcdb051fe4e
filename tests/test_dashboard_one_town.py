"""The one-town page is Mesa's SolaraViz: its Step button advances the model and the network view follows."""

import ipyvuetify as v
import solara

from dashboard.one_town import MODEL_PARAMS, Page, make_model
from dashboard.serve import ONE_TOWN_APP, solara_command


def shown(rc) -> str:
    """The one-town summary line ("Week 3: phase 0: ..., phase 1: ...")."""
    return " ".join(str(c) for w in rc.find(v.Html, class_="radsim-one-town-week").widgets for c in w.children)


def test_solaraviz_page_steps_the_model_and_redraws():
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    assert shown(rc).startswith("Week 0:")
    step = rc.find(v.Btn, children=["Step"])
    step.assert_single()
    for _ in range(3):
        step.widget.click()
    assert shown(rc).startswith("Week 3:"), shown(rc)
    assert "phase 1:" in shown(rc)


def test_model_params_are_valid_and_build_a_model():
    m = make_model(n_residents=300)
    assert m.town.n_residents == 300 and m.params.segregation == MODEL_PARAMS["segregation"].value


def test_one_town_flag_selects_the_solaraviz_app():
    assert ONE_TOWN_APP in solara_command("127.0.0.1", 8765, app=ONE_TOWN_APP)
