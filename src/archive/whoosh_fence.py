"""Whoosh internals, fenced in one module: every private whoosh name the archive relies on.

Whoosh's public API scores through a tree of matcher objects and copies each mmap'ed segment
file into memory; the fast paths of `archive.search` read postings blocks, length and date
columns and lexicon patterns directly, and segment files are read in place. Those reads need
names whoosh does not promise to keep, so they live here and nowhere else:

- postings blocks of whoosh3's W3LeafMatcher: `_read_ids`, `_read_values`, `_next_block`,
  `_ids`, `_weights`, `_values`, and for decoding ids and weights as `_read_ids` and
  `_read_weights` do: `_read_data`, `_data`, `_byteids`, `_blocklength`;
- a phrase's positions (`positions_decoder`): `formats._INT_SIZE` and the layout of a
  Positions value (a 4-byte count, then the pickled list of deltas, its STOP byte optional);
- fixed-width columns (field lengths, dates): `_perdoc._cached_reader`, `whoosh3._lenfield`,
  `_dbfile`, `_basepos`, `_count`, `_fixedlen`, `_typecode`, the `EmptyColumnReader` class;
- BM25F's per-field B: `_field_B`; a pattern query's lexicon walk: `_btexts`;
- a file storage's path for a name: `FileStorage._fpath`;
- `structfile.BufferFile.__init__` / `read_pickle`, replaced by `install()` so that compound
  segments are read in place (`_buf`, `_name`, `file`, `onclose`, `is_real`, `is_closed`);
  `filetables.HashReader.__init__`, replaced by `import_whoosh_reading()` so that a term
  table's directory is read at once (`_dir_entry`, `_directory_size`, `_hash_functions`,
  `_read_extras`, `tables`, `hashtype`, `hashfn`, `startofdata`, `endofdata`).
- writing (`merging_writer`, `BulkLengths`): SegmentWriter's `_merge_segments`,
  `_flush_segment`, `_close_segment`, `_process_posts`, `_added`, `write_per_doc`, `pool`,
  `perdocwriter`, `fieldwriter`, `per_document_reader`, `codec.length_stats`, `mergetype`,
  `optimize`, `merge`; `externalsort.imerge`; a per-document reader's `_cached_reader`
  and a segment reader's `_perdoc`;
  for the block-level merge (`write_merged_postings`): W3Codec's `_blocklimit`,
  `_inlinelimit`, `_compression`; W3FieldWriter's `_postfile`, `_tindex`, `_fieldid`; a
  segment reader's `_terms`, its `_postfile`, `_tindex` and `_fieldmap`; OrderedHashReader's
  `closest_key_pos`, `endofdata` and `dbfile`; the term info's bytes (`W3TermInfo._struct`,
  then the postings' offset and length, `!qi`), the term table's records (`filetables._lengths`:
  key and value lengths, key, value) and the whoosh3 postings layout itself (a `W3Bl` header,
  then per block a signed big-endian length, negative on the last, a pickled info tuple whose
  fourth item says whether the data is zlib'ed, and the pickle of delta-encoded ids, weights
  and values). `_fast_merge_layout` checks the writer's codec first; another layout takes
  whoosh's per-posting merge. For the new segment's term table (`pack_term_table`,
  `_TermTable`): OrderedHashWriter's `buckets`, `hashtype`, `dbfile`, `index` and `lastkey`,
  whoosh's md5 key hash, and the way `HashWriter._write_hashes` reads the buckets (`len()`,
  iteration of (hash, position)). For the stored fields of merged documents (`_copy_per_doc`):
  `whoosh3.STORED_COLUMN` (a PickleColumn over a CompressedBytesColumn), the writer's and the
  reader's `_child`, `VarBytesColumn.Writer.add` and `Reader.__getitem__` (the raw bytes),
  W3PerDocWriter's `_colwriters`, `start_doc` / `add_field` / `add_column_value` /
  `finish_doc`.

- importing whoosh (`import_whoosh`, run when this module is imported, and
  `import_whoosh_reading` before a whoosh index is opened): modules whoosh imports at module
  level for names the archive never calls (or only its writers do), kept out of the process by
  stand-ins while whoosh's modules are imported (`_STAND_INS`).

A reader that meets another layout raises `UnknownLayout`; callers then take whoosh's public
API (slower, same answers). tests/test_whoosh_fence.py pins TESTED_WHOOSH and checks each of
these against whoosh's public API on a real index: on a whoosh upgrade, run it first.
`install()` is called once, when `archive.search` is imported. `index.py` and `search/`
import this module before any whoosh module (`# isort: skip`), so whoosh is imported lean.
"""

from __future__ import annotations

import functools
import importlib
import io
import itertools
import pickle
import struct
import sys
import types
import zlib
from array import array
from collections.abc import Callable, Iterator
from hashlib import md5 as _md5
from typing import Any

TESTED_WHOOSH = (2, 7, 5)  # whoosh-reloaded; the canary test fails on any other version


# --- importing whoosh ----------------------------------------------------------------------


