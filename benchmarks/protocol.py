"""A browser tab without the browser: Streamlit's websocket protocol, spoken as its front end speaks it.

    server = AppServer().start()                    # benchmarks/browser.py: `streamlit run playground.py`
    tab = await Tab.open(server.port)
    run = await tab.load("/", "f=x%5E2&x=0.5")      # the first message of a tab opened at a link
    run = await tab.set(view.FUNCTION, "sin(x)")    # typed into the box and Enter
    run = await tab.emit("live_view", "x", 0.7)     # a custom component's event (the live view's release)
    run = await tab.click("play")                   # a button
    run = await tab.switch("network")               # a page link in the sidebar
    await tab.close()

A tab connects to `/_stcore/stream` and sends BackMsg `rerun_script` messages; the server answers
with ForwardMsgs (a `new_session` per run, deltas, `script_finished`). What each message holds
was read from Streamlit's front end (1.67, `static/js/index.*.js`) and is checked against the
frames real Chromium sends (benchmarks/wire.py):

- every rerun carries the state of **every widget on the page**, as the front end's widget
  manager holds it: a widget's default when it is first drawn, the value the server sets
  (`set_value`), the value the student gave it; a button's or an event's trigger once;
- the **query string** of the address bar: the server's (`page_info_changed`), or, when the
  student changes a widget bound to the URL, the front end's own rewrite of it; on a page switch
  only the bound parameters are carried, and only the entry script's widgets' states;
- the **hashes of the messages the tab keeps** (the front end's ForwardMsg cache, aged by runs),
  so the server sends a reference instead of a message the tab already has;
- a `run_every` fragment's ticks: on an `auto_rerun` message the tab sends a fragment rerun
  every `interval` seconds, whether the last has finished or not (the front end's setInterval),
  until `stop_auto_rerun`, a full run or a page switch.

Used by benchmarks/load.py, benchmarks/layout.py and tests/test_clear_cache.py.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

from benchmarks.browser import ENTRY, ROOT, AppServer, free_port

__all__ = ["AppServer", "Run", "Tab", "fetch", "js_number", "serve_here"]
SCRIPT = str(ROOT / ENTRY)
_FULL_END = {ForwardMsg.FINISHED_SUCCESSFULLY: "ok", ForwardMsg.FINISHED_WITH_COMPILE_ERROR: "compile error"}
_WIDGETS = ("button", "button_group", "checkbox", "number_input", "radio", "selectbox", "slider", "text_input",
            "bidi_component")  # button_group: st.segmented_control and st.pills (the language control)
# What a tab says about itself in every rerun (Chromium here: UTC, en-US, the light theme).
CONTEXT = {"timezone": "UTC", "timezone_offset": 0, "locale": "en-US", "is_embedded": False, "color_scheme": "light"}
BROWSER_CONNECTIONS = 6  # HTTP/1.1 connections a browser opens to one host


def serve_here(port: int | None = None, timeout: float = 60) -> int:
    """Start the app's server inside this process, on a thread of its own, and return its port:
    for a probe that must read the server's own state (its caches) while tabs talk to it. Run it
    in a process of its own (Streamlit's runtime is one per process)."""
    from streamlit.web import bootstrap
    from streamlit.web.server import Server

    port = port or free_port()
    os.chdir(ROOT)  # .streamlit/config.toml
    bootstrap.load_config_options({"server_address": "127.0.0.1", "server_port": port, "server_headless": True,
                                   "server_fileWatcherType": "none", "browser_gatherUsageStats": False})
    bootstrap._fix_sys_path(SCRIPT)
    bootstrap.prepare_streamlit_environment(SCRIPT)

    def serve() -> None:
        loop = asyncio.new_event_loop()
        loop.run_until_complete(Server(SCRIPT, False).start())
        loop.run_forever()

    threading.Thread(target=serve, name="streamlit-server", daemon=True).start()
    _wait_until_healthy(port, timeout)
    return port


def _wait_until_healthy(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.read() == b"ok":
                    return True
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not answer /_stcore/health")


async def fetch(port: int, paths: list[str], connections: int = BROWSER_CONNECTIONS) -> int:
    """GET `paths` from the server as a browser loading a page does (in order, `connections` at a
    time, kept alive) and return the bytes received. A connection the server closed while idle is
    tried again once, as a browser does; any status but 200 raises."""
    import aiohttp  # a benchmark's dependency only (requirements-dev.txt); its C parser keeps the tabs' CPU low

    queue, received = list(reversed(paths)), 0
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}", connector=connector, auto_decompress=False,
                                     timeout=aiohttp.ClientTimeout(total=120)) as session:

        async def get(path: str) -> int:
            async with session.get(path) as answer:
                if answer.status != 200:
                    raise RuntimeError(f"GET {path}: {answer.status}")
                return sum([len(chunk) async for chunk in answer.content.iter_any()])

        async def worker() -> None:
            nonlocal received
            while queue:
                path = queue.pop()
                try:
                    received += await get(path)
                except aiohttp.ServerDisconnectedError:
                    received += await get(path)

        await asyncio.gather(*(worker() for _ in range(connections)))
    return received


