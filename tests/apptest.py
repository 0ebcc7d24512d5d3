"""Helpers for driving the app with Streamlit's AppTest: start it from a link, read what it drew."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from ui import view

ENTRY = Path(__file__).resolve().parent.parent / "playground.py"


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
    charts = at.get("graphviz_chart")
    assert len(charts) == 1
    return charts[0].proto.spec


def figure(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def _array(data) -> np.ndarray:
    if isinstance(data, dict):  # plotly's compact encoding of numpy arrays
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"])).astype(float)
    return np.array([np.nan if v is None else v for v in data], dtype=float)


def trace(fig: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    """x and y of the trace called `name`, or whose name starts with `name,` (x rebuilt from x0
    and dx when sent that way)."""
    (t,) = [t for t in fig["data"] if t.get("name") == name or t.get("name", "").startswith(name + ",")]
    y = _array(t["y"])
    x = _array(t["x"]) if "x" in t else t["x0"] + t["dx"] * np.arange(y.size)
    return x, y


def metric(at: AppTest, label: str) -> str:
    (m,) = [m for m in at.metric if m.label.startswith(label)]
    return m.value


def default_grid() -> np.ndarray:
    return np.linspace(*view.DEFAULT_RANGE, view.CURVE_POINTS)
