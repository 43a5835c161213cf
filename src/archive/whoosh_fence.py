"""Whoosh internals, fenced in one module: every private whoosh name the archive relies on.

Whoosh's public API scores through a tree of matcher objects and copies each mmap'ed segment
file into memory; the fast paths of `archive.search` read postings blocks, length and date
columns and lexicon patterns directly, and segment files are read in place. Those reads need
names whoosh does not promise to keep, so they live here and nowhere else:

- postings blocks of whoosh3's W3LeafMatcher: `_read_ids`, `_read_weights`, `_read_values`,
  `_next_block`, `_ids`, `_weights`, `_values`;
- fixed-width columns (field lengths, dates): `_perdoc._cached_reader`, `whoosh3._lenfield`,
  `_dbfile`, `_basepos`, `_count`, `_fixedlen`, `_typecode`, the `EmptyColumnReader` class;
- BM25F's per-field B: `_field_B`; a pattern query's lexicon walk: `_btexts`;
- a file storage's path for a name: `FileStorage._fpath`;
- `structfile.BufferFile.__init__` / `read_pickle`, replaced by `install()` so that compound
  segments are read in place (`_buf`, `_name`, `file`, `onclose`, `is_real`, `is_closed`).
- writing (`merging_writer`, `BulkLengths`): SegmentWriter's `_merge_segments`,
  `_flush_segment`, `_close_segment`, `_process_posts`, `_added`, `write_per_doc`, `pool`,
  `perdocwriter`, `fieldwriter`, `per_document_reader`, `codec.length_stats`, `mergetype`,
  `optimize`, `merge`; `externalsort.imerge`; a per-document reader's `_cached_reader`.

A reader that meets another layout raises `UnknownLayout`; callers then take whoosh's public
API (slower, same answers). tests/test_whoosh_fence.py pins TESTED_WHOOSH and checks each of
these against whoosh's public API on a real index: on a whoosh upgrade, run it first.
`install()` is called once, when `archive.search` is imported.
"""

from __future__ import annotations

import io
import pickle
import sys
from array import array
from collections.abc import Iterator
from typing import Any

TESTED_WHOOSH = (2, 7, 5)  # whoosh-reloaded; the canary test fails on any other version


class UnknownLayout(Exception):
    """Whoosh's internals are not the ones this module knows (another codec or version)."""


# --- postings, columns, weighting, patterns ------------------------------------------------