# ---- how the front end writes numbers and URLs -----------------------------------------------------


def js_number(v: float) -> str:
    """A number as JavaScript's String(v) and JSON.stringify write it: 1.22, 3 (not 3.0), 1e-7, 1e+21."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0:
        return "0"
    sign, text = ("-" if v < 0 else ""), repr(abs(float(v)))
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    # v = 0.<digits> × 10^n, the notation of ECMAScript's Number::toString
    leading = len(fraction) - len(fraction.lstrip("0"))  # 0.00123: two zeros before the digits
    n = int(exponent or 0) + (len(whole) if whole != "0" else -leading)
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    return sign + digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))


_FORM_SAFE = "*-._"  # what URLSearchParams leaves as it is (besides letters and digits)
_STRICT_SAFE = "-_.~"  # encodeURIComponent, less !'()* (the query-string library's strict mode)


def _pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def _form(pairs) -> str:
    """URLSearchParams.toString(): form encoding, space as +."""
    return "&".join(f"{quote(k, safe=_FORM_SAFE).replace('%20', '+')}={quote(v, safe=_FORM_SAFE).replace('%20', '+')}"
                    for k, v in pairs)


def _strict(params: dict[str, str | list[str]]) -> str:
    """The query-string library's stringify (keys sorted, strict encoding), with %20 as +, as the
    front end writes a page switch's parameters."""
    parts = []
    for key in sorted(params):
        for value in params[key] if isinstance(params[key], list) else [params[key]]:
            parts.append(f"{quote(key, safe=_STRICT_SAFE)}={quote(value, safe=_STRICT_SAFE)}")
    return "&".join(parts).replace("%20", "+")


def _grouped(query: str) -> dict[str, str | list[str]]:
    grouped: dict[str, str | list[str]] = {}
    for key, value in _pairs(query):
        if key in grouped:
            old = grouped[key]
            grouped[key] = [*old, value] if isinstance(old, list) else [old, value]
        else:
            grouped[key] = value
    return grouped


# ---- a widget as the front end holds it ------------------------------------------------------------


@dataclass
class Widget:
    """One widget (or custom component) as last drawn: its element, who drew it, where."""

    kind: str
    proto: object
    script_hash: str  # the entry script's or the page's
    fragment_id: str


def _value_type(kind: str, proto) -> str | None:
    """The WidgetState field the front end fills for this widget (None: it keeps no state)."""
    if kind == "checkbox":
        return "bool_value"
    if kind in ("text_input", "radio", "selectbox"):
        return "string_value"
    if kind == "number_input":
        return "int_value" if proto.data_type == NumberInput.INT else "double_value"
    if kind == "slider":
        return "string_array_value" if proto.type == Slider.SELECT_SLIDER else "double_array_value"
    if kind == "button_group":
        return "string_array_value"  # the chosen options' text, as shown (format_func's)
    return None  # buttons and components: triggers only


def _shown_value(kind: str, proto):
    """The value a widget shows when it is drawn: the server's, when it sets one, else its default.
    None is "no value" (an empty number box, a select box with nothing chosen)."""
    if kind == "button_group":
        return list(proto.raw_values) if proto.set_value else [proto.options[int(i)].content for i in proto.default]
    if kind == "slider" and proto.type == Slider.SELECT_SLIDER:
        return list(proto.raw_value) if proto.set_value else [proto.options[int(i)] for i in proto.default]
    if kind == "slider":
        return list(proto.value if proto.set_value else proto.default)
    if kind in ("radio", "selectbox"):
        if proto.set_value:
            return proto.raw_value if proto.HasField("raw_value") else None
        return proto.options[proto.default] if proto.HasField("default") else None
    if proto.set_value:
        return proto.value if kind == "checkbox" or proto.HasField("value") else None
    if kind == "checkbox":
        return proto.default
    return proto.default if proto.HasField("default") else None


