"""Postings, field lengths and the date column read in bulk, per segment (cached per reader).

Shared by the ranking route and the index overview; `NotFast` says a layout is not the one
these readers know (another codec), and the caller falls back on whoosh's own API.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh import query as wq

from archive import whoosh_fence
from archive.engines import is_engine_searcher

NO_DATE_LAST = 99_999_999  # sort key for unknown dates in an oldest-first sort


class NotFast(Exception):
    """The fast route does not apply (another weighting, an unscorable field)."""


_B2L: list[int] | None = None


def byte_to_length_table() -> list[int]:
    """Return the field length each of the 256 length bytes stands for (whoosh's encoding)."""
    global _B2L
    if _B2L is None:
        from whoosh.util.numeric import byte_to_length

        _B2L = [byte_to_length(b) for b in range(256)]
    return _B2L


_LENGTH_CACHE: Any = None


def reader_cache(reader: Any) -> dict[Any, Any]:
    """A dict that lives as long as `reader` (a segment's or a searcher's reader)."""
    global _LENGTH_CACHE
    if _LENGTH_CACHE is None:
        import weakref

        _LENGTH_CACHE = weakref.WeakKeyDictionary()
    cache: dict[Any, Any] = _LENGTH_CACHE.setdefault(reader, {})
    return cache


def field_lengths(reader: Any, fieldname: str) -> bytes:
    """Return the length bytes of `fieldname` for every document of a segment (cached)."""
    cache = reader_cache(reader)
    key = "length:" + fieldname
    if key not in cache:
        try:
            raw = whoosh_fence.length_column_bytes(reader, fieldname)
        except whoosh_fence.UnknownLayout as exc:  # not whoosh3's segment layout
            raise NotFast from exc
        count = reader.doc_count_all()
        cache[key] = (bytes(raw) + bytes(count))[:count]  # short columns: the rest are 0
    value: bytes = cache[key]
    return value


def iter_blocks(
    reader: Any, fieldname: str, term: str, *, values: bool = False
) -> Iterator[tuple[Any, ...]]:
    """Yield (docnums, weights) of a term's postings in one segment, a block at a time.

    With `values`, (docnums, weights, encoded values): the values hold the positions. Nothing
    when the segment lacks the term (one term-table lookup: no `in` test before).
    """
    from whoosh.matching.wrappers import FilterMatcher
    from whoosh.reading import TermNotFound

    read = whoosh_fence.term_blocks(reader, fieldname, term, values=values)
    if read is not None:  # whoosh3's blocks, read without a matcher
        yield from read
        return
    try:
        matcher = reader.postings(fieldname, term)
    except TermNotFound:
        return
    if isinstance(matcher, FilterMatcher):  # deletions: the caller drops deleted documents
        matcher = matcher.child
    blocks = whoosh_fence.iter_matcher_blocks(matcher, values=values)
    if blocks is not None:
        yield from blocks
        return
    ids, weights, encoded = [], [], []
    while matcher.is_active():  # another codec: the generic, slower walk
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if values:
            encoded.append(matcher.value())
        matcher.next()
    yield (ids, weights, encoded) if values else (ids, weights)


def doc_dates(searcher: Any) -> list[int]:
    """Return the yyyymmdd date of every document, by global docnum (columns read in bulk)."""
    if is_engine_searcher(searcher):  # it answers these reads itself
        return searcher.doc_dates()  # type: ignore[no-any-return]
    values: list[int] = []
    for reader, base in searcher.reader().leaf_readers():
        cache = reader_cache(reader)
        if "date" not in cache:
            cache["date"] = _segment_dates(reader)
        if len(values) < base:
            values.extend([0] * (base - len(values)))
        values.extend(cache["date"])
    return values


def _segment_dates(reader: Any) -> list[int]:
    count = reader.doc_count_all()
    if not count:
        return []
    try:
        column = reader.column_reader("date", translate=False)
        numbers = whoosh_fence.fixed_column_values(column)
    except (whoosh_fence.UnknownLayout, AttributeError, TypeError, NotImplementedError) as exc:
        raise NotFast from exc  # another codec or column layout: whoosh's own sorting
    if numbers is None:  # no dated article in this segment
        return [0] * count
    found: list[int] = numbers.tolist()
    return (found + [0] * count)[:count]


def deleted_docs(searcher: Any) -> set[int]:
    """Return the global docnums of the deleted documents."""
    if is_engine_searcher(searcher):  # it answers these reads itself
        return searcher.deleted_docs()  # type: ignore[no-any-return]
    found: set[int] = set()
    for reader, base in searcher.reader().leaf_readers():
        if reader.has_deletions():
            found.update(base + d for d in reader.deleted_docs_set)
    return found


def docset(searcher: Any, q: Any | None) -> set[int] | None:
    """Return the docnums matching `q` (None for no query), reading postings in bulk."""
    if q is None:
        return None
    if is_engine_searcher(searcher):  # it answers these reads itself
        return searcher.docset(q)  # type: ignore[no-any-return]
    kind = type(q)
    if kind is wq.And:
        sets = sorted((docset(searcher, child) or set() for child in q.subqueries), key=len)
        return set.intersection(*sets) if sets else set()
    if kind is wq.Or:
        return set().union(*(docset(searcher, child) or set() for child in q.subqueries))
    try:
        if kind is wq.Term:
            return term_docs(searcher, q.fieldname, q.text)
        if kind is wq.NumericRange and q.fieldname == "date":
            return _date_docs(searcher, q)
    except NotFast:
        pass
    return set(searcher.docs_for_query(q))


def live_term_docs(reader: Any, fieldname: str, term: str) -> list[int]:
    """Return the live docnums of `reader` (a segment's or a searcher's) whose `fieldname`
    holds `term`, through whoosh's public postings (for rare terms: links, author pages)."""
    if is_engine_searcher(reader):
        return reader.live_term_docs(fieldname, term)  # type: ignore[no-any-return]
    if not term or (fieldname, term) not in reader:
        return []
    return [d for d in reader.postings(fieldname, term).all_ids() if not reader.is_deleted(d)]


def term_docs(searcher: Any, fieldname: str, term: Any) -> set[int]:
    """Return the live docnums whose `fieldname` holds `term`."""
    if is_engine_searcher(searcher):  # it answers these reads itself
        return searcher.term_docs(fieldname, term)  # type: ignore[no-any-return]
    found: set[int] = set()
    for reader, base in searcher.reader().leaf_readers():
        for ids, _ in iter_blocks(reader, fieldname, term):
            found.update(ids if not base else (base + d for d in ids))
    return found - deleted_docs(searcher)


def _date_docs(searcher: Any, q: Any) -> set[int]:
    low = q.start if q.start is not None else 0
    high = q.end if q.end is not None else NO_DATE_LAST
    if q.startexcl:
        low += 1
    if q.endexcl:
        high -= 1
    dates = doc_dates(searcher)
    found = {d for d, value in enumerate(dates) if low <= value <= high}
    return found - deleted_docs(searcher)
