"""Benchmark `archive` against the naive baseline on a generated corpus, in one command.

    .venv/bin/python bench/run.py [--pages N] [--jobs J] [--skip-baseline] [--keep]
    .venv/bin/python bench/run.py --pages N --index bench/out/work-N-XXXX/archive-index
                                  (queries only, on an index kept by an earlier --keep run)
    .venv/bin/python bench/run.py --scale [--sizes 5000,20000,100000]   (bench/scale.py)

Builds (or reuses) bench/corpus/pages-N with bench/build_corpus.py, then measures for `archive`
and for the baseline (bench/baseline.py) on the same pages and the same query set:

- ingest pages/s, end to end: wall time of the ingest subprocess (`archive ingest CORPUS --index
  TMP --quiet`), interpreter start and imports included;
- re-ingest pages/s of the unchanged corpus (archive only);
- index size on disk and its ratio to the corpus bytes;
- peak memory of the ingest process tree: psutil samples the RSS of the process and all its
  children every 50 ms and keeps the largest sum (shared pages of forked workers count once per
  process, so this errs high) and the largest single process;
- warm query latency p50/p95 in-process: archive.search.search on one open searcher, the query
  set run once to warm, then once measured (baseline: QueryParser on one open searcher), with
  feedback off, on and the default (on for Persian-script queries) side by side (each query
  runs every way back to back), CPU beside wall;
- cold query wall time: a fresh `archive query` subprocess, median of 5 (file cache warm, the
  process cold), with --no-feedback, --feedback and neither, CPU beside wall; and a fresh
  process per query of the whole query set (feedback at its default): its p50/p95, CPU beside;
- `archive --help` wall time, median of 5.

Prints one line per figure (with the ratio to the baseline, the target and PASS/FAIL where a
target exists) and writes the same to bench/out/results-N.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
sys.path.insert(0, str(BENCH_DIR))

import baseline  # noqa: E402
import build_corpus  # noqa: E402

PYTHON = sys.executable
ARCHIVE = str(Path(PYTHON).with_name("archive"))
SAMPLE_SECONDS = 0.05
COLD_RUNS = 5
MIB = 1024 * 1024

# Targets from the issues: (figure, comparison, value, the corpus size the target is stated for)
TARGETS: dict[str, tuple[str, float, str]] = {
    "ingest_pages_per_s": (">=", 50.0, ""),
    "ingest_vs_baseline": (">=", 2.5, ""),
    "reingest_pages_per_s": (">=", 2000.0, "stated for 10,000 pages"),
    "peak_memory_mib": ("<", 1024.0, "stated for 20,000 pages"),
    "query_p50_ms": ("<=", 20.0, "stated for >= 20,000 pages"),
    "query_p95_ms": ("<=", 100.0, "stated for >= 20,000 pages"),
    "query_p95_feedback_ms": ("<=", 100.0, "stated for 20,000 pages, feedback on (issue 9)"),
    "cold_query_s": ("<=", 0.5, ""),
    "cold_query_feedback_s": ("<=", 0.5, "issue 9"),
    "cold_query_p95_s": ("<=", 0.5, "issue 14: stated for 16,000 pages"),
    "help_s": ("<=", 0.3, ""),
}


# --------------------------------------------------------------------------- measuring


class TreeSampler(threading.Thread):
    """Sample the RSS of a process and all its descendants every SAMPLE_SECONDS."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        import psutil

        self.psutil = psutil
        self.root = psutil.Process(pid)
        self.peak_sum = 0
        self.peak_single = 0
        self.max_procs = 0
        self.cpu_by_pid: dict[int, float] = {}  # last CPU seconds seen per process
        self.stop = threading.Event()

    def run(self) -> None:
        psutil = self.psutil
        while not self.stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            total = 0
            for proc in procs:
                try:
                    rss = proc.memory_info().rss
                    times = proc.cpu_times()
                except psutil.Error:
                    continue
                self.cpu_by_pid[proc.pid] = times.user + times.system
                total += rss
                self.peak_single = max(self.peak_single, rss)
            self.peak_sum = max(self.peak_sum, total)
            self.max_procs = max(self.max_procs, len(procs))
            self.stop.wait(SAMPLE_SECONDS)


