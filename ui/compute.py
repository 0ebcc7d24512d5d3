"""What the pages compute with the engine: results cached for all sessions, and values at a point.

Cached results use cache_resource, which hands every session the same object, where cache_data
would unpickle a fresh copy on each rerun (a millisecond per slider move for a long formula).
That is safe because what is cached cannot change: an Expression is frozen, and the arrays of
curves, grids and runs are read-only. Anything a session changes (a trained network) lives in
that session's st.session_state instead.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import streamlit as st

from lessons import catalog, curves, datasets, descent, live, plots, surface, sweep, viz
from tinytorch import Tensor, grad, nn, no_grad
from tinytorch.expr import Expression, parse
from ui import view

# ---- cached, shared by all sessions ----------------------------------------------------------


@st.cache_resource(max_entries=512, show_spinner=False)
def parsed(text: str, variables: tuple[str, ...] = ("x",)) -> Expression:
    """parse(), cached per text. Errors are not cached, so each bad input is checked again
    (checking is fast: the limits come first)."""
    return parse(text, variables)


@st.cache_resource(max_entries=128, show_spinner=False)
def sampled(canonical: str, lo: float, hi: float, second: bool) -> curves.Curve:
    """f, f′ (and f″) over the range from one vectorised pass; the arrays are read-only."""
    expr = parsed(canonical)
    return curves.sample(lambda x: expr(x=x), lo, hi, view.CURVE_POINTS, second=second)


@st.cache_resource(max_entries=128, show_spinner=False)
def graph_picture(canonical: str, variables: tuple[str, ...], theme: str, dim: bool = False,
                  highlight: tuple[str, ...] = ()) -> str | None:
    """The function's graph laid out once by `dot`, its numbers left as slots (`viz.picture`);
    None where `dot` is not installed. The layout depends on the structure only, so any point
    will do to build it."""
    expr = parsed(canonical, variables)
    y = expr(**{name: Tensor([0.5]) for name in variables})
    return viz.picture(y, theme=theme, dim=dim, highlight=highlight)


class Blob(NamedTuple):
    """What a live view receives once per function (lessons/live.py packs it)."""

    key: str  # names it on the page
    data: bytes
    drawn: bool  # False where `dot` is not installed: no picture in it


@st.cache_resource(max_entries=64, show_spinner=False)
def live_blob(canonical: str, lo: float, hi: float, second: bool, check: bool) -> Blob:
    """The Playground's live view of f over [lo, hi]: the picture, the plot, and every node's
    numbers at every slider position from one vectorised pass (lessons/sweep.py)."""
    expr = parsed(canonical)
    step = view.slider_step(lo, hi)
    xs = sweep.positions(lo, hi, step)
    swept = sweep.sweep(lambda x: expr(x=x), xs, second=second)
    svg = graph_picture(canonical, ("x",), "light")
    curve = sampled(canonical, lo, hi, second)
    fd = finite_differences(canonical, lo, hi) if check else None
    # The point and its tangent are the browser's to move: drawn here at the first position.
    light, dark = (json.loads(plots.function_figure(curve, float(xs[0]), float(swept.f[0]), float(swept.df[0]),
                                                    show_second=second, check=fd, theme=theme).to_json())
                   for theme in ("light", "dark"))
    key = live.blob_id("live", canonical, lo, hi, second, check)
    return Blob(key, live.live_blob(swept, svg or "", light, dark, key, float(xs[1] - xs[0])), svg is not None)


@st.cache_resource(max_entries=128, show_spinner=False)
def graph_blob(canonical: str, variables: tuple[str, ...]) -> Blob:
    """The graph of a function without a slider (backprop, two variables): picture and nodes."""
    expr = parsed(canonical, variables)
    y = expr(**{name: Tensor([0.5]) for name in variables})
    svg = graph_picture(canonical, variables, "light")
    key = live.blob_id("graph", canonical, variables)
    return Blob(key, live.graph_blob(viz.graph_nodes(y, local=False), svg or "", key), svg is not None)


def plot_marks(curve: curves.Curve, x: float, f0: float | None, slope: float | None, second: bool,
               check: np.ndarray | None) -> dict[str, dict]:
    """The point and the tangent at exactly x as the plot draws them ({"point": {x, y, name},
    "tangent": {...}}), for the live view to start from. Non-finite numbers are None."""
    nan = float("nan")
    figure = plots.function_figure(curve, x, nan if f0 is None else f0, nan if slope is None else slope,
                                   show_second=second, check=check)
    marks = {}
    for trace in figure.data:
        role = live.mark_role(trace.name or "", trace.mode or "")
        if role:
            marks[role] = {"x": [float(v) for v in trace.x],
                           "y": [float(v) if np.isfinite(v) else None for v in np.asarray(trace.y, dtype=float)],
                           "name": trace.name}
    return marks


@st.cache_resource(show_spinner=False)
def plotly_script() -> str | None:
    """The file name of the plotly.js chunk Streamlit serves for st.plotly_chart (under its
    static/js/), which the live view imports for its plot; None if this Streamlit has none."""
    found = sorted((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if len(found) == 1 else None


@st.cache_resource(max_entries=64, show_spinner=False)
def finite_differences(canonical: str, lo: float, hi: float) -> np.ndarray:
    expr = parsed(canonical)
    fd = curves.finite_difference(lambda x: expr(x=x), np.linspace(lo, hi, view.CURVE_POINTS))
    fd.flags.writeable = False
    return fd


@st.cache_resource(max_entries=32, show_spinner=False)
def surface_grid(canonical: str, x_range: tuple[float, float], y_range: tuple[float, float]) -> surface.Surface:
    """f(x, y), ∂f/∂x and ∂f/∂y on the contour's grid (surface.GRID_POINTS per side); read-only arrays."""
    expr = parsed(canonical, view.F_OF_XY.variables)
    return surface.grid(lambda x, y: expr(x=x, y=y), x_range, y_range)


