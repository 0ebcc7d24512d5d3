"""Real-browser harness shared by the end-to-end tests (tests/e2e) and the browser benchmarks.

- `find_chromium()`: which Chromium to drive. `TINYTORCH_CHROMIUM=/path/to/chrome` wins; else
  Debian's /usr/bin/chromium when present; else Playwright's own build when it is installed
  (`playwright install chromium`); else None.
- `launch(playwright)`: that Chromium, headless, with the flags a closed sandbox needs.
- `AppServer`: `streamlit run playground.py` on a free loopback port, its log in a file, its
  health checked, stopped with terminate-then-kill.
- `settled(page)`: waits until the app has finished its run and shows no stale element.
- `graph_boxes(page)`: the value boxes of the computation graph as the browser drew them.

Nothing here sends traffic anywhere but 127.0.0.1, and every wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY = "playground.py"
DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ENV = "TINYTORCH_CHROMIUM"

# Headless Chromium in a container, as root, with no network but loopback: no sandbox (root),
# no GPU, and none of the background connections (updates, sync, field trials) that a closed
# network refuses, many at a time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

VIEWPORT = {"width": 1400, "height": 900}

# The app makes no request off the machine (its favicon is a file of its own, not a material icon
# from Google's font CDN): a lecture hall behind a firewall must work. The harness blocks and
# records any such request, and tests/e2e checks there is none.


class BrowserNotFound(RuntimeError):
    pass


def find_chromium() -> str | None:
    """The Chromium executable to drive, or None for Playwright's bundled build.

    Raises BrowserNotFound (with what to do) when there is none.
    """
    chosen = os.environ.get(CHROMIUM_ENV)
    if chosen:
        path = shutil.which(chosen) or chosen
        if not Path(path).is_file():
            raise BrowserNotFound(f"{CHROMIUM_ENV}={chosen!r} is not an executable file")
        return path
    if Path(DEBIAN_CHROMIUM).is_file():
        return DEBIAN_CHROMIUM
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise BrowserNotFound("the playwright package is not installed (pip install -r requirements-dev.txt)") \
            from error
    with sync_playwright() as p:
        bundled = p.chromium.executable_path
    if bundled and Path(bundled).is_file():
        return None
    raise BrowserNotFound(f"no Chromium: set {CHROMIUM_ENV}=/path/to/chrome, install Debian's chromium "
                          f"(apt-get install chromium), or run `playwright install chromium`")


def launch(playwright, executable: str | None = None, **kwargs):
    """Headless Chromium (`executable`, or the one `find_chromium` picks) with the sandbox flags."""
    path = executable if executable is not None else find_chromium()
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True, **kwargs)


def _leaves(base_url: str):
    return lambda url: not url.startswith(base_url + "/")


def keep_on_machine(context, base_url: str, seen: list[str] | None = None) -> None:
    """Every request of `context` that would leave `base_url` is noted in `seen` and blocked.
    Playwright's sync API."""

    def handle(route):
        if seen is not None:
            seen.append(route.request.url)
        route.abort("blockedbyclient")

    context.route(_leaves(base_url), handle)


async def keep_on_machine_async(context, base_url: str, seen: list[str] | None = None) -> None:
    """`keep_on_machine` for Playwright's async API."""

    async def handle(route):
        if seen is not None:
            seen.append(route.request.url)
        await route.abort("blockedbyclient")

    await context.route(_leaves(base_url), handle)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    """`streamlit run playground.py` on loopback. Use as a context manager, or start()/stop().

    `command` is how to call streamlit (default: this interpreter's `-m streamlit`; the newcomer
    test passes a fresh venv's `streamlit` script). The file watcher is off: the tests and
    benchmarks measure the app, not edits made to it while they run.
    """

    command: list[str] = field(default_factory=lambda: [sys.executable, "-m", "streamlit"])
    cwd: Path = ROOT
    port: int = 0
    extra_args: list[str] = field(default_factory=list)
    startup_timeout: float = 90.0
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> AppServer:
        self.port = self.port or free_port()
        fd, name = tempfile.mkstemp(prefix="tinytorch-streamlit-", suffix=".log")
        self.log_path = Path(name)
        args = [*self.command, "run", ENTRY,
                "--server.headless", "true",
                "--server.port", str(self.port),
                "--server.address", "127.0.0.1",
                "--server.fileWatcherType", "none",
                "--browser.gatherUsageStats", "false",
                *self.extra_args]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with os.fdopen(fd, "wb") as log:
            self.process = subprocess.Popen(args, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=env)
        try:
            self._wait_healthy()
        except Exception:
            self.stop()
            raise
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.process.returncode} before answering "
                                   f"its health check. Its log:\n{self.log()}")
            with contextlib.suppress(OSError, urllib.error.URLError), \
                    urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
            time.sleep(0.1)  # polling a condition, bounded by the deadline
        raise RuntimeError(f"streamlit did not answer /_stcore/health within {self.startup_timeout:.0f} s. "
                           f"Its log:\n{self.log()}")

    def log(self, tail: int = 20_000) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        text = self.log_path.read_text(errors="replace")
        return text[-tail:]

    def stop(self) -> None:
        """terminate, then kill if it is still there after 10 s."""
        p = self.process
        if p is None or p.poll() is not None:
            return
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)

    def peak_memory_kib(self) -> dict[str, int]:
        """VmRSS and VmHWM (peak resident set) of the server process, in KiB, from /proc."""
        out = {}
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(value.split()[0])
        return out

    def cpu_seconds(self) -> float:
        """user + system CPU time the server has used so far, from /proc/<pid>/stat, with that of
        its finished children (graphviz lays graphs out in subprocesses)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(fields[i]) for i in (11, 12, 13, 14)) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# ---- waiting on the page ----------------------------------------------------------------------

# Streamlit marks its root with the script's state ("running", "notRunning", ...) and the
# connection's ("CONNECTED"), and every element left from the previous run with data-stale
# until the run that replaces it ends. All three together mean: what is shown is final.
SETTLED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.dataset.testScriptState === 'notRunning'
      && app.dataset.testConnectionState === 'CONNECTED'
      && !document.querySelector('[data-stale="true"]');
}"""

