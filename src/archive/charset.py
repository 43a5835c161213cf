"""Decode the raw bytes of a scraped page: BOM, declared charsets, undeclared windows-1256.

Order of evidence, strongest first:

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. bytes that decode as strict UTF-8 and contain non-ASCII: UTF-8, whatever the page declares
   (random cp1256 or Latin-1 text almost never forms valid UTF-8 multi-byte sequences);
3. Persian letters in windows-1256 form (runs of high bytes that cp1256 maps to Arabic-script
   letters): windows-1256, even when the page declares iso-8859-1 or windows-1252, a common lie
   in older Iranian dumps;
4. the charset given from outside (WARC HTTP header), then `<meta charset>` /
   `<meta http-equiv="Content-Type">` in the first 4 KB;
5. otherwise windows-1252, which decodes every byte (what browsers do for Latin-1 labels too).

Labels are those of the WHATWG Encoding Standard: a label it does not list (utf-7, utf-32,
base64, rot13 ...) is ignored with a warning, and the page is decoded by the evidence above.
"""

from __future__ import annotations

import codecs
import re

_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{2,40})", re.IGNORECASE)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# The WHATWG Encoding Standard's labels (https://encoding.spec.whatwg.org/#names-and-labels):
# a label outside this table names no encoding and is ignored, as browsers ignore it. So
# `utf-7`, `utf-32`, `base64`, `rot13`, `zlib_codec`, `idna` are never decoders here.
_WHATWG_LABELS = {
    "utf-8": "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8",
    "ibm866": "866 cp866 csibm866 ibm866",
    "iso-8859-2": "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 "
    "iso_8859-2:1987 l2 latin2",
    "iso-8859-3": "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 "
    "iso_8859-3:1988 l3 latin3",
    "iso-8859-4": "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 "
    "iso_8859-4:1988 l4 latin4",
    "iso-8859-5": "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 "
    "iso_8859-5 iso_8859-5:1988",
    "iso-8859-6": "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 "
    "iso-8859-6 iso-8859-6-e iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 "
    "iso_8859-6:1987",
    "iso-8859-7": "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 "
    "iso8859-7 iso88597 iso_8859-7 iso_8859-7:1987 sun_eu_greek",
    "iso-8859-8": "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 "
    "iso8859-8 iso88598 iso_8859-8 iso_8859-8:1988 visual",
    "iso-8859-8-i": "csiso88598i iso-8859-8-i logical",
    "iso-8859-10": "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6",
    "iso-8859-13": "iso-8859-13 iso8859-13 iso885913",
    "iso-8859-14": "iso-8859-14 iso8859-14 iso885914",
    "iso-8859-15": "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9",
    "iso-8859-16": "iso-8859-16",
    "koi8-r": "cskoi8r koi koi8 koi8-r koi8_r",
    "koi8-u": "koi8-ru koi8-u",
    "macintosh": "csmacintosh mac macintosh x-mac-roman",
    "windows-874": "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874",
    "windows-1250": "cp1250 windows-1250 x-cp1250",
    "windows-1251": "cp1251 windows-1251 x-cp1251",
    "windows-1252": "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 "
    "iso-ir-100 iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii "
    "windows-1252 x-cp1252",
    "windows-1253": "cp1253 windows-1253 x-cp1253",
    "windows-1254": "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 "
    "iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254",
    "windows-1255": "cp1255 windows-1255 x-cp1255",
    "windows-1256": "cp1256 windows-1256 x-cp1256",
    "windows-1257": "cp1257 windows-1257 x-cp1257",
    "windows-1258": "cp1258 windows-1258 x-cp1258",
    "x-mac-cyrillic": "x-mac-cyrillic x-mac-ukrainian",
    "gbk": "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk",
    "gb18030": "gb18030",
    "big5": "big5 big5-hkscs cn-big5 csbig5 x-x-big5",
    "euc-jp": "cseucpkdfmtjapanese euc-jp x-euc-jp",
    "iso-2022-jp": "csiso2022jp iso-2022-jp",
    "shift_jis": "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis",
    "euc-kr": "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 "
    "ksc5601 ksc_5601 windows-949",
    "replacement": "csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr replacement",
    "utf-16be": "unicodefffe utf-16be",
    "utf-16le": "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le",
    "x-user-defined": "x-user-defined",
}
_LABELS = {label: name for name, labels in _WHATWG_LABELS.items() for label in labels.split()}

