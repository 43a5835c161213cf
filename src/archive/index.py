"""Whoosh schema, analyzers, open/create, idempotent upsert.

Whoosh pickles the schema, analyzers included, into the index: the analyzer classes below live
at module level and must keep their import path (`archive.index.ArchiveTokenizer`), or old
indexes stop opening. Any change to the analysis chain that changes index terms bumps
SCHEMA_VERSION.
The field names are shared with archive.search: add fields, never rename them.
"""

from __future__ import annotations

# first: whoosh is imported through the fence, lean (whoosh_fence.import_whoosh)
from archive import whoosh_fence  # isort: skip

import fcntl
import io
import json
import os
import pickle
import struct
import time
from collections.abc import Iterable
from typing import Any

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from archive import engines, text
from archive.errors import (
    ArchiveError,
    IndexLockedError,
    IndexMissingError,
    SchemaVersionError,
    UsageError,
)
from archive.manifest import MANIFEST_FILE as MANIFEST_FILE
from archive.manifest import Manifest, PageRecord
from archive.safefs import (
    check_index_folder,
    check_no_link,
    fsync_dir,
    open_nofollow,
    read_bytes,
    write_json_atomic,
)
from archive.stored import (
    FEEDBACK_FIELD,
    WORDS_FIELD,
    article_to_fields,
    count_feedback_terms,
    encode_feedback_terms,
)
from archive.stored import location_key as location_key
from archive.stored import now_iso as _now_iso

# 2: author_key (names across scripts); 3: source_path (--source, source:); 4: lang "ar" apart
# from "fa" and stored text with the page's own letters (an older index labels Arabic pages
# "fa" and stores ي/ك folded to ی/ک, so `--lang ar` could not find them)
# 5: url_key, alternates and author_ids (versions of one article across languages; one
# author through versions and author pages)
# 6: words (the article's words as one field without positions: the postings the ranking reads)
# and feedback_terms
# 7: a detached derivational prefix joined to its word (کم آبی -> کمابی, text.COMPOUND_PREFIXES)
# 8: words_length, the exact length of words, in an experiment (662ece0) undone the next commit;
# not used again, so that an index of that commit says to rebuild
# 9: the Arabic plural ات of a noun in ه stems to that noun (مسابقات -> مسابقه), ات after a plural
# (انتخابات‌های -> انتخاب), loans in -at kept (دیپلمات)
SCHEMA_VERSION = 9


class ArchiveTokenizer(Tokenizer):
    """Whoosh tokenizer over `archive.text.iter_terms` (the whole bilingual chain)."""

    names = False

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def _terms(self, value: str) -> Any:
        return text.iter_name_terms(value) if self.names else text.iter_terms(value)

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Any:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            # Prefix/wildcard/fuzzy query text: fold it like a term but keep it whole.
            token.original = value
            token.text = text.normalize(value).lower()
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        for term in self._terms(value):
            token.text = term.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[term.start : term.end]
            if positions:
                token.pos = start_pos + term.pos
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token


class NameTokenizer(ArchiveTokenizer):
    """Tokenizer for author names: letter folding and lowercase only (no stopwords or stems)."""

    names = True


def build_schema() -> Schema:
    """Return the index schema (field names are shared with archive.search)."""
    text_analyzer = ArchiveTokenizer()
    name_analyzer = NameTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        url=ID(stored=True),
        source=STORED(),  # RawPage.location of the first input that gave this article
        site=ID(stored=True),  # lowercased host without "www.", or publisher name
        lang=ID(stored=True),
        title=TEXT(analyzer=text_analyzer, stored=True, phrase=True),
        summary=TEXT(analyzer=text_analyzer, stored=True, phrase=True),
        body=TEXT(analyzer=text_analyzer, stored=True, phrase=True),
        author=TEXT(analyzer=name_analyzer, phrase=True),  # all authors, one per line
        authors=STORED(),  # list[str] as displayed
        # names.author_terms: "KEY|name as written" per author, for --author across scripts
        author_key=KEYWORD(commas=True),
        date=NUMERIC(int, bits=32, stored=True, sortable=True, signed=False),  # yyyymmdd, 0 = none
        date_jalali=STORED(),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        content_hash=KEYWORD(stored=True, commas=True),  # hash of the raw input giving this doc
        source_key=STORED(),  # that input's manifest key (absolute location)
        source_path=ID(),  # the same absolute location, indexed: --source and source:
        text_hash=ID(stored=True),  # hash of normalised title+body, for duplicates
        warnings=STORED(),
        encoding=STORED(),
        indexed_at=STORED(),
        # versions.url_key of the url, and of each hreflang alternate: archive.search.versions
        url_key=ID(),
        alternates=KEYWORD(commas=True),
        alternate_urls=STORED(),  # list[str]: those alternates as the page gave them
        # versions.author_page_terms: "author page URL key|name as written", per author page
        author_ids=KEYWORD(commas=True),
        author_pages=STORED(),  # [[name, url], ...] as the page gave them
        # stored.FEEDBACK_FIELD: the term counts RM3 feedback reads
        feedback_terms=STORED(),
        # WORDS_FIELD: the terms of title (twice), summary and body as one field, counts only
        # (no positions): the postings search/bm25.py scores the article's words from
        words=TEXT(analyzer=text_analyzer, phrase=False),
    )


