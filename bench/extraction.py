"""Measure extraction quality and speed on public test pages in ../shared/data.

    .venv/bin/python bench/extraction.py            # everything
    .venv/bin/python bench/extraction.py --body     # only the scrapinghub body benchmark
    .venv/bin/python bench/extraction.py --show ID  # print our body for one scrapinghub page
    .venv/bin/python bench/extraction.py --dates    # only the dates (htmldate's 800 pages)

Body quality: the scrapinghub article-extraction-benchmark's own measure, re-implemented here
(shingles of 4 consecutive `\\w+` tokens, per-page TP/FP/FN normalised to sum 1, precision and
recall averaged over pages, F1 from those averages). The extractors' published outputs in its
`output/` folder are scored by the same code on the same 181 pages, so the table is a fair
comparison. Also: title/author/date agreement on newspaper4k and goose3 test pages, date and
title on VOA Dari pages, and pages per second on one core (parse + extract, files read first).

Peers run live in the same process when installed (the bench extra): trafilatura on the
scrapinghub pages (body F1 and CPU seconds, metadata on; the ratio of pages per CPU-second is
printed), trafilatura and newspaper4k on mozilla/readability's test pages for title exact
match (`--titles --readability DIR`, DIR = a clone's test/test-pages). Measured 2026-12-03:
archive 82-87 pages/s, trafilatura 2.3.1 45-48 (1.78-1.85x), F1 0.981 (P 0.979, R 0.983) vs
0.958 (P 0.939, R 0.978); titles 0.819 (real sites 0.787) vs trafilatura 0.646 (0.777) and
newspaper4k 0.717 (0.691).

Dates: htmldate's own evaluation set (../shared/data/htmldate-eval-default, 800 pages with the
publication day as gold), archive beside htmldate (fast and extensive mode, original_date=True)
and trafilatura (its metadata extraction, which calls htmldate), all with the page's URL, in
the same run: one line per system with exact-day accuracy, pages without a date, and pages
per CPU-second (archive extracts every field, the peers only the date); the same on the VOA
Dari pages. Measured 2026-12-03: archive 0.920, htmldate extensive 0.906, fast 0.866,
trafilatura 0.906.

Floors the extractor must not fall below are in FLOORS; the script exits 1 when one is missed.
The issue's targets were F1 0.93 and 40 pages/s; measured 2026-11-26 on the shared 2-core box
(load ~7): F1 0.969 (P 0.969, R 0.968), 52-60 pages/s; 0.981 since 2026-12-03 (issue 10:
link density judged per paragraph and list, repeats kept unless copies, related boxes and
embedded posts); the F1 floor sits just under that.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import logging
import os
import re
import sys
import tarfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archive.errors import ExtractionError
from archive.extract import extract_article
from archive.models import RawPage

_REPO = Path(__file__).resolve().parents[1]
# ../shared/data beside the checkout, or two levels up for a clone in a work folder
DATA = Path(
    os.environ.get("ARCHIVE_BENCH_DATA")
    or next(
        (
            p
            for p in (_REPO.parent / "shared" / "data", _REPO.parent.parent / "shared" / "data")
            if p.exists()
        ),
        _REPO.parent / "shared" / "data",
    )
)
SCRAPINGHUB = DATA / "scrapinghub-article-extraction-benchmark"
NEWSPAPER = DATA / "newspaper4k-testdata" / "tests" / "data"
GOOSE = DATA / "goose3-testdata" / "tests" / "data"
VOA = DATA / "voa-dari-articles"
# mozilla/readability's test pages (Apache-2.0): `git clone https://github.com/mozilla/readability`
# and pass --readability readability/test/test-pages, or copy that folder here
READABILITY = DATA / "readability-test-pages"
REAL_SITE_BYTES = 8000  # readability's hand-written feature tests are smaller; its 94 sites not

HTMLDATE_EVAL = DATA / "htmldate-eval-default"

FLOORS = {"body_f1": 0.975, "pages_per_second": 40.0, "date_exact": 0.915}

_TOKEN = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(
        tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n]
    )


def tp_fp_fn(true: str, pred: str) -> tuple[float, float, float]:
    """Shingle TP/FP/FN of one page, normalised so long pages weigh no more than short ones."""
    t, p = _shingles(true), _shingles(pred)
    tp = fp = fn = 0.0
    for key in t.keys() | p.keys():
        tc, pc = t.get(key, 0), p.get(key, 0)
        tp += min(tc, pc)
        fp += max(0, pc - tc)
        fn += max(0, tc - pc)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def score(rows: list[tuple[float, float, float]]) -> dict[str, float]:
    precisions = [_precision(*r) for r in rows if r[0] + r[1] > 0]
    recalls = [_recall(*r) for r in rows if r[0] + r[2] > 0]
    p = sum(precisions) / len(precisions)
    r = sum(recalls) / len(recalls)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r)}


def _extract_body(location: str, data: bytes, url: str | None = None) -> str:
    try:
        return extract_article(RawPage(location, data, url=url)).body
    except ExtractionError:
        return ""


def bench_body(show: str | None = None) -> dict[str, float] | None:
    truth_path = SCRAPINGHUB / "ground-truth.json"
    if not truth_path.exists():
        print(f"scrapinghub benchmark absent ({SCRAPINGHUB}); body quality not measured")
        return None
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    pages = {
        key: gzip.decompress((SCRAPINGHUB / "html" / f"{key}.html.gz").read_bytes())
        for key in truth
    }
    if show:
        key = next(k for k in truth if k.startswith(show))
        body = _extract_body(key, pages[key], truth[key].get("url"))
        print(body)
        print("---", tp_fp_fn(truth[key]["articleBody"], body))
        return None
    ours: dict[str, str] = {}
    started = time.process_time()
    for key, data in pages.items():
        ours[key] = _extract_body(key, data, truth[key].get("url"))
    cpu = time.process_time() - started
    rows = {key: tp_fp_fn(truth[key]["articleBody"], ours[key]) for key in truth}
    results = {"archive (ours)": score(list(rows.values()))}
    peer_cpu = _run_trafilatura(pages, truth, results)
    for path in sorted((SCRAPINGHUB / "output").glob("*.json")):
        predicted = json.loads(path.read_text(encoding="utf-8"))
        name = path.stem
        if "output" in predicted and isinstance(predicted["output"], dict):
            name = f"{name} {predicted.get('version', '')}".strip()
            predicted = predicted["output"]  # newer files: {"version": ..., "output": {...}}
        if predicted.keys() != truth.keys():
            print(f"{path.name}: page ids differ from the ground truth; skipped")
            continue
        results[name] = score(
            [tp_fp_fn(truth[k]["articleBody"], predicted[k].get("articleBody", "")) for k in truth]
        )
    print(f"\nBody quality on {len(truth)} scrapinghub pages (4-gram shingles, page-averaged)")
    print(f"{'extractor':<18} {'F1':>6} {'prec':>6} {'recall':>6}")
    for name, m in sorted(results.items(), key=lambda kv: -kv[1]["f1"]):
        print(f"{name:<18} {m['f1']:6.3f} {m['precision']:6.3f} {m['recall']:6.3f}")
    worst = sorted(rows.items(), key=lambda kv: kv[1][0])[:8]
    print("worst pages (tp share): " + ", ".join(f"{k[:8]}={v[0]:.2f}" for k, v in worst))
    speed = len(pages) / cpu
    print(f"\nSpeed: {len(pages)} pages in {cpu:.2f} s CPU = {speed:.1f} pages/s on one core")
    if peer_cpu:
        peer_speed = len(pages) / peer_cpu
        print(
            f"trafilatura, same run (body and metadata): {peer_cpu:.2f} s CPU ="
            f" {peer_speed:.1f} pages/s; archive/trafilatura {speed / peer_speed:.2f}x"
        )
    return {"body_f1": results["archive (ours)"]["f1"], "pages_per_second": speed}


def _run_trafilatura(
    pages: dict[str, bytes], truth: dict[str, Any], results: dict[str, dict[str, float]]
) -> float | None:
    """Run trafilatura (its defaults, metadata on) on the same pages: F1 and CPU seconds."""
    try:
        import trafilatura
    except ImportError:
        print("trafilatura not installed (pip install -e '.[bench]'); not run live")
        return None
    bodies: dict[str, str] = {}
    started = time.process_time()
    for key, data in pages.items():
        extracted = trafilatura.bare_extraction(data, url=truth[key].get("url"), with_metadata=True)
        bodies[key] = (extracted.text if extracted else "") or ""
    cpu = time.process_time() - started
    name = f"trafilatura {trafilatura.__version__} (run)"
    results[name] = score([tp_fp_fn(truth[k]["articleBody"], bodies[k]) for k in truth])
    return cpu


def _same_text(a: str | None, b: str | None) -> bool:
    norm = lambda s: re.sub(r"\W+", " ", (s or "").casefold()).strip()  # noqa: E731
    return bool(a or b) and norm(a) == norm(b)


def _same_authors(ours: list[str], theirs: list[str]) -> bool:
    norm = lambda s: re.sub(r"\W+", " ", s.casefold()).strip()  # noqa: E731
    return {norm(a) for a in ours} == {norm(a) for a in theirs}


def _report(name: str, counts: dict[str, list[bool]]) -> None:
    parts = [f"{field} {sum(v)}/{len(v)}" for field, v in counts.items() if v]
    print(f"{name:<12} " + "  ".join(parts))


def bench_newspaper() -> None:
    if not (NEWSPAPER / "html").exists():
        print(f"newspaper4k test data absent ({NEWSPAPER}); skipped")
        return
    counts: dict[str, list[bool]] = {"title": [], "authors": [], "date": []}
    for meta_path in sorted((NEWSPAPER / "metadata").glob("*.json")):
        html_path = NEWSPAPER / "html" / (meta_path.stem + ".html")
        if not html_path.exists():
            continue
        expected = json.loads(meta_path.read_text(encoding="utf-8"))
        try:
            article = extract_article(
                RawPage(str(html_path), html_path.read_bytes()), require_body=False
            )
        except ExtractionError:
            article = None
        if expected.get("title"):
            counts["title"].append(bool(article) and _same_text(article.title, expected["title"]))
        if expected.get("authors"):
            counts["authors"].append(
                bool(article) and _same_authors(article.authors, expected["authors"])
            )
        if expected.get("publish_date"):
            want = str(expected["publish_date"])[:10]
            counts["date"].append(bool(article and article.date) and str(article.date) == want)
    _report("newspaper4k", counts)


def bench_goose() -> None:
    if not GOOSE.exists():
        print(f"goose3 test data absent ({GOOSE}); skipped")
        return
    counts: dict[str, list[bool]] = {"title": [], "authors": [], "date": []}
    checks = (("title", "title"), ("authors", "authors"), ("publishdate", "publish_date"))
    for folder, key in checks:
        for expected_path in sorted((GOOSE / folder).glob("*.json")):
            html_path = expected_path.with_suffix(".html")
            if not html_path.exists():
                continue
            expected = json.loads(expected_path.read_text(encoding="utf-8")).get("expected", {})
            want = expected.get(key)
            if not want:
                continue
            try:
                article = extract_article(
                    RawPage(str(html_path), html_path.read_bytes()), require_body=False
                )
            except ExtractionError:
                article = None
            if key == "title":
                counts["title"].append(bool(article) and _same_text(article.title, want))
            elif key == "authors":
                counts["authors"].append(bool(article) and _same_authors(article.authors, want))
            else:
                got = str(article.date) if article and article.date else None
                counts["date"].append(got == str(want)[:10])
    _report("goose3", counts)


def _voa_entries() -> list[Any] | None:
    """The VOA Dari pages' index entries, or None (said in one line) when the set is absent."""
    index_path = VOA / "pages_index.json"
    if not index_path.exists():
        print(f"VOA Dari pages absent ({VOA}); skipped")
        return None
    index = json.loads(index_path.read_text(encoding="utf-8"))
    return index if isinstance(index, list) else list(index.values())


