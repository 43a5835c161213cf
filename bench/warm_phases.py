"""Warm query CPU of one checkout on one index, and where it goes (no profiler).

    .venv/bin/python bench/warm_phases.py INDEX QUERIES [--feedback on|off|default]

QUERIES is a query set (bench/out/queries-N.json, or an articles-N.meta.json of bench/scale.py).
One open searcher, one warm-up round, then one measured round: CPU per query (mean, p50, p95),
the postings read per query, and the CPU per query of the ranking's stages (the functions
wrapped with timers). To compare two trees on one index, run it with each tree's interpreter
in turns (another checkout: PYTHONPATH=CHECKOUT/src); bench/relevance/RESULTS.md "Schema 6".
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index")
    parser.add_argument("queries")
    parser.add_argument("--feedback", choices=("on", "off", "default"), default="on")
    args = parser.parse_args()

    import run as bench_run

    from archive import search
    from archive.models import SearchFilters
    from archive.search import bm25, feedback, postings, rank

    spent: collections.Counter[str] = collections.Counter()
    calls: collections.Counter[str] = collections.Counter()

    def timed(module: Any, name: str) -> None:
        if not hasattr(module, name):
            return
        inner = getattr(module, name)

        @functools.wraps(inner)
        def wrapper(*a: Any, **k: Any) -> Any:
            start = time.process_time()
            try:
                return inner(*a, **k)
            finally:
                spent[name] += time.process_time() - start
                calls[name] += 1

        setattr(module, name, wrapper)

    timed(rank, "_rank_bag")
    timed(rank, "_add_feedback")
    timed(feedback, "select_terms")
    read = collections.Counter()
    blocks = postings.iter_blocks

    def counted(reader: Any, fieldname: str, term: Any, values: bool = False) -> Any:
        for block in blocks(reader, fieldname, term, values=values):
            read["postings"] += len(block[0])
            yield block

    postings.iter_blocks = counted  # type: ignore[assignment]
    bm25.iter_blocks = counted  # type: ignore[assignment]
    loaded = json.loads(Path(args.queries).read_text(encoding="utf-8"))
    queries = loaded["queries"] if isinstance(loaded, dict) else loaded
    on = {"on": True, "off": False, "default": None}[args.feedback]
    plans = []
    for q in queries:
        date_from, date_to = bench_run._date_bounds(q)
        authors = (q["author"],) if q.get("author") else ()
        filters = SearchFilters(authors=authors, date_from=date_from, date_to=date_to, feedback=on)
        plans.append((q["q"], filters))
    cpu = []
    with search.open_searcher(args.index) as searcher:
        for text, filters in plans:
            search.search(searcher, text, filters)
        spent.clear()
        calls.clear()
        read.clear()
        for text, filters in plans:
            start = time.process_time()
            search.search(searcher, text, filters)
            cpu.append((time.process_time() - start) * 1000)
    n = len(cpu)
    ms = sorted(cpu)
    print(
        f"{args.index} --feedback {args.feedback}: {n} queries, CPU mean {sum(ms) / n:.1f} "
        f"p50 {bench_run.percentile(ms, 50):.1f} p95 {bench_run.percentile(ms, 95):.1f} ms; "
        f"postings read per query {read['postings'] / n:.0f}"
    )
    for name, seconds in spent.most_common():
        print(f"  {name:15s} {seconds * 1000 / n:7.1f} ms per query ({calls[name]} calls)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
