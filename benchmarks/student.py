"""What a student does with the link, done two ways: by a simulated tab (benchmarks/protocol.py),
many at a time, for benchmarks/load.py; and by a real Chromium tab, once, to record what a
browser sends and fetches (benchmarks/wire.py compares the two).

The actions: open the link (the page's files, then the websocket), type a function, release x in
the live view (its slider's event, as ui/live.js sends it), switch page from the sidebar, and on
the network page press Play, watch the training for a while, and Pause.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from pathlib import PurePath
from urllib.parse import urlencode, urlsplit

from protocol import Run, Tab, fetch

from lessons import sweep
from ui import live, view

LINK = urlencode({view.FUNCTION: "x^3 + 2x", view.POINT: "1.2"})  # what the lecturer hands out
PAGES = ("", "backprop", "two_variables", "descent", "network")
# A page's address is its script's name (the first page's is the root), its link in the sidebar its title.
TITLES = {("" if i == 0 else PurePath(p.path).stem): p.title for i, p in enumerate(view.PAGES)}
PLAY_KEY = "play"  # the network page's Play/Pause button


def switch_step(page: str) -> str:
    return f"switch {page or 'playground'}"


def own_function(student: int, attempt: int = 0) -> str:
    """A function nobody else types: a different shape and coefficients per student and attempt."""
    a, b = 1 + student % 7, 2 + (student // 7 + attempt) % 11
    shapes = (f"sin({a}x)*exp(-x^2/{b}) + {attempt}", f"x^3 - {a}x^2 + {b}x - {student}",
              f"tanh({a}x - {b}) + log(1 + x^2)*{attempt + 1}", f"{a}x^2*sin(x/{b}) + {student}x")
    return shapes[(student + attempt) % len(shapes)]


@dataclass
class Assets:
    """What a browser fetched over HTTP, by the step it was fetched in: `before` the websocket
    opened (on the way to the first run), and the rest of each step (chunks loaded later)."""

    before: list[str] = field(default_factory=list)
    during: dict[str, list[str]] = field(default_factory=dict)  # step name -> paths

    def total(self) -> int:
        return len(self.before) + sum(len(p) for p in self.during.values())


# ---- a simulated student --------------------------------------------------------------------------


class SimulatedStudent:
    """One student's tab, simulated. Each action returns the run it waited for."""

    def __init__(self, port: int, assets: Assets | None = None):
        self.port, self.assets = port, assets or Assets()
        self.tab: Tab | None = None
        self.fetched: set[str] = set()  # steps whose lazily loaded files this browser has
        self.background: list[asyncio.Task] = []
        self.received = 0  # HTTP bytes
        self.errors: list[str] = []  # files not served

    def _fetch_later(self, step: str) -> None:
        """The files a browser loads during this step (once per browser), without waiting for them."""
        paths = self.assets.during.get(step, [])
        if paths and step not in self.fetched:
            self.fetched.add(step)
            self.background.append(asyncio.get_running_loop().create_task(self._fetch(paths)))

    async def _fetch(self, paths: list[str]) -> None:
        try:
            got = await fetch(self.port, paths)
            self.received += got
        except Exception as problem:  # noqa: BLE001 - the load test counts it
            self.errors.append(f"files: {type(problem).__name__} {problem}"[:200])

    async def open(self, link: str = LINK, path: str = "/") -> Run:
        """The page's files up to the websocket (as a browser does, six at a time), then the
        first run; the files its elements load (scripts of the widgets drawn, the page's icon)
        after it, without waiting for them."""
        if self.assets.before:
            await self._fetch(self.assets.before)
        self.tab = await Tab.open(self.port, timeout=120)
        run = await self.tab.load(path, link)
        self._fetch_later("open")
        return run

    async def loaded(self) -> None:
        """Until every file this browser has asked for has arrived (the page is fully loaded)."""
        await asyncio.gather(*self.background, return_exceptions=True)

    async def go(self, page: str) -> Run | None:
        if self.tab.page == page:
            return None
        self._fetch_later(switch_step(page))
        return await self.tab.switch(page)

    async def type(self, text: str) -> Run:
        self._fetch_later("type")
        return await self.tab.set(view.FUNCTION, text)

    def released_x(self, moves: int) -> float:
        """Where x lands after `moves` positions to the right of where the view shows it."""
        data = self.tab.component_data(live.VIEW)
        lo, hi = self.tab.value(view.LOW), self.tab.value(view.HIGH)
        xs = sweep.positions(lo, hi, view.slider_step(lo, hi))
        return float(xs[min(len(xs) - 1, max(0, data["k"] + moves))])

    async def release(self, moves: int) -> Run:
        """x moved `moves` positions in the live view and let go: the view's event, one rerun."""
        return await self.tab.emit(live.VIEW, live.RELEASED, self.released_x(moves))

    async def play(self) -> Run:
        return await self.tab.click(PLAY_KEY)

    async def pause(self) -> Run:
        return await self.tab.click(PLAY_KEY)

    async def close(self) -> None:
        for task in self.background:
            task.cancel()
        if self.tab is not None:
            await self.tab.close()


