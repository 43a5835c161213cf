"""Decode the raw bytes of a scraped page: BOM, declared charsets, undeclared windows-1256.

CONTRACT (owner: extraction).
"""

from __future__ import annotations


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str, list[str]]:
    """Return (text, encoding used, warnings) for the bytes of one page.

    Args:
        data: raw bytes.
        declared: a charset known from outside the page (HTTP header in a WARC record), if any.
    """
    raise NotImplementedError
