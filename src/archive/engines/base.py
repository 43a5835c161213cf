"""What an engine provides: the seam between our analysis and ranking rules and an index.

Writing: a generation folder (`create_generation`, `open_generation`) and, per commit, the
deletes (by id) and the documents (the field dict of `index.preanalyze_fields`: text fields as
lists of our terms, `_stored_<name>` their original text) written at once (`write`).

Reading: a searcher with the part of whoosh's Searcher/IndexReader that `archive.search`
uses, over the engine's own document keys (ints, stable while the searcher is open):
`doc_count`, `stored_fields(key)`, `document(**term)`, `iter_docs()`, `docs_for_query(q)`
(`q` a whoosh query object: the plan's language), `doc_frequency`, `lexicon`,
`expand_prefix`, `terms_within`, `(field, term) in reader`; and the postings helpers
`live_term_docs`, `term_docs`, `doc_dates`, `deleted_docs`, `live_docs`, `docset`.
Ranking: `rank(...)` answers a SearchPlan (exact total, best keys, feedback) with the
engine's own BM25 (`search.rank.run_plan` hands the plan over when the searcher has one).

The whoosh engine is `archive.index` and `archive.search` themselves (no module of its own
here: the tantivy searcher answers the same calls, and `search/` hands over to it where a
searcher says `is_engine_searcher`); `engines/tantivy.py` is the other engine, and the only
module that imports tantivy.
"""

from __future__ import annotations

from typing import Any, Protocol


class EngineIndex(Protocol):
    """An open generation of one engine."""

    engine: str

    def searcher(self) -> Any:
        """Return a searcher over the committed documents (a context manager)."""

    def write(self, deletes: list[str], docs: list[tuple[dict[str, Any], bool]]) -> None:
        """Delete the ids, add the documents (replacing their ids when flagged), commit."""

    def close(self) -> None:
        """Finish background work (merges) and release the engine's own locks."""
