"""The dashboard in a real browser: Playwright drives Debian's headless chromium against
``radsim dashboard`` on 127.0.0.1.

It opens the page, plays some weeks, triggers an attack, switches on an intervention in
the what-if panel, steps on, reads the displayed counts, and saves a screenshot to
``results/dashboard.png``. It also checks that the page loads everything from the local
server: Solara's front-end assets come from the venv's CDN cache, which
``tests/browser/setup.sh`` fills (``make test`` runs it first). Without chromium or the
assets the test is skipped, except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = ROOT / "results" / "dashboard.png"

STEP_AND_TIME = """(week) => new Promise((resolve) => {
    // done when the week label and the difference chart (drawn last on the page) show the new week
    const done = () => document.querySelector('.radsim-week').innerText.trim() === 'Week ' + week
        && document.querySelector('.radsim-difference-chart').dataset.week === String(week);
    const start = performance.now();
    const seen = new MutationObserver(() => {
        if (done()) {
            seen.disconnect();
            requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - start)));
        }
    });
    seen.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    document.querySelector('.radsim-step').click();
})"""
"""Press Step in the page; the milliseconds until the whole side-by-side view shows the new week, painted."""


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return "no /usr/bin/chromium (run tests/browser/setup.sh)"
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    try:
        from cdn_packages import packages
    finally:
        sys.path.pop(0)
    cdn = Path(sys.prefix) / "share" / "solara" / "cdn"
    absent = [p for p in packages() if not (cdn / p / ".complete").exists()]
    return f"Solara's front-end assets are not in {cdn}: {absent} (run tests/browser/setup.sh)" if absent else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """``radsim dashboard`` on a free port of 127.0.0.1; stopped (its whole process group) afterwards."""
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    port = _free_port()
    radsim = Path(sys.executable).parent / "radsim"
    (ROOT / "results").mkdir(exist_ok=True)
    log_path = ROOT / "results" / "dashboard_server.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([str(radsim), "dashboard", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("radsim dashboard did not start: " + log_path.read_text()[-2000:])
            time.sleep(0.5)
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


def _week(page) -> int:
    return int(re.search(r"\d+", page.locator(".radsim-week").inner_text()).group())


def _counts(page, side: int) -> list[int]:
    return [int(x) for x in page.locator(f"svg.radsim-pyramid-{side}").get_attribute("data-counts").split(",")]


def _settled_week(page, quiet: float = 1.0, timeout: float = 30.0) -> int:
    """The week label once it has not changed for ``quiet`` seconds."""
    week, since, deadline = _week(page), time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = _week(page)
        if now != week:
            week, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return week
    raise AssertionError("the week label kept changing after Pause")


def _wait_week(page, at_least: int, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        week = _week(page)
        if week >= at_least:
            return week
        time.sleep(0.05)
    raise AssertionError(f"the week label stayed at {_week(page)}, expected at least {at_least}")


def test_dashboard_in_a_browser(server):
    from playwright.sync_api import sync_playwright

    requests, failed = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1280})
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
            page.on("response", lambda r: failed.append(f"{r.url} ({r.status})") if r.status >= 400 else None)
            page.goto(server)
            page.get_by_role("button", name="Step").wait_for(timeout=60_000)
            assert _week(page) == 0
            start = _counts(page, 0)
            assert sum(start) == 1000 and start == _counts(page, 1)

            # play some weeks, then pause
            page.get_by_role("button", name="Play").click()
            _wait_week(page, 5)
            page.get_by_role("button", name="Pause").click()
            page.get_by_role("button", name="Play").wait_for()
            week = _settled_week(page)                    # a week under way when Pause came may still land
            time.sleep(1.0)
            assert _week(page) == week >= 5

            # an attack now, then switch on an intervention in the what-if panel
            page.get_by_role("button", name="An attack happens now").click()
            page.get_by_text(f"An attack happened in week {week}").wait_for()
            panel = page.locator(".radsim-interventions")
            panel.get_by_text("Inclusion policy").click()
            page.get_by_text("with: Inclusion policy").wait_for()

            # step on, timing each week in the page: from the click until the new week is on screen
            latency = [page.evaluate(STEP_AND_TIME, week + k) for k in range(1, 13)]
            assert _week(page) == week + 12
            print(f"\nbrowser: Step click -> new week painted, median {statistics.median(latency):.0f} ms "
                  f"(max {max(latency):.0f} ms) at 1,000 residents, two towns")

            # the displayed counts
            as_is, what_if = _counts(page, 0), _counts(page, 1)
            assert sum(as_is) == sum(what_if) == 1000
            assert as_is != start                         # an attack and 17+ weeks later the pyramid moved
            assert as_is[1] > start[1]                    # the attack drove residents into sensitivity
            cost = page.locator(".radsim-cost").inner_text()
            assert re.search(r"Cost so far: [\d,]+ units", cost) and cost != "Cost so far: 0 units"
            diff = page.locator(".radsim-difference-now").get_attribute("data-diff")
            assert [int(x) for x in diff.split(",")] == [what_if[k] - as_is[k] for k in (1, 2, 3)]
            for side in (0, 1):                           # both network pictures are drawn
                assert page.locator(f"img.radsim-network-{side}").evaluate("img => img.naturalWidth") > 0

            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))

            # the language switch
            page.get_by_role("button", name="Nederlands").click()
            page.get_by_role("button", name="Stap").wait_for()
            page.locator(".radsim-town-0").get_by_text("Zoals het is").wait_for()

            # a click on a town picture opens the story of the resident drawn there
            page.locator("img.radsim-network-0").click()
            page.get_by_role("tab", name="Maak kennis met een inwoner").wait_for()
            page.get_by_text(re.compile(r"Inwoner \d+: \d+ jaar")).wait_for()
        finally:
            browser.close()

    outside = [u for u in requests if not u.startswith(server) and not u.startswith(("data:", "blob:"))]
    assert outside == [], f"the page fetched from outside the local server: {outside}"
    assert failed == [], f"failed requests: {failed}"
    assert any("/_solara/cdn/@widgetti/solara-vuetify-app" in u for u in requests)
