"""How archive's costs grow with the archive: each figure at several sizes, with its exponent.

    .venv/bin/python bench/scale.py [--sizes 5000,20000] [--skip-ingest] [--profile]
                                    [--policies whoosh,small,log] [--modes writer,upsert]
    .venv/bin/python bench/run.py --scale [--sizes 5000,20000,100000]       (the same)

For each size N (default 5,000 and 20,000 pages) it measures, each in a fresh subprocess whose
CPU time (user+sys, from wait4) and peak RSS are its own:

- ingest CPU per page: `archive ingest bench/corpus/pages-N --quiet` (extraction included;
  the process tree's CPU, workers included);
- index-only CPU per page: the articles the corpus generator wrote (bench/corpus/articles-N,
  the text and facts of the pages, no HTML), written by `IndexWriter` as ingest's main process
  does (pre-analysed fields, ingest's lookups per page, commits of BATCH_DOCS) and, with
  `--modes writer,upsert`, by `upsert_articles` (whoosh runs the analysis); the analysis CPU
  is reported apart; once per merge policy of `--policies` (index.MERGE_POLICY);
- index size per page; warm query p50/p95 over the corpus's query set (bench/run.py's
  in-process measure on one open searcher; median of 3 interleaved rounds per index);
- peak RSS of `archive stats` and `archive export --format jsonl` over the index.

Between each pair of sizes it prints the growth exponent of each figure's total (the log-log
slope: 1.0 is linear in N; for per-page figures read "exponent of the total"). Corpora and
article files are built once and reused (git-ignored, under bench/corpus/); the indexes are
built anew in bench/out/scale-N/ each run. Results go to bench/out/scale.json (after each size).

With --profile the index-only run is also profiled (cProfile) at each size, and the functions
whose cumulative time grows fastest between the first and the last size are printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import json
import math
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
CORPUS_DIR = BENCH_DIR / "corpus"
OUT_DIR = BENCH_DIR / "out"
sys.path.insert(0, str(BENCH_DIR))

import build_corpus  # noqa: E402

PYTHON = sys.executable
ARCHIVE = str(Path(PYTHON).with_name("archive"))
MIB = 1024 * 1024
ARTICLES_VERSION = 1


# --------------------------------------------------------------------------- inputs


def articles_path(pages: int) -> Path:
    return CORPUS_DIR / f"articles-{pages}.jsonl"


def build_articles(pages: int, *, seed: int, data_dir: Path) -> dict[str, Any]:
    """Write bench/corpus/articles-N.jsonl (Article.as_dict per line) and its query set.

    The same pages as build_corpus's pages-N (same seed), unrendered: what a perfect
    extraction of each page gives. Reused when its header matches.
    """
    from archive.models import Article

    path = articles_path(pages)
    meta_path = path.with_suffix(".meta.json")
    key = {"version": ARTICLES_VERSION, "pages": pages, "seed": seed}
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if all(meta.get(k) == v for k, v in key.items()):
            return dict(meta)
    CORPUS_DIR.mkdir(parents=True, exist_ok=True)
    kept: list[build_corpus.Page] = []
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for page in build_corpus.iter_pages(pages, seed=seed, data_dir=data_dir, render=False):
            item = page.item
            assert item is not None
            article = Article(
                id=hashlib.sha256(page.url.encode()).hexdigest()[:16],
                title=item.title,
                body="\n\n".join(item.paragraphs),
                lang=page.lang,
                source=f"/bench/pages-{pages}/{page.path}",
                url=page.url,
                site=page.site,
                summary=item.lead or None,
                authors=list(page.authors),
                date=page.date,
                tags=list(item.tags),
                encoding=page.encoding,
            )
            out.write(json.dumps(article.as_dict(), ensure_ascii=False) + "\n")
            page.item = None
            kept.append(page)
    os.replace(tmp, path)
    meta = {**key, "articles": len(kept), "queries": build_corpus.make_queries(kept, seed=seed)}
    meta_path.write_text(json.dumps(meta, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta


def iter_articles(path: Path) -> Any:
    from archive.models import Article

    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield Article.from_dict(json.loads(line))


# --------------------------------------------------------------------------- measuring


def run_child(cmd: list[str], *, stdout: Any = subprocess.PIPE) -> dict[str, Any]:
    """Run `cmd`; return its wall time, CPU seconds (its whole tree) and peak RSS (largest)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, cwd=REPO_DIR)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])}... exited {proc.returncode}: {err[-800:]!r}")
    return {"wall_s": wall, "stdout": out, "stderr": err}


