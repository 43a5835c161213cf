"""The manifest of inputs: what each input location gave at the last ingest (manifest.sqlite).

One SQLite file per index generation. A row per input location (a file, or `dump!member`) says
its size, mtime, content hash and the article id it gave (or why it failed); a row per dump
says the size and mtime it had when it was last read in full. Ingest uses it to skip unchanged
inputs without parsing them. It is a cache in front of the index: after a crash between a
whoosh commit and a manifest commit it may miss rows, which ingest repairs from the
`content_hash` stored in the documents.

The file is opened only when it is a regular file or absent (never through a symbolic link,
nor with a link planted at its journal), in a folder that is not a link either.

API: `Manifest.open(folder)`; lookups `lookup`, `pages_of_source`, `by_hash`, `dump_stat`,
`is_referenced`, `count`, `records_under`, `records_of_doc`; changes `record` (one
transaction), `delete_keys`, `delete_by_doc_id`, `delete_by_source`, `forget_dump_stats`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass
from typing import TYPE_CHECKING

from archive.safefs import check_no_link

if TYPE_CHECKING:
    import sqlite3

MANIFEST_FILE = "manifest.sqlite"
_SIDE_FILES = ("-journal", "-wal", "-shm")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    key TEXT PRIMARY KEY, source TEXT NOT NULL, size INTEGER NOT NULL, mtime REAL NOT NULL,
    hash TEXT NOT NULL, doc_id TEXT, status TEXT NOT NULL, reason TEXT);
CREATE INDEX IF NOT EXISTS pages_hash ON pages(hash);
CREATE INDEX IF NOT EXISTS pages_doc ON pages(doc_id);
CREATE INDEX IF NOT EXISTS pages_source ON pages(source);
CREATE TABLE IF NOT EXISTS dumps (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime REAL NOT NULL);
"""
_COLUMNS = "key, source, size, mtime, hash, doc_id, status, reason"


@dataclass
class PageRecord:
    """What the manifest knows about one input location."""

    key: str  # absolute location: /abs/path or /abs/dump.zip!member
    source: str  # absolute path of the file (the dump for members)
    size: int
    mtime: float  # st_mtime of the file (member time inside dumps)
    hash: str
    doc_id: str | None
    status: str  # "indexed", "duplicate" or "failed"
    reason: str | None = None


