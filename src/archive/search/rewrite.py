"""Query-string rewriting before whoosh parses it: Persian compounds and detached affixes.

Whoosh's query parser splits the text on spaces before the analysis chain sees it, so what
the chain would join (a detached affix, a compound written apart) must be joined here first.
The Persian facts (what a detached affix or a Persian word is) come from `archive.text`.
"""

from __future__ import annotations

from archive import text

_ZWNJ = "\u200c"


def join_detached_affixes(query: str) -> str:
    """Return `query` with detached Persian affixes and derivational prefixes glued by ZWNJ
    (کتاب ها -> کتاب‌ها, کم آبی -> کم‌آبی: `text.COMPOUND_PREFIXES`).

    For query strings: whoosh's query parser splits on spaces before analysis, so a query
    `کتاب ها` would otherwise reach the analyzer as two words.
    """
    out: list[str] = []
    last = 0
    for start, end, joined in text.iter_detached_affixes(query):
        out.append(query[last:start])
        out.append(joined)
        last = end
    out.append(query[last:])
    return "".join(out)


def _without_plural(word: str) -> tuple[str, str]:
    """(the word, "") or, for a word ending in ZWNJ and a plural suffix (خانه‌های), (the word
    before it, the ZWNJ and the suffix)."""
    stem, zwnj, suffix = word.rpartition(_ZWNJ)
    if zwnj and text.is_plural_suffix(suffix):
        return stem, zwnj + suffix
    return word, ""


def _compound_parts(word: str) -> list[str]:
    """The ZWNJ-separated parts of a query word, when none of them is a bare affix or a
    derivational prefix (کم‌آبی is one word however it is written: the chain joins it).

    A plural suffix stays with the part it ends (کتاب‌خانه‌های: کتاب خانه‌های): a compound
    noun's plural is its parts' too.
    """
    stem, plural = _without_plural(word)
    parts = [p for p in stem.split(_ZWNJ) if p]
    if plural and parts:
        parts[-1] += plural
    if len(parts) < 2 or any(
        text.is_lone_affix(p) or text.normalize(p) in text.COMPOUND_PREFIXES for p in parts
    ):
        return []
    return parts


def _is_content_word(word: str) -> bool:
    """True when the analysis chain keeps the word (not a stopword such as در or و)."""
    return next(text.iter_terms(word), None) is not None


def _pairs(word: str, nxt: str) -> bool:
    """Whether two adjacent query words are also offered glued, as one compound.

    Only two content words without ZWNJ: glueing a stopword to its neighbour (درایران, ومیر)
    makes rare forms with an inflated idf, and a word that already carries an affix (هسته‌ای;
    جنگل‌ها as the first word) is a whole word (on the held-back Persian collection, every-pair
    glueing cost 1.5 MAP points against plain one-field BM25). One affix may end the pair: a
    plural suffix on its second word, which pluralises the compound (کتاب خانه‌ها, the plural
    of کتاب‌خانه).
    A derivational prefix and its word (کم آبی) are joined before this, by
    `join_detached_affixes`.
    """
    if not (text.is_persian_word(word) and text.is_persian_word(nxt)):
        return False
    if _ZWNJ in word:
        return False
    nxt = _without_plural(nxt)[0]
    if not nxt or _ZWNJ in nxt:
        return False
    return _is_content_word(nxt) and _is_content_word(word)


def expand_query_compounds(query: str, require_all: bool = False) -> str:
    """Return a whoosh query string where Persian compounds match however they were written.

    Compounds are written apart, with ZWNJ or glued (احمدی نژاد, احمدی‌نژاد); index terms keep
    what was written, so the query offers both: adjacent plain Persian words also match as one
    ZWNJ-glued word (two content words only, see `_pairs`), and a ZWNJ-joined word also
    matches as its parts. Detached affixes are joined first (`join_detached_affixes`). Quoted
    phrases, fields and operators are left alone.
    With `require_all`, alternatives are nested so that AND semantics are kept:
    `((A B) OR A‌B) C`; otherwise the extra forms are appended as optional words. A word after
    NOT/ANDNOT or a field prefix is never expanded.
    """
    chunks = join_detached_affixes(query).split()
    out: list[str] = []
    extras: list[str] = []
    in_quote = False
    i = 0
    while i < len(chunks):
        word = chunks[i]
        after = chunks[i - 1] if i else ""
        negated = after in ("NOT", "ANDNOT") or after.endswith(":")
        plain = not in_quote and not negated and text.is_persian_word(word)
        if word.count('"') % 2:
            in_quote = not in_quote
        if not plain:
            out.append(word)
            i += 1
            continue
        nxt = chunks[i + 1] if i + 1 < len(chunks) else ""
        pair = _pairs(word, nxt)
        parts = _compound_parts(word)
        if require_all:
            if pair:
                out.append(f"(({word} {nxt}) OR {word}{_ZWNJ}{nxt})")
                i += 2
                continue
            out.append(f"({word} OR ({' '.join(parts)}))" if parts else word)
        else:
            out.append(word)
            if pair:
                extras.append(f"{word}{_ZWNJ}{nxt}")
            extras.extend(parts)
        i += 1
    return " ".join(out + extras)
