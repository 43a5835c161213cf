"""The naive baseline `archive` is measured against: whole-page text into a plain whoosh index.

Sequential, one process: every file under the corpus -> BeautifulSoup(html, "lxml").get_text()
-> whoosh StandardAnalyzer field `content` (title from <title>), committed once at the end.
Queries use a plain QueryParser on `content` with whoosh's default AND grouping. The baseline
has no author or date fields: an author filter becomes extra AND terms, a date filter is
ignored (so its filtered queries do a little less work than archive's).

Usage (bench/run.py calls both as subprocesses to time them and sample their memory):
    python bench/baseline.py ingest CORPUS INDEX      prints {"pages":..,"failed":..,"seconds":..}
    python bench/baseline.py query INDEX "words"      prints the top 10 paths

Importable: ingest_baseline, open_baseline, baseline_query_text.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

LIMIT = 10


def iter_files(corpus: str | Path) -> list[Path]:
    """Return every file under `corpus`, sorted (the same walk for every run)."""
    out = []
    for root, dirs, files in os.walk(corpus):
        dirs.sort()
        out.extend(Path(root) / f for f in sorted(files))
    return out


def ingest_baseline(corpus: str | Path, index_dir: str | Path) -> dict[str, Any]:
    """Index every page of `corpus` into a new whoosh index at `index_dir`; return counts."""
    from bs4 import BeautifulSoup
    from whoosh import index
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    start = time.perf_counter()
    schema = Schema(
        path=ID(stored=True, unique=True),
        title=TEXT(analyzer=StandardAnalyzer(), stored=True),
        content=TEXT(analyzer=StandardAnalyzer()),
    )
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), schema)
    writer = ix.writer()
    pages = failed = 0
    for path in iter_files(corpus):
        try:
            soup = BeautifulSoup(path.read_bytes(), "lxml")
            title = soup.title.get_text() if soup.title else ""
            writer.add_document(path=str(path), title=title, content=soup.get_text())
            pages += 1
        except Exception as exc:  # noqa: BLE001 - a naive loop skips what it cannot read
            failed += 1
            print(f"baseline: {path}: {exc}", file=sys.stderr)
    writer.commit()
    return {"pages": pages, "failed": failed, "seconds": time.perf_counter() - start}


def open_baseline(index_dir: str | Path) -> tuple[Any, Any]:
    """Return (searcher, parser) for a baseline index; the caller closes the searcher."""
    from whoosh import index
    from whoosh.qparser import QueryParser

    ix = index.open_dir(str(index_dir))
    return ix.searcher(), QueryParser("content", ix.schema)


def baseline_query_text(query: dict[str, Any]) -> str:
    """The baseline's query string for one entry of the shared query set."""
    text = str(query["q"])
    if query.get("author"):
        text += " " + str(query["author"])
    return text


def run_query(searcher: Any, parser: Any, text: str, limit: int = LIMIT) -> list[str]:
    """Parse and run one query; return the stored paths of the top hits."""
    results = searcher.search(parser.parse(text), limit=limit)
    return [hit["path"] for hit in results]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 3 and args[0] == "ingest":
        print(json.dumps(ingest_baseline(args[1], args[2])))
        return 0
    if len(args) == 3 and args[0] == "query":
        searcher, parser = open_baseline(args[1])
        try:
            for path in run_query(searcher, parser, args[2]):
                print(path)
        finally:
            searcher.close()
        return 0
    print(__doc__.split("\n\n")[2], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
