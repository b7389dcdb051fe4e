"""What the dashboard's browser tests share: the server, the browser, and a watch on every page.

``dashboard_server`` starts ``radsim dashboard --port 0`` on 127.0.0.1, reads the
port it chose from the line it prints, and stops its whole process group afterwards.
``open_page`` opens a page in Debian's headless chromium and watches it: every request
must go to the local server and succeed, and the page must raise no error (an uncaught exception, a failed ``require`` of a CDN
package). A request still unanswered when the page is checked counts as failed: offline,
Solara's CDN proxy waits a long time for jsdelivr before it gives up on a missing
package (as with ``mermaid@10.8.0``, which ``solara.Markdown`` loads). ``Watch.check``
fails the test on the first sign of any of these, with the list.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1440, "height": 1280}
PROJECTOR = {"width": 1280, "height": 720}
"""A projector's window: the side-by-side view must fit it without scrolling."""

__all__ = ["ROOT", "CHROMIUM", "PROJECTOR", "missing", "dashboard_server", "browser", "open_page", "Watch", "week"]


def missing() -> str | None:
    """Why the browser tests cannot run here (no chromium, or Solara's front-end assets absent), or None."""
    if not CHROMIUM.exists():
        return "no /usr/bin/chromium (run tests/browser/setup.sh)"
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        from cdn_packages import packages
    finally:
        sys.path.pop(0)
    cdn = Path(sys.prefix) / "share" / "solara" / "cdn"
    absent = [p for p in packages() if not (cdn / p / ".complete").exists()]
    return f"Solara's front-end assets are not in {cdn}: {absent} (run tests/browser/setup.sh)" if absent else None


def skip_or_fail_without_a_browser() -> None:
    reason = missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


URL_LINE = re.compile(r"radsim dashboard at (http://127\.0\.0\.1:\d+) ")


@contextlib.contextmanager
def dashboard_server(*args: str, log_name: str = "dashboard_server.log") -> Iterator[str]:
    """``radsim dashboard --port 0 ARGS`` on 127.0.0.1; yields its URL, read from the line it prints.

    Port 0 lets the server take a free port, which it names before it serves. Stopped
    (its whole process group) afterwards; its output is in ``results/LOG_NAME``.
    """
    skip_or_fail_without_a_browser()
    radsim = Path(sys.executable).parent / "radsim"
    (ROOT / "results").mkdir(exist_ok=True)
    log_path = ROOT / "results" / log_name
    log = open(log_path, "w")
    proc = subprocess.Popen([str(radsim), "dashboard", "--host", "127.0.0.1", "--port", "0", *args],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
    try:
        deadline = time.monotonic() + 90
        url = None
        while True:
            if url is None and (found := URL_LINE.search(log_path.read_text())):
                url = found.group(1) + "/"
            if url is not None:
                try:
                    with urllib.request.urlopen(url, timeout=5) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("radsim dashboard did not start: " + log_path.read_text()[-2000:])
            time.sleep(0.25)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


@contextlib.contextmanager
def browser() -> Iterator[object]:
    """Debian's headless chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


ANSWER_WAIT = 5.0
"""Seconds ``Watch.check`` waits for the requests still under way before it counts them as failed."""


@dataclass
class Watch:
    """Everything a page requested, and every failure: failed requests, HTTP errors, page errors."""

    server: str
    page: object = None
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    pending: dict[int, str] = field(default_factory=dict)

    def attach(self, page) -> None:
        self.page = page
        page.on("request", self._request)
        page.on("requestfinished", lambda r: self.pending.pop(id(r), None))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: self.failed.append(f"{r.url} ({r.status})") if r.status >= 400 else None)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    def _request(self, r) -> None:
        self.requests.append(r.url)
        self.pending[id(r)] = r.url

    def _failed(self, r) -> None:
        self.pending.pop(id(r), None)
        self.failed.append(f"{r.url} ({r.failure})")

    def outside(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.server) and not u.startswith(("data:", "blob:"))]

    def check(self, where: str = "") -> None:
        """Fail on any request outside the local server, any failed or unanswered request, and any page error."""
        at = f" ({where})" if where else ""
        deadline = time.monotonic() + ANSWER_WAIT
        while self.pending and time.monotonic() < deadline and self.page is not None:
            self.page.wait_for_timeout(100)       # lets Playwright deliver the events
        assert self.outside() == [], f"the page fetched from outside the local server{at}: {self.outside()}"
        assert self.failed == [], f"failed requests{at}: {self.failed}"
        assert not self.pending, f"requests unanswered after {ANSWER_WAIT:.0f} s{at}: {sorted(self.pending.values())}"
        assert self.page_errors == [], f"page errors{at}: {self.page_errors}"


@contextlib.contextmanager
def open_page(b, server: str, ready: str | None = "Step", path: str = "",
              viewport: dict | None = None) -> Iterator[tuple[object, Watch]]:
    """A new page (a new browser session) at ``server + path``, watched; checked again when it closes.

    ``ready`` is the name of a button to wait for before the page counts as loaded; ``viewport`` the
    window size (default :data:`VIEWPORT`). Downloads are accepted.
    """
    page = b.new_page(viewport=viewport or VIEWPORT, accept_downloads=True)
    watch = Watch(server)
    watch.attach(page)
    try:
        page.goto(server + path)
        if ready:
            page.get_by_role("button", name=ready).wait_for(timeout=60_000)
        yield page, watch
        watch.check("when the page closed")
    finally:
        page.close()


def week(page) -> int:
    """The week the page shows."""
    return int(re.search(r"\d+", page.locator(".radsim-week").inner_text()).group())
