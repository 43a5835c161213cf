"""IndexWriter's per-page lookups (has_doc, doc_by_text_hash, by_content_hash) across segments.

The writer skips the segments it wrote itself when its key filter says a term was never put
(index.KeyFilter); every answer must still be whoosh's own (searcher.document), through
commits, merges of old segments into new ones, deletions and a reopened writer.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from test_merge import _article

from archive import index as ix
from archive.stored import article_to_fields


def _fields(n: int, rng: random.Random) -> dict[str, object]:
    fields = article_to_fields(_article(n, rng))
    fields["content_hash"] = f"raw{n:04d}"
    return fields


def _whoosh_answers(writer: ix.IndexWriter, n: int) -> tuple[bool, str | None, str | None]:
    """What whoosh's own lookup says for document n (ignoring what the batch queued)."""
    doc_id = f"doc{n:04d}"
    by_id = writer.searcher.document(id=doc_id)
    stored = by_id or {}
    text_doc = writer.searcher.document(text_hash=stored.get("text_hash") or "-")
    raw_doc = writer.searcher.document(content_hash=f"raw{n:04d}")
    return (
        by_id is not None,
        text_doc["id"] if text_doc else None,
        raw_doc["id"] if raw_doc else None,
    )


def _writer_answers(
    writer: ix.IndexWriter, n: int, text_hashes: dict[int, str]
) -> tuple[bool, str | None, str | None]:
    record = writer.by_content_hash(f"raw{n:04d}")
    return (
        writer.has_doc(f"doc{n:04d}"),
        writer.doc_by_text_hash(text_hashes[n]),
        record.doc_id if record else None,
    )


@pytest.mark.parametrize("probes_per_doc", [1, 0, 10**9])  # the filter of every segment's
# terms built as ingest builds it, at a reopened writer's first lookup, never
@pytest.mark.parametrize("policy", ["small", "log", "whoosh"])
def test_lookups_match_whoosh_through_merges_deletions_and_reopening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy: str, probes_per_doc: int
) -> None:
    monkeypatch.setattr(ix, "_PROBES_PER_DOC", probes_per_doc)
    monkeypatch.setattr(ix, "MERGE_FACTOR", 3)
    monkeypatch.setattr(ix, "MERGE_MIN_DOCS", 4)
    monkeypatch.setattr(ix, "MERGE_POLICY", policy)
    rng = random.Random(11)
    index_dir = str(tmp_path / "index")
    text_hashes: dict[int, str] = {}
    deleted: set[int] = set()
    n = 0
    for session in range(3):  # a reopened writer meets segments it did not write
        with ix.IndexWriter(index_dir) as writer:
            for commit in range(12):
                for _ in range(rng.randint(1, 3)):
                    fields = _fields(n, rng)
                    text_hashes[n] = str(fields["text_hash"])
                    writer.put(fields, replace=False)
                    n += 1
                if commit % 4 == 3:
                    gone = rng.choice(sorted(set(range(n)) - deleted))
                    writer.delete(f"doc{gone:04d}")
                    deleted.add(gone)
                writer.commit()
                for m in range(n):
                    want = _whoosh_answers(writer, m)
                    assert _writer_answers(writer, m, text_hashes) == want, (session, m)
                    expected_id = None if m in deleted else f"doc{m:04d}"
                    assert want == (m not in deleted, expected_id, expected_id)
            assert (writer._all_keys is not None) == (session > 0 and probes_per_doc < 10**9)
            # never-seen keys: nothing
            assert not writer.has_doc("doc9999")
            assert writer.doc_by_text_hash("no-such-hash") is None
            assert writer.by_content_hash("raw9999") is None
            writer.finish()


def test_lookups_see_the_batch_and_its_deletions(tmp_path: Path) -> None:
    rng = random.Random(2)
    with ix.IndexWriter(str(tmp_path / "index")) as writer:
        fields = _fields(1, rng)
        writer.put(fields, replace=False)
        assert writer.has_doc("doc0001")  # queued, not committed
        writer.commit()
        writer.delete("doc0001")  # deleted in this batch: committed copy hidden
        assert not writer.has_doc("doc0001")
        assert writer.doc_by_text_hash(str(fields["text_hash"])) is None
        assert writer.by_content_hash("raw0001") is None
        writer.commit()
        assert not writer.has_doc("doc0001")


def test_key_filter_has_no_false_negatives() -> None:
    keys = ix.KeyFilter()
    added = [("id", f"doc{i}") for i in range(20000)]
    for key in added:
        keys.add(key)
    assert all(key in keys for key in added)
    others = [("id", f"other{i}") for i in range(20000)]
    assert sum(key in keys for key in others) < 20  # false positives are rare
    assert "id" not in keys


def test_a_fresh_writer_owns_the_segments_it_writes(tmp_path: Path) -> None:
    # every segment a writer wrote into an empty index is skipped for keys it never put
    # (the first one too: before it, the index has an empty reader and no segment)
    rng = random.Random(4)
    with ix.IndexWriter(str(tmp_path / "index")) as writer:
        for n in range(3):
            writer.put(_fields(n, rng), replace=False)
            writer.commit()
        leaves = writer._leaves()
        assert len(leaves) >= 1 and all(covered for _reader, covered in leaves)
        assert not writer.has_doc("doc0099") and writer.has_doc("doc0001")


def test_once_every_segment_is_in_a_filter_a_new_key_asks_no_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a reopened writer asks the segments it did not write until the probes cost about what
    # reading their lookup terms costs; from then on a key in neither filter asks none
    monkeypatch.setattr(ix, "_choose_merges", lambda segments, new_docs: set())  # 6 segments
    rng = random.Random(5)
    index_dir = str(tmp_path / "index")
    fields = {}
    with ix.IndexWriter(index_dir) as writer:
        for n in range(6):
            fields[n] = _fields(n, rng)
            writer.put(fields[n], replace=False)
            writer.commit()
    with ix.IndexWriter(index_dir) as writer:
        segments = len(writer._leaves())
        assert segments >= 2 and not any(covered for _reader, covered in writer._leaves())
        n = 0
        while writer._all_keys is None:
            assert not writer.has_doc(f"new{n}")
            n += 1
        assert segments * n > ix._PROBES_PER_DOC * writer.searcher.doc_count_all()
        real_leaves = writer._leaves

        def no_segment() -> list[tuple[object, bool]]:
            raise AssertionError("a segment was asked")

        monkeypatch.setattr(writer, "_leaves", no_segment)
        assert not writer.has_doc("new-again")
        assert writer.doc_by_text_hash("no-such-hash") is None
        assert writer.by_content_hash("raw9999") is None
        monkeypatch.setattr(writer, "_leaves", real_leaves)
        for m in range(6):  # every committed key is in the filter
            assert writer.has_doc(f"doc{m:04d}")
            assert writer.doc_by_text_hash(str(fields[m]["text_hash"])) == f"doc{m:04d}"
            record = writer.by_content_hash(f"raw{m:04d}")
            assert record is not None and record.doc_id == f"doc{m:04d}"
