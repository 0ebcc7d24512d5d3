"""What all pages share: the navigation's order and icons, and every page loading from a bare link."""

from __future__ import annotations

import re

import pytest
from apptest import ENTRY, no_exception, open_app
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
    # (The descent page's default run may end in a red box: the Playground's x³ + 2x has no minimum.)
    assert at.title and not [e for e in at.error if e.value in view.ERROR_TITLES.values()]


@pytest.mark.parametrize("page", [page for page, _ in NAVIGATION])
def test_every_page_leaves_streamlits_old_pages_folder_mode_first(page):
    # A shared link to a page, opened on a fresh server, must get the app's navigation, not
    # Streamlit's file-based mode for a pages/ folder (the browser test checks the result).
    body = (ROOT / page).read_text(encoding="utf-8").split("\n")
    first_call = next(line for line in body if line and not line.startswith(('"""', "import", "from", "#", " ")))
    assert first_call == "widgets.require_app_navigation()"