def measured(cmd: list[str], *, stdout: Any = subprocess.PIPE) -> dict[str, Any]:
    """run_child in a fresh `_wrap` process, so the rusage is this command's alone."""
    wrapped = [PYTHON, str(Path(__file__)), "_wrap", "--", *cmd]
    with_out = run_child(wrapped, stdout=stdout)
    info = json.loads(with_out["stderr"].decode().strip().splitlines()[-1])
    info["stdout"] = with_out["stdout"]
    return dict(info)


def _wrap(cmd: list[str]) -> int:
    """Run `cmd`, then print its tree's CPU seconds, peak RSS and wall time as JSON on stderr."""
    import resource

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE)
    _out, err = proc.communicate()
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stderr.write(err.decode(errors="replace")[-2000:])
        return proc.returncode
    info = {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mib": usage.ru_maxrss / 1024,  # KiB on Linux; the largest process of the tree
        "child_stderr": err.decode(errors="replace")[-400:],
    }
    sys.stderr.write(json.dumps(info) + "\n")
    return 0


def _index_only(args: argparse.Namespace) -> int:
    """Child: write articles-N into a fresh index; print CPU/wall of each stage as JSON."""
    import cProfile

    from archive import index as ix
    from archive.ingest import BATCH_DOCS
    from archive.manifest import PageRecord
    from archive.stored import article_to_fields

    ix.MERGE_POLICY = args.policy
    out = Path(args.index)
    if out.exists():
        shutil.rmtree(out)
    source = articles_path(args.pages)
    # CPU time, not wall time: other jobs on the machine must not inflate the profile
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    result: dict[str, Any] = {"mode": args.mode, "policy": args.policy}
    if args.mode == "upsert":
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        count = ix.upsert_articles(str(out), iter_articles(source))
        if profiler:
            profiler.disable()
        result.update(cpu_s=time.process_time() - cpu0, wall_s=time.perf_counter() - wall0)
    else:
        # ingest's main process: fields analysed (in workers, there: timed apart), the
        # lookups of ingest._triage and _store per page, put, a commit per BATCH_DOCS
        analysis = writing = 0.0
        wall0 = time.perf_counter()
        articles = iter_articles(source)
        count = 0
        commit_log = open(args.commit_log, "w") if args.commit_log else None  # noqa: SIM115
        with ix.IndexWriter(str(out)) as writer:
            while True:
                cpu0 = time.process_time()
                batch = [
                    ix.preanalyze_fields(article_to_fields(a))
                    for a in itertools.islice(articles, BATCH_DOCS)
                ]
                cpu1 = time.process_time()
                analysis += cpu1 - cpu0
                if profiler:
                    profiler.enable()
                for doc in batch:
                    key = doc["source_path"]
                    digest = hashlib.sha256(key.encode()).hexdigest()
                    doc["content_hash"] = digest
                    doc["source_key"] = key
                    if writer.page(key) is None and writer.by_content_hash(digest) is None:
                        existing = writer.has_doc(doc["id"]) or writer.doc_by_text_hash(
                            doc["text_hash"]
                        )
                        if not existing:
                            writer.put(doc, replace=False)
                        writer.record_page(
                            PageRecord(key, key, 1, 0.0, digest, doc["id"], "indexed")
                        )
                count += len(batch)
                if batch:
                    writer.commit()
                else:
                    writer.finish()
                if profiler:
                    profiler.disable()
                writing += time.process_time() - cpu1
                if commit_log and batch:  # the batch's CPU (lookups, puts, commit, merge)
                    sizes = [leaf.doc_count_all() for leaf, _own in writer._leaves()]
                    commit_log.write(json.dumps({
                        "docs": count, "cpu_s": time.process_time() - cpu1, "segments": sizes,
                    }) + "\n")  # fmt: skip
                if not batch:
                    break
        result.update(cpu_s=writing, analysis_cpu_s=analysis, wall_s=time.perf_counter() - wall0)
        if commit_log:
            commit_log.close()
    if profiler:
        profiler.dump_stats(args.profile)
    result["documents"] = count
    result["segments"] = _segments(out)
    print(json.dumps(result))
    return 0


def _segments(index_dir: Path) -> int:
    from archive import index as ix

    # Not mmap'ed: whoosh's own BufferFile (archive.search's fence is not installed here)
    # copies each segment file it opens into memory, and this runs in the measured process:
    # counting the segments of the 148 MB index of 20,000 articles peaked at 241 MiB with mmap,
    # 34 MiB without (it inflated the index-only peak RSS bench/README.md gave until 3 Dec).
    with ix.open_index(str(index_dir), mmap=False).reader() as reader:
        return len(list(reader.leaf_readers())) if not reader.is_atomic() else 1


