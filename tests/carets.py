"""Reading an error's caret display (ui.view.pointed) the way a student reads it: which character
of the typed text is the caret under? Used by the unit, AppTest and browser tests."""

from __future__ import annotations

from ui import view


def shows(cells: str, text: str) -> bool:
    """Whether the window's columns `cells` may stand for `text`, one column per character:
    printable ASCII as itself, a tab as a space, anything else as itself or as view.HIDDEN."""
    def one(cell: str, c: str) -> bool:
        if c == "\t":
            return cell == " "
        if " " <= c <= "~":
            return cell == c
        return cell in (c, view.HIDDEN)

    return len(cells) == len(text) and all(map(one, cells, text))


def assert_caret_under(shown: str, text: str, position: int) -> None:
    """`shown` is three lines: a window of `text`, a caret under `position`, and where that is."""
    window, caret, where = shown.split("\n")
    column = caret.index("^")
    assert caret == " " * column + "^", shown
    assert column <= view.CARET_BEFORE and len(window) <= view.CARET_WINDOW, shown
    # Left of the caret: the text just before `position`, all of it unless a "…" says it is cut.
    head = 1 if column < position else 0
    assert window[:head] == "…" * head, shown
    assert shows(window[head:column], text[position - (column - head):position]), shown
    # From the caret on: the rest of the text, or its start and a "…".
    rest = window[column:]
    if not shows(rest, text[position:]):
        assert rest.endswith("…") and shows(rest[:-1], text[position:position + len(rest) - 1]), shown
        assert position + len(rest) - 1 < len(text), shown
    if position < len(text):
        assert rest and shows(rest[0], text[position]), shown
        assert where == f"character {position + 1:,} of {len(text):,}"
    else:
        assert rest == "" and where == f"at the end, after character {len(text):,}"
