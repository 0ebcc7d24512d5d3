"""SVG pictures drawn as text, for what changes several times a second: numpy only.

A page shows such a picture as an image (a data: URL). Streamlit then keeps the same <img> and
only changes its source, and a browser keeps the old picture on screen until the new one is
decoded, nested pictures and all: an update never shows a blank frame. (A Plotly chart is
mounted anew for every new figure and is blank until it has drawn; an ECharts image flickers
while it loads.)

    >>> from lessons.svg import Frame, document, nice_ticks
    >>> nice_ticks(0, 0.69)
    [0.0, 0.2, 0.4, 0.6]
    >>> frame = Frame(0, 10, 0, 1, left=40, top=10, width=200, height=100)
    >>> float(frame.x(5)), float(frame.y(1))
    (140.0, 10.0)
    >>> document(300, 150, [frame.polyline([0, 10], [0, 1], "#000")]).startswith("<svg")
    True
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from .png import encode
from .viz import format_number

__all__ = ["Frame", "data_url", "document", "nice_ticks", "picture", "text"]

FONT = "Inter, 'Segoe UI', Helvetica, Arial, sans-serif"


def _n(v: float) -> str:
    """A coordinate with two decimals: a hundredth of a pixel is finer than any screen."""
    return f"{v:.2f}".rstrip("0").rstrip(".")


def document(width: float, height: float, parts: Iterable[str], font_size: int = 14) -> str:
    """A standalone SVG document of this size (scalable: it has a viewBox)."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
            f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{escape(FONT)}" font-size="{font_size}">'
            + "".join(parts) + "</svg>")


def data_url(svg: str) -> str:
    """The document as a data: URL, for an <img> (st.image)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def text(x: float, y: float, words: str, colour: str, anchor: str = "middle", size: int | None = None,
         **extra: str) -> str:
    """A line of text, escaped; `anchor` is start, middle or end."""
    attributes = "".join(f" {name.replace('_', '-')}={quoteattr(value)}" for name, value in extra.items())
    sized = f' font-size="{size}"' if size else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" fill="{colour}" text-anchor="{anchor}"{sized}{attributes}>'
            f"{escape(words)}</text>")


def picture(rgb: np.ndarray, x: float, y: float, width: float, height: float) -> str:
    """An (h, w, 3) array of colours as a PNG stretched over the box, row 0 at the top."""
    source = "data:image/png;base64," + base64.b64encode(encode(rgb)).decode("ascii")
    return (f'<image x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
            f'preserveAspectRatio="none" href="{source}"/>')


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round numbers (1, 2 or 5 times a power of ten apart) between low and high, about `count` of them."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if math.isfinite(low) else []
    raw = (high - low) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    return [round(first + k * step, 12) for k in range(int((high - first) / step + 1e-9) + 1)]


@dataclass(frozen=True)
class Frame:
    """A plotting area: data from [x0, x1] × [y0, y1] drawn in the box at (left, top), larger y up."""

    x0: float
    x1: float
    y0: float
    y1: float
    left: float
    top: float
    width: float
    height: float

    def x(self, v):
        return self.left + (np.asarray(v, dtype=np.float64) - self.x0) / (self.x1 - self.x0) * self.width

    def y(self, v):
        return self.top + (self.y1 - np.asarray(v, dtype=np.float64)) / (self.y1 - self.y0) * self.height

    def polyline(self, xs: Sequence[float], ys: Sequence[float], colour: str, width: float = 2.5,
                 dash: str | None = None) -> str:
        """A line through the points; a nan leaves a gap."""
        px, py = np.atleast_1d(self.x(xs)), np.atleast_1d(self.y(ys))
        drawn = np.concatenate(([False], np.isfinite(px) & np.isfinite(py), [False]))
        bounds = np.flatnonzero(drawn[1:] != drawn[:-1])  # where each run of finite points starts and ends
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        return "".join(  # a tenth of a pixel: finer than the line
            f'<polyline points="{" ".join(map("{:.1f},{:.1f}".format, px[a:b].tolist(), py[a:b].tolist()))}" '
            f'fill="none" stroke="{colour}" stroke-width="{width}" stroke-linejoin="round"{dashed}/>'
            for a, b in zip(bounds[::2], bounds[1::2]))

    def axes(self, palette, x_label: str, y_label: str, y_format=format_number, x_ticks=None,
             y_ticks=None, grid: bool = True) -> str:
        """Tick labels, light grid lines and axis titles around the frame."""
        parts = []
        xs = nice_ticks(self.x0, self.x1) if x_ticks is None else x_ticks
        ys = nice_ticks(self.y0, self.y1) if y_ticks is None else y_ticks
        bottom, right = self.top + self.height, self.left + self.width
        for v in ys:
            y = float(self.y(v))
            if grid:
                parts.append(f'<line x1="{_n(self.left)}" x2="{_n(right)}" y1="{_n(y)}" y2="{_n(y)}" '
                             f'stroke="{palette["grid"]}"/>')
            parts.append(text(self.left - 6, y + 4, y_format(v), palette["text"], "end", 12))
        for v in xs:
            x = float(self.x(v))
            if grid:
                parts.append(f'<line x1="{_n(x)}" x2="{_n(x)}" y1="{_n(self.top)}" y2="{_n(bottom)}" '
                             f'stroke="{palette["grid"]}"/>')
            parts.append(text(x, bottom + 16, format_number(v), palette["text"], "middle", 12))
        parts.append(f'<rect x="{_n(self.left)}" y="{_n(self.top)}" width="{_n(self.width)}" '
                     f'height="{_n(self.height)}" fill="none" stroke="{palette["zero"]}"/>')
        if x_label:
            parts.append(text(self.left + self.width / 2, bottom + 34, x_label, palette["text"]))
        if y_label:
            middle = self.top + self.height / 2
            parts.append(text(self.left - 38, middle, y_label, palette["text"],
                              transform=f"rotate(-90 {_n(self.left - 38)} {_n(middle)})"))
        return "".join(parts)
