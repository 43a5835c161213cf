"""Retrieval quality: MAP, P@10, nDCG@10 of the ranking beside Lucene and bm25s, on judged queries.

Collections (read from ../shared/data, never copied into the repo):
  fa: every Fars News item of language-ml-persian-news/exploring-datasets/news (doc id
      "fars-<news number from the link>"; title; body = abstract + paragraphs).
  en: a fixed subset of the Tehran Times dump: member names sorted, every 11th, first 3,000
      (doc id "tt-<news number>"; title from the file name; body = the text).
Judged sets: bench/relevance/queries-{fa,en}.jsonl and qrels-{fa,en}.jsonl (a qrels line with
"pool": "issue9" comes from the re-pool of issue 9, one without from the pools of issue 4);
method, figures and decisions in bench/relevance/RESULTS.md.

The ranking table (default): the peers (Lucene BM25, Lucene+RM3, Lucene+SDM through Anserini;
bm25s: relevance_peers.py), the shipped path (archive.index + archive.search with their
defaults, and with --feedback / --exact), the ranking before issue 9 (a saved run), and the
bench's candidate rankings over archive's analysis chain (relevance_rank.py): the shipped
ranking, each old choice put back alone, each taken out of the old ranking alone, and each
addition (RM3, proximity, SDM) alone and together. Every row is evaluated on the old judged
sets and on the re-pooled ones, and compared (dMAP, two-sided paired randomization p, paired
t-test p, wins/losses) with the step it changes, with the shipped path and with the best peer.

The analysis table (--analysis, issue 4): one whoosh index (title + body, BM25F) per analysis
option, queries through MultifieldParser, each row against the step before it.

Usage:
  .venv/bin/python bench/relevance.py [--lang fa|en|both] [--markdown] [--check] [--reuse-runs]
  .venv/bin/python bench/relevance.py --analysis [--lang ...]
  .venv/bin/python bench/relevance.py --lang fa --repool DIR        unjudged top 30 of every
                                        peer and candidate, to judge (DIR/pool-fa.jsonl)
  .venv/bin/python bench/relevance.py --lang fa --merge-judged DIR  append DIR/judged-fa.jsonl
  .venv/bin/python bench/relevance.py --lang fa --pool [--pool-from all] [--depth 30] [--qid ID]
                                        the issue-4 pools, printed
  .venv/bin/python bench/relevance.py --save-old-pipeline /tmp/old  the row archive-old, from
                                        a work tree of 2a1c43f (git worktree add /tmp/old 2a1c43f)
  .venv/bin/python bench/relevance.py --lang fa --show DOC_ID      one document in full
Results go to bench/out/relevance-ranking.json (--analysis: bench/out/relevance.json). Exit 1
when the data folder is absent, or with --check when a MAP floor is missed.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from whoosh import index as whoosh_index
from whoosh.analysis import StandardAnalyzer, Token, Tokenizer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup
from whoosh.scoring import BM25F

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
# ../shared/data beside the repository, or two levels up for a clone under /work/wt/NAME
DEFAULT_DATA_DIR = next(
    (
        d
        for d in (REPO_DIR.parent / "shared" / "data", REPO_DIR.parent.parent / "shared" / "data")
        if d.is_dir()
    ),
    REPO_DIR.parent / "shared" / "data",
)
JUDGED_DIR = BENCH_DIR / "relevance"
OUT_FILE = BENCH_DIR / "out" / "relevance.json"

FARS_DIR = "language-ml-persian-news/exploring-datasets/news"
TT_TAR = "tehran-times-en/tehran-times-data.tar.gz"
TT_EVERY = 11
TT_LIMIT = 3000

RUN_DEPTH = 1000  # ranked list length for MAP, as trec_eval counts it

# MAP floors that must not regress (bench/relevance/RESULTS.md gives the figures they come from):
# the DEFAULT_OPTIONS analysis under whoosh OR grouping, and the shipped index+search path.
FLOORS = {
    ("fa", "stop+light/snowball", "or0.9", 1.0): 0.77,
    ("en", "stop+light/snowball", "or0.9", 1.0): 0.80,
    ("fa", "archive-pipeline", "search", 1.0): 0.80,
    ("en", "archive-pipeline", "search", 1.0): 0.80,
}
POOL_DEPTH = 20


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    body: str  # what the bench indexes in "body": abstract (if any) + text
    summary: str = ""  # Fars abstract, for the archive pipeline row (title, summary, body)
    text: str = ""  # body without the abstract, for the archive pipeline row


# --------------------------------------------------------------------------- collections


def load_fars(data_dir: Path) -> list[Doc]:
    """Return the Fars News items as Docs, first occurrence of each news number kept."""
    folder = data_dir / FARS_DIR
    files = sorted(folder.glob("fars-news-*.json"))
    if not files:
        raise FileNotFoundError(folder)
    docs: list[Doc] = []
    seen: set[str] = set()
    for path in files:
        for item in json.loads(path.read_text(encoding="utf-8")):
            match = re.search(r"/news/(\d+)", item.get("link", ""))
            if not match:
                continue
            doc_id = f"fars-{match.group(1)}"
            if doc_id in seen:
                continue
            seen.add(doc_id)
            abstract = item.get("abstract") or ""
            text = "\n\n".join(item.get("paragraphs") or [])
            body = f"{abstract}\n\n{text}"
            docs.append(Doc(doc_id, item.get("title") or "", body, abstract, text))
    return docs


def load_tehran_times(data_dir: Path) -> list[Doc]:
    """Return the fixed Tehran Times subset: sorted member names, every 11th, first 3,000."""
    tar_path = data_dir / TT_TAR
    if not tar_path.exists():
        raise FileNotFoundError(tar_path)
    contents: dict[str, bytes] = {}
    with tarfile.open(tar_path, "r:gz") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".txt"):
                handle = tar.extractfile(member)
                if handle is not None:
                    contents[member.name] = handle.read()
    chosen = sorted(contents)[::TT_EVERY][:TT_LIMIT]
    docs: list[Doc] = []
    seen: set[str] = set()
    for name in chosen:
        match = re.match(r"_news_(\d+)_(.*)\.txt$", Path(name).name)
        if not match:
            continue
        doc_id = f"tt-{match.group(1)}"
        if doc_id in seen:
            continue
        seen.add(doc_id)
        title = match.group(2).replace("-", " ")
        text = contents[name].decode("utf-8", errors="replace")
        docs.append(Doc(doc_id, title, text, "", text))
    return docs


LOADERS: dict[str, Callable[[Path], list[Doc]]] = {"fa": load_fars, "en": load_tehran_times}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Return the objects of a JSON Lines file (blank lines skipped)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


OLD_POOL = "issue4"  # judgements without a "pool" field: the pools of issue 4


def load_judged(
    lang: str, pools: Iterable[str] | None = None
) -> tuple[list[dict[str, Any]], dict[str, dict[str, int]]]:
    """Return the queries and the qrels {query_id: {doc_id: 0/1}} of a language.

    pools: only the judgements of these pools ("issue4" for the old sets, "issue9" for the
    re-pooling); None for all of them.
    """
    queries = read_jsonl(JUDGED_DIR / f"queries-{lang}.jsonl")
    wanted = None if pools is None else set(pools)
    qrels: dict[str, dict[str, int]] = {}
    for row in read_jsonl(JUDGED_DIR / f"qrels-{lang}.jsonl"):
        if wanted is not None and row.get("pool", OLD_POOL) not in wanted:
            continue
        qrels.setdefault(row["query_id"], {})[row["doc_id"]] = int(row["relevant"])
    return queries, qrels


# --------------------------------------------------------------------------- analyzers


class IterTermsTokenizer(Tokenizer):
    """Whoosh tokenizer over archive.text.iter_terms(value, options), or over the pool terms.

    Whoosh pickles the schema, so the tokenizer holds picklable data, never a closure.
    """

    def __init__(self, options: Any = None, pool_stem: bool = False):
        self.options = options  # archive.text.AnalysisOptions, or None for a pooling analyzer
        self.pool_stem = pool_stem

    def terms(self, value: str) -> Iterable[Any]:
        if self.options is None:
            return _pool_terms(value, self.pool_stem)
        from archive import text

        return text.iter_terms(value, self.options)

    def fold(self, value: str) -> str:
        if self.options is None:
            return value.translate(_POOL_FOLD).lower()
        from archive import text

        return text.normalize(value).lower() if self.options.normalize else value.lower()

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = value
            token.text = self.fold(value)
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        for term in self.terms(value):
            token.text = term.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[term.start : term.end]
            if positions:
                token.pos = start_pos + term.pos
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token


def archive_analyzer(**options: Any) -> Any:
    """Return a whoosh analyzer running archive.text.iter_terms with AnalysisOptions(**options)."""
    from archive import text

    return IterTermsTokenizer(text.AnalysisOptions(**options))


# Pooling-only analyzers: a crude folding and suffix stripping of our own, so that pools do not
# depend on the analysis chain under test alone. Never reported as results.
_POOL_FOLD = str.maketrans(
    {"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "آ": "ا", "ؤ": "و"}
    | {chr(0x06F0 + i): str(i) for i in range(10)}
    | {chr(0x0660 + i): str(i) for i in range(10)}
)
_POOL_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_POOL_TOKEN = re.compile(r"[\w\u200c]+")
_POOL_FA_SUFFIXES = ("های", "ها", "ان", "ات", "ترین", "تر", "ی", "ای")


class _PoolTerm(NamedTuple):
    text: str
    pos: int
    start: int  # offsets into the folded text: pooling never asks for characters
    end: int


def _pool_terms(value: str, stem: bool) -> Iterator[_PoolTerm]:
    folded = _POOL_MARKS.sub("", value.translate(_POOL_FOLD)).lower()
    pos = 0
    for match in _POOL_TOKEN.finditer(folded):
        word = match.group().replace("\u200c", "")
        if stem:
            if word.isascii():
                word = re.sub(r"(ing|ed|es|s)$", "", word) if len(word) > 4 else word
            else:
                for suffix in _POOL_FA_SUFFIXES:
                    if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                        word = word[: -len(suffix)]
                        break
        yield _PoolTerm(word, pos, match.start(), match.end())
        pos += 1


def pool_analyzer(stem: bool) -> Any:
    return IterTermsTokenizer(None, pool_stem=stem)


# --------------------------------------------------------------------------- systems


@dataclass(frozen=True)
class System:
    """One analysis option: how to analyse text (the index); grouping and boost are per run."""

    name: str
    label: str
    make_analyzer: Callable[[], Any] = field(compare=False)
    ref: str | None = None  # the analysis step this one is compared with
    is_default: bool = False  # same options as archive.text.DEFAULT_OPTIONS


def archive_system(name: str, label: str, ref: str, **options: Any) -> System:
    return System(
        name, label, lambda: archive_analyzer(**options), ref, _is_default_options(options)
    )


def _is_default_options(options: dict[str, Any]) -> bool:
    try:
        from archive import text
    except ImportError:
        return False
    return bool(text.AnalysisOptions(**options) == text.DEFAULT_OPTIONS)


def analysis_systems() -> list[System]:
    """Return the analysis options compared side by side (rows (a)-(d) of the table).

    Each row names the step it is compared with (`ref`): folding against the plain analyzer,
    stopwords against folding, each stemmer against stopwords.
    """
    rows = [
        # name, label, ref, normalize, stopwords, persian_stemmer, english_stemmer
        ("raw", "archive tokenizer, no folding", "standard", False, False, "none", "none"),
        ("norm", "normalisation only", "standard", True, False, "none", "none"),
        ("norm+stop", "+ stopwords", "norm", True, True, "none", "none"),
        ("stop+light/porter", "+ fa light, en porter", "norm+stop", True, True, "light", "porter"),
        (
            "stop+light/snowball",
            "+ fa light, en snowball",
            "norm+stop",
            True,
            True,
            "light",
            "snowball",
        ),
        (
            "stop+hazm-stemmer",
            "+ fa hazm Stemmer, en snowball",
            "norm+stop",
            True,
            True,
            "hazm-stemmer",
            "snowball",
        ),
        (
            "stop+hazm-lemmatizer",
            "+ fa hazm Lemmatizer, en snowball",
            "norm+stop",
            True,
            True,
            "hazm-lemmatizer",
            "snowball",
        ),
        (
            "light/snowball-nostop",
            "fa light, en snowball, no stopwords",
            "stop+light/snowball",
            True,
            False,
            "light",
            "snowball",
        ),
    ]
    systems = [System("standard", "whoosh StandardAnalyzer", StandardAnalyzer)]
    for name, label, ref, norm, stop, fa_stem, en_stem in rows:
        systems.append(
            archive_system(
                name,
                label,
                ref,
                normalize=norm,
                stopwords=stop,
                persian_stemmer=fa_stem,
                english_stemmer=en_stem,
            )
        )
    return systems


POOL_SYSTEMS = [
    System("standard", "whoosh StandardAnalyzer", StandardAnalyzer),
    System("pool-fold", "pool: folding", lambda: pool_analyzer(stem=False)),
    System("pool-stem", "pool: folding + suffixes", lambda: pool_analyzer(stem=True)),
]

GROUPS: dict[str, Any] = {
    "or0.9": OrGroup.factory(0.9),
    "or": OrGroup,
    "and": AndGroup,
}


def build_index(docs: list[Doc], analyzer: Any, folder: str) -> Any:
    """Index `docs` (title + body, positions kept for phrases) into a new whoosh index."""
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, phrase=True),
        body=TEXT(analyzer=analyzer, phrase=True),
    )
    ix = whoosh_index.create_in(folder, schema)
    writer = ix.writer(limitmb=256)
    for doc in docs:
        writer.add_document(id=doc.id, title=doc.title, body=doc.body)
    writer.commit()
    return ix


def run_queries(
    ix: Any,
    queries: list[dict[str, Any]],
    group: Any,
    title_boost: float,
    depth: int = RUN_DEPTH,
    rewrite: Callable[[str], str] | None = None,
) -> dict[str, list[str]]:
    """Return {query_id: ranked doc ids} for every query (query text through `rewrite` first)."""
    parser = MultifieldParser(
        ["title", "body"], ix.schema, fieldboosts={"title": title_boost, "body": 1.0}, group=group
    )
    runs: dict[str, list[str]] = {}
    with ix.searcher(weighting=BM25F()) as searcher:
        for query in queries:
            text = rewrite(query["query"]) if rewrite else query["query"]
            parsed = parser.parse(text)
            results = searcher.search(parsed, limit=depth)
            runs[query["id"]] = [hit["id"] for hit in results]
    return runs


# --------------------------------------------------------------------------- metrics


def average_precision(ranked: list[str], relevant: set[str]) -> float:
    if not relevant:
        return 0.0
    hits = 0
    total = 0.0
    for rank, doc_id in enumerate(ranked, 1):
        if doc_id in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def precision_at(ranked: list[str], relevant: set[str], k: int) -> float:
    return sum(1 for doc_id in ranked[:k] if doc_id in relevant) / k


def recall_at(ranked: list[str], relevant: set[str], k: int) -> float:
    if not relevant:
        return 0.0
    return sum(1 for doc_id in ranked[:k] if doc_id in relevant) / len(relevant)


def ndcg_at(ranked: list[str], relevant: set[str], k: int) -> float:
    dcg = sum(1 / math.log2(rank + 1) for rank, d in enumerate(ranked[:k], 1) if d in relevant)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(k, len(relevant)) + 1))
    return dcg / ideal if ideal else 0.0


def evaluate(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Return mean MAP, P@10, nDCG@10, recall@100, judged@10 and condensed MAP per query set.

    Queries without a relevant judged document are left out.
    """
    per_query: dict[str, dict[str, float]] = {}
    for qid, ranked in runs.items():
        judged = qrels.get(qid, {})
        relevant = {d for d, rel in judged.items() if rel}
        if not relevant:
            continue
        per_query[qid] = {
            "ap": average_precision(ranked, relevant),
            "p10": precision_at(ranked, relevant, 10),
            "ndcg10": ndcg_at(ranked, relevant, 10),
            "r100": recall_at(ranked, relevant, 100),
            "judged10": sum(1 for d in ranked[:10] if d in judged) / max(1, min(10, len(ranked))),
            # condensed AP: unjudged documents dropped from the ranking (Sakai's condensed list)
            "ap_condensed": average_precision([d for d in ranked if d in judged], relevant),
        }
    n = len(per_query) or 1
    means = {
        metric: sum(q[metric] for q in per_query.values()) / n
        for metric in ("ap", "p10", "ndcg10", "r100", "judged10", "ap_condensed")
    }
    return {"queries": len(per_query), **means, "per_query": per_query}