def bench_voa() -> None:
    entries = _voa_entries()
    if entries is None:
        return
    counts: dict[str, list[bool]] = {"title": [], "date": [], "authors": [], "lang_fa": []}
    for entry in entries:
        path = VOA / entry["file"]
        if not path.exists():
            continue
        try:
            article = extract_article(RawPage(str(path), path.read_bytes()), require_body=False)
        except ExtractionError:
            article = None
        if entry.get("og_title"):
            counts["title"].append(bool(article) and _same_text(article.title, entry["og_title"]))
        if entry.get("time_datetime"):
            got = str(article.date) if article and article.date else None
            counts["date"].append(got == entry["time_datetime"][:10])
        if entry.get("authors"):
            counts["authors"].append(
                bool(article) and _same_authors(article.authors, entry["authors"])
            )
        counts["lang_fa"].append(bool(article) and article.lang == "fa")
    _report("voa-dari", counts)


def _peer_title(name: str, markup: str) -> str:
    if name == "trafilatura":
        import trafilatura

        metadata = trafilatura.extract_metadata(markup)
        return (metadata.title if metadata else "") or ""
    import newspaper

    article = newspaper.Article("http://example.com/page", language="en", fetch_images=False)
    try:  # title first; a page newspaper4k cannot finish parsing keeps what it found
        article.download(input_html=markup)
        article.parse()
    except Exception:  # noqa: BLE001 - a peer's failure is a miss, not the end of the run
        pass
    return article.title or ""


