"""The theme a student picks in the app's menu (light or dark), followed in the browser at once.

Streamlit restyles its own widgets when the theme is switched, but tells the server only at the
next rerun, so whatever the server drew in the old theme's colours (a Plotly figure, a picture)
would wait for the next click. A small component (ui/theme.js) sees the switch in the browser:

* `follow()`, once per run from the entry script, marks the page's <html> with the theme
  (`data-tt-theme`, and the CSS `color-scheme`) and carries the app's own stylesheet, whose
  rules may depend on it (a primary button's text);
* `plotly_chart(build, key)` draws `build(theme)` and sends, beside it, what differs in the
  other theme's figure: the browser restyles the chart in place when the theme is switched;
* `rerun_on_switch()` asks for a rerun instead, for pictures only the server can redraw (the
  network page's).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from lessons import palette, plots

_HERE = Path(__file__).parent
THEMES = ("light", "dark")
SWITCHED = "theme"  # the event rerun_on_switch's mount sends


def current() -> str:
    """The app's current theme as the server last heard it: "light" or "dark"."""
    kind = getattr(getattr(st.context, "theme", None), "type", None)
    return "dark" if kind == "dark" else "light"


def stylesheet() -> str:
    """The app's own CSS: theme-dependent rules written from lessons/palette.py (--tt-focus is the
    theme's primary colour, x's blue), then ui/theme.css."""
    rules = [f'html[data-tt-theme="{theme}"]{{--tt-focus:{palette.ROLES[theme]["x"]}}}'
             f'html[data-tt-theme="{theme}"] [data-testid="stBaseButton-primary"]:not(:disabled)'
             f"{{color:{palette.BUTTON_TEXT[theme]}}}" for theme in THEMES]
    return "\n".join(rules) + "\n" + (_HERE / "theme.css").read_text(encoding="utf-8")


_HOOK = st.components.v2.component("tinytorch.theme", css=stylesheet(),
                                   js=(_HERE / "theme.js").read_text(encoding="utf-8"), isolate_styles=False)


def follow() -> None:
    """Mark the page with the theme the browser shows, now and whenever it is switched."""
    with st.sidebar:
        _HOOK(key="tt-theme", data={"role": "page"})


def rerun_on_switch() -> None:
    """Rerun the page when the browser's theme is not the one the server drew it in."""
    with st.sidebar:
        _HOOK(key="tt-theme-rerun", data={"role": "rerun", "theme": current()}, on_theme_change=lambda: None)


def restyle(light: go.Figure, dark: go.Figure) -> dict[str, dict]:
    """For each theme, what to set on a chart drawn in the other one to show it in this one:
    {"light": {"traces": [[index, {attribute: value}]], "layout": {attribute: value}}, "dark": ...}."""
    a, b = light.to_plotly_json(), dark.to_plotly_json()  # (no JSON text: a contour's grid is large)
    return {"light": plots.restyle_patch(b, a), "dark": plots.restyle_patch(a, b)}


def plotly_chart(build: Callable[[str], go.Figure], *, key: str, **kwargs) -> None:
    """st.plotly_chart of `build(theme)` for the current theme (no Streamlit theme on top), which
    the browser restyles at once when the menu switches the theme."""
    theme = current()
    figures = {t: build(t) for t in THEMES}
    st.plotly_chart(figures[theme], theme=None, key=key, **kwargs)
    _HOOK(key=f"tt-theme-{key}", data={"role": "chart", "chart": key, "theme": theme,
                                       "patches": restyle(figures["light"], figures["dark"])})