# Python's codec for each WHATWG encoding (the WHATWG ones are supersets: Big5 is Big5-HKSCS,
# EUC-KR is windows-949, Shift_JIS is windows-31J).
_PYTHON_CODECS = {
    "ibm866": "cp866",
    "iso-8859-8-i": "iso8859-8",
    "macintosh": "mac-roman",
    "windows-874": "cp874",
    "x-mac-cyrillic": "mac-cyrillic",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "euc-kr": "cp949",
    "utf-16be": "utf-16-be",
    "utf-16le": "utf-16-le",
}
_PYTHON_CODECS.update({f"windows-{n}": f"cp{n}" for n in range(1250, 1259)})


# Bytes that windows-1256 maps to Arabic-script letters (incl. Persian پ چ ژ گ ک ی).
_CP1256_LETTERS = frozenset(
    [0x81, 0x8A, 0x8D, 0x8E, 0x90, 0x98, 0x9F, 0xAA, 0xC0]
    + list(range(0xC1, 0xD7))
    + list(range(0xD8, 0xDC))
    + list(range(0xDC, 0xE0))
    + [0xE1, 0xE3, 0xE4, 0xE5, 0xE6, 0xEC, 0xED]
)
_CP1256_LIES = frozenset([None, "windows-1252", "utf-8", "iso-8859-6"])
_MAX_UTF8_ERROR_RATE = 0.02
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _canonical(name: str | None, *, in_page: bool = False) -> str | None:
    """Return the WHATWG encoding a label names, or None when it names none we decode.

    In a page's own `<meta>`, a UTF-16 label means UTF-8 (the page was read as bytes, so it is
    not UTF-16) and x-user-defined means windows-1252, as the HTML standard's prescan says.
    The "replacement" encoding (ISO-2022-KR/CN, HZ) exists so that browsers never decode those
    labels: we ignore them too (and decode by the evidence of the bytes).
    """
    if not name:
        return None
    label = name.strip("\t\n\f\r \"'").lower()
    encoding = _LABELS.get(label)
    if encoding == "replacement":
        return None
    if in_page and encoding in ("utf-16le", "utf-16be"):
        return "utf-8"
    if encoding == "x-user-defined":
        return "windows-1252" if in_page else "x-user-defined"
    return encoding


def _python_codec(name: str) -> str:
    return _PYTHON_CODECS.get(name, name)


def _decode_user_defined(data: bytes) -> str:
    # WHATWG x-user-defined: ASCII as is, 0x80-0xFF to U+F780-U+F7FF.
    return "".join(chr(b) if b < 0x80 else chr(0xF700 + b) for b in data)


def sniff_declared(data: bytes) -> str | None:
    """Return the charset label a page declares in its first 4 KB of markup, if any."""
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    return match.group(1).decode("ascii", "replace") if match else None


def looks_like_cp1256(data: bytes) -> bool:
    """Tell whether non-ASCII bytes read as Persian/Arabic words in windows-1256.

    Latin-1 text has isolated accented letters between ASCII ones; Persian in cp1256 has runs of
    high bytes (whole words) that map to Arabic-script letters.
    """
    runs = _HIGH_RUN.findall(data)
    high = sum(len(run) for run in runs)
    if high < 4:
        return False
    in_runs = sum(len(run) for run in runs if len(run) >= 2)
    letters = sum(1 for run in runs for byte in run if byte in _CP1256_LETTERS)
    return letters / high >= 0.8 and in_runs / high >= 0.6


def _utf8_error_rate(data: bytes) -> float:
    """Return replaced sequences per non-ASCII character when `data` is read as UTF-8."""
    text = data.decode("utf-8", "replace")
    non_ascii = sum(1 for char in text if ord(char) > 127)
    return text.count("\ufffd") / max(1, non_ascii)


