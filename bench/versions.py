"""What versions of one article cost at query time, and how many links a corpus without
true pairs gets (each one is a false link).

    .venv/bin/python bench/versions.py INDEX [--rounds N]

INDEX: an index built by `archive ingest` (e.g. of bench/corpus/pages-2000, whose English
pages come from Tehran Times and Persian ones from Fars News: no page is another's version).

Prints, for one open searcher in this process (so both sides share the file cache and the
machine's load), the warm query latency p50/p95 with versions off (`search(versions=False)`,
the ranking and snippets as before), on (the default) and with `both=True`, wall and CPU;
`--author` with the hreflang alias step and without (`author_query(aliases=False)`); and the
number of documents that find a version, by how.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter

from archive.index import open_index
from archive.models import SearchFilters
from archive.search import find_versions, search
from archive.search.parse import author_query

QUERIES = [
    "nuclear talks", "sanctions", "oil exports", "water crisis", "economic cooperation",
    "تحریم", "مذاکرات هسته‌ای", "همکاری اقتصادی", "بحران آب", "انتخابات", "Tehran", "football",
    "بورس", "نفت", "Iraq", "Russia", "China", "inflation", "تورم", "دولت",
]  # fmt: skip


def timed(fn, rounds: int) -> tuple[float, float, float]:
    """Return (p50 wall ms, p95 wall ms, mean CPU ms) of `fn()` over `rounds` calls."""
    walls, cpus = [], []
    for _ in range(rounds):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - w) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    walls.sort()
    return walls[len(walls) // 2], walls[int(len(walls) * 0.95) - 1], statistics.mean(cpus)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("index")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ix = open_index(args.index)
    with ix.searcher() as searcher:
        print(f"index: {args.index}, {searcher.doc_count()} documents")
        for q in QUERIES:  # warm
            search(searcher, q, versions=False)
            search(searcher, q)
        rows = {}
        for label, kwargs in (
            ("versions off", {"versions": False}),
            ("versions on", {}),
            ("--both", {"both": True}),
        ):

            def run(kwargs=kwargs) -> None:
                for q in QUERIES:
                    search(searcher, q, **kwargs)

            p50, p95, cpu = timed(run, args.rounds)
            n = len(QUERIES)
            rows[label] = p50 / n
            print(
                f"{label:14s} per query: wall p50 {p50 / n:6.2f} ms (rounds p95 {p95 / n:6.2f})"
                f"  cpu {cpu / n:6.2f} ms"
            )
        print(f"ratio on/off {rows['versions on'] / rows['versions off']:.2f}")

        reader = searcher.reader()
        authors = Counter()
        for docnum in range(0, searcher.doc_count_all(), max(1, searcher.doc_count_all() // 300)):
            for name in searcher.stored_fields(docnum).get("authors") or ():
                authors[name] += 1
        top = [name for name, _ in authors.most_common(10)]
        for label, aliases in (("--author plain", False), ("--author +alias", True)):

            def run_authors(aliases=aliases) -> None:
                for name in top:
                    searcher.docs_for_query(author_query(name, reader, aliases=aliases))
                    list(searcher.docs_for_query(author_query(name, reader, aliases=aliases)))

            p50, _, cpu = timed(run_authors, args.rounds)
            n = len(top)
            print(f"{label:16s} per name: wall {p50 / n:6.2f} ms  cpu {cpu / n:6.2f} ms")
        hits = search(searcher, None, SearchFilters(authors=tuple(top[:1])), limit=1)
        print(f"(top author {top[0]!r}: {hits.total} articles)")

        how: Counter[str] = Counter()
        start = time.perf_counter()
        for docnum in range(searcher.doc_count_all()):
            if reader.is_deleted(docnum):
                continue
            for _, _, kind in find_versions(searcher, docnum):
                how[kind] += 1
        print(
            f"documents with a version: {dict(how) or 0} "
            f"(all {searcher.doc_count()} resolved in {time.perf_counter() - start:.1f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
