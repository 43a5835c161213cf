"""Name matching across scripts: precision and recall of `archive.names` on a hand-checked set.

bench/names/pairs.tsv holds pairs of written names, each labelled `same` (one person: a
romanisation seen in the Tehran Times text, a VOA Dari byline, or the well-known spelling of a
public figure or researcher, against the Persian-script name) or `different` (near misses:
different people whose names differ by one given name, a suffix such as -zadeh/-ian/-nia, or a
vowel). Targets: precision >= 0.98, recall >= 0.90.

Peers, run on the same pairs in the same process:
- `exact`: what the index did before (folded name equality, `archive.text.normalize`);
- `anyascii+jw`: both names transliterated to ASCII with anyascii, then rapidfuzz Jaro-Winkler
  similarity at the threshold that gives it its best F1 on this very set (a generous peer: the
  threshold is tuned on the test pairs). Needs the `bench` extra (anyascii, rapidfuzz).

    .venv/bin/python bench/names.py            # figures; exit 1 if a target is missed
    .venv/bin/python bench/names.py --errors   # also list the pairs it gets wrong
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from archive import names, text

PAIRS = Path(__file__).parent / "names" / "pairs.tsv"
TARGET_PRECISION = 0.98
TARGET_RECALL = 0.90
T = TypeVar("T")


def load_pairs(path: Path = PAIRS) -> list[tuple[bool, str, str, str]]:
    pairs = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, a, b, note = (line.split("\t") + [""])[:4]
        if label not in ("same", "different"):
            raise SystemExit(f"{path}: bad label {label!r}")
        pairs.append((label == "same", a, b, note))
    return pairs


def score(pred: list[bool], gold: list[bool]) -> tuple[float, float, int, int]:
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, fp, fn


def _exact(a: str, b: str) -> bool:
    return text.normalize(a) == text.normalize(b)


def _jw_peer() -> tuple[str, Callable[[str, str], float]] | None:
    try:
        from anyascii import anyascii
        from rapidfuzz.distance import JaroWinkler
    except ImportError:
        return None

    def similarity(a: str, b: str) -> float:
        return JaroWinkler.similarity(anyascii(a).lower(), anyascii(b).lower())

    return "anyascii+jw", similarity


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--errors", action="store_true", help="list the pairs archive.names gets wrong")
    args = ap.parse_args()
    pairs = load_pairs()
    gold = [g for g, *_ in pairs]
    n_same = sum(gold)
    print(f"{len(pairs)} pairs: {n_same} same person, {len(pairs) - n_same} near misses")
    print(
        f"{'method':<22}{'precision':>10}{'recall':>8}{'F1':>7}{'FP':>5}{'FN':>5}"
        f"{'µs/pair':>9}{'cpu µs':>8}"
    )

    def row(label: str, pred: list[bool], wall: float, cpu: float) -> tuple[float, float]:
        p, r, fp, fn = score(pred, gold)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        us, cus = wall / len(pairs) * 1e6, cpu / len(pairs) * 1e6
        print(f"{label:<22}{p:>10.3f}{r:>8.3f}{f1:>7.3f}{fp:>5}{fn:>5}{us:>9.1f}{cus:>8.1f}")
        return p, r

    def timed(fn: Callable[[str, str], T]) -> tuple[list[T], float, float]:
        w, c = time.perf_counter(), time.process_time()
        out = [fn(a, b) for _, a, b, _ in pairs]
        return out, time.perf_counter() - w, time.process_time() - c

    out, w, c = timed(_exact)
    row("exact (before)", [bool(x) for x in out], w, c)
    peer = _jw_peer()
    if peer is None:
        print("anyascii+jw: not run (pip install -e '.[bench]')")
    else:
        label, sim = peer
        sims, w, c = timed(sim)
        thresholds = [x / 100 for x in range(70, 100)]
        best_t = max(thresholds, key=lambda t: _f1(score([s >= t for s in sims], gold)))
        row(f"{label} >= {best_t:.2f}", [s >= best_t for s in sims], w, c)
    names.parse_name.cache_clear()
    names.token_units.cache_clear()
    out, w, c = timed(names.names_match)
    precision, recall = row("archive.names", [bool(x) for x in out], w, c)
    keyed = sum(
        bool(set(names.name_keys(a)) & set(names.query_keys(b))) for g, a, b, _ in pairs if g
    )
    print(f"same-person pairs sharing an index key: {keyed}/{n_same} (the index lookup finds them)")
    if args.errors:
        for (g, a, b, note), p in zip(pairs, out, strict=True):
            if bool(p) != g:
                kind = "missed" if g else "merged"
                print(f"  {kind}: {a} | {b} ({note})")
    ok = precision >= TARGET_PRECISION and recall >= TARGET_RECALL
    print(
        f"targets precision >= {TARGET_PRECISION}, recall >= {TARGET_RECALL}: "
        f"{'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


def _f1(pr: tuple[float, float, int, int]) -> float:
    p, r = pr[0], pr[1]
    return 2 * p * r / (p + r) if p + r else 0.0


if __name__ == "__main__":
    sys.exit(main())