# --------------------------------------------------------------------------- main


def _load_collection(lang: str, data_dir: Path) -> list[Doc]:
    started = time.perf_counter()
    docs = LOADERS[lang](data_dir)
    print(
        f"[{lang}] {len(docs)} documents loaded in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    return docs


def randomization_p(a: list[float], b: list[float], trials: int = 10_000) -> float:
    """Two-sided paired randomization test on per-query scores (seeded, so runs repeat).

    Each trial flips the sign of every per-query difference with probability 1/2; p is the
    share of trials (plus the observed one) whose |sum| reaches the observed |sum|.
    """
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    observed = abs(sum(diffs))
    if not diffs or observed < 1e-12:
        return 1.0
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - the bench extra brings numpy (through bm25s)
        rng = random.Random(20261126)
        hits = sum(
            abs(sum(d if rng.random() < 0.5 else -d for d in diffs)) >= observed - 1e-12
            for _ in range(trials)
        )
        return (hits + 1) / (trials + 1)
    signs = np.random.default_rng(20261126).choice((-1.0, 1.0), size=(trials, len(diffs)))
    hits = int((np.abs(signs @ np.asarray(diffs)) >= observed - 1e-12).sum())
    return (hits + 1) / (trials + 1)


def paired_t_p(a: list[float], b: list[float]) -> float:
    """Two-sided paired t-test p-value (Student's t with n - 1 degrees of freedom)."""
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    n = len(diffs)
    if n < 2:
        return 1.0
    mean = sum(diffs) / n
    var = sum((d - mean) ** 2 for d in diffs) / (n - 1)
    if var <= 0:
        return 1.0 if abs(mean) < 1e-12 else 0.0
    t = abs(mean) / math.sqrt(var / n)
    return _student_t_two_sided(t, n - 1)


def _student_t_two_sided(t: float, df: int) -> float:
    """P(|T| >= t) for Student's t with df degrees of freedom: I_x(df/2, 1/2), x = df/(df+t^2)."""
    x = df / (df + t * t)
    return _betainc(df / 2, 0.5, x)


def _betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b) (Numerical Recipes, betai/betacf, Lentz's method)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x)
    )
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1 - x) / b


