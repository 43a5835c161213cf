"""Plain records passed between the stages: RawPage -> Article -> index -> Hit, and the
SearchFilters a search takes."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class RawPage:
    """The bytes of one scraped page and where they came from."""

    source: str  # the file path as given on the command line (or found under a folder)
    data: bytes
    member: str | None = None  # member name when the page sits inside a zip/tar/WARC dump
    url: str | None = None  # target URI from a WARC record, used when the page has no canonical
    size: int = 0
    mtime: float | None = None
    declared_charset: str | None = None  # the charset of a WARC record's Content-Type header

    @property
    def location(self) -> str:
        """Human-readable place of the page: `dump.zip!a/b.html` or `raw/x.html`."""
        return f"{self.source}!{self.member}" if self.member else self.source


@dataclass
class Article:
    """One extracted article, as stored in the index."""

    id: str
    title: str
    body: str  # paragraphs separated by a blank line ("\n\n")
    lang: str  # one of LANGUAGES: "en", "fa" (Persian, Dari too) or "ar"
    source: str  # RawPage.location
    url: str | None = None
    site: str | None = None
    summary: str | None = None
    authors: list[str] = field(default_factory=list)
    date: dt.date | None = None  # Gregorian publication date
    date_jalali: str | None = None  # Solar Hijri form for display, e.g. "1403-11-12"
    tags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None
    # URLs of the page's versions in other languages (<link rel="alternate" hreflang=...>)
    alternates: list[str] = field(default_factory=list)
    # (author as in `authors`, URL of their author page) as the page links them
    author_pages: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (date as ISO string)."""
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Build an Article from `as_dict` output (inverse of `as_dict`)."""
        values = dict(data)
        if values.get("date"):
            values["date"] = dt.date.fromisoformat(values["date"])
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})


# The choices of `archive query` and `archive export`, here once: cli.py reads them without
# importing whoosh (`archive --help` stays fast), search/ and render.py check them.
LANGUAGES = ("en", "fa", "ar")  # what extraction detects and --lang accepts
SORTS = ("relevance", "date", "-date")  # relevance needs a query; date is oldest first
EXPORT_FORMATS = ("jsonl", "csv", "bibtex", "ris")


@dataclass(frozen=True)
class SearchFilters:
    """What every hit must match, and how hits are ordered (all optional).

    authors: names, any script; an article matches if any of them is one of its authors.
    date_from, date_to: inclusive Gregorian bounds; an undated article never matches them.
    lang: one of LANGUAGES. sites: hosts (their subdomains match too); an article on any.
    sort: one of SORTS; None is relevance with a query and "-date" (newest first) without.
    require_all: only articles matching every clause of the query.
    sources: input paths (a file, a folder, a dump, `dump.zip!member`); an article from any.
    exact: match the words as typed (no compound forms offered, no feedback terms added).
    feedback: add pseudo-relevance feedback (RM3) terms; None leaves it to the default.
    Values are checked when the search is planned (`search.plan_search`: UsageError).
    """

    authors: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    lang: str | None = None
    sites: tuple[str, ...] = ()
    sort: str | None = None
    require_all: bool = False
    sources: tuple[str, ...] = ()
    exact: bool = False  # the words as typed: no compound forms added, no feedback
    feedback: bool | None = None  # RM3 feedback terms; None: the default (search.rank)

    def __post_init__(self) -> None:
        # Lists are accepted; one string is one name or host, not a sequence of letters.
        for name in ("authors", "sites", "sources"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))


@dataclass(frozen=True)
class Version:
    """Another-language version of an article (archive.versions): how it was found."""

    id: str
    lang: str
    title: str
    url: str | None = None
    how: str = "hreflang"  # "hreflang": a page's own link; "matched": site, authors, dates, shape

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "lang": self.lang, "title": self.title, "url": self.url}


@dataclass
class Hit:
    """One search result."""

    rank: int
    id: str
    title: str
    score: float | None
    lang: str
    source: str
    url: str | None = None
    site: str | None = None
    authors: list[str] = field(default_factory=list)
    date: dt.date | None = None
    date_jalali: str | None = None
    snippet: str = ""  # plain text; matched terms are given by `highlights`
    highlights: list[tuple[int, int]] = field(default_factory=list)  # (start, end) in snippet
    versions: list[Version] = field(default_factory=list)  # the other-language versions
    version_of: str | None = None  # `query --both`: added as the version of this hit's id

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON Lines object for `archive query --json`."""
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        data["versions"] = [v.as_dict() for v in self.versions]
        if self.version_of is None:
            del data["version_of"]
        del data["highlights"]
        return data


# blocked: on the deny list (archive forget --block); pruned: its input is gone (ingest --prune)
OUTCOMES = ("added", "updated", "unchanged", "duplicate", "failed", "blocked", "pruned")


@dataclass
class Outcome:
    """What ingest did with one input page."""

    location: str
    status: str  # one of OUTCOMES
    id: str | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IngestReport:
    """Counts and per-input outcomes of one ingest run."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    failures: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    unread: int = 0  # failures of inputs that could not be read (missing, damaged dumps)
    held_back: str | None = None  # why a --rebuild was not switched in (the old index stays)

    def record(self, outcome: Outcome) -> None:
        self.counts[outcome.status] += 1
        if outcome.status == "failed":
            self.failures.append(outcome)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "failures": [f.as_dict() for f in self.failures],
            "seconds": self.seconds,
            "unread": self.unread,
            "held_back": self.held_back,
        }
