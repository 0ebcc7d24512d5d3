"""The network's picture (lessons/network_graph.py) and its PNG writer (lessons/png.py): each unit's
picture is what it outputs, the right way up; one edge per weight, its width and colour from the
weight or its gradient; every number in the hover text; small enough to send several times a second."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from lessons import png
from lessons.network_graph import EDGE_WIDTHS, SHADES, network_figure, picture_points, unit_outputs
from lessons.plots import colours
from lessons.training import Settings, TrainingRun
from lessons.viz import format_number
from tinytorch import nn

AXIS = np.linspace(-1.5, 1.5, 12)


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
    fig = network_figure(model, outputs)
    images = fig.layout.images
    assert len(images) == sum(model.sizes)
    palette = colours("light")
    x1, x2 = decoded(images[0].source), decoded(images[1].source)
    # x₁ grows to the right: violet (negative) on the left, green on the right
    np.testing.assert_array_equal(x1[:, 0], np.tile(rgb(palette["class0"]), (12, 1)))
    np.testing.assert_array_equal(x1[:, -1], np.tile(rgb(palette["class1"]), (12, 1)))
    # x₂ grows upwards: green at the top of the picture
    np.testing.assert_array_equal(x2[0], np.tile(rgb(palette["class1"]), (12, 1)))
    np.testing.assert_array_equal(x2[-1], np.tile(rgb(palette["class0"]), (12, 1)))
    # the output's picture: green where P(class 1) > 0.5, violet where below
    out = decoded(images[-1].source)[::-1]  # back to the grid's row order
    p = outputs[-1][:, :, 0]
    background = rgb(palette["background"])
    greenish = np.abs(out - rgb(palette["class1"])).sum(axis=2) < np.abs(out - background).sum(axis=2)
    assert np.array_equal(greenish[np.abs(p - 0.5) > 1.5 / SHADES], (p > 0.5)[np.abs(p - 0.5) > 1.5 / SHADES])


# ---- edges -----------------------------------------------------------------------------------------


def segments(fig: go.Figure) -> list[tuple[str, float, int]]:
    """(colour, width, how many edges) of each edge trace."""
    found = []
    for t in fig.data:
        if t.mode == "lines":
            found.append((t.line.color, t.line.width, int(np.count_nonzero(np.isnan(np.asarray(t.x, dtype=float))))))
    return found


def test_one_edge_per_weight_coloured_by_its_sign_and_widest_for_the_largest(stepped):
    model = stepped.model
    fig = network_figure(model, unit_outputs(model, AXIS, AXIS), "weights")
    palette = colours("light")
    weights = np.concatenate([w.data.ravel() for w in model.weights])
    found = segments(fig)
    assert sum(n for _, _, n in found) == weights.size == 2 * 3 + 3 * 3 + 3 * 1
    assert sum(n for c, _, n in found if c == palette["class1"]) == np.count_nonzero(weights >= 0)
    assert sum(n for c, _, n in found if c == palette["class0"]) == np.count_nonzero(weights < 0)
    widest = max(found, key=lambda s: s[1])
    assert widest[1] == EDGE_WIDTHS[-1]
    assert widest[0] == (palette["class1"] if weights[np.argmax(np.abs(weights))] >= 0 else palette["class0"])


def test_the_gradients_view_draws_each_weights_last_gradient(stepped):
    model = stepped.model
    fig = network_figure(model, unit_outputs(model, AXIS, AXIS), "gradients")
    found = segments(fig)
    assert {c for c, _, _ in found} == {colours("light")["df"]}
    grads = np.concatenate([w.grad.data.ravel() for w in model.weights])
    assert max(w for _, w, _ in found) == EDGE_WIDTHS[-1]
    thin = [n for _, w, n in found if w == EDGE_WIDTHS[0]]
    assert sum(thin) == np.count_nonzero(np.abs(grads) <= np.abs(grads).max() / len(EDGE_WIDTHS))


def test_the_hover_text_gives_every_weight_and_gradient_and_every_bias(stepped):
    model = stepped.model
    fig = network_figure(model, unit_outputs(model, AXIS, AXIS))
    (edges,) = [t for t in fig.data if t.name == "weights"]
    w, g = model.weights[1].data, model.weights[1].grad.data
    text = edges.hovertext[2 * 3 + 1 * 3 + 2]  # layer 1, unit 2 → layer 2, unit 3
    assert text.startswith("layer 1, unit 2 → layer 2, unit 3")
    assert f"weight {format_number(w[1, 2])}" in text and f"gradient {format_number(g[1, 2])}" in text
    (units,) = [t for t in fig.data if t.name == "units"]
    b = model.biases[0]
    assert units.hovertext[0] == "x₁" and units.hovertext[-1].startswith("output, P(class 1)")
    assert f"bias {format_number(b.data[0])}, gradient {format_number(b.grad.data[0])}" in units.hovertext[2]
    quiet = network_figure(model, unit_outputs(model, AXIS, AXIS), hover=False)
    assert not [t for t in quiet.data if t.name == "weights"]  # while playing: pictures only


def test_before_the_first_step_there_is_no_gradient_to_show():
    model = nn.MLP((2, 2, 1), seed=0)
    fig = network_figure(model, unit_outputs(model, AXIS, AXIS), "gradients")
    (edges,) = [t for t in fig.data if t.name == "weights"]
    assert all("gradient — (no step yet)" in text for text in edges.hovertext)
    assert {w for _, w, _ in segments(fig)} == {EDGE_WIDTHS[0]}


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_figure_validates_in_both_themes(stepped, theme):
    fig = network_figure(stepped.model, unit_outputs(stepped.model, AXIS, AXIS), "gradients", theme)
    go.Figure(fig.to_dict())
    assert fig.layout.font.color == colours(theme)["text"]


def test_bad_requests_are_refused(stepped):
    outputs = unit_outputs(stepped.model, AXIS, AXIS)
    with pytest.raises(ValueError, match="show"):
        network_figure(stepped.model, outputs, "biases")
    with pytest.raises(ValueError, match="layers"):
        network_figure(stepped.model, outputs[:-1])


def test_the_largest_network_stays_small_enough_to_send_every_tick():
    run = TrainingRun(Settings(layers=4, units=16))
    run.advance(200)
    grid = nn.predict_grid(run.model, run.X, 60)
    n = picture_points(run.model.sizes)
    axis = np.linspace(grid.xs[0], grid.xs[-1], n), np.linspace(grid.ys[0], grid.ys[-1], n)
    playing = network_figure(run.model, unit_outputs(run.model, *axis), hover=False).to_json()
    assert len(playing) < 120_000, len(playing)
    assert n < picture_points((2, 8, 8, 1))  # smaller pictures when there are many
    assert playing.count("data:image") == sum(run.model.sizes)
