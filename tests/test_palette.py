"""The app's colours (lessons/palette.py): one meaning each on the graph, the plots and the slider;
legible as text in light and dark (WCAG contrast); apart for colour-blind eyes (simulated)."""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path

import numpy as np
import pytest

from lessons import plots, viz
from lessons.palette import BACKGROUNDS, BUTTON_TEXT, MEANINGS, ROLES, colours, diverging

ROOT = Path(__file__).resolve().parent.parent
THEMES = sorted(ROLES)
CALCULUS = ("x", "f", "df", "d2f", "tangent")  # together on the Playground's plot and graph
NETWORK = ("x", "f", "df", "class0", "class1")  # together on the network page
MIN_CONTRAST = 4.5  # WCAG AA for text
MIN_DELTA_E = 12.0  # CIE76 distance between two roles' colours, with every kind of colour blindness

# Machado, Oliveira & Fernandes (2009), severity 1: full protanopia, deuteranopia, tritanopia, on linear RGB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    "typical": np.eye(3),
}


def linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(hex_colour: str) -> float:
    return float(np.dot([0.2126, 0.7152, 0.0722], linear(hex_colour)))


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(
        rgb_linear, 0, 1)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_the_contrast_and_distance_helpers_know_the_textbook_values():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the classic just-fails grey
    np.testing.assert_allclose(lab(linear("#FFFFFF")), [100, 0, 0], atol=0.05)
    # a simulated deuteranope cannot tell this red from this green: the test can fail
    red, green = (np.array(CVD["deuteranopia"]) @ linear(c) for c in ("#D81B1B", "#6E9100"))
    assert np.linalg.norm(lab(red) - lab(green)) < MIN_DELTA_E


@pytest.mark.parametrize("theme", THEMES)
def test_every_role_reads_as_text_on_its_background(theme):
    for role, colour in ROLES[theme].items():
        assert contrast(colour, BACKGROUNDS[theme]) >= MIN_CONTRAST, (theme, role, colour)
    palette = plots.colours(theme)
    for neutral in ("text", "muted"):
        assert contrast(palette[neutral], BACKGROUNDS[theme]) >= MIN_CONTRAST, (theme, neutral)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("vision", sorted(CVD))
def test_roles_seen_together_stay_apart_with_colour_blindness(theme, vision):
    matrix = np.array(CVD[vision])
    seen = {role: lab(matrix @ linear(colour)) for role, colour in ROLES[theme].items()}
    for group in (CALCULUS, NETWORK):
        for a, b in itertools.combinations(group, 2):
            assert np.linalg.norm(seen[a] - seen[b]) >= MIN_DELTA_E, (theme, vision, a, b)


@pytest.mark.parametrize("theme", THEMES)
def test_the_graph_and_the_plots_give_each_colour_the_same_meaning(theme):
    role = colours(theme)
    graph, plot = viz.THEMES[theme], plots.colours(theme)
    assert graph["input"][1] == role["x"] == plot["point"]  # the x box, the point at x
    assert graph["output"][1] == role["f"] == plot["f"]  # the output box, the f curve
    assert graph["accent"] == role["df"] == plot["df"]  # the backward pass's highlight, f′
    for name in ("d2f", "tangent", "class0", "class1"):
        assert plot[name] == role[name]
    assert set(MEANINGS) == set(role)
    # no other graph colour borrows a role's colour for something else
    others = {c for kind, style in graph.items() if kind not in ("input", "output", "accent")
              for c in (style if isinstance(style, tuple) else (style,))}
    assert not others & set(role.values())


@pytest.mark.parametrize("theme", THEMES)
def test_graph_text_reads_on_every_box(theme):
    for kind, style in viz.THEMES[theme].items():
        if isinstance(style, tuple) and kind != "dim":  # a stale graph is greyed out on purpose
            fill, _, text, _, _ = style
            assert contrast(text, fill) >= MIN_CONTRAST, (theme, kind)


def test_the_slider_is_xs_blue():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    for theme in THEMES:
        assert config["theme"][theme]["primaryColor"] == ROLES[theme]["x"]


def test_an_unknown_theme_is_refused():
    with pytest.raises(ValueError, match="theme"):
        colours("sepia")


def _mix(colour: str, alpha: float, background: str) -> str:
    """`colour` drawn at `alpha` over `background`, as the browser blends it."""
    top, under = (np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)]) for c in (colour, background))
    return "#" + "".join(f"{round(v):02X}" for v in alpha * top + (1 - alpha) * under)


def test_the_apps_theme_is_the_one_the_colours_are_chosen_for_and_its_text_reads():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["theme"]
    for theme in THEMES:
        assert config[theme]["backgroundColor"] == BACKGROUNDS[theme]
        # a primary button: its text on x's blue
        assert contrast(BUTTON_TEXT[theme], config[theme]["primaryColor"]) >= MIN_CONTRAST, theme
    # Streamlit draws captions in the text colour at 60%: on the page and on the sidebar's grey
    ink = config["light"]["textColor"]
    for background in (BACKGROUNDS["light"], "#F8F8F7"):
        assert contrast(_mix(ink, 0.6, background), background) >= MIN_CONTRAST, background
    assert contrast(_mix("#2F2D2B", 0.6, "#FFFFFF"), "#FFFFFF") < MIN_CONTRAST  # Streamlit's own text: it can fail


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(("strength", "steps"), [(1.0, 16), (0.45, 16), (0.7, 3)])
def test_a_shading_in_steps_is_the_smooth_shading_of_the_rounded_values(theme, strength, steps):
    values = np.concatenate([np.random.default_rng(1).uniform(-1.4, 1.4, 4000), np.linspace(-1, 1, 401),
                             [0.0, -0.0, np.inf, -np.inf, 0.5 / steps, -1.5 / steps]])  # ties round to even
    rounded = np.round(np.clip(values, -1, 1) * steps) / steps
    stepped = diverging(values, theme, strength, steps)
    assert np.array_equal(stepped, diverging(rounded, theme, strength))
    assert len({tuple(c) for c in stepped}) == 2 * steps + 1  # every level, and no other colour
    background = diverging(np.zeros(1), theme, strength)
    assert np.array_equal(diverging(np.array([np.nan]), theme, strength, steps), background)  # a nan shows as 0
