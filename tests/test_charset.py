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
    assert "αβγ" in text and encoding == "iso-8859-7"


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


# --- the WHATWG Encoding Standard's labels ------------------------------------------------


@pytest.mark.parametrize(
    "label", ["base64", "hex", "zlib_codec", "rot13", "uu", "idna", "punycode", "utf-7", "utf-32"]
)
def test_labels_that_name_no_web_encoding_are_ignored(label):
    text, encoding, warnings = decode_html(_page(f'<meta charset="{label}">', FRENCH, "cp1252"))
    assert FRENCH in text and encoding == "windows-1252"
    assert any(label in w and "ignored" in w for w in warnings)


def test_utf7_is_never_decoded():
    data = b'<html><head><meta charset="utf-7"></head><body>+ADw-script+AD4-alert(1)</body></html>'
    text, _, _ = decode_html(data)
    assert "+ADw-script+AD4-" in text and "<script>" not in text


@pytest.mark.parametrize("label", ["utf-16", "UTF-16LE", "utf-16be", "unicode", "ucs-2"])
def test_utf16_label_in_a_byte_page_means_utf8(label):
    text, encoding, _ = decode_html(_page(f'<meta charset="{label}">', PERSIAN, "utf-8"))
    assert PERSIAN in text and encoding == "utf-8"


@pytest.mark.parametrize(
    ("label", "codec", "name"),
    [
        ("latin1", "cp1252", "windows-1252"),
        (" ISO-8859-1 ", "cp1252", "windows-1252"),
        ("iso-8859-9", "cp1254", "windows-1254"),
        ("x-user-defined", "cp1252", "windows-1252"),
        ("ISO_8859-6:1987", "iso8859-6", "iso-8859-6"),
        ("sjis", "cp932", "shift_jis"),
        ("ks_c_5601-1987", "cp949", "euc-kr"),
        ("koi8", "koi8-r", "koi8-r"),
    ],
)
def test_whatwg_labels_and_their_encodings(label, codec, name):
    sample = {"shift_jis": "日本語の記事です", "euc-kr": "한국어 기사입니다"}
    sample["koi8-r"] = "Новости дня"
    words = sample.get(name, FRENCH if codec == "cp1252" else "")
    if name == "iso-8859-6":
        words = "مقاله"
    elif name == "windows-1254":
        words = "Türkçe haber şimdi"
    meta = f'<meta charset="{label}">'
    text, encoding, _ = decode_html(_page(meta, words, codec))
    assert words in text and encoding == name


def test_replacement_labels_are_not_decoders():
    data = _page('<meta charset="iso-2022-kr">', FRENCH, "cp1252")
    text, encoding, _ = decode_html(data)
    assert FRENCH in text and encoding == "windows-1252"


def test_every_whatwg_encoding_has_a_python_codec():
    import codecs

    from archive.charset import _LABELS, _python_codec

    for name in set(_LABELS.values()) - {"replacement", "x-user-defined"}:
        codecs.lookup(_python_codec(name))


def test_utf16_from_the_http_header_is_honoured():
    data = "<html><body><p>Hello world</p></body></html>".encode("utf-16-le")
    text, encoding, _ = decode_html(data, declared="text/html; charset=utf-16le")
    assert "Hello world" in text and encoding == "utf-16le"


@pytest.mark.parametrize("control", ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x1b[31m", "\ufffe"])
def test_decoded_text_holds_no_character_lxml_refuses(control):
    import lxml.html

    data = f"<html><body><nav>{control}x</nav><p>{FRENCH}{control}</p></body></html>"
    text, _, _ = decode_html(data.encode("utf-8"))
    root = lxml.html.fromstring(text)
    root.text = text  # lxml refuses a string with any XML-incompatible character
    assert "[31m" not in text
