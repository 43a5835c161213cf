"""Walk files, folders and dumps (zip, tar, WARC) and yield RawPage records.

CONTRACT (owner: ingest). Members are read in memory, never written to disk by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from archive.models import Outcome, RawPage


def iter_pages(paths: Iterable[str]) -> Iterator[RawPage | Outcome]:
    """Yield each page found under `paths`, or a failed Outcome for an input that cannot be read."""
    raise NotImplementedError
