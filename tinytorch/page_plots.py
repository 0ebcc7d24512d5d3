"""Plotly figures for the teaching pages: two variables, gradient descent, a tiny network.

Same style as `plots.py`, whose colours and helpers these reuse: Okabe–Ito colours from
`plots.THEMES` (f in blue, derivatives in orange, tangents in pink), transparent backgrounds,
`template="none"`, evenly spaced axes sent as x0 + dx, nan and ±inf drawn as gaps. Grids of
values (contours) go to plotly as float32, half the bytes of float64 and still 7 digits, more
than any hover label shows.

Traces and layouts are plain dicts turned into a figure by `plots.figure`, which skips plotly's
slow property validation (the tests validate every figure instead). Each builder returns a
`go.Figure`; what the picture cannot show (no gradient arrow at a flat point, a descent path
leaving the plotted range) is said in a note under the plot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import MappingProxyType

import numpy as np
import plotly.graph_objects as go

from .curves import Curve, tangent
from .descent import DescentRun
from .nn import BoundaryGrid
from .plots import _FONT, _gaps, _line, _theme, _title, _x, _y_range, figure
from .surface import Slices, Surface
from .viz import format_number

__all__ = ["boundary_figure", "contour_figure", "descent_figure", "loss_figure", "slices_figure"]

# The neutral end of the colour scales: the page background's colour (the plots are transparent).
_BACKGROUND = MappingProxyType({"light": "#FFFFFF", "dark": "#1B1B1B"})

CONTOUR_LEVELS = 20  # filled bands between the low and high ends of f's robust range
ARROW_FRACTION = 0.2  # the gradient arrow's length, as a fraction of the shorter side of the plot...
MIN_ARROW_FRACTION = 0.06  # ...shortened near an edge so its head stays inside, but never below this
MAX_ASPECT = 3.0  # equal x and y scales (so ∇f looks perpendicular to the level curves) unless the
#                   ranges differ more than this: then each axis gets its own scale
LABELLED_STEPS = 12  # descent iterates numbered on the plot; the rest are shown without numbers


# ---- shared pieces --------------------------------------------------------------------------------


def _axis(colours: dict, title: str, **extra) -> dict:
    """An axis in plots.py's style."""
    return {"gridcolor": colours["grid"], "zerolinecolor": colours["zero"], "zerolinewidth": 1.5,
            "linecolor": colours["zero"], "title": _title(title), **extra}


def _layout(colours: dict, notes: Sequence[str] = (), **extra) -> dict:
    """plots.py's layout: no template, transparent, the theme's font; notes go under the plot."""
    layout = {
        "template": "none",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": _FONT, "size": 16, "color": colours["text"]},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "font": {"size": 15}},
        "margin": {"l": 70, "r": 20, "t": 50, "b": 80 + 22 * len(notes)},
        **extra,
    }
    if notes:
        layout["annotations"] = [*layout.get("annotations", ()), {
            "text": "<br>".join(notes), "xref": "paper", "yref": "paper", "x": 0, "y": 0, "yshift": -72,
            "xanchor": "left", "yanchor": "top", "align": "left", "showarrow": False, "font": {"size": 14}}]
    return layout


def _y(values: np.ndarray) -> dict:
    """y for a trace: y0 and dy when evenly spaced, else the array (plots._x for the other axis)."""
    return {key.replace("x", "y"): v for key, v in _x(values).items()}


def _grid_z(values: np.ndarray) -> np.ndarray:
    """A grid for a contour: float32, with nan for nan and ±inf (gaps); beyond float32's range too."""
    with np.errstate(over="ignore", invalid="ignore"):
        z = values.astype(np.float32)
    return _gaps(z)


