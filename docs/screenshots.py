"""Retake the README's screenshots from the app as it is: `python docs/screenshots.py [name ...]`.

Each picture is a link (the app's own URL parameters) opened in headless Chromium at a fixed
viewport, on a server of its own (benchmarks/browser.py), after the run has settled. Run it after
a change that shows on these pages, and look at the pictures before committing them.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import browser as harness  # noqa: E402

DOCS = Path(__file__).resolve().parent
TIMEOUT_MS = 60_000
NETWORK_STEPS = 240  # training shown on the network's picture: the boundary has found the moons


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    width: int = 1400
    height: int = 1000
    graph: bool = True  # the page draws a computation graph: wait for it


SHOTS = (
    Shot("screenshot.png", "/", {"f": "x^3 + 2x", "x": "1.2", "lang": "en"}),
    Shot("screenshot.zh.png", "/", {"f": "sin(x)*exp(-x^2)", "x": "0.6", "lang": "zh"}, height=900),
    Shot("presenter.png", "/", {"f": "sin(x)*exp(-x^2)", "x": "0.5", "present": "true", "lang": "en"},
         width=1024, height=768),
    Shot("descent.png", "/descent", {"lang": "en"}, width=1440, height=1240, graph=False),
    Shot("network.png", "/network", {"lang": "en"}, width=1440, height=1400, graph=False),
)


def train(page, steps: int) -> None:
    """Play the network page until the status line shows `steps` or more, then pause."""
    play = page.locator('[data-testid="stBaseButton-primary"]')
    play.click()
    page.get_by_text(re.compile(r"^Step [\d,]+ ·")).first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function("""(steps) => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
        .some(c => { const m = c.innerText.match(/^Step ([\\d,]+) ·/);
                     return m && Number(m[1].replaceAll(',', '')) >= steps; })""",
                           arg=steps, timeout=TIMEOUT_MS * 3, polling=100)
    play.click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stBaseButton-primary\"]')"
                           ".innerText.includes('Play')", timeout=TIMEOUT_MS)


def take(browser, base_url: str, shot: Shot) -> Path:
    from urllib.parse import urlencode

    context = browser.new_context(viewport={"width": shot.width, "height": shot.height}, color_scheme="light")
    harness.keep_on_machine(context, base_url)
    page = context.new_page()
    page.goto(f"{base_url}{shot.path}?{urlencode(shot.params)}")
    if shot.graph:
        harness.wait_drawn(page, TIMEOUT_MS)
    else:
        page.wait_for_selector('[data-testid="stMain"] [data-testid="stImage"] img, .js-plotly-plot',
                               timeout=TIMEOUT_MS)
    harness.settled(page, TIMEOUT_MS)
    if shot.name == "network.png":
        train(page, NETWORK_STEPS)
        harness.settled(page, TIMEOUT_MS)
    page.mouse.move(shot.width - 1, shot.height - 1)  # no hover label on the plot, no sidebar button
    page.wait_for_timeout(800)  # fonts, images and Plotly's transitions
    out = DOCS / shot.name
    page.screenshot(path=str(out))
    context.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="which pictures (default: all): " + ", ".join(s.name for s in SHOTS))
    wanted = set(parser.parse_args().names)
    from playwright.sync_api import sync_playwright

    with harness.AppServer() as server, sync_playwright() as p:
        browser = harness.launch(p)
        for shot in SHOTS:
            if not wanted or shot.name in wanted:
                print(take(browser, server.url, shot).relative_to(DOCS.parent))
        browser.close()


if __name__ == "__main__":
    main()
