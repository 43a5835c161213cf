"""sources -> extract -> index. Returns an IngestReport; never prints.

The main process walks the inputs, decides what is unchanged (manifest: path + size + mtime,
confirmed by a content hash only when those differ) and writes to the index in batches.
Worker processes do the expensive part: parsing (`extract.extract_article`) and the analysis
of the text fields (`index.preanalyze_fields`), so whoosh's writer only files ready tokens.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from archive import runlog
from archive.blocklist import BlockedArticle, Blocklist, read_blocklist
from archive.errors import ArchiveError, ExtractionError
from archive.index import IndexWriter, location_key
from archive.manifest import PageRecord
from archive.models import Article, IngestReport, Outcome, RawPage
from archive.sources import DEFAULT_MAX_SIZE, DumpEnd, UnreadInput, iter_pages

_T = TypeVar("_T")
_SQLITE_FULL = 13  # SQLITE_FULL: "database or disk is full"

BATCH_DOCS = 1000  # documents per whoosh commit: bigger batches write each term less often
BATCH_SECONDS = 20.0  # ...but commit at least this often, so a killed run keeps its progress
_INFLIGHT_PAGES_PER_JOB = 128  # keeps workers busy for seconds while the main process commits
_INFLIGHT_BYTES = 256 * 1024 * 1024


def content_hash(data: bytes) -> str:
    """Return the hash of an input's raw bytes (the manifest's sure test of "unchanged")."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _location_key(source: str, member: str | None) -> str:
    path = os.path.abspath(source)
    return f"{path}!{member}" if member else path


@dataclass
class _Parsed:
    """A page that went to a worker, waiting for its result (in input order)."""

    page: RawPage
    key: str
    digest: str
    previous: PageRecord | None
    future: Future[tuple[str, Any]] | None = None
    result: tuple[str, Any] | None = None

    def done(self) -> bool:
        return self.result is not None or (self.future is not None and self.future.done())

    def get(self) -> tuple[str, Any]:
        if self.result is None:
            assert self.future is not None
            try:
                self.result = self.future.result()
            except BrokenProcessPool:
                self.result = ("failed", "a worker process died while parsing this page")
        return self.result


@dataclass
class Extracted:
    """One input read by `iter_extracted`: its article, or why it gave none."""

    location: str
    article: Article | None = None
    reason: str | None = None


def iter_extracted(
    paths: Iterable[str], *, max_size: int = DEFAULT_MAX_SIZE
) -> Iterator[Extracted]:
    """Yield what ingest would store for each page under `paths`, without touching an index.

    The inputs are read exactly as ingest reads them (files, folders, dumps, the size cap);
    an input that fails gives an `Extracted` with a reason and the others go on.
    """
    from archive.extract import extract_article

    for item in iter_pages(paths, max_size=max_size):
        if isinstance(item, Outcome):
            yield Extracted(item.location, reason=item.reason or "failed")
        elif isinstance(item, RawPage):
            try:
                yield Extracted(item.location, article=extract_article(item))
            except ExtractionError as exc:
                yield Extracted(item.location, reason=str(exc))


def process_page(page: RawPage) -> tuple[str, Any]:
    """Parse and analyse one page (runs in a worker): ("ok", fields) or ("failed", reason)."""
    from archive.extract import extract_article
    from archive.index import preanalyze_fields
    from archive.stored import article_to_fields

    try:
        article = extract_article(page)
        article.source = page.location
        return "ok", preanalyze_fields(article_to_fields(article))
    except ExtractionError as exc:
        return "failed", str(exc) or type(exc).__name__
    except RecursionError:
        return "failed", "page nesting too deep to parse"
    except MemoryError:
        return "failed", "page too large to parse in memory"
    except Exception as exc:  # a bug on one page must not end the batch
        return "failed", f"internal error: {type(exc).__name__}: {exc}"


def _has_other_threads() -> bool:
    """Whether this process runs threads besides the calling one (native ones included)."""
    try:
        return len(os.listdir("/proc/self/task")) > 1
    except OSError:  # no procfs: Python's own threads are all we can see
        return threading.active_count() > 1