def _state(wid: str, value_type: str, value) -> WidgetState:
    state = WidgetState(id=wid)
    if value is None:
        return state  # the front end sends the id alone
    if value_type in ("double_array_value", "string_array_value"):
        getattr(state, value_type).data.extend(value)
    else:
        setattr(state, value_type, int(value) if value_type == "int_value" else value)
    return state


def _state_value(state: WidgetState):
    kind = state.WhichOneof("value")
    if kind is None:
        return None
    value = getattr(state, kind)
    return list(value.data) if kind.endswith("_array_value") else value


def _url_value(value, value_type: str):
    """convertToUrlValue: the text (or texts) a bound widget's value takes in the address bar."""
    if value is None:
        return None
    if value_type in ("bool_value",):
        return "true" if value else "false"
    if value_type in ("double_value", "int_value"):
        return js_number(value)
    if value_type == "string_array_value":
        return [v for v in value if v != ""]
    if value_type == "double_array_value":
        return [js_number(v) for v in value]
    return value


def _default_text(value) -> str | list[str] | None:
    if value is None:
        return None
    if isinstance(value, list):
        return [_default_text(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return js_number(value) if isinstance(value, (int, float)) else value


@dataclass
class Binding:
    """A widget bound to the URL, as the front end registered it when drawn."""

    key: str
    value_type: str
    default: object  # as text, the way the front end compares it

    def clears(self, url_value) -> bool:
        """shouldClearUrlParam: an empty value, or the default, leaves the parameter out."""
        if url_value is None or url_value == "" or url_value == []:
            return True
        if isinstance(url_value, list):
            if isinstance(self.default, list):
                return url_value == self.default
            return len(url_value) == 1 and self.default is not None and url_value[0] == self.default
        return self.default is not None and url_value == self.default


@dataclass
class Run:
    """What one action's run sent back: its time to the end of the run, how it ended, its elements."""

    seconds: float
    status: str
    elements: list = field(default_factory=list)  # Element protos of the new deltas, in order
    exceptions: list[str] = field(default_factory=list)  # the messages of st.exception boxes
    page_not_found: bool = False

    def texts(self, kind: str) -> list[str]:
        """The bodies of the elements of one kind ("alert", "markdown", "code", ...)."""
        return [getattr(e, kind).body if hasattr(getattr(e, kind), "body") else getattr(e, kind).code_text
                for e in self.elements if e.WhichOneof("type") == kind]


class _Waiter:
    """The run an action waits for: the next full run (or fragment run) that starts after it."""

    def __init__(self, fragment: bool):
        self.fragment, self.started, self.start = fragment, False, time.perf_counter()
        self.run = Run(0.0, "")
        self.done: asyncio.Future = asyncio.get_running_loop().create_future()


class Tab:
    """One browser tab: one websocket, one Streamlit session, the front end's bookkeeping."""

    def __init__(self, ws, port: int):
        self.ws, self.port = ws, port
        self.path = "/"  # the address bar's path (the page shown)
        self.query = ""  # ...and its query string
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.page_hash = ""  # the page the last run drew (its navigation message's)
        self.main_hash = ""
        self.widgets: dict[str, Widget] = {}  # id -> as last drawn
        self.states: dict[str, WidgetState] = {}  # the widget manager: id -> state, in insertion order
        self._triggers: set[str] = set()  # states sent once
        self._bound: dict[str, Binding] = {}
        self._drawn: set[str] = set()  # widget ids drawn by the full run in progress
        self._active: set[str] = set()
        self._cache: dict[str, list] = {}  # hash -> [run count when last seen, fragment id, message bytes]
        self._runs = 0  # the cache's script run count
        self._max_age = 2
        self._new_session = False  # a new_session arrived since the last rerun was sent
        self._ticks: dict[str, tuple[float, asyncio.Task]] = {}  # fragment id -> (interval, timer)
        self._waiter: _Waiter | None = None
        self.sent: list[tuple[float, BackMsg]] = []  # every message sent, for benchmarks/wire.py
        self.redraws: list[float] = []  # when each fragment run (a tick) began to show new pictures
        self._drew = True  # the run in progress has shown a picture
        self.tick_errors: list[str] = []
        self.fragment_texts: list[tuple[float, str]] = []  # (when, text) of what ticks wrote (st.caption...)
        self.closed_reason: str | None = None
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(cls, port: int, timeout: float = 30) -> Tab:
        ws = await websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                      max_size=None, open_timeout=timeout, ping_interval=None)
        return cls(ws, port)

    async def close(self) -> None:
        self._stop_ticks()
        await self.ws.close()
        self._reader.cancel()

    @property
    def page(self) -> str:
        return self.path.strip("/")

    @property
    def ticking(self) -> bool:
        return bool(self._ticks)

    # ---- sending ---------------------------------------------------------------------------------

    async def send(self, msg: BackMsg) -> None:
        self.sent.append((time.perf_counter(), msg))
        await self.ws.send(msg.SerializeToString())

    async def clear_cache(self) -> None:
        """What the menu's "Clear cache" sends; any client can send it."""
        msg = BackMsg()
        msg.clear_cache = True
        await self.send(msg)

    def _context(self, state) -> None:
        info = state.context_info
        for name, value in CONTEXT.items():
            setattr(info, name, value)
        info.url = f"http://127.0.0.1:{self.port}{self.path}"

    async def _rerun(self, states, *, page_hash: str = "", page_name: str = "", fragment_id: str = "",
                     auto: bool = False) -> None:
        """sendRerunBackMsg: one rerun_script message, then the triggers it carried are spent."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.widget_states.SetInParent()
        state.widget_states.widgets.extend(states)
        state.page_script_hash = page_hash
        state.page_name = page_name
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        state.cached_message_hashes.extend(self._cache)
        self._context(state)
        await self.send(msg)
        self._new_session = False
        for wid in self._triggers:
            self.states.pop(wid, None)
        self._triggers.clear()

    async def _update(self, fragment_id: str = "", timeout: float = 120) -> Run:
        """sendUpdateWidgetsMessage: every widget's state, for the page shown; wait for its run."""
        waiter = self._expect(bool(fragment_id))
        await self._rerun(list(self.states.values()), page_hash=self.page_hash, fragment_id=fragment_id)
        return await asyncio.wait_for(waiter.done, timeout)

    def _expect(self, fragment: bool) -> _Waiter:
        self._waiter = _Waiter(fragment)
        return self._waiter

    # ---- what a student does ---------------------------------------------------------------------

    async def load(self, path: str = "/", query: str = "", timeout: float = 120) -> Run:
        """The first message of a tab opened at `path?query`: the page named by its path."""
        self.path, self.query = "/" + path.strip("/"), query
        waiter = self._expect(False)
        await self._rerun([], page_name=path.strip("/"))
        return await asyncio.wait_for(waiter.done, timeout)

    async def switch(self, page: str, timeout: float = 120) -> Run:
        """A click on a page link: onPageChange. The entry script's widgets' states go with it, and
        the address bar keeps only the parameters of the widgets bound to the URL."""
        self._stop_ticks()
        kept = [s for wid, s in self.states.items()
                if wid in self.widgets and self.widgets[wid].script_hash == self.main_hash]
        current = _grouped(self.query)
        self.query = _strict({b.key: current[b.key] for b in self._bound.values() if b.key in current})
        waiter = self._expect(False)
        await self._rerun(kept, page_hash=self.pages[page.strip("/")])
        self.path = "/" + page.strip("/")
        return await asyncio.wait_for(waiter.done, timeout)

    async def rerun(self, query: str | None = None, page: str | None = None, timeout: float = 120) -> Run:
        """The first message (`load`), a page switch, or the same page run again with every state."""
        if not self.sent:
            return await self.load(page or "/", query or "", timeout)
        if page is not None and page.strip("/") != self.page:
            return await self.switch(page, timeout)
        if query is not None:
            self.query = query
        return await self._update(timeout=timeout)

    def widget_id(self, key: str) -> str:
        """The id of the widget keyed `key` on the page shown (Streamlit's id of a keyed widget ends in -key)."""
        (found,) = [wid for wid in self._active if wid.endswith(f"-{key}")]
        return found

    async def set(self, key: str, value, timeout: float = 120) -> Run:
        """The student gives the widget keyed `key` a new value (a button: a click)."""
        widget = self.widgets[self.widget_id(key)]
        if widget.kind == "button":
            return await self.click(key, timeout)
        value_type = _value_type(widget.kind, widget.proto)
        if value_type == "double_array_value" and not isinstance(value, list):
            value = [float(value)]
        wid = widget.proto.id
        self.states[wid] = _state(wid, value_type, value)
        if wid in self._bound:  # maybeSyncValueToUrl, fromUser
            binding = self._bound[wid]
            url_value = _url_value(value, value_type)
            params = _grouped(self.query)
            params.pop(binding.key, None)
            if not binding.clears(url_value):
                params[binding.key] = url_value
            self.query = _form(_pairs(_strict(params)))
        return await self._update(widget.fragment_id, timeout)

    async def click(self, key: str, timeout: float = 120) -> Run:
        widget = self.widgets[self.widget_id(key)]
        wid = widget.proto.id
        self.states[wid] = WidgetState(id=wid, trigger_value=True)
        self._triggers.add(wid)
        return await self._update(widget.fragment_id, timeout)

    async def emit(self, key: str, event: str, value, timeout: float = 120) -> Run:
        """A custom component's event (`setTriggerValue(event, value)` in its code)."""
        from streamlit.components.v2.bidi_component.main import _make_trigger_id

        widget = self.widgets[self.widget_id(key)]
        wid = _make_trigger_id(widget.proto.id, "events")
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        written = js_number(value) if number else json.dumps(value, separators=(",", ":"))  # JSON.stringify's
        payload = f'[{{"event":{json.dumps(event)},"value":{written}}}]'
        self.states[wid] = WidgetState(id=wid, json_trigger_value=payload)
        self._triggers.add(wid)
        return await self._update(widget.fragment_id, timeout)

    def component_data(self, key: str) -> dict:
        """The JSON a custom component was last drawn with."""
        return json.loads(self.widgets[self.widget_id(key)].proto.json)

    def value(self, key: str):
        """A widget's value as the tab holds it."""
        return _state_value(self.states[self.widget_id(key)])

    # ---- a run_every fragment's ticks --------------------------------------------------------------

    def _start_ticks(self, fragment_id: str, interval: float) -> None:
        known = self._ticks.get(fragment_id)
        if known and known[0] == interval:
            return
        self._stop_ticks(fragment_id)

        async def tick() -> None:
            start, n = time.perf_counter(), 0
            while True:
                n += 1
                await asyncio.sleep(max(0.0, start + n * interval - time.perf_counter()))
                await self._rerun(list(self.states.values()), page_hash=self.page_hash, fragment_id=fragment_id,
                                  auto=True)

        self._ticks[fragment_id] = (interval, asyncio.get_running_loop().create_task(tick()))

    def _stop_ticks(self, *fragment_ids: str) -> None:
        for fragment_id in fragment_ids or list(self._ticks):
            if fragment_id in self._ticks:
                self._ticks.pop(fragment_id)[1].cancel()

    # ---- receiving -------------------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._receive(msg, data)
        except websockets.ConnectionClosed as closed:
            self.closed_reason = f"the websocket closed: {closed}"
        except Exception as problem:  # noqa: BLE001 - reported to whoever waits
            self.closed_reason = f"{type(problem).__name__}: {problem}"
        finally:
            self._stop_ticks()
            if self._waiter and not self._waiter.done.done():
                self._waiter.done.set_exception(ConnectionError(self.closed_reason or "the websocket closed"))

    def _receive(self, msg: ForwardMsg, data: bytes) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":  # a message the tab keeps: processed as if sent again
            entry = self._cache.get(msg.ref_hash)
            if entry is None:
                raise RuntimeError(f"the server referred to a message the tab does not keep: {msg.ref_hash}")
            entry[0] = self._runs
            cached = ForwardMsg()
            cached.ParseFromString(entry[2])
            cached.metadata.CopyFrom(msg.metadata)
            msg, kind = cached, cached.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            if msg.hash in self._cache:
                self._cache[msg.hash][0] = self._runs
            else:
                fragment = msg.delta.fragment_id if kind == "delta" else ""
                self._cache[msg.hash] = [self._runs, fragment, data]
        waiter = self._waiter
        if kind == "new_session":
            self._new_session = True
            self._drew = False
            self._max_age = msg.new_session.config.max_cached_message_age or self._max_age
            if not msg.metadata.run.fragment_ids:  # a full run: the ticks of the last one end
                self._stop_ticks()
                self.main_hash = msg.new_session.main_script_hash
                self._drawn = set()
                if waiter and not waiter.fragment:
                    waiter.started = True
            elif waiter and waiter.fragment:
                waiter.started = True
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg, waiter)
        elif kind == "navigation":  # the pages, and the one this run draws (the address bar follows it)
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.page_hash = msg.navigation.page_script_hash
            self.path = "/" + next((path for path, h in self.pages.items() if h == self.page_hash), self.page)
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "page_not_found" and waiter:
            waiter.run.page_not_found = True
        elif kind == "auto_rerun":
            self._start_ticks(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            self._stop_ticks(*msg.stop_auto_rerun.fragment_ids)
        elif kind == "script_finished":
            self._finished(msg, waiter)

    def _element(self, msg: ForwardMsg, waiter: _Waiter | None) -> None:
        element = msg.delta.new_element
        which = element.WhichOneof("type")
        if waiter and waiter.started:
            waiter.run.elements.append(element)
        if which == "exception":
            if waiter and waiter.started:
                waiter.run.exceptions.append(element.exception.message)
            else:
                self.tick_errors.append(element.exception.message)
        if which == "imgs" and msg.delta.fragment_id and not self._drew:
            # A tick's pictures reached the tab: that is a redraw, whether or not its run's end
            # does (Streamlit marks a run's end "early" once the next run of its fragment starts).
            self._drew = True
            self.redraws.append(time.perf_counter())
        if which == "markdown" and msg.delta.fragment_id:
            self.fragment_texts.append((time.perf_counter(), element.markdown.body))
        if which not in _WIDGETS:
            return
        proto = getattr(element, which)
        wid = proto.id
        self.widgets[wid] = Widget(which, proto, msg.metadata.active_script_hash, msg.delta.fragment_id)
        self._drawn.add(wid)
        value_type = _value_type(which, proto)
        if value_type is None:
            return
        if proto.query_param_key:
            self._bound[wid] = Binding(proto.query_param_key, value_type, _default_text(
                _shown_value(which, _without_set_value(proto))))
        if proto.set_value or wid not in self.states:  # drawn: the widget manager learns its value
            self.states[wid] = _state(wid, value_type, _shown_value(which, proto))

    def _finished(self, msg: ForwardMsg, waiter: _Waiter | None) -> None:
        status = msg.script_finished
        run = msg.metadata.run if msg.metadata.HasField("run") else None
        fragment_ids = list(run.fragment_ids) if run else []
        if status == ForwardMsg.FINISHED_SUCCESSFULLY:
            self._active = set(self._drawn)
        if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
            keep = self._active | self._triggers
            for wid in [w for w in self.states if w not in keep and not _is_trigger(w)]:
                del self.states[wid]
            self._bound = {wid: b for wid, b in self._bound.items() if wid in self._active}
        if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN and run is not None and self._new_session:
            self._runs += 1
            for key, (seen, fragment, _) in list(self._cache.items()):
                if fragment_ids and (not fragment or fragment not in fragment_ids):
                    continue
                if self._runs - seen > self._max_age:
                    del self._cache[key]
        if waiter is None or not waiter.started or waiter.done.done():
            return
        done = (status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY) if waiter.fragment else status in _FULL_END
        if done:
            waiter.run.seconds = time.perf_counter() - waiter.start
            waiter.run.status = "ok" if waiter.fragment else _FULL_END[status]
            waiter.done.set_result(waiter.run)


def _is_trigger(wid: str) -> bool:
    return wid.startswith("$$STREAMLIT_INTERNAL_KEY_")


def _without_set_value(proto):
    copy = type(proto)()
    copy.CopyFrom(proto)
    copy.set_value = False
    return copy
