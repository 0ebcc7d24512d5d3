"""Plotly figures of a sampled `Curve`: f, f′ (and f″), the point x0 and its tangent.

Only plotly.graph_objects is used. Figures stay small: arrays go to plotly as float64 numpy
arrays (plotly serialises those as base64, not as lists of numbers), an evenly spaced x goes as
x0 + dx instead of an array per trace, and the template is "none" (the default one adds ~6 KB
to every figure); the theme sets the few colours and fonts that matter instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

try:  # what Figure.to_dict does to numpy arrays in plotly >= 6 (plotly 5 sends lists)
    from _plotly_utils.utils import convert_to_base64 as _to_typed_arrays
except ImportError:  # pragma: no cover - plotly 5
    _to_typed_arrays = None

from .curves import Curve, fd_error, tangent
from .i18n import _
from .palette import BACKGROUNDS, ROLES
from .viz import format_number

__all__ = ["THEMES", "FONT", "axis", "colours", "evenly", "figure", "function_figure", "gaps", "heading", "layout",
           "line", "point", "restyle_patch", "robust_range", "tangent_line"]

# The role colours of palette.py (x, f, f′, f″, the tangent, the classes: one meaning on every
# page), and the plots' own neutrals. "muted" is a neutral grey for what accompanies a curve (the
# finite-difference check of f′, the test points' loss). Read-only: many sessions share this module.
THEMES = MappingProxyType({
    theme: MappingProxyType({**ROLES[theme], "point": ROLES[theme]["x"], "background": BACKGROUNDS[theme], **neutral})
    for theme, neutral in (
        ("light", {"text": "#1F1F1F", "grid": "#E3E3E3", "zero": "#9A9A9A", "muted": "#6B6B6B"}),
        ("dark", {"text": "#EAEAEA", "grid": "#3A3A3A", "zero": "#8A8A8A", "muted": "#B0B0B0"}),
    )
})

FONT = "Inter, 'Segoe UI', Helvetica, Arial, sans-serif"
_FENCE = 5.0  # a value is far out (a pole, a spike) beyond its quartiles by this many interquartile ranges


# ---- building blocks, shared with page_plots.py ----------------------------------------------


def colours(theme: str) -> Mapping[str, str]:
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {sorted(THEMES)}, not {theme!r}")
    return THEMES[theme]


def gaps(y: np.ndarray) -> np.ndarray:
    """inf as nan: plotly draws neither, so both leave a gap (poles, log of negatives)."""
    return np.where(np.isinf(y), np.nan, y) if np.isinf(y).any() else y


def evenly(x: np.ndarray, axis: str = "x") -> dict:
    """Coordinates for a trace: x0 and dx when evenly spaced (every sampled curve), else the array."""
    if x.size > 2:
        step = (x[-1] - x[0]) / (x.size - 1)
        if np.allclose(np.diff(x), step, rtol=1e-9, atol=0):
            return {f"{axis}0": float(x[0]), f"d{axis}": float(step)}
    return {axis: x}


def robust_range(*arrays: np.ndarray, include: Sequence[float] = (), pad: bool = True) -> list[float] | None:
    """A value range that shows the curves whole unless a few of their values are far out (a
    pole, a spike): Plotly's autorange would fit 1/x's ±10000 next to 0 and flatten the rest.

    For each array, Tukey's fences on its finite values: the quartiles Q1 and Q3, widened by
    _FENCE·(Q3 − Q1) on either side, but never beyond the values themselves (a smooth curve is
    shown whole); then the union of those ranges and of the finite values in `include` (the
    point at x stays in view).
    `pad` adds a margin of 5% on each side: for a curve's axis, not for a colour scale, which
    should name only values f takes. None when there is no finite value at all.
    """
    ends = []
    for a in arrays:
        values = a[np.isfinite(a)]
        if values.size:
            low, high = np.percentile(values, [25, 75])
            reach = _FENCE * (high - low)
            ends += [max(values.min(), low - reach), min(values.max(), high + reach)]
    ends += [v for v in include if np.isfinite(v)]
    if not ends:
        return None
    low, high = float(min(ends)), float(max(ends))
    if not pad:
        return [low, high]
    margin = 0.05 * (high - low) if high > low else max(1.0, abs(high)) * 0.1
    return [low - margin, high + margin]


def heading(text: str, size: int = 17) -> dict:
    """A title for a figure or an axis."""
    return {"text": text, "font": {"size": size}}


def line(x: dict, y: np.ndarray, name: str, colour: str, dash: str = "solid", **kw) -> dict:
    """A curve; `x` as `evenly` gives it. nan and inf are gaps."""
    return {"type": "scatter", **x, "y": gaps(y), "name": name, "mode": "lines", "connectgaps": False,
            "line": {"color": colour, "width": 3, "dash": dash}, "hovertemplate": "%{y:.4g}", **kw}


def point(x: float, y: float, name: str, fill: str, rim: str, *, symbol: str = "circle", size: int = 13,
          **kw) -> dict:
    """A marker that stands out on a curve or a filled contour."""
    return {"type": "scatter", "x": [x], "y": gaps(np.array([y], dtype=np.float64)), "mode": "markers",
            "name": name, "hovertemplate": "(%{x:.4g}, %{y:.4g})<extra></extra>",
            "marker": {"color": fill, "size": size, "symbol": symbol, "line": {"color": rim, "width": 3}}, **kw}


def tangent_line(x0: float, f0: float, slope: float, lo: float, hi: float, name: str, colour: str, **kw) -> dict:
    """The tangent over [lo, hi]; empty where f0 or the slope is not finite (the legend keeps it)."""
    ends = tangent(x0, f0, slope, lo, hi) or ()
    return {"type": "scatter", "x": [e[0] for e in ends], "y": gaps(np.array([e[1] for e in ends])),
            "mode": "lines", "name": name, "hoverinfo": "skip",
            "line": {"color": colour, "width": 2.5, "dash": "dashdot"}, **kw}


def axis(palette: Mapping[str, str], text: str, **extra) -> dict:
    return {"gridcolor": palette["grid"], "zerolinecolor": palette["zero"], "zerolinewidth": 1.5,
            "linecolor": palette["zero"], "title": heading(text), **extra}


def layout(palette: Mapping[str, str], notes: Sequence[str] = (), **extra) -> dict:
    """No template (the default adds ~6 KB a figure), a transparent background, the theme's font;
    `notes` are lines of text under the plot."""
    result = {
        "template": "none",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT, "size": 16, "color": palette["text"]},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "font": {"size": 15}},
        "margin": {"l": 70, "r": 20, "t": 50, "b": 80 + 22 * len(notes)},
        **extra,
    }
    if notes:
        result["annotations"] = [*result.get("annotations", ()), {
            "text": "<br>".join(notes), "xref": "paper", "yref": "paper", "x": 0, "y": 0, "yshift": -72,
            "xanchor": "left", "yanchor": "top", "align": "left", "showarrow": False, "font": {"size": 14}}]
    return result


def figure(traces: list[dict], layout: dict) -> go.Figure:
    """A Figure from plain dicts, without plotly's property-by-property validation, which costs
    ~5 ms a figure: the playground redraws on every slider move. The tests validate instead."""
    return go.Figure(data=traces, layout=layout, _validate=False)


def figure_json(traces: list[dict], layout: dict) -> dict:
    """`json.loads(figure(traces, layout).to_json())` without building a Figure, which still sets
    each property one by one (~2 ms a figure; the live view sends two, light and dark, for every
    function). Numbers arrays become plotly's typed arrays as a Figure's do (plotly ≥ 6)."""
    spec = _copied({"data": traces, "layout": layout})  # the conversion below rewrites containers in place
    if _to_typed_arrays is not None:
        _to_typed_arrays(spec)
    return json.loads(pio.to_json(spec, validate=False))


def _copied(value):
    """Dicts and lists copied all the way down; arrays and other values shared."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copied(v) for v in value]
    return value