def _queries(args: argparse.Namespace) -> int:
    """Child: warm p50/p95 of the query set on the index (bench/run.py's measure)."""
    import run as bench_run

    meta = json.loads(articles_path(args.pages).with_suffix(".meta.json").read_text("utf-8"))
    summary = bench_run.archive_queries(Path(args.index), meta["queries"])
    print(json.dumps({k: summary[k] for k in ("p50_ms", "p95_ms", "mean_ms", "queries")}))
    return 0


QUERY_ROUNDS = 3


def query_rounds(pages: int, indexes: dict[str, Path]) -> dict[str, Any]:
    """Warm query latency of each index, QUERY_ROUNDS fresh processes each, interleaved.

    Wall-time latencies move with the machine's load: the indexes take turns, and each figure
    is the median over the rounds (all rounds are kept under "rounds").
    """
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in indexes}
    for r in range(QUERY_ROUNDS):
        for name, index_dir in indexes.items():
            say(f"[{pages}] warm queries ({name} merges, round {r + 1})")
            cmd = [PYTHON, str(Path(__file__)), "_queries", str(pages), str(index_dir)]
            info = measured(cmd)
            rounds[name].append(json.loads(info["stdout"].decode().strip().splitlines()[-1]))
    out: dict[str, Any] = {}
    for name, runs in rounds.items():
        out[f"queries_{name}"] = {
            key: statistics.median(run[key] for run in runs)
            for key in ("p50_ms", "p95_ms", "mean_ms")
        } | {"rounds": runs}
    return out


def slope(points: list[tuple[int, float | None]]) -> list[float | None]:
    """Log-log slopes between consecutive (N, total) points."""
    out: list[float | None] = []
    for (n0, v0), (n1, v1) in zip(points, points[1:], strict=False):
        if not v0 or not v1 or v0 <= 0 or v1 <= 0:
            out.append(None)
        else:
            out.append(math.log(v1 / v0) / math.log(n1 / n0))
    return out


def top_growth(profiles: list[tuple[int, str]], limit: int = 15) -> list[str]:
    """Functions whose cumulative time grows fastest from the first profile to the last."""
    (n0, p0), (n1, p1) = profiles[0], profiles[-1]
    first = pstats.Stats(p0).stats  # type: ignore[attr-defined]
    last = pstats.Stats(p1).stats  # type: ignore[attr-defined]
    total1 = max(v[3] for v in last.values())
    rows = []
    for func, (_cc, _nc, _tt, ct1, _callers) in last.items():
        if ct1 < 0.02 * total1 or func not in first:
            continue
        ct0 = first[func][3]
        if ct0 <= 0:
            continue
        exp = math.log(ct1 / ct0) / math.log(n1 / n0)
        rows.append((exp, ct0, ct1, func))
    rows.sort(key=lambda r: (-r[0], -r[2]))
    return [
        f"  N^{exp:.2f}  {ct0:7.2f} s -> {ct1:7.2f} s  {os.path.basename(f[0])}:{f[1]} {f[2]}"
        for exp, ct0, ct1, f in rows[:limit]
    ]


# --------------------------------------------------------------------------- the run


