"""index: open/create, meta and schema version, field mapping, lock, pre-analysed fields."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from whoosh.query import Term

from archive import index
from archive import stored as stored_format
from archive.errors import IndexLockedError, IndexMissingError, SchemaVersionError
from archive.models import Article


def _article(n: int, **kw) -> Article:
    values = dict(
        id=f"doc-{n}",
        title=f"Nuclear talks round {n}",
        body=f"The delegations met in Vienna for round {n}.\n\nمذاکرات هسته‌ای ادامه دارد.",
        lang="en",
        source=f"raw/{n}.html",
        url=f"https://www.Example.com/news/{n}",
        authors=["Ali Rezaei", "Jane Doe"],
        date=dt.date(2025, 2, n + 1),
        date_jalali=f"1403-11-{n + 13}",
        tags=["politics", "iran"],
        warnings=["page looks truncated"],
        encoding="utf-8",
        summary="A summary.",
    )
    values.update(kw)
    return Article(**values)


def test_upsert_then_open_and_map_back(tmp_index: str):
    articles = [_article(n) for n in range(3)]
    assert index.upsert_articles(tmp_index, articles) == 3
    ix = index.open_index(tmp_index)
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 3
        stored = searcher.document(id="doc-1")
        assert stored["site"] == "example.com"
        assert stored["date"] == 20250202
        expected = _article(1, site="example.com")  # filled in from the URL's host
        assert stored_format.fields_to_article(stored) == expected
        assert searcher.document_number(author="rezaei") is not None
    meta = index.read_meta(tmp_index)
    assert meta["schema_version"] == index.SCHEMA_VERSION
    assert meta["documents"] == 3 and meta["languages"] == {"en": 3}
    assert meta["created"] and meta["last_ingest"] and meta["size_bytes"] > 0


def test_upsert_replaces_by_id(tmp_index: str):
    index.upsert_articles(tmp_index, [_article(1)])
    index.upsert_articles(tmp_index, [_article(1, title="Replaced title")])
    with index.open_index(tmp_index).searcher() as searcher:
        assert searcher.doc_count() == 1
        assert searcher.document(id="doc-1")["title"] == "Replaced title"


def test_preanalysed_fields_index_the_same_terms_as_whoosh_analysis(tmp_path: Path):
    article = _article(0, body="کتاب‌ها را می‌خوانند. Books were READ in 1403 and ۱۴۰۳.")
    plain = stored_format.article_to_fields(article)
    pre = index.preanalyze_fields(plain)
    assert isinstance(pre["body"], list) and pre["_stored_body"] == plain["body"]
    terms = {}
    for name, fields in (("plain", plain), ("pre", pre)):
        folder = tmp_path / name
        writer = index.IndexWriter(str(folder))
        writer.put(fields)
        writer.finish()
        writer.close()
        with index.open_index(str(folder)).searcher() as searcher:
            terms[name] = {
                field: sorted(searcher.lexicon(field)) for field in ("title", "body", "author")
            }
            assert searcher.document(id="doc-0")["body"] == plain["body"]
    assert terms["pre"] == terms["plain"]
    assert terms["pre"]["body"]


def test_missing_index_is_one_clear_error(tmp_path: Path):
    with pytest.raises(IndexMissingError, match="no index at .*archive ingest"):
        index.open_index(str(tmp_path / "nothing"))


def _set_meta(index_dir: str, **changes) -> None:
    path = os.path.join(index_dir, index.META_FILE)
    meta = json.loads(Path(path).read_text())
    meta.update(changes)
    Path(path).write_text(json.dumps(meta))


def test_incompatible_schema_version_says_rebuild(tmp_index: str):
    index.upsert_articles(tmp_index, [_article(1)])
    _set_meta(tmp_index, schema_version=index.SCHEMA_VERSION + 1)
    with pytest.raises(SchemaVersionError, match="--rebuild"):
        index.open_index(tmp_index)
    with pytest.raises(SchemaVersionError, match="--rebuild"):
        index.IndexWriter(tmp_index)


def test_damaged_meta_and_unversioned_whoosh_folder_say_rebuild(tmp_path: Path):
    folder = tmp_path / "ix"
    folder.mkdir()
    (folder / index.META_FILE).write_text("{not json")
    with pytest.raises(SchemaVersionError, match="--rebuild"):
        index.open_index(str(folder))
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "_MAIN_1.toc").write_bytes(b"old")
    with pytest.raises(SchemaVersionError, match="--rebuild"):
        index.open_index(str(legacy))


def test_garbage_toc_is_a_rebuild_message_not_a_pickle_traceback(tmp_index: str):
    index.upsert_articles(tmp_index, [_article(1)])
    gen = Path(tmp_index) / index.read_meta(tmp_index)["generation"]
    for toc in gen.glob("*.toc"):
        toc.write_bytes(toc.read_bytes()[:40] + b"\x80\x04garbage" * 20)
    with pytest.raises(SchemaVersionError, match="--rebuild"):
        index.open_index(tmp_index)


def test_second_writer_is_refused_naming_the_holder(tmp_index: str):
    first = index.IndexWriter(tmp_index)
    try:
        with pytest.raises(IndexLockedError, match=rf"pid {os.getpid()} on .*started"):
            index.IndexWriter(tmp_index)
    finally:
        first.close()
    second = index.IndexWriter(tmp_index)  # released: free again
    assert second.lock.stale is None
    second.close()


def test_stale_lock_file_is_taken_over(tmp_index: str):
    os.makedirs(tmp_index)
    holder = {"pid": 999_999_999, "host": "gone", "started": "2020-01-01T00:00:00+00:00"}
    Path(tmp_index, index.LOCK_FILE).write_text(json.dumps(holder))
    writer = index.IndexWriter(tmp_index)
    try:
        assert writer.lock.stale == holder
    finally:
        writer.close()


def test_uncommitted_changes_are_invisible_to_readers(tmp_index: str):
    index.upsert_articles(tmp_index, [_article(1)])
    writer = index.IndexWriter(tmp_index)
    try:
        writer.put(stored_format.article_to_fields(_article(2)))
        with index.open_index(tmp_index).searcher() as searcher:
            assert searcher.doc_count() == 1
        writer.commit()
        with index.open_index(tmp_index).searcher() as searcher:
            assert searcher.doc_count() == 2
            assert searcher.doc_frequency("lang", "en") >= 2
            assert list(searcher.docs_for_query(Term("id", "doc-2")))
    finally:
        writer.close()


def test_put_after_delete_in_one_batch_keeps_one_copy(tmp_index: str):
    index.upsert_articles(tmp_index, [_article(1)])
    writer = index.IndexWriter(tmp_index)
    try:
        writer.delete("doc-1")
        writer.put(stored_format.article_to_fields(_article(1, title="Back again")), replace=False)
        writer.commit()
    finally:
        writer.close()
    with index.open_index(tmp_index).searcher() as searcher:
        assert searcher.doc_count() == 1
        assert searcher.document(id="doc-1")["title"] == "Back again"