# Characters no XML tree may hold (lxml refuses them in text with a ValueError): C0 controls
# but tab, newline and carriage return, and the noncharacters U+FFFE/U+FFFF. A form feed is
# whitespace in HTML: it becomes a space; the rest is dropped (never printed anyway).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")
# Terminal escape sequences go whole (as render.sanitize_terminal removes them), so that no
# "[31m" is left behind when the ESC alone is dropped: CSI, and OSC/DCS/SOS/PM/APC strings
# when terminated within 512 characters. Otherwise only the ESC goes: page text after an
# unterminated "ESC P" is text, not a string to swallow.
_ESCAPE_SEQUENCES = re.compile(
    r"\x1b(?:\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|[\]PX^_][^\x07\x1b]{0,512}(?:\x07|\x1b\\))?"
)


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str, list[str]]:
    """Return (text, encoding used, warnings) for the bytes of one page.

    Labels are read as the WHATWG Encoding Standard says (unknown ones ignored, never UTF-7 or
    a non-text codec). Never raises on any bytes: what cannot be decoded is replaced (and said
    in a warning). The text holds no character an XML tree refuses (C0 controls, U+FFFE/F).

    Args:
        data: raw bytes.
        declared: a charset known from outside the page (HTTP header in a WARC record, either a
            bare label or a whole `Content-Type` value), if any.
    """
    text, encoding, warnings = _decode(data, declared)
    if "\x1b" in text:
        text = _ESCAPE_SEQUENCES.sub("", text)
    text = _NOT_XML.sub("", text.replace("\f", " "))
    return text, encoding, warnings


def _decode(data: bytes, declared: str | None) -> tuple[str, str, list[str]]:
    warnings: list[str] = []
    for bom, name in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            text = body.decode(name, "replace")
            if "\ufffd" in text:
                warnings.append(f"invalid {name} bytes replaced")
            return text, name.removesuffix("-le").removesuffix("-be"), warnings

    if declared and "charset" in declared.lower():
        match = _HEADER_CHARSET.search(declared)
        declared = match.group(1) if match else None
    outside = _canonical(declared)
    if outside in ("utf-16le", "utf-16be"):  # from the transport layer: browsers honour it
        text = data.decode(_python_codec(outside), "replace")
        if "\ufffd" in text:
            warnings.append(f"invalid {outside} bytes replaced")
        return text, outside, warnings
    if outside == "x-user-defined":
        return _decode_user_defined(data), outside, warnings
    in_page_label = sniff_declared(data)
    in_page = _canonical(in_page_label, in_page=True)
    if in_page_label and not in_page:
        warnings.append(f"unknown charset {in_page_label!r} declared; ignored")
    claimed = outside or in_page

    if data.isascii():
        if claimed == "iso-2022-jp" and b"\x1b" in data:  # a 7-bit encoding
            return data.decode("iso2022_jp", "replace"), claimed, warnings
        ascii_name = claimed if claimed and not claimed.startswith("utf-") else "utf-8"
        return data.decode("ascii"), ascii_name, warnings

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            # a page cut off in the middle of a multi-byte character
            warnings.append("truncated utf-8 sequence at the end dropped")
            return data[: exc.start].decode("utf-8", "replace"), "utf-8", warnings
    else:
        if claimed and claimed != "utf-8":
            warnings.append(
                f"declared charset {claimed} contradicted by the bytes; decoded as utf-8"
            )
        return text, "utf-8", warnings

    # Old Iranian pages lie with Latin-1/UTF-8/ISO-8859-6 labels; other labels (koi8-r,
    # windows-1251, shift_jis ...) are trusted over the guess.
    if claimed in _CP1256_LIES and looks_like_cp1256(data):
        if claimed:
            warnings.append(
                f"declared charset {claimed} contradicted by the bytes; decoded as windows-1256"
            )
        else:
            warnings.append("charset guessed: windows-1256 (no declaration)")
        return data.decode("cp1256", "replace"), "windows-1256", warnings

    if claimed in (None, "utf-8") and _utf8_error_rate(data) <= _MAX_UTF8_ERROR_RATE:
        warnings.append("invalid utf-8 bytes replaced")
        return data.decode("utf-8", "replace"), "utf-8", warnings
    if claimed == "utf-8":
        warnings.append("declared charset utf-8 contradicted by the bytes; decoded as windows-1252")
        return data.decode("cp1252", "replace"), "windows-1252", warnings

    if claimed:
        text = data.decode(_python_codec(claimed), "replace")
        if "\ufffd" in text:
            warnings.append(f"invalid {claimed} bytes replaced")
        return text, claimed, warnings

    warnings.append("charset guessed: windows-1252 (no declaration)")
    return data.decode("cp1252", "replace"), "windows-1252", warnings
