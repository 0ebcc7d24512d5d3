"""Helpers for driving the app with Streamlit's AppTest: start it from a link, read what it drew."""

from __future__ import annotations

import base64
import html
import json
import logging
import re
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import streamlit.testing.v1.app_test as app_test
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from lessons import live as packed
from lessons import viz
from ui import view

ENTRY = Path(__file__).resolve().parent.parent / "playground.py"


class _NavigationMode(PagesManager):
    """A running server leaves Streamlit's old pages/-folder mode for good once it has run
    st.navigation (see ui.widgets.require_app_navigation). AppTest resets that mode before every
    run, which would make each test run start in the old mode and rerun; start where a server is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


app_test.PagesManager = _NavigationMode


def open_app(page: str | None = None, **params) -> AppTest:
    """The app as a browser would open `/?key=value...` (optionally on another page), run once."""
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = str(value)
    if page is not None:
        at.switch_page(page)
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


# ---- the live view (ui/live.py): what the browser receives, read as ui/live.js reads it ----------


LIVE_ROLES = ("live", "graph", "table")  # (the theme hook, ui/theme.py, is a component too)


def views(at: AppTest) -> list[dict]:
    """The data of every live-view mount that is not a blob: {"role": "live" | "graph" | "table", ...}."""
    found = [json.loads(e.proto.json) for e in at.get("bidi_component") if e.proto.WhichOneof("data") == "json"]
    return [d for d in found if d.get("role") in LIVE_ROLES]


def live_view(at: AppTest, role: str = "live") -> dict:
    (data,) = [d for d in views(at) if d.get("role") == role]
    return data


def blob(at: AppTest, key: str | None = None) -> tuple[dict, list[np.ndarray], list[np.ndarray]]:
    """The blob a view names (its header, float arrays and number-code columns), unpacked."""
    found = {}
    for e in at.get("bidi_component"):
        if e.proto.WhichOneof("data") == "bytes":
            unpacked = packed.unpack(e.proto.bytes)
            found[unpacked[0]["id"]] = unpacked
    if key is None:
        (key,) = found
    return found[key]


_SLOT = re.compile("\ue000(n\\d+)([vg])\ue000")


def _filled(svg: str, numbers: dict) -> str:
    """The blob's picture with the numbers written in, as ui/live.js writes them."""
    def number(m):
        return viz.SLOT_WORDS[m[2]] + html.escape(numbers.get(m[1], ["?", "?"])[0 if m[2] == "v" else 1])

    return html.unescape(_SLOT.sub(number, svg))


