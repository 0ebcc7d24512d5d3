"""The network as a picture, TF Playground's view: one column per layer, each unit drawn as what it
outputs over the plane, and one edge per weight, as wide as the weight (or its gradient) is large.

    >>> from tinytorch.nn import MLP
    >>> from lessons.network_graph import network_svg, unit_outputs
    >>> import numpy as np
    >>> model = MLP((2, 3, 1))
    >>> outputs = unit_outputs(model, np.linspace(-1, 1, 5), np.linspace(-1, 1, 5))
    >>> [o.shape for o in outputs]            # the inputs x₁, x₂; 3 hidden units; P(class 1)
    [(5, 5, 2), (5, 5, 3), (5, 5, 1)]
    >>> network_svg(model, outputs).startswith("<svg")
    True

`network_svg` draws it as SVG text (see svg.py for why not a Plotly figure: it is redrawn
several times a second while training plays). Colours are palette.py's: a unit's picture shades
from class 0's violet (negative) through the background (0) to class 1's green (positive), and
so do the weights' edges by sign; gradients are drawn in the gradients' vermillion. The numbers
themselves (every weight, bias and gradient) are the page's table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tinytorch import functional as F
from tinytorch import no_grad
from tinytorch.nn import MLP

from .i18n import _
from .palette import diverging
from .plots import colours
from .svg import document, picture, text

__all__ = ["EDGE_WIDTHS", "SHADES", "SHOWS", "network_svg", "picture_points", "unit_outputs"]

SHOWS = ("weights", "gradients")  # what the edges stand for
EDGE_WIDTHS = (0.6, 1.2, 2.0, 3.0, 4.5, 6.5)  # px, for |value| in equal bands up to the largest
SHADES = 16  # steps of colour from 0 to ±1: a little banding, and a third of the PNG bytes of a smooth shading
TALLEST = 380  # px that the tallest layer may take; its units shrink to fit
_UNIT_MAX = 46  # px: the side of a unit's picture in a small network
_ROW_GAP = 1.35  # between the units of a layer, in units of a picture's side
_COLUMN_GAP = 4.0  # between layers, likewise
_TITLE = 26  # px above the pictures, for the layers' names


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


def _scaled(layer: int, values: np.ndarray, last: int) -> np.ndarray:
    """A layer's outputs in [-1, 1] for shading: P(class 1) − 0.5 doubled for the output, tanh as
    it is, anything else (the inputs, relu) divided by the layer's largest |value|."""
    if layer == last:
        return 2 * values - 1
    peak = float(np.max(np.abs(values))) if values.size else 0.0
    return values / peak if peak > 1 else values


def _column_title(layer: int, last: int) -> str:
    return _("inputs") if layer == 0 else _("output") if layer == last else _("hidden {layer}").format(layer=layer)


def _bands(magnitude: np.ndarray, peak: float) -> np.ndarray:
    """Which of the EDGE_WIDTHS each |value| gets: equal bands up to the largest."""
    if peak <= 0:
        return np.zeros(magnitude.shape, dtype=int)
    return np.clip(np.ceil(magnitude / peak * len(EDGE_WIDTHS)).astype(int) - 1, 0, len(EDGE_WIDTHS) - 1)


def network_svg(model: MLP, outputs: Sequence[np.ndarray], show: str = "weights", theme: str = "light") -> str:
    """The network `model` with each unit's picture from `outputs` (as `unit_outputs` gives them).

    `show`: "weights" (edge width |w|, colour its sign) or "gradients" (edge width |∂L/∂w| from
    the last training step, in the gradients' colour; all thin before the first step). Widths
    are relative to the largest value in the whole network, so layers compare.
    """
    if show not in SHOWS:
        raise ValueError(f"show must be one of {SHOWS}, not {show!r}")
    palette = colours(theme)
    sizes = model.sizes
    if len(outputs) != len(sizes) or any(o.shape[2] != n for o, n in zip(outputs, sizes)):
        raise ValueError(f"outputs must give each of the layers {sizes} its units")
    last = len(sizes) - 1
    side = min(_UNIT_MAX, TALLEST / (max(sizes) * _ROW_GAP))
    height = _TITLE + max(sizes) * _ROW_GAP * side
    width = (last * _COLUMN_GAP + 1) * side + 2 * side
    middle = (_TITLE + height) / 2
    # the centre of each unit: layers left to right, each layer's units top to bottom, centred
    centres = [[(side * 1.5 + layer * _COLUMN_GAP * side, middle + (k - (n - 1) / 2) * _ROW_GAP * side)
                for k in range(n)] for layer, n in enumerate(sizes)]

    # the edges first, under the pictures; one per weight, grouped by (colour, width)
    ends, shown = [], []
    for layer, w in enumerate(model.weights):
        values = w.data if show == "weights" else (np.zeros_like(w.data) if w.grad is None else w.grad.data)
        for i, (xa, ya) in enumerate(centres[layer]):
            for j, (xb, yb) in enumerate(centres[layer + 1]):
                ends.append((xa + side / 2, ya, xb - side / 2, yb))
                shown.append(values[i, j])
    shown = np.asarray(shown, dtype=np.float64)
    bands = _bands(np.abs(shown), float(np.max(np.abs(shown), initial=0.0)))
    if show == "weights":
        tints = np.where(shown < 0, palette["class0"], palette["class1"])
    else:
        tints = np.full(len(shown), palette["df"])
    groups: dict[str, dict[int, list[str]]] = {}  # tint (in order of appearance) -> band -> path pieces
    for (xa, ya, xb, yb), tint, band in zip(ends, tints.tolist(), bands.tolist()):
        groups.setdefault(tint, {}).setdefault(band, []).append(f"M{xa:.1f} {ya:.1f}L{xb:.1f} {yb:.1f}")
    parts = []
    for tint, bands_of_tint in groups.items():
        for band in sorted(bands_of_tint):
            parts.append(f'<path d="{"".join(bands_of_tint[band])}" stroke="{tint}" '
                         f'stroke-width="{EDGE_WIDTHS[band]}" stroke-opacity="0.85" fill="none"/>')

    # then each unit's picture, framed, and each layer's name
    for layer, (column, values) in enumerate(zip(centres, outputs)):
        shades = diverging(_scaled(layer, values, last)[::-1], theme, steps=SHADES)  # larger y at the top
        for k, (x, y) in enumerate(column):
            parts.append(picture(shades[:, :, k], x - side / 2, y - side / 2, side, side))
            parts.append(f'<rect x="{x - side / 2:.1f}" y="{y - side / 2:.1f}" width="{side:.1f}" '
                         f'height="{side:.1f}" fill="none" stroke="{palette["zero"]}"/>')
        parts.append(text(column[0][0], _TITLE - 10, _column_title(layer, last), palette["text"], size=13))
    return document(width, height, parts)
