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


# --- hits, BibTeX, RIS ------------------------------------------------------------------------

import datetime as dt  # noqa: E402
import io  # noqa: E402

from archive.models import Article, Hit  # noqa: E402
from archive.render import (  # noqa: E402
    bibtex_escape,
    bibtex_key,
    export_records,
    format_bibtex,
    format_header,
    format_hit,
    format_ris,
    highlight_snippet,
)


def test_highlight_brackets_or_bold_and_sanitises_each_piece() -> None:
    snippet = "the \x1b[31mnuclear talks\u202e resumed"
    start = snippet.index("nuclear")
    spans = [(start, start + 7)]
    assert highlight_snippet(snippet, spans, color=False) == "the [nuclear] talks resumed"
    assert (
        highlight_snippet(snippet, spans, color=True) == "the \x1b[1mnuclear\x1b[0m talks resumed"
    )


def test_header() -> None:
    assert format_header(1, 0.0123) == "1 match in 0.012 s"
    assert format_header(25, 0.5, page=2, limit=10) == "25 matches, page 2 of 3 in 0.500 s"
    assert (
        format_header(25, 0.5, page=2, limit=10, feedback_added=7)
        == "25 matches (7 only through feedback terms), page 2 of 3 in 0.500 s"
    )


def test_format_hit_persian_dates_and_sanitised_fields() -> None:
    hit = Hit(rank=3, id="fa-1", title="عنوان\x1b]0;x\x07", score=1.0, lang="fa", source="s",
              site="irna.ir", authors=["علی\u202e رضایی"], date=dt.date(2025, 1, 20),
              date_jalali="1403-11-01", snippet="متن")  # fmt: skip
    text = format_hit(hit)
    assert text.splitlines()[0] == " 3. عنوان"
    assert "علی رضایی · 2025-01-20 (1403-11-01) · irna.ir · id fa-1" in text


def test_bibtex_escapes_specials_and_stays_balanced() -> None:
    assert bibtex_escape("50% & {x}_#$^~\\") == (r"50\% \& \{x\}\_\#\$\^{}\~{}\textbackslash{}")


def _article(**extra) -> Article:
    values = {"id": "a1b2c3d4e5", "title": "Nuclear Talks: 100% done", "body": "Body text.",
              "lang": "en", "source": "raw/x.html"}  # fmt: skip
    values.update(extra)
    return Article(**values)


def test_bibtex_keys_are_unique_and_ascii() -> None:
    used: set[str] = set()
    one = _article(authors=["Sara Khakpoor"], date=dt.date(2025, 2, 1))
    keys = [bibtex_key(one, used) for _ in range(3)]
    assert keys == ["khakpoor2025nuclear", "khakpoor2025nucleara", "khakpoor2025nuclearb"]
    persian = _article(title="مذاکرات", authors=["مریم خاکپور"], date=dt.date(2025, 1, 20))
    key = bibtex_key(persian, used)
    assert key.isascii() and key.startswith("archive2025") and key not in keys


def test_bibtex_entry_keeps_persian_and_braces_names() -> None:
    entry = format_bibtex(
        _article(
            title="مذاکرات هسته‌ای",
            authors=["مریم خاکپور", "John Smith"],
            lang="fa",
            date=dt.date(2025, 1, 20),
            date_jalali="1403-11-01",
            site="irna.ir",
            url="https://irna.ir/a?b={c}",
        ),  # fmt: skip
        set(),
    )
    assert "title = {{مذاکرات هسته‌ای}}" in entry
    assert "author = {{مریم خاکپور} and John Smith}" in entry
    assert "url = {https://irna.ir/a?b=%7Bc%7D}" in entry
    assert "langid = {persian}" in entry
    assert "year = {2025}" in entry and "date = {2025-01-20}" in entry


def test_ris_record() -> None:
    record = format_ris(_article(authors=["A One", "B Two"], date=dt.date(2025, 2, 1),
                                 url="https://x.ir/1", summary="Short.", site="x.ir"))  # fmt: skip
    lines = record.splitlines()
    assert lines[0] == "TY  - NEWS"
    assert lines[-1] == "" and "ER  - " in lines
    assert ["AU  - A One", "AU  - B Two"] == [line for line in lines if line.startswith("AU")]
    assert "DA  - 2025/02/01/" in lines and "PY  - 2025" in lines
    assert "AB  - Short." in lines and "LA  - English" in lines and "UR  - https://x.ir/1" in lines


def test_csv_neutralises_formulas() -> None:
    out = io.StringIO()
    export_records([(_article(title='=HYPERLINK("http://evil")'), None)], "csv", out)
    assert "'=HYPERLINK" in out.getvalue()
