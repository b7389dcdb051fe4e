"""Solara's server, as ``python -m solara``, ending on Ctrl-C with one line and exit code 130.

``radsim dashboard`` replaces itself by this process (:func:`dashboard.serve.serve`),
so Ctrl-C reaches the server directly; Solara's own command line would print a
blank line and ``Aborted.`` and exit with code 1.
"""

from __future__ import annotations

import signal
import sys

import click
from solara.__main__ import cli


class Interrupted(BaseException):
    """Ctrl-C, raised instead of ``KeyboardInterrupt`` so that click prints nothing of its own."""


def _interrupt(signum, frame) -> None:
    raise Interrupted


def main() -> int:
    signal.signal(signal.SIGINT, _interrupt)     # the server takes it over while it runs, and hands it back
    try:
        cli.main(args=sys.argv[1:], prog_name="radsim dashboard", standalone_mode=False)
    except (Interrupted, KeyboardInterrupt, click.Abort):
        print("interrupted: the dashboard stopped", file=sys.stderr)
        return 130
    except click.ClickException as err:
        print(f"error: {err.format_message()}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