# ---- the same student in Chromium -------------------------------------------------------------------


class BrowserStudent:
    """The same actions in a real Chromium tab (Playwright's sync API), recording every websocket
    frame it sends (Chrome's DevTools protocol) and every file it fetches, by step."""

    def __init__(self, browser, base_url: str):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.step = "open"
        self._steps: dict[str, int] = {}  # how often each step was taken: the second "release" is "release 2"
        self.frames: list[tuple[float, str, bytes]] = []  # (time, step, BackMsg bytes)
        self.requests: list[tuple[float, str, str]] = []  # (time, step, path)
        self.websocket_opened: float | None = None
        self._cdp = self.context.new_cdp_session(self.page)
        self._cdp.send("Network.enable")
        self._cdp.on("Network.webSocketFrameSent", self._frame)
        self._cdp.on("Network.webSocketCreated", self._websocket)
        self._cdp.on("Network.requestWillBeSent", self._request)

    def _frame(self, event) -> None:
        import base64

        answer = event["response"]
        if answer["opcode"] == 2:  # binary: a BackMsg
            self.frames.append((event["timestamp"], self.step, base64.b64decode(answer["payloadData"])))

    def _websocket(self, event) -> None:
        if self.websocket_opened is None:
            self.websocket_opened = time.monotonic()

    def _request(self, event) -> None:
        url = event["request"]["url"]
        if url.startswith(self.base_url + "/") and event.get("type") != "WebSocket":
            self.requests.append((time.monotonic(), self.step, url[len(self.base_url):]))

    def assets(self) -> Assets:
        """The files fetched, split as Assets keeps them."""
        found = Assets()
        for when, step, path in self.requests:
            if step == "open" and (self.websocket_opened is None or when < self.websocket_opened):
                found.before.append(path)
            else:
                found.during.setdefault(step, []).append(path)
        return found

    def _begin(self, step: str) -> None:
        self._steps[step] = self._steps.get(step, 0) + 1
        self.step = step if self._steps[step] == 1 else f"{step} {self._steps[step]}"

    def _settle(self, pause: float = 1.0) -> None:
        from browser import settled

        time.sleep(pause)  # let the run the action asked for start
        settled(self.page, 60_000)

    def open(self, link: str = LINK, path: str = "/") -> None:
        from browser import wait_drawn

        self._begin("open")
        self.page.goto(f"{self.base_url}{path}?{link}")
        wait_drawn(self.page, 60_000)
        self._settle()

    def go(self, page: str) -> None:
        if urlsplit(self.page.url).path.strip("/") == page:
            return
        self._begin(switch_step(page))
        self.page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=TITLES[page]).click()
        self.page.wait_for_url(re.compile(rf"^{re.escape(self.base_url)}/{page}(\?.*)?$"))
        self._settle(2.0)

    def type(self, text: str) -> None:
        self._begin("type")
        box = self.page.get_by_role("textbox", name=view.F_OF_X.label)
        box.fill(text)
        box.press("Enter")
        self._settle()

    def release(self, moves: int) -> None:
        self._begin("release")
        slider = self.page.locator('.tt-slider[aria-label="x"]')
        slider.focus()
        for _ in range(moves):
            slider.press("ArrowRight")
        self._settle(1.5)  # the view lets go 0.4 s after the last key

    def play(self, seconds: float) -> None:
        self._begin("play")
        self.page.locator('[data-testid="stBaseButton-primary"]').click()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:  # let Playwright deliver the frames as they are sent
            self.page.wait_for_timeout(100)
        self._begin("pause")
        self.page.locator('[data-testid="stBaseButton-primary"]').click()
        self._settle()

    def close(self) -> None:
        self.context.close()
