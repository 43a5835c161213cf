"""Other-language versions of an article, resolved from the index at query time.

The rules are in `archive.versions`. Nothing about a link is stored but what each page says
of itself (its `url_key` and the `alternates` its hreflang links name), so a link appears as
soon as both pages are in the index, whichever came first and in whichever run, and a
forgotten or pruned version drops out with its document.

- `find_versions`: the versions of one document (hreflang first; the matched rule only when
  neither page declares a version in the other language);
- `author_aliases`: the names the hreflang versions of a person's articles give that person
  (`--author` and `stats` merge them: the pages themselves say it is one person).
"""

from __future__ import annotations

import bisect
import datetime as dt
import weakref
from collections.abc import Iterable
from typing import Any

from whoosh import query as wq

from archive import names
from archive import versions as rules
from archive.engines import is_engine_searcher
from archive.models import LANGUAGES, Version
from archive.search.postings import NotFast, doc_dates, live_term_docs, term_docs
from archive.stored import date_to_int, int_to_date

# site -> (yyyymmdd dates, docnums), ordered by (date, docnum), per open reader: the matched
# rule's candidates by bisection (a whoosh And of Term, Term and NumericRange per hit doubled a
# query's time). One pool per site, every language: the candidates' stored fields (or, once
# earned, the reader's language table, _LANGS) say their language, where a pool per language
# read the postings of `lang`, half the index, for each site (most of the versions of a fresh
# `archive query`, bench/README.md "Cold query"). Two lists sorted by an int key, not (date,
# docnum) tuples: a fifth of the time.
_POOLS: weakref.WeakKeyDictionary[Any, dict[str, tuple[list[int], list[int]]]] = (
    weakref.WeakKeyDictionary()
)

# The language of each live document (an index into LANGUAGES + 1; 0: none of them), per
# open reader, from the `lang` postings: the matched rule turns away a candidate in the hit's
# own language before reading its stored fields (three in five of them on the bench's
# 100,000 articles). Built once a reader's candidates read so far, times LANG_TABLE_READS, pass
# its document count: reading the postings (about 30 ms at 100,000 articles) costs what ~700
# stored reads do, more than one fresh `archive query` reads (~190).
_LANGS: weakref.WeakKeyDictionary[Any, bytearray] = weakref.WeakKeyDictionary()
_CANDIDATE_READS: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
LANG_TABLE_READS = 100

# On tantivy: site -> lookups run as queries so far, per open reader (see _direct).
_DIRECT: weakref.WeakKeyDictionary[Any, dict[str, int]] = weakref.WeakKeyDictionary()
DIRECT_LOOKUPS = 100

# `--author` reads the stored fields of a person's articles to find their versions; beyond
# this many articles only the first are read (a name that common is not one person anyway).
MAX_ALIAS_DOCS = 2000


_LINKED: weakref.WeakKeyDictionary[Any, frozenset[int]] = weakref.WeakKeyDictionary()


def linked_docs(reader: Any) -> frozenset[int]:
    """Return the documents on either end of an hreflang link (cached per open reader).

    One pass over the `alternates` lexicon: its documents declare a link, and the documents
    whose `url_key` is one of its terms are declared. `author_aliases` reads the stored fields
    of these only (an index without hreflang links costs nothing).
    """
    if reader in _LINKED:
        return _LINKED[reader]
    found: set[int] = set()
    if "alternates" in reader.schema:
        for raw in reader.lexicon("alternates"):
            key = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            targets = live_term_docs(reader, "url_key", key)
            if targets:
                found.update(targets)
                found.update(live_term_docs(reader, "alternates", key))
    linked = frozenset(found)
    _LINKED[reader] = linked
    return linked


_PAGES: weakref.WeakKeyDictionary[Any, dict[str, list[str]]] = weakref.WeakKeyDictionary()


def author_page_names(reader: Any) -> dict[str, list[str]]:
    """Return {author page URL key: the names live articles give it} (cached per reader).

    Read from the `author_ids` lexicon alone (`KEY|name` terms), each term checked for a
    live document (a forgotten article's terms stay in the lexicon until segments merge).
    """
    if reader in _PAGES:
        return _PAGES[reader]
    table: dict[str, list[str]] = {}
    if "author_ids" in reader.schema:
        for raw in reader.lexicon("author_ids"):
            term = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            if not live_term_docs(reader, "author_ids", term):
                continue
            key, written = rules.split_author_page_term(term)
            if key and written and written not in table.setdefault(key, []):
                table[key].append(written)
    _PAGES[reader] = table
    return table


