"""The "Train a tiny network" page through AppTest: every setting from a link, play / pause / step /
reset, training that goes on across reruns (each run of the page while playing is one tick), the
numbers against the same run outside the app, test scores beside training ones, and the network's
picture with its weights and gradients."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from apptest import no_exception, open_app, streamlit_log
from PIL import Image

from lessons import training
from lessons.network_graph import SHADES
from lessons.palette import diverging
from lessons.plots import colours
from lessons.training import Settings, TrainingRun
from lessons.training_plots import BOUNDARY_POINTS, BOUNDARY_STRENGTH
from tinytorch import nn
from ui import view

PAGE = "pages/network.py"
SVG = "{http://www.w3.org/2000/svg}"
LINK = {"data": "xor", "noise": 0.2, "split": 70, "seed": 4, "layers": 3, "units": 5, "act": "relu", "opt": "SGD",
        "nlr": 0.1, "l2": 0.001, "batch": 7}
LINKED = Settings("xor", 0.2, 70, 4, 3, 5, "relu", "SGD", 0.1, 0.001, 7)


def pictures(at) -> dict[str, ET.Element]:
    """The page's three pictures (SVG shown as images), in their order on the page, parsed."""
    images = [image for element in at.get("image") for image in element.proto.imgs]
    assert len(images) == 3
    return {key: ET.fromstring(base64.b64decode(image.url.split(",", 1)[1]).decode())
            for key, image in zip(("network", "boundary", "loss"), images)}


def png(element: ET.Element) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(element.get("href").split(",", 1)[1]))).convert("RGB"))


