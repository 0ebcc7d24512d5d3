"""An op's derivative rule as the Operations and step-through pages show it: the math first, then
the textbook code, then the code that runs with its speed-ups. All of it comes from the op's
class in tinytorch/ops.py (through `lessons.catalog`), so the pages cannot drift from the engine.

Code is shown unwrapped: wrapping a long line in a narrow column breaks its indentation, and
indentation is Python's grammar. A line too long for the page scrolls sideways instead; the
textbook rules are kept short enough not to.
"""

from __future__ import annotations

import streamlit as st

from lessons.catalog import OpInfo
from lessons.i18n import _
from ui import view

TEXTBOOK_WIDTH = 60  # characters: the longest line of code a student reads first fits at 1024 px


def show_rule(info: OpInfo, *, ran: bool = False, notes: bool = False) -> None:
    """`info`'s rule as LaTeX, then (with `notes`) the notes of its docstring, then its code.
    `ran`: the op has just run (the step-through page)."""
    st.latex(info.latex)
    if notes and info.notes:
        st.text(view.paragraphs(info.notes))  # our docstrings, shown as written: not Markdown
    source = f"{info.forward_source}\n{info.backward_source}"
    if not info.has_speed_ups:
        st.caption(_("`{name}` in tinytorch/ops.py: forward computes the value, backward is the rule above, applied "
                     "to the upstream gradient g.").format(name=info.name))
        st.code(source, language="python")
        return
    st.caption(_("The rule in code, as a textbook writes it: `{name}.rule` in tinytorch/ops.py. It gets the upstream "
                 "gradient g, the inputs and the output, and returns g × the local derivative for each input.").format(
        name=info.name))
    st.code(info.rule_source, language="python")
    heading = (_("The code that ran: {name}.forward and .backward, the same rule with the engine's speed-ups and "
                 "edge cases") if ran else
               _("The code that runs: {name}.forward and .backward, the same rule with the engine's speed-ups and "
                 "edge cases"))
    with st.expander(heading.format(name=info.name)):
        st.code(source, language="python")
