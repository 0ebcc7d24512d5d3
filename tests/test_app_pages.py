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
    assert [(p.path, p.title) for p in view.PAGES] == NAVIGATION
    assert "for i, page in enumerate(view.PAGES)" in ENTRY.read_text(encoding="utf-8")  # what playground.py lists
    assert all((ROOT / p.path).is_file() for p in view.PAGES)


@pytest.mark.parametrize("page", [page for page, _ in NAVIGATION])
def test_presenter_mode_puts_the_controls_in_a_bar_on_every_page(page):
    at = open_app(page, present="true")
    no_exception(at)
    assert at.toggle(key=view.PRESENT).value
    assert at.button(key="leave")  # the way out
    more = [] if page in ("pages/two_variables.py", "pages/ops.py") else ["Settings"]  # all in the bar there
    assert [p.proto.popover.label for p in at.get("popover")] == ["Pages", *more, "Share"]
    assert [link.proto.label for link in at.get("page_link")] == [p.title for p in view.PAGES]
    if page in ("pages/explore.py", "pages/backprop.py"):
        assert at.text_input(key=view.FUNCTION).value == view.DEFAULT_FUNCTION  # editable, in the bar
    if page == "pages/descent.py":  # its own function
        assert at.text_input(key=view.FUNCTION_DESCENT).value == view.DEFAULT_DESCENT_FUNCTION
    at.button(key="leave").click().run()
    no_exception(at)
    assert not at.toggle(key=view.PRESENT).value and not at.get("popover")


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


def test_the_function_point_and_presenter_mode_follow_the_student_to_another_page():
    # Streamlit drops a page's URL parameters on a page switch; ui/navigation.py carries them.
    at = open_app(f="sin(x)*x", x=0.5, lo=-2, hi=2, present="true")
    at.switch_page("pages/backprop.py").run()
    no_exception(at)
    assert at.text_input(key=view.FUNCTION).value == "sin(x)*x"
    assert at.slider(key=view.POINT).value == 0.5 and at.slider(key=view.POINT).max == 2.0
    assert at.toggle(key=view.PRESENT).value and at.button(key="leave")
    assert {k: at.query_params[k] for k in (view.FUNCTION, view.POINT, view.PRESENT)} == \
           {view.FUNCTION: "sin(x)*x", view.POINT: "0.5", view.PRESENT: "true"}
    at.switch_page("pages/two_variables.py").run()
    no_exception(at)
    assert at.slider(key=view.POINT).value == 0.5  # the same x, on its own slider
