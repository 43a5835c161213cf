"""Peer systems for bench/relevance.py: real Lucene (through Anserini's CLI) and bm25s.

Lucene 9.4 runs from the Anserini fatjar carried by the pyserini==0.21.0 wheel (nothing else of
pyserini is used). Fetch it once, outside git:

    pip download --no-deps pyserini==0.21.0 -d /tmp/pyserini
    unzip -j /tmp/pyserini/pyserini-0.21.0-py3-none-any.whl \
        'pyserini/resources/jars/*.jar' -d bench/out/jars

or point ANSERINI_JAR at the jar. Java 17 must be on PATH.

Runs (title + body as one field `contents`, BM25 k1=1.2 b=0.75, 1000 hits):
  lucene-bm25      IndexCollection/SearchCollection on JsonCollection; `-language fa` is
                   Lucene's PersianAnalyzer, `-language en` Anserini's default English analyzer
                   (StandardTokenizer, possessives, lowercase, Lucene's English stoplist, Porter:
                   the chain of Lucene's EnglishAnalyzer).
  lucene-rm3       the same + RM3 (fbDocs 10, fbTerms 10, original query weight 0.5, Anserini's
                   defaults) with `-rm3.noTermFilter`: by default Anserini keeps only [a-z0-9]
                   feedback terms, which drops every Persian term.
  lucene-sdm       the same BM25 + the sequential dependence model (Metzler & Croft 2005;
                   Anserini's -sdm: weights 0.85 words, 0.1 ordered pairs, 0.05 windows of 8).
  bm25s            bm25s (method "lucene", k1=1.2 b=0.75); fa: only ي/ك folded and ZWNJ read as a
                   space; en: bm25s's English stoplist and the Snowball stemmer (PyStemmer).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
JAR_DIR = BENCH_DIR / "out" / "jars"
K1, B = 1.2, 0.75
RM3_ARGS = [
    "-rm3",
    "-rm3.fbDocs", "10",
    "-rm3.fbTerms", "10",
    "-rm3.originalQueryWeight", "0.5",
    "-rm3.noTermFilter",
]  # fmt: skip


def find_jar() -> Path | None:
    """Return the Anserini fatjar (ANSERINI_JAR, else bench/out/jars/anserini-*-fatjar.jar)."""
    env = os.environ.get("ANSERINI_JAR")
    if env:
        return Path(env) if Path(env).is_file() else None
    jars = sorted(JAR_DIR.glob("anserini-*-fatjar.jar"))
    return jars[-1] if jars else None


def lucene_missing() -> str | None:
    """Return one line saying why Lucene cannot run here, or None when it can."""
    if shutil.which("java") is None:
        return "Lucene peers not run: no `java` on PATH (Java 17 runs Anserini 0.21)"
    if find_jar() is None:
        return (
            "Lucene peers not run: no Anserini fatjar (set ANSERINI_JAR or put "
            "anserini-*-fatjar.jar from the pyserini==0.21.0 wheel in bench/out/jars/)"
        )
    return None


def _java(jar: Path, main: str, args: Sequence[str], log: Path) -> None:
    cmd = ["java", "-Xmx1g", "-cp", str(jar), main, *args]
    with log.open("a", encoding="utf-8") as out:
        subprocess.run(cmd, check=True, stdout=out, stderr=subprocess.STDOUT)


def _read_trec_run(path: Path) -> dict[str, list[str]]:
    runs: dict[str, list[tuple[int, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        qid, _q0, docid, rank, _score, _tag = line.split()
        runs.setdefault(qid, []).append((int(rank), docid))
    return {qid: [d for _, d in sorted(pairs)] for qid, pairs in runs.items()}


def run_lucene(
    docs: Sequence[Any],
    queries: list[dict[str, Any]],
    lang: str,
    workdir: Path,
    depth: int = 1000,
) -> dict[str, dict[str, list[str]]]:
    """Index `docs` with Lucene; return {"lucene-bm25", "lucene-rm3", "lucene-sdm": runs}.

    Raises:
        RuntimeError: Java or the jar is missing (the message is lucene_missing()'s line).
        subprocess.CalledProcessError: Anserini failed (its output is in workdir/anserini.log).
    """
    missing = lucene_missing()
    if missing:
        raise RuntimeError(missing)
    jar = find_jar()
    assert jar is not None
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "anserini.log"
    coll = workdir / "collection"
    coll.mkdir(exist_ok=True)
    with (coll / "docs.jsonl").open("w", encoding="utf-8") as out:
        for doc in docs:
            contents = f"{doc.title}\n{doc.body}"
            out.write(json.dumps({"id": doc.id, "contents": contents}, ensure_ascii=False) + "\n")
    index = workdir / "index"
    if index.exists():
        shutil.rmtree(index)
    _java(
        jar,
        "io.anserini.index.IndexCollection",
        [
            "-collection", "JsonCollection",
            "-generator", "DefaultLuceneDocumentGenerator",
            "-input", str(coll),
            "-index", str(index),
            "-threads", "2",
            "-language", lang,
            "-storePositions", "-storeDocvectors",
            "-quiet",
        ],
        log,
    )  # fmt: skip
    topics = workdir / "topics.tsv"
    lines = [q["id"] + "\t" + re.sub(r"\s+", " ", q["query"]) + "\n" for q in queries]
    topics.write_text("".join(lines), encoding="utf-8")
    results: dict[str, dict[str, list[str]]] = {}
    variants: tuple[tuple[str, list[str]], ...] = (
        ("lucene-bm25", []),
        ("lucene-rm3", [*RM3_ARGS, "-rm3.outputQuery"]),
        ("lucene-sdm", ["-sdm"]),
    )
    for name, extra in variants:
        output = workdir / f"{name}.trec"
        _java(
            jar,
            "io.anserini.search.SearchCollection",
            [
                "-index", str(index),
                "-topics", str(topics),
                "-topicreader", "TsvString",
                "-output", str(output),
                "-language", lang,
                "-bm25", "-bm25.k1", str(K1), "-bm25.b", str(B),
                "-hits", str(depth),
                "-threads", "2",
                *extra,
            ],
            log,
        )  # fmt: skip
        results[name] = _read_trec_run(output)
    return results


def rm3_expansions(workdir: Path) -> list[str]:
    """Return the RM3 expanded-query lines Anserini logged (to check Persian terms survive)."""
    log = workdir / "anserini.log"
    if not log.exists():
        return []
    return [line for line in log.read_text(encoding="utf-8").splitlines() if "RM3" in line]


# --------------------------------------------------------------------------- bm25s

_FA_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "\u200c": " "})


def bm25s_missing() -> str | None:
    try:
        import bm25s  # noqa: F401
    except ImportError:
        return "bm25s peer not run: `pip install -e '.[bench]'` installs bm25s and PyStemmer"
    return None


def run_bm25s(
    docs: Sequence[Any], queries: list[dict[str, Any]], lang: str, depth: int = 1000
) -> dict[str, list[str]]:
    """Return {query_id: ranked doc ids} from bm25s over title + body."""
    import bm25s

    stemmer = None
    stopwords: Any = []  # fa: no stoplist
    if lang == "en":
        stopwords = "en"
        try:
            import Stemmer

            stemmer = Stemmer.Stemmer("english")
        except ImportError:
            stemmer = None

    def prepare(value: str) -> str:
        return value.translate(_FA_FOLD) if lang == "fa" else value

    corpus = [prepare(f"{doc.title}\n{doc.body}") for doc in docs]
    tokens = bm25s.tokenize(corpus, stopwords=stopwords, stemmer=stemmer, show_progress=False)
    vocab = set(tokens.vocab)
    retriever = bm25s.BM25(method="lucene", k1=K1, b=B)
    retriever.index(tokens, show_progress=False)
    ids = [doc.id for doc in docs]
    runs: dict[str, list[str]] = {}
    k = min(depth, len(docs))
    for query in queries:
        words = bm25s.tokenize(
            prepare(query["query"]),
            stopwords=stopwords,
            stemmer=stemmer,
            return_ids=False,
            show_progress=False,
        )[0]
        words = [w for w in words if w in vocab]
        if not words:
            runs[query["id"]] = []
            continue
        found, scores = retriever.retrieve([words], k=k, show_progress=False)
        runs[query["id"]] = [ids[i] for i, s in zip(found[0], scores[0], strict=True) if s > 0]
    return runs