def run_measured(cmd: list[str], *, ok_codes: tuple[int, ...] = (0,)) -> dict[str, Any]:
    """Run `cmd`, timing it and sampling its process tree's memory."""
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO_DIR)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds of the whole tree (workers included once reaped): much less sensitive than
    # wall time to other jobs on a shared machine. Workers forked by a fork server (ingest's
    # pool when the process runs threads: the tantivy engine) are reaped by the server, which
    # the ingest never waits for, so the rusage holds the root alone: then the sampled tree
    # (each process's last CPU seen, at most SAMPLE_SECONDS short per process) is the figure.
    reaped = (usage.ru_utime - usage_before.ru_utime) + (usage.ru_stime - usage_before.ru_stime)
    sampled = sum(sampler.cpu_by_pid.values())
    cpu = max(reaped, sampled)
    result = {
        "cmd": " ".join(cmd),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "cpu_seconds_reaped": reaped,
        "cpu_seconds_sampled": sampled,
        "exit_code": proc.returncode,
        "peak_rss_tree_mib": sampler.peak_sum / MIB,
        "peak_rss_single_mib": sampler.peak_single / MIB,
        "max_processes": sampler.max_procs,
        # Where the CPU went (last sample before each process ended): the root process against
        # its workers shows whether the work ran in parallel.
        "cpu_seconds_root": sampler.cpu_by_pid.get(proc.pid),
        "cpu_seconds_children_seen": sum(v for k, v in sampler.cpu_by_pid.items() if k != proc.pid),
        "cpu_parallelism": cpu / seconds if seconds else None,
        "stdout_tail": stdout.decode("utf-8", "replace")[-2000:],
        "stderr_tail": stderr.decode("utf-8", "replace")[-2000:],
    }
    if proc.returncode not in ok_codes:
        raise BenchError(
            f"{result['cmd']} exited {proc.returncode}: "
            + (result["stderr_tail"].strip().splitlines() or ["(no stderr)"])[-1]
        )
    return result


def wall_median(cmd: list[str], runs: int = COLD_RUNS) -> dict[str, Any]:
    """Median wall time of `runs` fresh runs of `cmd` (output discarded)."""
    times = []
    cpu = []
    code = 0
    for _ in range(runs):
        usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO_DIR)
        times.append(time.perf_counter() - start)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(
            (usage.ru_utime - usage_before.ru_utime) + (usage.ru_stime - usage_before.ru_stime)
        )
        code = code or done.returncode
        if done.returncode:
            raise BenchError(
                f"{' '.join(cmd)} exited {done.returncode}: "
                + (done.stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
            )
    return {
        "cmd": " ".join(cmd),
        "median_s": statistics.median(times),
        "cpu_median_s": statistics.median(cpu),
        "runs_s": times,
        "cpu_runs_s": cpu,
    }


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: a reported p95 is a latency that happened)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


class BenchError(Exception):
    """A step of the benchmark could not run; the message says which."""


# --------------------------------------------------------------------------- archive side


def _date_bounds(query: dict[str, Any]) -> tuple[Any, Any]:
    from archive.dates import parse_date_bound

    start = parse_date_bound(query["date_from"])[0] if query.get("date_from") else None
    end = parse_date_bound(query["date_to"])[1] if query.get("date_to") else None
    return start, end


def archive_queries(
    index_dir: Path, queries: list[dict[str, Any]], feedback: bool | None = None
) -> dict[str, Any]:
    """Warm latency of archive.search.search over the query set on one open searcher."""
    return archive_queries_side_by_side(index_dir, queries, {"": feedback})[""]


def archive_queries_side_by_side(
    index_dir: Path, queries: list[dict[str, Any]], variants: dict[str, bool | None]
) -> dict[str, dict[str, Any]]:
    """Warm latency of each feedback setting of `variants`, on one open searcher.

    One warm-up round of every setting, then one measured round in which every query runs
    once per setting back to back (so load from other processes falls on all settings alike).
    Wall and CPU (this process's user + system) time are taken per query.
    """
    from archive import search
    from archive.models import SearchFilters

    calls = []
    for q in queries:
        date_from, date_to = _date_bounds(q)
        authors = (q["author"],) if q.get("author") else ()
        per = {
            name: SearchFilters(
                authors=authors, date_from=date_from, date_to=date_to, feedback=feedback
            )
            for name, feedback in variants.items()
        }
        calls.append((q, per))
    times: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    totals: dict[str, dict[str, int]] = {name: {} for name in variants}
    with search.open_searcher(str(index_dir)) as searcher:
        for q, per in calls:  # warm-up round: load postings, caches, lazy imports
            for filters in per.values():
                search.search(searcher, q["q"], filters)
        for q, per in calls:
            for name, filters in per.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                result = search.search(searcher, q["q"], filters)
                cpu[name].append(time.process_time() - start_cpu)
                times[name].append(time.perf_counter() - start)
                totals[name][q["id"]] = result.total
    out = {}
    for name in variants:
        summary = _latency_summary(times[name], totals[name], queries)
        cpu_ms = [t * 1000 for t in cpu[name]]
        summary["cpu_p50_ms"] = percentile(cpu_ms, 50)
        summary["cpu_p95_ms"] = percentile(cpu_ms, 95)
        summary["feedback"] = variants[name]
        out[name] = summary
    return out


