"""Start the dashboard server: ``radsim dashboard`` runs ``solara run dashboard.app`` in a subprocess."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys

__all__ = ["solara_command", "serve", "is_loopback"]

APP = "dashboard.app"


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (the dashboard is then not reachable from other machines)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def solara_command(host: str, port: int, open_browser: bool = False) -> list[str]:
    """The ``solara run`` command line: production mode (no reloader, no calls home), one worker."""
    return [sys.executable, "-m", "solara", "run", APP, "--host", host, "--port", str(port), "--production",
            "--open" if open_browser else "--no-open", "--log-level", "warning"]


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False) -> int:
    """Run the dashboard until interrupted; returns the server's exit code.

    Solara's usage statistics are switched off unless the environment sets
    ``SOLARA_TELEMETRY_MIXPANEL_ENABLE`` itself: a training room needs no calls home.
    """
    env = dict(os.environ)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    proc = subprocess.Popen(solara_command(host, port, open_browser), env=env)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(timeout=10)
        return 0
