"""The network page in a real Chromium: while training plays, its three pictures change in place
several times a second and never go blank, through a run of over a thousand steps; Pause stops it
at once; a link reproduces the run step for step.

"Never blank" is checked on what the browser painted: each sample is a screenshot, and the box of
every picture must hold a picture (pixels that differ from the page), besides the <img> being on
the page with a decoded image. "Change" is the pictures' sources changing from sample to sample.
"""

from __future__ import annotations

import io
import re
import time

import numpy as np
import pytest
from PIL import Image

from lessons.training import Settings, TrainingRun
from ui import view

pytestmark = pytest.mark.e2e

PAGE = "/network"
STEPS = 1000  # the run the issue asked to stay watchable
MIN_REDRAWS = 2.0  # a second, at the least, on a shared CI machine (a tick is TICK_SECONDS)
TALL = {"width": 1400, "height": 1700}  # all three pictures in view, for the screenshots

# The pictures on screen, in page order: their boxes, whether decoded, and a fingerprint of the source.
PICTURES_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stImage"] img')]
    .filter(img => img.checkVisibility()).map(img => {
  const box = img.getBoundingClientRect();
  let hash = 0;
  for (let i = 0; i < img.src.length; i += 3) hash = (hash * 31 + img.src.charCodeAt(i)) | 0;
  return {x: box.x, y: box.y, width: box.width, height: box.height, decoded: img.naturalWidth > 0,
          fingerprint: img.src.length + ':' + hash};
})"""


# The status line's step and the pictures, read in one go: read apart, a tick landing between the
# reads would pair one tick's step with the previous tick's pictures.
STATE_JS = f"""() => {{
  const line = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stCaptionContainer"]')]
    .map(c => c.innerText).find(t => /^Step [\\d,]+ ·/.test(t));
  const step = line ? Number(line.match(/^Step ([\\d,]+)/)[1].replaceAll(',', '')) : null;
  return {{pictures: ({PICTURES_JS})(), step}};
}}"""


def painted(shot: Image.Image, box: dict) -> bool:
    """Whether the screenshot shows a picture in the box: a fair share of pixels unlike the page."""
    if box["width"] < 100 or box["height"] < 100:
        return False
    crop = np.asarray(shot.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]),
                                 int(box["y"] + box["height"]))).convert("L"), dtype=np.float64)
    return float(np.mean(np.abs(crop - 255) > 24)) > 0.03


def shown_step(page) -> int | None:
    line = page.get_by_text(re.compile(r"^Step [\d,]+ ·")).first
    if not line.count():
        return None
    return int(re.match(r"Step ([\d,]+)", line.inner_text()).group(1).replace(",", ""))


def play_button(page):
    return page.locator('[data-testid="stBaseButton-primary"]')


def open_network(app, **params) -> None:
    """The page, with its three pictures drawn and its run over."""
    app.page.set_viewport_size(TALL)
    app.open(PAGE, wait=False, **params)
    app.page.wait_for_function(f"() => {{ const p = ({PICTURES_JS})(); return p.length === 3 && "
                               "p.every(x => x.decoded && x.height > 100); }", timeout=45_000)
    app.settle()


def test_the_pictures_change_while_training_plays_and_never_go_blank(app):
    page = app.page
    open_network(app)
    play_button(page).click()
    samples, steps, blank, started = [], [], [], time.monotonic()
    while time.monotonic() - started < 150:
        state = page.evaluate(STATE_JS)
        pictures = state["pictures"]
        shot = Image.open(io.BytesIO(page.screenshot()))
        samples.append(pictures)
        if len(pictures) != 3 or not all(p["decoded"] and painted(shot, p) for p in pictures):
            blank.append((len(samples) - 1, pictures))
        steps.append(state["step"])
        if steps[-1] is not None and steps[-1] >= STEPS:
            break
    elapsed = time.monotonic() - started
    assert steps[-1] is not None and steps[-1] >= STEPS, f"only {steps[-1]} steps in {elapsed:.0f} s"
    assert not blank, f"{len(blank)} of {len(samples)} screenshots had a picture missing or blank: {blank[:3]}"

    # Between two samples where training moved on, every picture moved on too. (Samples come faster
    # than ticks on a busy machine, so samples with no tick between them are not counted.)
    moved = [(a, b) for a, b, before, after in zip(samples, samples[1:], steps, steps[1:])
             if before is not None and after is not None and after > before]
    assert len(moved) >= 10, f"training moved on between only {len(moved)} of {len(samples)} samples"
    # The loss curve grows at every tick. The network's and the boundary's pictures are drawn in a
    # few shades, so once training settles ten more steps may draw the same picture: they must
    # change through the run, and in a good share of its ticks.
    for index, name, share in ((0, "network", 0.3), (1, "boundary", 0.3), (2, "loss", 0.8)):
        changes = sum(a[index]["fingerprint"] != b[index]["fingerprint"] for a, b in moved)
        assert changes >= share * len(moved), f"the {name} picture changed in {changes} of {len(moved)} ticks"
        assert samples[0][index]["fingerprint"] != samples[-1][index]["fingerprint"], name
    shown = [s for s in steps if s is not None]
    assert shown == sorted(shown)  # the status line only moves forward
    rate = (shown[-1] - shown[0]) / view.STEPS_PER_TICK / elapsed  # each tick trains STEPS_PER_TICK steps
    assert rate >= MIN_REDRAWS, f"{rate:.1f} redraws a second"
    print(f"{shown[-1]} steps in {elapsed:.1f} s: {rate:.1f} redraws a second; {len(samples)} screenshots, none blank")

    # Pause: the run stops where it is, and the button says Play
    play_button(page).click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stBaseButton-primary\"]')"
                           ".innerText.includes('Play')", timeout=10_000)
    app.settle()
    stopped = shown_step(page)
    time.sleep(1.5)
    assert shown_step(page) == stopped and play_button(page).inner_text().endswith("Play")


def test_a_link_reproduces_the_run_step_for_step(app):
    settings = Settings(data="circles", seed=7, layers=1, units=4, batch=5)
    open_network(app, data="circles", seed=7, layers=1, units=4, batch=5)
    for step in (1, 2, 3):
        app.page.get_by_role("button", name="Step", exact=True).click()
        app.page.get_by_text(re.compile(rf"^Step {step} ·")).wait_for()
    app.settle()
    run = TrainingRun(settings)
    run.advance(3)
    assert shown_step(app.page) == 3
    metrics = app.metrics()
    assert metrics["Training loss"] == f"{run.latest.train_loss:.3f}"
    assert metrics["Test accuracy"] == f"{run.latest.test_accuracy:.0%}"
    query = app.query()
    assert (query[view.DATASET], query[view.SEED], query[view.UNITS]) == ("circles", "7", "4")