def _betacf(a: float, b: float, x: float) -> float:
    tiny = 1e-30

    def fix(v: float) -> float:
        return v if abs(v) > tiny else tiny

    c, d = 1.0, 1 / fix(1 - (a + b) * x / (a + 1))
    h = d
    for m in range(1, 300):
        aa = m * (b - m) * x / ((a - 1 + 2 * m) * (a + 2 * m))
        d = 1 / fix(1 + aa * d)
        c = fix(1 + aa / c)
        h *= d * c
        aa = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 1 + 2 * m))
        d = 1 / fix(1 + aa * d)
        c = fix(1 + aa / c)
        h *= d * c
        if abs(d * c - 1) < 1e-12:
            break
    return h


def _compare(row: dict[str, Any], ref: dict[str, Any] | None) -> None:
    """Add the MAP difference to `ref` and its paired randomization p-value to `row`."""
    if ref is None:
        row["ref"], row["delta_ap"], row["p_value"] = None, None, None
        return
    qids = sorted(set(row["per_query"]) & set(ref["per_query"]))
    mine = [row["per_query"][q]["ap"] for q in qids]
    theirs = [ref["per_query"][q]["ap"] for q in qids]
    row["ref"] = f"{ref['system']} {ref['group']} {ref['title_boost']:.1f}"
    row["delta_ap"] = round((sum(mine) - sum(theirs)) / max(1, len(qids)), 4)
    row["p_value"] = round(randomization_p(mine, theirs), 4)
    row["wins_losses"] = [
        sum(1 for x, y in zip(mine, theirs, strict=True) if x > y + 1e-9),
        sum(1 for x, y in zip(mine, theirs, strict=True) if x < y - 1e-9),
    ]


def _compound_expander() -> Callable[[str], str] | None:
    """Return archive.search.rewrite.expand_query_compounds (OR semantics), or None if absent."""
    try:
        from archive.search import rewrite
    except ImportError:
        return None
    expand = getattr(rewrite, "expand_query_compounds", None)
    if expand is None:
        return None
    return lambda query: expand(query, require_all=False)


def run_archive_pipeline(
    docs: list[Doc],
    queries: list[dict[str, Any]],
    lang: str,
    folder: str,
    variants: dict[str, Any] | None = None,
    engine: str | None = None,
) -> Any:
    """Index the docs as Articles with archive.index and rank with archive.search defaults.

    This is the shipped path (DEFAULT_OPTIONS, the schema's fields, search.search's ranking),
    as `archive ingest` and `archive query` would run it, minus HTML extraction. With
    `variants` ({name: SearchFilters, or (SearchFilters, {"module.ATTR": value})}), returns
    {name: runs}, one run per variant; the module attributes are set for that variant only.
    """
    import importlib

    from archive import index as archive_index
    from archive import search as archive_search
    from archive.models import Article

    articles = [
        Article(
            id=doc.id,
            title=doc.title,
            body=doc.text or doc.body,
            summary=doc.summary or None,
            lang=lang,
            source=doc.id,
        )
        for doc in docs
    ]
    archive_index.upsert_articles(folder, articles, engine=engine)
    ix = archive_index.open_index(folder)
    out: dict[str, dict[str, list[str]]] = {}
    try:
        with ix.searcher() as searcher:
            for name, variant in (variants or {"": None}).items():
                filters, patches = variant if isinstance(variant, tuple) else (variant, {})
                saved = []
                for target, value in patches.items():
                    module_name, attr = target.rsplit(".", 1)
                    module = importlib.import_module(module_name)
                    saved.append((module, attr, getattr(module, attr)))
                    setattr(module, attr, value)
                runs = out.setdefault(name, {})
                try:
                    for query in queries:
                        result = archive_search.search(
                            searcher, query["query"], filters, limit=RUN_DEPTH, snippets=False
                        )
                        runs[query["id"]] = [hit.id for hit in result.hits]
                finally:
                    for module, attr, value in saved:
                        setattr(module, attr, value)
    finally:
        ix.close()
    return out if variants else out[""]


