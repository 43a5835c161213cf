"""Snippets: the passages of a stored body around the matched words, with highlight spans."""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Any

from whoosh import query as wq

from archive import text, whoosh_fence
from archive.search.parse import SNIPPET_FIELDS, fuzzy_prefix, positive_leaves, term_text

# Snippets: look at most this many characters into a stored body; the analysis chain runs only
# on the few words a cheap regex picks out (see _find_matches).
SNIPPET_SCAN_CHARS = 200_000
SNIPPET_MATCHES_PER_TERM = 6  # confirmed occurrences of one term are enough for 3 passages
SNIPPET_CANDIDATES_PER_TERM = 40  # regex candidates tried per term before giving up
SNIPPET_EXPANSIONS = 30  # index terms a fuzzy or wildcard query term is expanded to
SNIPPET_FRAGMENTS = 3
SNIPPET_FRAGMENT_CHARS = 150
SNIPPET_FALLBACK_CHARS = 240
ELLIPSIS = "…"


def snippet_terms(searcher: Any, q: Any | None) -> set[str]:
    """Return the index terms (text fields only) a hit's snippet should highlight.

    Terms under NOT are left out. A prefix query gives "prefix*" (matched word by word while
    making the snippet, no lexicon walk); fuzzy and wildcard terms are expanded on the body
    field only, at most SNIPPET_EXPANSIONS of them (expanding over every field and segment
    took seconds on a 20,000-article index).
    """
    if q is None:
        return set()
    reader = searcher.reader()
    found: set[str] = set()
    for leaf in positive_leaves(q):
        if leaf.field() not in SNIPPET_FIELDS:
            continue
        if type(leaf) is wq.Prefix:
            found.add(leaf.text + "*")
            continue
        if isinstance(leaf, wq.FuzzyTerm | wq.Wildcard | wq.Regex):
            if leaf.field() != "body":
                continue
            try:
                if isinstance(leaf, wq.FuzzyTerm):
                    within = reader.terms_within(
                        "body", leaf.text, leaf.maxdist, prefix=fuzzy_prefix(leaf)
                    )
                else:
                    within = whoosh_fence.pattern_terms(leaf, reader)
                expanded = itertools.islice(within, SNIPPET_EXPANSIONS)
                found.update(term_text(term) for term in expanded)
            except Exception:  # noqa: BLE001 - highlighting is best effort
                pass
            continue
        try:
            pairs = leaf.existing_terms(reader, phrases=True, expand=False)
        except Exception:  # noqa: BLE001 - an exotic leaf (range, every): nothing to highlight
            continue
        found.update(term_text(term) for fieldname, term in pairs if fieldname in SNIPPET_FIELDS)
    return found


def make_snippet(
    body: str,
    terms: set[str],
    *,
    fragments: int = SNIPPET_FRAGMENTS,
    fragment_chars: int = SNIPPET_FRAGMENT_CHARS,
    scan_chars: int = SNIPPET_SCAN_CHARS,
) -> tuple[str, list[tuple[int, int]]]:
    """Return (snippet, highlight spans): up to `fragments` passages of `body` around matches.

    Passages are chosen for the most distinct matched terms; whitespace is collapsed and "…"
    marks cuts. With no match in the first `scan_chars` characters, the opening of the body.
    """
    if not body:
        return "", []
    matches = _find_matches(body, terms, scan_chars=scan_chars) if terms else []
    if not matches:
        return _opening(body), []
    snippet = ""
    spans: list[tuple[int, int]] = []
    windows = _choose_windows(body, matches, fragments, fragment_chars)
    for number, (start, end) in enumerate(windows):
        if start > 0:
            snippet += ELLIPSIS + " " if number == 0 else " " + ELLIPSIS + " "
        elif number:
            snippet += " "
        cursor = start
        for m_start, m_end, _ in matches:
            if m_start < cursor or m_end > end:
                continue
            snippet += (
                _collapse(body[cursor:m_start]).lstrip()
                if cursor == start
                else _collapse(body[cursor:m_start])
            )
            word = _collapse(body[m_start:m_end])
            spans.append((len(snippet), len(snippet) + len(word)))
            snippet += word
            cursor = m_end
        tail = _collapse(body[cursor:end])
        snippet += tail.lstrip() if cursor == start else tail
        snippet = snippet.rstrip()
    if windows[-1][1] < len(body.rstrip()):
        snippet += " " + ELLIPSIS
    return snippet, spans


def make_snippet_for(stored: dict[str, Any], terms: set[str]) -> tuple[str, list[tuple[int, int]]]:
    """Build a hit's snippet from its stored body (falling back to summary, then title)."""
    body = stored.get("body") or ""
    if body:
        snippet = make_snippet(body, terms)
        if snippet[1] or not stored.get("summary"):
            return snippet
        summary_snippet = make_snippet(stored["summary"], terms)
        return summary_snippet if summary_snippet[1] else snippet
    return make_snippet(stored.get("summary") or "", terms)


