"""Language detection: archive.text.detect_lang beside py3langid and langdetect, same texts.

Sets (fa = Persian, Dari included; ar = Arabic):
  fa fars            the Fars News items of ../shared/data/language-ml-persian-news (title,
                     abstract, paragraphs); their CMS writes Arabic ي/ك, as old Iranian sites do
  fa fars-persian    the same texts with ي ى -> ی, ك -> ک (how a modern Persian site writes)
  fa voa-dari        the VOA Dari pages of ../shared/data/voa-dari-articles, through extraction
  fa/en raw          the raw/ sample pages, through extraction, gold from raw/README.md
  ar pages           tests/fixtures/pages/ar_*.html (written for this project: Al Jazeera-,
                     Al-Alam- and youm7-like) and the two real Arabic pages of the shared
                     newspaper4k and goose3 test data, through extraction
  ar/fa paragraphs   each paragraph of 40+ characters of the Arabic pages, and of the first 300
                     Fars items, on its own (short texts: the hard case)
Titles alone are scored as a separate row for each set (a title is what detection sees when a
page has no body). A page's language is detected from its body (title when it has none), as
`extract_article` does.

Peers get the same strings: py3langid (langid.py's model, used by trafilatura) and langdetect
(Google's language-detection port, seeded); an answer other than the gold code is wrong
(e.g. "ur" for a Persian text). A peer that is not installed is left out with a note.

Usage: .venv/bin/python bench/languages.py [--data-dir DIR]
Prints accuracy per set and system with CPU seconds; writes bench/out/languages.json. Exit 1
when the shared data is absent.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from archive.errors import ExtractionError
from archive.extract import extract_article
from archive.models import RawPage
from archive.text import detect_lang

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DEFAULT_DATA_DIR = next(
    (
        d
        for d in (REPO_DIR.parent / "shared" / "data", REPO_DIR.parent.parent / "shared" / "data")
        if d.is_dir()
    ),
    REPO_DIR.parent / "shared" / "data",
)
FIXTURE_PAGES = REPO_DIR / "tests" / "fixtures" / "pages"
RAW = REPO_DIR / "raw"
REAL_ARABIC = (
    "newspaper4k-testdata/tests/data/html/arabic_article.html",
    "goose3-testdata/tests/data/content/test_cnn_arabic.html",
)
PARAGRAPH_MIN = 40
FARS_PARAGRAPH_ITEMS = 300
TO_PERSIAN = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})

Sample = tuple[str, str]  # (text, gold language)


def _extract(path: Path, data: bytes | None = None, member: str | None = None) -> tuple[str, str]:
    article = extract_article(RawPage(str(path), data if data is not None else path.read_bytes(),
                                      member))  # fmt: skip
    return article.title, article.body


def load_fars(data_dir: Path) -> list[tuple[str, str]]:
    folder = data_dir / "language-ml-persian-news" / "exploring-datasets" / "news"
    files = sorted(folder.glob("fars-news-*.json"))
    if not files:
        raise FileNotFoundError(folder)
    items, seen = [], set()
    for path in files:
        for item in json.loads(path.read_text(encoding="utf-8")):
            key = item.get("link") or item.get("title")
            if key in seen:
                continue
            seen.add(key)
            body = "\n\n".join([item.get("abstract") or "", *(item.get("paragraphs") or [])])
            items.append((item.get("title") or "", body.strip()))
    return items


def load_pages(paths: list[Path]) -> list[tuple[str, str]]:
    pages = []
    for path in paths:
        try:
            pages.append(_extract(path))
        except ExtractionError:
            continue
    return pages


def load_raw() -> list[tuple[str, str, str]]:
    """(title, body, gold) for each raw/ page in raw/README.md's table."""
    import zipfile

    rows = re.findall(r"^\| `([^`]+)` \| \w+ \| (en|fa|ar) \|", (RAW / "README.md").read_text(
        encoding="utf-8"), re.MULTILINE)  # fmt: skip
    out = []
    for name, lang in rows:
        if name.startswith("dumps/"):
            member = name.split("!", 1)[1]
            with zipfile.ZipFile(next(RAW.glob("dumps/*.zip"))) as archive:
                title, body = _extract(RAW / "dumps", archive.read(member), member)
        else:
            title, body = _extract(RAW / name)
        out.append((title, body, lang))
    return out


def paragraphs(bodies: list[str]) -> list[str]:
    return [p for body in bodies for p in body.split("\n\n") if len(p.strip()) >= PARAGRAPH_MIN]