def _later(module: str, name: str) -> Callable[..., Any]:
    """A function that imports `module` when it is first called, then calls its `name`."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


# What whoosh's modules import at module level and the archive never calls through them; each
# costs a fresh `archive query` more than all of whoosh's own query code (bench/README.md
# "Cold query"): whoosh.compat's `urlretrieve` (urllib.request: http.client, email, ssl,
# tempfile), whoosh.reading's `cached_property` for one attribute (that package imports
# asyncio, for coroutines; functools has the same decorator), whoosh.query.terms's
# `variations` for the Variations query (morph_en builds its tables of English word forms).
# While `import_whoosh` imports whoosh, these names come from stand-in modules; afterwards
# the real modules import as usual, and the two functions import theirs when first called.
# Then modules whoosh imports whole for what only its writers or its multiprocessing call, ~8 ms
# of a fresh query together (min of -X importtime): whoosh.compat's `queue` and `htmlescape`
# (html, html.entities), whoosh.filedb.filestore's `tempfile` (temporary storages; it imports
# shutil, random, bz2, lzma), whoosh.util.times's `calendar` (DATETIME fields: the archive has
# none), whoosh.util's `random` (names of new files), whoosh.filedb.compound's `copyfileobj`
# (shutil, for writing compound files). Whoosh keeps these stand-ins: every other attribute of
# one is the real module's, imported when first asked for (`_delegate`).
_STAND_INS: dict[str, dict[str, Callable[[], Any]]] = {
    "urllib.request": {"urlretrieve": lambda: _later("urllib.request", "urlretrieve")},
    "cached_property": {"cached_property": lambda: functools.cached_property},
    "whoosh.lang.morph_en": {"variations": lambda: _later("whoosh.lang.morph_en", "variations")},
    "html": {"escape": lambda: _later("html", "escape")},
    "queue": {},
    "tempfile": {},
    "calendar": {},
    "random": {},
    "shutil": {"copyfileobj": lambda: _later("shutil", "copyfileobj")},
}
# Imported in that window: whoosh.query imports all three importers (and whoosh.fields,
# whoosh.analysis, whoosh.index, whoosh.filedb with them).
_WHOOSH_MODULES = ("whoosh.query",)
# What opening a whoosh index and its searcher import (the TOC's pickled segments name the
# codec; the compound segment reader imports shutil's copyfileobj, and whoosh.util `random`,
# for the writers): not imported for a tantivy index.
_READING_MODULES = ("whoosh.codec.whoosh3", "whoosh.filedb.compound", "whoosh.searching")


def _delegate(name: str) -> Callable[[str], Any]:
    """A stand-in's module `__getattr__`: the attribute of the real module `name`, imported on
    first use (the stand-in leaves `sys.modules` first, if a module of the window asks)."""

    def get(attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)  # dunder probes (copy, pickle, inspect): not delegated
        stand_in = sys.modules.get(name)
        if stand_in is not None and getattr(stand_in, "__getattr__", None) is get:
            del sys.modules[name]
        try:
            real = importlib.import_module(name)
        except ImportError as exc:
            raise AttributeError(attr) from exc
        return getattr(real, attr)

    return get


def import_whoosh(modules: tuple[str, ...] = _WHOOSH_MODULES) -> None:
    """Import whoosh's `modules` without the modules of `_STAND_INS` (idempotent).

    A module another import brought in already stays the real one. Not for threads that
    import `urllib.request` while this runs (the CLI, ingest and tests import whoosh before
    they start any); a thread that imports another stand-in's module in the window gets the
    stand-in, which hands over every attribute of the real one.
    """
    if all(name in sys.modules for name in modules):
        return
    placed: dict[str, types.ModuleType] = {}
    try:
        for name, attrs in _STAND_INS.items():
            if name in sys.modules:
                continue
            module = types.ModuleType(name, "a stand-in while whoosh is imported (whoosh_fence)")
            for attr, make in attrs.items():
                setattr(module, attr, make())
            module.__getattr__ = _delegate(name)  # type: ignore[method-assign]
            placed[name] = sys.modules[name] = module
        for name in modules:
            importlib.import_module(name)
    finally:
        for name, module in placed.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


def import_whoosh_reading() -> None:
    """Import what whoosh imports to open an index and search it (`_READING_MODULES`) in the
    same way, and read term tables' directories at once (`_install_hash_directory`):
    `index.py` calls it before it opens a whoosh generation (a tantivy one needs neither)."""
    import_whoosh(_READING_MODULES)
    _install_hash_directory()


import_whoosh()


class UnknownLayout(Exception):
    """Whoosh's internals are not the ones this module knows (another codec or version)."""


# --- postings, columns, weighting, patterns ------------------------------------------------


def iter_matcher_blocks(matcher: Any, *, values: bool = False) -> Iterator[tuple[Any, ...]] | None:
    """Return an iterator of (ids, weights[, encoded values]) per postings block, or None.

    None when `matcher` is not a block matcher (another codec): walk it with its public API.
    """
    if not all(hasattr(matcher, name) for name in _BLOCK_MATCHER):
        return None
    return _matcher_blocks(matcher, values)


_BLOCK_MATCHER = ("_read_ids", "_next_block", "_read_data", "_data", "_byteids", "_blocklength")


def _matcher_blocks(matcher: Any, values: bool) -> Iterator[tuple[Any, ...]]:
    while matcher.is_active():
        if matcher._ids is None:
            _read_block_ids(matcher)
        if matcher._weights is None:
            _read_block_weights(matcher)
        if values:
            if matcher._values is None:
                matcher._read_values()
            yield matcher._ids, matcher._weights, matcher._values
        else:
            yield matcher._ids, matcher._weights
        matcher._next_block()