def _latency_summary(
    times: list[float], totals: dict[str, int], queries: list[dict[str, Any]]
) -> dict[str, Any]:
    ms = [t * 1000 for t in times]
    by_kind: dict[str, list[float]] = {}
    for q, t in zip(queries, ms, strict=True):
        by_kind.setdefault(q["kind"], []).append(t)
    return {
        "queries": len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "max_ms": max(ms),
        "mean_ms": statistics.fmean(ms),
        "zero_hit_queries": sorted(k for k, v in totals.items() if v == 0),
        "p50_ms_by_kind": {k: round(percentile(v, 50), 2) for k, v in sorted(by_kind.items())},
    }


def archive_doc_count(index_dir: Path) -> int | None:
    try:
        from archive.index import open_index

        ix = open_index(str(index_dir))
        try:
            return int(ix.doc_count())
        finally:
            ix.close()
    except Exception:  # noqa: BLE001 - a count is a nicety, not a figure
        return None


def read_report(path: Path) -> dict[str, Any]:
    """Outcome counts of an `archive ingest --report` file, and the first failure reasons."""
    counts: dict[str, int] = {}
    failures: list[str] = []
    if not path.exists():
        return {"counts": counts, "failures": failures}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        status = str(row.get("status"))
        counts[status] = counts.get(status, 0) + 1
        if status == "failed" and len(failures) < 5:
            failures.append(f"{row.get('location')}: {row.get('reason')}")
    return {"counts": counts, "failures": failures}


def _fold(value: str) -> str:
    """Compare as a reader would: Arabic ي/ك as Persian ی/ک, no ZWNJ/LRM/RLM differences."""
    # Fars titles use LRM/RLM where ZWNJ belongs; dropping or converting them is fine.
    for mark in ("\u200c", "\u200e", "\u200f"):
        value = value.replace(mark, "")
    value = value.replace("ي", "ی").replace("ك", "ک")
    return " ".join(value.split()).casefold()


def check_metadata(index_dir: Path, truth: list[dict[str, Any]]) -> dict[str, Any]:
    """Compare what ingest stored (title, authors, date, url, lang) with what the pages say.

    Documents are matched to pages by canonical URL, else by source path.
    """
    from archive import search

    by_url = {t["url"]: t for t in truth}
    by_path = {t["path"]: t for t in truth}
    right = dict.fromkeys(("title", "authors", "date", "url", "lang"), 0)
    wrong_examples: dict[str, list[str]] = {k: [] for k in right}
    matched = 0
    docs = 0
    with search.open_searcher(str(index_dir)) as searcher:
        for stored in searcher.all_stored_fields():
            docs += 1
            page = by_url.get(stored.get("url") or "")
            if page is None:
                source = str(stored.get("source") or "")
                page = next((by_path[p] for p in by_path if source.endswith(p)), None)
            if page is None:
                continue
            matched += 1
            date = stored.get("date") or 0
            got = {
                "title": _fold(str(stored.get("title") or "")) == _fold(page["title"]),
                "authors": [_fold(a) for a in stored.get("authors") or []]
                == [_fold(a) for a in page["authors"]],
                "date": f"{date:08d}" == page["date"].replace("-", ""),
                "url": stored.get("url") == page["url"],
                "lang": stored.get("lang") == page["lang"],
            }
            for key, ok in got.items():
                right[key] += ok
                if not ok and len(wrong_examples[key]) < 3:
                    wrong_examples[key].append(
                        f"{page['path']} ({page['layout']}): got "
                        f"{stored.get(key if key != 'authors' else 'authors')!r}"
                    )
    return {
        "docs": docs,
        "matched": matched,
        "pages": len(truth),
        "correct": {k: v / len(truth) for k, v in right.items()},
        "wrong_examples": {k: v for k, v in wrong_examples.items() if v},
    }


def ingest_cmd(
    corpus: Path, index_dir: Path, jobs: int | None, report: Path, engine: str | None = None
) -> list[str]:
    cmd = [ARCHIVE, "ingest", str(corpus), "--index", str(index_dir), "--quiet"]
    cmd += ["--report", str(report)]
    if engine:
        cmd += ["--engine", engine]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    return cmd


# --------------------------------------------------------------------------- baseline side


def baseline_queries(index_dir: Path, queries: list[dict[str, Any]]) -> dict[str, Any]:
    searcher, parser = baseline.open_baseline(index_dir)
    try:
        texts = [baseline.baseline_query_text(q) for q in queries]
        for text in texts:
            baseline.run_query(searcher, parser, text)
        times = []
        totals = {}
        for q, text in zip(queries, texts, strict=True):
            start = time.perf_counter()
            hits = baseline.run_query(searcher, parser, text)
            times.append(time.perf_counter() - start)
            totals[q["id"]] = len(hits)
    finally:
        searcher.close()
    return _latency_summary(times, totals, queries)


