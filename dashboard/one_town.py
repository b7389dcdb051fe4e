"""One town in Mesa's own SolaraViz page: ``radsim dashboard --one-town``.

The trainers' page (:mod:`dashboard.app`) runs two towns in lockstep, which
SolaraViz cannot do. This page is the plain Mesa view of one town, for
researchers and students who know Mesa: SolaraViz's controls (play, pause, step,
reset, play interval), its model-parameter sliders declared as data, and plot
components, plus the same fast network picture as the trainers' page.

What radsim adds to Mesa's page: the texts in English or Dutch (:mod:`dashboard.i18n`,
numbers per language), charts whose legends are the model's labels in words and
whose x axis is the week (Mesa's own plot component writes the column names and
"Step"), each movement's sympathisers and members, and CSS that hides the tab bar
SolaraViz draws: Mesa 3.5 names its tabs "Page 0", "Page 1", ... with no way to
pass a name, and this page has one page only. Mesa's own controls (Reset, Step,
"Play Interval (ms)", the card titles) stay in English: they are fixed in Mesa.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import solara
from mesa.visualization import Slider, SolaraViz
from mesa.visualization.utils import update_counter

from experiments.plots import PHASE_COLOURS
from model import RadicalisationModel
from model.town import Town

from . import charts
from .components import MOVEMENT_COLOURS, fmt, movement_label, phase_label
from .i18n import LANGUAGES, number, t
from .layout import town_layout
from .picture import NetworkPicture, encode_jpeg
from .twin import MOVEMENTS

__all__ = ["MODEL_PARAMS", "CHARTS", "CSS", "model_params", "chart_series", "summary", "TownNetwork", "TrendChart",
           "make_model", "page", "Page"]

SLIDERS = {   # name: (text key, default, low, high, step)
    "n_residents": ("n_residents", 1000, 100, 5000, 100),
    "societal_discrimination": ("societal_discrimination", 0.3, 0.0, 1.0, 0.05),
    "institutional_fairness": ("institutional_fairness", 0.7, 0.0, 1.0, 0.05),
    "segregation": ("segregation", 0.5, 0.0, 1.0, 0.05),
    "memberships_mean": ("memberships_mean", 1.2, 0.0, 5.0, 0.1),
}


def model_params(lang: str = "en") -> dict:
    """SolaraViz's model parameters, labelled in ``lang``."""
    params: dict = {"rng": {"type": "InputText", "value": 42, "label": t(lang, "seed_label")}}
    for name, (key, value, low, high, step) in SLIDERS.items():
        params[name] = Slider(t(lang, key), value, low, high, step)
    return params


MODEL_PARAMS = model_params("en")

CHARTS: dict[str, tuple[str, list[tuple[tuple[str, ...], str, str]], tuple[float, float] | None]] = {
    # css class: (title key, [(columns added up, label key, colour)], y range)
    "radsim-one-town-phase-1": ("phase_1_chart", [(("phase_1",), "phase_1", PHASE_COLOURS[1])], None),
    "radsim-one-town-phases-23": ("phases_23_chart", [((f"phase_{k}",), f"phase_{k}", PHASE_COLOURS[k])
                                                      for k in (2, 3)], None),
    "radsim-one-town-movements": ("movements_chart", [(tuple(f"phase_{k}_{m}" for k in (1, 2, 3)), f"movement_{m}",
                                                       MOVEMENT_COLOURS[m]) for m in MOVEMENTS], None),
    "radsim-one-town-climate": ("climate_chart", [(("mean_prejudice",), "q_prejudice", "#8d6e63"),
                                                  (("mean_trust",), "q_trust", "#1565c0"),
                                                  (("polarisation",), "q_polarisation", "#6a1b9a")], (0.0, 1.0)),
}
"""The one-town charts: the model's outcome columns (:data:`model.metrics.OUTCOME_COLUMNS`) and their labels."""

CSS = """
.solara-content-main .v-tabs { display: none !important; }  /* SolaraViz's single tab "Page 0" */
.radsim-one-town-chart svg { width: 100%; }
"""

_pictures: dict[int, tuple[weakref.ref, NetworkPicture]] = {}


def _picture(town: Town) -> NetworkPicture:
    """The town's picture, laid out once per town (never a spring layout on reset)."""
    ref, picture = _pictures.get(id(town), (None, None))
    if ref is None or ref() is not town:
        for key in [k for k, (r, _) in _pictures.items() if r() is None]:   # towns that are gone
            del _pictures[key]
        picture = NetworkPicture(town_layout(town), town.edge_source, town.edge_target, town.background)
        _pictures[id(town)] = (weakref.ref(town), picture)
    return picture