def term_blocks(
    reader: Any, fieldname: str, term: Any, *, values: bool = False
) -> list[tuple[Any, ...]] | None:
    """Return (ids, weights[, encoded values]) of each postings block of a term in one segment,
    as `iter_matcher_blocks` gives them, read without a matcher; [] without the term.

    One slice of the postings file per term, each block's header and data unpickled from it
    (W3LeafMatcher reads each header through the file object: a fifth of reading a feedback
    term's postings at 100,000 articles). Deleted documents are in the blocks, as in the
    matcher's. None where this is not whoosh3's layout (a codec, inlined postings or fixed-size
    values it does not know): the caller walks a matcher.
    """
    from zlib import decompress

    terms: Any = getattr(reader, "_terms", None)
    if type(terms).__name__ != "W3TermsReader" or fieldname not in reader.schema:
        return None
    fmt = reader.schema[fieldname].format
    fixedsize = fmt.fixed_value_size()
    if values and fixedsize is not None and fixedsize >= 0:
        return None  # values of a fixed size: split by the matcher
    try:
        key = terms._keycoder(fieldname, reader._text_to_bytes(fieldname, term))
        record = terms._tindex.get(key)
        postfile = terms._postfile
    except (AttributeError, TypeError):
        return None
    if record is None:
        return []
    if record[0]:
        return None  # inlined postings (W3Codec's inlinelimit of 1 writes none)
    offset, length = _EXTENT.unpack_from(record, _TERMINFO.size)
    buf = bytes(postfile.get(offset, length))
    if not buf.startswith(_WHOOSH3_MAGIC):
        return None
    stream = io.BytesIO(buf)
    view = memoryview(buf)
    load, loads = pickle.load, pickle.loads
    block_length = _BLOCK_LENGTH.unpack_from
    accumulate = itertools.accumulate
    blocks: list[tuple[Any, ...]] = []
    pos = 4
    while True:
        if pos + 4 > len(buf):
            return None  # no last block where whoosh3 writes one
        (size,) = block_length(buf, pos)
        pos += 4
        end = pos + (size if size > 0 else -size)
        stream.seek(pos)
        count, _last, _maxw, compression, _mn, _mx = load(stream)
        data = view[stream.tell() : end]
        deltas, weights, encoded = loads(decompress(data) if compression else data)
        if weights is None:
            weights = array("f", (1.0,)) * count
        elif isinstance(weights, float):
            weights = array("f", (weights,)) * count
        ids = tuple(accumulate(deltas))
        blocks.append((ids, weights, encoded) if values else (ids, weights))
        pos = end
        if size < 0:
            return blocks


def _read_block_ids(matcher: Any) -> None:
    """W3LeafMatcher._read_ids, the deltas summed by itertools.accumulate (whoosh sums them in
    a generator: a site's postings in a fresh query's versions are ~16,000 at 20,000 pages)."""
    if matcher._data is None:
        matcher._read_data()
    ids = matcher._data[0]
    matcher._ids = ids if matcher._byteids else tuple(itertools.accumulate(ids))


def _read_block_weights(matcher: Any) -> None:
    """W3LeafMatcher._read_weights, a block of equal weights (an ID field's, a term once in
    every document) made by repeating a one-item array instead of a generator."""
    if matcher._data is None:
        matcher._read_data()
    weights = matcher._data[1]
    if weights is None:
        matcher._weights = array("f", (1.0,)) * matcher._blocklength
    elif isinstance(weights, float):
        matcher._weights = array("f", (weights,)) * matcher._blocklength
    else:
        matcher._weights = weights


def positions_decoder(fmt: Any) -> Callable[[bytes], list[int]]:
    """`fmt.decode_positions`, or for whoosh's Positions format the same list with the deltas
    summed by itertools.accumulate (whoosh sums them in a Python loop: a two-word phrase of
    common words at 100,000 articles decodes ~40,000 position lists)."""
    from whoosh import formats

    if type(fmt) is not formats.Positions or getattr(formats, "_INT_SIZE", None) != 4:
        return fmt.decode_positions  # type: ignore[no-any-return]
    loads = pickle.loads

    def decode(value: bytes) -> list[int]:
        if not value.endswith(b"."):
            value += b"."  # as whoosh's decode_positions: the pickle's STOP opcode
        return list(itertools.accumulate(loads(value[4:])))

    return decode


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


_WHOOSH_HASHREADER_INIT: Callable[..., None] | None = None  # whoosh's own (the tests compare)


def _install_hash_directory() -> None:
    """Read a hash file's directory of 256 tables in one read when its reader opens.

    whoosh's HashReader reads the 12-byte entries one call each: 256 reads through the file
    object per term table, 1-1.5 ms a segment of every fresh query on whoosh. The rest of
    `__init__` is whoosh's, line for line; a short directory raises struct.error as whoosh's
    does.
    """
    from whoosh.filedb import filetables
    from whoosh.system import _INT_SIZE

    global _WHOOSH_HASHREADER_INIT
    if _WHOOSH_HASHREADER_INIT is not None:
        return
    _WHOOSH_HASHREADER_INIT = filetables.HashReader.__init__
    entry = filetables._dir_entry

    def init(
        self: Any, dbfile: Any, length: int | None = None, magic: bytes = b"HSH3",
        startoffset: int = 0,
    ) -> None:  # fmt: skip
        self.dbfile = dbfile
        self.startoffset = startoffset
        self.is_closed = False
        if length is None:
            dbfile.seek(0, 2)
            length = dbfile.tell() - startoffset
        dbfile.seek(startoffset)
        filemagic = dbfile.read(4)
        if filemagic != magic:
            raise filetables.FileFormatError(f"Unknown file header {filemagic!r}")
        self.hashtype = dbfile.read_byte()
        self.hashfn = filetables._hash_functions[self.hashtype]
        dbfile.read_int()  # unused future expansion bits
        dbfile.read_int()
        self.startofdata = dbfile.tell()
        exptr = startoffset + length - _INT_SIZE
        expos = exptr - dbfile.get_int(exptr)
        dbfile.seek(expos)
        self._read_extras()
        dbfile.seek(expos - filetables._directory_size)
        raw = dbfile.read(filetables._directory_size)
        if len(raw) != filetables._directory_size:
            raise struct.error(f"unpack requires a buffer of {entry.size} bytes")
        self.tables = list(entry.iter_unpack(raw))
        self.endofdata = self.tables[0][0]

    filetables.HashReader.__init__ = init


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