# --------------------------------------------------------------------------- report


def _check(name: str, value: float | None) -> tuple[str, bool | None]:
    if name not in TARGETS:
        return "", None
    op, target, note = TARGETS[name]
    text = f"target {op} {target:g}" + (f" ({note})" if note else "")
    if value is None:
        return text, None
    ok = {">=": value >= target, "<=": value <= target, "<": value < target}[op]
    return text, ok


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "docs":
        return f"{value:,.0f}"
    if unit in ("pages/s", "MiB", "ms", "%"):
        return f"{value:,.1f} {unit}"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:,.3f} {unit}".strip()


def figure(
    name: str,
    label: str,
    value: float | None,
    unit: str,
    *,
    baseline_value: float | None = None,
    higher_is_better: bool = True,
) -> dict[str, Any]:
    """One reported figure: value, baseline, ratio archive/baseline, target and verdict."""
    ratio = None
    if value is not None and baseline_value:
        ratio = value / baseline_value
    target_text, ok = _check(name, value)
    return {
        "name": name,
        "label": label,
        "value": value,
        "unit": unit,
        "baseline": baseline_value,
        "ratio": ratio,
        "higher_is_better": higher_is_better,
        "target": target_text or None,
        "pass": ok,
    }


def format_line(fig: dict[str, Any]) -> str:
    line = f"{fig['label']:<34} {_fmt(fig['value'], fig['unit']):>14}"
    if fig["baseline"] is not None:
        line += f"   baseline {_fmt(fig['baseline'], fig['unit']):>12}"
        if fig["ratio"] is not None:
            line += f"  ratio {fig['ratio']:.2f}"
    if fig["target"]:
        verdict = {True: "PASS", False: "FAIL", None: "NOT MEASURED"}[fig["pass"]]
        line += f"   [{fig['target']}: {verdict}]"
    return line