def worker_pool(jobs: int, lock_fd: int | None) -> ProcessPoolExecutor:
    """The pool of `jobs` parsing workers; `lock_fd`, the ingest lock, is closed in each.

    Workers are forked from this process, with the extraction modules already imported, unless
    it runs other threads: a fork copies only the calling thread, so a lock another thread
    holds (the tantivy engine's file watcher, say) would stay locked in the child forever.
    Then they come from a fork server, a fresh single-threaded process that inherits none of
    our descriptors (the lock's included).
    """
    import multiprocessing

    # Imported once here, inherited by the forked workers instead of imported by each.
    import archive.extract  # noqa: F401

    context: multiprocessing.context.BaseContext
    if _has_other_threads():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["archive.extract", "archive.index"])
        parent, lock_fd = None, None  # a worker's parent is the fork server
    else:
        context = multiprocessing.get_context("fork")
        parent = os.getpid()
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_worker_init,
        initargs=(parent, lock_fd),
    )


def _worker_init(parent_pid: int | None, lock_fd: int | None) -> None:
    # Forked workers inherit the ingest lock's fd: close it so only the parent holds the lock,
    # and exit when the parent is gone (SIGKILL) instead of lingering: the ingest process, or
    # (None) the fork server, which ends with it.
    # Ctrl-C reaches the whole process group: the parent alone handles it and stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if lock_fd is not None:
        try:
            os.close(lock_fd)
        except OSError:
            pass
    parent = os.getppid() if parent_pid is None else parent_pid

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def ingest(
    paths: Iterable[str],
    index_dir: str,
    *,
    jobs: int | None = None,
    rebuild: bool = False,
    force: bool = False,
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
    on_notice: Callable[[str], None] = lambda message: None,
    max_size: int = DEFAULT_MAX_SIZE,
    lock_wait: float = 0.0,
    batch_docs: int = BATCH_DOCS,
    batch_seconds: float = BATCH_SECONDS,
    prune: bool = False,
    engine: str | None = None,
) -> IngestReport:
    """Ingest every page under `paths` into the index at `index_dir`.

    Args:
        paths: files, folders, zip/tar/WARC dumps.
        jobs: worker processes for parsing and analysis (default: the machine's cores;
            1 parses in this process).
        rebuild: fill a fresh index; the old one serves queries until the new one is complete.
            It is switched in only when every input could be read and it is not empty while
            the old one has articles; otherwise `IngestReport.held_back` says why and the old
            index stays (the next rebuild resumes the new one).
        force: switch a rebuilt index in even when `rebuild` would hold it back.
        on_outcome: called with each input's Outcome, in input order.
        max_size: bytes above which a file or dump member is reported as failed.
        on_notice: called with one-line notes for the user (a recovered stale lock).
        lock_wait: seconds to wait for another ingest to finish before giving up.
        engine: the engine of a new or rebuilt index ("whoosh", "tantivy"); None keeps the
            index's (whoosh for a new one). Another engine than the index's needs `rebuild`.
        prune: remove the articles whose input file or dump member under `paths` no longer
            exists (a missing PATH itself, or a dump that cannot be read, prunes nothing).

    Inputs on the deny list (`archive forget --block`) are left out, as "blocked". The run is
    logged in the index (`runlog`): a start line first, an end line when it stops.

    Raises:
        IndexLockedError: another ingest holds the index.
        SchemaVersionError: the index needs `--rebuild`.
        ArchiveError: the index cannot be written (disk full, permissions).
    """
    started = time.monotonic()
    paths = list(paths)
    jobs = max(1, jobs or os.cpu_count() or 1)
    report = IngestReport()
    writer = _guard_write(
        index_dir,
        lambda: IndexWriter(index_dir, rebuild=rebuild, lock_wait=lock_wait, engine=engine),
    )
    stale = writer.lock.stale
    if stale:
        on_notice(
            f"took over the lock of an ingest that did not finish (pid {stale.get('pid', '?')} "
            f"on {stale.get('host', '?')}, started {stale.get('started', '?')})"
        )
    run = _Run(writer, report, on_outcome, jobs, max_size, batch_docs, batch_seconds)
    entry = runlog.start_run(index_dir, "ingest", paths, _logged_options(rebuild, force, prune))
    try:
        try:
            run.blocked = read_blocklist(index_dir)
            run.go(paths)
            if prune:
                run.prune(paths)
        except KeyboardInterrupt:
            run.shutdown()
            _guard_write(index_dir, writer.commit)  # keep what was parsed before Ctrl-C
            raise
        run.shutdown()
        report.seconds = time.monotonic() - started
        last_run = {"counts": dict(report.counts), "seconds": round(report.seconds, 3)}
        if writer.is_rebuild and not force:
            _guard_write(index_dir, writer.commit)
            report.held_back = _hold_back_reason(writer, report)
        switch = report.held_back is None
        _guard_write(index_dir, lambda: writer.finish(last_run, switch=switch))
        status = "held back" if report.held_back else "partial" if report.failures else "ok"
        entry.finish(status, counts=report.counts, failures=report.failures, note=report.held_back)
    except KeyboardInterrupt:
        entry.finish("interrupted", counts=report.counts, failures=report.failures)
        raise
    except BaseException as exc:
        entry.finish("error", counts=report.counts, failures=report.failures, note=str(exc))
        raise
    finally:
        run.shutdown()
        writer.close()
    return report


