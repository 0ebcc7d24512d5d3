"""The network's picture (lessons/network_graph.py) and its PNG writer (lessons/png.py): each unit's
picture is what it outputs, the right way up; one edge per weight, its width and colour from the
weight or its gradient; small enough to send several times a second."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from lessons import png
from lessons.network_graph import EDGE_WIDTHS, SHADES, network_svg, picture_points, unit_outputs
from lessons.plots import colours
from lessons.svg import data_url
from lessons.training import Settings, TrainingRun
from tinytorch import nn

AXIS = np.linspace(-1.5, 1.5, 12)
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def decoded(source: str) -> np.ndarray:
    assert source.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB"))


def rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])


@pytest.fixture(scope="module")
def stepped():
    run = TrainingRun(Settings(layers=2, units=3, seed=2))
    run.advance(5)
    return run


# ---- png ------------------------------------------------------------------------------------------


def test_png_round_trips_through_a_real_decoder():
    picture = np.random.default_rng(0).integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    data = png.encode(picture)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")), picture)


@pytest.mark.parametrize("shape", [(4, 4), (4, 4, 4), (0, 3, 3)])
def test_png_refuses_what_is_not_a_picture(shape):
    with pytest.raises(ValueError, match="height, width, 3"):
        png.encode(np.zeros(shape, dtype=np.uint8))


# ---- what each unit outputs ---------------------------------------------------------------------


def test_unit_outputs_are_the_inputs_each_layer_and_the_probability(stepped):
    model = stepped.model
    outputs = unit_outputs(model, AXIS, AXIS)
    assert [o.shape for o in outputs] == [(12, 12, 2), (12, 12, 3), (12, 12, 3), (12, 12, 1)]
    gx, gy = np.meshgrid(AXIS, AXIS)
    np.testing.assert_array_equal(outputs[0][:, :, 0], gx)
    np.testing.assert_array_equal(outputs[0][:, :, 1], gy)
    layers = model.layer_outputs(np.column_stack([gx.ravel(), gy.ravel()]))
    np.testing.assert_allclose(outputs[2].reshape(-1, 3), layers[1].data, rtol=1e-12)
    np.testing.assert_allclose(outputs[3].ravel(), 1 / (1 + np.exp(-layers[2].data.ravel())), rtol=1e-12)


def test_each_picture_is_its_units_output_the_right_way_up(stepped):
    model = stepped.model
    outputs = unit_outputs(model, AXIS, AXIS)
    images = parse(network_svg(model, outputs)).findall(f"{SVG}image")
    assert len(images) == sum(model.sizes)
    palette = colours("light")
    x1, x2 = decoded(images[0].get("href")), decoded(images[1].get("href"))
    # x₁ grows to the right: violet (negative) on the left, green on the right
    np.testing.assert_array_equal(x1[:, 0], np.tile(rgb(palette["class0"]), (12, 1)))
    np.testing.assert_array_equal(x1[:, -1], np.tile(rgb(palette["class1"]), (12, 1)))
    # x₂ grows upwards: green at the top of the picture
    np.testing.assert_array_equal(x2[0], np.tile(rgb(palette["class1"]), (12, 1)))
    np.testing.assert_array_equal(x2[-1], np.tile(rgb(palette["class0"]), (12, 1)))
    # the output's picture: green where P(class 1) > 0.5, violet where below
    out = decoded(images[-1].get("href"))[::-1]  # back to the grid's row order
    p = outputs[-1][:, :, 0]
    background = rgb(palette["background"])
    greenish = np.abs(out - rgb(palette["class1"])).sum(axis=2) < np.abs(out - background).sum(axis=2)
    sure = np.abs(p - 0.5) > 1.5 / SHADES
    assert np.array_equal(greenish[sure], (p > 0.5)[sure])


def test_each_layer_is_named_above_its_column(stepped):
    svg = network_svg(stepped.model, unit_outputs(stepped.model, AXIS, AXIS))
    words = [t.text for t in parse(svg).iter(f"{SVG}text")]
    assert words == ["inputs", "hidden 1", "hidden 2", "output"]


# ---- edges -----------------------------------------------------------------------------------------


def edges(svg: str) -> list[tuple[str, float, int]]:
    """(colour, width, how many edges) of each group of edges."""
    return [(p.get("stroke"), float(p.get("stroke-width")), p.get("d").count("M"))
            for p in parse(svg).findall(f"{SVG}path")]


def test_one_edge_per_weight_coloured_by_its_sign_and_widest_for_the_largest(stepped):
    model = stepped.model
    found = edges(network_svg(model, unit_outputs(model, AXIS, AXIS), "weights"))
    palette = colours("light")
    weights = np.concatenate([w.data.ravel() for w in model.weights])
    assert sum(n for _, _, n in found) == weights.size == 2 * 3 + 3 * 3 + 3 * 1
    assert sum(n for c, _, n in found if c == palette["class1"]) == np.count_nonzero(weights >= 0)
    assert sum(n for c, _, n in found if c == palette["class0"]) == np.count_nonzero(weights < 0)
    widest = max(found, key=lambda s: s[1])
    assert widest[1] == EDGE_WIDTHS[-1] and widest[2] == 1
    assert widest[0] == (palette["class1"] if weights[np.argmax(np.abs(weights))] >= 0 else palette["class0"])


def test_the_gradients_view_draws_each_weights_last_gradient(stepped):
    model = stepped.model
    found = edges(network_svg(model, unit_outputs(model, AXIS, AXIS), "gradients"))
    assert {c for c, _, _ in found} == {colours("light")["df"]}
    grads = np.abs(np.concatenate([w.grad.data.ravel() for w in model.weights]))
    assert max(w for _, w, _ in found) == EDGE_WIDTHS[-1]
    thin = sum(n for _, w, n in found if w == EDGE_WIDTHS[0])
    assert thin == np.count_nonzero(grads <= grads.max() / len(EDGE_WIDTHS))


def test_before_the_first_step_every_gradient_edge_is_thin():
    model = nn.MLP((2, 2, 1), seed=0)
    found = edges(network_svg(model, unit_outputs(model, AXIS, AXIS), "gradients"))
    assert {w for _, w, _ in found} == {EDGE_WIDTHS[0]} and sum(n for _, _, n in found) == 6


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_picture_is_a_valid_svg_in_both_themes(stepped, theme):
    root = parse(network_svg(stepped.model, unit_outputs(stepped.model, AXIS, AXIS), "gradients", theme))
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    assert {t.get("fill") for t in root.iter(f"{SVG}text")} == {colours(theme)["text"]}


def test_bad_requests_are_refused(stepped):
    outputs = unit_outputs(stepped.model, AXIS, AXIS)
    with pytest.raises(ValueError, match="show"):
        network_svg(stepped.model, outputs, "biases")
    with pytest.raises(ValueError, match="layers"):
        network_svg(stepped.model, outputs[:-1])


def test_the_largest_network_stays_small_enough_to_send_every_tick():
    run = TrainingRun(Settings(layers=4, units=16))
    run.advance(200)
    grid = nn.predict_grid(run.model, run.X, 60)
    n = picture_points(run.model.sizes)
    axis = np.linspace(grid.xs[0], grid.xs[-1], n), np.linspace(grid.ys[0], grid.ys[-1], n)
    shown = data_url(network_svg(run.model, unit_outputs(run.model, *axis)))
    assert len(shown) < 120_000, len(shown)
    assert n < picture_points((2, 8, 8, 1))  # smaller pictures when there are many
