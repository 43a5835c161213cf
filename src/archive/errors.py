"""Errors the library raises. Each message is one sentence a user can act on."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base of every error the library raises on purpose (exit code 1 unless a subclass says)."""


class UsageError(ArchiveError):
    """The user asked for something malformed: bad option value, query syntax, date (exit 2)."""


class QuerySyntaxError(UsageError):
    """The query string cannot be parsed."""


class DateFormatError(UsageError):
    """A date given by the user is impossible or in no accepted form."""


class QueryTimeoutError(ArchiveError):
    """A query ran past its time budget and was stopped."""


class IndexMissingError(ArchiveError):
    """No index exists at the given location."""


class SchemaVersionError(ArchiveError):
    """The index was built by an incompatible version and must be rebuilt."""


class IndexLockedError(ArchiveError):
    """Another live process holds the index write lock."""


class ExtractionError(ArchiveError):
    """One page could not be turned into an article. Reported, the batch goes on."""


class EmptyInputError(ExtractionError):
    """The page has no bytes, or only whitespace."""


class NotHTMLError(ExtractionError):
    """The bytes are binary junk or some other format, not HTML."""


class NoArticleError(ExtractionError):
    """The page is HTML but holds no article text."""