def _find_matches(body: str, terms: set[str], *, scan_chars: int) -> list[tuple[int, int, str]]:
    """Find where `terms` occur in `body`, analysing only a few words around likely places.

    Running the analysis chain over a whole stored body costs milliseconds per hit. Instead a
    regular expression per term finds word starts that may fold to it (letter variants, case,
    ZWNJ and diacritics allowed between letters), and the chain confirms each candidate on the
    word alone, giving exact offsets. A surface form that does not begin with its stem is missed
    (the snippet then shows the opening); that costs a highlight, never a hit.
    """
    limit = min(len(body), scan_chars)
    matches: list[tuple[int, int, str]] = []
    for term in terms:
        prefix = term[:-1] if term.endswith("*") else None
        pattern = _candidate_pattern(prefix if prefix is not None else term, exact=prefix is None)
        if pattern is None:
            continue
        found = 0
        for tries, candidate in enumerate(pattern.finditer(body, 0, limit)):
            if found >= SNIPPET_MATCHES_PER_TERM or tries >= SNIPPET_CANDIDATES_PER_TERM:
                break
            start = candidate.start()
            end = _word_end(body, candidate.end(), limit)
            for analysed in text.iter_terms(body[start:end]):
                if analysed.start > candidate.end() - start:
                    break
                if analysed.text == term or (prefix and analysed.text.startswith(prefix)):
                    matches.append((start + analysed.start, start + analysed.end, term))
                    found += 1
                    break
    matches.sort()
    return matches


def _word_end(body: str, pos: int, limit: int) -> int:
    match = _WORD_END.search(body, pos, min(limit, pos + 40))
    return match.start() if match else min(limit, pos + 40)


_WORD_END = re.compile(r"[\s.,;:!?()\[\]{}\"'«»،؛؟]")


def _candidate_pattern(term: str, *, exact: bool = True) -> re.Pattern[str] | None:
    """Return a regex for word starts in raw text that may analyse to `term` (cached)."""
    cached = _PATTERNS.get(term)
    if cached is not None or term in _PATTERNS:
        return cached
    stem = term
    if exact and len(term) > 3 and term.endswith("i"):
        stem = term[:-1]  # Porter: happy -> happi
    variants = _variants()
    ignorable = variants.get("", "")
    gap = f"[{re.escape(ignorable)}]*" if ignorable else ""

    def letter(char: str) -> str:
        chars = variants.get(char, "") + char
        return "[" + re.escape("".join(sorted(set(chars)))) + "]"

    parts = [letter(char) for char in stem]
    if exact and len(stem) >= 4 and stem.endswith("\u0647"):
        # a plural in ات of a noun in ه stems to the noun (text._stem_at_plural): مسابقات is
        # a word of the term مسابقه, its ه replaced by ات
        parts[-1] = f"(?:{parts[-1]}|{letter('ا')}{gap}{letter('ت')})"
    pattern = None
    if parts:
        source = r"(?<!\w)" + gap.join(parts)
        # a compound of a derivational prefix may be written apart (کم آبی for the term
        # کمابی): the chain joins it, so a space may follow the prefix here too
        for prefix in text.COMPOUND_PREFIXES:
            if len(stem) > len(prefix) and stem.startswith(prefix):
                space = f"[\\s{re.escape(ignorable)}]*"
                head, tail = parts[: len(prefix)], parts[len(prefix) :]
                source = r"(?<!\w)" + gap.join(head) + space + gap.join(tail)
                break
        pattern = re.compile(source, re.IGNORECASE)
    if len(_PATTERNS) > 5000:
        _PATTERNS.clear()
    _PATTERNS[term] = pattern
    return pattern


_PATTERNS: dict[str, re.Pattern[str] | None] = {}


_VARIANTS: dict[str, str] = {}
# The folded characters' variants for this interpreter's Unicode data, written by
# `format_variants(compute_variants())`: computing them folds ~1,800 characters, ~2 ms of every
# fresh query with words to highlight; reading the file ~0.2 ms. Another Unicode version (another
# Python) computes them instead, since folding follows the interpreter's Unicode data.
VARIANTS_FILE = "snippet_variants.txt"


def _variants() -> dict[str, str]:
    """Map each folded character to the raw characters that fold to it ("" -> ignorable ones)."""
    if not _VARIANTS:
        _VARIANTS.update(_read_variants() or compute_variants())
    return _VARIANTS


