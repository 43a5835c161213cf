"""Curating an index after ingest: forget articles (by id or by source), the deny list.

`plan_forget` reads the index and says what `forget` would do; `forget` takes the ingest lock,
plans again (the index may have moved) and applies the plan. The order of its writes keeps
the index whole whatever stops it: the deny list first (with `block`), then the manifest rows
of the inputs (one SQLite transaction), then the whoosh commit deleting the documents, then
the meta file. Killed before the whoosh commit, the index keeps its last commit: the articles
are still there (ingest re-files their manifest rows from the documents), and running the same
`forget` again finishes the job.

An article that other inputs also gave (duplicates) is kept when only some of its inputs are
forgotten, and filed under one of the inputs that remain.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from archive.blocklist import BlockedArticle, read_blocklist, write_blocklist
from archive.errors import ArchiveError, UsageError
from archive.index import IndexWriter, open_index, read_meta
from archive.manifest import Manifest, PageRecord
from archive.safefs import write_json_atomic
from archive.stored import article_to_fields, fields_to_article, location_key


@dataclass
class ForgetItem:
    """One article `forget` removes (or keeps, with the input that still gives it)."""

    id: str
    title: str
    lang: str
    source: str
    kept_by: str | None = None  # the location that still gives a kept article

    def as_dict(self) -> dict[str, Any]:
        data = {"id": self.id, "title": self.title, "lang": self.lang, "source": self.source}
        if self.kept_by:
            data["kept_by"] = self.kept_by
        return data


@dataclass
class ForgetPlan:
    """What forgetting some ids or sources does to an index."""

    removed: list[ForgetItem] = field(default_factory=list)
    kept: list[ForgetItem] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # manifest rows dropped
    dumps: set[str] = field(default_factory=set)  # dumps read again at the next ingest
    blocked: list[BlockedArticle] = field(default_factory=list)  # added to the deny list
    notes: list[str] = field(default_factory=list)
    _refile: dict[str, PageRecord] = field(default_factory=dict)  # kept id -> its new input
    _stored: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.removed or self.kept or self.keys)


def plan_forget(
    index_dir: str, ids: Sequence[str] = (), sources: Sequence[str] = (), *, block: bool = False
) -> ForgetPlan:
    """Return what `forget` would remove, without changing anything.

    Raises:
        ArchiveError: an id that is no article of the index; no index.
        UsageError: neither ids nor sources, an id that starts several articles.
    """
    ix = open_index(index_dir)
    meta = read_meta(index_dir)
    manifest = Manifest.open(os.path.join(index_dir, str(meta["generation"])))
    try:
        with ix.searcher() as searcher:
            return _plan(index_dir, searcher, manifest, ids, sources, block=block, meta=meta)
    finally:
        manifest.close()


def forget(
    index_dir: str,
    ids: Sequence[str] = (),
    sources: Sequence[str] = (),
    *,
    block: bool = False,
    lock_wait: float = 0.0,
) -> ForgetPlan:
    """Remove articles by id and/or by input source from the index and its manifest.

    With `block`, the removed articles also go on the deny list, so that later ingests leave
    them out. Holds the ingest lock while it writes; returns the plan it carried out.

    Raises:
        IndexLockedError: an ingest is writing the index.
        ArchiveError, UsageError: as `plan_forget`.
    """
    from archive import runlog

    with IndexWriter(index_dir, lock_wait=lock_wait) as writer:
        plan = _plan(
            index_dir, writer.searcher, writer.manifest, ids, sources, block=block, meta=writer.meta
        )
        if plan.is_empty:
            return plan
        options = {"ids": list(ids), "block": block} if ids or block else None
        entry = runlog.start_run(index_dir, "forget", sources, options)
        try:
            _apply(index_dir, writer, plan)
        except KeyboardInterrupt:
            entry.finish("interrupted")
            raise
        except BaseException as exc:
            entry.finish("error", note=str(exc) or type(exc).__name__)
            raise
        entry.finish(
            "ok",
            counts={"removed": len(plan.removed), "kept": len(plan.kept),
                    "blocked": len(plan.blocked)},
            details={"removed_ids": [item.id for item in plan.removed[:100]]},
        )  # fmt: skip
    return plan


def _apply(index_dir: str, writer: IndexWriter, plan: ForgetPlan) -> None:
    if plan.blocked:
        current = read_blocklist(index_dir).entries
        write_blocklist(index_dir, [*current, *plan.blocked])
    writer.manifest.record(forget=plan.keys, forget_dumps=plan.dumps)
    for item in plan.removed:
        writer.delete(item.id)
    for doc_id, record in plan._refile.items():
        fields = article_to_fields(fields_to_article(plan._stored[doc_id]))
        fields["source"] = record.key
        fields["source_path"] = record.key
        fields["source_key"] = record.key
        fields["content_hash"] = record.hash
        writer.put(fields, replace=True)
    last_ingest = writer.meta.get("last_ingest")
    writer.commit()
    meta = writer.finish()
    meta["last_ingest"] = last_ingest  # forgetting is not an ingest
    meta["last_change"] = _now_iso()
    write_json_atomic(os.path.join(index_dir, "archive-meta.json"), meta)


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _plan(
    index_dir: str,
    searcher: Any,
    manifest: Manifest,
    ids: Sequence[str],
    sources: Sequence[str],
    *,
    block: bool,
    meta: dict[str, Any],
) -> ForgetPlan:
    from archive.search import find_document, source_query

    if not ids and not sources:
        raise UsageError("say what to forget: article IDs, or --source PATH")
    plan = ForgetPlan()
    stored_of: dict[str, dict[str, Any]] = {}
    dropped: dict[str, PageRecord] = {}  # key -> record, every row this forget drops
    whole: set[str] = set()  # ids removed whatever else gives them (asked for by id)
    for doc_id in ids:
        stored = find_document(searcher, doc_id)
        if stored is None:
            raise ArchiveError(f"no article with id {doc_id!r} in {index_dir}; nothing removed")
        stored_of[stored["id"]] = dict(stored)
        whole.add(stored["id"])
        for record in manifest.records_of_doc(stored["id"]):
            dropped[record.key] = record
    for spec in sources:
        key = location_key(spec.strip())
        if not spec.strip():
            raise UsageError("--source needs a file, folder or dump path")
        found = False
        for record in manifest.records_under(key):
            dropped[record.key] = record
            found = True
        for docnum in searcher.docs_for_query(source_query(spec)):
            stored = dict(searcher.stored_fields(docnum))
            stored_of.setdefault(stored["id"], stored)
            found = True
        if not found:
            raise ArchiveError(f"no article or input from {spec} in {index_dir}; nothing removed")
        if "!" not in key:
            plan.dumps.add(key)  # the dump itself, when the spec is one
    for record in dropped.values():
        if record.doc_id and record.status != "failed":
            if record.doc_id not in stored_of:
                doc = searcher.document(id=record.doc_id)
                if doc is not None:
                    stored_of[record.doc_id] = dict(doc)
        if record.key != record.source:  # a dump member: read the dump again next time
            plan.dumps.add(record.source)
    for doc_id, stored in stored_of.items():
        item = ForgetItem(
            id=doc_id,
            title=str(stored.get("title") or ""),
            lang=str(stored.get("lang") or ""),
            source=str(stored.get("source") or ""),
        )
        others = [r for r in manifest.records_of_doc(doc_id) if r.key not in dropped]
        if doc_id not in whole and others:
            item.kept_by = others[0].key
            plan.kept.append(item)
            if stored.get("source_key") in dropped or not stored.get("source_key"):
                plan._refile[doc_id] = others[0]
                plan._stored[doc_id] = stored
            continue
        plan.removed.append(item)
        if block:
            hashes = {h for h in str(stored.get("content_hash") or "").split(",") if h}
            hashes.update(r.hash for r in dropped.values() if r.doc_id == doc_id)
            plan.blocked.append(
                BlockedArticle(
                    id=doc_id,
                    hashes=sorted(hashes),
                    text_hash=stored.get("text_hash") or None,
                    title=item.title,
                    source=item.source,
                    blocked_at=_now_iso(),
                )
            )
    plan.keys = list(dropped)
    if meta.get("rebuilding"):
        plan.notes.append(
            "an unfinished --rebuild may still hold these articles; run this forget again "
            "after the rebuild is switched in"
        )
    return plan


def list_blocked(index_dir: str) -> list[BlockedArticle]:
    """Return the deny list of the index, oldest first."""
    if not os.path.isdir(index_dir):
        raise ArchiveError(f"no index at {index_dir}; run `archive ingest` first")
    return read_blocklist(index_dir).entries


def unblock(index_dir: str, ids: Iterable[str], *, lock_wait: float = 0.0) -> list[BlockedArticle]:
    """Take articles off the deny list (by id or a unique start of one); return those taken off.

    The next ingest adds them again if their inputs are given: it reads every dump again
    (hashing only) since a dump read in full is otherwise skipped by its size and time.

    Raises:
        ArchiveError: an id that is not on the list (nothing is changed).
    """
    with IndexWriter(index_dir, lock_wait=lock_wait) as writer:
        entries = read_blocklist(index_dir).entries
        taken: list[BlockedArticle] = []
        for wanted in ids:
            matches = [e for e in entries if e.id == wanted] or [
                e for e in entries if len(wanted) >= 4 and e.id.startswith(wanted)
            ]
            if not matches:
                raise ArchiveError(f"{wanted!r} is not on the deny list of {index_dir}")
            if len(matches) > 1:
                raise UsageError(f"the id {wanted!r} starts several blocked articles; give more")
            taken.append(matches[0])
        gone = {e.id for e in taken}
        write_blocklist(index_dir, [e for e in entries if e.id not in gone])
        writer.manifest.forget_dump_stats()
    return taken
