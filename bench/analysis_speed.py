"""Measure the speed of the analysis chain (archive.text) in MB/s of UTF-8 text, per core.

Persian text: the Fars News items (title, abstract, paragraphs) in
/work/shared/data/language-ml-persian-news; English text: the Tehran Times articles in
/work/shared/data/tehran-times-en. Either set may be absent (a fresh clone has no ../shared):
the script says so and measures what it has.

    .venv/bin/python bench/analysis_speed.py [--mb 4] [--hazm] [--options]

Figures are single-threaded, caches cleared before each run (so the memoised per-token work is
paid inside the measurement, as in one ingest run). Target: Persian >= 1 MB/s per core.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable

from archive import text

DATA = os.environ.get("ARCHIVE_SHARED_DATA", "/work/shared/data")
FARS_GLOB = f"{DATA}/language-ml-persian-news/exploring-datasets/news/fars-news-*.json"
TEHRAN_TIMES = f"{DATA}/tehran-times-en/tehran-times-data.tar.gz"
TARGET_MB_S = 1.0


def load_persian(limit_bytes: int) -> list[str]:
    docs: list[str] = []
    size = 0
    for path in sorted(glob.glob(FARS_GLOB)):
        with open(path, encoding="utf-8") as fh:
            for item in json.load(fh):
                doc = "\n\n".join(
                    [item.get("title", ""), item.get("abstract", ""), *item.get("paragraphs", [])]
                )
                docs.append(doc)
                size += len(doc.encode())
                if size >= limit_bytes:
                    return docs
    return docs


def load_english(limit_bytes: int) -> list[str]:
    docs: list[str] = []
    if not os.path.exists(TEHRAN_TIMES):
        return docs
    size = 0
    with tarfile.open(TEHRAN_TIMES) as tar:
        for member in tar:
            if not member.isfile():
                continue
            fh = tar.extractfile(member)
            if fh is None:
                continue
            doc = fh.read().decode("utf-8", "replace")
            docs.append(doc)
            size += len(doc.encode())
            if size >= limit_bytes:
                break
    return docs


def clear_caches() -> None:
    text._chain.cache_clear()
    text._FOLD_CACHE.clear()


def measure(docs: list[str], work: Callable[[str], object]) -> tuple[float, float]:
    """Return (MB, MB/s) for running `work` over every document once, caches cold."""
    clear_caches()
    megabytes = sum(len(d.encode()) for d in docs) / 1e6
    start = time.process_time()
    for doc in docs:
        work(doc)
    seconds = time.process_time() - start
    return megabytes, megabytes / seconds if seconds else float("inf")


def terms_counter(options: text.AnalysisOptions) -> Callable[[str], object]:
    return lambda doc: sum(1 for _ in text.iter_terms(doc, options))


def import_cost_ms() -> tuple[float, bool]:
    """Return the cold import time of archive.text in a fresh interpreter and whether hazm came."""
    code = (
        "import sys, time; t = time.perf_counter(); import archive.text as T;"
        "list(T.iter_terms('Iran ایران')); print((time.perf_counter() - t) * 1000,"
        " 'hazm' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    ms, hazm = out.stdout.split()
    return float(ms), hazm == "True"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=4.0, help="MB of text per language")
    parser.add_argument("--hazm", action="store_true", help="also time hazm's Normalizer")
    parser.add_argument("--options", action="store_true", help="also time each option set")
    args = parser.parse_args()
    limit = int(args.mb * 1e6)

    sets = {
        "Persian (Fars News)": load_persian(limit),
        "English (Tehran Times)": load_english(limit),
    }
    ms, hazm = import_cost_ms()
    print(f"import archive.text + first call: {ms:.0f} ms; hazm imported: {hazm}")
    failed = hazm
    for label, docs in sets.items():
        if not docs:
            print(f"{label}: data absent under {DATA}; not measured")
            continue
        runs: dict[str, Callable[[str], object]] = {
            "iter_terms (default options)": terms_counter(text.DEFAULT_OPTIONS),
            "iter_name_terms": lambda d: sum(1 for _ in text.iter_name_terms(d)),
            "normalize": text.normalize,
            "clean_display": text.clean_display,
            "detect_lang": text.detect_lang,
        }
        if args.options:
            for persian in ("none", "light"):
                for english in ("none", "snowball"):
                    opts = text.AnalysisOptions(persian_stemmer=persian, english_stemmer=english)
                    runs[f"iter_terms fa={persian} en={english}"] = terms_counter(opts)
            runs["iter_terms no normalisation"] = terms_counter(
                text.AnalysisOptions(normalize=False)
            )
        if args.hazm and label.startswith("Persian"):
            from hazm import Normalizer  # noqa: PLC0415

            runs["hazm Normalizer().normalize (reference)"] = Normalizer().normalize
        for name, work in runs.items():
            megabytes, rate = measure(docs, work)
            print(f"{label:24} {name:42} {megabytes:6.2f} MB {rate:6.2f} MB/s")
            if name.startswith("iter_terms (default") and label.startswith("Persian"):
                verdict = "PASS" if rate >= TARGET_MB_S else "FAIL"
                failed = failed or rate < TARGET_MB_S
                print(f"{'':24} target >= {TARGET_MB_S} MB/s per core: {verdict}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
