"""Start the dashboard server: ``radsim dashboard`` becomes ``solara run dashboard.app`` (production mode)."""

from __future__ import annotations

import ipaddress
import os
import sys

__all__ = ["solara_command", "serve", "is_loopback"]

APP = "dashboard.app"
ONE_TOWN_APP = "dashboard.one_town"     # one town in Mesa's SolaraViz page


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (the dashboard is then not reachable from other machines)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def solara_command(host: str, port: int, open_browser: bool = False, app: str = APP) -> list[str]:
    """The ``solara run`` command line: production mode (no reloader, no calls home), one worker."""
    return [sys.executable, "-m", "solara", "run", app, "--host", host, "--port", str(port), "--production",
            "--open" if open_browser else "--no-open", "--log-level", "warning"]


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False, app: str = APP) -> None:
    """Replace this process by the Solara server; it runs until Ctrl-C or a signal stops it.

    ``exec`` rather than a child process: a signal to ``radsim dashboard`` (Ctrl-C, a
    test tearing it down) reaches the server itself, and no orphaned server is left.
    Solara's usage statistics are switched off unless the environment sets
    ``SOLARA_TELEMETRY_MIXPANEL_ENABLE`` itself: a training room needs no calls home.
    """
    env = dict(os.environ)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    command = solara_command(host, port, open_browser, app)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)
