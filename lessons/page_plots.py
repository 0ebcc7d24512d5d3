"""Plotly figures for the teaching pages: two variables and gradient descent. (The network page's
pictures, redrawn while training plays, are SVG: training_plots.py and network_graph.py.)

Same style as `plots.py`, whose colours and helpers these reuse: Okabe–Ito colours from
`plots.THEMES` (palette.py: x in blue, f in ink, derivatives in vermillion), transparent backgrounds,
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
from types import MappingProxyType

import numpy as np
import plotly.graph_objects as go

from .curves import Curve
from .descent import DescentRun
from .i18n import _, count, ngettext
from .plots import axis, colours, evenly, figure, gaps, layout, line, point, robust_range, tangent_line
from .surface import Slices, Surface
from .viz import format_number

__all__ = ["contour_figure", "descent_figure", "slices_figure"]

CONTOUR_LEVELS = 20  # filled bands between the low and high ends of f's robust range
ARROW_FRACTION = 0.2  # the gradient arrow's length, as a fraction of the shorter side of the plot...
MIN_ARROW_FRACTION = 0.06  # ...shortened near an edge so its head stays inside, but never below this
MAX_ASPECT = 3.0  # equal x and y scales (so ∇f looks perpendicular to the level curves) unless the
#                   ranges differ more than this: then each axis gets its own scale
LABELLED_STEPS = 12  # descent iterates numbered on the plot at most; the rest are shown without numbers...
LABEL_GAP = 0.035  # ...and so is one closer than this (a fraction of the plot's width and height) to a numbered one


# ---- shared pieces --------------------------------------------------------------------------------


def _grid_z(values: np.ndarray) -> np.ndarray:
    """A grid for a contour: float32, with nan for nan and ±inf (gaps); beyond float32's range too."""
    with np.errstate(over="ignore", invalid="ignore"):
        z = values.astype(np.float32)
    return gaps(z)


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
        return _("No arrow: the gradient is not defined at {point} ({values}).").format(point=where,
                                                                                      values=", ".join(bad))
    if fx == 0 and fy == 0:
        return _("No arrow: ∇f = (0, 0) at {point}. f is flat there (a minimum, a maximum or a saddle), so no "
                 "direction is uphill.").format(point=where)
    return None


def _gaps_note(f: np.ndarray) -> str | None:
    bad = ~np.isfinite(f)
    if not bad.any():
        return None
    share = bad.mean()
    if share == 1:
        return _("f is undefined or infinite everywhere: those points are left blank.")
    return _("f is undefined or infinite at {share} of the grid: those points are left blank.").format(
        share=f"{max(share, 0.001):.1%}")