def format_side_by_side(by_engine: dict[str, list[dict[str, Any]]]) -> str:
    """One line per figure, a column per engine (the baseline, when measured, at the end)."""
    names = list(by_engine)
    lines = [f"{'figure':<34}" + "".join(f"{n:>16}" for n in names) + f"{'baseline':>16}"]
    columns = [{f["name"]: f for f in figs} for figs in by_engine.values()]
    for fig in by_engine[names[0]]:
        cells = [_fmt(col[fig["name"]]["value"], fig["unit"]) if fig["name"] in col else "n/a"
                 for col in columns]  # fmt: skip
        base = _fmt(fig["baseline"], fig["unit"]) if fig["baseline"] is not None else ""
        lines.append(f"{fig['label']:<34}" + "".join(f"{c:>16}" for c in cells) + f"{base:>16}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def run(args: argparse.Namespace) -> dict[str, Any]:
    pages = args.pages
    corpus = Path(args.corpus).resolve() if args.corpus else BENCH_DIR / "corpus" / f"pages-{pages}"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    queries_path = OUT_DIR / f"queries-{pages}.json"
    t0 = time.perf_counter()
    manifest = build_corpus.build_corpus(
        corpus, pages, seed=args.seed, data_dir=args.data, queries_path=queries_path
    )
    shutil.copyfile(queries_path, OUT_DIR / "queries.json")
    build_s = time.perf_counter() - t0
    how = "reused" if manifest.get("reused") else f"built in {build_s:.1f} s"
    queries = manifest["queries"]
    raw_bytes = manifest["bytes"]
    files = manifest["files"]
    say(
        f"corpus {corpus}: {files} files, {raw_bytes / MIB:,.1f} MiB, "
        f"{manifest['unique_pages']} unique + {manifest['duplicates']} exact duplicates "
        f"({manifest['duplicate_fraction']:.1%}), lang {manifest['lang']}, "
        f"layouts {manifest['layouts']}, encodings {manifest['encodings']}, "
        f"{len(queries)} queries ({how})"
    )
    # A fresh folder per run: two runs of the same size must not delete each other's indexes.
    work = Path(tempfile.mkdtemp(prefix=f"work-{pages}-", dir=OUT_DIR))
    busy = _busy_processes()
    if busy:
        say("bench: other busy processes (figures will be slower than on an idle machine): "
            + "; ".join(busy))  # fmt: skip
    results: dict[str, Any] = {
        "pages": pages,
        "jobs": args.jobs,
        "cpu_count": os.cpu_count(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "git_head": _git_head(),
        "corpus": {
            k: v for k, v in manifest.items() if k not in ("queries", "duplicate_files", "truth")
        },
        "load_average_start": os.getloadavg(),
        "busy_processes_start": busy,
        "work_dir": str(work),
        "memory_method": "psutil RSS of the process tree, sampled every 50 ms, peak of the sum",
        "archive": {},
        "baseline": {},
        "figures": [],
        "errors": [],
    }
    arc: dict[str, Any] = results["archive"]
    base: dict[str, Any] = results["baseline"]
    engines = args.engine.split(",")
    results["engine"] = engines[0]
    if len(engines) > 1:
        results["engines"] = {name: {} for name in engines}  # columns in the order given
    try:
        if args.index:
            # Queries only, on an index an earlier run kept (--keep): no ingest, no baseline.
            arc["errors"] = []
            arc["index_dir"] = str(args.index)
            arc["doc_count"] = archive_doc_count(Path(args.index))
            measure_queries(Path(args.index), queries, arc)
        else:
            _run_baseline(args, corpus, work, queries, raw_bytes, base)
            for engine in engines:
                # several engines: one index each, side by side in this run (results "engines")
                target = arc if engine == engines[0] else results["engines"].setdefault(engine, {})
                if len(engines) > 1:
                    say(f"engine {engine}:")
                _run_archive(
                    args, corpus, work, queries, raw_bytes, target, manifest["truth"], engine
                )
            if len(engines) > 1:
                results["engines"][engines[0]] = arc
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results["load_average_end"] = os.getloadavg()
    results["figures"] = _figures(files, manifest, arc, base)
    results["engine_figures"] = {
        name: _figures(files, manifest, found, base)
        for name, found in results.get("engines", {}).items()
    }
    results["errors"] = arc.get("errors", []) + base.get("errors", [])
    for name, found in results.get("engines", {}).items():
        if found is not arc:
            results["errors"] += [f"{name}: {e}" for e in found.get("errors", [])]
    return results


def _run_baseline(
    args: argparse.Namespace,
    corpus: Path,
    work: Path,
    queries: list[dict[str, Any]],
    raw_bytes: int,
    base: dict[str, Any],
) -> None:
    base["errors"] = []
    if args.skip_baseline:
        return
    index_dir = work / "baseline-index"
    say("baseline: ingest ...")
    try:
        base["ingest"] = run_measured(
            [PYTHON, str(BENCH_DIR / "baseline.py"), "ingest", str(corpus), str(index_dir)]
        )
        base["index_bytes"] = dir_bytes(index_dir)
        base["index_ratio"] = base["index_bytes"] / raw_bytes
        say("baseline: queries ...")
        base["warm"] = baseline_queries(index_dir, queries)
        cold_q = _cold_query(queries)
        base["cold"] = wall_median(
            [PYTHON, str(BENCH_DIR / "baseline.py"), "query", str(index_dir), cold_q["q"]]
        )
    except BenchError as exc:
        base["errors"].append(f"baseline: {exc}")
        say(f"baseline: {exc}")


def _run_archive(
    args: argparse.Namespace,
    corpus: Path,
    work: Path,
    queries: list[dict[str, Any]],
    raw_bytes: int,
    arc: dict[str, Any],
    truth: list[dict[str, Any]],
    engine: str = "whoosh",
) -> None:
    arc["errors"] = []
    arc["engine"] = engine
    index_dir = work / ("archive-index" if engine == "whoosh" else f"archive-index-{engine}")
    # Exit 3 = finished but some inputs were skipped (the corpus has none on purpose, but a
    # skipped page is a quality matter, not a reason to drop the speed figures).
    ok = (0, 3)
    try:
        arc["help"] = wall_median([ARCHIVE, "--help"])
    except BenchError as exc:
        arc["errors"].append(f"archive --help: {exc}")
    say("archive: ingest ...")
    try:
        report = work / "ingest-report.jsonl"
        arc["ingest"] = run_measured(
            ingest_cmd(corpus, index_dir, args.jobs, report, engine), ok_codes=ok
        )
        arc["ingest_outcomes"] = read_report(report)
        arc["index_bytes"] = dir_bytes(index_dir)
        arc["index_ratio"] = arc["index_bytes"] / raw_bytes
        arc["doc_count"] = archive_doc_count(index_dir)
        try:
            arc["metadata"] = check_metadata(index_dir, truth)
        except Exception as exc:  # noqa: BLE001 - a quality check, not a speed figure
            arc["errors"].append(f"metadata check: {type(exc).__name__}: {exc}")
        say("archive: re-ingest ...")
        report = work / "reingest-report.jsonl"
        arc["reingest"] = run_measured(
            ingest_cmd(corpus, index_dir, args.jobs, report), ok_codes=ok
        )
        arc["reingest_outcomes"] = read_report(report)
        arc["reingest_index_bytes"] = dir_bytes(index_dir)
        arc["reingest_doc_count"] = archive_doc_count(index_dir)
    except BenchError as exc:
        arc["errors"].append(f"archive ingest: {exc}")
        say(f"archive: {exc}")
        return
    measure_queries(index_dir, queries, arc)


def measure_queries(index_dir: Path, queries: list[dict[str, Any]], arc: dict[str, Any]) -> None:
    """Warm and cold query figures, feedback off, on and the default (on for Persian-script
    queries, search.rank.FEEDBACK_BY_SCRIPT) side by side; "warm"/"cold" are the default's."""
    say("archive: queries (feedback off, on, default) ...")
    try:
        both = archive_queries_side_by_side(
            index_dir,
            queries,
            {"warm_feedback_off": False, "warm_feedback_on": True, "warm_default": None},
        )
        arc.update(both)
        arc["warm"] = both["warm_default"]
    except Exception as exc:  # noqa: BLE001 - report and go on to the other figures
        arc["errors"].append(f"archive warm queries: {type(exc).__name__}: {exc}")
        say(f"archive: warm queries failed: {type(exc).__name__}: {exc}")
    compile_package()  # as installed: the cold figures below do not compile the package
    cold_q = _cold_query(queries)
    cmd = [ARCHIVE, "query", cold_q["q"], "--index", str(index_dir), "--limit", "10"]
    cold = (
        ("cold_feedback_off", ["--no-feedback"]),
        ("cold_feedback_on", ["--feedback"]),
        ("cold_default", []),
    )
    for name, flags in cold:
        try:
            arc[name] = wall_median([*cmd, *flags])
        except BenchError as exc:
            arc["errors"].append(f"archive query {' '.join(flags) or '(default)'}: {exc}")
    arc["cold"] = arc.get("cold_default")
    say(f"archive: a fresh `archive query` per query ({len(queries)}) ...")
    try:
        arc["cold_set"] = cold_query_set(index_dir, queries)
    except BenchError as exc:
        arc["errors"].append(f"archive query (fresh per query): {exc}")


def query_cli_args(q: dict[str, Any]) -> list[str]:
    """The `archive query` arguments of one query of the set (its author and date filters, and
    its sort where it has one); bench/engines.py and bench/tantivy_scale.py use it too."""
    args = [q["q"]] if q.get("q") else []
    for key, option in (("author", "--author"), ("date_from", "--from"),
                        ("date_to", "--to"), ("sort", "--sort")):  # fmt: skip
        if q.get(key):
            args += [option, q[key]]
    return args


def compile_package() -> None:
    """Byte-compile the archive package, untimed: an installed package has its bytecode; this
    checkout may not (this sandbox sets PYTHONDONTWRITEBYTECODE, so Python does not cache it,
    and every fresh process compiled ~60 modules: +0.16 s)."""
    import archive

    subprocess.run([PYTHON, "-m", "compileall", "-q", os.path.dirname(archive.__file__)],
                   stdout=subprocess.DEVNULL, cwd=REPO_DIR, check=False)  # fmt: skip


def cold_query_set(index_dir: Path, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """A fresh `archive query` process per query of the whole set: p50/p95 wall, CPU beside.

    What a user waits for at the prompt (interpreter start, imports, opening the index, the
    query), feedback at its default; the file cache is warm (one untimed run first).
    """
    compile_package()
    base = [ARCHIVE, "query", "--index", str(index_dir), "--limit", "10"]
    subprocess.run([*base, *query_cli_args(queries[0])], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, cwd=REPO_DIR, check=False)  # fmt: skip
    times: list[float] = []
    cpu: list[float] = []
    for q in queries:
        one = wall_median([*base, *query_cli_args(q)], runs=1)
        times.append(one["median_s"])
        cpu.append(one["cpu_median_s"])
    return {
        "queries": len(times),
        "p50_s": percentile(times, 50),
        "p95_s": percentile(times, 95),
        "cpu_p50_s": percentile(cpu, 50),
        "cpu_p95_s": percentile(cpu, 95),
        "runs_s": times,
        "cpu_runs_s": cpu,
    }


def _cold_query(queries: list[dict[str, Any]]) -> dict[str, Any]:
    """The cold-start query: the first Persian multi-word one (the heavier analysis path)."""
    for q in queries:
        if q["kind"] == "fa-multi":
            return q
    return queries[0]


def _get(d: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def _figures(
    files: int, manifest: dict[str, Any], arc: dict[str, Any], base: dict[str, Any]
) -> list[dict[str, Any]]:
    unique = manifest["unique_pages"]

    def rate(d: dict[str, Any], key: str) -> float | None:
        seconds = _get(d, key, "seconds")
        return files / seconds if seconds else None

    a_rate, b_rate = rate(arc, "ingest"), rate(base, "ingest")
    figs = [
        figure(
            "ingest_pages_per_s", "ingest (first run)", a_rate, "pages/s", baseline_value=b_rate
        ),
        figure(
            "ingest_vs_baseline",
            "ingest speed archive/baseline",
            a_rate / b_rate if a_rate and b_rate else None,
            "x",
        ),
        figure(
            "ingest_pages_per_cpu_s",
            "ingest pages per CPU-second",
            files / c if (c := _get(arc, "ingest", "cpu_seconds")) else None,
            "pages/s",
            baseline_value=files / b if (b := _get(base, "ingest", "cpu_seconds")) else None,
        ),
        figure(
            "ingest_parallelism",
            "ingest cores busy (CPU s / wall s)",
            _get(arc, "ingest", "cpu_parallelism"),
            "",
            baseline_value=_get(base, "ingest", "cpu_parallelism"),
        ),
        figure(
            "ingest_root_cpu_share",
            "ingest CPU share of the root process",
            _share(_get(arc, "ingest", "cpu_seconds_root"), _get(arc, "ingest", "cpu_seconds")),
            "%",
        ),
        figure(
            "reingest_pages_per_s", "re-ingest (unchanged corpus)", rate(arc, "reingest"), "pages/s"
        ),
        figure(
            "ingest_s",
            "ingest wall time",
            _get(arc, "ingest", "seconds"),
            "s",
            baseline_value=_get(base, "ingest", "seconds"),
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "reingest_s",
            "re-ingest wall time",
            _get(arc, "reingest", "seconds"),
            "s",
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "index_mib",
            "index size",
            _mib(arc.get("index_bytes")),
            "MiB",
            baseline_value=_mib(base.get("index_bytes")),
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "index_ratio",
            "index size / corpus bytes",
            arc.get("index_ratio"),
            "",
            baseline_value=base.get("index_ratio"),
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "peak_memory_mib",
            "peak memory, ingest tree (sum)",
            _get(arc, "ingest", "peak_rss_tree_mib"),
            "MiB",
            baseline_value=_get(base, "ingest", "peak_rss_tree_mib"),
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "peak_single_mib",
            "peak memory, largest process",
            _get(arc, "ingest", "peak_rss_single_mib"),
            "MiB",
            baseline_value=_get(base, "ingest", "peak_rss_single_mib"),
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "query_p50_ms",
            "warm query p50",
            _get(arc, "warm", "p50_ms"),
            "ms",
            baseline_value=_get(base, "warm", "p50_ms"),
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "query_p95_ms",
            "warm query p95",
            _get(arc, "warm", "p95_ms"),
            "ms",
            baseline_value=_get(base, "warm", "p95_ms"),
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "query_cpu_p95_ms",
            "warm query CPU p95 (default: feedback on for Persian-script queries)",
            _get(arc, "warm", "cpu_p95_ms"),
            "ms",
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "query_p95_feedback_ms",
            "warm query p95, --feedback",
            _get(arc, "warm_feedback_on", "p95_ms"),
            "ms",
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "query_p95_no_feedback_ms",
            "warm query p95, --no-feedback",
            _get(arc, "warm_feedback_off", "p95_ms"),
            "ms",
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "query_cpu_p95_feedback_ms",
            "warm query CPU p95, --feedback",
            _get(arc, "warm_feedback_on", "cpu_p95_ms"),
            "ms",
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "query_cpu_p95_no_feedback_ms",
            "warm query CPU p95, --no-feedback",
            _get(arc, "warm_feedback_off", "cpu_p95_ms"),
            "ms",
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "cold_query_s",
            "cold `archive query` (median of 5)",
            _get(arc, "cold", "median_s"),
            "s",
            baseline_value=_get(base, "cold", "median_s"),
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "cold_query_p95_s",
            "fresh `archive query` p95, whole query set",
            _get(arc, "cold_set", "p95_s"),
            "s",
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "cold_query_cpu_p95_s",
            "fresh `archive query` CPU p95, whole query set",
            _get(arc, "cold_set", "cpu_p95_s"),
            "s",
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "cold_query_feedback_s",
            "cold `archive query --feedback`",
            _get(arc, "cold_feedback_on", "median_s"),
            "s",
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "cold_query_no_feedback_s",
            "cold `archive query --no-feedback`",
            _get(arc, "cold_feedback_off", "median_s"),
            "s",
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "cold_query_cpu_feedback_s",
            "cold `archive query --feedback` CPU",
            _get(arc, "cold_feedback_on", "cpu_median_s"),
            "s",
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "cold_query_cpu_no_feedback_s",
            "cold `archive query --no-feedback` CPU",
            _get(arc, "cold_feedback_off", "cpu_median_s"),
            "s",
            higher_is_better=False,
        ),  # fmt: skip
        figure(
            "help_s",
            "`archive --help` (median of 5)",
            _get(arc, "help", "median_s"),
            "s",
            higher_is_better=False,
        ),  # fmt: skip
    ]
    docs = arc.get("doc_count")
    figs.append(figure("docs", f"indexed articles (unique pages {unique})", docs, "docs"))
    figs.append(figure("docs_after_reingest", "indexed articles after re-ingest",
                       arc.get("reingest_doc_count"), "docs"))  # fmt: skip
    outcomes = _get(arc, "ingest_outcomes", "counts")
    if outcomes is not None:
        figs.append(figure("reported_duplicates",
                           f"ingest: duplicates (exact copies {manifest['duplicates']})",
                           outcomes.get("duplicate", 0), "docs"))  # fmt: skip
        figs.append(figure("reported_failed", "ingest: failed pages",
                           outcomes.get("failed", 0), "docs"))  # fmt: skip
    re_outcomes = _get(arc, "reingest_outcomes", "counts")
    if re_outcomes is not None:
        figs.append(figure("reingest_unchanged", "re-ingest: unchanged pages",
                           re_outcomes.get("unchanged", 0), "docs"))  # fmt: skip
    for key, share in (_get(arc, "metadata", "correct") or {}).items():
        figs.append(figure(f"meta_{key}", f"extracted {key} correct", share * 100, "%"))
    return figs


def _busy_processes() -> list[str]:
    """Other processes using a lot of CPU right now (a shared machine skews every figure)."""
    import psutil

    me = os.getpid()
    procs = [p for p in psutil.process_iter(["pid", "cmdline"]) if p.info["pid"] != me]
    for proc in procs:
        try:
            proc.cpu_percent(None)
        except psutil.Error:
            pass
    time.sleep(0.5)
    busy = []
    for proc in procs:
        try:
            cpu = proc.cpu_percent(None)
        except psutil.Error:
            continue
        if cpu >= 30:
            cmd = " ".join(" ".join(proc.info["cmdline"] or []).split())[:100]
            busy.append(f"pid {proc.info['pid']} {cpu:.0f}% {cmd}")
    return busy


def _share(part: float | None, whole: float | None) -> float | None:
    return 100 * part / whole if part is not None and whole else None


def _mib(value: int | None) -> float | None:
    return value / MIB if value is not None else None


def _git_head() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO_DIR
        )
        return done.stdout.strip() or None
    except OSError:
        return None


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--scale" in argv:  # the growth figures: bench/scale.py takes the other options
        import scale

        return scale.main([a for a in argv if a != "--scale"])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="corpus size (default 2000)")
    parser.add_argument("--jobs", type=int, default=None, help="passed to `archive ingest --jobs`")
    parser.add_argument("--skip-baseline", action="store_true", help="measure archive only")
    parser.add_argument(
        "--keep", action="store_true", help="keep the indexes in bench/out/work-N-*/"
    )
    parser.add_argument(
        "--corpus",
        help="corpus folder (default bench/corpus/pages-N; another folder leaves a corpus that "
        "someone else is reading alone, as a rebuild replaces the folder)",
    )
    parser.add_argument(
        "--index",
        help="measure only the queries, on this archive index of the corpus (kept by an earlier "
        "--keep run, in bench/out/work-N-*/archive-index): no ingest, no baseline",
    )
    parser.add_argument(
        "--engine",
        default="whoosh",
        help="the engine of the archive index; several, comma-separated (whoosh,tantivy), "
        "each get their own index and are printed side by side",
    )
    parser.add_argument("--seed", type=int, default=build_corpus.DEFAULT_SEED)
    parser.add_argument("--data", default=str(build_corpus.DEFAULT_DATA_DIR))
    args = parser.parse_args(argv)
    if args.pages < 1:
        parser.error("--pages must be at least 1")
    if not Path(ARCHIVE).exists():
        say(f"bench: the `archive` command is not installed next to {PYTHON}")
        return 1
    try:
        results = run(args)
    except build_corpus.DataMissingError as exc:
        say(f"bench: {exc}")
        return 1
    except KeyboardInterrupt:
        say("bench: interrupted")
        return 130
    engine_figures = results.get("engine_figures") or {}
    if len(engine_figures) > 1:
        print(format_side_by_side(engine_figures), flush=True)
    else:
        for fig in results["figures"]:
            print(format_line(fig), flush=True)
    for error in results["errors"]:
        print(f"error: {error}")
    out = OUT_DIR / f"results-{args.pages}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    say(f"wrote {out.relative_to(REPO_DIR)}")
    failed = [f["name"] for f in results["figures"] if f["pass"] is False]
    missing = [f["name"] for f in results["figures"] if f["target"] and f["pass"] is None]
    if results["errors"]:
        return 1
    return 0 if not failed and not missing else 3


if __name__ == "__main__":
    sys.exit(main())