def _point(x: float, y: float, name: str, colours: dict, theme: str, symbol: str = "circle", size: int = 13,
           **kw) -> dict:
    """A marker that stands out on a curve or a filled contour (a rim of the background colour)."""
    return {"type": "scatter", "x": [x], "y": _gaps(np.array([y], dtype=np.float64)), "mode": "markers",
            "name": name, "hovertemplate": "(%{x:.4g}, %{y:.4g})<extra></extra>",
            "marker": {"color": colours["point"], "size": size, "symbol": symbol,
                       "line": {"color": _BACKGROUND[theme], "width": 2}}, **kw}


def _tangent_line(x0: float, f0: float, slope: float, lo: float, hi: float, name: str, colours: dict,
                  **kw) -> dict:
    ends = tangent(x0, f0, slope, lo, hi) or ()  # no line where f0 or the slope is not finite
    return {"type": "scatter", "x": [e[0] for e in ends], "y": _gaps(np.array([e[1] for e in ends])),
            "mode": "lines", "name": name, "hoverinfo": "skip",
            "line": {"color": colours["tangent"], "width": 2.5, "dash": "dashdot"}, **kw}


# ---- 1. two variables ---------------------------------------------------------------------------


def _arrow(x0: float, y0: float, fx: float, fy: float, x_range, y_range) -> tuple[float, float]:
    """The arrow's (dx, dy): along ∇f, ARROW_FRACTION of the shorter side long, cut at the plot's edge.

    Its length is fixed rather than |∇f| (which may be 0.001 or 1000 in the same picture): the
    direction is the lesson, the size is given in numbers.
    """
    (xlo, xhi), (ylo, yhi) = x_range, y_range
    side = min(xhi - xlo, yhi - ylo)
    norm = math.hypot(fx, fy)
    scale = ARROW_FRACTION * side / norm
    for start, slope, lo, hi in ((x0, fx, xlo, xhi), (y0, fy, ylo, yhi)):
        room = (hi - start) if slope > 0 else (start - lo)
        if slope and scale * abs(slope) > room:
            scale = room / abs(slope)
    scale = max(scale, MIN_ARROW_FRACTION * side / norm)
    return scale * fx, scale * fy


def _gradient_note(fx: float, fy: float, where: str) -> str | None:
    partials = (("∂f/∂x", fx), ("∂f/∂y", fy))
    bad = [f"{name} = {format_number(v)}" for name, v in partials if not math.isfinite(v)]
    if bad:
        return f"No arrow: the gradient is not defined at {where} ({', '.join(bad)})."
    if fx == 0 and fy == 0:
        return (f"No arrow: ∇f = (0, 0) at {where}. f is flat there (a minimum, a maximum or a saddle), "
                f"so no direction is uphill.")
    return None


def _gaps_note(f: np.ndarray) -> str | None:
    bad = ~np.isfinite(f)
    if not bad.any():
        return None
    share = bad.mean()
    amount = "everywhere" if share == 1 else f"at {max(share, 0.001):.1%} of the grid"
    return f"f is undefined or infinite {amount}: those points are left blank."