class _BulkLengthReader:
    """A merged segment's reader whose field lengths come from BulkLengths (see there).

    Whoosh's `write_per_doc` asks the length of every field of every merged document; each
    ask looks the length column up in the segment's files again (a path join and a stat when
    the field has none): a tenth of a merge's CPU. Everything else goes to the reader.
    """

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._lengths = BulkLengths(reader._perdoc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        return self._lengths.doc_field_length(docnum, fieldname, default)


_READ_CHUNK = 1 << 20  # bytes of a merged segment's postings file read at once
_WRITE_CHUNK = 1 << 20  # bytes of postings or term records buffered before a write
_BLOCK_LIMIT = 128  # postings per block: W3Codec's blocklimit (checked by merging_writer)
# Block data is pickled with protocol 3, whose bytes opcode holds a posting's encoded value as
# it is (protocol 2, whoosh's, pickles each bytes object as a call to `_codecs.encode` on a
# latin-1 str: its positions bytes above 127 take two bytes each): a third smaller before
# zlib, 40 % after, dumped 3.7 and loaded 2.3 times faster (a 1,000-article segment); whoosh
# reads blocks with `pickle.loads`, which takes any protocol.
_DATA_PROTOCOL = 3
# A block whose pickle is shorter is stored uncompressed (the block's info says so, and
# whoosh's reader follows it): zlib saved 3 % of those bytes and cost a compressor set up per
# block, for most blocks of a segment (whoosh means to skip blocks under 20 bytes; a slip in
# W3PostingsWriter._write_block compresses them all).
_COMPRESS_MIN = 64

# A part: some postings of one term, in whoosh3's block form, as a tuple (the unit the merge
# copies and joins; a tuple because a merge makes one per term per merged segment):
# (count, first id, ids delta-encoded (the first entry stands for `first`, it may be the id
# before a shift), last id, weights as whoosh minifies them (None: all 1.0; a float: all
# that; else a tuple), values (a tuple of bytes, joined bytes for a fixed-size format, or
# None), max weight, min and max length bytes (0: none), the sum of the weights).
_Part = tuple[int, int, tuple[int, ...], int, Any, Any, float, int, int, float]


def _mini_weights(weights: tuple[float, ...]) -> Any:
    """The weights of a block as W3PostingsWriter._mini_weights stores them."""
    first = weights[0]
    if weights.count(first) == len(weights):
        return None if first == 1.0 else first
    return weights


def _join(parts: list[_Part]) -> _Part:
    """One part from consecutive parts of one term (their postings in docnum order)."""
    count, first, deltas, last, weights, values, maxw, mn, mx, wsum = parts[0]
    ids = list(deltas)
    ids[0] = first
    scalars = {1.0 if w is None else w for w in (p[4] for p in parts) if type(w) is not tuple}
    expanded: list[float] | None = None
    if len(scalars) == 1 and not any(type(p[4]) is tuple for p in parts):
        mini: Any = weights  # every part None, or every part the same float
    else:
        expanded = []
    joined_values = None if values is None else [values]
    for part in parts:
        if expanded is not None:
            w = part[4]
            expanded += w if type(w) is tuple else (1.0 if w is None else w,) * part[0]
        if part is parts[0]:
            continue
        ids.append(part[1] - last)
        ids += part[2][1:]
        last = part[3]
        count += part[0]
        if joined_values is not None:
            joined_values.append(part[5])
        maxw = max(maxw, part[6])
        mn = min(mn, part[7])
        mx = max(mx, part[8])
        wsum += part[9]
    if expanded is not None:
        mini = tuple(expanded)
    if joined_values is None:
        joined: Any = None
    elif type(values) is bytes:
        joined = b"".join(joined_values)
    else:
        joined = tuple(v for vs in joined_values for v in vs)
    return (count, first, tuple(ids), last, mini, joined, maxw, mn, mx, wsum)


def _pool_parts(postings: Any, fieldname: str, fixedsize: Any, lengths: Any) -> list[_Part]:
    """Parts of the postings the batch added (docnum, weight, value), as W3PostingsWriter would."""
    from whoosh.util.numeric import length_to_byte

    dfl = lengths.doc_field_length if lengths is not None else None
    parts: list[_Part] = []
    for start in range(0, len(postings), _BLOCK_LIMIT):
        chunk = postings[start : start + _BLOCK_LIMIT]
        ids = [p[2] for p in chunk]
        weights = tuple(array("f", [p[3] for p in chunk]))  # float32, as whoosh stores them
        raw = [p[4] for p in chunk if p[4]]
        if fixedsize is None or fixedsize < 0:
            values: Any = tuple(raw)
        elif fixedsize == 0:
            values = None
        else:
            values = b"".join(raw)
        minlen = None
        maxlen = 0
        if dfl is not None:
            for docnum in ids:
                length = dfl(docnum, fieldname)
                if length:
                    if minlen is None or length < minlen:
                        minlen = length
                    if length > maxlen:
                        maxlen = length
        deltas = (ids[0],) + tuple(b - a for a, b in zip(ids, ids[1:], strict=False))
        parts.append((
            len(ids), ids[0], deltas, ids[-1], _mini_weights(weights), values,
            max(0.0, *weights), length_to_byte(minlen), length_to_byte(maxlen), sum(weights),
        ))  # fmt: skip
    return parts


class _Output:
    """A whoosh StructFile written through a buffer, its position kept here."""

    def __init__(self, dbfile: Any) -> None:
        self._dbfile = dbfile
        self.pos: int = dbfile.tell()
        self._buffer = bytearray()

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.pos += len(data)
        if len(self._buffer) >= _WRITE_CHUNK:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            self._dbfile.write(bytes(self._buffer))
            self._buffer.clear()
        if self._dbfile.tell() != self.pos:
            raise UnknownLayout("the file was written behind the merge's back")


class _TermTable:
    """OrderedHashWriter.add for keys in increasing order, its records written in chunks.

    Writes what `add` writes (the record: key and value lengths, key, value; its position in
    the ordered index and, with its md5 hash, in a bucket) without a file call per term.
    """

    def __init__(self, tindex: Any) -> None:
        self._tindex = tindex
        self._out = _Output(tindex.dbfile)
        self._index_append = tindex.index.append
        self._buckets = tindex.buckets
        self._last = tindex.lastkey

    def add(self, key: bytes, value: bytes) -> None:
        if key <= self._last:
            raise ValueError(f"Keys must increase: {self._last!r}..{key!r}")
        out = self._out
        pos = out.pos
        self._index_append(pos)
        # whoosh's md5_hash: int(hexdigest, 16) & 0xFFFFFFFF, the digest's last four bytes
        h = int.from_bytes(_md5(key, usedforsecurity=False).digest()[12:], "big")
        self._buckets[h & 255].append((h, pos))
        out.write(_RECORD_LENGTHS.pack(len(key), len(value)) + key + value)
        self._last = key

    def close(self) -> None:
        self._out.flush()
        self._tindex.lastkey = self._last


_RECORD_LENGTHS = struct.Struct("!ii")  # filetables._lengths
_TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo._struct
_EXTENT = struct.Struct("!qi")  # W3TermInfo.to_bytes: pack_long(offset) + pack_int(length)
_BLOCK_LENGTH = struct.Struct("!i")
_WHOOSH3_MAGIC = b"W3Bl"  # whoosh3's WHOOSH3_HEADER_MAGIC (checked by _fast_merge_layout)


def _write_term(
    postings: _Output, table: _TermTable, key: bytes, parts: list[_Part], compression: int
) -> None:
    """Write one term's postings (parts in docnum order) as whoosh3 blocks and its term info."""
    compress = zlib.compress
    if len(parts) == 1:  # most terms of a merge: one block from one segment
        blocks = parts
    else:
        blocks = []
        group: list[_Part] = []
        size = 0
        for part in parts:  # consecutive parts share a block while they fit in one
            if group and size + part[0] > _BLOCK_LIMIT:
                blocks.append(group[0] if len(group) == 1 else _join(group))
                group, size = [], 0
            group.append(part)
            size += part[0]
        blocks.append(group[0] if len(group) == 1 else _join(group))
    start = postings.pos
    chunks = [_WHOOSH3_MAGIC]
    df = 0
    weight = maxweight = 0.0
    minlen, maxlen = 255, 0
    dumps = pickle.dumps
    for i, (count, first, deltas, last, mini, values, maxw, mn, mx, wsum) in enumerate(blocks):
        if deltas[0] != first:
            deltas = (first, *deltas[1:])
        data = dumps((deltas, mini, values), _DATA_PROTOCOL)
        comp = compression if len(data) >= _COMPRESS_MIN else 0
        if comp:
            data = compress(data, comp)
        info = dumps((count, last, maxw, comp, mn, mx), 2)
        length = len(info) + len(data)
        chunks += (_BLOCK_LENGTH.pack(-length if i == len(blocks) - 1 else length), info, data)
        df += count
        weight += wsum
        if maxw > maxweight:
            maxweight = maxw
        if mn < minlen:
            minlen = mn
        if mx > maxlen:
            maxlen = mx
    written = b"".join(chunks)
    postings.write(written)
    terminfo = _TERMINFO.pack(
        0, weight, df, minlen, maxlen, maxweight, blocks[0][1], blocks[-1][3]
    ) + _EXTENT.pack(start, len(written))
    table.add(key, terminfo)


# A block's info is `pickle.dumps((count, last id, max weight, compression, min length byte,
# max length byte), 2)` (W3PostingsWriter._write_block, and _write_term here): PROTO 2, MARK,
# the ints as BININT1 (0-255: 2 bytes), BININT2 (3 bytes) or BININT (5), the float as
# BINFLOAT (9), TUPLE, BINPUT 0, STOP: 26 bytes, 27 or 29 by the last id when the other
# ints are under 256.
_INFO_WINDOW = 48  # longer than any such info
_INFO_TAIL = b"tq\x00."  # TUPLE, BINPUT 0, STOP


def _data_start(buf: bytes, pos: int, info: tuple[Any, ...]) -> int:
    """Where the data of the block whose info pickle starts at `pos` begins, or 0.

    From the info's values (`info`, unpickled from there) when they have whoosh's shape and
    the pickle ends as such a pickle ends there; 0 for any other (the caller then reads the
    pickle from a stream to find its end: a pickle.load a block, 2.3 times slower).
    """
    count, last, maxw, compression, mn, mx = info
    if not (
        0 <= last < 0x80000000 and 0 < count < 256 and 0 <= compression < 256
        and 0 <= mn < 256 and 0 <= mx < 256 and type(maxw) is float
    ):  # fmt: skip
        return 0
    end = pos + (26 if last < 256 else 27 if last < 65536 else 29)
    return end if buf.startswith(_INFO_TAIL, end - 4) else 0


def _field_records(terms: Any, fieldname: str) -> Iterator[tuple[bytes, bytes]]:
    """(term, term info bytes) of one field of a segment's term table, read in bulk.

    The field's records lie together in the table, keys sorted (a field number, then the
    term): its range is found as whoosh's `items_from` finds it, then read in one call.
    """
    tindex = terms._tindex
    number = terms._fieldmap[fieldname]
    prefix = struct.pack("!H", number)
    start = tindex.closest_key_pos(prefix)
    if start is None:
        return
    end = tindex.closest_key_pos(struct.pack("!H", number + 1)) if number < 0xFFFF else None
    end = tindex.endofdata if end is None else end
    region = bytes(tindex.dbfile.get(start, end - start))
    unpack = _RECORD_LENGTHS.unpack_from
    pos = 0
    while pos < len(region):
        keylen, datalen = unpack(region, pos)
        pos += 8
        if region[pos : pos + 2] != prefix:
            break
        key_end = pos + keylen
        yield region[pos + 2 : key_end], region[key_end : key_end + datalen]
        pos = key_end + datalen


def _segment_terms(
    reader: Any, base: int, docmap: dict[int, int] | None, lengths: Any, order: int
) -> Iterator[tuple[tuple[str, bytes], int, list[_Part]]]:
    """Yield ((field, term), order, parts) of a merged segment, renumbered, in key order.

    The term table is read in bulk per field, the postings file in large sequential chunks;
    without deletions each block keeps its postings (only its first and last ids move by
    `base`), with deletions the live postings are renumbered through `docmap`.
    """
    decompress = zlib.decompress
    terms = reader._terms
    postfile = terms._postfile
    schema = reader.schema
    deleted = reader.deleted_docs_set if reader.has_deletions() else None
    buf = b""
    buf_start = 0
    stream = io.BytesIO()
    view = memoryview(buf)
    load, loads = pickle.load, pickle.loads
    block_length = _BLOCK_LENGTH.unpack_from
    info_size = _TERMINFO.size
    extent = _EXTENT.unpack_from
    shift = base if deleted is None else 0  # with deletions, _live_parts renumbers
    for fieldname in sorted(terms._fieldmap):
        if fieldname not in schema:
            continue
        fixedsize = schema[fieldname].format.fixed_value_size()
        for btext, value in _field_records(terms, fieldname):
            if value[0]:  # inlined postings (W3Codec's inlinelimit of 1 inlines none)
                ids, weights, values = loads(value[info_size:])
                if fixedsize is not None and fixedsize > 0:
                    values = b"".join(values)
                elif fixedsize == 0:
                    values = None
                weights = tuple(weights)
                deltas = (ids[0], *(b - a for a, b in zip(ids, ids[1:], strict=False)))
                parts: list[_Part] = [(
                    len(ids), ids[0] + shift, deltas, ids[-1] + shift, _mini_weights(weights),
                    values, max(0.0, *weights), 0, 0, sum(weights),
                )]  # fmt: skip
            else:
                offset, length = extent(value, info_size)
                if offset < buf_start or offset + length > buf_start + len(buf):
                    buf = bytes(postfile.get(offset, max(length, _READ_CHUNK)))
                    buf_start = offset
                    stream = io.BytesIO(buf)
                    view = memoryview(buf)
                pos = offset - buf_start
                if not buf.startswith(_WHOOSH3_MAGIC, pos):
                    raise UnknownLayout(f"no postings header for {fieldname}:{btext!r}")
                pos += 4
                parts = []
                while True:
                    (size,) = block_length(buf, pos)
                    pos += 4
                    end = pos + (size if size > 0 else -size)
                    # the block info: loads stops at its STOP opcode, _data_start finds its end
                    info = loads(view[pos : pos + _INFO_WINDOW])
                    count, last, maxw, compression, mn, mx = info
                    start = _data_start(buf, pos, info)
                    if not start:  # another shape of pickle: a stream load says where it ends
                        stream.seek(pos)
                        load(stream)
                        start = stream.tell()
                    data = view[start:end]
                    deltas, weights, values = loads(decompress(data) if compression else data)
                    if weights is None:
                        wsum = float(count)
                    elif type(weights) is float:
                        wsum = weights * count
                    else:
                        wsum = sum(weights)
                    parts.append((
                        count, deltas[0] + shift, deltas, last + shift, weights, values, maxw,
                        mn, mx, wsum,
                    ))  # fmt: skip
                    pos = end
                    if size < 0:
                        break
            if deleted is not None:
                parts = _live_parts(
                    parts, fieldname, btext, fixedsize, lengths, deleted, docmap, base
                )
            if parts:
                yield (fieldname, btext), order, parts


def _live_parts(
    raw_blocks: list[_Part], fieldname: str, btext: bytes, fixedsize: Any, lengths: Any,
    deleted: Any, docmap: dict[int, int] | None, base: int,
) -> list[_Part]:  # fmt: skip
    """The postings of a term's blocks whose documents are not deleted, renumbered, as parts."""
    from itertools import accumulate

    live = []
    for count, _first, deltas, _last, weights, values, *_rest in raw_blocks:
        old_ids = list(accumulate(deltas))
        if weights is None or type(weights) is float:
            weights = (1.0 if weights is None else weights,) * count
        if fixedsize is None or fixedsize < 0:
            split = list(values)
        elif fixedsize == 0:
            split = [b""] * count
        else:
            split = [values[i : i + fixedsize] for i in range(0, len(values), fixedsize)]
        live += [
            (fieldname, btext, docmap[d] if docmap is not None else base + d, w, v)
            for d, w, v in zip(old_ids, weights, split, strict=True)
            if d not in deleted
        ]
    return _pool_parts(live, fieldname, fixedsize, lengths) if live else []


class _PackedBucket:
    """One of HashWriter's 256 buckets of (hash, position) entries, in two arrays.

    Whoosh keeps a tuple of two ints per term of the segment being written (about 130 bytes)
    until it writes the term table at the end: the largest part of a merge's memory that
    grows with the segment (a 20,000-article segment has about 230,000 terms). 12 bytes here;
    whoosh's `_write_hashes` only takes `len()` and iterates the pairs.
    """

    __slots__ = ("hashes", "positions")

    def __init__(self) -> None:
        self.hashes = array("I")  # md5_hash is masked to 32 bits
        self.positions = array("Q")

    def append(self, entry: tuple[int, int]) -> None:
        self.hashes.append(entry[0])
        self.positions.append(entry[1])

    def __len__(self) -> int:
        return len(self.hashes)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.hashes, self.positions, strict=True)