@st.cache_resource(max_entries=64, show_spinner=False)
def descent_run(canonical: str, x0: float, lr: float, steps: int) -> descent.DescentRun:
    """descent.run on f(x); its ValueError for out-of-bounds settings is raised, not cached."""
    expr = parsed(canonical)
    return descent.run(lambda x: expr(x=x), x0, lr, steps)


@st.cache_resource(max_entries=32, show_spinner=False)
def dataset(name: str, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """The same points for every session (seed 0); the arrays are read-only."""
    return datasets.make(name, n=view.NETWORK_POINTS, noise=noise, seed=0)


@st.cache_resource(show_spinner=False)
def operations() -> tuple[catalog.OpInfo, ...]:
    """The engine's ops as catalog reads them from tinytorch/ops.py (frozen records)."""
    return catalog.operations()


@st.cache_resource
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
    try:
        run = descent_run(canonical, x0, lr, steps)
    except ValueError as problem:
        last = st.session_state.get(LAST_GOOD_DESCENT)
        return (descent_run(canonical, *last) if last else None), str(problem)
    st.session_state[LAST_GOOD_DESCENT] = (x0, lr, steps)
    return run, None


@dataclass(frozen=True)
class TrainedNetwork:
    """A finished training run, kept in st.session_state (never a cache: the model is this
    session's own, and its weights are arrays the optimiser changed in place)."""

    settings: view.NetworkSettings
    model: nn.MLP
    losses: tuple[float, ...]
    accuracies: tuple[float, ...]
    accuracy: float  # after the last update (the history's is before each update)


TRAINED = "trained_network"


def final_accuracy(model: nn.MLP, X, y) -> float:
    """The share of points the trained model puts on the right side (one forward pass, no graph)."""
    with no_grad():
        return nn.accuracy(model(X), y)


def second_derivative(expr: Expression, x: float) -> float:
    """f″(x): the engine differentiates its own f′ graph (create_graph=True)."""
    xt = Tensor([x])
    (d1,) = grad(expr(x=xt), xt, create_graph=True)
    return grad(d1, xt)[0].item()
