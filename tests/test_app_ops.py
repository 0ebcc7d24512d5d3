"""The "Operations" page through AppTest: the table is the engine's own list of ops, and the code
shown for an op is its source in tinytorch/ops.py."""

from __future__ import annotations

import inspect
import textwrap

import pytest
from apptest import no_exception, open_app

from lessons import catalog
from tinytorch import ops
from ui import view

PAGE = "pages/ops.py"


def test_the_table_lists_every_op_of_the_engine_with_its_rule():
    at = open_app(PAGE)
    no_exception(at)
    rows = at.dataframe[0].value.to_dict("records")
    expected = catalog.operations()
    assert [r["op"] for r in rows] == [o.name for o in expected]
    assert rows == [{"op": o.name, "symbol": o.symbol, "formula": o.formula, "derivative": o.derivative}
                    for o in expected]
    assert {"Mul", "Sin", "Pow", "Sum", "Maximum"} <= {r["op"] for r in rows}


def test_selecting_each_op_shows_its_forward_and_backward_source():
    at = open_app(PAGE)
    for info in catalog.operations():
        at.selectbox(key="op").select(info.name).run()
        no_exception(at)
        summary, forward, backward = (c.value for c in at.code)
        cls = getattr(ops, info.name)
        assert summary == info.summary
        assert forward.strip() == textwrap.dedent(inspect.getsource(cls.forward)).strip()
        assert backward.strip() == textwrap.dedent(inspect.getsource(cls.backward)).strip()
        assert f"line {info.line}" in at.caption[-1].value


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
