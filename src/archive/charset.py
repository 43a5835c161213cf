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

# Display names for the codecs we meet; anything else keeps Python's canonical name.
_NAMES = {
    "utf_8": "utf-8",
    "cp1256": "windows-1256",
    "cp1252": "windows-1252",
    "latin_1": "windows-1252",
    "iso8859-1": "windows-1252",  # WHATWG: the iso-8859-1 label means windows-1252
    "ascii": "windows-1252",
    "iso8859_6": "iso-8859-6",
    "utf_16": "utf-16",
    "utf_16_le": "utf-16-le",
    "utf_16_be": "utf-16-be",
}

# Bytes that windows-1256 maps to Arabic-script letters (incl. Persian پ چ ژ گ ک ی).
_CP1256_LETTERS = frozenset(
    [0x81, 0x8A, 0x8D, 0x8E, 0x90, 0x98, 0x9F, 0xAA, 0xC0]
    + list(range(0xC1, 0xD7))
    + list(range(0xD8, 0xDC))
    + list(range(0xDC, 0xE0))
    + [0xE1, 0xE3, 0xE4, 0xE5, 0xE6, 0xEC, 0xED]
)
_MAX_UTF8_ERROR_RATE = 0.02
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _canonical(name: str | None) -> str | None:
    """Return the display name of a codec label, or None when Python does not know it."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if label in ("utf8mb4", "utf8mb3", "unicode-1-1-utf-8"):
        label = "utf-8"
    if label in ("x-user-defined",):
        return None
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    return _NAMES.get(info.name, info.name.replace("_", "-"))


def _python_codec(name: str) -> str:
    return {"windows-1256": "cp1256", "windows-1252": "cp1252"}.get(name, name)


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


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str, list[str]]:
    """Return (text, encoding used, warnings) for the bytes of one page.

    Never raises on any bytes: what cannot be decoded is replaced (and said in a warning).

    Args:
        data: raw bytes.
        declared: a charset known from outside the page (HTTP header in a WARC record, either a
            bare label or a whole `Content-Type` value), if any.
    """
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
    in_page_label = sniff_declared(data)
    in_page = _canonical(in_page_label)
    if in_page_label and not in_page:
        warnings.append(f"unknown charset {in_page_label!r} declared; ignored")
    claimed = outside or in_page

    if data.isascii():
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

    if claimed != "windows-1256" and looks_like_cp1256(data):
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
