"""The index overview of `archive stats`: articles per language, year, site; top authors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from whoosh import query as wq

from archive import names, text
from archive.engines import is_engine_searcher
from archive.search.parse import author_query, term_text
from archive.search.postings import NotFast, deleted_docs, doc_dates, docset, term_docs
from archive.search.versions import author_aliases, author_page_names, linked_docs, page_aliases
from archive.stored import int_to_date

STATS_AUTHOR_SAMPLE = 1500  # documents whose stored authors propose the candidates


def collect_stats(
    searcher: Any, *, top_authors: int = 10, only: Any | None = None
) -> dict[str, Any]:
    """Count articles per language, year (both calendars), site, and the most frequent authors.

    Languages, sites and years come from postings and the date column (no stored fields read).
    Authors: the names stored on up to STATS_AUTHOR_SAMPLE evenly spread articles are the
    candidates, grouped into people across spellings and scripts (`author_spellings` lists the
    other spellings of each), and each person is then counted exactly over the whole index with
    the `--author` query (reading every stored body took seconds at 20,000 articles). An
    author absent from the sample is missing from the list, never miscounted.

    `only`: a whoosh query (e.g. `source_query`): count just the articles it matches.
    """
    from collections import Counter

    reader = searcher.reader()
    allowed = docset(searcher, only)
    live = _live_docs(searcher)
    if allowed is not None:
        live = [d for d in live if d in allowed]
    languages = _term_counts(searcher, reader, "lang", allowed)
    sites = _term_counts(searcher, reader, "site", allowed)
    per_date: Counter[int] = Counter()
    try:
        dates = doc_dates(searcher)
        per_date.update(dates[d] if d < len(dates) else 0 for d in live)
    except NotFast:
        per_date.update(
            int(stored.get("date") or 0)
            for docnum, stored in reader.iter_docs()
            if allowed is None or docnum in allowed
        )
    years: Counter[str] = Counter()
    years_jalali: Counter[str] = Counter()
    for value, count in per_date.items():
        date = int_to_date(value)
        years[str(date.year) if date else "no date"] += count
        years_jalali[_jalali_year(date)] += count
    authors, spellings = _top_authors(searcher, live, top_authors, allowed)
    return {
        "articles": searcher.doc_count() if allowed is None else len(live),
        "languages": dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))),
        "years": dict(sorted(years.items())),
        "years_jalali": dict(sorted(years_jalali.items())),
        "sites": dict(sorted(sites.items(), key=lambda kv: (-kv[1], kv[0]))),
        "authors": authors,
        "author_spellings": spellings,
    }


def _live_docs(searcher: Any) -> list[int]:
    if is_engine_searcher(searcher):
        return searcher.live_docs()  # type: ignore[no-any-return]
    deleted = deleted_docs(searcher)
    return [d for d in range(searcher.doc_count_all()) if d not in deleted]


def _top_authors(
    searcher: Any, live: list[int], top: int, allowed: set[int] | None = None
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Return {person: articles} (named by their most frequent spelling) and their spellings.

    One person's spellings and scripts (Behzad Khakpoor, بهزاد خاکپور) are one entry
    (archive.names.group_names); each entry is counted over the whole index (or the `allowed`
    articles) with the same query `--author` runs for each of its spellings.
    """
    from collections import Counter

    reader = searcher.reader()
    step = max(1, len(live) // STATS_AUTHOR_SAMPLE)
    seen: Counter[str] = Counter()
    for docnum in live[::step]:
        for name in searcher.stored_fields(docnum).get("authors") or ():
            written = " ".join(str(name).split())
            if any(True for _ in text.iter_name_terms(written)):
                seen[written] += 1
    ordered = sorted(seen, key=lambda n: (-seen[n], n))
    groups = names.group_names(ordered)
    groups.sort(key=lambda g: (-sum(seen[n] for n in g), g[0]))
    counts: dict[str, int] = {}
    spellings: dict[str, list[str]] = {}
    absorbed: set[int] = set()
    for index in range(min(len(groups), max(top * 2, 20))):
        if index in absorbed:
            continue
        group = _merge_versions(searcher, groups, index, absorbed)
        query = wq.Or([author_query(name, reader) for name in group])
        counts[group[0]] = sum(
            1 for d in searcher.docs_for_query(query) if allowed is None or d in allowed
        )
        if len(group) > 1:
            spellings[group[0]] = group[1:]
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return dict(best), {name: spellings[name] for name, _ in best if name in spellings}


def _merge_versions(
    searcher: Any, groups: list[list[str]], index: int, absorbed: set[int]
) -> list[str]:
    """Return group `index` with the names hreflang versions and author pages give the person.

    The names the other-language versions of this person's articles give them
    (`search.versions.author_aliases`) and the names their author page is given
    (`page_aliases`) join the group, and so does every other group that shares one of those
    names (marked `absorbed`: it is not listed again).
    """
    reader = searcher.reader()
    group = list(groups[index])
    linked = linked_docs(reader)
    if not linked and not author_page_names(reader):  # no link in the index: nothing to merge
        return group
    for name in list(group):
        aliases = page_aliases(reader, name)
        if linked:
            found = searcher.docs_for_query(author_query(name, reader, aliases=False))
            docs = [d for d in found if d in linked]
            aliases += [a for a in author_aliases(reader, name, docs) if a not in aliases]
        for alias in aliases:
            for other_index, other in enumerate(groups):
                if other_index <= index or other_index in absorbed:  # earlier: listed
                    continue
                if any(names.names_match(alias, n) for n in other):
                    absorbed.add(other_index)
                    group.extend(n for n in other if n not in group)
            if not any(names.names_match(alias, n) for n in group):
                group.append(alias)
    return group


def _term_counts(
    searcher: Any, reader: Any, fieldname: str, allowed: set[int] | None = None
) -> dict[str, int]:
    counts: dict[str, int] = {}
    if fieldname not in searcher.schema:
        return counts
    for term in reader.lexicon(fieldname):
        value = term_text(term)
        try:
            docs: Any = term_docs(searcher, fieldname, value)
        except NotFast:
            docs = searcher.docs_for_query(wq.Term(fieldname, value))
        count = sum(1 for d in docs if allowed is None or d in allowed)
        if count:
            counts[value] = count
    return counts


def _jalali_year(date: dt.date | None) -> str:
    if date is None:
        return "no date"
    try:
        from archive.dates import to_jalali

        return to_jalali(date)[:4]
    except Exception:  # noqa: BLE001 - a date jdatetime cannot convert is counted apart
        return "unknown"
