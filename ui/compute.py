"""What the pages compute with the engine: results cached for all sessions, and values at a point.

Cached results live in our own caches (ui/cache.py: bounded in entries and bytes, thread-safe,
and out of reach of Streamlit's clear_cache message), which hand every session the same object:
no copy per rerun. That is safe because what is cached cannot change: an Expression is frozen,
and the arrays of curves, grids and runs are read-only. Anything a session changes (a trained
network) lives in that session's st.session_state instead.

Where one request's work is bounded: the expression's size (tinytorch.expr: MAX_LENGTH,
MAX_NODES, MAX_DEPTH), CURVE_POINTS, the surface's GRID_POINTS, descent.MAX_STEPS, the graph's
layout (lessons/layout.py), and the cache budgets below.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import NamedTuple

import numpy as np
import streamlit as st

from lessons import catalog, curves, descent, i18n, live, plots, surface, sweep, training, viz
from tinytorch import Tensor, grad
from tinytorch.expr import Expression, parse
from ui import view
from ui.cache import MiB, shared

# ---- cached, shared by all sessions ----------------------------------------------------------
# Each cache's budget, in entries and in bytes (150 MiB in all at most). A long formula's
# Expression is ~55 KB, a curve ~33 KB, a surface ~1 MB, a 150-op graph's SVG ~0.3 MB.


@shared(max_entries=512, max_bytes=8 * MiB)
def parsed(text: str, variables: tuple[str, ...] = ("x",)) -> Expression:
    """parse(), cached per text. Errors are not cached, nor is anything kept for them, so each
    bad input is checked again (checking is fast: the limits come first)."""
    return parse(text, variables)


@shared(max_entries=128, max_bytes=24 * MiB)
def sampled(canonical: str, lo: float, hi: float, second: bool) -> curves.Curve:
    """f, f′ (and f″) over the range from one vectorised pass; the arrays are read-only."""
    expr = parsed(canonical)
    return curves.sample(lambda x: expr(x=x), lo, hi, view.CURVE_POINTS, second=second)


@shared(max_entries=128, max_bytes=32 * MiB)
def graph_picture(canonical: str, variables: tuple[str, ...], theme: str, dim: bool = False,
                  highlight: tuple[str, ...] = ()) -> str | None:
    """The function's graph laid out once by `dot`, its numbers left as slots (`viz.picture`);
    None where `dot` is not installed. The layout depends on the structure only, so any point
    will do to build it."""
    expr = parsed(canonical, variables)
    y = expr(**{name: Tensor([0.5]) for name in variables})
    return viz.picture(y, theme=theme, dim=dim, highlight=highlight)


def graph_svg(expr: Expression, output: Tensor) -> str:
    """The graph as an SVG file (light theme) with the numbers of `output`'s graph: the cached
    picture, refilled, so a download never lays a graph out again."""
    svg = graph_picture(expr.text, expr.variables, "light")
    return viz.fill(svg, viz.graph_nodes(output, local=False))


class Blob(NamedTuple):
    """What a live view receives once per function (lessons/live.py packs it)."""

    key: str  # names it on the page
    data: bytes
    drawn: bool  # False where `dot` is not installed: no picture in it


@shared(max_entries=64, max_bytes=24 * MiB)
def live_blob(canonical: str, lo: float, hi: float, second: bool, check: bool,
              y_range: tuple[float | None, float | None] = (None, None), language: str = i18n.DEFAULT) -> Blob:
    """The Playground's live view of f over [lo, hi]: the picture, the plot (its y range
    `y_range`, each end None for automatic; its legend, axes and notes in `language`), and every
    node's numbers at every slider position from one vectorised pass (lessons/sweep.py)."""
    with i18n.using(language):  # the key's language, whichever session computes it
        return _live_blob(canonical, lo, hi, second, check, y_range, language)


def _live_blob(canonical, lo, hi, second, check, y_range, language) -> Blob:
    expr = parsed(canonical)
    step = view.slider_step(lo, hi)
    xs = sweep.positions(lo, hi, step)
    swept = sweep.sweep(lambda x: expr(x=x), xs, second=second)
    svg = graph_picture(canonical, ("x",), "light")
    curve = sampled(canonical, lo, hi, second)
    fd = finite_differences(canonical, lo, hi) if check else None
    # The point and its tangent are the browser's to move: drawn here at the first position.
    light, dark = (plots.figure_json(*plots.function_spec(curve, float(xs[0]), float(swept.f[0]), float(swept.df[0]),
                                                          show_second=second, check=fd, theme=theme,
                                                          y_range=y_range))
                   for theme in ("light", "dark"))
    key = live.blob_id("live", canonical, lo, hi, second, check, y_range, language)
    return Blob(key, live.live_blob(swept, svg or "", light, dark, key, float(xs[1] - xs[0])), svg is not None)


@shared(max_entries=128, max_bytes=16 * MiB)
def graph_blob(canonical: str, variables: tuple[str, ...]) -> Blob:
    """The graph of a function without a slider (backprop, two variables): picture and nodes."""
    expr = parsed(canonical, variables)
    y = expr(**{name: Tensor([0.5]) for name in variables})
    svg = graph_picture(canonical, variables, "light")
    key = live.blob_id("graph", canonical, variables)
    return Blob(key, live.graph_blob(viz.graph_nodes(y, local=False), svg or "", key), svg is not None)