def contour_figure(surface: Surface, x0: float, y0: float, fx: float, fy: float,
                   theme: str = "light") -> go.Figure:
    """Filled contours of f over the surface's grid, the point (x0, y0) and the gradient arrow there.

    `fx`, `fy` are ∂f/∂x and ∂f/∂y at the point (`surface.gradient_at`). The arrow points along
    ∇f (uphill, across the level curves) at a fixed length; its legend entry gives the numbers.
    """
    colours = _theme(theme)
    xs, ys = surface.xs, surface.ys
    x_range = [float(xs[0]), float(xs[-1])]
    y_range = [float(ys[0]), float(ys[-1])]
    where = f"({format_number(x0)}, {format_number(y0)})"
    no_arrow = _gradient_note(fx, fy, where)
    notes = [n for n in (no_arrow, _gaps_note(surface.f)) if n]

    levels = _y_range(surface.f)  # ignores far-out values near poles, as the curve plots do
    contours = {"coloring": "fill", "showlines": True}
    if levels is not None:
        low, high = levels
        contours.update(start=low, end=high, size=(high - low) / CONTOUR_LEVELS)
    traces = [{
        "type": "contour", "z": _grid_z(surface.f), **_x(xs), **_y(ys), "name": "f", "connectgaps": False,
        "contours": contours, "autocontour": levels is None,
        "colorscale": [[0, _BACKGROUND[theme]], [1, colours["f"]]],
        "line": {"color": colours["grid"], "width": 0.5},
        "colorbar": {"title": {"text": "f"}, "thickness": 14, "outlinewidth": 0},
        "hovertemplate": "x = %{x:.4g}, y = %{y:.4g}<br>f = %{z:.4g}<extra></extra>"}]

    annotations = []
    gradient = f"∇f = ({format_number(fx)}, {format_number(fy)})"
    if no_arrow is None:
        dx, dy = _arrow(x0, y0, fx, fy, x_range, y_range)
        # The shaft is a trace (for the legend and hover); the head is an annotation arrow on it.
        traces.append({"type": "scatter", "x": [x0, x0 + dx], "y": [y0, y0 + dy], "mode": "lines",
                       "name": gradient, "hoverinfo": "skip", "line": {"color": colours["df"], "width": 4}})
        annotations.append({"x": x0 + dx, "y": y0 + dy, "ax": x0, "ay": y0, "xref": "x", "yref": "y",
                            "axref": "x", "ayref": "y", "text": "", "showarrow": True, "arrowhead": 2,
                            "arrowsize": 1.2, "arrowwidth": 4, "arrowcolor": colours["df"]})
    traces.append(_point(x0, y0, f"(x₀, y₀) = {where}", colours, theme))

    widths = (x_range[1] - x_range[0], y_range[1] - y_range[0])
    equal = max(widths) / min(widths) <= MAX_ASPECT
    # constrain "domain": equal scales shrink the plot rather than widen the range beyond the grid
    plain = {"showgrid": False, "zeroline": False, "constrain": "domain"}
    layout = _layout(colours, notes, annotations=annotations,
                     xaxis=_axis(colours, "x", range=x_range, **plain),
                     yaxis=_axis(colours, "y", range=y_range, **plain,
                                 **({"scaleanchor": "x", "scaleratio": 1} if equal else {})))
    return figure(traces, layout)


def slices_figure(slices: Slices, x0: float, y0: float, f0: float, fx: float, fy: float,
                  theme: str = "light") -> go.Figure:
    """Two panels: f(x, y₀) with its tangent of slope ∂f/∂x, and f(x₀, y) with slope ∂f/∂y.

    Holding one variable fixed leaves an ordinary function of the other, and its ordinary
    derivative is the partial derivative: the seed's "treat y as a constant", drawn.
    """
    if (slices.x0, slices.y0) != (float(x0), float(y0)):
        raise ValueError(f"the slices were cut at ({slices.x0}, {slices.y0}), not at ({x0}, {y0})")
    colours = _theme(theme)
    panels = (
        # (curve, point on its axis, slope, axis names, variable, panel title, tangent name)
        (slices.along_x, x0, fx, ("x", "y"), "x", f"f(x, y₀) — y held at {format_number(y0)}", "∂f/∂x"),
        (slices.along_y, y0, fy, ("x2", "y2"), "y", f"f(x₀, y) — x held at {format_number(x0)}", "∂f/∂y"),
    )
    traces, layout = [], _layout(colours, annotations=[], hovermode="x")
    layout["margin"]["t"] = 90
    for i, (curve, at, slope, (xa, ya), variable, title, partial) in enumerate(panels):
        lo, hi = float(curve.x[0]), float(curve.x[-1])
        axes = {"xaxis": xa, "yaxis": ya}
        traces.append(_line(_x(curve.x), curve.f, title.split(" — ")[0], colours["f"], showlegend=False,
                            customdata=_gaps(curve.df), **axes,
                            hovertemplate=f"f = %{{y:.4g}}, {partial} = %{{customdata:.4g}}<extra></extra>"))
        traces.append(_tangent_line(at, f0, slope, lo, hi, f"tangent, {partial} = {format_number(slope)}",
                                    colours, **axes))
        traces.append(_point(at, f0, f"f = {format_number(f0)}", colours, theme, showlegend=i == 0, **axes))
        domain = [0.0, 0.46] if i == 0 else [0.54, 1.0]
        suffix = "" if i == 0 else "2"
        layout[f"xaxis{suffix}"] = _axis(colours, variable, range=[lo, hi], domain=domain, anchor=ya)
        layout[f"yaxis{suffix}"] = _axis(colours, "f" if i == 0 else "", range=_y_range(curve.f), anchor=xa)
        layout["annotations"].append({"text": title, "xref": f"{xa} domain", "yref": f"{ya} domain", "x": 0.5,
                                      "y": 1.0, "yshift": 8, "xanchor": "center", "yanchor": "bottom",
                                      "showarrow": False, "font": {"size": 16}})
    layout["legend"]["y"] = 1.12
    return figure(traces, layout)


