"""radsim's simulator core: the synthetic town, the phase model, and the Mesa model.

The core is in layers; each module imports only from the layers above it:

=================================  =========================================================
``errors``                          one-line errors for bad input
``survey``, ``parameters``          survey figures (schema, CSV reader); validated parameters and shared constants
``town/``                           population, network layers, networkx reference generators, survey population
``rules``                           every equation E1-E17 once, as small pure functions
``state``, ``recruitment``,         the state arrays; recruiters' approaches; the interventions and their
``interventions``                   narrow ``World`` protocol
``survey_figures``, ``metrics``,    young people's survey figures at week 0; summaries; the compiled tie pass
``kernels``
``engine``, ``agents``              the two executions of the rules: all residents at once / one resident
``checkpoint``                      a model's whole state in one pickle-free ``.npz`` (``save``/``load``)
``model``                           ``RadicalisationModel(mesa.Model)``
=================================  =========================================================

The core never imports ``experiments`` or the dashboard.
"""

from .engine import ArrayEngine, MacroContext, macro_context
from .errors import ParameterError
from .model import RadicalisationModel
from .parameters import Parameters
from .rules import IdentityStrategy, Phase
from .state import ResidentState, initial_state
from .town import LAYERS, Town, build_town

__version__ = "0.1.0"

__all__ = [
    "ArrayEngine", "IdentityStrategy", "LAYERS", "MacroContext", "ParameterError", "Parameters", "Phase",
    "RadicalisationModel", "ResidentState", "Town", "build_town", "initial_state", "macro_context", "__version__",
]
