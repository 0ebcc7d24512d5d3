"""A browser tab without the browser: Streamlit's websocket protocol, spoken with its own protobufs.

    server = AppServer().start()                 # benchmarks/browser.py: `streamlit run playground.py`
    tab = await Tab.open(server.port)
    run = await tab.rerun(query="f=x%5E2&x=0.5")  # what a tab sends when it opens a link
    run = await tab.set(view.POINT, 0.7)          # a released slider: every widget's state, as a tab sends it
    await tab.close()

A tab connects to `/_stcore/stream` and sends BackMsg `rerun_script` messages (a ClientState:
the query string, the page, and the state of every widget it has); the server answers with
ForwardMsgs (deltas, then `script_finished`). Widgets are found by their key: Streamlit's id for
a keyed widget ends in "-<key>". Used by benchmarks/load.py and tests/test_clear_cache.py.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import urllib.request
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from benchmarks.browser import ENTRY, ROOT, AppServer, free_port

__all__ = ["AppServer", "Run", "Tab", "serve_here"]
SCRIPT = str(ROOT / ENTRY)
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY: "ok", ForwardMsg.FINISHED_WITH_COMPILE_ERROR: "compile error"}
# Each widget kind's value in a WidgetState, as the front end sends it.
_VALUE_FIELDS = {"slider": "double_array_value", "text_input": "string_value", "number_input": "double_value",
                 "checkbox": "bool_value", "button": "trigger_value", "selectbox": "string_value",
                 "radio": "string_value"}


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


@dataclass
class Run:
    """What one rerun sent back: its time to `script_finished`, how it ended, its elements."""

    seconds: float
    status: str
    elements: list = field(default_factory=list)  # Element protos of the new deltas, in order
    exceptions: list[str] = field(default_factory=list)  # the messages of st.exception boxes
    page_not_found: bool = False

    def texts(self, kind: str) -> list[str]:
        """The bodies of the elements of one kind ("alert", "markdown", "code", ...)."""
        return [getattr(e, kind).body if hasattr(getattr(e, kind), "body") else getattr(e, kind).code_text
                for e in self.elements if e.WhichOneof("type") == kind]


class Tab:
    """One browser tab: one websocket, one Streamlit session."""

    def __init__(self, ws, port: int):
        self.ws = ws
        self.port = port
        self.widgets: dict[str, tuple[str, object]] = {}  # id -> (kind, proto) as last drawn
        self.states: dict[str, WidgetState] = {}  # what the tab has set, sent with every rerun
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.page = ""
        self.query = ""

    @classmethod
    async def open(cls, port: int, timeout: float = 30) -> Tab:
        ws = await websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                      max_size=None, open_timeout=timeout, ping_interval=None)
        return cls(ws, port)

    async def close(self) -> None:
        await self.ws.close()

    async def send(self, msg: BackMsg) -> None:
        await self.ws.send(msg.SerializeToString())

    async def clear_cache(self) -> None:
        """What the menu's "Clear cache" sends; any client can send it."""
        msg = BackMsg()
        msg.clear_cache = True
        await self.send(msg)

    async def rerun(self, query: str | None = None, page: str | None = None, timeout: float = 120) -> Run:
        """Ask for a run (of `page`, with `query` as the URL's query string) and wait for its end."""
        if page is not None and page != self.page:
            # A tab switching pages sends no widget state of the old page (the session keeps it).
            self.page, self.states, self.widgets = page, {}, {}
        if query is not None:
            self.query = query
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_name = self.page
        state.page_script_hash = self.pages.get(self.page, "")
        state.context_info.url = f"http://127.0.0.1:{self.port}/{self.page}" + (f"?{self.query}" if self.query else "")
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-US"
        state.widget_states.widgets.extend(self.states.values())
        start = time.perf_counter()
        await self.send(msg)
        return await asyncio.wait_for(self._collect(start), timeout)

    async def _collect(self, start: float) -> Run:
        run = Run(0.0, "")
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self.ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                run.elements.append(element)
                which = element.WhichOneof("type")
                if which == "exception":
                    run.exceptions.append(element.exception.message)
                elif which in _VALUE_FIELDS:
                    self.widgets[getattr(element, which).id] = (which, getattr(element, which))
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "page_not_found":
                run.page_not_found = True
            elif kind == "script_finished" and msg.script_finished in FINISHED:
                run.seconds = time.perf_counter() - start
                run.status = FINISHED[msg.script_finished]
                return run

    def widget_id(self, key: str) -> str:
        (found,) = [wid for wid in self.widgets if wid.endswith(f"-{key}")]
        return found

    async def set(self, key: str, value) -> Run:
        """Give the widget keyed `key` a new value, as a tab does when it is changed, and rerun."""
        wid = self.widget_id(key)
        kind, _ = self.widgets[wid]
        state = WidgetState(id=wid)
        value_field = _VALUE_FIELDS[kind]
        if value_field == "double_array_value":
            state.double_array_value.data.extend([float(value)])
        elif value_field == "trigger_value":
            state.trigger_value = True
        else:
            setattr(state, value_field, value)
        self.states[wid] = state
        run = await self.rerun()
        if value_field == "trigger_value":
            del self.states[wid]  # a click is sent once
        return run
