"""The "Train a tiny network" page through AppTest: settings from a link, training with the Train
button (few steps, to stay fast), the trained model kept per session, and its numbers checked
against the same training run outside the app."""

from __future__ import annotations

import numpy as np
import pytest
from apptest import contour, figure, metric, names, no_exception, open_app, trace

from lessons import datasets
from tinytorch import nn
from ui import view

PAGE = "pages/network.py"
STEPS = 40  # a few steps: enough for the loss to fall, fast in a test


def reference(data: str, noise: float, activation: str, optimizer: str, steps: int):
    """The training the page should do, run here directly: (X, y, history, accuracy after it,
    the boundary grid)."""
    X, y = datasets.make(data, n=view.NETWORK_POINTS, noise=noise, seed=0)
    model = nn.MLP(activation=activation)
    history = nn.train(model, X, y, steps, nn.OPTIMIZERS[optimizer](model.parameters()))
    return X, y, history, nn.accuracy(model(X), y), nn.predict_grid(model, X)


def test_before_training_the_data_and_the_untrained_guess_are_shown():
    at = open_app(PAGE)
    no_exception(at)
    assert at.selectbox(key="data").value == datasets.DATASETS[0]
    assert (at.radio(key="act").value, at.radio(key="opt").value) == ("tanh", "Adam")
    assert at.slider(key="epochs").value == view.DEFAULT_TRAIN_STEPS
    assert len(at.get("plotly_chart")) == 1  # the boundary; no loss curve yet
    X, y = datasets.make(datasets.DATASETS[0], n=view.NETWORK_POINTS, noise=view.DEFAULT_NOISE, seed=0)
    for label in (0, 1):
        np.testing.assert_array_equal(np.column_stack(trace(figure(at), f"class {label}")), X[y == label])
    assert "Press **Train**" in at.info[0].value and not at.metric


@pytest.mark.parametrize(("data", "activation", "optimizer"), [("moons", "tanh", "Adam"), ("xor", "relu", "SGD")])
def test_training_draws_a_falling_loss_and_reports_the_accuracy(data, activation, optimizer):
    noise = 0.15
    at = open_app(PAGE, data=data, noise=noise, act=activation, opt=optimizer, epochs=STEPS)
    at.button(key="train").click().run()
    no_exception(at)
    X, y, history, accuracy, boundary = reference(data, noise, activation, optimizer, STEPS)
    steps, losses = trace(figure(at, 1), "loss (cross-entropy)")
    np.testing.assert_array_equal(steps, np.arange(1, STEPS + 1))
    np.testing.assert_allclose(losses, [h.loss for h in history], rtol=1e-12)
    assert losses[-1] < losses[0]
    assert metric(at, "Accuracy") == f"{accuracy:.1%}"
    xs, ys, probs = contour(figure(at, 0), "P(class 1)")  # the trained model's, not a snapshot during training
    np.testing.assert_allclose(xs, boundary.xs, rtol=1e-12)
    np.testing.assert_allclose(ys, boundary.ys, rtol=1e-12)
    np.testing.assert_allclose(probs, boundary.probs, atol=1e-6)  # sent as float32


def test_the_trained_model_stays_until_a_setting_changes():
    at = open_app(PAGE, epochs=STEPS)
    at.button(key="train").click().run()
    trained = figure(at, 0)
    at.run()  # any rerun: the boundary and the numbers stay
    no_exception(at)
    assert figure(at, 0)["data"][0]["z"] == trained["data"][0]["z"] and metric(at, "Accuracy")
    at.radio(key="act").set_value("relu").run()
    no_exception(at)
    assert not at.metric and "other settings" in at.info[0].value
    at.radio(key="act").set_value("tanh").run()  # back to the settings it was trained with
    assert metric(at, "Accuracy") and "loss (cross-entropy)" in names(figure(at, 1))


def test_the_trained_model_belongs_to_its_session():
    first = open_app(PAGE, epochs=STEPS)
    first.button(key="train").click().run()
    second = open_app(PAGE, epochs=STEPS)  # another browser tab: its own session
    no_exception(second)
    assert metric(first, "Accuracy") and not second.metric