def evaluate_language(lang: str, data_dir: Path, systems: list[System]) -> dict[str, Any]:
    """Build one index per analysis option, run every query and return the table rows.

    Rows (a)-(d) use OR grouping with a 0.9 coordination bonus and no title boost; the best of
    them (ties go to archive.text.DEFAULT_OPTIONS) is then run with a title boost of 2.0 and with
    plain OR and AND grouping. Every row carries its MAP difference to the step before it.
    """
    docs = _load_collection(lang, data_dir)
    queries, qrels = load_judged(lang)
    rows: list[dict[str, Any]] = []
    by_name: dict[str, dict[str, Any]] = {}
    best: tuple[tuple[float, bool], System, Any] | None = None
    with tempfile.TemporaryDirectory(prefix=f"relevance-{lang}-") as tmp:
        indexes: dict[str, Any] = {}
        for system in systems:
            started = time.perf_counter()
            try:
                analyzer = system.make_analyzer()
            except (TypeError, ValueError, AttributeError, ImportError) as exc:
                print(f"[{lang}] {system.name}: option not available ({exc})", file=sys.stderr)
                continue
            folder = Path(tmp) / system.name.replace("/", "_")
            folder.mkdir()
            ix = build_index(docs, analyzer, str(folder))
            indexes[system.name] = ix
            elapsed = time.perf_counter() - started
            runs = run_queries(ix, queries, GROUPS["or0.9"], 1.0)
            row = _row(system, "or0.9", 1.0, evaluate(runs, qrels), elapsed)
            _compare(row, by_name.get(system.ref or ""))
            rows.append(row)
            by_name[system.name] = row
            print(
                f"[{lang}] {system.name}: MAP {row['ap']:.4f} (index {elapsed:.0f}s)",
                file=sys.stderr,
            )
            key = (round(row["ap"], 4), system.is_default)
            if best is None or key > best[0]:
                best = (key, system, ix)
        if best is not None:
            _, system, ix = best
            base = by_name[system.name]
            variants: dict[tuple[str, float], dict[str, Any]] = {}
            for group_name, boost in (("or0.9", 2.0), ("or", 1.0), ("and", 1.0), ("or", 2.0)):
                runs = run_queries(ix, queries, GROUPS[group_name], boost)
                row = _row(system, group_name, boost, evaluate(runs, qrels), None)
                _compare(row, base)
                rows.append(row)
                variants[(group_name, boost)] = row
            expand = _compound_expander()
            if expand is not None:
                # The query-side compound expansion of archive.search, on plain whoosh OR ranking.
                runs = run_queries(ix, queries, GROUPS["or"], 1.0, rewrite=expand)
                row = _row(system, "or+cmp", 1.0, evaluate(runs, qrels), None)
                _compare(row, variants[("or", 1.0)])
                rows.append(row)
        for ix in indexes.values():
            ix.close()
        pipeline = System("archive-pipeline", "archive.index + archive.search defaults", str)
        folder = Path(tmp) / "archive-pipeline"
        started = time.perf_counter()
        try:
            runs = run_archive_pipeline(docs, queries, lang, str(folder))
        except Exception as exc:  # noqa: BLE001 - a half-done module must not stop the table
            print(f"[{lang}] archive pipeline not measured: {exc!r}", file=sys.stderr)
        else:
            row = _row(
                pipeline, "search", 1.0, evaluate(runs, qrels), time.perf_counter() - started
            )
            _compare(row, by_name.get("stop+light/snowball"))
            rows.append(row)
            print(f"[{lang}] archive pipeline: MAP {row['ap']:.4f}", file=sys.stderr)
    return {"lang": lang, "documents": len(docs), "rows": rows}


def _row(system: System, group: str, boost: float, result: dict[str, Any], secs: Any) -> dict:
    return {
        "system": system.name,
        "label": system.label,
        "group": group,
        "title_boost": boost,
        "index_seconds": None if secs is None else round(secs, 1),
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in result.items()},
    }


def print_table(report: dict[str, Any]) -> None:
    """Print the side-by-side table of one language (dMAP and p against the step before)."""
    print(
        f"\n## {report['lang']}: {report['documents']} documents, "
        f"{report['rows'][0]['queries'] if report['rows'] else 0} judged queries"
    )
    head = (
        f"{'analysis':<22} {'group':<6} {'title':>5} {'MAP':>6} {'P@10':>6} "
        f"{'nDCG@10':>7} {'R@100':>6} {'judg@10':>7} {'dMAP':>7} {'p':>6} {'+/-':>6}  vs"
    )
    print(head)
    print("-" * (len(head) + 20))
    for row in report["rows"]:
        delta = "" if row["delta_ap"] is None else f"{row['delta_ap']:+.4f}"
        pval = "" if row["p_value"] is None else f"{row['p_value']:.3f}"
        wl = "" if row["delta_ap"] is None else "{}/{}".format(*row["wins_losses"])
        print(
            f"{row['system']:<22} {row['group']:<6} {row['title_boost']:>5.1f} "
            f"{row['ap']:>6.4f} {row['p10']:>6.4f} {row['ndcg10']:>7.4f} {row['r100']:>6.4f} "
            f"{row['judged10']:>7.2f} {delta:>7} {pval:>6} {wl:>6}  {row['ref'] or ''}"
        )


def print_pools(
    lang: str,
    data_dir: Path,
    qid: str | None,
    depth: int,
    systems: list[System],
    all_docs: bool,
    with_pipeline: bool = False,
) -> None:
    """Print the unjudged documents pooled from the top `depth` of each system, for judging."""
    docs = _load_collection(lang, data_dir)
    by_id = {doc.id: doc for doc in docs}
    queries, qrels = load_judged(lang)
    if qid:
        queries = [q for q in queries if q["id"] in qid.split(",")]
    pools: dict[str, dict[str, list[str]]] = {q["id"]: {} for q in queries}
    with tempfile.TemporaryDirectory(prefix=f"relevance-pool-{lang}-") as tmp:
        for system in systems:
            folder = Path(tmp) / system.name.replace("/", "_")
            folder.mkdir()
            ix = build_index(docs, system.make_analyzer(), str(folder))
            for group in ("or0.9",):
                runs = run_queries(ix, queries, GROUPS[group], 1.0, depth=depth)
                for query_id, ranked in runs.items():
                    for rank, doc_id in enumerate(ranked, 1):
                        pools[query_id].setdefault(doc_id, []).append(f"{system.name}:{rank}")
            ix.close()
        if with_pipeline:
            runs = run_archive_pipeline(docs, queries, lang, str(Path(tmp) / "archive-pipeline"))
            for query_id, ranked in runs.items():
                for rank, doc_id in enumerate(ranked[:depth], 1):
                    pools[query_id].setdefault(doc_id, []).append(f"archive-pipeline:{rank}")
    for query in queries:
        judged = qrels.get(query["id"], {})
        pool = pools[query["id"]]
        todo = [d for d in pool if all_docs or d not in judged]
        print(f"\n##### {query['id']} «{query['query']}» — {query['description']}")
        print(f"# pool {len(pool)}, unjudged {len([d for d in pool if d not in judged])}")
        for doc_id in todo:
            doc = by_id[doc_id]
            body = re.sub(r"\s+", " ", doc.body)[:320]
            print(f"{doc_id} | {doc.title[:110]} | {body}")


RUNS_DIR = BENCH_DIR / "out" / "runs"
REPOOL_DEPTH = 30
POOL_TEXT_CHARS = 1200


