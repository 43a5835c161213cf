"""The segment merge policy (index.plan_merge) and the streaming merge of IndexWriter.commit.

Many small commits with a small merge factor force merges at several levels; after every
commit the index must hold exactly the documents a one-commit index of the same final state
holds: the same ids, stored fields, postings (with positions: phrases), deletions honoured.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from archive import index as ix
from archive import search, whoosh_fence
from archive.models import Article, SearchFilters
from archive.stored import article_to_fields

WORDS = (
    "oil gas sanctions tehran parliament budget election river dam drought wheat export "
    "bank rial inflation port rail nuclear talks vienna treaty"
).split()
FA_WORDS = "نفت گاز تحریم مجلس بودجه انتخابات رودخانه سد خشکسالی گندم صادرات بانک".split()


def _article(n: int, rng: random.Random, version: int = 0) -> Article:
    fa = n % 3 == 0
    pool = FA_WORDS if fa else WORDS
    body = " ".join(rng.choice(pool) for _ in range(30)) + f" unique{n}v{version}"
    return Article(
        id=f"doc{n:04d}",
        title=f"{pool[n % len(pool)]} {pool[(n * 7) % len(pool)]} title{n}",
        body=body,
        lang="fa" if fa else "en",
        source=f"/corpus/site/{n:04d}.html",
        url=f"https://example.org/{n}",
        authors=[f"Author {n % 5}"],
        date=dt.date(2010 + n % 10, 1 + n % 12, 1 + n % 28),
    )


def _snapshot(index_dir: str) -> dict[str, Any]:
    """Everything a reader can see, keyed by document id (docnums differ between indexes)."""
    opened = ix.open_index(index_dir)
    with opened.searcher() as searcher:
        reader = searcher.reader()
        ids = {}
        stored = {}
        for docnum, fields in reader.iter_docs():
            ids[docnum] = fields["id"]
            stored[fields["id"]] = {k: v for k, v in fields.items() if k != "indexed_at"}
        postings = set()
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            while matcher.is_active():
                postings.add((fieldname, text, ids[matcher.id()], matcher.value()))
                matcher.next()
        lengths = {
            ids[d]: reader.doc_field_length(d, "body") for d in range(reader.doc_count_all())
            if d in ids
        }  # fmt: skip
        return {"count": searcher.doc_count(), "stored": stored, "postings": postings,
                "lengths": lengths}  # fmt: skip


def _segment_count(index_dir: str) -> int:
    with ix.open_index(index_dir).reader() as reader:
        return 1 if reader.is_atomic() else len(list(reader.leaf_readers()))


@pytest.fixture
def small_merges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ix, "MERGE_FACTOR", 3)
    monkeypatch.setattr(ix, "MERGE_MIN_DOCS", 4)
    monkeypatch.setattr(ix, "MERGE_POLICY", "log")


def test_small_policy_merges_as_whoosh_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ix, "MERGE_POLICY", "small")
    assert ix.plan_merge_small([1000] * 5) == []
    # the 17 smallest: 17,000 documents < fib(21) = 17,711 (the 16 smallest: 16,000 > 10,946)
    assert ix.plan_merge_small([1000] * 18 + [17000]) == list(range(17))
    rng = random.Random(9)
    index_dir = str(tmp_path / "index")
    counts = []
    with ix.IndexWriter(index_dir) as writer:
        for n in range(40):
            writer.put(article_to_fields(_article(n, rng)), replace=False)
            writer.commit()
            counts.append(_segment_count(index_dir))
    assert max(counts) < 10 and counts.count(1) > 1  # it merged, more than once
    assert _snapshot(index_dir)["count"] == 40


def test_merge_levels() -> None:
    assert ix.merge_level(0) == 0
    assert ix.merge_level(ix.MERGE_MIN_DOCS * ix.MERGE_FACTOR - 1) == 0
    assert ix.merge_level(ix.MERGE_MIN_DOCS * ix.MERGE_FACTOR) == 1
    assert ix.merge_level(ix.MERGE_MIN_DOCS * ix.MERGE_FACTOR**3) == 3


def test_plan_merge_waits_for_a_full_level_then_cascades() -> None:
    f, m = ix.MERGE_FACTOR, ix.MERGE_MIN_DOCS
    assert ix.plan_merge([(m, 0)] * (f - 2), m) == []
    assert ix.plan_merge([(m, 0)] * (f - 1), m) == list(range(f - 1))
    # the merged level-0 segments fill level 1, which then joins too
    big = [(m * f, 0)] * (f - 1)
    assert ix.plan_merge(big + [(m, 0)] * (f - 1), m) == list(range(2 * (f - 1)))
    # bigger segments of another level stay
    assert ix.plan_merge([(m * f * f, 0), *[(m, 0)] * (f - 1)], m) == list(range(1, f))


def test_plan_merge_reclaims_mostly_deleted_segments() -> None:
    m = ix.MERGE_MIN_DOCS
    assert ix.plan_merge([(m * 50, 0), (10, 90)], 5) == [1]
    assert ix.plan_merge([(10, 90)], 0) == [0]
    assert ix.plan_merge([(60, 40)], 0) == []


@pytest.mark.parametrize("policy", ["log", "small"])
def test_many_commits_keep_the_index_exact(
    tmp_path: Path, small_merges: None, policy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ix, "MERGE_POLICY", policy)
    rng = random.Random(7)
    live: dict[str, Article] = {}
    merged_dir = str(tmp_path / "merged")
    segments_seen = []
    with ix.IndexWriter(merged_dir) as writer:
        n = 0
        for commit in range(40):
            for _ in range(rng.randint(1, 4)):
                article = _article(n, rng)
                writer.put(article_to_fields(article), replace=False)
                live[article.id] = article
                n += 1
            if commit % 5 == 4:  # replace one, delete one
                old = sorted(live)[rng.randrange(len(live))]
                article = _article(int(old[3:]), rng, version=commit)
                writer.put(article_to_fields(article), replace=True)
                live[old] = article
                gone = sorted(live)[rng.randrange(len(live))]
                writer.delete(gone)
                del live[gone]
            writer.commit()
            assert writer.doc_count() == len(live)
            segments_seen.append(_segment_count(merged_dir))
        writer.finish()
    if policy == "log":  # log merges bound the segment count: (factor - 1) per level
        assert max(segments_seen) <= 2 * 4
    assert segments_seen.count(1) > 1  # merges really happened
    reference = str(tmp_path / "reference")
    ix.upsert_articles(reference, [live[k] for k in sorted(live)])
    got, want = _snapshot(merged_dir), _snapshot(reference)
    assert got["count"] == want["count"] == len(live)
    assert got["stored"] == want["stored"]
    assert got["lengths"] == want["lengths"]
    assert got["postings"] == want["postings"]


def test_search_after_merges_finds_phrases_and_honours_deletions(
    tmp_path: Path, small_merges: None
) -> None:
    rng = random.Random(3)
    index_dir = str(tmp_path / "index")
    with ix.IndexWriter(index_dir) as writer:
        _put_in_batches(writer, rng, 30, every=2, deleted="doc0004")
        writer.finish()
    with search.open_searcher(index_dir) as searcher:
        assert search.search(searcher, "unique5v0", SearchFilters()).total == 1
        assert search.search(searcher, "unique4v0", SearchFilters()).total == 0
        phrase = search.search(searcher, '"title7"', SearchFilters())
        assert [h.id for h in phrase.hits] == ["doc0007"]
        assert searcher.doc_count() == 29


def test_whoosh_policy_gives_the_same_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(5)
    articles = [_article(n, rng) for n in range(24)]
    for policy in ("log", "small", "whoosh"):
        monkeypatch.setattr(ix, "MERGE_POLICY", policy)
        with ix.IndexWriter(str(tmp_path / policy)) as writer:
            for n, article in enumerate(articles):
                writer.put(article_to_fields(article), replace=False)
                if n % 2:
                    writer.commit()
            writer.finish()
    want = _snapshot(str(tmp_path / "whoosh"))
    assert _snapshot(str(tmp_path / "log")) == want
    assert _snapshot(str(tmp_path / "small")) == want


def test_bulk_lengths_match_whoosh(tmp_path: Path) -> None:
    from whoosh.reading import SegmentReader

    rng = random.Random(11)
    index_dir = str(tmp_path / "index")
    ix.upsert_articles(index_dir, [_article(n, rng) for n in range(12)])
    opened = ix.open_index(index_dir)
    segment = opened._segments()[0]
    reader = SegmentReader(opened.storage, opened.schema, segment)
    try:
        perdoc = reader._perdoc
        bulk = whoosh_fence.BulkLengths(perdoc)
        checked = 0
        for docnum in range(reader.doc_count_all()):
            for field in ("title", "body", "summary", "author", "tags", "url"):
                want = perdoc.doc_field_length(docnum, field) or 0
                assert bulk.doc_field_length(docnum, field) == want
                checked += want > 0
        assert checked > 20
    finally:
        reader.close()


def test_export_reads_without_mmap_and_the_same(tmp_path: Path) -> None:
    rng = random.Random(13)
    index_dir = str(tmp_path / "index")
    ix.upsert_articles(index_dir, [_article(n, rng) for n in range(15)])
    assert ix.open_index(index_dir, mmap=False).storage.supports_mmap is False
    with search.matching_articles(index_dir) as records:
        exported = [(a.id, a.title, a.body, a.authors) for a, _ in records]
    with search.matching_articles(ix.open_index(index_dir)) as records:
        mapped = [(a.id, a.title, a.body, a.authors) for a, _ in records]
    assert len(exported) == 15 and exported == mapped


def _term_stats(index_dir: str) -> dict[tuple[str, bytes], tuple[Any, ...]]:
    """Per term: doc frequency, total weight, min/max length, max weight, and its blocks."""
    opened = ix.open_index(index_dir)
    with opened.reader() as reader:
        (leaf, _base), *rest = reader.leaf_readers()
        assert not rest  # compare single-segment indexes
        out = {}
        for (fieldname, text), info in leaf._terms.items():
            matcher = leaf.postings(fieldname, text)
            blocks = []
            while matcher.is_active():
                blocks.append(matcher.block_max_id())
                matcher._next_block() if hasattr(matcher, "_next_block") else matcher.next()
            out[(fieldname, text)] = (
                info.doc_frequency(), round(info.weight(), 3), info.min_length(),
                info.max_length(), round(info.max_weight(), 3), len(blocks),
            )  # fmt: skip
        return out


def test_streaming_merge_writes_whooshs_term_statistics_in_few_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 300 one-article commits, then one merge of them all: each frequent term meets 300
    # segments; its postings must come out in blocks of up to 128, as whoosh writes them,
    # with the same statistics (what BM25's block-max skipping reads)
    rng = random.Random(17)
    articles = [_article(n, rng) for n in range(300)]
    stats = {}
    for policy in ("small", "whoosh"):
        monkeypatch.setattr(ix, "MERGE_POLICY", policy)
        index_dir = str(tmp_path / policy)
        with ix.IndexWriter(index_dir) as writer:
            for article in articles:
                writer.put(article_to_fields(article), replace=False)
                writer.commit()
            if policy == "small":
                merging = whoosh_fence.merging_writer(writer.ix, 48, ix._choose_merges)
                merging.commit(optimize=True)
            else:
                writer.ix.optimize()
        stats[policy] = _term_stats(index_dir)
    assert stats["small"] == stats["whoosh"]
    assert max(s[5] for s in stats["small"].values()) >= 3  # frequent terms: several blocks


def test_segments_of_whooshs_own_writer_merge_into_whooshs_postings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an index written before this writer (whoosh's blocks: protocol 2, all zlib'ed) merges
    # into the postings, statistics and blocks whoosh's own optimize gives
    import shutil

    monkeypatch.setattr(ix, "MERGE_POLICY", "whoosh")
    rng = random.Random(19)
    built = str(tmp_path / "built")
    with ix.IndexWriter(built) as writer:
        _put_in_batches(writer, rng, 60, every=3, deleted="doc0007")
        writer.finish()
    assert _segment_count(built) > 3
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "theirs")
    shutil.copytree(built, ours)
    shutil.copytree(built, theirs)
    with ix.IndexWriter(ours) as writer:
        whoosh_fence.merging_writer(writer.ix, 48, ix._choose_merges).commit(optimize=True)
    with ix.IndexWriter(theirs) as writer:
        writer.ix.optimize()
    assert _snapshot(ours) == _snapshot(theirs)
    assert _snapshot(ours)["count"] == 59
    assert _term_stats(ours) == _term_stats(theirs)


def _put_in_batches(
    writer: ix.IndexWriter, rng: random.Random, count: int, *, every: int, deleted: str
) -> None:
    """`count` articles, a commit after every `every`, then `deleted` deleted and committed."""
    for n in range(count):
        writer.put(article_to_fields(_article(n, rng)), replace=False)
        if n % every == every - 1:
            writer.commit()
    writer.delete(deleted)
    writer.commit()


def _raw_stored(index_dir: str) -> list[bytes]:
    """Each live document's stored fields as their column holds them (pickled, zlib'ed)."""
    from whoosh.codec.whoosh3 import STORED_COLUMN
    from whoosh.columns import VarBytesColumn

    out = []
    with ix.open_index(index_dir).reader() as reader:
        leaves = [reader] if reader.is_atomic() else [r for r, _ in reader.leaf_readers()]
        for leaf in leaves:
            column = leaf._perdoc._cached_reader("_stored", STORED_COLUMN)._child
            out += [VarBytesColumn.Reader.__getitem__(column, d) for d in leaf.all_doc_ids()]
    return sorted(out)


def test_a_merge_copies_stored_fields_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # whoosh would unpickle each document's stored fields and pickle them again (its keys in
    # the order of a set of field names): the merge copies the column's bytes
    monkeypatch.setattr(ix, "_choose_merges", lambda segments, new_docs: set())
    rng = random.Random(23)
    index_dir = str(tmp_path / "index")
    with ix.IndexWriter(index_dir) as writer:
        _put_in_batches(writer, rng, 40, every=4, deleted="doc0011")
        before = _raw_stored(index_dir)
        assert _segment_count(index_dir) > 3
        whoosh_fence.merging_writer(writer.ix, 48, ix._choose_merges).commit(optimize=True)
    assert _segment_count(index_dir) == 1
    assert len(before) == 39 and _raw_stored(index_dir) == before
