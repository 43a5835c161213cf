"""The engines an index can be written and searched with, chosen when the index is created.

`whoosh` (the default: pure Python, embedded) and `tantivy` (the Rust engine through its
official Python bindings, the `tantivy` extra). Analysis is ours either way: both index the
terms of `text.iter_terms` (see `base.py` for what an engine provides). The engine an index
was created with is recorded in its meta file (`engine`; none recorded means whoosh).
"""

from __future__ import annotations

from typing import Any

from archive.errors import UsageError

ENGINES = ("whoosh", "tantivy")
DEFAULT_ENGINE = "whoosh"
TANTIVY_PIP = "pip install 'archive[tantivy]'"


def engine_of(meta: dict[str, Any] | None) -> str:
    """Return the engine recorded in an index's meta (whoosh when none is)."""
    name = (meta or {}).get("engine") or DEFAULT_ENGINE
    return name if isinstance(name, str) else DEFAULT_ENGINE


def is_engine_searcher(obj: Any) -> bool:
    """Whether `obj` is another engine's searcher (not whoosh's), which `search/` hands its
    reads and its ranking to (see base.py)."""
    return bool(getattr(obj, "is_engine_searcher", False))


def check_engine(name: str) -> None:
    """Raise UsageError unless `name` is a known engine whose package is installed."""
    if name not in ENGINES:
        raise UsageError(f"unknown engine {name!r}; use one of: {', '.join(ENGINES)}")
    if name == "tantivy":
        try:
            import tantivy  # noqa: F401
        except ImportError:
            raise UsageError(
                f"the tantivy engine needs the tantivy package: {TANTIVY_PIP}"
            ) from None
