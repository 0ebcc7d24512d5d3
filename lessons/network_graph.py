"""The network as a picture, TF Playground's view: one column per layer, each unit drawn as what it
outputs over the plane, and one edge per weight, as wide as the weight (or its gradient) is large.

    >>> from tinytorch.nn import MLP
    >>> from lessons.network_graph import network_figure, unit_outputs
    >>> import numpy as np
    >>> model = MLP((2, 3, 1))
    >>> outputs = unit_outputs(model, np.linspace(-1, 1, 5), np.linspace(-1, 1, 5))
    >>> [o.shape for o in outputs]            # the inputs x₁, x₂; 3 hidden units; P(class 1)
    [(5, 5, 2), (5, 5, 3), (5, 5, 1)]
    >>> fig = network_figure(model, outputs)

`network_figure` builds a Plotly figure: each unit's picture is a small PNG (`png.encode`) laid
out as a layout image; the edges are a few line traces, one per colour and width band; and
invisible markers at the units and along the edges carry the hover text with every number: each
weight's value and the gradient the last training step gave it, each unit's bias and its gradient.

Colours are palette.py's: a unit's picture shades from class 0's violet (negative) through the
background (0) to class 1's green (positive); so do the weights' edges by sign. Gradients are
drawn in the gradients' vermillion.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from tinytorch import functional as F
from tinytorch import no_grad
from tinytorch.nn import MLP

from .plots import colours, figure, layout
from .png import encode
from .viz import format_number

__all__ = ["EDGE_WIDTHS", "SHADES", "SHOWS", "network_figure", "picture_points", "unit_outputs"]

SHOWS = ("weights", "gradients")  # what the edges stand for
EDGE_WIDTHS = (0.6, 1.2, 2.0, 3.0, 4.5, 6.5)  # px, for |value| in equal bands up to the largest
_COLUMN_GAP = 4.0  # between layers, in units of a unit's picture
_ROW_GAP = 1.35  # between the units of a layer
_HOVER_AT = 0.3  # hover points sit this far along each edge: away from the middle, where edges cross
SHADES = 16  # steps of colour from 0 to ±1: a little banding, and a third of the PNG bytes of a smooth shading
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def picture_points(sizes: Sequence[int]) -> int:
    """Points per side of each unit's picture: about as many as it gets pixels on screen (the
    pictures shrink as the tallest layer grows), so no byte is sent that cannot be seen."""
    return 30 if max(sizes) <= 8 else 20


def unit_outputs(model: MLP, xs: np.ndarray, ys: np.ndarray) -> list[np.ndarray]:
    """What every unit gives at every point (xs[j], ys[i]) of a grid, one forward pass, no graph:
    [the inputs (x₁, x₂), each hidden layer's units after the activation, P(class 1)], each an
    (len(ys), len(xs), width) array."""
    gx, gy = np.meshgrid(np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64))
    points = np.column_stack([gx.ravel(), gy.ravel()])
    with no_grad():
        outputs = model.layer_outputs(points)
        layers = [points, *(o.data for o in outputs[:-1]), F.sigmoid(outputs[-1]).data]
    return [a.reshape(len(ys), len(xs), -1) for a in layers]


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def _shade(values: np.ndarray, palette) -> np.ndarray:
    """(h, w) values in [-1, 1] as (h, w, 3) colours: class 0's below 0, class 1's above, the
    background at 0; rows flipped, so that larger y is at the top of the picture."""
    t = np.round(np.clip(values, -1, 1) * SHADES)[::-1, :, None] / SHADES
    background = _rgb(palette["background"])
    ends = np.where(t > 0, _rgb(palette["class1"]), _rgb(palette["class0"]))
    return np.rint(background + np.abs(t) * (ends - background)).astype(np.uint8)


def _scaled(layer: int, values: np.ndarray, last: int) -> np.ndarray:
    """A layer's outputs in [-1, 1] for shading: P(class 1) − 0.5 doubled for the output, tanh as
    it is, anything else (the inputs, relu) divided by the layer's largest |value|."""
    if layer == last:
        return 2 * values - 1
    peak = float(np.max(np.abs(values))) if values.size else 0.0
    return values / peak if peak > 1 else values


def _picture(values: np.ndarray, palette) -> str:
    return "data:image/png;base64," + base64.b64encode(encode(_shade(values, palette))).decode()


def _name(layer: int, unit: int, last: int) -> str:
    if layer == 0:
        return f"x{unit + 1}".translate(_SUBSCRIPTS)
    if layer == last:
        return "output, P(class 1)"
    return f"layer {layer}, unit {unit + 1}"


def _column_title(layer: int, last: int) -> str:
    return "inputs" if layer == 0 else "output" if layer == last else f"hidden {layer}"


def _gradient(p) -> np.ndarray | None:
    return None if p.grad is None else p.grad.data


def _bands(magnitude: np.ndarray, peak: float) -> np.ndarray:
    """Which of the EDGE_WIDTHS each |value| gets: equal bands up to the largest."""
    if peak <= 0:
        return np.zeros(magnitude.shape, dtype=int)
    return np.clip(np.ceil(magnitude / peak * len(EDGE_WIDTHS)).astype(int) - 1, 0, len(EDGE_WIDTHS) - 1)


def network_figure(model: MLP, outputs: Sequence[np.ndarray], show: str = "weights", theme: str = "light",
                   hover: bool = True) -> go.Figure:
    """The network `model` with each unit's picture from `outputs` (as `unit_outputs` gives them).

    `show`: "weights" (edge width |w|, colour its sign) or "gradients" (edge width |∂L/∂w| from
    the last training step, in the gradients' colour). Widths are relative to the largest value
    in the whole network, so layers compare; the hover text gives every number. `hover=False`
    leaves the edges' hover text out (while training plays, the picture changes too fast to read
    it, and the text is most of the figure's bytes).
    """
    if show not in SHOWS:
        raise ValueError(f"show must be one of {SHOWS}, not {show!r}")
    palette = colours(theme)
    sizes = model.sizes
    if len(outputs) != len(sizes) or any(o.shape[2] != n for o, n in zip(outputs, sizes)):
        raise ValueError(f"outputs must give each of the layers {sizes} its units")
    last = len(sizes) - 1
    centres = [[(layer * _COLUMN_GAP, ((n - 1) / 2 - k) * _ROW_GAP) for k in range(n)]
               for layer, n in enumerate(sizes)]
    half = (max(sizes) - 1) / 2 * _ROW_GAP + 0.5  # from the middle to the top of the tallest column

    images, shapes, annotations = [], [], []
    unit_x, unit_y, unit_text = [], [], []
    for layer, (column, values) in enumerate(zip(centres, outputs)):
        scaled = _scaled(layer, values, last)
        for k, (x, y) in enumerate(column):
            images.append({"source": _picture(scaled[:, :, k], palette), "xref": "x", "yref": "y", "x": x - 0.5,
                           "y": y + 0.5, "sizex": 1, "sizey": 1, "xanchor": "left", "yanchor": "top",
                           "sizing": "stretch", "layer": "below"})
            shapes.append({"type": "rect", "xref": "x", "yref": "y", "x0": x - 0.5, "x1": x + 0.5, "y0": y - 0.5,
                           "y1": y + 0.5, "line": {"color": palette["zero"], "width": 1}})
            unit_x.append(x)
            unit_y.append(y)
            text = _name(layer, k, last)
            if layer:
                bias, bias_grad = model.biases[layer - 1], _gradient(model.biases[layer - 1])
                text += f"<br>bias {format_number(bias.data[k])}"
                if bias_grad is not None:
                    text += f", gradient {format_number(bias_grad[k])}"
            unit_text.append(text)
        annotations.append({"x": column[0][0], "y": half + 0.15, "xref": "x", "yref": "y",
                            "text": _column_title(layer, last), "showarrow": False, "yanchor": "bottom",
                            "font": {"size": 13}})

    # every edge: its two ends, its weight and gradient
    ends, weights, grads, names = [], [], [], []
    for layer, w in enumerate(model.weights):
        g = _gradient(w)
        for i, (xa, ya) in enumerate(centres[layer]):
            for j, (xb, yb) in enumerate(centres[layer + 1]):
                ends.append((xa + 0.5, ya, xb - 0.5, yb))
                weights.append(w.data[i, j])
                grads.append(np.nan if g is None else g[i, j])
                names.append(f"{_name(layer, i, last)} → {_name(layer + 1, j, last)}")
    ends = np.array(ends, dtype=np.float64).reshape(-1, 4)
    weights, grads = np.array(weights), np.array(grads)
    shown = weights if show == "weights" else np.nan_to_num(grads)
    bands = _bands(np.abs(shown), float(np.max(np.abs(shown), initial=0.0)))
    kinds = (np.where(shown < 0, 0, 1) if show == "weights" else np.full(len(shown), 2))
    colour = (palette["class0"], palette["class1"], palette["df"])

    traces = []
    for kind in np.unique(kinds):
        for band in np.unique(bands[kinds == kind]):
            chosen = ends[(kinds == kind) & (bands == band)]
            # float32: half the bytes, and far more digits than a pixel needs
            xs = np.column_stack([chosen[:, 0], chosen[:, 2], np.full(len(chosen), np.nan)]).ravel().astype(np.float32)
            ys = np.column_stack([chosen[:, 1], chosen[:, 3], np.full(len(chosen), np.nan)]).ravel().astype(np.float32)
            traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "hoverinfo": "skip",
                           "showlegend": False, "connectgaps": False,
                           "line": {"color": colour[kind], "width": EDGE_WIDTHS[band]}})
    if hover and len(ends):
        hover = ends[:, :2] + _HOVER_AT * (ends[:, 2:] - ends[:, :2])
        texts = [f"{name}<br>weight {format_number(w)}<br>gradient "
                 f"{'— (no step yet)' if np.isnan(g) else format_number(g)}"
                 for name, w, g in zip(names, weights, grads)]
        traces.append({"type": "scatter", "x": hover[:, 0], "y": hover[:, 1], "mode": "markers", "name": "weights",
                       "hovertext": texts, "hoverinfo": "text", "showlegend": False,
                       "marker": {"size": 8, "color": "rgba(0,0,0,0)"}})
    traces.append({"type": "scatter", "x": unit_x, "y": unit_y, "mode": "markers", "name": "units",
                   "hovertext": unit_text, "hoverinfo": "text", "showlegend": False,
                   "marker": {"size": 18, "symbol": "square", "color": "rgba(0,0,0,0)"}})

    hidden = {"visible": False, "fixedrange": True}
    spec = layout(palette, hovermode="closest", images=images, shapes=shapes, annotations=annotations,
                  xaxis={**hidden, "range": [-0.8, last * _COLUMN_GAP + 0.8]},
                  yaxis={**hidden, "range": [-half - 0.3, half + 1.2], "scaleanchor": "x", "scaleratio": 1},
                  height=max(400, min(560, 60 + 34 * max(sizes))))
    spec["margin"] = {"l": 10, "r": 10, "t": 10, "b": 10}
    return figure(traces, spec)