def restyle_patch(drawn: Mapping, wanted: Mapping) -> dict:
    """What turns the figure `drawn` into `wanted` (two figures of the same traces as plotly's
    to_plotly_json gives them, such as one figure in two themes), as plotly.js's restyle and
    relayout take it: {"traces": [[index, {"line.color": value, ...}], ...], "layout":
    {"xaxis.gridcolor": value, "annotations[0].font.color": value, ...}}. A list or array that
    differs is set whole (as a list), except the layout's lists of objects."""
    if len(drawn["data"]) != len(wanted["data"]):
        raise ValueError("the two figures have different traces")
    traces = [[i, changes] for i, (a, b) in enumerate(zip(drawn["data"], wanted["data"]))
              if (changes := _changes(a, b, "", items=False))]
    return {"traces": traces, "layout": _changes(drawn.get("layout", {}), wanted.get("layout", {}), "", items=True)}


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and \
            bool(np.all((a == b) | ((a != a) & (b != b))))  # (nan where both have nan)
    return a == b


def _changes(a, b, at: str, items: bool) -> dict:
    if isinstance(a, dict) and isinstance(b, dict):
        found = {}
        for key in [*a, *(k for k in b if k not in a)]:
            found.update(_changes(a.get(key), b.get(key), f"{at}.{key}" if at else key, items))
        return found
    if (items and isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b)
            and all(isinstance(v, dict) for v in (*a, *b))):
        return {k: v for i, (p, q) in enumerate(zip(a, b)) for k, v in _changes(p, q, f"{at}[{i}]", items).items()}
    return {} if _same(a, b) else {at: b.tolist() if isinstance(b, np.ndarray) else b}


# ---- the playground's figure --------------------------------------------------------------------


def _where_defined(values: np.ndarray, f: np.ndarray) -> np.ndarray:
    """`values` (f′ or f″) where f is finite, nan (a gap) elsewhere."""
    return np.where(np.isfinite(f), values, np.nan)