def peer_and_candidate_runs(
    lang: str, docs: list[Doc], queries: list[dict[str, Any]], *, with_pipeline: bool = True
) -> dict[str, dict[str, list[str]]]:
    """Return {system: {query_id: ranked doc ids}} for every peer and candidate ranking.

    Peers: Lucene BM25 and BM25+RM3 (Anserini), bm25s; candidates: relevance_rank.CANDIDATES;
    with_pipeline: the shipped index+search path. A missing peer is one line on stderr.
    The runs are also saved to bench/out/runs/{lang}.json.
    """
    import relevance_peers
    import relevance_rank

    runs: dict[str, dict[str, list[str]]] = {}
    missing = relevance_peers.lucene_missing()
    if missing:
        print(f"[{lang}] {missing}", file=sys.stderr)
    else:
        started = time.perf_counter()
        runs.update(
            relevance_peers.run_lucene(docs, queries, lang, BENCH_DIR / "out" / f"lucene-{lang}")
        )
        print(f"[{lang}] Lucene runs in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    missing = relevance_peers.bm25s_missing()
    if missing:
        print(f"[{lang}] {missing}", file=sys.stderr)
    else:
        runs["bm25s"] = relevance_peers.run_bm25s(docs, queries, lang)
    started = time.perf_counter()
    runs.update(relevance_rank.run_candidates(docs, queries))
    print(f"[{lang}] candidates in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    if with_pipeline:
        from archive.models import SearchFilters

        pairs_term = {"archive.search.rank.COMPOUND_SCORING": "term"}
        variants = {
            "archive-pipeline": None,
            "archive-no-feedback": SearchFilters(feedback=False),
            "archive-feedback": SearchFilters(feedback=True),
            "archive-exact": SearchFilters(exact=True, feedback=False),
            "archive-pairs-term": (None, pairs_term),
            "archive-pairs-term-no-fb": (SearchFilters(feedback=False), pairs_term),
            "archive-fb-whole": (
                SearchFilters(feedback=True), {"archive.search.feedback.FEEDBACK_CHARS": 10**9}
            ),
            "archive-fb-anserini": (
                SearchFilters(feedback=True),
                {
                    "archive.search.feedback.FEEDBACK_CHARS": 10**9,
                    "archive.search.feedback.DOC_TERMS": 10,
                },
            ),
        }
        with tempfile.TemporaryDirectory(prefix=f"relevance-{lang}-") as tmp:
            runs.update(run_archive_pipeline(docs, queries, lang, tmp + "/ix", variants))
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    (RUNS_DIR / f"{lang}.json").write_text(json.dumps(runs), encoding="utf-8")
    return runs


OLD_PIPELINE_COMMIT = "2a1c43f"  # main before issue 9: the row archive-old

_OLD_PIPELINE_SCRIPT = """
import json, sys, tempfile
from pathlib import Path
checkout, lang, data_dir, queries, out = sys.argv[1:6]
sys.path[:0] = [checkout + "/src", checkout + "/bench"]
import archive
assert archive.__file__.startswith(checkout), archive.__file__
import relevance
docs = relevance.LOADERS[lang](Path(data_dir))
queries = relevance.read_jsonl(Path(queries))
with tempfile.TemporaryDirectory() as tmp:
    runs = relevance.run_archive_pipeline(docs, queries, lang, tmp + "/ix")
Path(out).write_text(json.dumps({"archive-old": runs}), encoding="utf-8")
"""


def save_old_pipeline(lang: str, data_dir: Path, checkout: Path) -> Path:
    """Run the shipped path of another checkout (OLD_PIPELINE_COMMIT) on this tree's queries.

    `checkout` is a work tree of that commit (`git worktree add /tmp/old 2a1c43f`); its own
    archive package and bench/relevance.py run in a subprocess. Writes and returns
    bench/out/runs/{lang}-old-pipeline.json, which the ranking table reads as archive-old.
    """
    import subprocess

    out = RUNS_DIR / f"{lang}-old-pipeline.json"
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    queries = JUDGED_DIR / f"queries-{lang}.jsonl"
    args = [str(checkout.resolve()), lang, str(data_dir), str(queries), str(out)]
    subprocess.run([sys.executable, "-c", _OLD_PIPELINE_SCRIPT, *args], check=True)
    return out


def write_repool(lang: str, data_dir: Path, out_dir: Path, depth: int = REPOOL_DEPTH) -> int:
    """Write out_dir/pool-{lang}.jsonl: the unjudged top `depth` of every peer and candidate.

    One line per (query, document), in query then document-id order (not by rank, so a judge
    does not see which system found it); which systems pooled each pair goes to
    bench/out/pool-sources-{lang}.json. Returns the number of lines.
    """
    from archive.render import sanitize_terminal

    docs = _load_collection(lang, data_dir)
    by_id = {doc.id: doc for doc in docs}
    queries, qrels = load_judged(lang)
    runs = peer_and_candidate_runs(lang, docs, queries)
    sources: dict[str, dict[str, list[str]]] = {}
    lines: list[str] = []
    for query in queries:
        judged = qrels.get(query["id"], {})
        pooled: dict[str, list[str]] = {}
        for system, run in runs.items():
            for rank, doc_id in enumerate(run.get(query["id"], [])[:depth], 1):
                pooled.setdefault(doc_id, []).append(f"{system}:{rank}")
        sources[query["id"]] = pooled
        for doc_id in sorted(d for d in pooled if d not in judged):
            doc = by_id[doc_id]
            body = sanitize_terminal(re.sub(r"\s+", " ", doc.body).strip(), keep_newlines=False)
            row = {
                "query_id": query["id"],
                "query": query["query"],
                "description": query["description"],
                "doc_id": doc_id,
                "title": sanitize_terminal(doc.title, keep_newlines=False),
                "text": body[:POOL_TEXT_CHARS],
                "text_chars": len(body),
            }
            lines.append(json.dumps(row, ensure_ascii=False))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"pool-{lang}.jsonl").write_text("".join(x + "\n" for x in lines), "utf-8")
    (BENCH_DIR / "out" / f"pool-sources-{lang}.json").write_text(
        json.dumps(sources, ensure_ascii=False), encoding="utf-8"
    )
    print(f"[{lang}] pool: {len(lines)} unjudged (query, document) pairs", file=sys.stderr)
    return len(lines)


REPOOL = "issue9"  # the pool of issue 9: top 30 of every peer and candidate ranking


def merge_judged(lang: str, folder: Path, pool: str = REPOOL) -> int:
    """Append folder/judged-{lang}.jsonl to qrels-{lang}.jsonl, each line marked with `pool`.

    Pairs already judged are skipped (so merging twice changes nothing); every judged line must
    be a pair of folder/pool-{lang}.jsonl with relevant 0/1 and a reason. Returns lines added.
    """
    from archive.render import sanitize_terminal

    pooled = {(r["query_id"], r["doc_id"]) for r in read_jsonl(folder / f"pool-{lang}.jsonl")}
    path = JUDGED_DIR / f"qrels-{lang}.jsonl"
    have = {(r["query_id"], r["doc_id"]) for r in read_jsonl(path)}
    lines = []
    for row in read_jsonl(folder / f"judged-{lang}.jsonl"):
        key = (row["query_id"], row["doc_id"])
        if key not in pooled:
            raise ValueError(f"judged pair {key} is not in the pool")
        if key in have or row["relevant"] not in (0, 1) or not row.get("reason"):
            if key in have:
                continue
            raise ValueError(f"judged pair {key}: relevant must be 0/1 with a reason")
        have.add(key)
        reason = sanitize_terminal(str(row["reason"]), keep_newlines=False).strip()
        out = {"query_id": key[0], "doc_id": key[1], "relevant": row["relevant"]}
        lines.append(json.dumps(out | {"reason": reason, "pool": pool}, ensure_ascii=False))
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(line + "\n" for line in lines))
    return len(lines)


# --------------------------------------------------------------------------- ranking table