def page_aliases(reader: Any, name: str) -> list[str]:
    """Return the other names under which `name`'s author page is given to articles.

    An author page counts only when every name it is given can be one person
    (`archive.versions.is_one_person`).
    """
    aliases: list[str] = []
    for bound in author_page_names(reader).values():
        if len(bound) < 2 or not any(names.names_match(name, b) for b in bound):
            continue
        if not rules.is_one_person(bound):
            continue
        for other in bound:
            if not names.names_match(name, other) and other not in aliases:
                aliases.append(other)
    return aliases


def _authors(stored: dict[str, Any]) -> list[str]:
    authors = stored.get("authors") or []
    if isinstance(authors, str):
        return [a for a in authors.splitlines() if a.strip()]
    return [str(a) for a in authors]


def _declared(stored: dict[str, Any]) -> list[str]:
    return [k for k in (rules.url_key(u) for u in stored.get("alternate_urls") or ()) if k]


def _linked(reader: Any, docnum: int, stored: dict[str, Any]) -> set[int]:
    """Documents on the other end of an hreflang link of this one, either way."""
    found: set[int] = set()
    for key in _declared(stored):
        found.update(live_term_docs(reader, "url_key", key))
    found.update(live_term_docs(reader, "alternates", rules.url_key(stored.get("url"))))
    found.discard(docnum)
    return found


def hreflang_partners(
    reader: Any, docnum: int, stored: dict[str, Any]
) -> list[tuple[int, dict[str, Any]]]:
    """Return (docnum, stored fields) of the documents linked to this one by hreflang.

    Either page's link is enough. A link must be one to one: when several documents of one
    language are linked to this one, or the partner is linked to several documents of this
    one's language (a template pointing every page at one section page), there is none.
    """
    lang = stored.get("lang")
    by_lang: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for other in sorted(_linked(reader, docnum, stored)):
        fields = reader.stored_fields(other)
        other_lang = fields.get("lang")
        if other_lang and other_lang != lang:
            by_lang.setdefault(str(other_lang), []).append((other, fields))
    partners = []
    for found in by_lang.values():
        if len(found) != 1:
            continue
        other, fields = found[0]
        back = [
            d
            for d in _linked(reader, other, fields)
            if d == docnum or reader.stored_fields(d).get("lang") == lang
        ]
        if back == [docnum]:
            partners.append((other, fields))
    return partners


def _is_linked_elsewhere(reader: Any, stored: dict[str, Any]) -> bool:
    """A page that declares a version, or that another page declares as its version."""
    return bool(_declared(stored)) or bool(
        live_term_docs(reader, "alternates", rules.url_key(stored.get("url")))
    )


