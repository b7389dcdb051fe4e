"""radsim's simulator core: the synthetic town, the phase model, and the Mesa model.

The core never imports ``experiments`` or the dashboard.
"""

from .engine import ArrayEngine, MacroContext, macro_context
from .model import RadicalisationModel
from .parameters import ParameterError, Parameters
from .state import IdentityStrategy, Phase, ResidentState, initial_state
from .town import LAYERS, Town, build_town

__version__ = "0.1.0"

__all__ = [
    "ArrayEngine", "IdentityStrategy", "LAYERS", "MacroContext", "ParameterError", "Parameters", "Phase",
    "RadicalisationModel", "ResidentState", "Town", "build_town", "initial_state", "macro_context", "__version__",
]
