"""The deny list of an index (INDEX/blocked.json): articles `archive forget --block` keeps out.

An entry holds the article id and the content hashes of the inputs that gave it (plus its
text hash, so a re-encoded copy of the same text stays out too). Ingest leaves out any input
whose bytes, article id or text hash is on the list. The file lives beside the generations, so
it survives `--rebuild`; it is replaced atomically and read without following a link.

API: `read_blocklist(index_dir)`, `write_blocklist(index_dir, entries)`, `Blocklist` lookups.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from archive.errors import ArchiveError
from archive.safefs import read_bytes, write_json_atomic

BLOCKLIST_FILE = "blocked.json"
_FORMAT = 1


@dataclass
class BlockedArticle:
    """One article kept out of the index."""

    id: str
    hashes: list[str] = field(default_factory=list)  # content hashes of the inputs giving it
    text_hash: str | None = None
    title: str = ""
    source: str = ""
    blocked_at: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BlockedArticle:
        return cls(
            id=str(data.get("id") or ""),
            hashes=[str(h) for h in data.get("hashes") or [] if h],
            text_hash=str(data["text_hash"]) if data.get("text_hash") else None,
            title=str(data.get("title") or ""),
            source=str(data.get("source") or ""),
            blocked_at=str(data.get("blocked_at") or ""),
        )


class Blocklist:
    """The entries of the deny list, with the lookups ingest makes per page."""

    def __init__(self, entries: Iterable[BlockedArticle] = ()) -> None:
        self.entries = list(entries)
        self._ids = {e.id: e for e in self.entries}
        self._hashes = {h: e for e in self.entries for h in e.hashes}
        self._texts = {e.text_hash: e for e in self.entries if e.text_hash}

    def __len__(self) -> int:
        return len(self.entries)

    def by_content_hash(self, digest: str) -> BlockedArticle | None:
        return self._hashes.get(digest)

    def by_article(self, doc_id: str, text_hash: str | None) -> BlockedArticle | None:
        """Return the entry an extracted article falls under (by id or text hash), or None."""
        return self._ids.get(doc_id) or (self._texts.get(text_hash) if text_hash else None)


def blocklist_path(index_dir: str) -> str:
    return os.path.join(index_dir, BLOCKLIST_FILE)


def read_blocklist(index_dir: str) -> Blocklist:
    """Return the deny list of the index at `index_dir` (empty when there is none).

    Raises:
        ArchiveError: the file is damaged or cannot be read (ingest must not guess).
    """
    path = blocklist_path(index_dir)
    try:
        raw = read_bytes(path)
    except FileNotFoundError:
        return Blocklist()
    except OSError as exc:
        raise ArchiveError(f"cannot read the deny list {path}: {exc.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
        items = data["articles"]
        if not isinstance(items, list):
            raise ValueError("not a list")
        return Blocklist(BlockedArticle.from_dict(item) for item in items if isinstance(item, dict))
    except (ValueError, KeyError, TypeError):
        raise ArchiveError(
            f"the deny list {path} is damaged; fix it or remove it (its articles may come back "
            "at the next ingest)"
        ) from None


def write_blocklist(index_dir: str, entries: Iterable[BlockedArticle]) -> None:
    """Replace the deny list by `entries` (one entry per article id, the latest kept)."""
    unique: dict[str, BlockedArticle] = {}
    for entry in entries:
        unique[entry.id] = entry
    data = {"format": _FORMAT, "articles": [asdict(e) for e in unique.values()]}
    write_json_atomic(blocklist_path(index_dir), data)