# (row name, label, reference row). "ship" is the shipped ranking re-implemented over the bench's
# term index (one field, title x2, Lucene idf, content-word compounds as synonyms); each old
# choice is put back on it alone, then taken out of the old ranking alone, then each addition
# alone and together. Every row is also compared with the shipped path and the best peer.
RANKING_ROWS: list[tuple[str, str, str | None]] = [
    ("lucene-bm25", "Lucene BM25, PersianAnalyzer / EnglishAnalyzer chain", None),
    ("lucene-rm3", "Lucene BM25 + RM3 (non-Latin terms kept)", "lucene-bm25"),
    ("lucene-sdm", "Lucene BM25 + SDM (Anserini -sdm)", "lucene-bm25"),
    ("bm25s", "bm25s (fa: ي/ك + ZWNJ only; en: stoplist + Snowball)", "lucene-bm25"),
    ("archive-pipeline", "SHIPPED: index + search, this tree, defaults", None),
    ("ship", "bench copy of the shipped ranking, no feedback (title x2)", "archive-pipeline"),
    ("ours-bm25", "  title x1 instead of x2", "ship"),
    ("ship-t3", "  title x3 instead of x2", "ship"),
    ("ship+fields-summed", "  old choice back: a BM25 per field, summed", "ship"),
    ("ship+whoosh-idf", "  old choice back: whoosh idf", "ship"),
    ("ship+coord", "  old choice back: sqrt coordination", "ship"),
    ("ship+all-pairs", "  old choice back: every adjacent pair glued, extra word", "ship"),
    ("old-all-four", "  all four old choices (the old ranking, bench copy)", "ship"),
    ("old-no-sum", "    old ranking minus fields summed (one field, title x1)", "old-all-four"),
    ("old-no-whoosh-idf", "    old ranking minus whoosh idf", "old-all-four"),
    ("old-no-coord", "    old ranking minus coordination", "old-all-four"),
    ("old-no-all-pairs", "    old ranking minus all pairs (content, synonym)", "old-all-four"),
    ("ship-no-compounds", "  no compound pairs", "ship"),
    ("ship+pairs-synonym", "  every pair glued, as synonym", "ship"),
    ("ship+pairs-term", "  compound pairs, the glued form its own term (Lucene)", "ship"),
    ("ship+rm3+pairs-term", "  + RM3 + pairs, the glued form its own term", "ship+rm3"),
    ("bm25f-t2", "  true BM25F (shared statistics), title weight 2", "ship"),
    ("ship+rm3", "  + RM3 (10 docs, 10 terms, 0.5)", "ship"),
    ("ship+prox", "  + proximity (Büttcher et al. 2006)", "ship"),
    ("ship+rm3+prox", "  + RM3 + proximity", "ship"),
    ("ship+sdm", "  + sequential dependence (SDM, windows 1 and 8)", "ship"),
    ("ship+rm3+sdm", "  + RM3 + SDM", "ship"),
    ("archive-old", "shipped before issue 9 (main at 2a1c43f)", "archive-pipeline"),
    ("archive-no-feedback", "shipped, --no-feedback", "archive-pipeline"),
    ("archive-feedback", "shipped, --feedback", "archive-pipeline"),
    ("archive-exact", "shipped, --exact (no compound forms)", "archive-pipeline"),
    ("archive-pairs-term", "shipped, compounds' glued form a term of its own", "archive-pipeline"),
    ("archive-pairs-term-no-fb", "  the same, --no-feedback", "archive-no-feedback"),
    ("archive-fb-whole", "  --feedback, whole body (not 2,000 chars)", "archive-feedback"),
    ("archive-fb-anserini", "  --feedback, whole body, 10 terms per article", "archive-feedback"),
]
SHIPPED = "archive-pipeline"
PEERS = ("lucene-bm25", "lucene-rm3", "bm25s")


def ablation_rankings() -> list[Any]:
    """Return the bench rankings of RANKING_ROWS (relevance_rank.Ranking switches)."""
    from relevance_rank import Ranking

    ship = Ranking("ship", title_weight=2.0)
    old = Ranking(
        "old-all-four", model="sum", idf="whoosh", coord=True, compounds="all",
        compound_mode="extra",
    )  # fmt: skip
    return [
        ship,
        Ranking("ours-bm25"),
        replace(ship, name="ship+fields-summed", model="sum"),
        replace(ship, name="ship+whoosh-idf", idf="whoosh"),
        replace(ship, name="ship+coord", coord=True),
        replace(ship, name="ship+all-pairs", compounds="all", compound_mode="extra"),
        old,
        replace(old, name="old-no-sum", model="bm25"),
        replace(old, name="old-no-whoosh-idf", idf="lucene"),
        replace(old, name="old-no-coord", coord=False),
        replace(old, name="old-no-all-pairs", compounds="content", compound_mode="synonym"),
        replace(ship, name="ship-t3", title_weight=3.0),
        replace(ship, name="ship-no-compounds", compounds="none"),
        replace(ship, name="ship+pairs-synonym", compounds="all"),
        # Lucene's multi-word synonyms (QueryBuilder over a token graph: the glued form is one
        # SHOULD clause with its own statistics beside the parts)
        replace(ship, name="ship+pairs-term", compound_mode="extra"),
        replace(ship, name="ship+rm3+pairs-term", rm3=True, compound_mode="extra"),
        Ranking("bm25f-t2", model="bm25f", title_weight=2.0),
        replace(ship, name="ship+rm3", rm3=True),
        replace(ship, name="ship+prox", proximity=True),
        replace(ship, name="ship+rm3+prox", rm3=True, proximity=True),
        replace(ship, name="ship+sdm", sdm=True),
        replace(ship, name="ship+rm3+sdm", rm3=True, sdm=True),
    ]


QRELS_SETS = ("old", "repooled")


# --------------------------------------------------------------------------- writing variants

# The same information need typed the other ways Persian users write its compounds (apart, with
# ZWNJ, glued): bench/relevance/variants-{lang}.jsonl, {"id", "of" (the judged query), "form",
# "query"}, judged by the judged query's (re-pooled) qrels. A query must find the articles
# whichever form either side used: each system's MAP over the variants is read beside its MAP on
# the judged queries they rewrite.
VARIANT_SYSTEMS = {
    "archive-pipeline": {},  # shipped: compound alternatives scored as synonyms
    "archive-pairs-term": {"archive.search.rank.COMPOUND_SCORING": "term"},
}


def compare_variants(lang: str, data_dir: Path) -> dict[str, Any]:
    """Run the peers and the compound-scoring modes on the writing variants; return the table.

    Rows: per system, MAP of the judged queries that have variants ("typed as judged"), MAP
    of their variants, and per-variant AP; the shipped feedback default in every archive row.
    """
    import relevance_peers

    from archive.models import SearchFilters

    docs = _load_collection(lang, data_dir)
    queries, qrels = load_judged(lang)
    variants = read_jsonl(JUDGED_DIR / f"variants-{lang}.jsonl")
    if not variants:
        raise SystemExit(f"no {JUDGED_DIR / f'variants-{lang}.jsonl'}")
    of = {v["id"]: v["of"] for v in variants}
    originals = [q for q in queries if q["id"] in set(of.values())]
    of.update({q["id"]: q["id"] for q in originals})
    asked = originals + [{"id": v["id"], "query": v["query"]} for v in variants]
    runs: dict[str, dict[str, list[str]]] = {}
    missing = relevance_peers.lucene_missing()
    if missing:
        print(f"[{lang}] {missing}", file=sys.stderr)
    else:
        lucene = relevance_peers.run_lucene(
            docs, asked, lang, BENCH_DIR / "out" / f"lucene-variants-{lang}"
        )
        runs.update({k: v for k, v in lucene.items() if k != "lucene-sdm"})
    if not relevance_peers.bm25s_missing():
        runs["bm25s"] = relevance_peers.run_bm25s(docs, asked, lang)
    pipeline = {name: (SearchFilters(), patch) for name, patch in VARIANT_SYSTEMS.items()}
    with tempfile.TemporaryDirectory(prefix=f"variants-{lang}-") as tmp:
        runs.update(run_archive_pipeline(docs, asked, lang, tmp + "/ix", pipeline))
    mapped = {qid: qrels.get(target, {}) for qid, target in of.items()}
    rows = []
    for system, run in runs.items():
        run = {qid: run.get(qid, []) for qid in of}  # no hits: AP 0
        result = evaluate(run, mapped)
        per = {qid: result["per_query"][qid]["ap"] for qid in result["per_query"]}
        judged10 = {qid: result["per_query"][qid]["judged10"] for qid in result["per_query"]}
        orig = [per[q["id"]] for q in originals if q["id"] in per]
        var = [per[v["id"]] for v in variants if v["id"] in per]
        # each variant beside the judged query it rewrites
        paired_orig = [per[of[v["id"]]] for v in variants if v["id"] in per]
        rows.append(
            {
                "system": system,
                "map_judged": sum(orig) / max(1, len(orig)),
                "map_variants": sum(var) / max(1, len(var)),
                "map_judged_paired": sum(paired_orig) / max(1, len(paired_orig)),
                "judged10_variants": sum(judged10[v["id"]] for v in variants) / len(variants),
                "per_query_ap": per,
            }
        )
    return {"lang": lang, "variants": variants, "originals": [q["id"] for q in originals],
            "rows": rows}  # fmt: skip


