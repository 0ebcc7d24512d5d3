"""Soak: several students moving x and letting it go at once, for a while, against one server.

    python benchmarks/soak.py [--sessions 5] [--seconds 60] [--with-large]
                              [--streamlit-arg=--runner.postScriptGC=false]

Starts `streamlit run playground.py` on loopback and opens `--sessions` browser contexts in
headless Chromium (each its own Streamlit session), each on one of the app's example functions
(`--with-large` adds the 60-op function of browser_latency.py). Then, until `--seconds` have
passed, every session moves its slider one step (turning back at the ends of a ±0.5 band) and
lets it go, as soon as the address bar shows its previous release: closed-loop, no think time,
the most load that many students can make. (Moving x costs the server nothing: the live view
moves it in the browser. Each release is one rerun, after the view's pause for keys.) The
sessions run concurrently (Playwright's async API), so one slow page does not hold the others up.

Reports: errors (must be 0: console errors, page errors, websocket disconnects, moves not shown
within 20 s, and at the end any Streamlit exception box or graph that does not show its own
function's numbers at its own x), releases and reruns per second (reruns counted from the
server's `script_finished` messages, including runs cut short by a newer one), release latency
under load (key press to the new x in the address bar, which includes the view's pause for more
keys), the server's CPU use, and its memory: resident size at start and end and the peak (VmHWM).
Exits 1 when there was any error.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_latency import LARGE  # noqa: E402
from timing import machine  # noqa: E402

from benchmarks import browser as harness  # noqa: E402
from lessons.viz import format_number  # noqa: E402
from tinytorch import Tensor  # noqa: E402
from tinytorch.expr import parse  # noqa: E402
from ui import view  # noqa: E402
from ui.presets import PRESETS  # noqa: E402

BAND = 0.5  # each session moves within x0 ± BAND
MOVE_TIMEOUT_MS = 20_000  # for a move to show up before it counts as an error
STEP = view.slider_step(*view.DEFAULT_RANGE)
# x in the address bar (Streamlit leaves the default value out)
RELEASED_JS = """([x, fallback]) => { const v = new URLSearchParams(location.search).get('x');
  return v === null ? x === fallback : Number(v) === x; }"""


def expected_boxes(text: str, x: float) -> dict[str, tuple[str, str]]:
    """x's and the output's value and gradient, from the engine."""
    xt = Tensor([x], label="x")
    y = parse(text)(x=xt)
    y.backward()
    return {"x": (format_number(x), format_number(xt.grad.item())),
            parse(text).text: (format_number(y.item()), "1")}


class Session:
    def __init__(self, index: int, text: str):
        self.index = index
        self.text = text
        self.x0 = round(-1.5 + 0.6 * (index % 6), 2)
        self.x = self.x0
        self.direction = 1
        self.errors: list[str] = []
        self.finished = {"ok": 0, "cut short": 0}
        self.latencies_ms: list[float] = []
        self.page = None
        self.closing = False  # set once the soak is over: a websocket closing then is no error

    def _watch(self, ws) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        def received(payload) -> None:
            msg = ForwardMsg()
            msg.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
            if msg.WhichOneof("type") == "script_finished":
                cut = msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN
                self.finished["cut short" if cut else "ok"] += 1

        ws.on("framereceived", received)
        ws.on("close", lambda _: self.errors.append("websocket closed") if not self.closing else None)

    async def open(self, browser, server) -> None:
        context = await browser.new_context(viewport=harness.VIEWPORT)
        await harness.keep_on_machine_async(context, server.url)
        self.page = page = await context.new_page()
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("websocket", self._watch)
        await page.goto(f"{server.url}/?" + urlencode({"f": self.text, "x": self.x0}))
        await page.wait_for_function(harness.GRAPH_SHOWS_JS, arg=[["x", format_number(self.x0), None]],
                                     timeout=180_000, polling=harness.POLL_MS)
        await page.wait_for_function(harness.SETTLED_JS, timeout=180_000, polling=harness.POLL_MS)
        await page.locator(".tt-slider").focus()

    async def drag(self, deadline: float) -> None:
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        page = self.page
        while time.monotonic() < deadline:
            if abs(self.x + self.direction * STEP - self.x0) > BAND:
                self.direction = -self.direction
            self.x = round(self.x + self.direction * STEP, 10)
            target = format_number(self.x)
            start = time.perf_counter()
            await page.keyboard.press("ArrowRight" if self.direction > 0 else "ArrowLeft")
            try:  # at once in the browser, then in the URL once the release's rerun is done
                await page.wait_for_function(harness.GRAPH_SHOWS_JS, arg=[["x", target, None]],
                                             timeout=MOVE_TIMEOUT_MS, polling=harness.POLL_MS)
                await page.wait_for_function(RELEASED_JS, arg=[self.x, view.DEFAULT_X], timeout=MOVE_TIMEOUT_MS,
                                             polling=harness.POLL_MS)
            except PlaywrightTimeout:
                self.errors.append(f"x={target} not shown or not released within {MOVE_TIMEOUT_MS / 1000:.0f} s")
                continue
            self.latencies_ms.append((time.perf_counter() - start) * 1000)

    async def check_final(self) -> None:
        wanted = [[label, value, grad] for label, (value, grad) in expected_boxes(self.text, self.x).items()]
        try:
            await self.page.wait_for_function(harness.GRAPH_SHOWS_JS, arg=wanted, timeout=60_000,
                                              polling=harness.POLL_MS)
            await self.page.wait_for_function(harness.SETTLED_JS, timeout=60_000, polling=harness.POLL_MS)
        except Exception as error:  # any failure here is a soak error to report
            self.errors.append(f"final view is not f={self.text!r} at x={self.x}: {error}")
        if await self.page.locator('[data-testid="stException"]').count():
            self.errors.append("a Streamlit exception box is shown")
        self.closing = True


async def sample_memory(server, until: float, into: list[int]) -> None:
    while time.monotonic() < until:
        into.append(server.peak_memory_kib().get("VmRSS", 0))
        await asyncio.sleep(1.0)  # a sampling period, not a wait for a condition


async def soak(args) -> int:
    import streamlit
    from playwright.async_api import async_playwright

    texts = [p.text for p in PRESETS] + ([LARGE] if args.with_large else [])
    if args.with_large:  # put the large one among the first sessions
        texts.insert(1, texts.pop())
    with harness.AppServer(extra_args=args.streamlit_arg) as server:
        async with async_playwright() as p:
            chromium = await harness.launch(p, args.chromium)
            print(f"machine: {machine()}")
            print(f"Chromium {chromium.version}, Streamlit {streamlit.__version__}, server on loopback"
                  + (f", {' '.join(args.streamlit_arg)}" if args.streamlit_arg else ""))
            start_memory = server.peak_memory_kib()
            sessions = [Session(i, texts[i % len(texts)]) for i in range(args.sessions)]
            await asyncio.gather(*(s.open(chromium, server) for s in sessions))
            print(f"{args.sessions} sessions open: " + "; ".join(f"{s.text} at x={s.x0}" for s in sessions))
            for s in sessions:  # count from here: the page loads are not part of the soak
                s.finished = {"ok": 0, "cut short": 0}
            cpu0, t0 = server.cpu_seconds(), time.monotonic()
            deadline = t0 + args.seconds
            rss: list[int] = []
            await asyncio.gather(sample_memory(server, deadline, rss), *(s.drag(deadline) for s in sessions))
            elapsed = time.monotonic() - t0
            cpu = server.cpu_seconds() - cpu0
            await asyncio.gather(*(s.check_final() for s in sessions))
            end_memory = server.peak_memory_kib()
            await chromium.close()

    moves = sum(len(s.latencies_ms) for s in sessions)
    ok = sum(s.finished["ok"] for s in sessions)
    cut = sum(s.finished["cut short"] for s in sessions)
    errors = [f"session {s.index}: {e}" for s in sessions for e in s.errors]
    print(f"\n{elapsed:.0f} s, {args.sessions} sessions")
    print(f"errors: {len(errors)}")
    for e in errors[:20]:
        print("  " + e)
    print(f"releases: {moves} ({moves / elapsed:.1f}/s); per session: "
          + ", ".join(str(len(s.latencies_ms)) for s in sessions))
    print(f"reruns: {ok + cut} ({(ok + cut) / elapsed:.1f}/s), of which {cut} cut short by a newer one")
    latencies = [t for s in sessions for t in s.latencies_ms]
    if len(latencies) > 1:
        q = statistics.quantiles(latencies, n=100, method="inclusive")
        print(f"release latency under load (key press to x in the address bar, with the view's pause for "
              f"more keys): p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms")
    print(f"server CPU: {cpu:.1f} s in {elapsed:.0f} s ({100 * cpu / elapsed:.0f}% of one core), "
          f"{1000 * cpu / max(ok + cut, 1):.0f} ms per rerun")
    print(f"server memory: RSS {start_memory.get('VmRSS', 0) / 1024:.0f} MiB at start, "
          f"{end_memory.get('VmRSS', 0) / 1024:.0f} MiB at end, "
          f"sampled {min(rss, default=0) / 1024:.0f}-{max(rss, default=0) / 1024:.0f} MiB during the soak, "
          f"peak (VmHWM) {end_memory.get('VmHWM', 0) / 1024:.0f} MiB")
    return 1 if errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--with-large", action="store_true", help="one session on the 60-op function")
    parser.add_argument("--streamlit-arg", action="append", default=[], metavar="ARG",
                        help="extra `streamlit run` option, e.g. --streamlit-arg=--runner.postScriptGC=false")
    args = parser.parse_args()
    args.chromium = harness.find_chromium()  # before the event loop: it may start sync Playwright
    sys.exit(asyncio.run(soak(args)))


if __name__ == "__main__":
    main()
