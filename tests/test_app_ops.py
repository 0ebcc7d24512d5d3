"""The "Operations" page through AppTest: the table is the engine's own list of ops with their
rules, and an op's rule is shown as math first, then as the textbook code, then as the code that
runs, all read from tinytorch/ops.py."""

from __future__ import annotations

import inspect
import textwrap

import pytest
from apptest import no_exception, open_app

from lessons import catalog
from tinytorch import ops
from ui import view

PAGE = "pages/ops.py"


def source(cls, method: str) -> str:
    return textwrap.dedent(inspect.getsource(getattr(cls, method))).strip()


def table_rows(at) -> list[list[str]]:
    """The cells of the Markdown table of ops, row by row (the header and its rule left out)."""
    (table,) = [m.value for m in at.markdown if m.value.startswith("| op |")]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in table.splitlines()[2:]]


def test_the_table_lists_every_op_of_the_engine_with_its_rule_as_math():
    at = open_app(PAGE)
    no_exception(at)
    expected = catalog.operations()
    assert table_rows(at) == [[o.name, o.symbol, f"${o.latex}$"] for o in expected]
    assert {"Mul", "Sin", "Pow", "Sum", "Maximum"} <= {row[0] for row in table_rows(at)}
    assert not at.dataframe  # a data frame cut the rules off on a laptop screen


def test_each_op_shows_its_rule_then_its_textbook_code_then_the_code_that_runs():
    at = open_app(PAGE)
    for info in catalog.operations():
        at.selectbox(key="op").select(info.name).run()
        no_exception(at)
        cls = getattr(ops, info.name)
        assert [m.value.strip("$\n") for m in at.latex] == [cls.latex]
        code = [c.value.strip() for c in at.main.code]
        running = f"{source(cls, 'forward')}\n\n{source(cls, 'backward')}"
        if "rule" in vars(cls) and cls.rule is not None:  # speed-ups: the textbook rule first
            assert code == [source(cls, "rule"), running]
            assert "speed-ups" in at.main.expander[0].label
        else:  # backward is the rule itself
            assert code == [running]
            assert not at.main.expander
        assert f"line {info.line}" in at.main.caption[-1].value


def test_pow_shows_its_textbook_rule_before_any_speed_up():
    at = open_app(PAGE, op="Pow")
    no_exception(at)
    first = at.main.code[0].value
    assert "return g * b * power(a, b - 1), g * out * log(a)" in first
    for speed_up in ("_one_exponent", "needs_grad", "_power_of", "== 2"):
        assert speed_up not in first
        assert speed_up in at.main.code[1].value  # ... they are in the code that runs, behind the expander
    assert r"a^b \ln a" in at.latex[0].value


def test_an_op_with_notes_shows_them_as_plain_text():
    at = open_app(PAGE, op="Sigmoid")
    no_exception(at)
    assert at.selectbox(key="op").value == "Sigmoid"
    assert [t.value for t in at.text] == [view.paragraphs(catalog.op_info("Sigmoid").notes)]
    assert "sigmoid(-40)" in at.text[0].value


@pytest.mark.parametrize("op", ["Nope", "", "<b>Mul</b>"])
def test_an_unknown_op_in_a_link_falls_back_to_the_first(op):
    at = open_app(PAGE, op=op)
    no_exception(at)
    assert at.selectbox(key="op").value == catalog.operations()[0].name