def contour_figure(surface: Surface, x0: float, y0: float, fx: float, fy: float,
                   theme: str = "light") -> go.Figure:
    """Filled contours of f over the surface's grid, the point (x0, y0) and the gradient arrow there.

    `fx`, `fy` are ∂f/∂x and ∂f/∂y at the point (`surface.gradient_at`). The arrow points along
    ∇f (uphill, across the level curves) at a fixed length; its legend entry gives the numbers.
    """
    palette = colours(theme)
    xs, ys = surface.xs, surface.ys
    x_range = [float(xs[0]), float(xs[-1])]
    y_range = [float(ys[0]), float(ys[-1])]
    where = f"({format_number(x0)}, {format_number(y0)})"
    no_arrow = _gradient_note(fx, fy, where)
    notes = [n for n in (no_arrow, _gaps_note(surface.f)) if n]

    # Levels over the values f takes (no margin: a colour bar from −1.8 for x² + 3y² would name a
    # value f never takes), ignoring far-out values near poles, as the curve plots do.
    levels = robust_range(surface.f, pad=False)
    contours = {"coloring": "fill", "showlines": True}
    if levels is not None and levels[1] > levels[0]:
        low, high = levels
        contours.update(start=low, end=high, size=(high - low) / CONTOUR_LEVELS)
    traces = [{
        "type": "contour", "z": _grid_z(surface.f), **evenly(xs), **evenly(ys, "y"), "name": "f", "connectgaps": False,
        "contours": contours, "autocontour": "start" not in contours,
        "colorscale": [[0, palette["background"]], [1, palette["f"]]],
        "line": {"color": palette["grid"], "width": 0.5},
        "colorbar": {"title": {"text": "f"}, "thickness": 14, "outlinewidth": 0},
        "hovertemplate": "x = %{x:.4g}, y = %{y:.4g}<br>f = %{z:.4g}<extra></extra>"}]

    annotations = []
    gradient = f"∇f = ({format_number(fx)}, {format_number(fy)})"
    if no_arrow is None:
        dx, dy = _arrow(x0, y0, fx, fy, x_range, y_range)
        # The shaft is a trace (for the legend and hover); the head is an annotation arrow on it.
        traces.append({"type": "scatter", "x": [x0, x0 + dx], "y": [y0, y0 + dy], "mode": "lines",
                       "name": gradient, "hoverinfo": "skip", "line": {"color": palette["df"], "width": 4}})
        annotations.append({"x": x0 + dx, "y": y0 + dy, "ax": x0, "ay": y0, "xref": "x", "yref": "y",
                            "axref": "x", "ayref": "y", "text": "", "showarrow": True, "arrowhead": 2,
                            "arrowsize": 1.2, "arrowwidth": 4, "arrowcolor": palette["df"]})
    traces.append(point(x0, y0, f"(x₀, y₀) = {where}", palette["point"], palette["background"]))

    widths = (x_range[1] - x_range[0], y_range[1] - y_range[0])
    equal = max(widths) / min(widths) <= MAX_ASPECT
    # constrain "domain": equal scales shrink the plot rather than widen the range beyond the grid
    plain = {"showgrid": False, "zeroline": False, "constrain": "domain"}
    spec = layout(palette, notes, annotations=annotations,
                     xaxis=axis(palette, "x", range=x_range, **plain),
                     yaxis=axis(palette, "y", range=y_range, **plain,
                                 **({"scaleanchor": "x", "scaleratio": 1} if equal else {})))
    return figure(traces, spec)


def slices_figure(slices: Slices, x0: float, y0: float, f0: float, fx: float, fy: float,
                  theme: str = "light") -> go.Figure:
    """Two panels: f(x, y₀) with its tangent of slope ∂f/∂x, and f(x₀, y) with slope ∂f/∂y.

    Holding one variable fixed leaves an ordinary function of the other, and its ordinary
    derivative is the partial derivative: the seed's "treat y as a constant", drawn.
    """
    if (slices.x0, slices.y0) != (float(x0), float(y0)):
        raise ValueError(f"the slices were cut at ({slices.x0}, {slices.y0}), not at ({x0}, {y0})")
    palette = colours(theme)
    panels = (
        # (curve, point on its axis, slope, axis names, variable, panel title, tangent name)
        (slices.along_x, x0, fx, ("x", "y"), "x", "f(x, y₀)", _("y held at {value}").format(value=format_number(y0)),
         "∂f/∂x"),
        (slices.along_y, y0, fy, ("x2", "y2"), "y", "f(x₀, y)", _("x held at {value}").format(value=format_number(x0)),
         "∂f/∂y"),
    )
    traces, spec = [], layout(palette, annotations=[], hovermode="x")
    spec["margin"]["t"] = 90
    for i, (curve, at, slope, (xa, ya), variable, name, held, partial) in enumerate(panels):
        title = f"{name} — {held}"
        lo, hi = float(curve.x[0]), float(curve.x[-1])
        axes = {"xaxis": xa, "yaxis": ya}
        traces.append(line(evenly(curve.x), curve.f, name, palette["f"], showlegend=False,
                            customdata=gaps(curve.df), **axes,
                            hovertemplate=f"f = %{{y:.4g}}, {partial} = %{{customdata:.4g}}<extra></extra>"))
        traces.append(tangent_line(at, f0, slope, lo, hi, _("tangent, {partial} = {slope}").format(
            partial=partial, slope=format_number(slope)), palette["tangent"], **axes))
        traces.append(point(at, f0, f"f = {format_number(f0)}", palette["point"], palette["background"],
                            showlegend=i == 0, **axes))
        domain = [0.0, 0.46] if i == 0 else [0.54, 1.0]
        suffix = "" if i == 0 else "2"
        spec[f"xaxis{suffix}"] = axis(palette, variable, range=[lo, hi], domain=domain, anchor=ya)
        spec[f"yaxis{suffix}"] = axis(palette, "f" if i == 0 else "", range=robust_range(curve.f), anchor=xa)
        spec["annotations"].append({"text": title, "xref": f"{xa} domain", "yref": f"{ya} domain", "x": 0.5,
                                      "y": 1.0, "yshift": 8, "xanchor": "center", "yanchor": "bottom",
                                      "showarrow": False, "font": {"size": 16}})
    spec["legend"]["y"] = 1.12
    return figure(traces, spec)