def bench_titles(folder: Path) -> None:
    """Title exact match on mozilla/readability's test pages, archive and peers in one run."""
    pages = sorted(p for p in folder.glob("*/expected-metadata.json")) if folder.exists() else []
    if not pages:
        print(f"mozilla/readability test pages absent ({folder}); titles not measured")
        return
    systems = ["archive"]
    for peer, module in (("trafilatura", "trafilatura"), ("newspaper4k", "newspaper")):
        try:
            __import__(module)
            systems.append(peer)
        except ImportError:
            print(f"{peer} not installed (pip install -e '.[bench]'); not measured")
    norm = lambda s: re.sub(r"\s+", " ", s or "").strip()  # noqa: E731
    hits: dict[str, list[tuple[bool, bool]]] = {name: [] for name in systems}
    cpu = dict.fromkeys(systems, 0.0)
    for meta_path in pages:
        gold = json.loads(meta_path.read_text(encoding="utf-8")).get("title")
        source = meta_path.parent / "source.html"
        if not gold or not source.exists():
            continue
        data = source.read_bytes()
        real = len(data) >= REAL_SITE_BYTES
        for name in systems:
            started = time.process_time()
            if name == "archive":
                try:
                    got = extract_article(RawPage(str(source), data), require_body=False).title
                except ExtractionError:
                    got = ""
            else:
                got = _peer_title(name, data.decode("utf-8", "replace"))
            cpu[name] += time.process_time() - started
            hits[name].append((real, norm(got) == norm(gold)))
    print("\nTitle exact match, mozilla/readability test pages (gold: expected-metadata.json)")
    print(f"{'extractor':<14} {'all':>14} {'real sites':>14} {'CPU s':>7}")
    for name, rows in hits.items():
        real_rows = [ok for real, ok in rows if real]
        every = [ok for _, ok in rows]
        print(
            f"{name:<14} {sum(every):>4}/{len(every):<3} {sum(every) / len(every):.3f}"
            f" {sum(real_rows):>4}/{len(real_rows):<3} {sum(real_rows) / len(real_rows):.3f}"
            f" {cpu[name]:7.2f}"
        )


