"""render: terminal sanitising and the output formats."""

from __future__ import annotations

import pytest

from archive.render import sanitize_terminal

ZWNJ = "\u200c"


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("\x1b[31mred\x1b[0m text", "red text"),
        ("\x1b[2J\x1b[1;1Hcleared", "cleared"),
        ("\x1b]0;evil title\x07after", "after"),
        ("\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x9b31mc1 csi", "c1 csi"),
        ("bell\x07 back\x08space", "bell backspace"),
        ("nul\x00 del\x7f c1\x85", "nul del c1"),
        ("\u202eevil\u202c txt", "evil txt"),
        ("\u2066iso\u2069 \u2067late\u2069", "iso late"),
        ("\x1bPdcs payload\x1b\\ok", "ok"),
        ("unterminated \x1b]0;title", "unterminated "),
        ("lone esc \x1b", "lone esc "),
        ("\x1b(Bcharset", "charset"),
    ],
)
def test_sanitize_removes_escapes_and_controls(dirty: str, clean: str) -> None:
    assert sanitize_terminal(dirty) == clean


def test_sanitize_keeps_persian_zwnj_and_newlines() -> None:
    text = f"می{ZWNJ}روند\nکتاب{ZWNJ}ها\tok"
    assert sanitize_terminal(text) == text


def test_sanitize_one_line_turns_breaks_into_spaces() -> None:
    assert sanitize_terminal("a\nb\r\nc\td", keep_newlines=False) == "a b  c d"


def test_sanitize_empty() -> None:
    assert sanitize_terminal("") == ""
