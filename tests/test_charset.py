"""decode_html: BOMs, declarations, lying labels, undeclared windows-1256."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.charset import decode_html, looks_like_cp1256

PERSIAN = "همکاری‌های اقتصادی ایران و کشورهای همسایه گسترش یافته است، کتاب‌ها می‌گویند."
# windows-1256 has no Persian ی/ک code points: old pages carry the Arabic forms ي/ك
PERSIAN_1256 = PERSIAN.replace("ی", "ي").replace("ک", "ك")
FRENCH = "Le café de la rue, où l'on sert un thé déjà célèbre: naïve élégance, été."


def _page(meta: str, body: str, encoding: str) -> bytes:
    return f"<html><head>{meta}</head><body><p>{body}</p></body></html>".encode(encoding)


@pytest.mark.parametrize(
    "meta",
    [
        "",
        '<meta charset="windows-1256">',
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">',
        '<meta charset="iso-8859-1">',
        '<meta charset="windows-1252">',
        '<meta charset="utf-8">',
    ],
)
def test_cp1256_persian_decodes_whatever_the_label(meta):
    text, encoding, _ = decode_html(_page(meta, PERSIAN_1256, "cp1256"))
    assert PERSIAN_1256 in text
    assert encoding == "windows-1256"


def test_undeclared_cp1256_is_reported_as_guessed():
    _, _, warnings = decode_html(PERSIAN_1256.encode("cp1256"))
    assert any("guessed" in w for w in warnings)


def test_lying_label_is_reported():
    _, _, warnings = decode_html(_page('<meta charset="iso-8859-1">', PERSIAN_1256, "cp1256"))
    assert any("contradicted" in w for w in warnings)


@pytest.mark.parametrize(
    "meta", ["", '<meta charset="iso-8859-1">', '<meta charset="windows-1252">']
)
def test_latin1_french_is_not_taken_for_persian(meta):
    text, encoding, _ = decode_html(_page(meta, FRENCH, "cp1252"))
    assert FRENCH in text
    assert encoding == "windows-1252"


@pytest.mark.parametrize("meta", ["", '<meta charset="windows-1256">', '<meta charset="latin1">'])
def test_valid_utf8_wins_over_labels(meta):
    text, encoding, _ = decode_html(_page(meta, PERSIAN + FRENCH, "utf-8"))
    assert PERSIAN in text and FRENCH in text
    assert encoding == "utf-8"


@pytest.mark.parametrize(
    ("encoding", "name"), [("utf-8-sig", "utf-8"), ("utf-16", "utf-16"), ("utf-32", "utf-32")]
)
def test_byte_order_marks(encoding, name):
    text, used, _ = decode_html(_page("", PERSIAN, encoding))
    assert PERSIAN in text and not text.startswith("\ufeff")
    assert used == name


def test_external_declaration_is_used_for_ambiguous_bytes():
    data = _page("", "Greek: αβγ", "iso-8859-7")
    text, encoding, _ = decode_html(data, declared="text/html; charset=ISO-8859-7")
    assert "αβγ" in text and encoding == "iso8859-7"


def test_utf8_cut_mid_character_is_still_utf8():
    cut = ("<html><body><p>" + PERSIAN).encode("utf-8")[:-2]  # ends inside the last letter
    text, encoding, warnings = decode_html(cut)
    assert encoding == "utf-8" and "\ufffd" not in text and warnings


def test_unknown_label_is_ignored_with_a_warning():
    text, encoding, warnings = decode_html(_page('<meta charset="x-klingon">', FRENCH, "utf-8"))
    assert FRENCH in text and encoding == "utf-8"
    assert any("x-klingon" in w for w in warnings)


def test_looks_like_cp1256_needs_runs_of_letters():
    assert looks_like_cp1256(PERSIAN_1256.encode("cp1256"))
    assert not looks_like_cp1256(FRENCH.encode("cp1252"))
    assert not looks_like_cp1256(b"plain ascii only")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_decode_without_raising(data):
    text, encoding, warnings = decode_html(data)
    assert isinstance(text, str) and encoding and isinstance(warnings, list)