def _load_date_pages() -> list[tuple[str, str, bytes]] | None:
    """(url, gold day, page bytes) of htmldate's evaluation set, read into memory."""
    gold_path = HTMLDATE_EVAL / "gold.json"
    if not gold_path.exists():
        print(f"htmldate evaluation pages absent ({HTMLDATE_EVAL}); dates not measured")
        return None
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    files: dict[str, bytes] = {}
    with tarfile.open(HTMLDATE_EVAL / "pages.tar.gz") as tar:
        for member in tar.getmembers():
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is not None:
                files[member.name.split("/", 1)[-1]] = handle.read()
    return [(url, g["date"], files[g["file"]]) for url, g in gold.items() if g["file"] in files]


def _archive_date(url: str, data: bytes) -> str | None:
    try:
        article = extract_article(RawPage(url, data, url=url), require_body=False)
    except ExtractionError:
        return None
    return str(article.date) if article.date else None


def _date_peers() -> dict[str, Callable[[str, bytes], str | None]]:
    """The peers that are installed: htmldate fast/extensive, trafilatura's metadata."""
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    peers: dict[str, Callable[[str, bytes], str | None]] = {}
    import htmldate

    version = getattr(htmldate, "__version__", "")
    for name, extensive in ((f"htmldate {version} fast", False), ("htmldate extensive", True)):
        peers[name] = functools.partial(_htmldate_date, extensive)
    try:
        import trafilatura
    except ImportError:
        print("trafilatura not installed (the bench extra); its line is left out")
    else:
        peers[f"trafilatura {trafilatura.__version__}"] = _trafilatura_date
    return peers


