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


def dot(at: AppTest) -> str:
    """The computation graph as drawn: the SVG the server drew (an image), or, where `dot` is not
    installed, the DOT source the browser lays out. Either holds "value 1.2" and "grad 6.32"."""
    charts, images = at.get("graphviz_chart"), at.get("image")
    assert len(charts) + len(images) == 1
    if charts:
        return charts[0].proto.spec
    (image,) = images[0].proto.imgs
    return html.unescape(base64.b64decode(image.url.split(",", 1)[1]).decode("utf-8"))


def figure(at: AppTest, index: int = 0) -> dict:
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


def metric(at: AppTest, label: str) -> str:
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