def pack_term_table(fieldwriter: Any) -> bool:
    """Keep the term table's hash entries of a new segment in arrays (idempotent).

    Returns False, leaving whoosh's buckets, when the table is not whoosh3's as known here or
    already holds terms (call it before the first term is written).
    """
    from whoosh.filedb.filetables import OrderedHashWriter

    tindex: Any = getattr(fieldwriter, "_tindex", None)
    buckets = getattr(tindex, "buckets", None)
    if isinstance(buckets, list) and all(type(b) is _PackedBucket for b in buckets):
        return len(buckets) == 256
    if (
        type(tindex) is not OrderedHashWriter
        or tindex.hashtype != 0
        or not isinstance(buckets, list)
        or len(buckets) != 256
        or any(buckets)
        or array("I").itemsize != 4
    ):
        return False
    tindex.buckets = [_PackedBucket() for _ in range(256)]
    return True


def _pool_terms(
    postings: Any, schema: Any, lengths: Any
) -> Iterator[tuple[tuple[str, bytes], int, list[_Part]]]:
    """Yield ((field, term), 0, parts) of the batch's own postings (sorted by whoosh's pool)."""
    from itertools import groupby
    from operator import itemgetter

    fixed: dict[str, Any] = {}
    for key, group in groupby(postings, key=itemgetter(0, 1)):
        fieldname = key[0]
        if fieldname not in schema:
            continue
        if fieldname not in fixed:
            fixed[fieldname] = schema[fieldname].format.fixed_value_size()
        chunk = [p for p in group if p[2] != -1]  # -1: whoosh's spelling-word marker
        if chunk:
            yield key, 0, _pool_parts(chunk, fieldname, fixed[fieldname], lengths)