def compute_variants() -> dict[str, str]:
    """The table of `_variants`, from the analysis chain's folding of every character of the
    scripts it reads (Latin, Arabic, digits, invisibles, presentation and full-width forms)."""
    ranges = [(0x30, 0x7A), (0xC0, 0x24F), (0x600, 0x6FF), (0x750, 0x77F), (0x8A0, 0x8FF),
              (0x200B, 0x200F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF), (0xFF10, 0xFF5A)]  # fmt: skip
    chars = [chr(code) for low, high in ranges for code in range(low, high + 1)]
    table: dict[str, set[str]] = {}
    for char, folded in zip(chars, text.normalize_each(chars), strict=True):
        if len(folded) <= 1 and folded != char:
            table.setdefault(folded, set()).add(char)
    variants = {k: "".join(sorted(v)) for k, v in table.items()}
    variants.setdefault("", "")
    return variants


def format_variants(variants: dict[str, str]) -> str:
    """The text of VARIANTS_FILE for `variants`: per line the folded character and the
    characters that fold to it, each as the hex of its UTF-8 ("-" for the ignorable)."""
    lines = [
        "# Generated by archive.search.snippets.format_variants(compute_variants()); a test",
        "# compares. Per line: a folded character (- for none), the characters that fold to it;",
        "# both the hex of their UTF-8. First the Unicode version of the folding.",
        f"unicode {unicodedata.unidata_version}",
    ]
    for folded in sorted(variants):
        key = folded.encode("utf-8").hex() or "-"
        lines.append(f"{key} {variants[folded].encode('utf-8').hex()}".rstrip())
    return "\n".join(lines) + "\n"


def _read_variants() -> dict[str, str] | None:
    """The shipped table, or None when it was written for another Unicode version."""
    lines = [line for line in text.read_data(VARIANTS_FILE).splitlines() if line[:1] != "#"]
    if not lines or lines[0] != f"unicode {unicodedata.unidata_version}":
        return None
    variants = {}
    for line in lines[1:]:
        folded, _, chars = line.partition(" ")
        key = "" if folded == "-" else bytes.fromhex(folded).decode("utf-8")
        variants[key] = bytes.fromhex(chars).decode("utf-8")
    return variants


def _choose_windows(
    body: str, matches: list[tuple[int, int, str]], fragments: int, fragment_chars: int
) -> list[tuple[int, int]]:
    candidates = []
    lead = fragment_chars // 3
    for m_start, _, _ in matches:
        start = max(0, m_start - lead)
        end = min(len(body), start + fragment_chars)
        inside = [m for m in matches if m[0] >= start and m[1] <= end]
        distinct = len({m[2] for m in inside})
        candidates.append((distinct, len(inside), -m_start, start, end))
    candidates.sort(reverse=True)
    chosen: list[tuple[int, int]] = []
    for _distinct, _count_inside, _neg, start, end in candidates:
        if len(chosen) >= fragments:
            break
        if any(start < c_end and end > c_start for c_start, c_end in chosen):
            continue
        chosen.append((start, end))
    snapped = [_snap(body, start, end, matches) for start, end in sorted(chosen)]
    return snapped


def _snap(body: str, start: int, end: int, matches: list[tuple[int, int, str]]) -> tuple[int, int]:
    """Move window edges to word boundaries without cutting a match."""
    for m_start, m_end, _ in matches:
        if m_start < end < m_end:
            end = m_end
        if m_start < start < m_end:
            start = m_start
    if start > 0 and not body[start - 1].isspace():
        space = _next_space(body, start, limit=start + 25)
        if space is not None and not any(start <= m[0] < space + 1 for m in matches):
            start = space + 1
    if end < len(body) and not body[end].isspace():
        back = _prev_space(body, end, limit=end - 25)
        if back is not None and not any(back < m[1] <= end for m in matches):
            end = back
    return start, end


def _next_space(body: str, pos: int, *, limit: int) -> int | None:
    for index in range(pos, min(limit, len(body))):
        if body[index].isspace():
            return index
    return None


def _prev_space(body: str, pos: int, *, limit: int) -> int | None:
    for index in range(pos - 1, max(limit, 0), -1):
        if body[index].isspace():
            return index
    return None


_WS = re.compile(r"\s+")


def _collapse(value: str) -> str:
    return _WS.sub(" ", value)


def _opening(body: str) -> str:
    head = _collapse(body[: SNIPPET_FALLBACK_CHARS * 2]).strip()
    if len(head) <= SNIPPET_FALLBACK_CHARS:
        return head if len(body) <= SNIPPET_FALLBACK_CHARS * 2 else head + " " + ELLIPSIS
    cut = head.rfind(" ", 0, SNIPPET_FALLBACK_CHARS)
    return (
        head[: cut if cut > SNIPPET_FALLBACK_CHARS // 2 else SNIPPET_FALLBACK_CHARS]
        + " "
        + ELLIPSIS
    )