# --- Index folder layout -------------------------------------------------------------------
#
#   INDEX/archive-meta.json   schema version, live generation, created/last_ingest, counts
#   INDEX/ingest.lock         flock'ed by the running ingest; holds its pid, host, start time
#   INDEX/gen-<id>/           one whoosh index ("generation") + manifest.sqlite
#
# Readers go through the meta file to the live generation. `--rebuild` fills a new generation
# while the old one keeps serving, then switches the meta file atomically (os.replace).

META_FILE = "archive-meta.json"
LOCK_FILE = "ingest.lock"
GENERATION_PREFIX = "gen-"

_TEXT_FIELDS = ("title", "summary", "body")
# WORDS_FIELD (stored.py): one BM25 over the article's words reads one postings list per word
# from it instead of one per text field (a third of the term lookups per segment), and without
# positions: whoosh unpickles a block's positions with its postings, three quarters of the
# cost of reading them.
WRITER_LIMIT_MB = 48

# --- Merging segments ----------------------------------------------------------------------
#
# Each commit writes one new segment, and some commits merge older ones into it. In whoosh a
# merge costs more per document than indexing it (bench/README.md, "Growth": 15 ms against 12
# at 20,000 articles): every term of every merged segment is read through its own posting
# matcher. So the cost of ingest per page steps up at each merge, and the policy that merges
# least wins: whoosh's MERGE_SMALL choice (about 0.85 rewrites per document up to 100,000
# articles, 2.3 at a million; up to ~20 segments) over Lucene's log merge policy (`plan_merge`,
# merge factor 10: log10(N / 1000) rewrites per document, 1 at 10,000, 2 at 100,000; at most
# nine segments per level). Either way our merge streams the segments' postings, already
# sorted, through a heap merge into the new segment (as whoosh's multiprocessing writer joins
# its sub-segments) instead of re-sorting them in the posting pool, and the posting writer
# reads document lengths from memory (the writer and its whoosh internals: whoosh_fence.py).
# Block by block, with stored fields copied as bytes, a merged article costs about a seventh
# of indexing one (0.75 ms against 5.5, bench/README.md "Cheaper merges"); MERGE_SMALL still
# rewrites the fewest a bounded segment count allows, so it stays the default.

MERGE_FACTOR = 10
MERGE_MIN_DOCS = 1000  # segments smaller than this all count as level 0
MERGE_DELETED_SHARE = 0.5  # a segment with more deleted documents than this is rewritten
# "small" (whoosh's choice of segments, plan_merge_small, merged by our streaming merge),
# "log" (plan_merge), or "whoosh" (whoosh's own writer and merge; bench/scale.py compares them)
MERGE_POLICY = "small"


def merge_level(live_docs: int) -> int:
    """Return the merge level of a segment with `live_docs` live documents."""
    level = 0
    size = MERGE_MIN_DOCS * MERGE_FACTOR
    while live_docs >= size:
        level += 1
        size *= MERGE_FACTOR
    return level


def plan_merge(existing: list[tuple[int, int]], new_docs: int) -> list[int]:
    """Return the indexes of the `existing` segments to merge into the one being committed.

    `existing`: (live documents, deleted documents) per segment; `new_docs`: documents the
    commit adds. Segments mostly deleted are always merged (their space is reclaimed). Then,
    level by level from the new segment's own, the level's segments join it while there are
    at least MERGE_FACTOR of them counting it (a cascade: the merged segment may fill the next
    level). A commit that adds nothing merges only to reclaim deletions.
    """
    chosen = [
        i
        for i, (live, deleted) in enumerate(existing)
        if deleted and deleted > MERGE_DELETED_SHARE * (live + deleted)
    ]
    size = new_docs + sum(existing[i][0] for i in chosen)
    if size == 0:
        return chosen
    while True:
        level = merge_level(size)
        peers = [
            i for i, (live, _) in enumerate(existing)
            if i not in chosen and merge_level(live) == level
        ]  # fmt: skip
        if len(peers) + 1 < MERGE_FACTOR:
            return sorted(chosen)
        chosen += peers
        size += sum(existing[i][0] for i in peers)


def plan_merge_small(sizes: list[int]) -> list[int]:
    """Whoosh's MERGE_SMALL choice (all documents counted): the indexes of the segments to merge.

    The smallest segments, in ascending size, up to the first point (past the fifth) where
    their sum stays under a Fibonacci bound: it lets up to about twenty segments gather and
    merges less often than the log policy.
    """
    from whoosh.util import fib

    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    total = 0
    for rank, i in enumerate(order):
        total += max(sizes[i], 0)
        if rank > 3 and total < fib(rank + 5):
            return sorted(order[: rank + 1])
    return []


