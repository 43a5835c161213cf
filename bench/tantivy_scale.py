"""tantivy at growing N (issue 14's targets), whoosh beside it at the smallest size.

For each size N (an `articles-N.jsonl` and its `.meta.json` query set, as bench/scale.py
writes them; read in place) and engine, each step a fresh process (its CPU and peak RSS its
own, from `wait4`):

- index-only: ingest's main process work (`IndexWriter.put` of pre-analysed fields, a commit
  per BATCH_DOCS); reading the JSON and the analysis (`preanalyze_fields`, done in ingest's
  workers) timed apart by main-thread CPU; index CPU = the process's CPU (tantivy's threads
  included) minus those;
- warm queries: one open searcher, each query's median of 3 (`search.search`, limit 10,
  snippets and versions), p50/p95 per query kind and over all; the kind `date-sort` is the
  word queries again with `sort="-date"` (every match listed newest first);
- cold: a fresh `archive query` per query of the set (wall and CPU), the package's bytecode
  compiled first (untimed);
- `archive stats --json` and `archive export -o /dev/null` (jsonl): wall, CPU, peak RSS;
- index size; and (sizes where both engines ran) whether both find the same articles.

Extraction: `ingest.process_page` (extraction + analysis, a worker's whole job) on the first
`--extract` pages of the bench corpus, rendered here (rendering not timed): CPU per page.
Growth exponents: log-log slopes between consecutive sizes.

    nice -n 10 .venv/bin/python bench/tantivy_scale.py \\
        --corpus /work/wt/scale/bench/corpus --sizes 5000,20000,100000 --whoosh 5000
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
PYTHON = sys.executable
ARCHIVE = str(Path(PYTHON).with_name("archive"))
ANON_SAMPLE_S = 0.02


def _pct(values: list[float], share: float) -> float:
    sys.path.insert(0, str(BENCH_DIR))
    from engines import share_pct

    return share_pct(values, share)


def _anon_kib(pid: int) -> int | None:
    """The process's anonymous resident memory (RssAnon, KiB), None once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _run(cmd: list[str], stdout: Any = subprocess.PIPE) -> dict[str, Any]:
    """Run cmd; its wall, CPU (user+sys, its waited-for tree) and peak RSS from wait4, and the
    peak of its anonymous memory (sampled every ANON_SAMPLE_S from /proc; Linux only).

    wait4's peak RSS counts the pages of files the process maps: tantivy maps its index, so
    reading every article (export) counts the index's size, page cache the kernel can drop,
    not memory the process holds (export at 100,000 articles: 350 MiB RSS, 53 MiB anonymous).
    """
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, cwd=REPO_DIR)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            kib = _anon_kib(proc.pid)
            if kib is not None:
                peak[0] = max(peak[0], kib)
            done.wait(ANON_SAMPLE_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    done.set()
    sampler.join()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "rc": proc.returncode,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "peak_anon_mib": peak[0] / 1024 if peak[0] else None,
        "stdout": out,
        "stderr": err,
    }


def _checked(cmd: list[str], stdout: Any = subprocess.PIPE) -> dict[str, Any]:
    info = _run(cmd, stdout)
    if info["rc"] != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}... exited {info['rc']}: {info['stderr'][-800:]!r}")
    return info


# --------------------------------------------------------------------------- children


def _child_index(args: argparse.Namespace) -> int:
    from archive import index as ix
    from archive.ingest import BATCH_DOCS
    from archive.models import Article
    from archive.stored import article_to_fields

    out = Path(args.index)
    if out.exists():
        shutil.rmtree(out)
    read = analysis = 0.0
    count = 0
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    with (
        open(args.articles, encoding="utf-8") as lines,
        ix.IndexWriter(str(out), engine=args.engine) as writer,
    ):
        while True:
            t0 = time.thread_time()
            batch = [
                Article.from_dict(json.loads(line)) for line in itertools.islice(lines, BATCH_DOCS)
            ]
            t1 = time.thread_time()
            docs = [ix.preanalyze_fields(article_to_fields(a)) for a in batch]
            t2 = time.thread_time()
            read += t1 - t0
            analysis += t2 - t1
            if not docs:
                writer.finish()
                break
            for doc in docs:
                if not writer.has_doc(doc["id"]):
                    writer.put(doc, replace=False)
            count += len(docs)
            writer.commit()
    total = time.process_time() - cpu0
    print(json.dumps({
        "documents": count,
        "read_cpu_s": read,
        "analysis_cpu_s": analysis,
        "index_cpu_s": total - read - analysis,
        "total_cpu_s": total,
        "wall_s": time.perf_counter() - wall0,
        "index_mib": ix.index_size(str(out)) / 2**20,
    }))  # fmt: skip
    return 0