def print_variants(report: dict[str, Any]) -> None:
    rows = report["rows"]
    variants = report["variants"]
    print(
        f"## {report['lang']}: {len(variants)} writing variants of "
        f"{len(report['originals'])} judged queries (re-pooled qrels)"
    )
    print(f"{'system':22} {'judged':>7} {'variants':>8} {'gap':>7} {'judged@10':>9}")
    for row in rows:
        gap = row["map_variants"] - row["map_judged_paired"]
        print(
            f"{row['system']:22} {row['map_judged']:7.4f} {row['map_variants']:8.4f} "
            f"{gap:+7.4f} {row['judged10_variants']:9.2f}"
        )
    names = [row["system"] for row in rows]
    print("per query (AP): " + " | ".join(names))
    for qid in [*report["originals"], *(v["id"] for v in variants)]:
        query = next((v["query"] for v in variants if v["id"] == qid), qid)
        aps = " ".join(f"{row['per_query_ap'].get(qid, float('nan')):.3f}" for row in rows)
        print(f"  {qid:12} {aps}  {query}")



def compare_rankings(lang: str, data_dir: Path, *, reuse_runs: bool = False) -> dict[str, Any]:
    """Run every peer and candidate; evaluate on the old sets and on the re-pooled sets.

    Each row carries, per judged set, its figures and three paired comparisons of per-query
    AP (dMAP, two-sided randomization p, wins/losses): against its reference row (`ref`, the
    step it changes), against the shipped path (`shipped`) and against the best peer of the
    same run on that set (`best_peer`).
    """
    import relevance_rank

    docs = _load_collection(lang, data_dir)
    queries, qrels_all = load_judged(lang)
    _, qrels_old = load_judged(lang, [OLD_POOL])
    saved = RUNS_DIR / f"{lang}.json"
    if reuse_runs and saved.exists():
        runs = json.loads(saved.read_text(encoding="utf-8"))
    else:
        runs = peer_and_candidate_runs(lang, docs, queries)
    started = time.perf_counter()
    runs.update(relevance_rank.run_candidates(docs, queries, ablation_rankings()))
    print(f"[{lang}] bench rankings in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    old_pipeline = RUNS_DIR / f"{lang}-old-pipeline.json"  # bench/relevance/RESULTS.md: how
    if old_pipeline.exists():
        runs.update(json.loads(old_pipeline.read_text(encoding="utf-8")))
    else:
        print(f"[{lang}] no {old_pipeline.name}: row archive-old not measured", file=sys.stderr)
    qrels = {"old": qrels_old, "repooled": qrels_all}
    results = {
        name: {key: evaluate(runs[name], qrels[key]) for key in QRELS_SETS}
        for name, _, _ in RANKING_ROWS
        if name in runs
    }
    best_peer = {
        key: max(
            (p for p in PEERS if p in results), key=lambda p: results[p][key]["ap"], default=""
        )
        for key in QRELS_SETS
    }
    rows: list[dict[str, Any]] = []
    for name, label, ref in RANKING_ROWS:
        if name not in results:
            continue
        row: dict[str, Any] = {"system": name, "label": label}
        for key in QRELS_SETS:
            mine = results[name][key]
            figures = {k: round(v, 4) for k, v in mine.items() if isinstance(v, float)}
            figures["judged30"] = round(_judged_at(runs[name], qrels[key], 30), 4)
            against = {"ref": ref, "shipped": SHIPPED, "best_peer": best_peer[key]}
            for what, other in against.items():
                if other and other != name and other in results:
                    figures[what] = paired(other, mine, results[other][key])
                else:
                    figures[what] = None
            figures["per_query_ap"] = {q: round(v["ap"], 4) for q, v in mine["per_query"].items()}
            row[key] = figures
        rows.append(row)
    return {
        "lang": lang,
        "documents": len(docs),
        "queries": len(queries),
        "judgements": {key: sum(len(v) for v in qrels[key].values()) for key in QRELS_SETS},
        "best_peer": best_peer,
        "rows": rows,
    }


def _judged_at(run: dict[str, list[str]], qrels: dict[str, dict[str, int]], k: int) -> float:
    """Share of the top k (of queries with a relevant document) that is judged."""
    shares = [
        sum(1 for d in ranked[:k] if d in qrels[q]) / max(1, min(k, len(ranked)))
        for q, ranked in run.items()
        if any(qrels.get(q, {}).values())
    ]
    return sum(shares) / max(1, len(shares))


def paired(ref: str, mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """dMAP, a two-sided paired randomization p-value and wins/losses of `mine` over `theirs`."""
    qids = sorted(set(mine["per_query"]) & set(theirs["per_query"]))
    a = [mine["per_query"][q]["ap"] for q in qids]
    b = [theirs["per_query"][q]["ap"] for q in qids]
    return {
        "vs": ref,
        "delta_ap": round((sum(a) - sum(b)) / max(1, len(qids)), 4),
        "p": round(randomization_p(a, b), 4),
        "t_p": round(paired_t_p(a, b), 4),
        "wins": sum(1 for x, y in zip(a, b, strict=True) if x > y + 1e-9),
        "losses": sum(1 for x, y in zip(a, b, strict=True) if x < y - 1e-9),
    }


def print_ranking_table(report: dict[str, Any]) -> None:
    """Print, per judged set, each system's figures and dMAP/p against ref, shipped, best peer."""
    for key in QRELS_SETS:
        title = "old judged sets (issue 4 pools)" if key == "old" else "re-pooled sets"
        print(
            f"\n## {report['lang']}, {title}: {report['documents']} documents, "
            f"{report['queries']} queries, {report['judgements'][key]} judgements, "
            f"best peer {report['best_peer'][key]}"
        )
        head = (
            f"{'system':<20} {'MAP':>6} {'P@10':>6} {'nDCG10':>6} {'jdg30':>5} | "
            f"{'vs ref':<17} {'dMAP':>7} {'p':>6} {'+/-':>5} | {'vs shipped':>7} {'p':>6} | "
            f"{'vs peer':>7} {'p':>6}"
        )
        print(head)
        print("-" * len(head))
        for row in report["rows"]:
            fig = row[key]

            def cmp(what: str, with_ref: bool = False, fig: dict[str, Any] = fig) -> str:
                c = fig[what]
                if not c:
                    return " " * (38 if with_ref else 14)
                text = f"{c['delta_ap']:+7.4f} {_p(c['p']):>6}"
                if with_ref:
                    text = f"{c['vs']:<17} {text} {c['wins']:>2}/{c['losses']:<2}"
                return text

            print(
                f"{row['system']:<20} {fig['ap']:>6.4f} {fig['p10']:>6.4f} {fig['ndcg10']:>6.4f} "
                f"{fig['judged30']:>5.2f} | {cmp('ref', True)} | {cmp('shipped')} | "
                f"{cmp('best_peer')}"
            )


def print_ranking_markdown(report: dict[str, Any]) -> None:
    """Print one Markdown table of a language: old-set MAP, then the re-pooled figures."""
    best = report["best_peer"]
    print(
        f"\n| {report['lang']} ({report['queries']} queries) | old MAP | vs shipped (p) "
        f"| MAP | P@10 | nDCG@10 | vs ref (p, +/-) | vs shipped (p) "
        f"| vs {best['repooled']} (p) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")

    def cmp(c: dict[str, Any] | None, wl: bool = False) -> str:
        if not c:
            return ""
        text = f"{c['delta_ap']:+.3f} ({_p(c['p'])}"
        return text + (f", {c['wins']}/{c['losses']})" if wl else ")")

    for row in report["rows"]:
        old, new = row["old"], row["repooled"]
        ref = new["ref"]
        ref_text = f"{cmp(ref, True)} vs {ref['vs']}" if ref else ""
        label = row["label"].strip()
        name = f"**{row['system']}**" if row["system"] == SHIPPED else row["system"]
        print(
            f"| {name}: {label} | {old['ap']:.3f} | {cmp(old['shipped'])} | {new['ap']:.3f} "
            f"| {new['p10']:.3f} | {new['ndcg10']:.3f} | {ref_text} | {cmp(new['shipped'])} "
            f"| {cmp(new['best_peer'])} |"
        )


def _p(value: float) -> str:
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["fa", "en", "both"], default="both")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--pool", action="store_true", help="print unjudged pooled documents")
    parser.add_argument(
        "--pool-from",
        choices=["pool", "archive", "pipeline", "all"],
        default="pool",
        help="with --pool: which systems to pool from (our pooling analyzers, the archive "
        "analysis options, the archive index+search pipeline, or all of them)",
    )
    parser.add_argument("--all", action="store_true", help="with --pool: judged docs too")
    parser.add_argument("--qid", help="with --pool: only these query ids (comma-separated)")
    parser.add_argument("--depth", type=int, default=POOL_DEPTH)
    parser.add_argument("--show", metavar="DOC_ID", help="print one document in full")
    parser.add_argument(
        "--merge-judged",
        type=Path,
        metavar="DIR",
        help="append DIR/judged-{fa,en}.jsonl to the qrels, marked pool=issue9",
    )
    parser.add_argument(
        "--analysis",
        action="store_true",
        help="the analysis-options table of issue 4 (whoosh indexes), not the ranking table",
    )
    parser.add_argument(
        "--reuse-runs",
        action="store_true",
        help="take peer and candidate runs from bench/out/runs/ (from the last run)",
    )
    parser.add_argument(
        "--repool",
        type=Path,
        metavar="DIR",
        help="write DIR/pool-{fa,en}.jsonl: unjudged top 30 of every peer and candidate",
    )
    parser.add_argument(
        "--save-old-pipeline",
        type=Path,
        metavar="CHECKOUT",
        help=f"run the shipped path of a work tree of {OLD_PIPELINE_COMMIT} (the ranking before "
        "issue 9) and save it as row archive-old",
    )
    parser.add_argument(
        "--variants",
        action="store_true",
        help="the writing-variants table (bench/relevance/variants-{lang}.jsonl): the same "
        "queries typed with compounds apart, with ZWNJ or glued",
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="also print the ranking tables as Markdown (for bench/relevance/RESULTS.md)",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a MAP floor (FLOORS) is not reached"
    )
    args = parser.parse_args(argv)

    if not args.data_dir.is_dir():
        print(
            f"relevance: data folder {args.data_dir} is absent (it holds the Fars News and "
            "Tehran Times collections); nothing measured",
            file=sys.stderr,
        )
        return 1
    langs = ["fa", "en"] if args.lang == "both" else [args.lang]
    try:
        if args.show:
            for lang in langs:
                for doc in _load_collection(lang, args.data_dir):
                    if doc.id == args.show:
                        print(f"{doc.id}\n{doc.title}\n\n{doc.body}")
                        return 0
            print(f"relevance: no document {args.show}", file=sys.stderr)
            return 1
        if args.merge_judged:
            for lang in langs:
                added = merge_judged(lang, args.merge_judged)
                print(f"[{lang}] {added} judgements added", file=sys.stderr)
            return 0
        if args.save_old_pipeline:
            for lang in langs:
                path = save_old_pipeline(lang, args.data_dir, args.save_old_pipeline)
                print(f"[{lang}] saved {path.relative_to(REPO_DIR)}", file=sys.stderr)
            return 0
        if args.repool:
            for lang in langs:
                write_repool(lang, args.data_dir, args.repool)
            return 0
        if args.pool:
            systems = {
                "pool": POOL_SYSTEMS,
                "archive": analysis_systems(),
                "pipeline": [],
                "all": POOL_SYSTEMS + analysis_systems()[1:],
            }[args.pool_from]
            with_pipeline = args.pool_from in ("pipeline", "all")
            for lang in langs:
                print_pools(
                    lang, args.data_dir, args.qid, args.depth, systems, args.all, with_pipeline
                )
            return 0
        if args.variants:
            for lang in langs:
                if not (JUDGED_DIR / f"variants-{lang}.jsonl").exists():
                    print(f"[{lang}] no writing variants", file=sys.stderr)
                    continue
                report = compare_variants(lang, args.data_dir)
                print_variants(report)
                out = OUT_FILE.with_name(f"relevance-variants-{lang}.json")
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
            return 0
        if args.analysis:
            reports = [evaluate_language(lang, args.data_dir, analysis_systems()) for lang in langs]
        else:
            reports = [
                compare_rankings(lang, args.data_dir, reuse_runs=args.reuse_runs) for lang in langs
            ]
    except FileNotFoundError as exc:
        print(f"relevance: collection file missing: {exc}", file=sys.stderr)
        return 1
    for report in reports:
        (print_table if args.analysis else print_ranking_table)(report)
    if args.markdown and not args.analysis:
        for report in reports:
            print_ranking_markdown(report)
    out = OUT_FILE if args.analysis else OUT_FILE.with_name("relevance-ranking.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(reports, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nsaved {out.relative_to(REPO_DIR)}", file=sys.stderr)
    if args.check:
        failures = check_floors(reports) if args.analysis else check_ranking_floors(reports)
        for failure in failures:
            print(f"relevance: below floor: {failure}", file=sys.stderr)
        return 1 if failures else 0
    return 0


# Re-pooled MAP floors of the shipped path (bench/relevance/RESULTS.md: fa 0.794, en 0.790 on
# 2026-12-03), and how far below the best peer of the same run it may fall (fa measured -0.001
# against Lucene+RM3; the issue's target, +0.02, is not met there).
RANKING_FLOORS = {"fa": 0.785, "en": 0.78}
PEER_MARGIN = -0.005


def check_ranking_floors(reports: list[dict[str, Any]]) -> list[str]:
    """Return one line per language where the shipped path misses its floor or the best peer."""
    failures = []
    for report in reports:
        for row in report["rows"]:
            if row["system"] != "archive-pipeline":
                continue
            floor = RANKING_FLOORS.get(report["lang"], 0.0)
            if row["repooled"]["ap"] < floor:
                failures.append(f"{report['lang']}: MAP {row['repooled']['ap']:.4f} < {floor}")
            peer = row["repooled"].get("best_peer")
            if peer and peer["delta_ap"] < PEER_MARGIN:
                failures.append(
                    f"{report['lang']}: MAP {peer['delta_ap']:+.4f} against {peer['vs']}"
                )
    return failures


def check_floors(reports: list[dict[str, Any]]) -> list[str]:
    """Return one line per FLOORS entry that was measured and fell below its floor."""
    failures = []
    for report in reports:
        for row in report["rows"]:
            key = (report["lang"], row["system"], row["group"], row["title_boost"])
            floor = FLOORS.get(key)
            if floor is not None and row["ap"] < floor:
                failures.append(f"{' '.join(map(str, key))}: MAP {row['ap']:.4f} < {floor}")
    return failures


if __name__ == "__main__":
    sys.exit(main())