# ---- 2. gradient descent -------------------------------------------------------------------------


def _outside_note(run: DescentRun, lo: float, hi: float) -> str | None:
    outside = int(np.count_nonzero((run.xs < lo) | (run.xs > hi)))
    if not outside:
        return None
    total = len(run.xs)
    return ngettext("{outside} of {total} iterates lies outside the plotted range {range}: the path runs off the "
                    "picture.", "{outside} of {total} iterates lie outside the plotted range {range}: the path runs "
                    "off the picture.", outside).format(outside=count(outside), total=count(total),
                                                       range=f"{format_number(lo)} ≤ x ≤ {format_number(hi)}")


def descent_figure(curve: Curve, run: DescentRun, theme: str = "light") -> go.Figure:
    """f over the curve's range and the descent path on it: x₀, x₁, ... numbered in order.

    The view stays on the curve's range even when the run leaves it (a diverging run reaches
    |x| = 10⁶); a note under the plot then says how many iterates are off the picture.
    """
    palette = colours(theme)
    lo, hi = float(curve.x[0]), float(curve.x[-1])
    notes = [n for n in (_outside_note(run, lo, hi),) if n]
    steps = np.arange(len(run.xs))
    y_range = robust_range(curve.f)
    labels = _step_labels(run, (lo, hi), y_range)
    path = {"type": "scatter", "x": run.xs, "y": gaps(run.fs), "mode": "lines+markers+text",
            "name": _("descent path"), "text": labels, "textposition": "top center",
            "textfont": {"size": 13, "color": palette["df"]},
            "customdata": np.column_stack([steps, gaps(run.grads)]),
            "hovertemplate": _("step {k}").format(k="%{customdata[0]}") + ": x = %{x:.4g}, f = %{y:.4g}, "
                             "f′ = %{customdata[1]:.4g}<extra></extra>",
            "line": {"color": palette["df"], "width": 1.5, "dash": "dot"},
            "marker": {"color": palette["df"], "size": 9, "line": {"color": palette["background"], "width": 1}}}
    last = len(run.xs) - 1
    traces = [
        line(evenly(curve.x), curve.f, "f", palette["f"]),
        path,
        point(float(run.xs[0]), float(run.fs[0]), _("start x₀ = {x}").format(x=format_number(run.xs[0])),
              palette["point"], palette["background"]),
        point(float(run.xs[-1]), float(run.fs[-1]), f"x{_subscript(last)} = {format_number(run.xs[-1])}",
              palette["point"], palette["background"], symbol="star", size=17),
    ]
    spec = layout(palette, notes, hovermode="closest",
                     xaxis=axis(palette, "x", range=[lo, hi]),
                     yaxis=axis(palette, "f(x)", range=y_range))
    return figure(traces, spec)


def _step_labels(run: DescentRun, x_range, y_range) -> list[str]:
    """The number of each of the first LABELLED_STEPS iterates, unless it would sit on top of an
    earlier number (a run closing in on its minimum, or bouncing between two points)."""
    width = x_range[1] - x_range[0]
    height = (y_range[1] - y_range[0]) if y_range else 1.0
    placed: list[tuple[float, float]] = []
    labels = []
    for k, (x, f) in enumerate(zip(run.xs, run.fs)):
        at = (x / width, f / height if np.isfinite(f) else np.nan)
        apart = all(np.hypot(at[0] - px, at[1] - py) >= LABEL_GAP for px, py in placed)
        if k < LABELLED_STEPS and np.isfinite(at[1]) and apart:
            placed.append(at)
            labels.append(str(k))
        else:
            labels.append("")
    return labels


_SUBSCRIPTS = MappingProxyType(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _subscript(n: int) -> str:
    return str(n).translate(_SUBSCRIPTS)