def iter_matcher_blocks(matcher: Any, *, values: bool = False) -> Iterator[tuple[Any, ...]] | None:
    """Return an iterator of (ids, weights[, encoded values]) per postings block, or None.

    None when `matcher` is not a block matcher (another codec): walk it with its public API.
    """
    if not (hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block")):
        return None
    return _matcher_blocks(matcher, values)


def _matcher_blocks(matcher: Any, values: bool) -> Iterator[tuple[Any, ...]]:
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        if values:
            if matcher._values is None:
                matcher._read_values()
            yield matcher._ids, matcher._weights, matcher._values
        else:
            yield matcher._ids, matcher._weights
        matcher._next_block()


def length_column_bytes(reader: Any, fieldname: str) -> bytes:
    """Return the raw length bytes of `fieldname` in one segment (one byte per document).

    Raises:
        UnknownLayout: not whoosh3's segment layout, or no length column for the field.
    """
    from whoosh.codec import whoosh3

    try:
        column = reader._perdoc._cached_reader(
            whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN
        )
        if column is None:
            raise UnknownLayout(f"no length column for {fieldname!r}")
        return bytes(column._dbfile.get(column._basepos, column._count * column._fixedlen))
    except AttributeError as exc:
        raise UnknownLayout(str(exc)) from exc


def fixed_column_values(column: Any) -> array[Any] | None:
    """Return every value of a fixed-width numeric column reader, in bulk; None when empty.

    Raises:
        UnknownLayout: not a fixed-width column reader of this whoosh version.
    """
    if type(column).__name__ == "EmptyColumnReader":  # no document has a value
        return None
    try:
        raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
        numbers = array(column._typecode)
        numbers.frombytes(bytes(raw))
    except (AttributeError, TypeError, ValueError) as exc:
        raise UnknownLayout(str(exc)) from exc
    if numbers.itemsize > 1 and sys.byteorder == "little":
        numbers.byteswap()  # whoosh writes columns big-endian
    return numbers


def field_b(weighting: Any, fieldname: str) -> float:
    """Return the B parameter BM25F uses for `fieldname` (its per-field value, else B)."""
    b: float = weighting._field_B.get(fieldname, weighting.B)
    return b


def pattern_terms(q: Any, reader: Any) -> Iterator[bytes]:
    """Yield the index terms a Wildcard or Regex query reaches, from the lexicon (lazily)."""
    terms: Iterator[bytes] = q._btexts(reader)
    return terms


def storage_path(storage: Any, name: str) -> str:
    """Return the path of the file `name` in a whoosh FileStorage."""
    path: str = storage._fpath(name)
    return path


# --- reading compound segments in place ----------------------------------------------------


class _MemoryFile(io.RawIOBase):
    """A read-only file over a memoryview (an mmap'ed segment), without copying it."""

    def __init__(self, buf: Any) -> None:
        super().__init__()
        self._buf = buf if isinstance(buf, memoryview) else memoryview(buf)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        size = min(len(target), len(self._buf) - self._pos)
        if size <= 0:
            return 0
        target[:size] = self._buf[self._pos : self._pos + size]
        self._pos += size
        return size

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        data = bytes(self._buf[self._pos : end]) if end > self._pos else b""
        self._pos = max(self._pos, end)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        total = len(self._buf)
        limit = total if size is None or size < 0 else min(total, self._pos + size)
        end = self._pos
        while end < limit:
            chunk = bytes(self._buf[end : min(limit, end + 4096)])
            found = chunk.find(b"\n")
            if found >= 0:
                end += found + 1
                break
            end += len(chunk)
        data = bytes(self._buf[self._pos : end])
        self._pos = end
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: len(self._buf)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos


_INSTALLED = False
_WHOOSH_BUFFERFILE_INIT: Any = None  # whoosh's own, kept by install()


def install() -> None:
    """Make whoosh read mmap'ed compound segments in place (idempotent; see the module doc).

    whoosh's BufferFile wraps every file of a compound segment in `BytesIO(memoryview)`, which
    copies it: opening a 21,500-article index copied ~100 MB (postings, stored fields) and cost
    0.45 s of a cold `archive query`. A file object over the memoryview reads the same bytes.
    """
    global _INSTALLED
    if _INSTALLED:
        return
    from whoosh.filedb import structfile

    global _WHOOSH_BUFFERFILE_INIT
    _WHOOSH_BUFFERFILE_INIT = structfile.BufferFile.__init__  # the canary test compares it

    def init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = _MemoryFile(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def read_pickle(self: Any) -> Any:
        # pickle.load() on a Python-level file makes a call per opcode; the block headers
        # read for every posting block are small, so unpickle a short copied window instead.
        start = self.file.tell()
        for size in (512, len(self._buf) - start):
            window = io.BytesIO(bytes(self._buf[start : start + size]))
            try:
                value = pickle.load(window)
            except (EOFError, pickle.UnpicklingError):
                continue
            self.file.seek(start + window.tell())
            return value
        raise EOFError("truncated pickle in an index file")

    structfile.BufferFile.__init__ = init
    structfile.BufferFile.read_pickle = read_pickle
    _INSTALLED = True


# --- writing: streaming merges -------------------------------------------------------------


class BulkLengths:
    """The field lengths of a new segment, each field's column read once.

    Whoosh's posting writer asks the length of the document of every posting (for the block
    statistics), one column read each: an eighth of the writing time. Same values, from memory
    (one byte per document and field).
    """

    def __init__(self, lengths: Any) -> None:
        from whoosh.util.numeric import byte_to_length

        self._lengths = lengths
        self._columns: dict[str, Any] = {}
        self._decode = [byte_to_length(b) for b in range(256)]

    def _column(self, fieldname: str) -> Any:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        reader = self._lengths._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        column = self._columns[fieldname] = reader.load() if reader is not None else ()
        return column

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        """The length of `fieldname` in document `docnum` (whoosh's PerDocumentReader API)."""
        column = self._columns.get(fieldname)
        if column is None:
            column = self._column(fieldname)
        if not column:
            return default
        return self._decode[column[docnum]] if docnum < len(column) else 0


def merging_writer(ix: Any, limitmb: int, choose: Any) -> Any:
    """Return a whoosh SegmentWriter whose merges stream the merged segments' postings.

    `choose(segments, new_docs)` returns the indexes of the segments to merge into the one being
    committed (the merge policy lives in `archive.index`). Whoosh's own merge re-adds every
    posting of a merged segment through the posting pool and sorts it again; the postings of a
    segment come sorted by (field, term, docnum) and the documents of each later source number
    higher, so a heap merge of the sources keeps the order (as whoosh's multiprocessing writer
    joins its sub-segments). `optimize` merges everything and `merge=False` nothing, as in
    whoosh; a caller's own `mergetype` gets whoosh's merge.
    """
    from whoosh.externalsort import imerge
    from whoosh.reading import SegmentReader
    from whoosh.writing import SegmentWriter

    class MergingWriter(SegmentWriter):  # type: ignore[misc]
        def _merge_segments(self, mergetype: Any, optimize: Any, merge: Any) -> list[Any]:
            self._merge_readers: list[Any] = []
            self._merge_sources: list[Any] = []
            mergetype = mergetype if mergetype is not None else self.mergetype
            if mergetype:
                return list(super()._merge_segments(mergetype, optimize, merge))
            optimize = optimize if optimize is not None else self.optimize
            merge = merge if merge is not None else self.merge
            segments = list(self.segments)
            if optimize:
                chosen = set(range(len(segments)))
            elif not merge:
                chosen = set()
            else:
                chosen = set(choose(segments, self.docnum))
            fieldnames = set(self.schema.names())
            for i in sorted(chosen):
                reader = SegmentReader(self.storage, self.schema, segments[i])
                self._merge_readers.append(reader)
                base = self.docnum
                docmap = self.write_per_doc(fieldnames, reader)  # stored fields, lengths
                self._merge_sources.append(
                    self._process_posts(reader.iter_postings(), base, docmap)
                )
                self._added = True
            return [s for i, s in enumerate(segments) if i not in chosen]

        def _flush_segment(self) -> None:
            self.perdocwriter.close()
            lengths = self.per_document_reader() if self.codec.length_stats else None
            sources = [self.pool.iter_postings(), *getattr(self, "_merge_sources", [])]
            try:
                postings = imerge(sources) if len(sources) > 1 else sources[0]
                self.fieldwriter.add_postings(
                    self.schema, BulkLengths(lengths) if lengths else None, postings
                )
                self.fieldwriter.close()
            finally:
                if lengths:
                    lengths.close()
                self._close_merge_readers()

        def _close_segment(self) -> None:
            self._close_merge_readers()
            super()._close_segment()

        def _close_merge_readers(self) -> None:
            for reader in getattr(self, "_merge_readers", ()):
                reader.close()
            self._merge_readers = []

    return MergingWriter(ix, limitmb=limitmb)
