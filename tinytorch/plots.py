"""Plotly figures of a sampled `Curve`: f, f′ (and f″), the point x0 and its tangent.

Only plotly.graph_objects is used. Figures stay small: arrays go to plotly as float64 numpy
arrays (plotly serialises those as base64, not as lists of numbers), an evenly spaced x goes as
x0 + dx instead of an array per trace, and the template is "none" (the default one adds ~6 KB
to every figure); the theme sets the few colours and fonts that matter instead.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .curves import Curve, fd_error, tangent
from .viz import format_number

__all__ = ["THEMES", "figure", "function_figure"]

# Okabe–Ito colours (colour-blind safe), lighter variants on dark backgrounds.
THEMES = {
    "light": {"text": "#1F1F1F", "grid": "#E3E3E3", "zero": "#9A9A9A", "f": "#0072B2", "df": "#D55E00",
              "d2f": "#009E73", "tangent": "#CC79A7", "point": "#000000", "check": "#000000"},
    "dark": {"text": "#EAEAEA", "grid": "#3A3A3A", "zero": "#8A8A8A", "f": "#56B4E9", "df": "#E69F00",
             "d2f": "#3CC49A", "tangent": "#CC79A7", "point": "#FFFFFF", "check": "#F0E442"},
}

_FONT = "Inter, 'Segoe UI', Helvetica, Arial, sans-serif"
_PERCENTILE = 2  # the y-range ignores the top and bottom 2% of values when they are far out...
_REACH = 1.0  # ...further than this many times the range of the middle 96%


def _gaps(y: np.ndarray) -> np.ndarray:
    """inf as nan: plotly draws neither, so both leave a gap (poles, log of negatives)."""
    return np.where(np.isinf(y), np.nan, y) if np.isinf(y).any() else y


def _x(x: np.ndarray) -> dict:
    """x for a trace: x0 and dx when evenly spaced (every sampled curve), else the array."""
    if x.size > 2:
        dx = (x[-1] - x[0]) / (x.size - 1)
        if np.allclose(np.diff(x), dx, rtol=1e-9, atol=0):
            return {"x0": float(x[0]), "dx": float(dx)}
    return {"x": x}


def _y_range(*arrays: np.ndarray) -> list[float] | None:
    """A y-range that shows the whole curves unless a few values are far out (near a pole).

    Plotly's autorange would fit 1/x's ±10000 next to 0 and flatten the rest of the picture.
    """
    values = np.concatenate([a[np.isfinite(a)] for a in arrays])
    if values.size == 0:
        return None
    low, high = np.percentile(values, [_PERCENTILE, 100 - _PERCENTILE])
    reach = _REACH * (high - low)
    low, high = max(values.min(), low - reach), min(values.max(), high + reach)
    pad = 0.05 * (high - low) if high > low else max(1.0, abs(high)) * 0.1
    return [float(low - pad), float(high + pad)]


def _title(text: str, size: int = 17) -> dict:
    return {"text": text, "font": {"size": size}}


def _theme(theme: str) -> dict:
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {sorted(THEMES)}, not {theme!r}")
    return THEMES[theme]


def _line(x: dict, y: np.ndarray, name: str, colour: str, dash: str = "solid", **kw) -> dict:
    return {"type": "scatter", **x, "y": _gaps(y), "name": name, "mode": "lines", "connectgaps": False,
            "line": {"color": colour, "width": 3, "dash": dash}, "hovertemplate": "%{y:.4g}", **kw}


def figure(traces: list[dict], layout: dict) -> go.Figure:
    """A Figure from plain dicts, without plotly's property-by-property validation, which costs
    ~5 ms a figure: the playground redraws on every slider move. The tests validate instead."""
    return go.Figure(data=traces, layout=layout, _validate=False)


def function_figure(curve: Curve, x0: float, f0: float, slope: float, *, show_second: bool = False,
                    check: np.ndarray | None = None, theme: str = "light",
                    title: str | None = None) -> go.Figure:
    """f and f′ over the curve's range, the point (x0, f0) and the tangent with `slope` there.

    `show_second` adds f″ (dashed) when the curve has it. `check` is the finite-difference f′ on
    the same grid: drawn dotted over f′, with its error |check − f′| on a log scale in a small
    panel below. `theme` is "light" or "dark" (transparent background either way).
    """
    colours = _theme(theme)
    x = _x(curve.x)
    shown = [curve.f, curve.df]
    traces = [_line(x, curve.f, "f", colours["f"]), _line(x, curve.df, "f′", colours["df"])]
    if show_second and curve.d2f is not None:
        shown.append(curve.d2f)
        traces.append(_line(x, curve.d2f, "f″", colours["d2f"], dash="dash"))
    if check is not None:
        if np.shape(check) != curve.x.shape:
            raise ValueError(f"check must have one value per x, not shape {np.shape(check)}")
        traces.append(_line(x, check, "f′ by finite differences", colours["check"], dash="dot"))
        traces.append(_line(x, fd_error(check, curve.df), "|finite difference − f′|", colours["check"],
                            yaxis="y2", showlegend=False))

    lo, hi = float(curve.x[0]), float(curve.x[-1])
    ends = tangent(x0, f0, slope, lo, hi) or ()  # no line where f0 or the slope is not finite
    traces.append({"type": "scatter", "x": [e[0] for e in ends], "y": _gaps(np.array([e[1] for e in ends])),
                   "mode": "lines", "name": f"tangent, slope {format_number(slope)}", "hoverinfo": "skip",
                   "line": {"color": colours["tangent"], "width": 2.5, "dash": "dashdot"}})
    traces.append({"type": "scatter", "x": [x0], "y": _gaps(np.array([f0], dtype=np.float64)), "mode": "markers",
                   "name": f"f({format_number(x0)}) = {format_number(f0)}", "hovertemplate": "%{y:.4g}",
                   "marker": {"color": colours["point"], "size": 13, "line": {"color": colours["f"], "width": 3}}})

    axis = {"gridcolor": colours["grid"], "zerolinecolor": colours["zero"], "zerolinewidth": 1.5,
            "linecolor": colours["zero"]}
    layout = {
        "template": "none",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": _FONT, "size": 16, "color": colours["text"]},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "font": {"size": 15}},
        "margin": {"l": 70, "r": 20, "t": 80 if title else 50, "b": 70},
        "hovermode": "x unified",
        "xaxis": {**axis, "title": _title("x"), "range": [lo, hi]},
        "yaxis": {**axis, "title": _title("value"), "range": _y_range(*shown)},
    }
    if title:
        layout["title"] = {**_title(title, 20), "x": 0.01}
    if check is not None:
        # A small panel under the main one, sharing its x axis (drawn at the bottom).
        layout["yaxis"]["domain"] = [0.3, 1.0]
        layout["yaxis2"] = {**axis, "domain": [0.0, 0.2], "type": "log", "anchor": "x",
                            "title": _title("FD error", 14), "exponentformat": "power",
                            "nticks": 4, "tickfont": {"size": 12}}
        layout["xaxis"]["anchor"] = "y2"
    return figure(traces, layout)