POLL_MS = 50  # re-check interval: not "raf", which a page in a background window may throttle

# The text lines of every node of the computation graph on the page: from the inline SVG that
# st.graphviz_chart draws, and also from an SVG shown as an image (a data: URL), should the app
# render the graph on the server instead (docs/deployment.md, "Measured").
GRAPH_NODES_FN = """() => {
  const lines = (g) => [...g.querySelectorAll('text')].map(t => t.textContent.trim());
  const nodes = [...document.querySelectorAll('[data-testid="stMain"] svg g.node')].map(lines);
  for (const img of document.querySelectorAll('[data-testid="stMain"] img[src^="data:image/svg+xml;base64,"]')) {
    const bytes = Uint8Array.from(atob(img.getAttribute('src').split(',')[1]), c => c.charCodeAt(0));
    const svg = new DOMParser().parseFromString(new TextDecoder().decode(bytes), 'image/svg+xml');
    nodes.push(...[...svg.querySelectorAll('g.node')].map(lines));
  }
  return nodes;
}"""

GRAPH_BOXES_JS = GRAPH_NODES_FN
GRAPH_DRAWN_JS = f"() => ({GRAPH_NODES_FN})().length > 0"


def settled(page, timeout: float = 30_000) -> None:
    page.wait_for_function(SETTLED_JS, timeout=timeout, polling=POLL_MS)


def wait_drawn(page, timeout: float = 30_000) -> None:
    """Until some graph is on the page and the run has ended."""
    page.wait_for_function(GRAPH_DRAWN_JS, timeout=timeout, polling=POLL_MS)
    settled(page, timeout)


def graph_boxes(page) -> dict[str, tuple[str, str]]:
    """{label: (value, grad)} for every value box of the graph (op circles have no value line)."""
    boxes = {}
    for lines in page.evaluate(GRAPH_BOXES_JS):
        if len(lines) == 3 and lines[1].startswith("value ") and lines[2].startswith("grad "):
            boxes[lines[0]] = (lines[1].removeprefix("value "), lines[2].removeprefix("grad "))
    return boxes


# Waits (in the page, re-checked every POLL_MS) until every box named in `expected` shows the
# expected value and gradient. `expected` is [[label, value, grad|null], ...].
GRAPH_SHOWS_JS = f"""(expected) => {{
  const boxes = new Map();
  for (const lines of ({GRAPH_NODES_FN})()) {{
    if (lines.length === 3) boxes.set(lines[0], lines);
  }}
  return expected.every(([label, value, grad]) => {{
    const lines = boxes.get(label);
    return !!lines && lines[1] === 'value ' + value && (grad === null || lines[2] === 'grad ' + grad);
  }});
}}"""


def wait_for_graph(page, expected: dict[str, tuple[str, str | None]], timeout: float = 30_000) -> None:
    """Until the graph shows these boxes ({label: (value, grad or None)}), then until the run has
    ended. On timeout, an AssertionError that shows what the graph did show."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    wanted = [[label, value, grad] for label, (value, grad) in expected.items()]
    try:
        page.wait_for_function(GRAPH_SHOWS_JS, arg=wanted, timeout=timeout, polling=POLL_MS)
        settled(page, timeout)
    except PlaywrightTimeout:
        raise AssertionError(f"the graph never showed {expected}; it shows {graph_boxes(page)}") from None
