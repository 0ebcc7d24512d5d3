"""Fixtures for the real-browser tests: one `streamlit run playground.py` for the whole session,
one headless Chromium, and a fresh browser context (= a fresh Streamlit session) per app.

Which Chromium: `TINYTORCH_CHROMIUM=/path`, else /usr/bin/chromium, else Playwright's own build
(see benchmarks/browser.py). With none, the tests skip locally and FAIL in CI (CI=true), where
a skipped browser suite would pass without testing anything.

Requests that would leave the machine are blocked and recorded (the app should make none, so
results do not depend on the network); every console error,
page error and Streamlit exception box fails the test that caused it, except Streamlit's known
404 probes described at `_PROBE`.

When a test fails, every page it opened is saved as test-results/<test name>[-n].png and the
tail of the server's log is added to the report.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from benchmarks import browser as harness

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-results"
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
TIMEOUT_MS = 45_000  # generous: two noisy cores run the server, Chromium and pytest together

PAGES = pytest.StashKey[list]()  # the apps a test opened, for screenshots
REPORTS = pytest.StashKey[dict]()  # its setup/call reports, to know in teardown whether it passed

# Opened at a page's own address (/backprop), Streamlit's front end first looks for its server
# under that path (/backprop/_stcore/health and /host-config), gets 404s, then finds it at the
# root: a known Streamlit behaviour (streamlit/streamlit#7074, open), harmless, and the only
# 404 ignored here.
_PROBE = re.compile(r"^https?://[^/]+/[^?#]+/_stcore/(health|host-config)$")


def _base_path_probe(status: int, url: str) -> bool:
    return status == 404 and bool(_PROBE.match(url))


def _unavailable(reason: str) -> None:
    """No browser: a skip on a laptop, a failure in CI."""
    if IN_CI:
        pytest.fail(f"{reason}. CI runs the browser tests: .ci/run installs Debian's chromium.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_executable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -r requirements-dev.txt)")
    try:
        return harness.find_chromium()
    except harness.BrowserNotFound as error:
        reason = str(error)
    if os.environ.get(harness.CHROMIUM_ENV):  # asked for a browser that is not there: an error
        pytest.fail(reason, pytrace=False)
    _unavailable(reason)


@pytest.fixture(scope="session")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = harness.launch(p, chromium_executable)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def app_server(chromium_executable):
    """One server for every test (it starts in ~2 s, but the first run of each page compiles)."""
    server = harness.AppServer()
    try:
        server.start()
    except RuntimeError as error:  # the message carries the server's log
        pytest.fail(str(error), pytrace=False)
    yield server
    server.stop()


class App:
    """One browser tab on the app, with what it logged."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        # What the tab asks the server, as Streamlit's BackMsg protobufs (reruns among them):
        # counted here rather than from the page's running state, which a short run can skip.
        self.sent: list[bytes] = []
        page.on("websocket", lambda ws: ws.on(
            "framesent", lambda payload: self.sent.append(payload) if isinstance(payload, bytes) else None))
        self.closed = False
        self.console_errors: list[str] = []
        self.off_machine: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.console_errors.append(f"pageerror: {e}"))
        # The console says "Failed to load resource: 404" without the address: these name it.
        self.http_errors: list[str] = []
        page.on("response", lambda r: self.http_errors.append(f"{r.status} {r.request.method} {r.url}")
                if r.status >= 400 and not _base_path_probe(r.status, r.url) else None)
        page.on("requestfailed", lambda r: self.http_errors.append(f"{r.failure} {r.url}")
                if r.url not in self.off_machine else None)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if "status of 404" in message.text and _base_path_probe(404, where):
            return
        self.console_errors.append(f"console.error: {message.text} ({where})")

    # -- going places
    def url(self, path: str = "/", **params) -> str:
        query = urlencode({k: str(v) for k, v in params.items()})
        return f"{self.base_url}{path}" + (f"?{query}" if query else "")

    def open(self, path: str = "/", *, wait: bool = True, **params) -> App:
        """Load the page (`?key=value` from params); with `wait`, until the graph is drawn and
        the run has ended."""
        self.page.goto(self.url(path, **params), wait_until="commit" if not wait else "load")
        if wait:
            self.wait_drawn()
        return self

    def goto(self, url: str) -> App:
        self.page.goto(url)
        self.wait_drawn()
        return self

    def wait_drawn(self) -> None:
        harness.wait_drawn(self.page, TIMEOUT_MS)

    def settle(self) -> None:
        """Until the run has ended and nothing stale is left on the page."""
        harness.settled(self.page, TIMEOUT_MS)

    # -- reading
    def graph(self) -> dict[str, tuple[str, str]]:
        return harness.graph_boxes(self.page)

    def expect_graph(self, expected: dict[str, tuple[str, str | None]]) -> None:
        harness.wait_for_graph(self.page, expected, TIMEOUT_MS)

    def reruns_asked(self) -> int:
        """How many script reruns this tab has asked the server for (BackMsg rerun_script)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        return sum(BackMsg.FromString(frame).WhichOneof("type") == "rerun_script" for frame in list(self.sent))

    def metrics(self) -> dict[str, str]:
        """The numbers above the graph: the live view's (the Playground) and Streamlit's st.metric."""
        found = dict(zip(self.page.locator('[data-testid="stMetricLabel"]').all_inner_texts(),
                         self.page.locator('[data-testid="stMetricValue"]').all_inner_texts()))
        found.update(zip(self.page.locator(".tt-metric:not([hidden]) .tt-metric-label").all_inner_texts(),
                         self.page.locator(".tt-metric:not([hidden]) .tt-metric-value").all_inner_texts()))
        return found

    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.page.url).query, keep_blank_values=True).items()}

    @property
    def function_box(self):
        return self.page.get_by_role("textbox", name="f(x) =")

    @property
    def slider(self):
        """The live view's x slider (a range input over the slider positions; it takes the
        arrow keys, Home and End, and the mouse)."""
        return self.page.locator('.tt-slider[aria-label="x"]')

    def shown_x(self) -> float:
        """x as the live view shows it next to its slider."""
        return float(self.page.locator(".tt-x-value").inner_text())

    @property
    def plot(self):
        """The live view's Plotly plot."""
        return self.page.locator(".tt-plot.js-plotly-plot")

    def wait_for_url_x(self, x: float) -> None:
        """Until the address bar holds ?x=<x> (written by the rerun after x is let go)."""
        self.page.wait_for_url(lambda url: _query_x(url) is not None and abs(_query_x(url) - x) < 1e-9)

    # -- doing
    def type_function(self, text: str) -> None:
        self.function_box.fill(text)
        self.function_box.press("Enter")

    def press_slider(self, key: str, times: int = 1) -> None:
        self.slider.focus()
        for _ in range(times):
            self.slider.press(key)

    def close(self) -> None:
        """Close the tab's browser context (before its server stops: a tab left open would
        log failed reconnections). Check it first: a closed app is not checked again."""
        self.page.context.close()
        self.closed = True

    # -- health
    def exceptions(self) -> list[str]:
        return self.page.locator('[data-testid="stException"]').all_inner_texts()

    def assert_healthy(self) -> None:
        assert not self.exceptions(), f"Streamlit showed an exception: {self.exceptions()}"
        assert not self.console_errors, f"browser console errors: {self.console_errors}; " \
                                        f"failed requests: {self.http_errors}"


