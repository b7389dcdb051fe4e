"""One town in Mesa's own SolaraViz page: ``radsim dashboard --one-town``.

The trainers' page (:mod:`dashboard.app`) runs two towns in lockstep, which
SolaraViz cannot do. This page is the plain Mesa view of one town, for
researchers and students who know Mesa: SolaraViz's controls (play, pause, step,
reset, play interval), its model-parameter sliders declared as data, and its
plot components, plus the same fast network picture as the trainers' page.
"""

from __future__ import annotations

import weakref

import solara
from mesa.visualization import Slider, SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

from experiments.plots import PHASE_COLOURS
from model import RadicalisationModel
from model.town import Town

from .layout import town_layout
from .picture import NetworkPicture, encode_jpeg

__all__ = ["MODEL_PARAMS", "TownNetwork", "make_model", "page"]

MODEL_PARAMS = {
    "rng": {"type": "InputText", "value": 42, "label": "Random seed"},
    "n_residents": Slider("Residents", 1000, 100, 5000, 100),
    "societal_discrimination": Slider("Societal discrimination", 0.3, 0.0, 1.0, 0.05),
    "institutional_fairness": Slider("Institutional fairness", 0.7, 0.0, 1.0, 0.05),
    "segregation": Slider("Segregation", 0.5, 0.0, 1.0, 0.05),
    "memberships_mean": Slider("Club memberships (mean)", 1.2, 0.0, 5.0, 0.1),
}
PHASES = {f"phase_{k}": PHASE_COLOURS[k] for k in (1, 2, 3)}
CLIMATE = {"mean_prejudice_majority": "#4c72b0", "mean_trust": "#55a868", "polarisation": "#8172b2"}

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


@solara.component
def TownNetwork(model: RadicalisationModel):
    """The town's network, coloured by phase and shaped by background; redrawn every step."""
    update_counter.get()
    img = _picture(model.town).draw(model.state.phase)
    counts = model.phase_counts()
    # plain text, not solara.Markdown: that loads mermaid from the CDN, which an offline room does not have
    solara.Text(f"Week {model.week}: " + ", ".join(f"phase {int(k)}: {v}" for k, v in counts.items()),
                classes=["radsim-one-town-week"], style="font-weight:bold")
    solara.Image(encode_jpeg(img), format="jpeg")


def make_model(**params) -> RadicalisationModel:
    """The model SolaraViz shows first (the sliders' defaults)."""
    defaults = {k: (v.value if isinstance(v, Slider) else v["value"]) for k, v in MODEL_PARAMS.items()}
    return RadicalisationModel(**{**defaults, **params})


def page():
    """The SolaraViz page (a fresh model per browser session)."""
    return SolaraViz(
        make_model(),
        components=[TownNetwork, make_plot_component(PHASES), make_plot_component(CLIMATE)],
        model_params=MODEL_PARAMS,
        name="radsim: one town",
    )


@solara.component
def Page():
    page()
