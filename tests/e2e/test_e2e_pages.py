"""Every page that the app's navigation lists loads in Chromium without a console error or a
Streamlit exception.

The list comes from the app itself: Streamlit sends `st.navigation`'s pages to the browser in a
`navigation` message over the websocket, which this test decodes. Pages added to
playground.py are covered without touching this file.
"""

from __future__ import annotations

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

pytestmark = pytest.mark.e2e

STARTUP_LINES = ("server started on", "You can now view your Streamlit app", "URL: http")


def navigation_pages(app) -> list[tuple[str, str, bool]]:
    """(title, url path, is default) of every page in the navigation, from the app's own message,
    which it sends when `app` opens "/" (the default page)."""
    messages = []

    def on_socket(ws):
        ws.on("framereceived", lambda payload: messages.append(payload) if isinstance(payload, bytes) else None)

    app.page.on("websocket", on_socket)
    app.page.goto(app.url("/"))
    app.settle()
    pages = None
    for payload in messages:
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") == "navigation":
            pages = [(p.page_name, p.url_pathname, p.is_default) for p in msg.navigation.app_pages
                     if not p.external_url]
    assert pages, "the app sent no navigation message"
    return pages


def test_every_page_in_the_navigation_loads_without_errors(new_app, app_server):
    home = new_app()
    pages = navigation_pages(home)
    problems = {}
    off_machine = []
    # One page at a time: each page's first run on this server happens alone. (Opened all at
    # once on a fresh server, two pages' first runs can race on the lazy pandas import: see the
    # report in docs/deployment.md, "Measured".)
    for title, path, is_default in pages:
        if is_default:
            app = home  # "/" is already open on it
        else:
            app = new_app()
            app.page.goto(app.url("/" + path))
        app.settle()
        main = app.page.locator('[data-testid="stMain"] [data-testid="stElementContainer"]')
        found = {
            "exceptions": app.exceptions(),
            "console errors": app.console_errors,
            "failed requests": app.http_errors,
            "empty page": [] if main.count() else ["nothing drawn in the main area"],
        }
        if any(found.values()):
            problems[f"{title} (/{path})"] = {k: v for k, v in found.items() if v}
        off_machine += app.off_machine
    assert not problems, problems
    # Nothing leaves the machine: a CDN script, stylesheet, font or icon would make the page
    # depend on the network in a lecture hall.
    assert not off_machine, sorted(off_machine)
    # The server said nothing but its start-up lines: .streamlit/config.toml loads without a
    # complaint (an unknown or bad option is logged, not raised) and no page logged an error.
    unexpected = [line for line in app_server.log().splitlines()
                  if line.strip() and not any(known in line for known in STARTUP_LINES)]
    assert not unexpected, app_server.log()
