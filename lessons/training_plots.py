"""What the network page redraws while training plays: the decision boundary over the points, and the
loss and accuracy so far. SVG text (see svg.py for why), in palette.py's colours.

    >>> from lessons.training import Settings, TrainingRun
    >>> from lessons.training_plots import boundary_svg, loss_svg
    >>> from tinytorch.nn import predict_grid
    >>> run = TrainingRun(Settings())
    >>> picture = boundary_svg(predict_grid(run.model, run.X, 30), run.X_train, run.y_train, run.X_test, run.y_test)
    >>> chart = loss_svg(run.history)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tinytorch.nn import BoundaryGrid, predict_grid

from .i18n import _, count, percent
from .network_graph import SHADES, network_svg, picture_points, unit_outputs
from .palette import diverging
from .plots import colours
from .svg import Frame, document, picture, text
from .training import Record, TrainingRun
from .viz import format_number

__all__ = ["BOUNDARY_POINTS", "BOUNDARY_STRENGTH", "LOSS_POINTS", "boundary_segments", "boundary_svg", "loss_svg",
           "pictures"]

BOUNDARY_POINTS = 60  # per side of the decision boundary's grid, redrawn every tick
BOUNDARY_STRENGTH = 0.45  # how far the shading goes towards a class's colour where the network is sure
LOSS_POINTS = 240  # a long run's history is thinned to this many points (the first and last kept)
_MARKER = 4.5  # px, half a point's marker


# ---- the decision boundary -----------------------------------------------------------------------


def boundary_segments(xs: np.ndarray, ys: np.ndarray, z: np.ndarray, level: float = 0.5) -> np.ndarray:
    """Marching squares: the line where z (z[i, j] at (xs[j], ys[i])) crosses `level`, as an
    (n, 4) array of segments (xa, ya, xb, yb), each crossing placed by linear interpolation.
    The cells the line crosses are found for the whole grid at once: only those few are walked
    (it is redrawn every tick while training plays)."""
    above = z >= level
    corners_above = above[:-1, :-1].astype(np.int8) + above[:-1, 1:] + above[1:, 1:] + above[1:, :-1]
    segments = []
    for i, j in zip(*np.nonzero((corners_above > 0) & (corners_above < 4))):  # row by row, as before
        corners = ((i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j))  # counter-clockwise from bottom-left
        crossings = []
        for (a, b) in zip(corners, corners[1:] + corners[:1]):
            if above[a] != above[b]:
                t = (level - z[a]) / (z[b] - z[a])
                crossings.append((xs[a[1]] + t * (xs[b[1]] - xs[a[1]]), ys[a[0]] + t * (ys[b[0]] - ys[a[0]])))
        if len(crossings) == 4 and np.mean([z[c] for c in corners]) < level:
            crossings = crossings[1:] + crossings[:1]  # a saddle: pair the crossings the other way
        for start in range(0, len(crossings), 2):
            segments.append((*crossings[start], *crossings[start + 1]))
    return np.array(segments, dtype=np.float64).reshape(-1, 4)


def _markers(palette) -> str:
    """The four kinds of point, defined once and placed with <use>: a tenth of the bytes of 200
    full shapes, sent again every tick. Circles are class 0, diamonds class 1; filled training
    points, open test points."""
    r, d = _MARKER, _MARKER * 1.25
    shapes = {"circle": f'<circle r="{r}"', "diamond": f'<path d="M0 {-d}L{d} 0L0 {d}L{-d} 0Z"'}
    parts = []
    for label, shape in enumerate(("circle", "diamond")):
        colour = palette[f"class{label}"]
        parts.append(f'{shapes[shape]} id="p{label}" fill="{colour}" stroke="{palette["background"]}" '
                     f'stroke-width="1.5"/>')
        parts.append(f'{shapes[shape]} id="q{label}" fill="{palette["background"]}" stroke="{colour}" '
                     f'stroke-width="1.5"/>')
    return "<defs>" + "".join(parts) + "</defs>"


def boundary_svg(grid: BoundaryGrid, X: np.ndarray, y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray,
                 theme: str = "light", size: int = 360) -> str:
    """The network's probability of class 1 as shading (class 0's violet to class 1's green), the
    decision boundary P = 0.5 as a line, the training points (X, y) filled and the test points
    (X_test, y_test) open: circles class 0, diamonds class 1, so the classes differ without colour."""
    palette = colours(theme)
    xs, ys = grid.xs, grid.ys
    width = size - 72
    height = width * (ys[-1] - ys[0]) / (xs[-1] - xs[0])  # equal scales: the data's true shape
    frame = Frame(xs[0], xs[-1], ys[0], ys[-1], left=56, top=30, width=width, height=height)
    shading = diverging((2 * grid.probs - 1)[::-1], theme, BOUNDARY_STRENGTH, SHADES)  # larger y at the top
    parts = [picture(shading, frame.left, frame.top, frame.width, frame.height)]
    segments = boundary_segments(xs, ys, grid.probs)
    if len(segments):
        ends = zip(frame.x(segments[:, 0]), frame.y(segments[:, 1]), frame.x(segments[:, 2]), frame.y(segments[:, 3]))
        path = "".join(f"M{a:.1f} {b:.1f}L{c:.1f} {d:.1f}" for a, b, c, d in ends)
        parts.append(f'<path d="{path}" stroke="{palette["text"]}" stroke-width="2.5" stroke-linecap="round" '
                     f'fill="none"/>')
    parts.append(frame.axes(palette, "x₁", "x₂", grid=False))
    parts.append(_markers(palette))
    for points, labels, kind in ((X, y, "p"), (X_test, y_test, "q")):
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        for px, py, label in zip(frame.x(points[:, 0]), frame.y(points[:, 1]), np.asarray(labels)):
            parts.append(f'<use href="#{kind}{int(label)}" x="{px:.1f}" y="{py:.1f}"/>')
    x = frame.left
    for marker, words in (("p0", _("class 0")), ("p1", _("class 1")), ("q0", _("test points: open"))):
        parts.append(f'<use href="#{marker}" x="{x + 5:.1f}" y="14"/>')
        parts.append(text(x + 15, 19, words, palette["text"], "start", 13))
        x += 15 + _width(words) + 14
    return document(size, frame.top + height + 48, parts)


# ---- loss and accuracy -----------------------------------------------------------------------------


def _width(words: str) -> float:
    """About how wide a 13 px label is: 8 px a Latin letter, 13 px a Chinese character."""
    return sum(13 if ord(c) >= 0x2E80 else 8 for c in words)


def _thinned(records: int) -> np.ndarray:
    """Indices of at most LOSS_POINTS of `records` records, evenly spread, first and last included."""
    if records <= LOSS_POINTS:
        return np.arange(records)
    return np.unique(np.linspace(0, records - 1, LOSS_POINTS).round().astype(int))


def loss_svg(history: Sequence[Record], theme: str = "light", width: int = 760) -> str:
    """The cross-entropy (left) and the accuracy (right) after each step, on the training points
    (solid, in f's ink: the loss is what training minimises) and on the test points (dashed, grey).

    The loss axis starts at 0: a model that guesses scores log 2 ≈ 0.69, a perfect one 0. Where
    the test loss turns up while the training loss keeps falling, the network is learning the
    training points' noise: that is overfitting. A history longer than LOSS_POINTS is thinned.
    """
    palette = colours(theme)
    # only the records drawn: a run keeps one per step (up to 10,000), redrawn every tick
    rows = np.array([tuple(history[k]) for k in _thinned(len(history))], dtype=np.float64)
    rows = rows.reshape(-1, len(Record._fields))
    steps = rows[:, 0]
    last = max(float(steps[-1]) if len(steps) else 0.0, 1.0)
    panel = (width - 60 - 90 - 30) / 2  # two panels: room for each one's axis labels, and the right edge
    top = max(float(np.nanmax(rows[:, [1, 3]])) if len(rows) else 1.0, 0.1)
    loss = Frame(0, last, 0, top * 1.05, left=60, top=34, width=panel, height=190)
    accuracy = Frame(0, last, 0, 1, left=60 + panel + 90, top=34, width=panel, height=190)
    parts = [loss.axes(palette, _("step"), _("loss")),
             accuracy.axes(palette, _("step"), _("accuracy"), y_format=percent, y_ticks=[0, 0.25, 0.5, 0.75, 1])]
    styles = ((palette["f"], None, 1, 2), (palette["muted"], "7 5", 3, 4))
    for colour, dash, loss_column, accuracy_column in styles:
        parts.append(loss.polyline(steps, rows[:, loss_column], colour, dash=dash))
        parts.append(accuracy.polyline(steps, rows[:, accuracy_column], colour, dash=dash))
    for k, (colour, dash, words) in enumerate(((palette["f"], None, _("training points")),
                                                (palette["muted"], "7 5", _("test points")))):
        x = 60 + k * 170
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{x}" x2="{x + 28}" y1="14" y2="14" stroke="{colour}" stroke-width="2.5"{dashed}/>')
        parts.append(text(x + 34, 19, words, palette["text"], "start", 13))
    if len(rows):
        latest = rows[-1]
        parts.append(text(width - 10, 19, _("step {step}: test loss {loss}, test accuracy {accuracy}").format(
            step=count(int(latest[0])), loss=format_number(latest[3], 3), accuracy=percent(latest[4])),
            palette["text"], "end", 13))
    return document(width, 34 + 190 + 44, parts)


# ---- all three --------------------------------------------------------------------------------------


def pictures(run: TrainingRun, show: str = "weights", theme: str = "light") -> tuple[str, str, str]:
    """What the page shows of a run, as SVG: the network (`network_svg`, its edges showing `show`),
    the boundary over the points, and the loss and accuracy so far. One forward pass for the
    boundary's grid, one for the units' pictures on a coarser grid over the same square."""
    grid = predict_grid(run.model, run.X, BOUNDARY_POINTS)
    n = picture_points(run.model.sizes)
    outputs = unit_outputs(run.model, np.linspace(grid.xs[0], grid.xs[-1], n), np.linspace(grid.ys[0], grid.ys[-1], n))
    return (network_svg(run.model, outputs, show, theme),
            boundary_svg(grid, run.X_train, run.y_train, run.X_test, run.y_test, theme),
            loss_svg(run.history, theme))
