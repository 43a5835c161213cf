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
