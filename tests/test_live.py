"""lessons/live.py: what the live view receives must decode to exactly the text the server
would print (format_number), for every number, and the blob must read back as it was packed."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons import live, sweep
from lessons.curves import finite_difference, sample
from lessons.i18n import using
from lessons.plots import function_figure
from lessons.viz import format_number, graph_nodes
from tinytorch import Tensor
from tinytorch.expr import parse

EDGES = [0.0, -0.0, 1.0, -1.0, 9.9995, 9.99949999, 99995.0, 99994.999, 1e-4, 9.9995e-5, 0.00099995, 1234.5,
         -1234.5, 1235.5, 0.5, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
         -1.7976931348623157e308,
         math.pi, -math.e, 1e16, 1e-16, 123456789.0, 0.1 + 0.2, 1e4, 9999.4, 9999.5, 9999.6, 1e-5, 0.0001,
         math.nan, math.inf, -math.inf, 2.5, 3.5, -2.5e-10]


@pytest.mark.parametrize("value", EDGES)
def test_a_codes_text_is_format_numbers_text(value):
    (code,) = live.number_codes([value])
    assert live.number_text(int(code)) == format_number(value)


@settings(max_examples=3000, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True, width=64))
def test_every_float_round_trips_to_its_text(value):
    (code,) = live.number_codes([value])
    assert live.number_text(int(code)) == format_number(value)


def test_codes_are_int32_and_vectorised():
    values = np.array([1.5, -2.25, 0.0, math.nan, 1e300, -1e-300])
    codes = live.number_codes(values)
    assert codes.dtype == np.int32 and codes.shape == (6,)
    assert [live.number_text(int(c)) for c in codes] == [format_number(v) for v in values]


def test_pack_and_unpack_round_trip():
    rng = np.random.default_rng(0)
    floats = [rng.normal(size=50), np.linspace(-1, 1, 50)]
    columns = [live.number_codes(rng.normal(size=50) * 10.0 ** rng.integers(-8, 8)) for _ in range(7)]
    header = {"kind": "test", "id": "abc", "n": 50, "note": "∂f/∂x"}
    blob = live.pack(header, floats, columns)
    back, got_floats, got_columns = live.unpack(blob)
    assert back == {**header, "format": live.FORMAT, "floats": 2, "columns": 7}
    for a, b in zip(floats, got_floats):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(columns, got_columns):
        np.testing.assert_array_equal(a, b)
    assert live.pack(header, floats, columns) == blob  # the same bytes: Streamlit's cache sends a reference


def test_the_layout_is_what_live_js_reads():
    import gzip

    blob = live.pack({"id": "k", "n": 2}, [np.array([1.0, 2.0])], [np.array([5, 7], dtype=np.int32)])
    raw = gzip.decompress(blob)
    (length,) = struct.unpack_from("<I", raw)
    offset = 4 + length
    assert struct.unpack_from("<2d", raw, offset) == (1.0, 2.0)
    planes = raw[offset + 16:]
    assert len(planes) == 4 * 2 and planes[:2] == bytes([5, 2])  # first byte plane: 5, then 7 - 5


def test_numbers_at_one_point():
    xt = Tensor([1.2], label="x")
    y = parse("x^3 + 2x")(x=xt)
    y.backward()
    nodes = graph_nodes(y)
    numbers = live.numbers(nodes)
    assert numbers["n0"] == ["1.2", "6.32", []]
    assert set(numbers) == {n.id for n in nodes if n.kind != "constant"}
    (cube,) = [n for n in nodes if n.label == "x^3"]
    assert numbers[cube.id] == ["1.728", "1", ["4.32", "—"]]  # d(x^3)/dx = 3x², the constant 3 needs none


def test_the_live_blob_holds_every_position():
    expr = parse("sin(x)*x")
    xs = sweep.positions(-1.0, 1.0, 0.01)
    s = sweep.sweep(lambda x: expr(x=x), xs, second=True)
    figure = {"data": [{"name": "f", "line": {"color": "#000"}}], "layout": {"font": {"color": "#111"}}}
    dark = {"data": [{"name": "f", "line": {"color": "#fff"}}], "layout": {"font": {"color": "#eee"}}}
    header, floats, columns = live.unpack(live.live_blob(s, "<svg/>", figure, dark, "key1", 0.01))
    assert header["id"] == "key1" and header["n"] == 201 and header["decimals"] == 2
    np.testing.assert_array_equal(floats[0], xs)
    np.testing.assert_array_equal(floats[3], s.d2f)
    assert [live.number_text(int(c)) for c in columns[header["metrics"]["df"]]] == [format_number(v) for v in s.df]
    (x_node,) = [n for n in header["nodes"] if n["full"] == "x"]
    assert [live.number_text(int(c)) for c in columns[x_node["g"]]] == [format_number(v) for v in s.df]
    assert header["themes"]["dark"] == [[["data", 0, "line", "color"], "#fff"], [["layout", "font", "color"], "#eee"]]
    assert header["themes"]["light"][0] == [["data", 0, "line", "color"], "#000"]


def test_node_meta_names_every_box_once_and_keeps_the_whole_text():
    expr = parse("+".join(f"sin(x/{k})" for k in range(1, 10)))
    nodes = graph_nodes(expr(x=Tensor([0.3])))
    meta = live.node_meta(nodes)
    assert [m["full"] for m in meta] == [n.label for n in nodes]
    boxes = [m["label"] for m in meta if m["kind"] != "constant"]
    assert len(set(boxes)) == len(boxes)
    assert all(m["value"] == m["full"] for m in meta if m["kind"] == "constant")  # the numbers 1..9


@pytest.mark.parametrize("language", ["en", "zh"])
def test_mark_roles_find_the_point_and_the_tangent_in_any_language(language):
    curve = sample(lambda x: x * x, -1, 1, 11)
    with using(language):
        figure = function_figure(curve, 0.5, 0.25, 1.0, check=finite_difference(lambda x: x * x, curve.x))
    roles = {trace.name: live.mark_role(trace.meta) for trace in figure.data}
    assert sorted(r for r in roles.values() if r) == ["point", "tangent"]
    (tangent,) = [name for name, role in roles.items() if role == "tangent"]
    assert tangent == ("tangent, slope 1" if language == "en" else "切线，斜率 1")
    assert live.mark_role(None) is None and live.mark_role("f") is None


def test_diff_paths():
    assert live.diff_paths({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}) == [[["a", 1, "b"], 3]]
    assert live.diff_paths([1, 2], [1, 2, 3]) == [[[], [1, 2, 3]]]  # a different shape: replaced whole
