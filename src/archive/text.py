"""Normalisation and tokens for English and Persian: the one analysis chain of index and query.

CONTRACT (owner: text analysis). Must not import hazm at module level: the query path imports
this module and must stay fast. Everything here is pure Python and deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple


class Term(NamedTuple):
    text: str  # the index term
    pos: int  # token position (0-based, consecutive for phrase queries)
    start: int  # start char offset in the ORIGINAL text given to iter_terms
    end: int  # end char offset in the ORIGINAL text


def normalize(text: str) -> str:
    """Return the canonical matching form of `text` (letters unified, marks dropped, digits ASCII)."""
    raise NotImplementedError


def iter_terms(text: str) -> Iterator[Term]:
    """Yield the index terms of `text`, routing each token by script (Persian or English chain)."""
    raise NotImplementedError


def iter_name_terms(text: str) -> Iterator[Term]:
    """Yield terms for a person name: same letter folding, lowercase, no stopwords, no stemming."""
    raise NotImplementedError


def clean_display(text: str) -> str:
    """Return `text` fit to store and show: Arabic ي/ك -> Persian ی/ک, whitespace collapsed; ZWNJ kept."""
    raise NotImplementedError


def detect_lang(text: str) -> str:
    """Return "fa" or "en" for a text, judged from its letters (Arabic script vs Latin)."""
    raise NotImplementedError