def plot_marks(curve: curves.Curve, x: float, f0: float | None, slope: float | None) -> dict[str, dict]:
    """The point and the tangent at exactly x as the plot draws them ({"point": {x, y, name},
    "tangent": {...}}), for the live view to start from. Non-finite numbers are None."""
    nan = float("nan")
    marks = {}
    for trace in plots.function_marks(x, nan if f0 is None else f0, nan if slope is None else slope,
                                      float(curve.x[0]), float(curve.x[-1])):
        marks[live.mark_role(trace["meta"])] = {
            "x": [float(v) for v in trace["x"]],
            "y": [float(v) if np.isfinite(v) else None for v in np.asarray(trace["y"], dtype=float)],
            "name": trace["name"]}
    return marks


@shared(max_entries=1, max_bytes=1 * MiB)
def plotly_script() -> str | None:
    """The file name of the plotly.js chunk Streamlit serves for st.plotly_chart (under its
    static/js/), which the live view imports for its plot; None if this Streamlit has none."""
    found = sorted((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if len(found) == 1 else None


@shared(max_entries=64, max_bytes=8 * MiB)
def finite_differences(canonical: str, lo: float, hi: float) -> np.ndarray:
    expr = parsed(canonical)
    fd = curves.finite_difference(lambda x: expr(x=x), np.linspace(lo, hi, view.CURVE_POINTS))
    fd.flags.writeable = False
    return fd


@shared(max_entries=32, max_bytes=24 * MiB)
def surface_grid(canonical: str, x_range: tuple[float, float], y_range: tuple[float, float]) -> surface.Surface:
    """f(x, y), ∂f/∂x and ∂f/∂y on the contour's grid (surface.GRID_POINTS per side); read-only arrays."""
    expr = parsed(canonical, view.F_OF_XY.variables)
    return surface.grid(lambda x, y: expr(x=x, y=y), x_range, y_range)


@shared(max_entries=64, max_bytes=6 * MiB)
def descent_run(canonical: str, x0: float, lr: float, steps: int, language: str = i18n.DEFAULT) -> descent.DescentRun:
    """descent.run on f(x), its verdict in `language`; its ValueError for out-of-bounds settings
    is raised, not cached."""
    expr = parsed(canonical)
    with i18n.using(language):  # the key's language, whichever session computes it
        return descent.run(lambda x: expr(x=x), x0, lr, steps)


@shared(max_entries=1, max_bytes=1 * MiB)
def operations() -> tuple[catalog.OpInfo, ...]:
    """The engine's ops as catalog reads them from tinytorch/ops.py (frozen records)."""
    return catalog.operations()


@shared(max_entries=1, max_bytes=1 * MiB)
def graphviz_installed() -> bool:
    """Whether `dot` exists here, to offer the graph as SVG (the browser draws it without)."""
    return shutil.which("dot") is not None


def evaluate(expr: Expression, x: float):
    """The graph at one point after backward: (output, input, f(x), f′(x))."""
    xt = Tensor([x], label="x")
    y = expr(x=xt)
    if y.requires_grad:
        y.backward()
    slope = xt.grad.item() if xt.grad is not None else 0.0  # f does not depend on x: f′ = 0
    return y, xt, y.item(), slope


def evaluate_xy(expr: Expression, x: float, y: float):
    """The graph of f(x, y) at one point after backward: (output, f, ∂f/∂x, ∂f/∂y). The x and y
    boxes of the graph then carry the two partial derivatives."""
    xt, yt = Tensor([x], label="x"), Tensor([y], label="y")
    out = expr(x=xt, y=yt)
    if out.requires_grad:
        out.backward()

    def partial(t: Tensor) -> float:
        return t.grad.item() if t.grad is not None else 0.0  # f does not use this variable

    return out, out.item(), partial(xt), partial(yt)


def slices_at(canonical: str, x: float, y: float) -> surface.Slices:
    """f(·, y) and f(x, ·) through the point, over the two-variable page's ranges (802 points:
    not worth a cache entry per slider position)."""
    expr = parsed(canonical, view.F_OF_XY.variables)
    return surface.slices(lambda x, y: expr(x=x, y=y), x, y, view.XY_RANGE, view.XY_RANGE)


LAST_GOOD_DESCENT = "last_good_descent"


def descent_or_last_good(canonical: str, x0: float, lr: float, steps: int):
    """(run, problem): the run asked for; or, when x0, lr or steps are out of bounds, descent.py's
    message and the run with the last settings that worked in this session (None if none did)."""
    language = i18n.language()
    try:
        run = descent_run(canonical, x0, lr, steps, language)
    except ValueError as problem:
        last = st.session_state.get(LAST_GOOD_DESCENT)
        return (descent_run(canonical, *last, language) if last else None), str(problem)
    st.session_state[LAST_GOOD_DESCENT] = (x0, lr, steps)
    return run, None


def network_run(settings: training.Settings) -> training.TrainingRun:
    """This session's training run with these settings: the one in progress, or a new one at step
    0 when a setting changed (so a link with the settings reproduces what is on screen). It lives
    in st.session_state, never a cache: the model is this session's own, changed in place."""
    run = st.session_state.get(view.NETWORK_RUN)
    if run is None or run.settings != settings:
        run = training.TrainingRun(settings)
        st.session_state[view.NETWORK_RUN] = run
    return run


def restart_network(settings: training.Settings) -> None:
    """A new run with the same settings, paused at step 0 (the same seed: the same run again)."""
    st.session_state[view.NETWORK_RUN] = training.TrainingRun(settings)
    st.session_state[view.PLAYING] = False


def second_derivative(expr: Expression, x: float) -> float:
    """f″(x): the engine differentiates its own f′ graph (create_graph=True)."""
    xt = Tensor([x])
    (d1,) = grad(expr(x=xt), xt, create_graph=True)
    return grad(d1, xt)[0].item()