class _Matcher:
    """The `matched` rule over one searcher, with the shapes it computed kept."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.shapes: dict[int, rules.Shape] = {}

    def shape(self, docnum: int, stored: dict[str, Any]) -> rules.Shape:
        if docnum not in self.shapes:
            self.shapes[docnum] = rules.text_shape(stored.get("body") or "")
        return self.shapes[docnum]

    def candidates(self, docnum: int, stored: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
        """The documents that pass the rule against this one (usually none or one)."""
        site, lang = stored.get("site"), stored.get("lang")
        date = int_to_date(stored.get("date"))
        if not (site and date and lang in LANGUAGES and _authors(stored)):
            return []
        span = dt.timedelta(days=rules.MAX_DAYS)
        low, high = date_to_int(date - span), date_to_int(date + span)
        passing = []
        near = self._near(str(site), str(lang), low, high)
        langs = self._langs(len(near))
        own = LANGUAGES.index(lang) + 1
        for other in near:
            if other == docnum:
                continue
            if langs is not None and other < len(langs) and langs[other] in (0, own):
                continue  # as its stored `lang` would say: the term is the stored value
            fields = self.reader.stored_fields(other)
            if fields.get("lang") == lang or fields.get("lang") not in LANGUAGES:
                continue  # a pool holds the site's every language
            # authors first: no index lookup, and it turns away most of a busy site's days
            if not rules.authors_match(_authors(stored), _authors(fields)):
                continue
            if _is_linked_elsewhere(self.reader, fields):
                continue
            if rules.shapes_match(self.shape(docnum, stored), self.shape(other, fields)):
                passing.append((other, fields))
        return passing

    def _langs(self, reads: int) -> bytearray | None:
        """The reader's language table (see _LANGS), once its candidates have earned it;
        `reads`: the candidates about to be read."""
        table = _LANGS.get(self.reader)
        if table is not None or is_engine_searcher(self.searcher):
            return table  # on tantivy, docnums are segment << 32 | doc: no table
        done = _CANDIDATE_READS.get(self.reader, 0) + reads
        _CANDIDATE_READS[self.reader] = done
        if done * LANG_TABLE_READS <= self.searcher.doc_count_all():
            return None
        table = bytearray(self.searcher.doc_count_all())
        for code, lang in enumerate(LANGUAGES, 1):
            for other in term_docs(self.searcher, "lang", lang):
                table[other] = code
        _LANGS[self.reader] = table
        return table

    def _near(self, site: str, lang: str, low: int, high: int) -> list[int]:
        """Documents of `site` dated `low`..`high` (yyyymmdd), those in the other languages
        among them (from a pool, every language: the caller checks)."""
        try:
            if self._direct(site):
                raise NotFast
            pool = self._pool(site)
        except NotFast:
            found: list[int] = []
            for other in LANGUAGES:
                if other == lang:
                    continue
                parts = [wq.Term("site", site), wq.Term("lang", other)]
                query = wq.And([*parts, wq.NumericRange("date", low, high)])
                found.extend(self.searcher.docs_for_query(query))
            return found
        dates, docs = pool
        return docs[bisect.bisect_left(dates, low) : bisect.bisect_right(dates, high)]

    def _direct(self, site: str) -> bool:
        """On tantivy, the first DIRECT_LOOKUPS lookups of a site run as queries: a pool
        reads the dates of all the site's documents first (0.6 s at 100,000 articles when
        pools were per language), which a fresh process (`archive query`) never earns back."""
        if not is_engine_searcher(self.searcher):
            return False
        if site in _POOLS.get(self.reader, {}):
            return False
        counts = _DIRECT.setdefault(self.reader, {})
        counts[site] = counts.get(site, 0) + 1
        return counts[site] <= DIRECT_LOOKUPS

    def _pool(self, site: str) -> tuple[list[int], list[int]]:
        pools = _POOLS.setdefault(self.reader, {})
        if site not in pools:
            dates = doc_dates(self.searcher)
            count = len(dates)
            docs = [d for d in sorted(term_docs(self.searcher, "site", site)) if d < count]
            docs = [d for d in docs if dates[d]]
            docs.sort(key=dates.__getitem__)  # stable: docnum order within a date
            pools[site] = ([dates[d] for d in docs], docs)
        return pools[site]

    def match(self, docnum: int, stored: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        """The one document matched to this one, when each is the other's only candidate."""
        if _is_linked_elsewhere(self.reader, stored):
            return None
        found = self.candidates(docnum, stored)
        if len(found) != 1:
            return None
        other, fields = found[0]
        back = self.candidates(other, fields)
        if [d for d, _ in back] != [docnum]:
            return None
        return other, fields


def find_versions(
    searcher: Any, docnum: int, stored: dict[str, Any] | None = None, *, matcher: Any = None
) -> list[tuple[int, dict[str, Any], str]]:
    """Return (docnum, stored fields, how) of each other-language version of a document.

    `how` is "hreflang" (a page's own link) or "matched" (same site, authors across scripts,
    dates at most two days apart, same figures and structure; see archive.versions).
    """
    reader = searcher.reader()
    if stored is None:
        stored = reader.stored_fields(docnum)
    partners = hreflang_partners(reader, docnum, stored)
    if partners:
        return [(d, fields, "hreflang") for d, fields in partners]
    matched = (matcher or _Matcher(searcher)).match(docnum, stored)
    return [(matched[0], matched[1], "matched")] if matched else []


def new_matcher(searcher: Any) -> Any:
    """Return a matcher to share across `find_versions` calls of one search (shape cache)."""
    return _Matcher(searcher)


def version_records(found: Iterable[tuple[int, dict[str, Any], str]]) -> list[Version]:
    """Return the `models.Version` records of `find_versions` results."""
    return [
        Version(
            id=str(fields.get("id", "")),
            lang=str(fields.get("lang") or ""),
            title=str(fields.get("title") or ""),
            url=fields.get("url") or None,
            how=how,
        )
        for _, fields, how in found
    ]


def author_aliases(reader: Any, name: str, docnums: Iterable[int]) -> list[str]:
    """Return the other names the hreflang versions of `name`'s articles give its author.

    `docnums`: the articles by `name` (any spelling). For each one with an hreflang version,
    the two pages' authors are paired (`archive.versions.paired_authors`: same names first,
    then one left on each side); the partner of a `name` author that does not already match
    `name` is an alias. One step only: an alias's own versions are not followed.
    """
    aliases: list[str] = []
    linked = linked_docs(reader)
    for count, docnum in enumerate(sorted(d for d in set(docnums) if d in linked)):
        if count >= MAX_ALIAS_DOCS:
            break
        stored = reader.stored_fields(docnum)
        mine = [a for a in _authors(stored) if names.names_match(name, a)]
        if not mine:
            continue
        for _, fields in hreflang_partners(reader, docnum, stored):
            for own, other in rules.paired_authors(_authors(stored), _authors(fields)):
                if own in mine and not names.names_match(name, other) and other not in aliases:
                    aliases.append(other)
    return aliases
