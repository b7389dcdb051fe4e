"""Start the dashboard server: ``radsim dashboard`` becomes ``solara run dashboard.app`` (production mode).

Before it hands over to Solara, :func:`claim_port` checks that the address can be
listened on, so that an occupied port is a one-line error (exit code 2) rather than
the server's own traceback, and port 0 becomes a free port that ``radsim dashboard``
prints before it serves.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import sys

__all__ = ["solara_command", "serve", "is_loopback", "claim_port", "url", "PortError", "APP", "ONE_TOWN_APP",
           "WARM_UP"]

APP = "dashboard.app"
ONE_TOWN_APP = "dashboard.one_town"     # one town in Mesa's SolaraViz page
WARM_UP = "RADSIM_DASHBOARD_WARM_UP"
"""Set to 1 by :func:`serve`: the server steps a small town once when it loads the page (``dashboard.app.warm_up``)."""


class PortError(Exception):
    """The dashboard cannot listen on the host and port given (a one-line message naming them)."""


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (the dashboard is then not reachable from other machines)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url(host: str, port: int) -> str:
    """The address to open in a browser (an IPv6 address in brackets)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def claim_port(host: str, port: int) -> int:
    """Check that ``host:port`` can be listened on, as the server will (port 0: pick a free one); return the port.

    The socket is bound and closed again at once, with ``SO_REUSEADDR`` as the server
    sets it, so a port that only lingers from a closed connection counts as free.
    Another program can still take the port in the moment before the server binds it;
    then the server's own error stands.

    Raises:
        PortError: the port is in use, not allowed, or the host is not an address of this machine.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, UnicodeError) as err:
        raise PortError(f"--host: {host!r} is not a host name or address this machine knows ({err})") from None
    try:
        with socket.socket(family, kind, proto) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(address)
            s.listen(1)
            return int(s.getsockname()[1])
    except OSError as err:
        where = f"port {port} on {host}"
        if err.errno == errno.EADDRINUSE:
            raise PortError(f"--port: {where} is in use (another dashboard?); choose another port, "
                            "or --port 0 for any free one") from None
        if err.errno == errno.EACCES:
            raise PortError(f"--port: no permission to listen on {where}; use a port from 1024 up") from None
        if err.errno == errno.EADDRNOTAVAIL:
            raise PortError(f"--host: {host} is not an address of this machine") from None
        raise PortError(f"--port: cannot listen on {where}: {err.strerror or err}") from None


def solara_command(host: str, port: int, open_browser: bool = False, app: str = APP) -> list[str]:
    """The ``solara run`` command line: production mode (no reloader, no calls home), one worker."""
    return [sys.executable, "-m", "dashboard.solara_main", "run", app, "--host", host, "--port", str(port), "--production",
            "--open" if open_browser else "--no-open", "--log-level", "warning"]


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False, app: str = APP) -> None:
    """Replace this process by the Solara server; it runs until Ctrl-C or a signal stops it.

    ``exec`` rather than a child process: a signal to ``radsim dashboard`` (Ctrl-C, a
    test tearing it down) reaches the server itself, and no orphaned server is left.
    Solara's usage statistics are switched off unless the environment sets
    ``SOLARA_TELEMETRY_MIXPANEL_ENABLE`` itself: a training room needs no calls home.
    Solara's badge ("This website runs on Solara", bottom right, over the what-if panel's
    last switch) is off unless ``SOLARA_THEME_SHOW_BANNER`` says otherwise.
    The server warms up the model's compiled rules when it loads the page
    (``WARM_UP``), so the first Play does not wait for them.
    """
    env = dict(os.environ)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "False")   # Solara's badge would cover the what-if panel
    env.setdefault(WARM_UP, "1")
    command = solara_command(host, port, open_browser, app)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)