def _logged_options(rebuild: bool, force: bool, prune: bool) -> dict[str, bool] | None:
    chosen = {"rebuild": rebuild, "force": force, "prune": prune}
    return {k: v for k, v in chosen.items() if v} or None


def _hold_back_reason(writer: IndexWriter, report: IngestReport) -> str | None:
    """Say why a rebuilt generation must not replace the live one, or None when it may."""
    if report.unread:
        noun = "input" if report.unread == 1 else "inputs"
        why = f"{report.unread:,} {noun} could not be read"
        advice = "fix or leave out those inputs and run it again (it resumes)"
    elif writer.doc_count() == 0 and writer.live_documents > 0:
        why = "the rebuilt index would have no articles"
        advice = "check the paths given"
    else:
        return None
    live = writer.live_documents
    return (
        f"rebuild not switched in ({why}): the old index ({live:,} "
        f"article{'s' if live != 1 else ''}) still serves; {advice}, or add --force to "
        "switch anyway"
    )


def _guard_write(index_dir: str, action: Callable[[], _T]) -> _T:
    try:
        return action()
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL or "disk is full" in str(exc):
            raise ArchiveError(
                f"disk full while writing the manifest of the index at {index_dir}; "
                "the last committed state is kept, free space and run ingest again"
            ) from None
        raise ArchiveError(
            f"the manifest of the index at {index_dir} cannot be used ({exc}); "
            "run `archive ingest --rebuild`"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise ArchiveError(
                f"disk full while writing the index at {index_dir}; "
                "the last committed state is kept, free space and run ingest again"
            ) from None
        raise ArchiveError(
            f"cannot write the index at {index_dir}: {exc.strerror or exc}"
        ) from None


class _Run:
    """One ingest run: the ordered pipeline between sources, workers and the writer."""

    def __init__(
        self,
        writer: IndexWriter,
        report: IngestReport,
        on_outcome: Callable[[Outcome], None],
        jobs: int,
        max_size: int,
        batch_docs: int,
        batch_seconds: float,
    ) -> None:
        self.writer = writer
        self.report = report
        self.on_outcome = on_outcome
        self.jobs = jobs
        self.max_size = max_size
        self.batch_docs = batch_docs
        self.batch_seconds = batch_seconds
        self.pool: ProcessPoolExecutor | None = None
        self.queue: deque[Outcome | DumpEnd | _Parsed] = deque()
        self.inflight_bytes = 0
        self.last_commit = time.monotonic()
        self.dump_keys: dict[str, set[str]] = {}
        self.dump_seen: dict[str, set[str]] = {}  # dumps read in full (or unchanged): members
        self.blocked = Blocklist()  # the index's list, read when the run starts

    # -- pipeline

    def go(self, paths: Iterable[str]) -> None:
        window = self.jobs * _INFLIGHT_PAGES_PER_JOB
        for item in self._items(paths):
            self.queue.append(item)
            self._drain(block=False)
            while len(self.queue) > window or self.inflight_bytes > _INFLIGHT_BYTES:
                self._drain(block=True)
        while self.queue:
            self._drain(block=True)

    def _items(self, paths: Iterable[str]) -> Iterator[Outcome | DumpEnd | _Parsed]:
        for item in iter_pages(
            paths,
            max_size=self.max_size,
            known=self._known,
            markers=True,
            exclude=[self.writer.index_dir],
        ):
            if isinstance(item, RawPage):
                yield self._triage(item)
            else:
                yield item

    def _known(self, source: str, size: int, mtime: float, is_dump: bool) -> list[Outcome] | None:
        path = os.path.abspath(source)
        if is_dump:
            if self.writer.dump_stat(path) != (size, mtime):
                return None
            prefix = len(path) + 1
            self.dump_seen[path] = set(self.writer.manifest.keys_of_source(path))
            return [
                self._replay(f"{source}!{rec.key[prefix:]}", rec)
                for rec in self.writer.pages_of_dump(path)
            ]
        rec = self.writer.page(path)
        if rec is None or rec.size != size or rec.mtime != mtime:
            return None
        return [self._replay(source, rec)]

    @staticmethod
    def _replay(location: str, rec: PageRecord) -> Outcome:
        if rec.status == "failed":
            return Outcome(location, "failed", reason=rec.reason)
        return Outcome(location, "unchanged", id=rec.doc_id)

    def _triage(self, page: RawPage) -> Outcome | _Parsed:
        """Decide from the bytes alone whether the page needs parsing."""
        writer = self.writer
        key = _location_key(page.source, page.member)
        if page.member is not None:
            self.dump_keys.setdefault(os.path.abspath(page.source), set()).add(key)
        digest = content_hash(page.data)
        mtime = page.mtime or 0.0
        previous = writer.page(key)
        blocked = self.blocked.by_content_hash(digest)
        if blocked is not None:
            return self._leave_out(page, key, previous, blocked)
        if previous is not None and previous.hash == digest:
            writer.record_page(_with_stat(previous, page.size, mtime))
            return self._replay(page.location, previous)
        same = writer.by_content_hash(digest)
        if same is not None and same.key == key and same.status == "indexed":
            # indexed by a run that died before its manifest commit: repair the manifest
            writer.record_page(_record(key, page, digest, same.doc_id, "indexed"))
            return Outcome(page.location, "unchanged", id=same.doc_id)
        if same is not None:
            status, reason = same.status, same.reason
            if status == "failed":
                writer.record_page(_record(key, page, digest, None, "failed", reason))
                return Outcome(page.location, "failed", reason=reason)
            if same.doc_id and writer.has_doc(same.doc_id):
                self._release_previous(previous, keep=same.doc_id, key=key)
                writer.record_page(_record(key, page, digest, same.doc_id, "duplicate"))
                return Outcome(page.location, "duplicate", id=same.doc_id)
        parsed = _Parsed(page, key, digest, previous)
        if self.jobs == 1:
            parsed.result = process_page(page)
        else:
            self.inflight_bytes += len(page.data)
            parsed.future = self._pool().submit(process_page, page)
        return parsed

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is None:
            self.pool = worker_pool(self.jobs, self.writer.lock.fd)
        return self.pool

    def _drain(self, block: bool) -> None:
        while self.queue:
            head = self.queue[0]
            if isinstance(head, _Parsed) and not head.done():
                if not block:
                    break
                head.get()
            self.queue.popleft()
            if isinstance(head, _Parsed):
                if head.future is not None:
                    self.inflight_bytes -= len(head.page.data)
                self._emit(self._store(head))
            elif isinstance(head, DumpEnd):
                self._end_dump(head)
            else:
                self._emit(head)
            self._maybe_commit()
            block = False

    def _emit(self, outcome: Outcome) -> None:
        self.report.record(outcome)
        if isinstance(outcome, UnreadInput):
            self.report.unread += 1
        self.on_outcome(outcome)

    def _maybe_commit(self, force: bool = False) -> None:
        writer = self.writer
        due = time.monotonic() - self.last_commit >= self.batch_seconds
        full = writer.pending_docs >= self.batch_docs or writer.pending >= 20 * self.batch_docs
        if writer.pending and (force or full or due):
            _guard_write(writer.index_dir, writer.commit)
            self.last_commit = time.monotonic()

    # -- decisions on parsed pages

    def _store(self, parsed: _Parsed) -> Outcome:
        writer = self.writer
        page, key, digest, previous = parsed.page, parsed.key, parsed.digest, parsed.previous
        status, value = parsed.get()
        if status == "failed":
            writer.record_page(_record(key, page, digest, None, "failed", str(value)))
            return Outcome(page.location, "failed", reason=str(value))
        fields: dict[str, Any] = value
        blocked = self.blocked.by_article(fields["id"], fields.get("text_hash"))
        if blocked is not None:
            return self._leave_out(page, key, previous, blocked)
        fields["content_hash"] = digest
        fields["source_key"] = key
        fields["source_path"] = key
        doc_id = fields["id"]
        existing = (
            doc_id if writer.has_doc(doc_id) else writer.doc_by_text_hash(fields["text_hash"])
        )
        mine = previous.doc_id if previous is not None and previous.status == "indexed" else None
        if mine is not None and existing in (None, mine):
            fields["id"] = mine  # same input, new content: update in place under its id
            writer.put(fields, replace=True)
            writer.record_page(_record(key, page, digest, mine, "indexed"))
            return Outcome(page.location, "updated", id=mine)
        if existing is not None:
            self._release_previous(previous, keep=existing, key=key)
            writer.record_page(_record(key, page, digest, existing, "duplicate"))
            return Outcome(page.location, "duplicate", id=existing)
        writer.put(fields, replace=False)
        writer.record_page(_record(key, page, digest, doc_id, "indexed"))
        return Outcome(page.location, "added", id=doc_id)

    def _leave_out(
        self, page: RawPage, key: str, previous: PageRecord | None, blocked: BlockedArticle
    ) -> Outcome:
        """A page on the deny list: no manifest row (so --unblock brings it back), no article."""
        writer = self.writer
        self._release_previous(previous, keep="", key=key)
        if writer.has_doc(blocked.id) and not writer.doc_referenced_elsewhere(blocked.id, key):
            writer.delete(blocked.id)  # left by a forget --block that was killed mid-way
        writer.forget_key(key)
        reason = "on the deny list (see `archive forget --list`)"
        return Outcome(page.location, "blocked", id=blocked.id, reason=reason)

    # -- prune

    def prune(self, paths: Iterable[str]) -> None:
        """Remove the articles whose input under `paths` no longer exists (see `ingest`)."""
        writer = self.writer
        _guard_write(writer.index_dir, writer.commit)  # the manifest as this run left it
        gone: dict[str, PageRecord] = {}
        docs: dict[str, str] = {}
        for path in paths:
            if not os.path.lexists(path):
                continue  # reported as unread: maybe an unmounted disk, never a reason to prune
            root = location_key(path)
            for record in writer.manifest.records_under(root):
                if self._is_gone(record.key, is_file=record.key == record.source):
                    gone[record.key] = record
            for doc_id, where in writer.docs_under(root):
                if self._is_gone(where, is_file=None):
                    docs.setdefault(doc_id, where)
        for record in gone.values():
            if record.doc_id and record.status != "failed":
                docs.setdefault(record.doc_id, record.key)
        for doc_id, where in docs.items():
            others = [r for r in writer.manifest.records_of_doc(doc_id) if r.key not in gone]
            if others:  # another input still gives it: keep it, filed under that input
                stored = writer.searcher.document(id=doc_id)
                if stored is not None and (stored.get("source_key") or where) == where:
                    _refile(writer, dict(stored), others[0])
                continue
            writer.delete(doc_id)
            self._emit(Outcome(where, "pruned", id=doc_id))
        for key in gone:
            writer.forget_key(key)

    def _is_gone(self, key: str, *, is_file: bool | None) -> bool:
        path, bang, member = key.partition("!")
        if is_file or not bang or not member:
            return not os.path.lexists(key)
        if not os.path.lexists(path):
            return True
        seen = self.dump_seen.get(path)
        return seen is not None and key not in seen  # a dump not read in full prunes nothing

    def _release_previous(self, previous: PageRecord | None, keep: str, key: str) -> None:
        """Delete the document an input used to give when it now gives another one."""
        if previous is None or previous.status != "indexed" or not previous.doc_id:
            return
        if previous.doc_id != keep and not self.writer.doc_referenced_elsewhere(
            previous.doc_id, key
        ):
            self.writer.delete(previous.doc_id)

    def _end_dump(self, end: DumpEnd) -> None:
        path = os.path.abspath(end.source)
        keys = self.dump_keys.pop(path, set())
        if end.complete:
            self.dump_seen[path] = set(keys)
            self.writer.forget_pages(path, keep=keys)
            self.writer.record_dump(path, end.size, end.mtime)

    def shutdown(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _record(
    key: str, page: RawPage, digest: str, doc_id: str | None, status: str, reason: str | None = None
) -> PageRecord:
    return PageRecord(
        key=key,
        source=os.path.abspath(page.source),
        size=page.size,
        mtime=page.mtime or 0.0,
        hash=digest,
        doc_id=doc_id,
        status=status,
        reason=reason,
    )


def _with_stat(rec: PageRecord, size: int, mtime: float) -> PageRecord:
    return PageRecord(
        rec.key, rec.source, size, mtime, rec.hash, rec.doc_id, rec.status, rec.reason
    )


def _refile(writer: IndexWriter, stored: dict[str, Any], record: PageRecord) -> None:
    """File a kept document under the input that still gives it (as `archive forget` does)."""
    from archive.stored import article_to_fields, fields_to_article

    fields = article_to_fields(fields_to_article(stored))
    fields["source"] = fields["source_path"] = fields["source_key"] = record.key
    fields["content_hash"] = record.hash
    writer.put(fields, replace=True)