def write_merged_postings(
    fieldwriter: Any, schema: Any, lengths: Any, pool_postings: Any,
    merged: list[tuple[Any, int, dict[int, int] | None]], compression: int,
) -> None:  # fmt: skip
    """Write the new segment's postings: the batch's, then each merged segment's, per term.

    A term-level heap merge (whoosh merges per posting): the batch's postings are grouped
    per term, each merged segment gives its blocks of the term (`_segment_terms`), and the
    blocks are written consecutively, small ones sharing a block (`_write_term`). The
    postings and the term records go to their files in large writes.
    """
    from heapq import merge as heap_merge

    streams = [_pool_terms(pool_postings, schema, lengths)]
    streams += [
        _segment_terms(reader, base, docmap, lengths, order)
        for order, (reader, base, docmap) in enumerate(merged, 1)
    ]
    postings = _Output(fieldwriter._postfile)
    table = _TermTable(fieldwriter._tindex)
    current = None
    prefix = b""
    parts: list[_Part] = []
    # (key, order, parts): the stream's order breaks ties, so the batch comes first and the
    # merged segments in docnum order, and parts are never compared
    for key, _order, term_parts in heap_merge(*streams):
        if key != current:
            if current is not None:
                _write_term(postings, table, prefix + current[1], parts, compression)
                if key[0] != current[0]:
                    fieldwriter.finish_field()
            if current is None or key[0] != current[0]:
                fieldwriter.start_field(key[0], schema[key[0]])
                prefix = struct.pack("!H", fieldwriter._fieldid)
            current, parts = key, []
        parts += term_parts
    if current is not None:
        _write_term(postings, table, prefix + current[1], parts, compression)
        fieldwriter.finish_field()
    postings.flush()
    table.close()