# ---- 2. gradient descent -------------------------------------------------------------------------


def _outside_note(run: DescentRun, lo: float, hi: float) -> str | None:
    outside = int(np.count_nonzero((run.xs < lo) | (run.xs > hi)))
    if not outside:
        return None
    total = len(run.xs)
    return (f"{outside} of {total} iterates lie outside the plotted range {format_number(lo)} ≤ x ≤ "
            f"{format_number(hi)}: the path runs off the picture.")


def descent_figure(curve: Curve, run: DescentRun, theme: str = "light") -> go.Figure:
    """f over the curve's range and the descent path on it: x₀, x₁, ... numbered in order.

    The view stays on the curve's range even when the run leaves it (a diverging run reaches
    |x| = 10⁶); a note under the plot then says how many iterates are off the picture.
    """
    colours = _theme(theme)
    lo, hi = float(curve.x[0]), float(curve.x[-1])
    notes = [n for n in (_outside_note(run, lo, hi),) if n]
    steps = np.arange(len(run.xs))
    labels = [str(k) if k < LABELLED_STEPS else "" for k in steps]
    path = {"type": "scatter", "x": run.xs, "y": _gaps(run.fs), "mode": "lines+markers+text",
            "name": "descent path", "text": labels, "textposition": "top center",
            "textfont": {"size": 13, "color": colours["df"]},
            "customdata": np.column_stack([steps, _gaps(run.grads)]),
            "hovertemplate": "step %{customdata[0]}: x = %{x:.4g}, f = %{y:.4g}, "
                             "f′ = %{customdata[1]:.4g}<extra></extra>",
            "line": {"color": colours["df"], "width": 1.5, "dash": "dot"},
            "marker": {"color": colours["df"], "size": 9, "line": {"color": _BACKGROUND[theme], "width": 1}}}
    last = len(run.xs) - 1
    traces = [
        _line(_x(curve.x), curve.f, "f", colours["f"]),
        path,
        _point(float(run.xs[0]), float(run.fs[0]), f"start x₀ = {format_number(run.xs[0])}", colours, theme),
        _point(float(run.xs[-1]), float(run.fs[-1]), f"x{_subscript(last)} = {format_number(run.xs[-1])}",
               colours, theme, symbol="star", size=17),
    ]
    layout = _layout(colours, notes, hovermode="closest",
                     xaxis=_axis(colours, "x", range=[lo, hi]),
                     yaxis=_axis(colours, "f(x)", range=_y_range(curve.f)))
    return figure(traces, layout)


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _subscript(n: int) -> str:
    return str(n).translate(_SUBSCRIPTS)


# ---- 3. a tiny network -------------------------------------------------------------------------


