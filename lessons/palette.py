"""The app's colours and what each one means: one meaning on the graph, on every plot and page.

    x, the input you move ......... blue        the slider, the x box, the point at x, x₀ and the last x
    f, the function's value ....... ink         the f curve, the output box, f's contours, the loss
    f′ and every gradient ......... vermillion  the f′ curve, ∇f, the descent steps, the backward
                                                pass's highlight, a weight's gradient
    f″ ............................ green       (dashed)
    the tangent at x .............. purple      (dash-dot)
    class 0 / class 1 ............. violet / leaf green: the network page's two classes, and the
                                                sign of a weight or a unit's output there

The hues are Okabe & Ito's colour-blind-safe set (x, f′, f″, tangent) and ColorBrewer's PRGn
(the classes), each shade chosen so that it reads as text at 4.5:1 or more on the page's
background (WCAG AA): darker on the light theme, lighter on the dark one. Lines also differ in
dash and markers in shape, so nothing depends on colour alone. Read-only: sessions share it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

__all__ = ["BACKGROUNDS", "BUTTON_TEXT", "MEANINGS", "ROLES", "colours", "diverging", "rgb"]

# The page behind the (transparent) plots and graph: the app's light and dark backgrounds, set in
# .streamlit/config.toml (Streamlit's own, stated there so that they stay these).
BACKGROUNDS = MappingProxyType({"light": "#FFFFFF", "dark": "#171614"})

MEANINGS = MappingProxyType({
    "x": "the input x",
    "f": "f, the function's value",
    "df": "f′ and every gradient",
    "d2f": "f″",
    "tangent": "the tangent at x",
    "class0": "class 0, a negative weight or output",
    "class1": "class 1, a positive weight or output",
})

ROLES = MappingProxyType({
    "light": MappingProxyType({"x": "#006BA8", "f": "#222222", "df": "#C24E00", "d2f": "#00875A",
                               "tangent": "#B2508A", "class0": "#762A83", "class1": "#1B7837"}),
    "dark": MappingProxyType({"x": "#33BBEE", "f": "#EAEAEA", "df": "#E69F00", "d2f": "#009E73",
                              "tangent": "#D98CB8", "class0": "#C2A5CF", "class1": "#A6DBA0"}),
})


def colours(theme: str) -> Mapping[str, str]:
    """The role colours of "light" or "dark"."""
    if theme not in ROLES:
        raise ValueError(f"theme must be one of {sorted(ROLES)}, not {theme!r}")
    return ROLES[theme]


def rgb(hex_colour: str) -> np.ndarray:
    """"#RRGGBB" as three floats from 0 to 255."""
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def diverging(values: np.ndarray, theme: str, strength: float = 1.0, steps: int | None = None) -> np.ndarray:
    """Values in [-1, 1] as colours, (..., 3) uint8: class 0's violet below 0, class 1's green above,
    the background at 0, `strength` of the way to the class colour at ±1. `steps` rounds |value|
    to that many levels (fewer colours: a PNG a third the size)."""
    t = np.clip(np.asarray(values, dtype=np.float64), -1, 1)
    if steps:  # 2·steps + 1 colours: looked up (the network page shades 20 pictures a tick); nan is 0
        return _levels(theme, strength, steps)[np.round(np.nan_to_num(t) * steps).astype(np.intp) + steps]
    return _shade(t, theme, strength)


def _shade(t: np.ndarray, theme: str, strength: float) -> np.ndarray:
    roles, background = colours(theme), rgb(BACKGROUNDS[theme])
    ends = np.where(t[..., None] > 0, rgb(roles["class1"]), rgb(roles["class0"]))
    return np.rint(background + strength * np.abs(t)[..., None] * (ends - background)).astype(np.uint8)


# Text on a button filled with the theme's primary colour (x's blue): white on the light theme's
# dark blue, the page's own near-black on the dark theme's light blue (white on it is 2.2:1).
BUTTON_TEXT = MappingProxyType({"light": "#FFFFFF", "dark": BACKGROUNDS["dark"]})


@functools.lru_cache(maxsize=32)
def _levels(theme: str, strength: float, steps: int) -> np.ndarray:
    """The colour of each level -steps/steps ... steps/steps, as `_shade` gives it (read-only)."""
    table = _shade(np.arange(-steps, steps + 1) / steps, theme, strength)
    table.flags.writeable = False
    return table