def numbers(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_numbers(run: TrainingRun) -> dict[str, str]:
    r = run.latest
    return {"Training loss": f"{r.train_loss:.3f}", "Test loss": f"{r.test_loss:.3f}",
            "Training accuracy": f"{r.train_accuracy:.0%}", "Test accuracy": f"{r.test_accuracy:.0%}"}


def status(at) -> str:
    (line,) = [c.value for c in at.caption if c.value.startswith("Step ")]
    return line


def click(at, key: str):
    at.button(key=key).click().run()
    no_exception(at)
    return at


def test_the_first_view_shows_the_untrained_network_paused_with_every_default():
    at = open_app(PAGE)
    no_exception(at)
    defaults = Settings()
    assert at.selectbox(key="data").value == defaults.data
    assert (at.slider(key="layers").value, at.slider(key="units").value) == (defaults.layers, defaults.units)
    assert (at.radio(key="act").value, at.radio(key="opt").value) == (defaults.activation, defaults.optimizer)
    assert at.select_slider(key="nlr").value == defaults.lr and at.select_slider(key="l2").value == defaults.l2
    assert (at.slider(key="batch").value, at.slider(key="split").value) == (defaults.batch, 50)
    assert at.number_input(key="seed").value == defaults.seed
    assert at.button(key="play").label == "Play"
    assert status(at).startswith("Step 0 · epoch 0") and "100 test points" in status(at)
    assert numbers(at) == expected_numbers(TrainingRun(defaults))
    shown = pictures(at)
    assert len(shown["network"].findall(f"{SVG}image")) == sum(defaults.sizes)  # a picture per unit
    assert at.main.expander  # paused: every weight in a table


def test_a_link_sets_every_control_and_steps_reproduce_the_same_run():
    at = open_app(PAGE, **LINK)
    no_exception(at)
    reference = TrainingRun(LINKED)
    assert numbers(at) == expected_numbers(reference)
    for _ in range(3):
        click(at, "step_once")
    reference.advance(3)
    assert status(at).startswith("Step 3 · epoch 1 · batches of 7 from 140 training points; 60 test points")
    assert numbers(at) == expected_numbers(reference)
    shown = pictures(at)
    (shading,) = shown["boundary"].findall(f"{SVG}image")
    grid = nn.predict_grid(reference.model, reference.X, BOUNDARY_POINTS)
    expected = diverging((2 * grid.probs - 1)[::-1], "light", BOUNDARY_STRENGTH, SHADES)
    np.testing.assert_array_equal(png(shading), expected)  # the trained model's probabilities, pixel for pixel
    lines = shown["loss"].findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [4, 4, 4, 4]  # steps 0 to 3
    words = " ".join(t.text for t in shown["loss"].iter(f"{SVG}text"))
    assert f"step 3: test loss {reference.latest.test_loss:.3g}" in words


def test_playing_trains_a_tick_per_run_until_paused():
    at = open_app(PAGE)
    click(at, "play")
    assert at.button(key="play").label == "Pause"
    assert status(at).startswith(f"Step {view.STEPS_PER_TICK} ") and status(at).endswith("Training…")
    at.run()  # the next tick (in the browser, the fragment reruns every TICK_SECONDS)
    at.run()
    reference = TrainingRun(Settings())
    reference.advance(3 * view.STEPS_PER_TICK)
    assert numbers(at) == expected_numbers(reference)
    assert not at.main.expander  # no table while playing: every tick stays light
    click(at, "play")  # pause
    at.run()
    assert at.button(key="play").label == "Play" and status(at).startswith(f"Step {3 * view.STEPS_PER_TICK} ")
    assert numbers(at) == expected_numbers(reference)


def test_a_click_delivered_twice_does_what_it_said_once():
    # While the fragment reruns, Streamlit may run a button's callback twice for one click (seen in
    # Chromium: Pause paused, then played again). Pause says what to reach, so the second delivery,
    # simulated here by doing the first one by hand, changes nothing.
    at = open_app(PAGE)
    click(at, "play")
    at.session_state[view.PLAYING] = False  # the first delivery of "Pause"...
    at.button(key="play").click().run()  # ...and the second, from the same rendering
    assert at.button(key="play").label == "Play" and not at.session_state[view.PLAYING]


def test_step_while_playing_pauses_and_then_trains_one_batch_a_click():
    at = open_app(PAGE)
    click(at, "play")
    click(at, "step_once")
    assert at.button(key="play").label == "Play" and status(at).startswith(f"Step {view.STEPS_PER_TICK} ")
    for clicks in (1, 2):
        click(at, "step_once")
        assert status(at).startswith(f"Step {view.STEPS_PER_TICK + clicks} ")


def test_reset_goes_back_to_the_same_first_weights():
    at = open_app(PAGE, seed=9)
    first = numbers(at)
    for _ in range(2):
        click(at, "step_once")
    assert numbers(at) != first
    click(at, "reset")
    assert status(at).startswith("Step 0 ") and numbers(at) == first


def test_changing_a_setting_starts_a_new_run_that_a_link_reproduces():
    at = open_app(PAGE)
    click(at, "play")
    at.slider(key="units").set_value(4).run()
    no_exception(at)
    assert at.button(key="play").label == "Pause"  # still playing, on the new network
    assert status(at).startswith(f"Step {view.STEPS_PER_TICK} ")
    other = open_app(PAGE, units=4)  # the link of that view, in another browser
    click(other, "play")
    assert numbers(other) == numbers(at)


def test_new_points_and_weights_is_the_next_seed():
    at = open_app(PAGE, seed=3)
    with streamlit_log() as log:
        click(at, "reseed")
    assert at.number_input(key="seed").value == 4
    assert numbers(at) == expected_numbers(TrainingRun(Settings(seed=4)))
    assert not log, [r.getMessage() for r in log]


def test_the_network_picture_shows_weights_or_the_last_gradients():
    at = open_app(PAGE, units=3)
    click(at, "step_once")
    palette = colours("light")

    def edge_colours():
        return {p.get("stroke") for p in pictures(at)["network"].findall(f"{SVG}path")}

    assert edge_colours() <= {palette["class0"], palette["class1"]}  # weights: their sign
    at.radio(key="edges").set_value("gradients").run()
    no_exception(at)
    assert edge_colours() == {palette["df"]}  # the gradients' colour
    assert open_app(PAGE, edges="gradients").radio(key="edges").value == "gradients"  # a link can ask for it


def test_every_weight_and_its_gradient_are_listed_when_paused():
    at = open_app(PAGE, layers=1, units=2)
    click(at, "step_once")
    run = at.session_state[view.NETWORK_RUN]
    table = at.dataframe[0].value
    assert len(table) == 2 * 2 + 2 + 2 * 1 + 1  # weights and biases of 2-2-1
    first_layer = table[(table["layer"] == 1) & (table["parameter"] == "weight")]
    np.testing.assert_allclose(first_layer["value"], run.model.weights[0].data.ravel(), rtol=1e-12)
    np.testing.assert_allclose(first_layer["gradient"], run.model.weights[0].grad.data.ravel(), rtol=1e-12)


def test_a_run_at_its_limit_stops_playing_and_says_so(monkeypatch):
    monkeypatch.setattr(training, "MAX_RUN_STEPS", 2 * view.STEPS_PER_TICK)
    at = open_app(PAGE)
    click(at, "play")
    at.run()
    no_exception(at)
    assert at.button(key="play").label == "Play" and at.button(key="play").disabled
    assert f"limit of {2 * view.STEPS_PER_TICK:,} steps" in status(at)


def test_the_run_belongs_to_its_session():
    first = open_app(PAGE)
    click(first, "step_once")
    second = open_app(PAGE)  # another browser tab: its own session
    assert status(first).startswith("Step 1 ") and status(second).startswith("Step 0 ")


@pytest.mark.parametrize("key", ["play", "step_once", "reset", "reseed"])
def test_no_button_sets_a_widget_that_also_has_a_default(key):
    at = open_app(PAGE)
    with streamlit_log() as log:
        click(at, key)
        at.run()
    assert not log, [r.getMessage() for r in log]
