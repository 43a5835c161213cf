"""Gregorian and Solar Hijri date text -> datetime.date, and date bounds for queries.

CONTRACT (owner: dates). Pure Python plus jdatetime; no heavy imports (the query path uses it).
"""

from __future__ import annotations

import datetime as dt


def find_date(text: str) -> dt.date | None:
    """Return the first date written in `text`, in either calendar, any digits; None if none."""
    raise NotImplementedError


def parse_date_value(value: str) -> dt.date | None:
    """Parse a machine date (ISO 8601 with or without time/zone, as in JSON-LD or meta tags)."""
    raise NotImplementedError


def to_jalali(date: dt.date) -> str:
    """Return the Solar Hijri form "YYYY-MM-DD" (ASCII digits) of a Gregorian date."""
    raise NotImplementedError


def format_jalali(date: dt.date) -> str:
    """Return a Persian display form, e.g. "۱۲ بهمن ۱۴۰۳"."""
    raise NotImplementedError


def parse_date_bound(text: str) -> tuple[dt.date, dt.date]:
    """Return the inclusive Gregorian span of a user date: 2025, 2025-02, 1403-11-12, ۱۴۰۳/۱۱ ...

    Raises:
        DateFormatError: impossible or unrecognised input; the message says what is accepted.
    """
    raise NotImplementedError