def measure_size(pages: int, args: argparse.Namespace) -> dict[str, Any]:
    fig: dict[str, Any] = {"pages": pages}
    say(f"[{pages}] articles file")
    meta = build_articles(pages, seed=args.seed, data_dir=Path(args.data))
    docs = meta["articles"]
    fig["articles"] = docs
    work = OUT_DIR / f"scale-{pages}"
    for policy in args.policies:
        for mode in args.modes:
            target = work / f"index-{mode}-{policy}"
            cmd = [PYTHON, str(Path(__file__)), "_index", str(pages), str(target)]
            cmd += ["--mode", mode, "--policy", policy]
            prof = work / f"profile-{mode}-{policy}.prof"
            if args.profile and mode == "writer":
                cmd += ["--profile", str(prof)]
            say(f"[{pages}] index-only ({mode}, {policy} merges)")
            info = measured(cmd)
            child = json.loads(info["stdout"].decode().strip().splitlines()[-1])
            fig[f"index_{mode}_{policy}"] = {
                **child,
                "tree_cpu_s": info["cpu_s"],
                "peak_rss_mib": info["peak_rss_mib"],
                "tree_wall_s": info["wall_s"],
            }
            if args.profile and mode == "writer":
                fig[f"profile_{policy}"] = str(prof)
            if mode == "upsert":
                shutil.rmtree(target, ignore_errors=True)
                continue
            # the writer-mode index is the one queried (what ingest builds, minus the HTML)
            fig[f"index_bytes_{policy}"] = _gen_bytes(target)
    fig.update(query_rounds(pages, {p: work / f"index-writer-{p}" for p in args.policies}))
    index_dir = work / f"index-writer-{args.policies[-1]}"
    import run as bench_run

    say(f"[{pages}] a fresh `archive query` per query")
    fig["cold_set"] = {
        k: v for k, v in bench_run.cold_query_set(index_dir, meta["queries"]).items()
    }
    for name, cmd in (
        ("stats", [ARCHIVE, "stats", "--index", str(index_dir)]),
        ("export", [ARCHIVE, "export", "--index", str(index_dir), "--format", "jsonl"]),
    ):
        say(f"[{pages}] {name} memory")
        with open(os.devnull, "wb") as sink:
            info = measured(cmd, stdout=sink)
        fig[name] = {"peak_rss_mib": info["peak_rss_mib"], "cpu_s": info["cpu_s"],
                     "wall_s": info["wall_s"]}  # fmt: skip
    if not args.skip_ingest:
        corpus = CORPUS_DIR / f"pages-{pages}"
        say(f"[{pages}] corpus")
        manifest = build_corpus.build_corpus(
            corpus, pages, seed=args.seed, data_dir=args.data,
            queries_path=OUT_DIR / f"queries-{pages}.json",
        )  # fmt: skip
        target = OUT_DIR / f"scale-{pages}" / "ingest"
        shutil.rmtree(target, ignore_errors=True)
        say(f"[{pages}] full ingest")
        cmd = [ARCHIVE, "ingest", str(corpus), "--index", str(target), "--quiet"]
        if args.jobs:
            cmd += ["--jobs", str(args.jobs)]
        info = measured(cmd)
        fig["ingest"] = {
            "files": manifest["files"],
            "cpu_s": info["cpu_s"],
            "wall_s": info["wall_s"],
            "peak_rss_mib": info["peak_rss_mib"],
        }
        if not args.keep:
            shutil.rmtree(target, ignore_errors=True)
    return fig


def _gen_bytes(index_dir: Path) -> int:
    from archive import index as ix

    return ix.index_size(str(index_dir))


def _figures(policies: list[str]) -> tuple[list[Any], list[Any]]:
    """(label, unit, getter of the total) rows: per-page rows divide the total by N."""
    per_page: list[Any] = [
        ("ingest CPU per page", "ms", lambda f: f.get("ingest", {}).get("cpu_s")),
        ("ingest wall per page", "ms", lambda f: f.get("ingest", {}).get("wall_s")),
    ]
    levels: list[Any] = []
    for p in policies:
        per_page += [
            (f"index-only CPU/page, IndexWriter [{p}]", "ms",
             lambda f, p=p: f[f"index_writer_{p}"]["cpu_s"]),
            (f"index-only wall/page, IndexWriter [{p}]", "ms",
             lambda f, p=p: f[f"index_writer_{p}"]["wall_s"]),
            (f"index-only CPU/page, upsert_articles [{p}]", "ms",
             lambda f, p=p: f[f"index_upsert_{p}"]["cpu_s"]),
            (f"index size per page [{p}]", "KiB", lambda f, p=p: f[f"index_bytes_{p}"] / 1024),
        ]  # fmt: skip
        levels += [
            (f"warm query p50 [{p}]", "ms", lambda f, p=p: f[f"queries_{p}"]["p50_ms"]),
            (f"warm query p95 [{p}]", "ms", lambda f, p=p: f[f"queries_{p}"]["p95_ms"]),
            (f"segments [{p}]", "", lambda f, p=p: f[f"index_writer_{p}"]["segments"]),
            (f"index-only peak RSS [{p}]", "MiB",
             lambda f, p=p: f[f"index_writer_{p}"]["peak_rss_mib"]),
        ]  # fmt: skip
    per_page.append(
        ("analysis CPU/page (ingest: in workers)", "ms",
         lambda f: f[f"index_writer_{policies[-1]}"]["analysis_cpu_s"])
    )  # fmt: skip
    levels += [
        ("fresh `archive query` p95 (whole set)", "s", lambda f: f["cold_set"]["p95_s"]),
        ("fresh `archive query` CPU p95", "s", lambda f: f["cold_set"]["cpu_p95_s"]),
        ("stats peak RSS", "MiB", lambda f: f["stats"]["peak_rss_mib"]),
        ("export peak RSS", "MiB", lambda f: f["export"]["peak_rss_mib"]),
        ("export CPU", "s", lambda f: f["export"]["cpu_s"]),
    ]
    return per_page, levels


