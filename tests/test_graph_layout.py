"""Laying a graph out within a budget (lessons/layout.py): `dot` when it is quick, our own
layered layout when it is not, and the same picture conventions either way."""

from __future__ import annotations

import re
import shutil

import pytest

from lessons import layout, viz
from tinytorch import Tensor
from tinytorch.expr import parse

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz is not installed")


def source(text: str, variables=("x",)) -> str:
    expr = parse(text, variables)
    return viz.to_dot(expr(**{v: Tensor([0.5]) for v in variables}), slots=True)


def chain(ops: int, op: str = "*") -> str:
    return "x" + f"{op}x" * ops


@pytest.mark.parametrize("ops", [1, 2, 10, 149])
def test_dot_cost_counts_the_ranks_each_edge_crosses(ops):
    # x*x*…*x: op k sits at rank 2k − 1 and x at rank 0, so the edge x → op k crosses 2k − 2
    # ranks: n(n − 1) in all. (The first op's other operand is x too: no crossing.)
    assert layout.dot_cost(layout.Graph.parse(source(chain(ops)))) == ops * (ops - 1)


def test_a_graph_without_long_edges_costs_nothing():
    assert layout.dot_cost(layout.Graph.parse(source("sin(" * 20 + "x" + ")" * 20))) == 0


def test_sizes_are_read_from_the_labels():
    graph = layout.Graph.parse(source("sigmoid(x) + 2"))
    box, circle, ellipse, constant = (graph.nodes[n] for n in ("n0", "n3_op", "n1_op", "n2"))
    assert box[0] >= 104 and box[1] > 3 * 16  # three rows, the number cells 104 pt wide
    assert circle[0] == circle[1]  # "+" is a circle
    assert ellipse[0] > circle[0]  # "sigmoid" a wider ellipse
    assert constant[1] < box[1]  # one line


@pytest.mark.parametrize("text", [chain(149), chain(149, "-"), "x*y" + "*x*y" * 49, "x+2*x^2+sin(x)*exp(-x)/(1+x^2)",
                                  "+".join(f"sin({k}*x)" for k in range(1, 30))])
def test_our_layout_puts_every_node_right_of_its_inputs_without_overlaps(text):
    variables = ("x", "y") if "y" in text else ("x",)
    graph = layout.Graph.parse(source(text, variables))
    places = layout.layered(graph)
    assert set(places) == set(graph.nodes)
    for tail, head in graph.edges:
        assert places[tail][0] < places[head][0], (tail, head)
    boxes = sorted((x - w / 2, y - h / 2, x + w / 2, y + h / 2, n)
                   for n, ((x, y), (w, h)) in ((n, (places[n], graph.nodes[n])) for n in graph.nodes))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if b[0] >= a[2]:
                break
            assert a[3] <= b[1] or b[3] <= a[1], (a[4], b[4])  # overlapping in x, so apart in y


def groups(svg: str, kind: str) -> list[tuple[str, str]]:
    """(id, class) of every node or edge group of a picture, sorted."""
    return sorted(re.findall(rf'<g id="([^"]+)" class="({kind}\b[^"]*)"', svg))


def test_a_costly_graph_skips_dot_and_gets_our_layout_with_the_same_conventions(monkeypatch):
    text = "+".join(f"sin({k}*x)" for k in range(1, 12))
    by_dot, how = layout.svg(source(text))
    assert how == "dot"
    monkeypatch.setattr(layout, "DOT_MAX_COST", -1)
    ours, how = layout.svg(source(text))
    assert how == "layered"
    texts = re.compile(r"<text[^>]*>([^<]*)</text>")
    # The same boxes, circles, labels and number slots: only the places differ.
    assert sorted(texts.findall(ours)) == sorted(texts.findall(by_dot))
    assert groups(ours, "node") == groups(by_dot, "node")  # the same ids and classes, which the live view restyles
    assert groups(ours, "edge") == groups(by_dot, "edge")


def test_dot_past_its_time_limit_is_stopped_and_our_layout_used(monkeypatch):
    monkeypatch.setattr(layout, "DOT_TIME_LIMIT", 1e-4)
    drawn, how = layout.svg(source("x^3 + 2x"))
    assert how == "layered" and drawn.rstrip().endswith("</svg>")


def test_the_longest_chains_are_pictured_by_our_layout_and_refilled_like_any_other():
    y = parse(chain(149))(x=Tensor([1.0], label="x"))
    y.backward()
    svg = viz.picture(y)
    drawn = viz.fill(svg, viz.graph_nodes(y))
    assert "\ue000" not in drawn and drawn.count(">value 1<") == 150  # x and every product of ones
    assert len(groups(drawn, "node")) == 150 + 149  # a box per tensor, a circle per op


def test_graphviz_missing_is_its_own_error(monkeypatch):
    monkeypatch.setattr(layout.shutil, "which", lambda program: None)
    with pytest.raises(layout.GraphvizMissing):
        layout.svg(source("x"))