def loss_figure(losses: Sequence[float], accuracies: Sequence[float], theme: str = "light") -> go.Figure:
    """The training loss (left axis) and the accuracy (right axis, 0 to 100%) at each step.

    Both axes start at 0: the loss of a model that guesses is log 2 ≈ 0.69, of a perfect one 0.
    """
    colours = _theme(theme)
    losses = np.asarray(losses, dtype=np.float64)
    accuracies = np.asarray(accuracies, dtype=np.float64)
    if losses.shape != accuracies.shape:
        raise ValueError(f"one accuracy per loss: {losses.size} losses, {accuracies.size} accuracies")
    steps = {"x0": 1, "dx": 1}  # training steps are numbered from 1
    traces = [_line(steps, losses, "loss (cross-entropy)", colours["f"]),
              _line(steps, accuracies, "accuracy", colours["df"], yaxis="y2", hovertemplate="%{y:.1%}")]
    layout = _layout(colours, hovermode="x unified",
                     xaxis=_axis(colours, "step", range=[1, max(len(losses), 2)]),
                     yaxis=_axis(colours, "loss", rangemode="tozero"),
                     # tickmode "auto": an overlaying axis would otherwise put its ticks on the loss's grid
                     yaxis2=_axis(colours, "accuracy", overlaying="y", side="right", range=[0, 1.02],
                                  tickformat=".0%", tickmode="auto", showgrid=False, zeroline=False))
    layout["margin"]["r"] = 80
    return figure(traces, layout)


# Class 0 and class 1: the two Okabe–Ito colours of f and f′, and two marker shapes, so the
# classes stay apart without colour too.
_CLASS_STYLE = (("f", "circle"), ("df", "diamond"))


def boundary_figure(grid: BoundaryGrid, X: np.ndarray, y: np.ndarray, theme: str = "light") -> go.Figure:
    """The network's probability of class 1 as a shaded background, its 0.5 line (the decision
    boundary) drawn bold, and the data points by class."""
    colours = _theme(theme)
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y).reshape(-1)
    class_colours = [colours[key] for key, _ in _CLASS_STYLE]  # P = 0 is class 0's colour, P = 1 class 1's
    # "heatmap" colouring shades smoothly and draws only the requested level: the boundary.
    traces = [{
        "type": "contour", "z": _grid_z(grid.probs), **_x(grid.xs), **_y(grid.ys), "name": "P(class 1)",
        "zmin": 0, "zmax": 1, "opacity": 0.55, "connectgaps": False, "autocontour": False,
        "contours": {"coloring": "heatmap", "start": 0.5, "end": 0.5, "size": 1, "showlines": True},
        "line": {"color": colours["text"], "width": 3},
        "colorscale": [[0, class_colours[0]], [0.5, _BACKGROUND[theme]], [1, class_colours[1]]],
        "colorbar": {"title": {"text": "P(1)"}, "thickness": 14, "outlinewidth": 0, "tickformat": ".0%",
                     "tickvals": [0, 0.25, 0.5, 0.75, 1]},
        "hovertemplate": "P(class 1) = %{z:.0%}<extra></extra>"}]
    for label, (colour, (_, symbol)) in enumerate(zip(class_colours, _CLASS_STYLE)):
        points = X[y == label]
        traces.append({"type": "scatter", "x": points[:, 0], "y": points[:, 1], "mode": "markers",
                       "name": f"class {label}", "hovertemplate": "(%{x:.3g}, %{y:.3g})",
                       "marker": {"color": colour, "symbol": symbol, "size": 9,
                                  "line": {"color": colours["point"], "width": 1}}})
    x_range = [float(grid.xs[0]), float(grid.xs[-1])]
    y_range = [float(grid.ys[0]), float(grid.ys[-1])]
    layout = _layout(colours, hovermode="closest",
                     xaxis=_axis(colours, "x₁", range=x_range, showgrid=False, constrain="domain"),
                     yaxis=_axis(colours, "x₂", range=y_range, showgrid=False, constrain="domain",
                                 scaleanchor="x", scaleratio=1))
    return figure(traces, layout)