def report(figs: list[dict[str, Any]], policies: list[str]) -> list[str]:
    lines = []
    sizes = " / ".join(f"{f['pages']:,}" for f in figs)
    lines.append(f"pages: {sizes}   (exponent: log-log slope of the total between sizes)")

    def fmt_row(label: str, unit: str, get: Any, per_page: bool) -> str | None:
        try:
            totals = [get(f) for f in figs]
        except KeyError:
            return None
        if all(t is None for t in totals):
            return None
        shown = []
        for f, t in zip(figs, totals, strict=True):
            if t is None:
                shown.append("-")
            else:
                value = t / f["pages"] * (1000 if unit == "ms" else 1) if per_page else t
                shown.append(f"{value:.3g}")
        exps = slope([(f["pages"], t) for f, t in zip(figs, totals, strict=True)])
        exp_txt = ", ".join("-" if e is None else f"N^{e:.2f}" for e in exps)
        return f"{label:44s} {' / '.join(shown):>24s} {unit:4s} growth {exp_txt}"

    per_page, levels = _figures(policies)
    for label, unit, get in per_page:
        row = fmt_row(label, unit, get, True)
        if row:
            lines.append(row)
    for label, unit, get in levels:
        row = fmt_row(label, unit, get, False)
        if row:
            lines.append(row)
    return lines


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_wrap":
        return _wrap(argv[2:] if argv[1:2] == ["--"] else argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = argv[0] if argv and argv[0] in ("_index", "_queries") else None
    if sub:
        parser.add_argument("pages", type=int)
        parser.add_argument("index")
        parser.add_argument("--mode", choices=("writer", "upsert"), default="writer")
        parser.add_argument("--profile", default=None)
        parser.add_argument(
            "--commit-log", default=None, help="_index: a JSON line per batch to this file"
        )
        parser.add_argument("--policy", choices=("log", "small", "whoosh"), default="small")
        args = parser.parse_args(argv[1:])
        return _index_only(args) if sub == "_index" else _queries(args)
    parser.add_argument("--sizes", default="5000,20000", help="comma-separated page counts")
    parser.add_argument("--skip-ingest", action="store_true", help="index-only figures only")
    parser.add_argument("--profile", action="store_true", help="cProfile the index-only runs")
    parser.add_argument(
        "--policies",
        default="small",
        help="merge policies to compare, comma-separated: whoosh (whoosh's writer), small "
        "(the default: whoosh's choice, our streaming merge), log (Lucene's log policy)",
    )
    parser.add_argument(
        "--modes",
        default="writer",
        help="index-only paths: writer (IndexWriter as ingest uses it), upsert (upsert_articles)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the full-ingest indexes")
    parser.add_argument("--jobs", type=int, default=None, help="passed to `archive ingest`")
    parser.add_argument("--seed", type=int, default=build_corpus.DEFAULT_SEED)
    parser.add_argument("--data", default=str(build_corpus.DEFAULT_DATA_DIR))
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    args.policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if "writer" not in args.modes or not set(args.modes) <= {"writer", "upsert"}:
        parser.error("--modes takes writer and optionally upsert")
    if not set(args.policies) <= {"log", "small", "whoosh"}:
        parser.error("--policies takes log and/or whoosh")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    figs: list[dict[str, Any]] = []
    out = OUT_DIR / "scale.json"
    try:
        for pages in sizes:
            figs.append(measure_size(pages, args))
            # after each size, so that a run cut short keeps what it measured
            partial = {"started": started, "git": _git_head(), "sizes": sizes, "figures": figs}
            out.write_text(json.dumps(partial, indent=1, default=str) + "\n")
    except build_corpus.DataMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    lines = report(figs, args.policies)
    if args.profile and len(figs) > 1:
        for p in args.policies:
            lines.append(f"IndexWriter [{p}]: functions whose cumulative time grows fastest:")
            lines += top_growth([(f["pages"], f[f"profile_{p}"]) for f in figs])
    print("\n".join(lines))
    result = {"started": started, "git": _git_head(), "sizes": sizes, "figures": figs,
              "lines": lines, "loadavg": os.getloadavg()}  # fmt: skip
    out.write_text(json.dumps(result, indent=1, default=str) + "\n")
    return 0


def _git_head() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, cwd=REPO_DIR, check=True)  # fmt: skip
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


if __name__ == "__main__":
    sys.exit(main())
