"""whoosh against tantivy behind the engine seam, side by side in one run.

For each engine, on the same N articles (an `articles-N.jsonl` of Article dicts, as
bench/scale.py writes) and the bench query set (its `.meta.json`): index-only time of
`upsert_articles` (CPU of this process, tantivy's threads included, and wall), index size,
warm query p50/p95 (one open searcher, each query's median of 3), cold `archive query` (a
fresh process per query), and whether both engines find the same articles for every query.
With --map: MAP of both engines on the judged sets (bench/relevance.py's shipped path).

    .venv/bin/python bench/engines.py --articles bench/corpus/articles-5000.jsonl --limit 3000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("whoosh", "tantivy")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


FEEDBACK: bool | None = None  # None: the default (search.rank); --feedback on|off forces it


def _filters(query: dict):
    from archive.dates import parse_date_bound
    from archive.models import SearchFilters

    return SearchFilters(
        authors=(query["author"],) if query.get("author") else (),
        date_from=parse_date_bound(query["date_from"])[0] if query.get("date_from") else None,
        date_to=parse_date_bound(query["date_to"])[1] if query.get("date_to") else None,
        feedback=FEEDBACK,
    )


def _cli_args(query: dict) -> list[str]:
    sys.path.insert(0, str(ROOT / "bench"))
    from run import query_cli_args

    args = query_cli_args(query)
    if FEEDBACK is not None:
        args.append("--feedback" if FEEDBACK else "--no-feedback")
    return args


def share_pct(values: list[float], share: float) -> float:
    """The value at `share` (0.95: p95) of the sorted values, the nearest index (bench/run.py's
    `percentile` is nearest-rank: the two can differ by one place); tantivy_scale.py uses it."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(articles: list, queries: list[dict], folder: str, engine: str) -> dict:
    from archive import search
    from archive.index import index_size, open_index, upsert_articles

    cpu, wall = _cpu(), time.perf_counter()
    upsert_articles(folder, articles, engine=engine)
    figures = {
        "index_cpu_s": round(_cpu() - cpu, 2),
        "index_wall_s": round(time.perf_counter() - wall, 2),
        "index_mib": round(index_size(folder) / 2**20, 1),
    }
    ix = open_index(folder)
    times, found = [], {}
    with ix.searcher() as searcher:
        for query in queries:
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                result = search.search(searcher, query["q"], _filters(query), limit=10)
                runs.append(time.perf_counter() - start)
            times.append(statistics.median(runs) * 1000)
            every = search.search(
                searcher, query["q"], _filters(query), limit=100000, snippets=False,
                versions=False,
            )  # fmt: skip
            found[query["id"]] = (every.total, sorted(h.id for h in every.hits))
            del result
    ix.close()
    figures["warm_p50_ms"] = round(share_pct(times, 0.5), 2)
    figures["warm_p95_ms"] = round(share_pct(times, 0.95), 2)
    return {"figures": figures, "found": found}


def cold_queries(queries: list[dict], tmp: str, results: dict) -> None:
    """A fresh `archive query` process per query and engine, the engines taking turns (so
    load from other processes falls on both alike)."""
    archive = str(ROOT / ".venv" / "bin" / "archive")
    times: dict[str, list[float]] = {name: [] for name in results}
    for query in queries[:1] + queries:  # the first round writes bytecode caches: not counted
        for name in results:
            start = time.perf_counter()
            subprocess.run(
                [archive, "query", *_cli_args(query), "--index", os.path.join(tmp, name)],
                capture_output=True,
                check=False,
            )
            times[name].append(time.perf_counter() - start)
    for name, found in times.items():
        if len(found) > 1:
            results[name]["figures"]["cold_p50_s"] = round(share_pct(found[1:], 0.5), 3)
            results[name]["figures"]["cold_p95_s"] = round(share_pct(found[1:], 0.95), 3)


def measure_map() -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    import relevance

    out: dict = {}
    for lang in ("fa", "en"):
        docs = relevance._load_collection(lang, relevance.DEFAULT_DATA_DIR)
        queries, qrels = relevance.load_judged(lang)
        for engine in ENGINES:
            with tempfile.TemporaryDirectory(prefix=f"engines-map-{engine}-") as tmp:
                runs = relevance.run_archive_pipeline(
                    docs, queries, lang, tmp + "/ix", engine=engine
                )
            scores = relevance.evaluate(runs, qrels)
            out[f"{lang}/{engine}"] = {
                "map": round(scores["ap"], 4),
                "map_condensed": round(scores["ap_condensed"], 4),
                "p10": round(scores["p10"], 4),
                "queries": scores["queries"],
            }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, help="an articles-N.jsonl")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--cold", type=int, default=20, help="fresh-process queries per engine")
    parser.add_argument("--map", action="store_true", help="also MAP on the judged sets")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument(
        "--feedback", choices=["default", "on", "off"], default="default", help="RM3 feedback"
    )
    args = parser.parse_args(argv)
    global FEEDBACK
    FEEDBACK = {"default": None, "on": True, "off": False}[args.feedback]
    from archive.models import Article

    if args.articles is None:
        if not args.map:
            parser.error("give --articles, or --map alone")
        for key, value in measure_map().items():
            print(f"MAP {key}: {value}")
        return 0
    meta = json.loads(args.articles.with_suffix("").with_suffix(".meta.json").read_text())
    queries = meta["queries"]
    articles = []
    with open(args.articles, encoding="utf-8") as f:
        for line in f:
            articles.append(Article.from_dict(json.loads(line)))
            if args.limit and len(articles) >= args.limit:
                break
    results = {}
    with tempfile.TemporaryDirectory(prefix="engines-") as tmp:
        for engine in args.engines.split(","):
            print(f"{engine}: indexing {len(articles)} articles", file=sys.stderr)
            results[engine] = measure(articles, queries, os.path.join(tmp, engine), engine)
        cold_queries(queries[: args.cold], tmp, results)
    names = list(results)
    keys = list(results[names[0]]["figures"])
    print(f"{'figure':16}" + "".join(f"{n:>12}" for n in names) + f"   ({len(articles)} articles)")
    for key in keys:
        print(f"{key:16}" + "".join(f"{results[n]['figures'].get(key, ''):>12}" for n in names))
    if len(names) == 2:
        a, b = (results[n]["found"] for n in names)
        differ = [q for q in a if a[q] != b[q]]
        print(f"same matches: {len(a) - len(differ)} of {len(a)} queries" + (
            f" (differ: {', '.join(differ[:10])})" if differ else ""))  # fmt: skip
    if args.map:
        for key, value in measure_map().items():
            print(f"MAP {key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
