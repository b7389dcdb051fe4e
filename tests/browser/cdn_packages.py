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
import solara.server.settings as server_settings
import solara.server

PACKAGE = re.compile(r"\{\{\s*cdn\s*\}\}/((?:@[\w.-]+/)?[\w.-]+)@(\d+\.\d+\.\d+)/")


def packages() -> list[str]:
    template = (Path(solara.server.__file__).parent / "templates" / "solara.html.j2").read_text()
    found = {f"{name}@{version}" for name, version in PACKAGE.findall(template)}
    fontawesome = server_settings.assets.fontawesome_path.strip("/").split("/")[0]   # font-awesome@4.5.0
    found.add(fontawesome)
    vue3 = int(ipyvue.__version__.split(".")[0]) >= 3
    # the page loads the Vuetify 3 app only with ipyvue 3; we pin ipyvue < 2
    return sorted(p for p in found if ("vuetify3" in p) == vue3)


if __name__ == "__main__":
    print("\n".join(packages()))