def _htmldate_date(extensive: bool, url: str, data: bytes) -> str | None:
    import htmldate

    try:
        return htmldate.find_date(data, extensive_search=extensive, original_date=True, url=url)
    except Exception:  # noqa: BLE001 - a peer's crash counts as no date
        return None


def _trafilatura_date(url: str, data: bytes) -> str | None:
    import trafilatura

    try:
        return trafilatura.extract_metadata(data, default_url=url).date
    except Exception:  # noqa: BLE001
        return None


def bench_dates() -> dict[str, float] | None:
    pages = _load_date_pages()
    if not pages:
        return None
    systems: dict[str, Callable[[str, bytes], str | None]] = {"archive (ours)": _archive_date}
    systems.update(_date_peers())
    print(f"\nPublication date, exact day, on htmldate's {len(pages)} evaluation pages")
    print(f"{'system':<26} {'exact':>6} {'no date':>8} {'pages/CPU-s':>12} {'wall s':>7}")
    figures: dict[str, float] = {}
    for name, run in systems.items():
        run(*pages[0][::2])  # warm up: lazy imports, compiled patterns
        started, wall = time.process_time(), time.perf_counter()
        got = [run(url, data) for url, _gold, data in pages]
        cpu = time.process_time() - started
        exact = sum(g == want for g, (_u, want, _d) in zip(got, pages, strict=True)) / len(pages)
        missing = sum(g is None for g in got)
        print(
            f"{name:<26} {exact:6.3f} {missing:8d} {len(pages) / cpu:12.1f} "
            f"{time.perf_counter() - wall:7.1f}"
        )
        figures.setdefault("date_exact", exact)
    print("(archive extracts every field; the peers only the date)")
    return figures


def bench_voa_dates() -> None:
    """Dates on the VOA Dari pages (Persian script), archive beside the date peers.

    The reference is the page's own `<time datetime>` (pages_index.json: a hint read from
    the markup, not gold), which favours htmldate, since it reads that element too.
    """
    entries = _voa_entries()
    if entries is None:
        return
    pages = [
        (
            entry.get("og_url") or entry["file"],
            entry["time_datetime"][:10],
            (VOA / entry["file"]).read_bytes(),
        )
        for entry in entries
        if entry.get("time_datetime") and (VOA / entry["file"]).exists()
    ]
    systems: dict[str, Callable[[str, bytes], str | None]] = {"archive (ours)": _archive_date}
    systems.update(_date_peers())
    print(f"\nPublication date on {len(pages)} VOA Dari pages (reference: their <time datetime>)")
    print(f"{'system':<26} {'exact':>6} {'no date':>8}")
    for name, run in systems.items():
        got = [run(url, data) for url, _want, data in pages]
        exact = sum(g == want for g, (_u, want, _d) in zip(got, pages, strict=True)) / len(pages)
        print(f"{name:<26} {exact:6.3f} {sum(g is None for g in got):8d}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--body", action="store_true", help="only the body benchmark")
    parser.add_argument("--show", help="print our body for one scrapinghub page id prefix")
    parser.add_argument("--titles", action="store_true", help="only the title benchmark")
    parser.add_argument("--dates", action="store_true", help="only the date benchmarks")
    parser.add_argument(
        "--readability",
        type=Path,
        default=READABILITY,
        help="mozilla/readability's test/test-pages folder (default: DATA/readability-test-pages)",
    )
    args = parser.parse_args()
    if not DATA.exists():
        print(f"shared data folder absent ({DATA}); nothing measured")
        return 0
    if args.titles:
        bench_titles(args.readability)
        return 0
    if args.dates:
        figures = bench_dates()
        bench_voa_dates()
        return _check_floors(figures)
    figures = bench_body(args.show)
    if args.show:
        return 0
    if not args.body:
        print("\nMetadata agreement (pages where the test data gives the field)")
        bench_newspaper()
        bench_goose()
        bench_voa()
        bench_titles(args.readability)
        figures = {**(figures or {}), **(bench_dates() or {})}
        bench_voa_dates()
    return _check_floors(figures)


def _check_floors(figures: dict[str, float] | None) -> int:
    failed = [
        f"{name} {figures[name]:.3f} < {floor}"
        for name, floor in FLOORS.items()
        if figures and name in figures and figures[name] < floor
    ]
    for line in failed:
        print("BELOW FLOOR: " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
