"""Warm queries of one checkout on one index: the ranking to compare, or CPU best-of-N per query.

    .venv/bin/python bench/warm_compare.py dump INDEX META > out.txt
    .venv/bin/python bench/warm_compare.py cpu INDEX META [--rounds N] [--only Q1,Q2]

META: an articles-N.meta.json of bench/scale.py (its "queries"), or a query list.
`dump` prints, for every query x feedback default/on/off, the total, the feedback terms and
weights, and the ranked (docnum, score) pairs of the first page with the scores' repr, then
each hit's id and versions: two checkouts' dumps on one index must `cmp` equal where a change
is for speed only. `cpu` runs the set once to warm one open searcher, then N rounds: the CPU
of each query's best round (mean, p50, p95 over the set) and each round's wall and CPU p95.
To compare two trees, run each with PYTHONPATH=CHECKOUT/src, in turns.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _plans(meta: str, only: set[str] | None) -> list[tuple[str, Any]]:
    import run as bench_run

    from archive.models import SearchFilters

    loaded = json.loads(Path(meta).read_text(encoding="utf-8"))
    queries = loaded["queries"] if isinstance(loaded, dict) else loaded
    plans = []
    for q in queries:
        if only and q["q"] not in only:
            continue
        date_from, date_to = bench_run._date_bounds(q)
        authors = (q["author"],) if q.get("author") else ()
        plans.append((q["q"], SearchFilters(authors=authors, date_from=date_from, date_to=date_to)))
    return plans


def dump(index: str, meta: str) -> None:
    from dataclasses import replace

    from archive import search

    with search.open_searcher(index) as searcher:
        for text, filters in _plans(meta, None):
            for feedback in (None, True, False):
                chosen = replace(filters, feedback=feedback)
                plan = search.plan_search(searcher.schema, text, chosen, searcher.reader())
                total, ranked, _ = search.run_plan(searcher, plan)
                print(f"{text} feedback={feedback} total={total} added={plan.feedback_added}")
                print(f"  expansion {plan.expansion!r}")
                print(f"  ranked {[(d, s) for s, d in ranked]!r}")
                result = search.search(searcher, text, chosen)
                for hit in result.hits:
                    print(f"  {hit.id} {[(v.id, v.lang, v.how) for v in hit.versions]}")


def cpu(index: str, meta: str, rounds: int, only: set[str] | None) -> None:
    import run as bench_run

    from archive import search

    plans = _plans(meta, only)
    cpu_ms: list[list[float]] = [[] for _ in plans]
    wall_ms: list[list[float]] = [[] for _ in plans]
    with search.open_searcher(index) as searcher:
        for text, filters in plans:
            search.search(searcher, text, filters)
        for _ in range(rounds):
            for i, (text, filters) in enumerate(plans):
                wall, start = time.perf_counter(), time.process_time()
                search.search(searcher, text, filters)
                cpu_ms[i].append((time.process_time() - start) * 1000)
                wall_ms[i].append((time.perf_counter() - wall) * 1000)

    def p(values: list[float], pct: float) -> float:
        return float(bench_run.percentile(sorted(values), pct))

    best = [min(times) for times in cpu_ms]
    walls = [p([w[r] for w in wall_ms], 95) for r in range(rounds)]
    cpus = [p([c[r] for c in cpu_ms], 95) for r in range(rounds)]
    print(
        f"{len(plans)} queries, CPU best of {rounds}: mean {sum(best) / len(best):.1f} "
        f"p50 {p(best, 50):.1f} p95 {p(best, 95):.1f} ms; per round p95 wall "
        f"{', '.join(f'{w:.1f}' for w in walls)}, CPU {', '.join(f'{c:.1f}' for c in cpus)}"
    )
    slowest = sorted(zip(best, (text for text, _ in plans), strict=True), reverse=True)[:5]
    print("  slowest (CPU best): " + "; ".join(f"{text} {ms:.1f}" for ms, text in slowest))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("dump", "cpu"))
    parser.add_argument("index")
    parser.add_argument("meta")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="comma-separated query texts (cpu)")
    args = parser.parse_args()
    if args.mode == "dump":
        dump(args.index, args.meta)
    else:
        cpu(args.index, args.meta, args.rounds, set(args.only.split(",")) if args.only else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