def release(at: AppTest, x) -> AppTest:
    """What the browser sends when x is let go on the live view (its "x" event), then the rerun."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    (element,) = [e for e in at.get("bidi_component")
                  if e.proto.WhichOneof("data") == "json" and json.loads(e.proto.json)["role"] == "live"]
    states = at._tree.get_widget_states()  # AppTest has no API for a component's events
    states.widgets.append(WidgetState(id=_make_trigger_id(element.proto.id, "events"),
                                      json_trigger_value=json.dumps([{"event": "x", "value": x}])))
    return at._run(states)


def dot(at: AppTest) -> str:
    """The computation graph as drawn: the live view's picture with the numbers the server sent
    for its point, or, where `dot` is not installed, the DOT source the browser lays out. Either
    holds "value 1.2" and "grad 6.32"."""
    charts = at.get("graphviz_chart")
    if charts:
        (chart,) = charts
        return chart.proto.spec
    (data,) = [d for d in views(at) if d["role"] in ("live", "graph")]
    header = blob(at, data["blob"])[0]
    return _filled(header["svg"], data["point"]["nodes"] if data["role"] == "live" else data["nodes"])


def figure(at: AppTest, index: int = 0) -> dict:
    """A Plotly figure of the page. On the Playground, index 0 is the live view's plot, with the
    point and the tangent the server sent for its x (ui/live.js starts from them)."""
    lives = [d for d in views(at) if d["role"] == "live"]
    if lives:
        if index == 0:
            (data,) = lives
            fig = blob(at, data["blob"])[0]["figure"]
            for trace in fig["data"]:
                role = packed.mark_role(trace.get("name", ""), trace.get("mode", ""))
                if role:
                    trace.update(data["point"]["marks"][role])
            return fig
        index -= 1
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def _array(data) -> np.ndarray:
    if isinstance(data, dict):  # plotly's compact encoding of numpy arrays (2-D ones carry a shape)
        flat = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"])).astype(float)
        return flat.reshape([int(n) for n in data["shape"].split(",")]) if "shape" in data else flat
    if data and isinstance(data[0], list):
        return np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    return np.array([np.nan if v is None else v for v in data], dtype=float)


def _axis(t: dict, axis: str, n: int) -> np.ndarray:
    return _array(t[axis]) if axis in t else t[axis + "0"] + t["d" + axis] * np.arange(n)


def contour(fig: dict, name: str = "f") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """xs, ys and z of the contour trace called `name`: z[i, j] is at (xs[j], ys[i])."""
    (t,) = [t for t in fig["data"] if t.get("type") == "contour" and t.get("name") == name]
    z = _array(t["z"])
    return _axis(t, "x", z.shape[1]), _axis(t, "y", z.shape[0]), z


_BOX = re.compile(r"<B>(.*?)</B>.*?value (.*?)</FONT>.*?grad (.*?)</FONT>")
_TEXT = re.compile(r"<text[^>]*>([^<]*)</text>")


def boxes(source: str) -> dict[str, tuple[str, str]]:
    """The graph's value boxes, {label: (value, grad)}, from its SVG or its DOT source."""
    if "<svg" not in source:
        return {html.unescape(label): (value, grad) for label, value, grad in _BOX.findall(source)}
    texts = [html.unescape(t) for t in _TEXT.findall(source)]
    return {label: (value[len("value "):], grad[len("grad "):])
            for label, value, grad in zip(texts, texts[1:], texts[2:])
            if value.startswith("value ") and grad.startswith("grad ")}


def trace(fig: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    """x and y of the trace called `name`, or whose name starts with `name,` (x rebuilt from x0
    and dx when sent that way)."""
    (t,) = [t for t in fig["data"] if t.get("name") == name or t.get("name", "").startswith(name + ",")]
    y = _array(t["y"])
    x = _array(t["x"]) if "x" in t else t["x0"] + t["dx"] * np.arange(y.size)
    return x, y


def names(fig: dict) -> list[str]:
    return [t.get("name", "") for t in fig["data"]]


_LIVE_METRICS = {"f(x)": "f", "f′(x)": "df", "f″(x)": "d2f"}


def metric(at: AppTest, label: str) -> str:
    """A number above the graph: on the Playground, the one the live view shows at its x."""
    lives = [d for d in views(at) if d["role"] == "live"]
    if lives and label in _LIVE_METRICS:
        return lives[0]["point"][_LIVE_METRICS[label]]
    (m,) = [m for m in at.metric if m.label.startswith(label)]
    return m.value


def default_grid() -> np.ndarray:
    return np.linspace(*view.DEFAULT_RANGE, view.CURVE_POINTS)


@contextmanager
def streamlit_log(level: int = logging.WARNING):
    """The records Streamlit's own loggers write while the block runs, at `level` and above
    (they do not propagate to pytest's caplog), except the "missing ScriptRunContext" notice
    that AppTest's own thread causes. Streamlit logs its "default value but also set via the
    Session State API" warning once per process, so that flag is reset first: each block sees
    it again."""
    from streamlit import logger as streamlit_logger
    from streamlit.elements.lib import policies

    policies._shown_default_value_warning = False
    records: list[logging.LogRecord] = []
    handler = logging.Handler(level)
    handler.emit = lambda record: None if "missing ScriptRunContext" in record.getMessage() else records.append(record)
    loggers = list(streamlit_logger._loggers.values())
    for each in loggers:
        each.addHandler(handler)
    try:
        yield records
    finally:
        for each in loggers:
            each.removeHandler(handler)
