"""The whoosh fence: the pinned whoosh version, and each private name it reads checked against
whoosh's public API on a real index. On a whoosh upgrade, this file fails first."""

from __future__ import annotations

import datetime as dt
import inspect
import io
import os
import pickle
import subprocess
import sys
from array import array
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import whoosh
from whoosh import query as wq
from whoosh import scoring
from whoosh.filedb import structfile
from whoosh.filedb.filestore import FileStorage
from whoosh.util.numeric import byte_to_length

import archive.search  # noqa: F401 - importing the search package installs the fence
from archive import whoosh_fence
from archive.index import open_index, upsert_articles
from archive.models import Article


def test_whoosh_is_the_version_the_fence_was_written_for() -> None:
    assert whoosh.__version__ == whoosh_fence.TESTED_WHOOSH
    assert version("whoosh-reloaded") == ".".join(map(str, whoosh_fence.TESTED_WHOOSH))


@pytest.fixture(scope="module")
def leaves(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The leaf readers of a real index of two segments, one with no dated article."""
    folder = str(tmp_path_factory.mktemp("fence") / "index")
    body = "negotiations negotiators negotiate talks " * 3
    dated = [
        Article(id=f"d{n}", title=f"Talks {n}", body=body * (n + 1), lang="en",
                source=f"raw/d{n}.html", date=dt.date(2024, 1, n + 1))
        for n in range(5)
    ]  # fmt: skip
    undated = [
        Article(id=f"u{n}", title="Notes", body="talks " * (n + 2), lang="en",
                source=f"raw/u{n}.html")
        for n in range(3)
    ]  # fmt: skip
    upsert_articles(folder, dated)
    upsert_articles(folder, undated)
    ix = open_index(folder)
    with ix.searcher() as searcher:
        readers = [reader for reader, _ in searcher.reader().leaf_readers()]
        assert len(readers) == 2
        yield searcher, readers


def test_matcher_blocks_hold_the_postings_whoosh_walks(leaves: Any) -> None:
    _, readers = leaves
    for reader in readers:
        blocks = whoosh_fence.iter_matcher_blocks(reader.postings("body", "talk"), values=True)
        assert blocks is not None
        ids, weights, values = [], [], []
        for block_ids, block_weights, block_values in blocks:
            ids += list(block_ids)
            weights += list(block_weights)
            values += list(block_values)
        walk = reader.postings("body", "talk")
        expected = []
        while walk.is_active():
            expected.append((walk.id(), walk.weight(), walk.value()))
            walk.next()
        assert list(zip(ids, weights, values, strict=True)) == expected
        assert expected


def test_block_ids_and_weights_are_whoosh3s_own(leaves: Any) -> None:
    # the fence decodes a block's ids and weights itself (faster): the same values and types
    # as W3LeafMatcher._read_ids / _read_weights, for varied weights (body), one weight per
    # document (title), and the ID fields' (no weights stored)
    _, readers = leaves
    checked = 0
    for reader in readers:
        for fieldname, term in (("body", "talk"), ("title", "talk"), ("lang", "en"),
                                ("id", "d1"), ("source_path", "raw")):  # fmt: skip
            if (fieldname, term) not in reader:
                continue
            blocks = whoosh_fence.iter_matcher_blocks(reader.postings(fieldname, term))
            assert blocks is not None
            theirs = reader.postings(fieldname, term)
            for ids, weights in blocks:
                theirs._read_ids()
                theirs._read_weights()
                assert type(ids) is type(theirs._ids) and ids == theirs._ids
                assert type(weights) is type(theirs._weights) and weights == theirs._weights
                checked += 1
                theirs._next_block()
            assert not theirs.is_active()
    assert checked >= 6


def test_positions_decode_as_whoosh_decodes_them(leaves: Any) -> None:
    # the fence's decoder (deltas summed in C) against Positions.decode_positions, on the
    # stored values of real postings and on encoded lists with and without the final STOP
    from whoosh import formats

    searcher, readers = leaves
    fmt = searcher.schema["body"].format
    assert type(fmt) is formats.Positions
    decode = whoosh_fence.positions_decoder(fmt)
    assert decode is not fmt.decode_positions  # the fast decoder is the one taken
    stored = []
    for reader in readers:
        walk = reader.postings("body", "talk")
        while walk.is_active():
            stored.append(walk.value())
            walk.next()
    made = [fmt.encode(p) for p in ([0], [3, 7, 7000, 70001], list(range(0, 3000, 7)))]
    values = stored + made + [value[:-1] for value in made]
    assert len(stored) >= 8
    for value in values:
        assert decode(value) == fmt.decode_positions(value)
    assert decode(made[1]) == [3, 7, 7000, 70001]


def test_another_positions_format_keeps_its_own_decoder() -> None:
    from whoosh import formats

    class Mine(formats.Positions):
        pass

    fmt = Mine()
    assert whoosh_fence.positions_decoder(fmt) == fmt.decode_positions


def test_term_tables_open_as_whoosh_opens_them(leaves: Any) -> None:
    # the fence reads a hash file's directory in one read: the same reader state as whoosh's
    # own HashReader.__init__ (every attribute)
    from whoosh.filedb.filestore import RamStorage
    from whoosh.filedb.filetables import HashReader, HashWriter, OrderedHashReader

    whoosh_init = whoosh_fence._WHOOSH_HASHREADER_INIT
    assert whoosh_init is not None and HashReader.__init__ is not whoosh_init  # installed
    _, readers = leaves
    for reader in readers:
        dbfile = reader._terms._dbfile  # a segment's term table
        ours = OrderedHashReader(dbfile)
        theirs = OrderedHashReader.__new__(OrderedHashReader)
        whoosh_init(theirs, dbfile)
        assert len(ours.tables) == 256 and any(n for _, n in ours.tables)
        assert vars(theirs) == vars(ours)
        assert vars(reader._terms._tindex).keys() == vars(ours).keys()
    storage = RamStorage()
    writer = HashWriter(storage.create_file("table"))
    writer.add(b"key", b"value")
    writer.close()
    table = HashReader(storage.open_file("table"), storage.file_length("table"))
    assert table[b"key"] == b"value" and b"other" not in table


def test_a_matcher_without_blocks_is_left_to_the_public_walk() -> None:
    from whoosh.matching import ListMatcher

    assert whoosh_fence.iter_matcher_blocks(ListMatcher([1, 4], [1.0, 2.0])) is None


def test_length_column_is_the_field_length_whoosh_reports(leaves: Any) -> None:
    _, readers = leaves
    for reader in readers:
        raw = whoosh_fence.length_column_bytes(reader, "body")
        assert len(raw) == reader.doc_count_all()
        assert [byte_to_length(b) for b in raw] == [
            reader.doc_field_length(d, "body") for d in range(reader.doc_count_all())
        ]
    with pytest.raises(whoosh_fence.UnknownLayout):
        whoosh_fence.length_column_bytes(object(), "body")


def test_date_column_values_are_the_stored_dates(leaves: Any) -> None:
    _, (dated, undated) = leaves
    values = whoosh_fence.fixed_column_values(dated.column_reader("date", translate=False))
    assert values is not None
    stored = [dated.stored_fields(d)["date"] for d in range(dated.doc_count_all())]
    assert values.tolist() == stored == list(dated.column_reader("date", translate=False))
    assert sorted(stored) == [20240101, 20240102, 20240103, 20240104, 20240105]
    assert whoosh_fence.fixed_column_values(undated.column_reader("date", translate=False)) == (
        array("I", [0, 0, 0])  # undated articles store 0
    )
    with pytest.raises(whoosh_fence.UnknownLayout):
        whoosh_fence.fixed_column_values(object())


def test_a_segment_without_the_column_has_no_values(tmp_path: Path) -> None:
    from whoosh import index as whoosh_index

    from archive.index import build_schema

    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    with ix.writer() as writer:
        writer.add_document(id="x", body="no date field at all")
    with ix.searcher() as searcher:
        column = searcher.reader().column_reader("date", translate=False)
        assert type(column).__name__ == "EmptyColumnReader"
        assert whoosh_fence.fixed_column_values(column) is None


def test_field_b_is_the_b_bm25f_scores_with() -> None:
    assert whoosh_fence.field_b(scoring.BM25F(), "body") == 0.75
    tuned = scoring.BM25F(B=0.5, body_B=0.3)
    assert whoosh_fence.field_b(tuned, "body") == 0.3
    assert whoosh_fence.field_b(tuned, "title") == 0.5


def test_pattern_terms_are_the_lexicon_terms_the_pattern_reaches(leaves: Any) -> None:
    _, readers = leaves
    for pattern, prefix in (("negoti*", b"negoti"), ("tal*", b"tal")):
        for reader in readers:
            reached = set(whoosh_fence.pattern_terms(wq.Wildcard("body", pattern), reader))
            assert reached == {t for t in reader.lexicon("body") if t.startswith(prefix)}
    assert set(whoosh_fence.pattern_terms(wq.Wildcard("body", "negoti*"), readers[0]))


def test_storage_path_is_the_file_in_the_folder(tmp_path: Path) -> None:
    storage = FileStorage(str(tmp_path))
    assert whoosh_fence.storage_path(storage, "x.seg") == os.path.join(str(tmp_path), "x.seg")


def test_whoosh_is_imported_without_the_modules_it_never_calls(tmp_path: Path) -> None:
    # In a fresh interpreter: importing the search package (the fence first) keeps out what
    # whoosh imports for names the archive does not call, and those names still work.
    source = tmp_path / "page.txt"
    source.write_text("fetched", encoding="utf-8")
    code = f"""
import functools, sys
import archive.search
from archive import whoosh_fence
left_out = sorted(n for n in whoosh_fence._STAND_INS if n in sys.modules)
assert left_out == [], left_out
assert "asyncio" not in sys.modules and "http.client" not in sys.modules
import whoosh.reading, whoosh.compat, whoosh.query.terms
assert whoosh.reading.cached_property is functools.cached_property
# the reader attribute it decorates, computed once
from whoosh.filedb.filestore import RamStorage
from whoosh.fields import Schema, ID
ix = RamStorage().create_index(Schema(id=ID(stored=True)))
w = ix.writer(); w.add_document(id="a"); w.add_document(id="b"); w.commit()
w = ix.writer(); w.delete_by_term("id", "a"); w.commit(merge=False)
reader = ix.reader()
assert reader.deleted_docs_set == frozenset({{0}}) and "deleted_docs_set" in vars(reader)
# the two functions import their module when first called, and give its answers
dest = {str(tmp_path / "copy.txt")!r}
whoosh.compat.urlretrieve({source.as_uri()!r}, dest)
assert open(dest, encoding="utf-8").read() == "fetched"
import urllib.request, whoosh.lang.morph_en
assert urllib.request.urlopen and whoosh.compat.urlretrieve is not urllib.request.urlretrieve
words = whoosh.query.terms.variations("rendered")
assert words == whoosh.lang.morph_en.variations("rendered") and "rendering" in words, words
import whoosh.query
assert whoosh.query.Variations("body", "rendered").__class__.__name__ == "Variations"
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_modules_whoosh_imports_whole_are_imported_when_used(tmp_path: Path) -> None:
    # A query on a whoosh index imports none of queue, tempfile, shutil, calendar, html,
    # random (whoosh imports them for its writers); the names whoosh took from their stand-ins
    # are the real modules' afterwards, and writing (which uses them) still works.
    from archive.index import upsert_articles
    from archive.models import Article

    index = str(tmp_path / "index")
    upsert_articles(index, [Article(id="a1", title="Talks", body="talks", lang="en", source="s")])
    code = f"""
import io, sys
from archive.search import search
hits = search({index!r}, "talks").hits
lazy = ("queue", "tempfile", "shutil", "calendar", "html", "random", "bz2", "lzma")
print([h.id for h in hits], [m for m in lazy if m in sys.modules])
import queue, tempfile, calendar, random
import whoosh.compat, whoosh.filedb.compound, whoosh.filedb.filestore, whoosh.util
import whoosh.util.times
assert whoosh.compat.queue.Queue is queue.Queue and sys.modules["queue"] is queue
assert whoosh.filedb.filestore.tempfile.gettempdir() == tempfile.gettempdir()
assert whoosh.util.times.calendar.monthrange(2024, 2) == (3, 29)
assert whoosh.util.random is not random and whoosh.util.random.choice == random.choice
assert len(whoosh.util.random_name()) == 28
assert whoosh.compat.htmlescape("<a & b>") == "&lt;a &amp; b&gt;"
out = io.BytesIO()
whoosh.filedb.compound.copyfileobj(io.BytesIO(b"segment"), out)
assert out.getvalue() == b"segment"
temp = whoosh.filedb.filestore.FileStorage({str(tmp_path)!r}).temp_storage()
temp.create_file("x").write(b"y")
from archive.index import upsert_articles
from archive.models import Article
upsert_articles({index!r}, [Article(id="a2", title="Talks", body="more", lang="en", source="s")])
print(sorted(h.id for h in search({index!r}, "talks").hits))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.split("\n")[:2] == ["['a1'] []", "['a1', 'a2']"], result.stderr


def test_import_whoosh_leaves_modules_imported_before_it_alone() -> None:
    # a process that had urllib.request before keeps it: nothing stands in for a real module
    code = (
        "import sys, urllib.request as before\n"
        "import archive.search, whoosh.compat\n"
        "assert sys.modules['urllib.request'] is before\n"
        "assert whoosh.compat.urlretrieve is before.urlretrieve\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_install_replaces_bufferfile_with_the_same_attributes() -> None:
    whoosh_fence.install()
    whoosh_fence.install()  # idempotent
    original = whoosh_fence._WHOOSH_BUFFERFILE_INIT
    assert original is not None and original is not structfile.BufferFile.__init__
    assert list(inspect.signature(original).parameters) == ["self", "buf", "name", "onclose"]
    theirs = object.__new__(structfile.BufferFile)
    original(theirs, memoryview(b"abc"), name="n")
    ours = structfile.BufferFile(memoryview(b"abc"), name="n")
    assert set(vars(ours)) == set(vars(theirs))
    assert isinstance(ours.file, whoosh_fence._MemoryFile)
    data = pickle.dumps(("header", 7)) + b"rest"
    assert structfile.BufferFile(memoryview(data)).read_pickle() == ("header", 7)
    assert isinstance(theirs.file, io.BytesIO)  # what whoosh does: a copy of the buffer


def test_memory_file_reads_like_a_file() -> None:
    import io
    import pickle

    from archive.whoosh_fence import _MemoryFile

    data = b"line one\nline two\n" + pickle.dumps({"k": [1, 2, 3]}) + b"tail"
    mem, ref = _MemoryFile(memoryview(data)), io.BytesIO(data)
    assert mem.readline() == ref.readline()
    assert mem.read(4) == ref.read(4)
    assert mem.readline() == ref.readline()
    assert pickle.load(mem) == pickle.load(ref)
    assert mem.tell() == ref.tell()
    assert mem.read() == ref.read() == b"tail"
    assert mem.read(10) == b""
    mem.seek(-4, 2)
    assert mem.read(2) == b"ta"
    mem.seek(1)
    buf = bytearray(3)
    assert mem.readinto(buf) == 3 and bytes(buf) == b"ine"




def test_segment_writer_has_what_the_merging_writer_overrides_and_reads() -> None:
    from whoosh import externalsort
    from whoosh.writing import SegmentWriter

    for name in ("_merge_segments", "_flush_segment", "_close_segment", "_process_posts",
                 "write_per_doc", "per_document_reader"):  # fmt: skip
        assert callable(getattr(SegmentWriter, name, None)), name
    assert list(inspect.signature(SegmentWriter._merge_segments).parameters) == [
        "self", "mergetype", "optimize", "merge"
    ]  # fmt: skip
    assert callable(externalsort.imerge)


@pytest.mark.parametrize(
    ("kwargs", "segments"), [({}, 1), ({"optimize": True}, 1), ({"merge": False}, 4)]
)
def test_merging_writer_streams_merges_and_honours_optimize_and_no_merge(
    tmp_path: Path, kwargs: dict[str, bool], segments: int
) -> None:
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.index import create_in

    ix = create_in(str(tmp_path), Schema(id=ID(stored=True), body=TEXT(stored=True)))
    for n in range(2):  # two segments, whoosh's own writer, no merge
        writer = ix.writer()
        writer.add_document(id=f"d{n}", body=f"shared words and word{n}")
        writer.commit(merge=False)
    writer = ix.writer()
    writer.delete_by_term("id", "d0")
    writer.add_document(id="d0", body="shared words again, word0 replaced")
    writer.commit(merge=False)  # three segments, one deletion
    merge_all = whoosh_fence.merging_writer(ix, 32, lambda found, new: range(len(found)))
    merge_all.add_document(id="d9", body="shared words and word9")
    merge_all.commit(**kwargs)
    with ix.searcher() as searcher:
        assert len(list(searcher.reader().leaf_readers())) == segments
        assert sorted(f["id"] for f in searcher.all_stored_fields()) == ["d0", "d1", "d9"]
        hits = searcher.search(wq.Term("body", "shared"), limit=None)
        assert sorted(hit["id"] for hit in hits) == ["d0", "d1", "d9"]
        phrase = searcher.search(wq.Phrase("body", ["word0", "replaced"]))
        assert [hit["id"] for hit in phrase] == ["d0"]


def test_the_block_level_merge_knows_this_whoosh(tmp_path: Path) -> None:
    # the merging writer takes the block-level path only for the codec it was written for;
    # on an upgrade that changes it, this fails (the merge would silently fall back)
    from archive import index as archive_index

    folder = str(tmp_path / "index")
    upsert_articles(folder, [Article(id="a", title="T", body="talks", lang="en", source="a")])
    upsert_articles(folder, [Article(id="b", title="T", body="talks", lang="en", source="b")])
    with archive_index.IndexWriter(folder) as writer:
        merging = whoosh_fence.merging_writer(writer.ix, 48, archive_index._choose_merges)
        try:
            readers = [reader for reader, _ in writer.searcher.reader().leaf_readers()]
            assert len(readers) == 2
            assert whoosh_fence._fast_merge_layout(merging, readers)
        finally:
            merging.cancel()


class _TermTableHolder:
    """What pack_term_table reads of a W3FieldWriter: its `_tindex`."""

    def __init__(self, out: io.BytesIO) -> None:
        from whoosh.filedb.filetables import OrderedHashWriter
        from whoosh.filedb.structfile import StructFile

        self._tindex = OrderedHashWriter(StructFile(out))


def test_a_packed_term_table_is_written_byte_for_byte_as_whoosh_writes_it() -> None:
    assert _term_table_file(pack=True) == _term_table_file(pack=False)


def test_the_merging_writer_packs_the_term_table_of_this_whoosh(tmp_path: Path) -> None:
    # pack_term_table says False (and whoosh keeps its own buckets) on another layout: on an
    # upgrade that changes the term table writer, this fails instead of memory growing again
    from archive import index as archive_index

    folder = str(tmp_path / "index")
    upsert_articles(folder, [Article(id="a", title="T", body="talks", lang="en", source="a")])
    with archive_index.IndexWriter(folder) as writer:
        merging = whoosh_fence.merging_writer(writer.ix, 48, archive_index._choose_merges)
        try:
            assert whoosh_fence.pack_term_table(merging.fieldwriter)
            assert whoosh_fence.pack_term_table(merging.fieldwriter)  # idempotent
        finally:
            merging.cancel()


def test_a_term_table_that_holds_terms_is_left_to_whoosh() -> None:
    holder: Any = _TermTableHolder(io.BytesIO())
    holder._tindex.add(b"\x00\x01talks", b"info")
    assert not whoosh_fence.pack_term_table(holder)
    assert type(holder._tindex.buckets[0]) is list


def _term_table_file(*, pack: bool = True, use_fence: bool = False) -> bytes:
    """A term table of 3,000 keys (every bucket holds several, some collide in their slot),
    added by whoosh's OrderedHashWriter or the fence's writer, its buckets packed or whoosh's."""
    out = io.BytesIO()
    holder: Any = _TermTableHolder(out)
    if pack:
        assert whoosh_fence.pack_term_table(holder)
    keys = [b"\x00\x01term%06d" % n for n in range(3000)]
    if use_fence:
        table = whoosh_fence._TermTable(holder._tindex)
        for n, key in enumerate(keys):
            table.add(key, b"info%d" % n)
        table.close()
    else:
        for n, key in enumerate(keys):
            holder._tindex.add(key, b"info%d" % n)
    holder._tindex.extras["fieldmap"] = {"body": 1}
    out.close = lambda: None  # type: ignore[method-assign]  # StructFile.close would drop it
    holder._tindex.close()
    return out.getvalue()


def test_the_merge_writes_term_records_byte_for_byte_as_whoosh_adds_them() -> None:
    # records, their md5 buckets, the ordered index and the last key: the whole file
    assert _term_table_file(use_fence=True) == _term_table_file(use_fence=False)
    table = whoosh_fence._TermTable(_TermTableHolder(io.BytesIO())._tindex)
    table.add(b"\x00\x01b", b"x")
    with pytest.raises(ValueError, match="Keys must increase"):
        table.add(b"\x00\x01a", b"x")


def test_field_records_are_the_records_whoosh_walks(leaves: Any) -> None:
    _searcher, readers = leaves
    checked = 0
    for reader in readers:
        terms = reader._terms
        for fieldname in terms.indexed_field_names():
            prefix = terms._keycoder(fieldname, b"")
            want = [
                (key[2:], value) for key, value in terms._tindex.items_from(prefix)
                if key[:2] == prefix
            ]  # fmt: skip
            got = list(whoosh_fence._field_records(terms, fieldname))
            assert got == want, fieldname
            checked += len(got)
    assert checked > 50


def _raw_blocks(reader: Any) -> list[tuple[tuple[Any, ...], bytes]]:
    """(info, data as stored) of every postings block of a segment, read without whoosh."""
    import zlib

    out = []
    for (_field, _text), info in reader._terms.items():
        offset, length = info.extent()
        (length,) = length if isinstance(length, tuple) else (length,)
        buf = reader._terms._postfile.get(offset, length)
        pos = 4
        while True:
            size = int.from_bytes(buf[pos : pos + 4], "big", signed=True)
            stream = io.BytesIO(buf[pos + 4 : pos + 4 + abs(size)])
            block_info = pickle.load(stream)
            data = stream.read()
            out.append((block_info, zlib.decompress(data) if block_info[3] else data))
            pos += 4 + abs(size)
            if size < 0:
                break
    return out


def test_blocks_are_pickled_with_bytes_and_small_ones_stored_plain(leaves: Any) -> None:
    # protocol 3 holds a posting's value bytes as they are (whoosh's protocol 2 pickles a
    # call to _codecs.encode per value); a block's pickle under _COMPRESS_MIN is not zlib'ed
    _searcher, readers = leaves
    blocks = [block for reader in readers for block in _raw_blocks(reader)]
    assert all(data[:2] == b"\x80\x03" for _info, data in blocks)
    plain = [data for info, data in blocks if info[3] == 0]
    packed = [data for info, data in blocks if info[3]]
    assert plain and packed
    assert all(len(data) < whoosh_fence._COMPRESS_MIN for data in plain)
    assert all(len(data) >= whoosh_fence._COMPRESS_MIN for data in packed)


def test_join_minifies_weights_as_whooshs_postings_writer() -> None:
    def part(first: int, count: int, weights: Any) -> Any:
        ids = (first,) + (1,) * (count - 1)
        if type(weights) is tuple:
            wsum = sum(weights)
        else:
            wsum = count * (1.0 if weights is None else weights)
        return (count, first, ids, first + count - 1, weights, (b"v",) * count, 1.0, 1, 2, wsum)

    both_one = whoosh_fence._join([part(0, 2, None), part(5, 3, None)])
    assert both_one[2] == (0, 1, 4, 1, 1) and both_one[4] is None and both_one[3] == 7
    both_two = whoosh_fence._join([part(0, 2, 2.0), part(5, 1, 2.0)])
    assert both_two[4] == 2.0 and both_two[9] == 6.0
    mixed = whoosh_fence._join([part(0, 2, None), part(5, 1, 2.0), part(9, 2, (3.0, 1.0))])
    assert mixed[4] == (1.0, 1.0, 2.0, 3.0, 1.0) and mixed[0] == 5
    assert mixed[2] == (0, 1, 4, 4, 1) and mixed[5] == (b"v",) * 5 and mixed[9] == 8.0


def _indexes_of_both_writers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An index of several segments, one with a deletion, and its copy merged into one
    segment (blocks renumbered past the deleted document), by our writer and by whoosh's."""
    import random
    import shutil

    from archive import index as ix
    from archive.stored import article_to_fields

    rng = random.Random(29)
    words = "talks oil gas sanctions trade water نفت گاز تحریم تجارت آب".split()
    folders = []
    for policy in ("small", "whoosh"):
        monkeypatch.setattr(ix, "MERGE_POLICY", policy)
        monkeypatch.setattr(ix, "_choose_merges", lambda segments, new_docs: set())
        folder = str(tmp_path / policy)
        with ix.IndexWriter(folder) as writer:
            for n in range(300):
                body = " ".join(rng.choice(words) for _ in range(40)) + f" unique{n}"
                doc = Article(id=f"doc{n:04d}", title=f"{words[n % 11]} {n}", body=body,
                              lang="en", source=f"raw/{n}.html",
                              date=dt.date(2024, 1, 1 + n % 28))  # fmt: skip
                writer.put(article_to_fields(doc), replace=False)
                if n % 60 == 59:
                    writer.commit()
            writer.delete("doc0007")
            writer.commit()
            writer.finish()
        merged = shutil.copytree(folder, str(tmp_path / f"{policy}-merged"))
        with ix.IndexWriter(merged) as writer:  # one segment, renumbered past the deletion
            whoosh_fence.merging_writer(writer.ix, 48, ix._choose_merges).commit(optimize=True)
        folders += [folder, merged]
    return folders


def test_term_blocks_are_the_blocks_a_matcher_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # term_blocks reads a term's postings blocks without a matcher: every term of every field
    # must give the blocks iter_matcher_blocks gives (the same ids, weights and values, of the
    # same types), in our writer's segments and in whoosh's own writer's, and the live
    # postings of a segment with a deletion those of whoosh's public postings
    checked = {"terms": 0, "values": 0, "several blocks": 0, "with deletions": 0}
    for folder in _indexes_of_both_writers(tmp_path, monkeypatch):
        with open_index(folder).searcher() as searcher:
            for reader, _ in searcher.reader().leaf_readers():
                schema = reader.schema
                deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
                for fieldname in reader.indexed_field_names():
                    fmt = schema[fieldname].format
                    positional = fmt.supports("positions")
                    for raw in reader.lexicon(fieldname):
                        term = schema[fieldname].from_bytes(raw)
                        if schema[fieldname].to_bytes(term) != raw:
                            continue  # a numeric field's shifted terms: not text
                        for values in (False, True) if positional else (False,):
                            # whoosh's own matcher of the term, unfiltered (a FilterMatcher
                            # steps past deleted documents, blocks of them too)
                            matcher = reader._terms.matcher(fieldname, raw, fmt)
                            blocks = whoosh_fence.iter_matcher_blocks(matcher, values=values)
                            assert blocks is not None
                            expected = [tuple(block) for block in blocks]
                            got = whoosh_fence.term_blocks(reader, fieldname, term, values=values)
                            assert got is not None, (fieldname, term)
                            assert len(got) == len(expected)
                            for mine, theirs in zip(got, expected, strict=True):
                                assert [type(x) for x in mine] == [type(x) for x in theirs]
                                assert mine == theirs, (fieldname, term)
                            live = [d for block in got for d in block[0] if d not in deleted]
                            assert live == list(reader.postings(fieldname, term).all_ids())
                            checked["terms"] += 1
                            checked["values"] += values
                            checked["several blocks"] += len(got) > 1
                            checked["with deletions"] += bool(deleted)
                assert whoosh_fence.term_blocks(reader, "body", "nowhere") == []
    assert checked["values"] > 100 and checked["several blocks"] > 10, checked
    assert checked["with deletions"] > 100, checked


@pytest.mark.parametrize("last", [0, 255, 256, 65535, 65536, 2**31 - 1])
def test_a_block_info_ends_where_its_values_say(last: int) -> None:
    # every width of the last id (BININT1, BININT2, BININT) and of the other small ints
    for info in [(1, last, 1.0, 0, 0, 0), (128, last, 3.5, 3, 12, 255)]:
        raw = pickle.dumps(info, 2)
        buf = b"\x00" * 7 + raw + b"x\x9cdata"
        assert whoosh_fence._data_start(buf, 7, pickle.loads(buf[7:])) == 7 + len(raw)


@pytest.mark.parametrize(
    "info, protocol",
    [
        ((1, 5, 1.0, 0, 0, 0), 4),  # framed, MEMOIZE: another tail
        ((1, 5, 1.0, 0, 0, 0), 0),
        ((1, 2**31 + 5, 1.0, 0, 0, 0), 2),  # LONG1
        ((1, 5, 1, 0, 0, 0), 2),  # an int max weight
        ((1, 5, 1.0, 0, 0, 300), 2),  # a length byte past 255
    ],
)
def test_a_block_info_of_another_shape_is_left_to_a_stream_load(
    info: tuple[Any, ...], protocol: int
) -> None:
    buf = pickle.dumps(info, protocol) + b"tq\x00.tq\x00.tq\x00."  # a tail that is not its end
    assert whoosh_fence._data_start(buf, 0, pickle.loads(buf)) == 0


def test_merged_segments_read_the_same_as_by_stream_loads(
    leaves: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the parts of a real segment's blocks, each info's end found from its values, are the
    # parts read with a pickle.load per info (the stream says where each ends)
    _searcher, readers = leaves
    for reader in readers:
        fast = list(whoosh_fence._segment_terms(reader, 70000, None, None, 1))
        with monkeypatch.context() as patch:
            patch.setattr(whoosh_fence, "_data_start", lambda buf, pos, info: 0)
            slow = list(whoosh_fence._segment_terms(reader, 70000, None, None, 1))
        assert fast == slow and len(fast) > 10
        assert sum(len(parts) for _key, _order, parts in fast) == len(_raw_blocks(reader))