def _y_axis_range(automatic: list[float] | None, asked: tuple[float | None, float | None]) -> list[float] | None:
    """The y axis: each end as asked, or the automatic one; an automatic end that would cross an
    asked one keeps the automatic width instead."""
    low, high = asked
    if low is None and high is None:
        return automatic
    if automatic is None:
        automatic = [0.0, 1.0]
    width = automatic[1] - automatic[0]
    if low is None:
        low = automatic[0] if automatic[0] < high else high - width
    if high is None:
        high = automatic[1] if automatic[1] > low else low + width
    return [float(low), float(high)]


def function_figure(curve: Curve, x0: float, f0: float, slope: float, **options) -> go.Figure:
    """The figure of `function_spec`."""
    return figure(*function_spec(curve, x0, f0, slope, **options))


def function_marks(x0: float, f0: float, slope: float, lo: float, hi: float, theme: str = "light") -> list[dict]:
    """The two traces of the function's figure that move with x: the tangent at (x0, f0) with
    `slope` over [lo, hi], and the point. `meta` names them, in any language (lessons/live.py's
    mark_role)."""
    palette = colours(theme)
    return [tangent_line(x0, f0, slope, lo, hi, _("tangent, slope {slope}").format(slope=format_number(slope)),
                         palette["tangent"], meta="tangent"),
            point(x0, f0, f"f({format_number(x0)}) = {format_number(f0)}", palette["point"], palette["background"],
                  meta="point")]


def function_spec(curve: Curve, x0: float, f0: float, slope: float, *, show_second: bool = False,
                  check: np.ndarray | None = None, theme: str = "light", title: str | None = None,
                  y_range: tuple[float | None, float | None] = (None, None)) -> tuple[list[dict], dict]:
    """The traces and the layout (plain dicts) of f and f′ over the curve's range, the point
    (x0, f0) and the tangent with `slope` there.

    `show_second` adds f″ (dashed) when the curve has it. `check` is the finite-difference f′ on
    the same grid: drawn dotted over f′, with its error |check − f′| on a log scale in a small
    panel below. `theme` is "light" or "dark" (transparent background either way).

    f′ and f″ are drawn only where f is defined: log(x) has no slope at x < 0, although the rule
    1/x gives numbers there (a note under the plot says so). `y_range` is (bottom, top), each
    None for automatic: the curves' robust range (`robust_range`), with the point always in it.
    """
    palette = colours(theme)
    x = evenly(curve.x)
    df = _where_defined(curve.df, curve.f)
    shown = [curve.f, df]
    traces = [line(x, curve.f, "f", palette["f"]), line(x, df, "f′", palette["df"])]
    hidden = [curve.df]
    if show_second and curve.d2f is not None:
        d2f = _where_defined(curve.d2f, curve.f)
        shown.append(d2f)
        hidden.append(curve.d2f)
        traces.append(line(x, d2f, "f″", palette["d2f"], dash="dash"))
    if check is not None:
        if np.shape(check) != curve.x.shape:
            raise ValueError(f"check must have one value per x, not shape {np.shape(check)}")
        traces.append(line(x, check, _("f′ by finite differences"), palette["muted"], dash="dot"))
        traces.append(line(x, fd_error(check, curve.df), _("|finite difference − f′|"), palette["muted"],
                           yaxis="y2", showlegend=False))

    lo, hi = float(curve.x[0]), float(curve.x[-1])
    traces += function_marks(x0, f0, slope, lo, hi, theme)

    undefined = ~np.isfinite(curve.f)
    notes = []
    if any(np.isfinite(values[undefined]).any() for values in hidden):
        notes.append(_("f′ and f″ are drawn only where f is defined: where f has no value it has no slope, though "
                       "the derivative's rule may give numbers there.") if len(hidden) > 1 else
                     _("f′ is drawn only where f is defined: where f has no value it has no slope, though the "
                       "derivative's rule may give numbers there."))
    automatic = robust_range(*shown, include=(f0,))
    spec = layout(palette, notes, hovermode="x unified",
                  xaxis=axis(palette, "x", range=[lo, hi]),
                  yaxis=axis(palette, _("value"), range=_y_axis_range(automatic, y_range)))
    spec["margin"].update(t=80 if title else 50, b=70 + 22 * len(notes))
    if title:
        spec["title"] = {**heading(title, 20), "x": 0.01}
    if check is not None:
        # A small panel under the main one, sharing its x axis (drawn at the bottom).
        spec["yaxis"]["domain"] = [0.3, 1.0]
        spec["yaxis2"] = axis(palette, _("FD error"), domain=[0.0, 0.2], type="log", anchor="x",
                              exponentformat="power", nticks=4, tickfont={"size": 12})
        spec["yaxis2"]["title"] = heading(_("FD error"), 14)
        spec["xaxis"]["anchor"] = "y2"
    return traces, spec