def _fast_merge_layout(writer: Any, readers: list[Any]) -> bool:
    """True when the new segment and every merged one are whoosh3's layout as known here."""
    from whoosh.codec import whoosh3
    from whoosh.filedb import filetables

    codec = writer.codec
    fieldwriter = writer.fieldwriter
    tindex = getattr(fieldwriter, "_tindex", None)
    return (
        type(codec) is whoosh3.W3Codec
        and getattr(codec, "_blocklimit", None) == _BLOCK_LIMIT
        and getattr(codec, "_inlinelimit", None) == 1
        and isinstance(getattr(codec, "_compression", None), int)
        and type(fieldwriter) is whoosh3.W3FieldWriter
        and whoosh3.WHOOSH3_HEADER_MAGIC == _WHOOSH3_MAGIC
        and whoosh3.W3TermInfo._struct.format == _TERMINFO.format
        and filetables._lengths.format == _RECORD_LENGTHS.format
        and type(tindex) is filetables.OrderedHashWriter
        and getattr(tindex, "hashtype", None) == 0
        and all(hasattr(tindex, name) for name in ("dbfile", "index", "lastkey", "buckets"))
        and all(
            type(getattr(r, "_terms", None)) is whoosh3.W3TermsReader
            and type(r._terms._tindex) is filetables.OrderedHashReader
            for r in readers
        )
    )