def _label(lang: str, key: str) -> str:
    """A line's label: the phase with its number ("2 group membership"), else the text of ``key``."""
    if key.startswith("phase_"):
        return phase_label(lang, int(key.split("_")[1]))
    if key.startswith("movement_"):
        return movement_label(lang, key.removeprefix("movement_"))
    return t(lang, key)


def summary(lang: str, model: RadicalisationModel) -> str:
    """The line above the network: "Week 3: 0 not radical: 950, 1 sensitivity: 48, ..."."""
    counts = ", ".join(f"{phase_label(lang, int(k))}: {number(lang, v)}" for k, v in model.phase_counts().items())
    return t(lang, "one_town_week", week=number(lang, model.week), counts=counts)


def chart_series(lang: str, model: RadicalisationModel, css_class: str) -> list[charts.Series]:
    """One line per label of the chart ``css_class``, week by week from the model's DataCollector."""
    df = model.datacollector.get_model_vars_dataframe()
    weeks = list(range(len(df)))
    return [charts.Series(_label(lang, key), weeks, [float(v) for v in df[list(columns)].sum(axis=1)], colour)
            for columns, key, colour in CHARTS[css_class][1]]


@solara.component
def TownNetwork(model: RadicalisationModel, lang: str = "en"):
    """The town's network, coloured by phase and shaped by background; redrawn every step."""
    update_counter.get()
    img = _picture(model.town).draw(model.state.phase)
    # plain text, not solara.Markdown: that loads mermaid from the CDN, which an offline room does not have
    solara.Text(summary(lang, model), classes=["radsim-one-town-week"], style="font-weight:bold")
    solara.HTML(unsafe_innerHTML=charts.legend([(phase_label(lang, k), PHASE_COLOURS[k], False) for k in range(4)]))
    solara.Image(encode_jpeg(img), format="jpeg")


@solara.component
def TrendChart(model: RadicalisationModel, css_class: str, lang: str = "en"):
    """A time series of the model's outcomes, its legend in words and "week" on the x axis."""
    update_counter.get()
    title, _, y_range = CHARTS[css_class]
    series = chart_series(lang, model, css_class)
    with solara.Column(gap="2px", classes=["radsim-one-town-chart", css_class]):
        solara.Text(t(lang, title), style="font-weight:bold")
        solara.HTML(unsafe_innerHTML=charts.legend([(s.label, s.colour, False) for s in series]))
        solara.HTML(unsafe_innerHTML=charts.line_chart(
            series, x_label=t(lang, "week_axis"), y_label="" if y_range else t(lang, "difference_y"),
            y_range=y_range, fmt=fmt(lang), css_class=css_class))


def make_model(**params) -> RadicalisationModel:
    """The model SolaraViz shows first (the sliders' defaults)."""
    defaults = {k: (v.value if isinstance(v, Slider) else v["value"]) for k, v in MODEL_PARAMS.items()}
    return RadicalisationModel(**{**defaults, **params})


def components(lang: str) -> list[Callable[[RadicalisationModel], object]]:
    """SolaraViz's components in ``lang``: the network and the charts (SolaraViz redraws them every step)."""
    out: list[Callable[[RadicalisationModel], object]] = [lambda model: TownNetwork(model, lang)]
    out += [lambda model, c=css_class: TrendChart(model, c, lang) for css_class in CHARTS]
    return out


def page(model: RadicalisationModel | solara.Reactive | None = None, lang: str = "en"):
    """The SolaraViz page for ``model`` (a fresh one if None) with its texts in ``lang``."""
    return SolaraViz(
        make_model() if model is None else model,
        components=components(lang),
        model_params=model_params(lang),
        name=t(lang, "one_town_title"),
    )


@solara.component
def Page(lang: str | solara.Reactive[str] = "en"):
    """The page of one browser session: its model, its language (a switch in the app bar) and SolaraViz."""
    language = solara.use_reactive(lang)
    model = solara.use_memo(lambda: solara.Reactive(make_model()), [])   # kept when the language changes
    solara.Title(t(language.value, "one_town_title"))
    solara.Style(CSS)
    with solara.AppBar():
        solara.ToggleButtonsSingle(value=language.value, on_value=language.set, dense=True, style="margin:4px 8px",
                                   children=[solara.Button(name, value=code, text=True, classes=[f"radsim-lang-{code}"])
                                             for code, name in LANGUAGES.items()])
    page(model, language.value)