class Manifest:
    """The manifest of one index generation (a SQLite connection with named queries)."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, folder: str) -> Manifest:
        """Open (or create) the manifest in a generation folder.

        Raises:
            UnsafePathError: the folder, the file or its journal is a symbolic link.
            sqlite3.Error: the file is damaged (ingest turns it into a one-line message).
        """
        check_no_link(folder, folder=True)
        path = os.path.join(folder, MANIFEST_FILE)
        for suffix in ("", *_SIDE_FILES):
            check_no_link(path + suffix)
        import sqlite3  # here: a query opens no manifest (index.py imports this module)

        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA synchronous=FULL")
            connection.executescript(_SCHEMA)
        except BaseException:
            connection.close()
            raise
        return cls(connection, path)

    def close(self) -> None:
        self._db.close()

    # -- lookups

    def lookup(self, key: str) -> PageRecord | None:
        """Return the record of one input location, or None."""
        row = self._db.execute(f"SELECT {_COLUMNS} FROM pages WHERE key = ?", (key,)).fetchone()
        return PageRecord(*row) if row else None

    def pages_of_source(self, source: str) -> list[PageRecord]:
        """Return the records of a file, or of every member of a dump, in the order recorded."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM pages WHERE source = ? ORDER BY rowid", (source,)
        ).fetchall()
        return [PageRecord(*row) for row in rows]

    def by_hash(self, digest: str) -> PageRecord | None:
        """Return a record of an input with exactly these bytes (one that did not fail first)."""
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM pages WHERE hash = ? ORDER BY status = 'failed' LIMIT 1",
            (digest,),
        ).fetchone()
        return PageRecord(*row) if row else None

    def dump_stat(self, path: str) -> tuple[int, float] | None:
        """Return (size, mtime) of a dump when it was last read in full, or None."""
        row = self._db.execute("SELECT size, mtime FROM dumps WHERE path = ?", (path,)).fetchone()
        return (int(row[0]), float(row[1])) if row else None

    def is_referenced(self, doc_id: str, *, except_key: str | None = None) -> bool:
        """Tell whether any input location (but `except_key`) gives the article `doc_id`."""
        row = self._db.execute(
            "SELECT 1 FROM pages WHERE doc_id = ? AND key IS NOT ? LIMIT 1", (doc_id, except_key)
        ).fetchone()
        return row is not None

    def records_under(self, key: str) -> list[PageRecord]:
        """Return the records at or below an absolute location, in the order recorded.

        `key` is a file (its record), a folder (every record below it), a dump (every member)
        or `dump!member` (that member, or the members below it when it names a folder).
        """
        head = key.rstrip("/") if key != "/" else key
        below = head if head.endswith("/") else head + "/"
        if "!" in head:
            where, args = "key = ? OR substr(key, 1, ?) = ?", (head, len(below), below)
        else:
            where = "key = ? OR source = ? OR substr(source, 1, ?) = ?"
            args = (head, head, len(below), below)  # type: ignore[assignment]
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM pages WHERE {where} ORDER BY rowid", args
        ).fetchall()
        return [PageRecord(*row) for row in rows]

    def records_of_doc(self, doc_id: str) -> list[PageRecord]:
        """Return every record of an input location that gives the article `doc_id`."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM pages WHERE doc_id = ? ORDER BY rowid", (doc_id,)
        ).fetchall()
        return [PageRecord(*row) for row in rows]

    def count(self) -> int:
        """Return the number of input locations recorded."""
        return int(self._db.execute("SELECT count(*) FROM pages").fetchone()[0])

    # -- changes

    def record(
        self,
        pages: Iterable[PageRecord] = (),
        *,
        dumps: Mapping[str, tuple[int, float]] | None = None,
        forget: Iterable[str] = (),
        forget_dumps: Iterable[str] = (),
    ) -> None:
        """In one transaction: drop the `forget` keys and the `forget_dumps` stats (so those
        dumps are read again), then store `pages` and `dumps` rows."""
        with self._db:
            self._db.executemany("DELETE FROM pages WHERE key = ?", [(k,) for k in forget])
            self._db.executemany("DELETE FROM dumps WHERE path = ?", [(p,) for p in forget_dumps])
            self._db.executemany(
                "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [astuple(r) for r in pages],
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO dumps VALUES (?, ?, ?)",
                [(p, s, m) for p, (s, m) in (dumps or {}).items()],
            )

    def delete_keys(self, keys: Iterable[str]) -> int:
        """Delete the rows of these input locations; return how many were deleted."""
        with self._db:
            cursor = self._db.executemany("DELETE FROM pages WHERE key = ?", [(k,) for k in keys])
        return max(cursor.rowcount, 0)

    def delete_by_doc_id(self, doc_id: str) -> int:
        """Delete every row that gives the article `doc_id`; return how many were deleted."""
        with self._db:
            cursor = self._db.execute("DELETE FROM pages WHERE doc_id = ?", (doc_id,))
        return max(cursor.rowcount, 0)

    def delete_by_source(self, source: str) -> int:
        """Delete the rows of a file or of a dump and its members; return how many pages."""
        with self._db:
            cursor = self._db.execute("DELETE FROM pages WHERE source = ?", (source,))
            self._db.execute("DELETE FROM dumps WHERE path = ?", (source,))
        return max(cursor.rowcount, 0)

    def forget_dump_stats(self) -> None:
        """Drop every dump's stat, so the next ingest reads each dump again (hashes only)."""
        with self._db:
            self._db.execute("DELETE FROM dumps")

    def keys_of_source(self, source: str) -> list[str]:
        """Return the input locations recorded for a file or a dump."""
        rows = self._db.execute("SELECT key FROM pages WHERE source = ?", (source,))
        return [key for (key,) in rows]