def build_sets(data_dir: Path) -> dict[str, list[Sample]]:
    fars = load_fars(data_dir)
    voa = load_pages(sorted((data_dir / "voa-dari-articles" / "articles").rglob("*.html")))
    arabic = load_pages(
        sorted(FIXTURE_PAGES.glob("ar_*.html")) + [data_dir / p for p in REAL_ARABIC]
    )
    raw = load_raw()
    sets: dict[str, list[Sample]] = {
        "fa fars": [(b or t, "fa") for t, b in fars],
        "fa fars titles": [(t, "fa") for t, _ in fars if t],
        "fa fars-persian": [((b or t).translate(TO_PERSIAN), "fa") for t, b in fars],
        "fa fars-persian titles": [(t.translate(TO_PERSIAN), "fa") for t, _ in fars if t],
        "fa fars paragraphs": [
            (p, "fa") for p in paragraphs([b for _, b in fars[:FARS_PARAGRAPH_ITEMS]])
        ],
        "fa voa-dari": [(b or t, "fa") for t, b in voa],
        "fa voa-dari titles": [(t, "fa") for t, _ in voa if t],
        "raw (fa+en)": [(b or t, lang) for t, b, lang in raw],
        "raw titles": [(t, lang) for t, _, lang in raw],
        "ar pages": [(b or t, "ar") for t, b in arabic],
        "ar titles": [(t, "ar") for t, _ in arabic if t],
        "ar paragraphs": [(p, "ar") for p in paragraphs([b for _, b in arabic])],
    }
    return sets


def systems() -> tuple[dict[str, Callable[[str], str]], list[str]]:
    found: dict[str, Callable[[str], str]] = {"archive": detect_lang}
    notes = []
    try:
        import py3langid  # type: ignore[import-not-found]

        found["py3langid"] = lambda value: py3langid.classify(value)[0]
    except ImportError:
        notes.append("py3langid not installed (pip install py3langid): left out")
    try:
        import langdetect  # type: ignore[import-not-found]

        langdetect.DetectorFactory.seed = 0

        def _langdetect(value: str) -> str:
            try:
                return str(langdetect.detect(value))
            except langdetect.LangDetectException:
                return "?"

        found["langdetect"] = _langdetect
    except ImportError:
        notes.append("langdetect not installed (pip install langdetect): left out")
    return found, notes


def evaluate(sets: dict[str, list[Sample]]) -> dict[str, dict[str, dict[str, object]]]:
    found, notes = systems()
    for note in notes:
        print(note, file=sys.stderr)
    for detect in found.values():
        detect("warm up " + "سلام")  # model loading is not detection time
    report: dict[str, dict[str, dict[str, object]]] = {}
    for name, samples in sets.items():
        report[name] = {}
        for system, detect in found.items():
            cpu, wall = time.process_time(), time.perf_counter()
            answers = [detect(value) for value, _ in samples]
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            wrong: dict[str, int] = {}
            for answer, (_, gold) in zip(answers, samples, strict=True):
                if answer != gold:
                    wrong[answer] = wrong.get(answer, 0) + 1
            right = len(samples) - sum(wrong.values())
            report[name][system] = {
                "n": len(samples),
                "accuracy": right / len(samples) if samples else None,
                "wrong_as": dict(sorted(wrong.items(), key=lambda kv: -kv[1])),
                "cpu_s": round(cpu, 4),
                "wall_s": round(wall, 4),
            }
    return report


def print_report(report: dict[str, dict[str, dict[str, object]]]) -> None:
    head = f"{'set':<24} {'system':<11} {'n':>5} {'accuracy':>8} {'cpu s':>7} {'wall s':>7}"
    print(head + "  wrong as")
    for name, rows in report.items():
        for system, row in rows.items():
            acc = row["accuracy"]
            shown = f"{acc:.3f}" if isinstance(acc, float) else "-"
            wrong = ", ".join(f"{k}:{v}" for k, v in row["wrong_as"].items())  # type: ignore[attr-defined]
            print(f"{name:<24} {system:<11} {row['n']:>5} {shown:>8} {row['cpu_s']:>7.3f} "
                  f"{row['wall_s']:>7.3f}  {wrong}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    try:
        sets = build_sets(args.data_dir)
    except FileNotFoundError as exc:
        print(f"shared data not found: {exc}", file=sys.stderr)
        return 1
    report = evaluate(sets)
    print_report(report)
    out = BENCH_DIR / "out"
    out.mkdir(exist_ok=True)
    (out / "languages.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
