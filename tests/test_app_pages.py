"""What all pages share: the navigation's order and icons, and every page loading from a bare link."""

from __future__ import annotations

import re

import pytest
from apptest import ENTRY, no_exception, open_app, streamlit_log
from streamlit.material_icon_names import ALL_MATERIAL_ICONS

from ui import view

ROOT = ENTRY.parent
NAVIGATION = [
    ("pages/explore.py", "Playground"),
    ("pages/backprop.py", "Backprop step by step"),
    ("pages/two_variables.py", "Two variables"),
    ("pages/descent.py", "Gradient descent"),
    ("pages/network.py", "Train a tiny network"),
    ("pages/ops.py", "Operations"),
]


def test_the_navigation_lists_the_pages_in_teaching_order():
    listed = re.findall(r'st\.Page\("([^"]+)", title="([^"]+)"', ENTRY.read_text(encoding="utf-8"))
    assert listed == NAVIGATION


def test_every_material_icon_the_app_uses_is_one_streamlit_knows():
    # st.Page and st.set_page_config validate their icons, but an st.button or st.info icon is
    # only checked when that line runs; this covers them all.
    sources = [ENTRY, *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]
    used = {name for path in sources for name in re.findall(r":material/(\w+):", path.read_text(encoding="utf-8"))}
    assert used and not used - ALL_MATERIAL_ICONS, sorted(used - ALL_MATERIAL_ICONS)


@pytest.mark.parametrize("page", [page for page, _ in NAVIGATION])
def test_every_page_loads_without_an_exception(page):
    at = open_app(page)
    no_exception(at)
    assert at.title and not [e for e in at.error if e.value in view.ERROR_TITLES.values()]


@pytest.mark.parametrize("page", [page for page, _ in NAVIGATION])
def test_every_page_leaves_streamlits_old_pages_folder_mode_first(page):
    # A shared link to a page, opened on a fresh server, must get the app's navigation, not
    # Streamlit's file-based mode for a pages/ folder (the browser test checks the result).
    body = (ROOT / page).read_text(encoding="utf-8").split("\n")
    first_call = next(line for line in body if line and not line.startswith(('"""', "import", "from", "#", " ")))
    assert first_call == "widgets.require_app_navigation()"


def test_no_widget_is_given_a_default_and_a_value_from_the_code_in_one_run():
    # Streamlit logs "The widget with key ... was created with a default value but also had its
    # value set via the Session State API" when that happens: the default is then ignored, and a
    # page that relies on it is wrong. Every way the code sets a widget: the examples menu, a
    # point that no longer fits its slider's range, presenter mode's exit, moving between pages.
    with streamlit_log() as log:
        at = open_app(x=2.5)
        at.selectbox(key="preset").select_index(3).run()
        at.number_input(key=view.HIGH).set_value(2.0).run()  # x = 2.5 is now off the slider
        assert at.slider(key=view.POINT).value == view.DEFAULT_X
        at.toggle(key=view.PRESENT).set_value(True).run()
        at.button(key="leave").click().run()
        for page in ("pages/two_variables.py", "pages/descent.py", "pages/backprop.py", "pages/explore.py"):
            at.switch_page(page).run()
            no_exception(at)
    assert not log, [r.getMessage() for r in log]
