"""Print the npm packages (name@version) whose files Solara's page loads from its CDN proxy.

Solara serves ``/_solara/cdn/<name>@<version>/<path>`` from
``<venv>/share/solara/cdn/<name>@<version>/<path>``, and fetches missing files from
jsdelivr, which these machines cannot reach. The exact versions are read from the
installed Solara (its page template and asset settings), so an upgrade of Solara
changes this list by itself. Used by ``tests/browser/setup.sh``.
"""

from __future__ import annotations

import re
from pathlib import Path

import ipyvue
import solara
import solara.server.settings as server_settings
import solara.server

PACKAGE = re.compile(r"\{\{\s*cdn\s*\}\}/((?:@[\w.-]+/)?[\w.-]+)@(\d+\.\d+\.\d+)/")
# widgets that import from the CDN at run time (SolaraViz's draggable grid uses gridlayout.vue)
WIDGET_IMPORT = re.compile(r"getCdn\(\)\}/((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/")


def vue3_wanted() -> bool:
    return int(ipyvue.__version__.split(".")[0]) >= 3


def packages() -> list[str]:
    template = (Path(solara.server.__file__).parent / "templates" / "solara.html.j2").read_text()
    found = {f"{name}@{version}" for name, version in PACKAGE.findall(template)}
    fontawesome = server_settings.assets.fontawesome_path.strip("/").split("/")[0]   # font-awesome@4.5.0
    found.add(fontawesome)
    widgets = Path(solara.__file__).parent / "widgets" / "vue"
    if not vue3_wanted():
        for vue in widgets.glob("gridlayout.vue"):
            found |= {f"{name}@{version}" for name, version in WIDGET_IMPORT.findall(vue.read_text())}
    vue3 = vue3_wanted()
    # the page loads the Vuetify 3 app only with ipyvue 3; we pin ipyvue < 2
    return sorted(p for p in found if ("vuetify3" in p) == vue3)


if __name__ == "__main__":
    print("\n".join(packages()))