def _raw_stored_columns(writer: Any, reader: Any) -> tuple[Any, Any] | None:
    """The stored-fields column's raw writer of the new segment and raw reader of a merged one.

    Whoosh3 keeps each document's stored fields as a pickled dict, zlib'ed, in a variable-bytes
    column (`STORED_COLUMN`): the raw values can be copied as they are. None when the layout
    is another (then whoosh's `write_per_doc` copies them).
    """
    from whoosh import columns
    from whoosh.codec import whoosh3

    perdoc: Any = getattr(reader, "_perdoc", None)
    pdw = writer.perdocwriter
    stored = whoosh3.STORED_COLUMN
    if (
        type(pdw) is not whoosh3.W3PerDocWriter
        or type(perdoc) is not whoosh3.W3PerDocReader
        or type(stored) is not columns.PickleColumn
        or type(stored._child) is not columns.CompressedBytesColumn
        or any(field.vector for _name, field in writer.schema.items())
    ):
        return None
    column_writer = pdw._colwriters.get("_stored")
    if type(column_writer) is not columns.PickleColumn.Writer or (
        type(column_writer._child) is not columns.CompressedBytesColumn.Writer
    ):
        return None
    column_reader = perdoc._cached_reader("_stored", stored)
    if column_reader is None:  # no document of the segment stores anything
        return column_writer._child, None
    if type(column_reader) is not columns.PickleColumn.Reader or (
        type(column_reader._child) is not columns.CompressedBytesColumn.Reader
    ):
        return None
    return column_writer._child, column_reader._child


def _copy_per_doc(writer: Any, fieldnames: set[str], reader: Any) -> dict[int, int] | None:
    """SegmentWriter.write_per_doc, the stored fields copied as their column's raw bytes.

    Whoosh unpickles and unzips each merged document's stored fields to pickle and zip them
    again, a tenth of a merge's CPU; the bytes are the same. Lengths and the other columns go
    through the per-document writer as whoosh sends them. Returns whoosh's docmap (None
    without deletions), or falls back to whoosh's `write_per_doc` on another layout.
    """
    from whoosh import columns

    raw = _raw_stored_columns(writer, reader)
    lengths = _BulkLengthReader(reader)
    if raw is None:
        docmap: dict[int, int] | None = writer.write_per_doc(fieldnames, lengths)
        return docmap
    stored_writer, stored_reader = raw
    add_raw = columns.VarBytesColumn.Writer.add
    get_raw = columns.VarBytesColumn.Reader.__getitem__
    schema = writer.schema
    docmap = {} if reader.has_deletions() else None
    pdw = writer.perdocwriter
    cols = {}
    for fieldname in fieldnames:
        coltype = schema[fieldname].column_type
        if coltype and reader.has_column(fieldname):
            creader = reader.column_reader(fieldname, coltype)
            if isinstance(creader, columns.TranslatingColumnReader):
                creader = creader.raw_column()
            cols[fieldname] = (creader, coltype)
    fields = [(name, schema[name]) for name in sorted(fieldnames)]
    field_length = lengths.doc_field_length
    for docnum in reader.all_doc_ids():
        if docmap is not None:
            docmap[docnum] = writer.docnum
        pdw.start_doc(writer.docnum)
        for fieldname, fieldobj in fields:
            pdw.add_field(fieldname, fieldobj, None, field_length(docnum, fieldname))
            if fieldname in cols:
                creader, coltype = cols[fieldname]
                pdw.add_column_value(fieldname, coltype, creader[docnum])
        pdw.finish_doc()
        if stored_reader is not None:
            value = get_raw(stored_reader, docnum)
            if value:
                add_raw(stored_writer, writer.docnum, value)
        writer.docnum += 1
    return docmap


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
                # stored fields, lengths
                docmap = _copy_per_doc(self, fieldnames, reader)
                self._merge_sources.append((reader, base, docmap))
                self._added = True
            return [s for i, s in enumerate(segments) if i not in chosen]

        def _flush_segment(self) -> None:
            self.perdocwriter.close()
            lengths = self.per_document_reader() if self.codec.length_stats else None
            bulk = BulkLengths(lengths) if lengths else None
            merged = getattr(self, "_merge_sources", [])
            try:
                pack_term_table(self.fieldwriter)
                if _fast_merge_layout(self, [reader for reader, _b, _d in merged]):
                    write_merged_postings(
                        self.fieldwriter, self.schema, bulk, self.pool.iter_postings(),
                        merged, self.codec._compression,
                    )  # fmt: skip
                else:
                    sources = [self.pool.iter_postings()]
                    sources += [
                        self._process_posts(reader.iter_postings(), base, docmap)
                        for reader, base, docmap in merged
                    ]
                    postings = imerge(sources) if len(sources) > 1 else sources[0]
                    self.fieldwriter.add_postings(self.schema, bulk, postings)
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