def _choose_merges(segments: list[Any], new_docs: int) -> set[int]:
    """The indexes of the `segments` to merge into the one being committed (MERGE_POLICY)."""
    if MERGE_POLICY == "small":
        return set(plan_merge_small([s.doc_count_all() for s in segments]))
    return set(plan_merge([(s.doc_count(), s.deleted_count()) for s in segments], new_docs))


def _has_whoosh_files(folder: str) -> bool:
    try:
        return any(name.endswith(".toc") for name in os.listdir(folder))
    except OSError:
        return False


def read_meta(index_dir: str) -> dict[str, Any]:
    """Return the index's metadata: schema_version, created, last_ingest (ISO), counts.

    Keys: schema_version, archive_version, generation, created, last_ingest, documents,
    languages ({"en": n, "fa": n, "ar": n}), sources (inputs recorded in the manifest), size_bytes,
    last_run ({"counts": {...}, "seconds": s}); "rebuilding" while a --rebuild is unfinished.

    Raises:
        IndexMissingError: no index at `index_dir`.
        SchemaVersionError: the metadata is damaged or belongs to an index without versioning.
    """
    path = os.path.join(index_dir, META_FILE)
    try:
        raw = read_bytes(path)
    except FileNotFoundError:
        if _has_whoosh_files(index_dir):
            raise SchemaVersionError(
                f"the index at {index_dir} was built by an older version of archive; "
                "run `archive ingest --rebuild`"
            ) from None
        raise IndexMissingError(f"no index at {index_dir}; run `archive ingest` first") from None
    except NotADirectoryError:
        raise IndexMissingError(f"no index at {index_dir} (not a folder)") from None
    except OSError as exc:
        raise ArchiveError(f"cannot read the index metadata {path}: {exc.strerror}") from None
    try:
        meta = json.loads(raw.decode("utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("not an object")
    except ValueError:
        raise SchemaVersionError(
            f"the index metadata {path} is damaged; run `archive ingest --rebuild`"
        ) from None
    return meta


def _check_version(meta: dict[str, Any], index_dir: str) -> None:
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        raise SchemaVersionError(
            f"the index at {index_dir} has schema version {version}, this archive needs "
            f"{SCHEMA_VERSION}; run `archive ingest --rebuild`"
        )


def _generation_path(index_dir: str, name: Any) -> str:
    if not isinstance(name, str) or not name.startswith(GENERATION_PREFIX) or "/" in name:
        raise SchemaVersionError(
            f"the index metadata in {index_dir} names no valid generation; "
            "run `archive ingest --rebuild`"
        )
    return os.path.join(index_dir, name)


# Whoosh unpickles segment lists (and, without our schema, analyzers) when it opens an index:
# any of these from an old or damaged index means "rebuild", never a traceback.
_OPEN_ERRORS = (
    pickle.UnpicklingError,
    AttributeError,
    ImportError,
    EOFError,
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    AssertionError,
    struct.error,
)


def open_index(index_dir: str, *, mmap: bool = True) -> Any:
    """Open the index at `index_dir` for reading (a whoosh Index).

    `mmap=False` reads the segment files through ordinary reads: a pass over every article
    (`export`) then keeps its resident memory flat instead of mapping the whole index in.

    Raises:
        IndexMissingError: no index there ("no index at DIR; run `archive ingest` first").
        SchemaVersionError: built by an incompatible version ("... run `archive ingest --rebuild`").
    """
    meta = read_meta(index_dir)
    _check_version(meta, index_dir)
    return _open_generation(
        index_dir,
        _generation_path(index_dir, meta.get("generation")),
        mmap=mmap,
        engine=engines.engine_of(meta),
    )


def _open_generation(
    index_dir: str,
    gen_dir: str,
    *,
    readonly: bool = True,
    mmap: bool = True,
    engine: str = engines.DEFAULT_ENGINE,
) -> Any:
    if engine != "whoosh":
        engines.check_engine(engine)
        from archive.engines import tantivy as tantivy_engine

        return tantivy_engine.open_generation(index_dir, gen_dir)
    whoosh_fence.import_whoosh_reading()
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import EmptyIndexError

    check_no_link(gen_dir, folder=True)
    if not os.path.isdir(gen_dir):
        raise IndexMissingError(
            f"the index at {index_dir} is incomplete (missing {os.path.basename(gen_dir)}); "
            "run `archive ingest --rebuild`"
        )
    storage = (
        FileStorage(gen_dir, readonly=readonly, supports_mmap=mmap)
        if readonly
        else _DurableStorage(gen_dir)
    )
    try:
        # Passing our schema keeps whoosh from unpickling the stored one.
        return storage.open_index(schema=build_schema())
    except EmptyIndexError:
        raise IndexMissingError(
            f"the index at {index_dir} is empty or incomplete; run `archive ingest --rebuild`"
        ) from None
    except _OPEN_ERRORS as exc:
        raise SchemaVersionError(
            f"the index at {index_dir} cannot be read ({type(exc).__name__}); "
            "run `archive ingest --rebuild`"
        ) from None
    except OSError as exc:
        raise ArchiveError(f"cannot read the index at {index_dir}: {exc.strerror}") from None


# --- Field mapping: archive.stored (article_to_fields, fields_to_article) ---------------


def preanalyze_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Run the analysis of the text fields now (in a worker process), not in the writer.

    Whoosh indexes a list of strings as ready-made tokens at consecutive positions, and
    `_stored_<name>` keeps the original text as the stored value; the index terms are the same
    as when whoosh runs ArchiveTokenizer itself. From the same terms: WORDS_FIELD and the
    feedback term counts (stored.FEEDBACK_FIELD).
    """
    out = dict(fields)
    analysed: dict[str, list[text.Term]] = {}
    for name, terms_of in (
        *((n, text.iter_terms) for n in _TEXT_FIELDS),
        ("author", text.iter_name_terms),
    ):
        value = fields.get(name)
        if not value or not isinstance(value, str):
            continue
        terms = analysed[name] = list(terms_of(value))
        if any(term.pos != i for i, term in enumerate(terms)):
            continue  # positions with gaps: let whoosh analyse the string itself
        out[name] = [term.text for term in terms]
        if name != "author":
            out[f"_stored_{name}"] = value
    title, summary, body = (
        [term.text for term in analysed.get(name, ())] for name in _TEXT_FIELDS
    )
    out[WORDS_FIELD] = title + title + summary + body  # bm25.FIELD_WEIGHTS: the title twice
    counts = count_feedback_terms(*(analysed.get(name, ()) for name in _TEXT_FIELDS))
    out[FEEDBACK_FIELD] = encode_feedback_terms(counts)
    return out


def _analysed(fields: dict[str, Any]) -> dict[str, Any]:
    """Return `fields` pre-analysed (`preanalyze_fields`) unless they already are."""
    return fields if WORDS_FIELD in fields else preanalyze_fields(fields)


# --- Writing -------------------------------------------------------------------------------


class _FsyncWriter(io.BufferedWriter):
    """A file that reaches the disk before it is closed, so whoosh's TOC rename comes after."""

    def close(self) -> None:
        if not self.closed:
            self.flush()
            os.fsync(self.fileno())
        super().close()


def _durable_storage_class() -> Any:
    from whoosh.filedb.filestore import FileStorage
    from whoosh.filedb.structfile import StructFile

    class DurableStorage(FileStorage):  # type: ignore[misc]
        def create_file(
            self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any
        ) -> Any:
            if excl or mode != "wb":
                return super().create_file(name, excl=excl, mode=mode, **kwargs)
            fd = open_nofollow(
                whoosh_fence.storage_path(self, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC
            )
            fileobj = _FsyncWriter(io.FileIO(fd, "wb"))
            return StructFile(fileobj, name=name, **kwargs)

        def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
            super().rename_file(oldname, newname, safe=safe)
            fsync_dir(self.folder)

    return DurableStorage


def _DurableStorage(folder: str) -> Any:  # noqa: N802 - behaves as a class
    # No mmap for the writer: merges touch every page of the segments they read, and mapped
    # pages count in the ingest's resident memory (18k docs: 763 MiB peak with mmap, 108 without).
    return _durable_storage_class()(folder, supports_mmap=False)


class IndexLock:
    """The ingest write lock: an flock on INDEX/ingest.lock, released by the kernel on death.

    The file holds the holder's pid, host and start time for the message a second ingest gets.
    A file left non-empty by a killed process is not a lock (nobody holds the flock): the next
    ingest takes it over and `stale` tells what it recovered.
    """

    def __init__(self, index_dir: str) -> None:
        self.index_dir = index_dir
        self.path = os.path.join(index_dir, LOCK_FILE)
        self.fd: int | None = None
        self.stale: dict[str, Any] | None = None

    def acquire(self, wait: float = 0.0) -> None:
        try:
            check_index_folder(self.index_dir)
            os.makedirs(self.index_dir, exist_ok=True)
            fd = open_nofollow(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ArchiveError(
                f"cannot create the index folder {self.index_dir}: {exc.strerror}"
            ) from None
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    os.close(fd)
                    raise IndexLockedError(
                        f"the index at {self.index_dir} is being written by another ingest "
                        f"({_describe_holder(holder)}); wait for it to finish"
                    ) from None
                time.sleep(0.1)
        self.stale = _read_holder(fd) or None
        import socket  # here: only writers take the lock, and a query need not import it

        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": _now_iso()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self.fd = fd

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)
        except OSError:
            pass
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None


def _read_holder(fd: int) -> dict[str, Any]:
    try:
        raw = os.pread(fd, 4096, 0)
        holder = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        return holder if isinstance(holder, dict) else {}
    except (OSError, ValueError):
        return {}


def _describe_holder(holder: dict[str, Any]) -> str:
    if not holder:
        return "holder unknown"
    return (
        f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
        f"started {holder.get('started', '?')}"
    )


class IndexWriter:
    """Batched, crash-safe writing of documents plus the manifest of inputs.

    Order of a commit: whoosh segment files and TOC (fsynced), then the manifest (sqlite
    transaction), then the meta file. The manifest is a cache in front of the index: after a
    crash between the two it may miss rows, which the next ingest repairs from the
    `content_hash` stored in the documents. Holds the ingest lock from open to close.
    """

    def __init__(
        self,
        index_dir: str,
        *,
        rebuild: bool = False,
        lock_wait: float = 0.0,
        engine: str | None = None,
    ) -> None:
        """`engine`: of a new or rebuilt index (None: the existing index's, else whoosh)."""
        self.index_dir = index_dir
        if engine is not None:
            engines.check_engine(engine)
        self.engine = engine or engines.DEFAULT_ENGINE
        self.lock = IndexLock(index_dir)
        self.lock.acquire(lock_wait)
        self._docs: dict[str, tuple[dict[str, Any], bool]] = {}
        self._deletes: set[str] = set()
        self._pages: dict[str, PageRecord] = {}
        self._dumps: dict[str, tuple[int, float]] = {}
        self._forget: set[str] = set()
        self._by_text: dict[str, str] = {}
        self._by_hash: dict[str, PageRecord] = {}
        # the lookup terms (id, text_hash, content_hash) of every document this writer queued,
        # and the segments that hold only such documents: see _stored
        self._keys = KeyFilter()
        self._covered: set[str] = set()
        # the lookup terms of every segment, built once the lookups that ask segments this
        # writer did not write have cost about what building it costs: see _stored
        self._all_keys: KeyFilter | None = None
        self._probes = 0
        self._leaf_cache: list[tuple[Any, bool]] | None = None
        self.committed_docs = 0
        try:
            self._open(rebuild, engine is not None)
        except BaseException:
            self.lock.release()
            raise

    # -- opening

    def _choose_engine(self, meta: dict[str, Any] | None, rebuild: bool, requested: bool) -> None:
        current = engines.engine_of(meta) if meta is not None else None
        if current is not None and not requested:
            self.engine = current  # an index keeps the engine it was created with
        elif current is not None and current != self.engine and not rebuild:
            raise UsageError(
                f"the index at {self.index_dir} uses the {current} engine; "
                f"add --rebuild to convert it to {self.engine}"
            )
        engines.check_engine(self.engine)

    def _open(self, rebuild: bool, requested: bool = False) -> None:
        try:
            meta: dict[str, Any] | None = read_meta(self.index_dir)
        except IndexMissingError:
            meta = None
        except SchemaVersionError:
            if not rebuild:
                raise
            meta = None
        if meta is not None and not rebuild:
            _check_version(meta, self.index_dir)
        self._choose_engine(meta, rebuild, requested)
        self.old_meta = meta
        self.switch_to: str | None = None
        if meta is not None and not rebuild:
            self.meta = meta
            name = meta.get("generation")
            self.gen_dir = _generation_path(self.index_dir, name)
        else:
            self.meta = self._fresh_meta(meta)
            pending = (meta or {}).get("rebuilding") or {}
            name = pending.get("generation")
            if (
                rebuild
                and pending.get("schema_version") == SCHEMA_VERSION
                and pending.get("engine", engines.DEFAULT_ENGINE) == self.engine
                and isinstance(name, str)
                and name.startswith(GENERATION_PREFIX)
                and os.path.isdir(os.path.join(self.index_dir, name))
            ):
                pass  # resume the interrupted rebuild: its manifest makes it incremental
            else:
                if isinstance(name, str) and name.startswith(GENERATION_PREFIX):
                    import shutil  # here: it imports bz2 and lzma, which a query never needs

                    shutil.rmtree(os.path.join(self.index_dir, name), ignore_errors=True)
                name = f"{GENERATION_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{os.urandom(4).hex()}"
                self._create_generation(os.path.join(self.index_dir, name))
            self.gen_dir = os.path.join(self.index_dir, name)
            if meta is None:
                self.meta["generation"] = name
            else:
                self.switch_to = name
                meta["rebuilding"] = {
                    "generation": name,
                    "schema_version": SCHEMA_VERSION,
                    "engine": self.engine,
                }
                write_json_atomic(self._meta_path, meta)
            if meta is None:
                write_json_atomic(self._meta_path, self.meta)
        self.ix = _open_generation(
            self.index_dir, self.gen_dir, readonly=False, engine=self.engine
        )
        self.manifest = Manifest.open(self.gen_dir)
        self.searcher = self.ix.searcher()

    @property
    def _meta_path(self) -> str:
        return os.path.join(self.index_dir, META_FILE)

    def _fresh_meta(self, old: dict[str, Any] | None) -> dict[str, Any]:
        from archive import __version__

        return {
            "schema_version": SCHEMA_VERSION,
            "archive_version": __version__,
            "engine": self.engine,
            "generation": None,
            "created": _now_iso(),
            "last_ingest": None,
            "documents": 0,
            "languages": {},
            "sources": 0,
            "size_bytes": 0,
        }

    def _create_generation(self, gen_dir: str) -> None:
        check_no_link(gen_dir, folder=True)
        if self.engine != "whoosh":
            from archive.engines import tantivy as tantivy_engine

            tantivy_engine.create_generation(gen_dir)
            fsync_dir(gen_dir)
            return
        os.makedirs(gen_dir, exist_ok=True)
        _DurableStorage(gen_dir).create_index(build_schema())
        fsync_dir(gen_dir)

    # -- lookups (committed state plus this batch)

    def page(self, key: str) -> PageRecord | None:
        if key in self._pages:
            return self._pages[key]
        return self.manifest.lookup(key)

    def pages_of_dump(self, path: str) -> list[PageRecord]:
        return self.manifest.pages_of_source(path)

    def dump_stat(self, path: str) -> tuple[int, float] | None:
        return self.manifest.dump_stat(path)

    def by_content_hash(self, digest: str) -> PageRecord | None:
        """Return a manifest record of an input with exactly these bytes, if any."""
        if digest in self._by_hash:
            return self._by_hash[digest]
        record = self.manifest.by_hash(digest)
        if record is not None:
            return record
        doc = self._stored(content_hash=digest)
        if doc:  # committed to whoosh, not yet to the manifest (crash between the two)
            key = doc.get("source_key") or ""
            return PageRecord(key, key.split("!", 1)[0], 0, 0.0, digest, doc["id"], "indexed")
        return None

    def doc_by_text_hash(self, digest: str) -> str | None:
        if digest in self._by_text:
            return self._by_text[digest]
        doc = self._stored(text_hash=digest)
        return doc["id"] if doc else None

    def has_doc(self, doc_id: str) -> bool:
        if doc_id in self._docs:
            return True
        return doc_id not in self._deletes and self._stored(id=doc_id) is not None

    def _stored(self, **term: str) -> dict[str, Any] | None:
        """The stored fields of the first committed document with this term, if not deleted.

        Per segment: a segment written by this writer is asked only when the key filter says
        the term may be in it (a new page's lookups then cost the same at any archive size);
        any other segment through its term table (one hash lookup, about 12 us: 0.6 ms a new
        page on 16 segments), its postings only on a hit. Once those lookups have cost about
        what reading every segment's lookup terms costs (`_PROBES_PER_DOC` a document), the
        terms go into a key filter (`_all_keys`), and a term in neither filter is in no segment.
        """
        if self.engine != "whoosh":
            found = self.searcher.document(**term)
            if found is None or found.get("id") in self._deletes:
                return None
            return dict(found)
        ((fieldname, value),) = term.items()
        key = (fieldname, value)
        maybe_new = key in self._keys
        if not maybe_new and self._all_keys is not None and key not in self._all_keys:
            return None  # every segment holds old documents (in _all_keys) or new (in _keys)
        btext: bytes | None = None
        probed = False  # a segment not this writer's asked, while there is no _all_keys
        for reader, covered in self._leaves():
            if covered and not maybe_new:
                continue
            if btext is None:  # reader.schema: the index's own re-reads its TOC
                btext = reader.schema[fieldname].to_bytes(value)
            if not covered and self._all_keys is None:
                self._probes += 1
                probed = True
            if (fieldname, btext) not in reader:
                continue
            for docnum in reader.postings(fieldname, btext).all_ids():
                doc = reader.stored_fields(docnum)
                if doc.get("id") in self._deletes:
                    return None
                return dict(doc)
        if probed and self._probes > _PROBES_PER_DOC * self.searcher.doc_count_all():
            self._all_keys = self._segment_keys()
        return None

    def _segment_keys(self) -> KeyFilter:
        """A key filter of the lookup terms (`LOOKUP_FIELDS`) of every committed segment."""
        keys = KeyFilter()
        for reader, _covered in self._leaves():
            for fieldname in LOOKUP_FIELDS:
                if fieldname in reader.schema:
                    for btext in reader.lexicon(fieldname):
                        keys.add((fieldname, btext.decode("utf-8")))
        return keys

    def _leaves(self) -> list[tuple[Any, bool]]:
        """(segment reader, written by this writer) of the committed segments, oldest first."""
        if self._leaf_cache is None:
            reader = self.searcher.reader()
            self._leaf_cache = [
                (leaf, _segment_id(leaf) in self._covered) for leaf, _base in reader.leaf_readers()
            ]
        return self._leaf_cache

    def doc_referenced_elsewhere(self, doc_id: str, key: str) -> bool:
        if any(r.doc_id == doc_id and r.key != key for r in self._pages.values()):
            return True
        return self.manifest.is_referenced(doc_id, except_key=key)

    # -- changes (applied at the next commit)

    def put(self, fields: dict[str, Any], *, replace: bool = True) -> None:
        """Queue a document (fields from article_to_fields, maybe pre-analysed)."""
        fields = _analysed(fields)
        doc_id = fields["id"]
        # a committed copy may still exist when the id was deleted earlier in this batch
        replace = replace or doc_id in self._docs or doc_id in self._deletes
        self._deletes.discard(doc_id)
        self._docs[doc_id] = (fields, replace)
        self._keys.add(("id", doc_id))
        if fields.get("text_hash"):
            self._by_text[fields["text_hash"]] = doc_id
            self._keys.add(("text_hash", fields["text_hash"]))
        for digest in str(fields.get("content_hash") or "").split(","):
            if digest:
                self._keys.add(("content_hash", digest))

    def delete(self, doc_id: str) -> None:
        self._docs.pop(doc_id, None)
        self._deletes.add(doc_id)
        for k in [k for k, v in self._by_text.items() if v == doc_id]:
            del self._by_text[k]

    def record_page(self, record: PageRecord) -> None:
        self._pages[record.key] = record
        self._by_hash.setdefault(record.hash, record)

    def record_dump(self, path: str, size: int, mtime: float) -> None:
        self._dumps[path] = (size, mtime)

    def forget_key(self, key: str) -> None:
        """Drop the manifest row of one input location at the next commit."""
        self._pages.pop(key, None)
        self._forget.add(key)

    def docs_under(self, key: str) -> list[tuple[str, str]]:
        """Return (id, absolute location) of the committed documents filed at or below `key`."""
        from whoosh import query as wq

        head = key.rstrip("/") or "/"
        parts = [wq.Term("source_path", head), wq.Prefix("source_path", head.rstrip("/") + "/")]
        if "!" not in head:
            parts.append(wq.Prefix("source_path", head + "!"))
        found = []
        for docnum in self.searcher.docs_for_query(wq.Or(parts)):
            stored = self.searcher.stored_fields(docnum)
            if stored.get("id") not in self._deletes:
                where = stored.get("source_key") or location_key(stored.get("source") or "")
                found.append((str(stored["id"]), str(where)))
        return found

    def forget_pages(self, source: str, keep: set[str]) -> None:
        """Drop manifest rows of a dump's members that its latest reading no longer holds."""
        self._forget.update(k for k in self.manifest.keys_of_source(source) if k not in keep)

    @property
    def pending_docs(self) -> int:
        return len(self._docs) + len(self._deletes)

    @property
    def pending(self) -> int:
        return len(self._docs) + len(self._deletes) + len(self._pages) + len(self._dumps)

    def commit(self) -> None:
        """Make everything queued durable: whoosh first, then the manifest, then the meta."""
        before: dict[str | None, bool] | None = None  # whoosh's segments, for _track_segments
        if (self._docs or self._deletes) and self.engine != "whoosh":
            self.ix.write(list(self._deletes), list(self._docs.values()))
            self.committed_docs += len(self._docs)
            fsync_dir(self.gen_dir)
        elif self._docs or self._deletes:
            # limitmb bounds the posting pool of a batch and of the merges the commit runs
            # (the main process's peak memory); beyond it whoosh spills sorted runs to disk.
            if MERGE_POLICY == "whoosh":
                writer = self.ix.writer(limitmb=WRITER_LIMIT_MB)
            else:
                writer = whoosh_fence.merging_writer(self.ix, WRITER_LIMIT_MB, _choose_merges)
            before = {_segment_id(leaf): covered for leaf, covered in self._leaves()}
            try:
                for doc_id in self._deletes:
                    writer.delete_by_term("id", doc_id)
                for fields, replace in self._docs.values():
                    if replace:
                        writer.update_document(**fields)
                    else:
                        writer.add_document(**fields)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            self.committed_docs += len(self._docs)
            fsync_dir(self.gen_dir)
        if self._pages or self._dumps or self._forget:
            self.manifest.record(self._pages.values(), dumps=self._dumps, forget=self._forget)
        changed = bool(self._docs or self._deletes)
        self._docs.clear()
        self._deletes.clear()
        self._pages.clear()
        self._dumps.clear()
        self._forget.clear()
        self._by_text.clear()
        self._by_hash.clear()
        if changed:
            # Searcher.refresh() fails on a reader of an empty index (whoosh bug): reopen.
            self.searcher.close()
            self.searcher = self.ix.searcher()
            self._leaf_cache = None
            if before is not None:
                self._track_segments(before)
            if self.switch_to is None:
                self.meta["documents"] = self.searcher.doc_count()
                self.meta["last_ingest"] = _now_iso()
                write_json_atomic(self._meta_path, self.meta)

    def _track_segments(self, before: dict[str | None, bool]) -> None:
        """After a commit: which segments hold only documents this writer wrote.

        The commit's new segment holds the batch plus the segments it merged: it is this
        writer's own when every merged segment was (a segment gone from the list was merged).
        """
        after = [_segment_id(leaf) for leaf, _base in self.searcher.reader().leaf_readers()]
        # (None: the empty reader of an index without segments yet)
        merged_own = all(
            covered for seg, covered in before.items() if seg is not None and seg not in after
        )
        self._covered = {
            seg for seg in after if before.get(seg, merged_own) and seg is not None
        }

    @property
    def is_rebuild(self) -> bool:
        """True while this writer fills a new generation beside a live one."""
        return self.switch_to is not None

    @property
    def live_documents(self) -> int:
        """Documents in the generation that serves queries now (the old one during a rebuild)."""
        count = (self.old_meta or {}).get("documents") if self.is_rebuild else None
        if count is None:
            return int(self.searcher.doc_count())
        return count if isinstance(count, int) else 0

    def doc_count(self) -> int:
        """Documents committed to the generation being written."""
        return int(self.searcher.doc_count())

    def finish(
        self, last_run: dict[str, Any] | None = None, *, switch: bool = True
    ) -> dict[str, Any]:
        """Commit, record the counts, switch a rebuilt generation live; return the meta.

        With `switch=False` a rebuilt generation is committed but not switched in: the old one
        keeps serving, and the next `--rebuild` resumes the new one from its manifest.
        """
        self.commit()
        if self.switch_to is not None and not switch:
            return dict(self.meta)
        from whoosh.query import Term

        searcher = self.searcher
        languages = {}
        for lang in sorted({v.decode() for v in searcher.lexicon("lang")}):
            count = sum(1 for _ in searcher.docs_for_query(Term("lang", lang)))
            if count:
                languages[lang] = count
        meta = self.meta
        meta["documents"] = searcher.doc_count()
        meta["languages"] = languages
        meta["sources"] = self.manifest.count()
        meta["size_bytes"] = _folder_size(self.gen_dir)
        meta["last_ingest"] = _now_iso()
        if last_run is not None:
            meta["last_run"] = last_run
        if self.switch_to is not None:
            meta["generation"] = self.switch_to
            meta.pop("rebuilding", None)
        write_json_atomic(self._meta_path, meta)
        if self.switch_to is not None and self.old_meta is not None:
            old = self.old_meta.get("generation")
            if isinstance(old, str) and old.startswith(GENERATION_PREFIX) and old != self.switch_to:
                import shutil

                shutil.rmtree(os.path.join(self.index_dir, old), ignore_errors=True)
            self.switch_to = None
        return dict(meta)

    def close(self) -> None:
        """Release the searcher, the manifest and the lock; uncommitted changes are dropped."""
        try:
            self.searcher.close()
            self.manifest.close()
            if self.engine != "whoosh":
                self.ix.close()
        finally:
            self.lock.release()

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _segment_id(reader: Any) -> str | None:
    segment = reader.segment()
    return None if segment is None else str(segment.segment_id())


# The fields ingest's per-page lookups ask (IndexWriter.has_doc, doc_by_text_hash,
# by_content_hash), and the probes of segments not the writer's own, per committed document,
# after which their terms are read into a key filter: a probe costs about 12 us (a new page's
# three lookups on 16 such segments 0.43-0.62 ms), reading the terms about 11 us a document
# (43 ms for 4,000), so the filter is built when the probes have cost what it costs
LOOKUP_FIELDS = ("id", "text_hash", "content_hash")
_PROBES_PER_DOC = 1


class KeyFilter:
    """A Bloom filter of (field, value) keys: `in` is False for every key never added.

    Fixed size (2 MiB, 4 probes): under 1 false positive in 10,000 up to 300,000 keys
    (100,000 documents), about 7 in 100 at 3 million; a false positive costs only the exact
    lookup the filter saves. Python's str hash, so valid within one process only.
    """

    BITS = 1 << 24
    PROBES = 4

    def __init__(self) -> None:
        self._bits = bytearray(self.BITS // 8)

    def _probes(self, key: tuple[str, str]) -> list[int]:
        h = hash(key)
        step = (h >> 32) | 1
        mask = self.BITS - 1
        return [(h + i * step) & mask for i in range(self.PROBES)]

    def add(self, key: tuple[str, str]) -> None:
        bits = self._bits
        for p in self._probes(key):
            bits[p >> 3] |= 1 << (p & 7)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple):
            return False
        bits = self._bits
        return all(bits[p >> 3] & (1 << (p & 7)) for p in self._probes(key))


def index_size(index_dir: str) -> int:
    """Return the bytes of the live generation (measured, so a run cut short still counts)."""
    meta = read_meta(index_dir)
    try:
        return _folder_size(_generation_path(index_dir, meta.get("generation")))
    except (OSError, ArchiveError):
        size = meta.get("size_bytes")
        return size if isinstance(size, int) else 0


def _folder_size(folder: str) -> int:
    total = 0
    for entry in os.scandir(folder):
        if entry.is_file(follow_symlinks=False):
            total += entry.stat().st_size
    return total


def upsert_articles(
    index_dir: str,
    articles: Iterable[Any],
    *,
    lock_wait: float = 10.0,
    engine: str | None = None,
) -> int:
    """Add or replace Articles by id in the index at `index_dir` (created if missing).

    The library entry point for building an index from Article objects directly (tests,
    imports); no duplicate detection, no manifest entries. Returns the number written.
    `engine`: of a new index (see IndexWriter).
    """
    count = 0
    with IndexWriter(index_dir, lock_wait=lock_wait, engine=engine) as writer:
        for article in articles:
            writer.put(article_to_fields(article), replace=True)
            count += 1
            if len(writer._docs) >= 1000:
                writer.commit()
        writer.finish()
    return count