def _queries(meta: Path) -> list[dict[str, Any]]:
    queries = json.loads(meta.read_text())["queries"]
    extra = []
    for q in queries:
        if (
            q["kind"] in ("en-word", "fa-word")
            and sum(1 for e in extra if e["lang"] == q["lang"]) < 5
        ):
            extra.append({**q, "kind": "date-sort", "sort": "-date", "id": q["id"] + "s"})
    return queries + extra


def _filters(query: dict[str, Any]) -> Any:
    from archive.dates import parse_date_bound
    from archive.models import SearchFilters

    return SearchFilters(
        authors=(query["author"],) if query.get("author") else (),
        date_from=parse_date_bound(query["date_from"])[0] if query.get("date_from") else None,
        date_to=parse_date_bound(query["date_to"])[1] if query.get("date_to") else None,
        sort=query.get("sort"),
    )


def _child_warm(args: argparse.Namespace) -> int:
    from archive import search
    from archive.index import open_index

    queries = _queries(Path(args.meta))
    ix = open_index(args.index)
    times: dict[str, float] = {}
    found: dict[str, Any] = {}
    with ix.searcher() as searcher:
        for q in queries:  # one round first: caches, lazy imports
            search.search(searcher, q["q"], _filters(q), limit=10)
        for q in queries:
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                search.search(searcher, q["q"], _filters(q), limit=10)
                runs.append(time.perf_counter() - start)
            times[q["id"]] = statistics.median(runs) * 1000
            if args.found:
                every = search.search(
                    searcher, q["q"], _filters(q), limit=1_000_000, snippets=False,
                    versions=False,
                )  # fmt: skip
                found[q["id"]] = [every.total, sorted(h.id for h in every.hits)]
    ix.close()
    kinds: dict[str, list[float]] = {}
    for q in queries:
        kinds.setdefault(q["kind"], []).append(times[q["id"]])
        if q["kind"] != "date-sort":
            kinds.setdefault("all (bench set)", []).append(times[q["id"]])
    print(json.dumps({
        "kinds": {k: {"n": len(v), "p50": _pct(v, 0.5), "p95": _pct(v, 0.95), "max": max(v)}
                  for k, v in kinds.items()},
        "times": times,
        "found": found,
    }))  # fmt: skip
    return 0


def _child_extract(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(BENCH_DIR))
    import build_corpus

    from archive.ingest import process_page
    from archive.models import RawPage

    pages = [
        RawPage(source=p.path, data=p.data, size=len(p.data))
        for p in build_corpus.iter_pages(args.pages, render=True)
    ]
    for page in pages[:20]:  # warm-up: imports, caches
        process_page(page)
    cpu0 = time.thread_time()
    ok = sum(1 for page in pages if process_page(page)[0] == "ok")
    cpu = time.thread_time() - cpu0
    print(
        json.dumps(
            {"pages": len(pages), "ok": ok, "cpu_s": cpu, "cpu_per_page_s": cpu / len(pages)}
        )
    )
    return 0


# --------------------------------------------------------------------------- driver


def _cli_args(q: dict[str, Any]) -> list[str]:
    sys.path.insert(0, str(BENCH_DIR))
    from run import query_cli_args

    return query_cli_args(q)


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure(engine: str, size: int, args: argparse.Namespace, found: bool) -> dict[str, Any]:
    articles = Path(args.corpus) / f"articles-{size}.jsonl"
    meta = articles.with_suffix("").with_suffix(".meta.json")
    index = Path(args.work) / f"{engine}-{size}"
    me = [PYTHON, str(Path(__file__))]
    say(f"{engine} {size}: indexing")
    info = _checked(
        [*me, "_index", "--engine", engine, "--articles", str(articles), "--index", str(index)]
    )
    fig: dict[str, Any] = json.loads(info["stdout"])
    fig.update(index_proc_wall_s=info["wall_s"], index_proc_cpu_s=info["cpu_s"],
               index_peak_rss_mib=info["peak_rss_mib"], index_peak_anon_mib=info["peak_anon_mib"],
               load=os.getloadavg())  # fmt: skip
    say(f"{engine} {size}: warm queries ({fig})")
    warm = _checked(
        [*me, "_warm", "--index", str(index), "--meta", str(meta), *(["--found"] if found else [])]
    )
    fig["warm"] = json.loads(warm["stdout"])
    say(f"{engine} {size}: cold queries")
    queries = [q for q in _queries(meta) if q["kind"] != "date-sort"][: args.cold]
    walls, cpus = [], []
    for q in queries[:1] + queries:  # the first writes bytecode caches: not counted
        r = _run([ARCHIVE, "query", *_cli_args(q), "--index", str(index)])
        walls.append(r["wall_s"])
        cpus.append(r["cpu_s"])
    fig["cold"] = {"n": len(queries), "p50_s": _pct(walls[1:], 0.5), "p95_s": _pct(walls[1:], 0.95),
                   "cpu_p50_s": _pct(cpus[1:], 0.5), "cpu_p95_s": _pct(cpus[1:], 0.95)}  # fmt: skip
    say(f"{engine} {size}: stats, export")
    for name, cmd in (
        ("stats", [ARCHIVE, "stats", "--json", "--index", str(index)]),
        ("export", [ARCHIVE, "export", "-o", "/dev/null", "--index", str(index)]),
    ):
        r = _checked(cmd)
        fig[name] = {k: r[k] for k in ("wall_s", "cpu_s", "peak_rss_mib", "peak_anon_mib")}
    fig["load_end"] = os.getloadavg()
    if not args.keep:
        shutil.rmtree(index, ignore_errors=True)
    say(f"{engine} {size}: done")
    return fig


