"""The network page's live pictures (lessons/training_plots.py) and the SVG they are drawn with
(lessons/svg.py): the boundary where P = 0.5 by marching squares, every point in its place and
shape, the loss and accuracy curves through the history's numbers, valid and small."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from lessons.plots import colours
from lessons.svg import Frame, data_url, document, nice_ticks, text
from lessons.training import Record, Settings, TrainingRun
from lessons.training_plots import LOSS_POINTS, boundary_segments, boundary_svg, loss_svg
from tinytorch.nn import BoundaryGrid, predict_grid

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


@pytest.fixture(scope="module")
def trained():
    run = TrainingRun(Settings(units=4, seed=1))
    run.advance(60)
    return run


# ---- svg -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("low", "high", "expected"), [
    (0, 0.69, [0.0, 0.2, 0.4, 0.6]), (0, 1000, [0, 200, 400, 600, 800, 1000]), (-1.3, 2.2, [-1, 0, 1, 2]),
    (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]), (5, 5, [5]),
])
def test_nice_ticks_are_round_numbers_within_the_range(low, high, expected):
    assert nice_ticks(low, high) == pytest.approx(expected)


def test_a_frame_maps_data_to_pixels_with_larger_y_up_and_gaps_for_nan():
    frame = Frame(0, 10, -1, 1, left=50, top=20, width=100, height=40)
    assert (float(frame.x(0)), float(frame.x(10)), float(frame.y(1)), float(frame.y(-1))) == (50, 150, 20, 60)
    root = parse(document(200, 100, [frame.polyline([0, 5, np.nan, 8, 10], [0, 1, 0, -1, 0], "#000", dash="4 2")]))
    runs = root.findall(f"{SVG}polyline")
    assert [r.get("points") for r in runs] == ["50.0,40.0 100.0,20.0", "130.0,60.0 150.0,40.0"]
    assert runs[0].get("stroke-dasharray") == "4 2"


def test_text_is_escaped_and_a_document_is_a_scalable_svg_and_a_data_url():
    svg = document(120, 40, [text(10, 20, "<b>&</b>", "#111")])
    root = parse(svg)
    assert root.get("viewBox") == "0 0 120 40" and root.find(f"{SVG}text").text == "<b>&</b>"
    assert base64.b64decode(data_url(svg).split(",", 1)[1]).decode() == svg


# ---- the boundary ------------------------------------------------------------------------------------


def test_marching_squares_finds_a_straight_boundary_where_it_is():
    xs, ys = np.linspace(-1, 1, 21), np.linspace(-1, 1, 11)
    z = np.tile(0.5 + 0.4 * (xs - 0.33), (len(ys), 1))  # P = 0.5 on the line x = 0.33
    segments = boundary_segments(xs, ys, z)
    assert len(segments) == len(ys) - 1  # one per row of cells
    np.testing.assert_allclose(segments[:, [0, 2]], 0.33, atol=1e-12)
    assert sorted(segments[:, 1]) == pytest.approx(ys[:-1])


def test_marching_squares_traces_a_circle():
    xs = ys = np.linspace(-1, 1, 41)
    gx, gy = np.meshgrid(xs, ys)
    segments = boundary_segments(xs, ys, gx**2 + gy**2, level=0.36)  # the circle of radius 0.6
    for x, y in (segments[:, :2].T, segments[:, 2:].T):
        np.testing.assert_allclose(np.hypot(x, y), 0.6, atol=0.01)  # linear interpolation, close
    assert len(boundary_segments(xs, ys, gx * 0 + 0.2)) == 0  # nothing crosses: no line


def test_marching_squares_crosses_every_mixed_cell_of_a_rough_field_on_its_edges():
    xs, ys = np.linspace(-1, 1, 15), np.linspace(0, 3, 12)
    z = np.random.default_rng(7).uniform(0, 1, (len(ys), len(xs)))  # rough: saddles and islands
    above = z >= 0.5
    corners = np.stack([above[:-1, :-1], above[:-1, 1:], above[1:, 1:], above[1:, :-1]])
    count = corners.sum(axis=0)
    saddles = (count == 2) & (corners[0] == corners[2])  # two corners above, diagonally
    segments = boundary_segments(xs, ys, z)
    assert saddles.any() and len(segments) == ((count > 0) & (count < 4)).sum() + saddles.sum()
    for x, y in np.concatenate([segments[:, :2], segments[:, 2:]]):  # each end: on a cell edge, where z = 0.5
        j, i = np.searchsorted(xs, x, side="right") - 1, np.searchsorted(ys, y, side="right") - 1
        if np.isclose(x, xs).any():  # on a vertical edge: interpolate along y
            j = int(np.argmin(np.abs(xs - x)))
            i = min(i, len(ys) - 2)
            t = (y - ys[i]) / (ys[i + 1] - ys[i])
            assert z[i, j] + t * (z[i + 1, j] - z[i, j]) == pytest.approx(0.5)
        else:  # on a horizontal edge: interpolate along x
            i = int(np.argmin(np.abs(ys - y)))
            assert np.isclose(y, ys[i])
            t = (x - xs[j]) / (xs[j + 1] - xs[j])
            assert z[i, j] + t * (z[i, j + 1] - z[i, j]) == pytest.approx(0.5)


def test_the_boundary_picture_shows_every_point_by_class_and_set(trained):
    run = trained
    grid = predict_grid(run.model, run.X, n=30)
    root = parse(boundary_svg(grid, run.X_train, run.y_train, run.X_test, run.y_test))
    palette = colours("light")
    placed = [u.get("href") for u in root.findall(f"{SVG}use")][:-3]  # the legend's three come last
    for kind, labels in (("p", run.y_train), ("q", run.y_test)):  # filled training, open test points
        for label in (0, 1):
            assert placed.count(f"#{kind}{label}") == np.count_nonzero(labels == label)
    shapes = {d.get("id"): d for d in root.find(f"{SVG}defs")}
    assert shapes["p0"].tag == f"{SVG}circle" and shapes["p1"].tag == f"{SVG}path"  # circles and diamonds
    assert shapes["p0"].get("fill") == palette["class0"] and shapes["q0"].get("stroke") == palette["class0"]
    assert shapes["q1"].get("fill") == palette["background"] and shapes["p1"].get("fill") == palette["class1"]
    first = root.findall(f"{SVG}use")[0]
    frame_x = 56 + (run.X_train[0, 0] - grid.xs[0]) / (grid.xs[-1] - grid.xs[0]) * (360 - 72)
    assert float(first.get("x")) == pytest.approx(frame_x, abs=0.05)  # where the point is


def test_the_boundary_picture_is_the_probability_the_right_way_up():
    xs = ys = np.linspace(-1, 1, 20)
    gx, gy = np.meshgrid(xs, ys)
    grid = BoundaryGrid(xs, ys, 1 / (1 + np.exp(-8 * gy)))  # class 1 above y = 0
    root = parse(boundary_svg(grid, np.zeros((0, 2)), np.zeros(0), np.zeros((0, 2)), np.zeros(0)))
    (image,) = root.findall(f"{SVG}image")
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(image.get("href").split(",", 1)[1]))).convert("RGB"))
    red, green, blue = pixels[0].mean(axis=0)  # the top of the picture is y = 1: class 1's green
    assert green > red and green > blue
    red, green, blue = pixels[-1].mean(axis=0)  # the bottom, class 0's violet
    assert red > green and blue > green
    (line,) = [p for p in root.findall(f"{SVG}path") if p.get("stroke-linecap")]
    assert line.get("d").count("M") == len(xs) - 1  # the boundary y = 0 crosses every column of cells


# ---- loss and accuracy -----------------------------------------------------------------------------


def test_the_loss_chart_draws_each_curve_through_the_historys_numbers(trained):
    root = parse(loss_svg(trained.history))
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 4  # training and test, loss and accuracy
    solid = [ln for ln in lines if not ln.get("stroke-dasharray")]
    dashed = [ln for ln in lines if ln.get("stroke-dasharray")]
    assert len(solid) == len(dashed) == 2
    for line in lines:
        assert len(line.get("points").split()) == len(trained.history)
    # the training loss starts at the untrained network's loss: the highest point of its panel
    xs, ys = np.array([p.split(",") for p in solid[0].get("points").split()], dtype=float).T
    assert xs[0] == xs.min() and np.argmin(ys) == np.argmax([r.train_loss for r in trained.history])
    words = " ".join(t.text for t in root.iter(f"{SVG}text"))
    latest = trained.latest
    assert "step 60: test loss" in words and f"test accuracy {latest.test_accuracy:.0%}" in words


def test_a_long_history_is_thinned_but_keeps_its_ends():
    history = [Record(k, 1 / (k + 1), 0.5, 2 / (k + 1), 0.4) for k in range(5001)]
    svg = loss_svg(history)
    first = parse(svg).find(f"{SVG}polyline").get("points").split()
    assert len(first) <= LOSS_POINTS
    assert len(data_url(svg)) < 60_000  # what a tick sends stays small however long the run
    assert "step 5,000" in svg


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_both_pictures_follow_the_theme(trained, theme):
    palette = colours(theme)
    grid = predict_grid(trained.model, trained.X, n=20)
    for svg in (loss_svg(trained.history, theme),
                boundary_svg(grid, trained.X_train, trained.y_train, trained.X_test, trained.y_test, theme)):
        assert {t.get("fill") for t in parse(svg).iter(f"{SVG}text")} == {palette["text"]}