def _query_x(url: str) -> float | None:
    values = parse_qs(urlsplit(url).query).get("x")
    try:
        return float(values[-1]) if values else None
    except ValueError:
        return None


@pytest.fixture
def app_at(request, browser):
    """Opens the app served at `base_url` in a fresh browser context (its own Streamlit session):
    `app_at(base_url)`, or `app_at(base_url, viewport={"width": ..., "height": ...})`, and
    `color_scheme="dark"` for a browser set to dark (the app follows it), `phone=True` for a
    touch screen. Every app opened is closed afterwards, and checked for exceptions and console
    errors when the test itself passed."""
    opened: list[App] = []
    contexts = []
    request.node.stash[PAGES] = opened

    def make(base_url: str, viewport: dict | None = None, color_scheme: str = "light", phone: bool = False) -> App:
        context = browser.new_context(viewport=viewport or harness.VIEWPORT, color_scheme=color_scheme,
                                      is_mobile=phone, has_touch=phone)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        app = App(page, base_url)
        harness.keep_on_machine(context, base_url, app.off_machine)
        opened.append(app)
        return app

    yield make
    passed = all(r.passed for r in request.node.stash.get(REPORTS, {}).values())
    try:
        if passed:
            for app in opened:
                if not app.closed:
                    app.assert_healthy()
    finally:
        for app, context in zip(opened, contexts):
            if not app.closed:
                context.close()


@pytest.fixture
def new_app(app_at, app_server):
    """`new_app()`: the shared server's app in a fresh browser context (`new_app(viewport=...)`
    for another window size; `color_scheme` and `phone` as for `app_at`)."""
    return lambda viewport=None, **options: app_at(app_server.url, viewport, **options)


@pytest.fixture
def app(new_app) -> App:
    return new_app()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    if report.failed and report.when in ("setup", "call"):
        _screenshots(item)
        server = item.funcargs.get("app_server") if hasattr(item, "funcargs") else None
        if server is not None:
            report.sections.append(("streamlit log (tail)", server.log(tail=6_000)))
    return report


def _screenshots(item) -> None:
    apps = item.stash.get(PAGES, [])
    if not apps:
        return
    RESULTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", item.name).strip("_")
    for i, app in enumerate(apps):
        path = RESULTS / (f"{name}.png" if i == 0 else f"{name}-{i}.png")
        try:
            app.page.screenshot(path=str(path), full_page=True, timeout=10_000)
        except Exception as error:  # a crashed page must not hide the test's own failure
            print(f"no screenshot of {app.page.url}: {error}")
        else:
            print(f"screenshot: {path}")