def slope(n0: int, v0: float, n1: int, v1: float) -> float | None:
    if v0 <= 0 or v1 <= 0:
        return None
    return math.log(v1 / v0) / math.log(n1 / n0)


def report(results: dict[str, dict[int, dict[str, Any]]], extract: dict[str, Any] | None) -> None:
    cols = [(e, n) for e in results for n in sorted(results[e])]
    rows: list[tuple[str, Any]] = [
        ("articles", lambda f: f["documents"]),
        ("read CPU s", lambda f: f["read_cpu_s"]),
        ("analysis CPU s", lambda f: f["analysis_cpu_s"]),
        ("index-only CPU s", lambda f: f["index_cpu_s"]),
        ("index-only CPU ms/article", lambda f: 1000 * f["index_cpu_s"] / f["documents"]),
        (
            "analysis+index ms/article",
            lambda f: 1000 * (f["index_cpu_s"] + f["analysis_cpu_s"]) / f["documents"],
        ),
        ("indexing wall s", lambda f: f["wall_s"]),
        ("indexing peak RSS MiB", lambda f: f["index_peak_rss_mib"]),
        ("indexing peak anonymous MiB", lambda f: f.get("index_peak_anon_mib")),
        ("index MiB", lambda f: f["index_mib"]),
        ("index KiB/article", lambda f: 1024 * f["index_mib"] / f["documents"]),
    ]
    kinds = sorted({k for e, n in cols for k in results[e][n]["warm"]["kinds"]})
    for k in kinds:
        rows.append(
            (f"warm p50 ms {k}", lambda f, k=k: f["warm"]["kinds"].get(k, {}).get("p50", 0))
        )
        rows.append(
            (f"warm p95 ms {k}", lambda f, k=k: f["warm"]["kinds"].get(k, {}).get("p95", 0))
        )
    rows += [
        ("cold query p50 s", lambda f: f["cold"]["p50_s"]),
        ("cold query p95 s", lambda f: f["cold"]["p95_s"]),
        ("cold query CPU p50 s", lambda f: f["cold"]["cpu_p50_s"]),
        ("stats wall / CPU s", lambda f: (f["stats"]["wall_s"], f["stats"]["cpu_s"])),
        ("stats peak RSS MiB", lambda f: f["stats"]["peak_rss_mib"]),
        ("stats peak anonymous MiB", lambda f: f["stats"].get("peak_anon_mib")),
        ("export wall / CPU s", lambda f: (f["export"]["wall_s"], f["export"]["cpu_s"])),
        ("export peak RSS MiB", lambda f: f["export"]["peak_rss_mib"]),
        ("export peak anonymous MiB", lambda f: f["export"].get("peak_anon_mib")),
        ("cold query CPU p95 s", lambda f: f["cold"]["cpu_p95_s"]),
        ("load avg at indexing", lambda f: f["load"][0]),
    ]

    def fmt(v: Any) -> str:
        if isinstance(v, tuple):
            return " / ".join(fmt(x) for x in v)
        if isinstance(v, float):
            return f"{v:.3g}" if v < 10 else f"{v:.1f}"
        return str(v)

    tantivy = sorted(results.get("tantivy", {}))
    head = "| figure | " + " | ".join(f"{e} {n // 1000}k" for e, n in cols)
    head += "".join(
        f" | exp {a // 1000}k→{b // 1000}k" for a, b in zip(tantivy, tantivy[1:], strict=False)
    )
    print(head + " |")
    print("|" + "---|" * (head.count("|")))
    for label, get in rows:
        vals = [get(results[e][n]) for e, n in cols]
        line = f"| {label} | " + " | ".join(fmt(v) for v in vals)
        for a, b in zip(tantivy, tantivy[1:], strict=False):
            va, vb = get(results["tantivy"][a]), get(results["tantivy"][b])
            if isinstance(va, tuple):
                va, vb = va[1], vb[1]
            s = (
                slope(a, va, b, vb)
                if isinstance(va, int | float) and not label.startswith("load")
                else None
            )
            line += f" | {s:.2f}" if s is not None else " | "
        print(line + " |")
    if extract:
        per_page = 1000 * extract["cpu_per_page_s"]
        print(f"extraction+analysis (process_page) CPU per page: {per_page:.1f} ms "
              f"({extract['pages']} pages, {extract['ok']} ok)")  # fmt: skip
        for n in tantivy:
            f = results["tantivy"][n]
            idx = f["index_cpu_s"] / f["documents"]
            e = extract["cpu_per_page_s"]
            print(f"tantivy {n}: index-only {1000 * idx:.2f} ms/article; ingest rate / "
                  f"extraction-only rate = E/(E+I) = {e / (e + idx):.3f}")  # fmt: skip
    for n in sorted(set(results.get("whoosh", {})) & set(results.get("tantivy", {}))):
        a, b = results["whoosh"][n]["warm"]["found"], results["tantivy"][n]["warm"]["found"]
        differ = [q for q in a if a[q] != b.get(q)]
        print(
            f"same matches at {n}: {len(a) - len(differ)} of {len(a)}"
            + (f" (differ: {differ[:12]})" if differ else "")
        )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0].startswith("_"):
        child = argparse.ArgumentParser()
        child.add_argument("mode")
        child.add_argument("--engine")
        child.add_argument("--articles")
        child.add_argument("--index")
        child.add_argument("--meta")
        child.add_argument("--found", action="store_true")
        child.add_argument("--pages", type=int)
        cargs = child.parse_args(argv)
        return {"_index": _child_index, "_warm": _child_warm, "_extract": _child_extract}[
            cargs.mode
        ](cargs)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", default=str(BENCH_DIR / "corpus"), help="folder of articles-N.jsonl"
    )
    parser.add_argument("--sizes", default="5000,20000,100000", help="tantivy sizes")
    parser.add_argument("--whoosh", default="5000", help="whoosh sizes ('' for none)")
    parser.add_argument("--cold", type=int, default=98, help="fresh-process queries per index")
    parser.add_argument(
        "--extract", type=int, default=300, help="pages for the extraction figure (0: skip)"
    )
    parser.add_argument("--work", default="/tmp/tantivy-scale", help="where indexes are built")
    parser.add_argument("--keep", action="store_true", help="keep the indexes")
    parser.add_argument("--json", default=None, help="also write every figure here")
    parser.add_argument(
        "--previous", default=None, help="a --json of an earlier run: its sizes join the table"
    )
    args = parser.parse_args(argv)
    Path(args.work).mkdir(parents=True, exist_ok=True)
    say(f"load {os.getloadavg()}")
    # an installed package has its bytecode; with PYTHONDONTWRITEBYTECODE (this sandbox) every
    # fresh `archive` process would compile the package's modules again (as bench/run.py)
    import archive

    subprocess.run(
        [PYTHON, "-m", "compileall", "-q", os.path.dirname(archive.__file__)], check=True
    )
    results: dict[str, dict[int, dict[str, Any]]] = {"tantivy": {}, "whoosh": {}}
    whoosh = [int(n) for n in args.whoosh.split(",") if n]
    extract = None
    if args.previous:
        old = json.loads(Path(args.previous).read_text())
        for engine, sizes in old["results"].items():
            results[engine].update({int(n): f for n, f in sizes.items()})
        extract = old.get("extract")
    if args.extract:
        say("extraction")
        extract = json.loads(
            _checked([PYTHON, str(Path(__file__)), "_extract", "--pages", str(args.extract)])[
                "stdout"
            ]
        )
        say(f"extraction: {extract}")
    for size in [int(n) for n in args.sizes.split(",")]:
        results["tantivy"][size] = measure("tantivy", size, args, found=size in whoosh)
        if size in whoosh:
            results["whoosh"][size] = measure("whoosh", size, args, found=True)
        if args.json:
            Path(args.json).write_text(json.dumps({"results": results, "extract": extract}))
    results = {e: r for e, r in results.items() if r}
    report(results, extract)
    say(f"load {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
