"""sources -> extract -> index. Returns an IngestReport; never prints.

CONTRACT (owner: ingest).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from archive.models import IngestReport, Outcome


def ingest(
    paths: Iterable[str],
    index_dir: str,
    *,
    jobs: int | None = None,
    rebuild: bool = False,
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
) -> IngestReport:
    """Ingest every page under `paths` into the index at `index_dir`."""
    raise NotImplementedError
