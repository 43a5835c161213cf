"""Person names across scripts: one person's Persian-script name and its romanisations meet.

Pure Python, no network, no model; tables in data/names_*.txt/.tsv.
Imports only the standard library, so index, search and ingest can all use it.

How two names are compared (precision first: different people must not merge):

- Each token becomes a sequence of *units* over one alphabet: consonant classes (kh=خ=x,
  gh=q=غ=ق=q, sh=ش, ch=چ, j=zh=ج=ژ, s=ث=س=ص, z=ذ=ز=ض=ظ, t=ت=ط, h=ح=ه, v=w=و, y=ی at the start),
  three vowel classes (A, I, U) and a start marker ' for a name that begins with a vowel
  (Ahmad, احمد, Ali, علی) so Ahmad is not Hamed.
- Persian script writes the long vowels (ا = A, ی = I, و = U or v) and omits the short ones;
  romanisations write every vowel but do not say which are long. So in a romanisation "a" is
  an *optional* A, "o" and "u" optional U (a "u" in a closed last syllable, "ou", "oo", "ū" a
  required U), "i", "ee", "ei", "ey", "y" a required I, and "e" nothing (Hosseini = حسینی,
  Mohammad = محمد, Mahmoud = محمود, and Mohammad is not Mahmoud).
- Two names match when their unit sequences can be aligned (optional units skipped, aligned
  units sharing a symbol) over the *whole* name: given names and surname both, after titles
  (Dr, Seyed, سید, حجت‌الاسلام) are dropped. A single-word query matches on the surname.
- `name_keys` gives the coarse keys an index stores (the consonant skeleton of the surname,
  without v/y/h, which the scripts disagree on); `names_match` then decides among the names
  that share a key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from archive.text import read_data

# A unit: the symbols it may stand for, and whether it may be left out.
Unit = tuple[frozenset[str], bool]

_MARKER = "'"
_ZWNJ = "\u200c"

# --- tables ------------------------------------------------------------------------------


def _read_table(name: str) -> list[str]:
    text = read_data(f"names_{name}")
    return [
        line.rstrip("\n") for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]


@lru_cache(maxsize=1)
def _titles() -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(_split_raw(_fold(line))) for line in _read_table("titles.txt"))


@lru_cache(maxsize=1)
def _heads() -> tuple[frozenset[str], frozenset[str]]:
    words = [_fold(line.strip()) for line in _read_table("compound_heads.txt")]
    return (
        frozenset(w for w in words if not _is_arabic(w)),
        frozenset(w for w in words if _is_arabic(w)),
    )


@lru_cache(maxsize=1)
def _alef_maqsura() -> frozenset[str]:
    return frozenset(_fold(line.strip()) for line in _read_table("alef_maqsura.txt"))


@lru_cache(maxsize=1)
def _overrides() -> dict[str, str]:
    table = {}
    for line in _read_table("overrides.tsv"):
        persian, latin = line.split("\t")
        table[_fold(persian.strip())] = latin.strip()
    return table


# --- folding and tokens ------------------------------------------------------------------

_ARABIC_FOLD = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ئ": "ئ",
        "ك": "ک",
        "ۀ": "ه",
        "ة": "ه",
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ؤ": "ئ",  # hamza on waw: Foad = فؤاد, Mo'men = مؤمن
        "\u0640": None,  # tatweel
        "\u200d": None,  # ZWJ
        "\u00ad": None,  # soft hyphen
    }
)
# Arabic harakat, tanwin, superscript alef, Quranic marks; bidi controls and other invisibles.
_STRIP = re.compile(
    "[\u064b-\u065f\u0670\u06d6-\u06ed\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
# Latin letters with a macron or circumflex mark a long vowel in scholarly romanisation.
_LONG_LATIN = str.maketrans(
    {"â": "aa", "ā": "aa", "î": "ii", "ī": "ii", "û": "oo", "ū": "oo", "ô": "oo", "ō": "oo"}
)
# ʿayn and hamza marks, apostrophes: no sound the other script writes consistently.
_MARKS = re.compile("[\u02bb\u02bc\u02be\u02bf\u02b9\u0027\u2018\u2019\u0060\u00b4\u02c8]")
_SPLIT = re.compile(r"[\s\-\u2010-\u2015_.,;:/()\[\]«»\"]+")


def _is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufeff" for ch in text)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    text = _STRIP.sub("", text).translate(_ARABIC_FOLD).translate(_LONG_LATIN)
    text = _MARKS.sub("", text)
    # Remaining Latin accents (é, ş, ḥ) are dropped; Arabic-script letters keep their form
    # (NFKD would turn آ into ا + madda, and آ matters at the start of a word).
    out = []
    for ch in text:
        if ch.isascii() or _is_arabic(ch):
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch)
        out.append("".join(c for c in base if not unicodedata.combining(c)))
    return "".join(out)


def _split_raw(text: str) -> list[str]:
    return [t for t in _SPLIT.split(text) if t and t != _ZWNJ]


_EZAFE_LATIN = {"e", "ye", "-e", "-ye"}


def tokenize_name(name: str) -> list[str]:
    """Split a name into folded tokens: titles and ezafe dropped, compound given names split.

    Args:
        name: a person's name as written on a page, in any script.

    Returns:
        The tokens (lowercase, Arabic letter forms folded, ZWNJ kept inside a Persian word).
    """
    tokens = [t.strip(_ZWNJ) for t in _split_raw(_fold(name))]
    tokens = [t for t in tokens if t and t not in _EZAFE_LATIN]
    titles = _titles()
    longest = max((len(t) for t in titles), default=1)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            # A title is dropped only while a name is left after it (Haj is also a surname).
            if tuple(tokens[i : i + size]) in titles and i + size < len(tokens):
                i += size
                break
        else:
            out.extend(_split_compound(tokens[i]))
            i += 1
    if not out and tokens:
        out = tokens[-1:]
    out = _join_detached_suffixes(out)
    return [_strip_persian_ezafe(t) for t in out]


_DETACHED = {"ای", "ی", "ئی", "یی", "اي"}


def _join_detached_suffixes(tokens: list[str]) -> list[str]:
    # خامنه ای = خامنه‌ای: a suffix written apart belongs to the word before it.
    out: list[str] = []
    for token in tokens:
        if out and token in _DETACHED and _is_arabic(out[-1]):
            out[-1] = out[-1] + _ZWNJ + token
        else:
            out.append(token)
    return out


def _strip_persian_ezafe(token: str) -> str:
    # خانه‌ی: the ezafe after a final silent ه is written ‌ی or ۀ (ۀ is already folded to ه).
    if token.endswith("ه" + _ZWNJ + "ی"):
        return token[:-2]
    return token


def _split_compound(token: str) -> list[str]:
    latin_heads, persian_heads = _heads()
    plain = token.replace(_ZWNJ, "")
    if _is_arabic(token):
        for head in persian_heads:
            rest = plain[len(head) :]
            if plain.startswith(head) and len(rest) >= 3 and rest[0] in "اآع":
                return [head, rest]
        return [token]
    for head in latin_heads:
        rest = token[len(head) :]
        if token.startswith(head) and len(rest) >= 3 and rest[0] in "aeiou":
            return [head, rest]
    return [token]


# --- units: Persian script ---------------------------------------------------------------

_PERSIAN_CONSONANTS = {
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ط": "t",
    "ث": "s",
    "س": "s",
    "ص": "s",
    "ج": "j",
    "ژ": "j",
    "چ": "č",
    "ح": "h",
    "خ": "x",
    "د": "d",
    "ذ": "z",
    "ز": "z",
    "ض": "z",
    "ظ": "z",
    "ر": "r",
    "ش": "š",
    "غ": "q",
    "ق": "q",
    "ف": "f",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
}
_VOWEL_LETTERS = "اآوی"
_SILENT = "عءئ"  # ʿayn and hamza carriers: no letter in most romanisations


def _req(symbol: str) -> Unit:
    return (frozenset(symbol), False)


def _opt(symbol: str) -> Unit:
    return (frozenset(symbol), True)


def _persian_units(token: str) -> list[Unit]:
    plain = token.replace(_ZWNJ, "")
    if plain in _overrides():
        return _latin_units(_overrides()[plain])
    # Positions right after a ZWNJ start a new written word (علی‌اکبر, خامنه‌ای).
    after_zwnj: set[int] = set()
    letters: list[str] = []
    for ch in token:
        if ch == _ZWNJ:
            after_zwnj.add(len(letters))
        else:
            letters.append(ch)
    before_zwnj = {i - 1 for i in after_zwnj}
    units: list[Unit] = []
    n = len(letters)
    i = 0
    if n and letters[0] in "اآع" + _SILENT:
        # A vowel-initial name: the marker, then the vowel letters that spell its first vowel.
        units.append(_req(_MARKER))
        i = 1
        while (
            i < n
            and letters[i] in "اآیو"
            and not (letters[i] == "و" and i + 1 < n and letters[i + 1] in _VOWEL_LETTERS)
        ):
            i += 1
    maqsura = plain in _alef_maqsura()
    while i < n:
        ch = letters[i]
        nxt = letters[i + 1] if i + 1 < n else ""
        last = i == n - 1 or i in before_zwnj
        if ch == "ل" and _is_assimilated_article(letters, i):
            units.append(_opt("l"))  # Shahaboddin = شهاب‌الدین, Alaeddin = علاءالدین
        elif ch in _PERSIAN_CONSONANTS:
            units.append(_req(_PERSIAN_CONSONANTS[ch]))
        elif ch in "اآ":
            if i in after_zwnj and ch == "ا":
                units.append(_opt("A"))  # the alef that carries any vowel: علی‌اکبر, خامنه‌ای
            elif (
                nxt == "ل"
                and 0 < i < n - 2
                and letters[i - 1] not in "اآی"
                and letters[i + 2] not in _VOWEL_LETTERS + "ه"
            ):
                units.append(_opt("A"))  # the article in Abdolreza, Nasrollah: short o/e/a
            else:
                units.append(_req("A"))
        elif ch == "ی":
            if i == 0:
                units.append(_req("y"))
            elif last and maqsura:
                units.append(_req("A"))
            else:
                units.append(_req("I"))
        elif ch == "و":
            if i == 0:
                units.append(_req("v"))
            elif nxt == "ا" and i + 2 < n and letters[i + 2] == "ل":
                units.append(_req("U"))  # ابوالفضل Abolfazl, ذوالنور Zolnour: the article follows
            elif nxt and nxt in "اآو":
                units.append(_req("v"))  # جواد Javad, داوود Davood
            else:
                # Between consonants و is nearly always u/o; Tavakoli-like readings are
                # accepted as v too, which costs no precision (the romanisation says which).
                units.append((frozenset("Uv"), False))
        elif ch == "ه":
            prev = letters[i - 1] if i else ""
            if last and prev and prev not in "اآ" and not _ends_with_allah(letters, i):
                units.append(_opt("h"))  # silent final ه: Fatemeh = Fatemeh/Fatima/Fatemeh
            else:
                units.append(_req("h"))
        i += 1
    return _collapse(units)


_SUN_LETTERS = "تثدذرزسشصضطظن"


def _is_assimilated_article(letters: list[str], i: int) -> bool:
    """Whether the ل at `i` is the Arabic article before a sun letter, inside a name."""
    return (
        0 < i < len(letters) - 1
        and letters[i - 1] in "اآ"
        and i - 1 > 0
        and letters[i + 1] in _SUN_LETTERS
    )


def _ends_with_allah(letters: list[str], i: int) -> bool:
    return (
        "".join(letters[max(0, i - 2) : i + 1]) == "لله"
        or "".join(letters[max(0, i - 2) : i + 1]) == "اله"
    )


# --- units: romanisations ----------------------------------------------------------------

_LATIN_DIGRAPHS = {"kh": "x", "gh": "q", "sh": "š", "ch": "č", "zh": "j", "ph": "f", "ck": "k"}
_LATIN_SINGLE = {"q": "q", "c": "k", "w": "v", "j": "j"}
_VOWELS = "aeiouy"


def _latin_units(token: str) -> list[Unit]:
    token = "".join(ch for ch in token if ch.isalpha())
    units: list[Unit] = []
    n = len(token)
    i = 0
    if n and token[0] in "aeiou":
        units.append(_req(_MARKER))
        while i < n and token[i] in _VOWELS:
            i += 1
    elif n and token[0] == "y":
        units.append(_req("y"))
        i = 1
    while i < n:
        pair = token[i : i + 2]
        ch = token[i]
        if ch in _VOWELS or (
            ch == "w"
            and i > 0
            and token[i - 1] in "aou"
            and (i + 1 == n or token[i + 1] not in _VOWELS)
        ):
            j = i + 1
            while j < n and (
                token[j] in _VOWELS
                or (token[j] == "w" and (j + 1 == n or token[j + 1] not in _VOWELS))
            ):
                j += 1
            closed = _closed_last_syllable(token, j)
            units.extend(_latin_vowel_run(token[i:j], closed, run_before_l=token[j:] == "l"))
            i = j
            continue
        if pair in _LATIN_DIGRAPHS:
            units.append(_req(_LATIN_DIGRAPHS[pair]))
            i += 2
            continue
        if ch == "h" and i == n - 1 and i > 0 and token[i - 1] == "e":
            units.append(_opt("h"))  # -zadeh = -zade, Fatemeh = Fateme
        elif ch == "x":
            units.extend([_req("k"), _req("s")])
        else:
            units.append(_req(_LATIN_SINGLE.get(ch, ch)))
        i += 1
    return _collapse(units)


def _closed_last_syllable(token: str, end: int) -> bool:
    """Whether the vowel run ending at `end` is followed only by consonants to the end."""
    return end < len(token) and all(ch not in _VOWELS for ch in token[end:])


def _latin_vowel_run(run: str, closed_last: bool, run_before_l: bool = False) -> list[Unit]:
    units: list[Unit] = []
    k = 0
    while k < len(run):
        two = run[k : k + 2]
        if two in ("ou", "oo", "ow", "aw", "uu"):
            units.append(_req("U") if two != "aw" else _opt("A"))
            if two == "aw":
                units.append(_req("U"))
            k += 2
        elif two in ("ee", "ei", "ey", "ii"):
            units.append(_req("I"))
            k += 2
        elif two == "aa":
            units.append(_req("A"))
            k += 2
        else:
            ch = run[k]
            if ch in "iy":
                units.append(_req("I"))
            elif ch == "a":
                units.append(_opt("A"))
            elif ch == "u":
                last = k == len(run) - 1
                # Mahmud, Masud: long; but Abdul-, Abul- are the article (short).
                units.append(_req("U") if closed_last and last and not run_before_l else _opt("U"))
            elif ch == "o":
                units.append(_opt("U"))
            elif ch == "w":
                units.append(_req("U"))
            # "e" is a short vowel: Persian script does not write it
            k += 1
    return units


def _collapse(units: list[Unit]) -> list[Unit]:
    out: list[Unit] = []
    for unit in units:
        if out and out[-1] == unit:
            continue
        if out and out[-1][0] == unit[0]:
            # Mixed optional/required runs of one symbol: one required unit.
            out[-1] = (unit[0], False)
            continue
        out.append(unit)
    return out


@lru_cache(maxsize=65536)
def token_units(token: str) -> tuple[Unit, ...]:
    """Return the unit sequence of one folded token (see the module docstring)."""
    if _is_arabic(token):
        return tuple(_persian_units(token))
    return tuple(_latin_units(token))


# --- matching ----------------------------------------------------------------------------


def _compatible(
    a: Sequence[Unit], b: Sequence[Unit], a_starts: frozenset[int] = frozenset()
) -> bool:
    """Whether some reading of `a` equals some reading of `b` (optional units may be skipped).

    `a_starts`: where a word of `a` begins (after the first): a symbol doubled across two words
    is two letters, not one (Shirin Nazari is not Shirin Zarei).
    """
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i][1]:
            stack.append((i + 1, j))
        if j < len(b) and b[j][1]:
            stack.append((i, j + 1))
        if i < len(a) and j < len(b) and a[i][0] & b[j][0]:
            stack.append((i + 1, j + 1))
            # A symbol doubled on one side only (the two vowels of Tabatabaei, ii).
            if i + 1 < len(a) and a[i + 1][0] == a[i][0] and i + 1 not in a_starts:
                stack.append((i + 2, j + 1))
    return False


def _name_units(tokens: Sequence[str]) -> list[Unit]:
    units: list[Unit] = []
    for token in tokens:
        units.extend(token_units(token))
    return units


def _word_starts(tokens: Sequence[str]) -> frozenset[int]:
    """The unit offsets where the second and later words of `tokens` begin."""
    starts, offset = set(), 0
    for token in tokens[:-1]:
        offset += len(token_units(token))
        starts.add(offset)
    return frozenset(starts)


@dataclass(frozen=True)
class ParsedName:
    """A name's tokens, ready for matching."""

    tokens: tuple[str, ...]

    @property
    def surname_forms(self) -> list[tuple[str, ...]]:
        """The token groups that may be the surname: the last word, or the last two joined."""
        forms = [self.tokens[-1:]]
        if len(self.tokens) >= 3:
            forms.append(self.tokens[-2:])
        return forms


@lru_cache(maxsize=65536)
def parse_name(name: str) -> ParsedName:
    """Tokenise a name once for repeated matching."""
    return ParsedName(tuple(tokenize_name(name)))


def names_match(a: str, b: str) -> bool:
    """Decide whether two written names can be the same person's.

    Whole names must agree (given names and surname). A one-word name is read as a surname
    and matches a longer name ending in it (the README's `--author khakpoor`).
    """
    pa, pb = parse_name(a), parse_name(b)
    if not pa.tokens or not pb.tokens:
        return False
    if len(pa.tokens) == 1 or len(pb.tokens) == 1:
        single, other = (pa, pb) if len(pa.tokens) == 1 else (pb, pa)
        target = _name_units(single.tokens)
        return any(
            _compatible(target, _name_units(form)) for form in other.surname_forms
        ) or _compatible(target, _name_units(other.tokens))
    return _compatible(_name_units(pa.tokens), _name_units(pb.tokens), _word_starts(pa.tokens))


def _skeleton(units: Iterable[Unit]) -> str:
    out = []
    for symbols, optional in units:
        if optional or len(symbols) != 1:
            continue
        (symbol,) = symbols
        if symbol in "AIUvyhl" + _MARKER:  # l: the Arabic article's l is often not written
            continue
        out.append(symbol)
    return "".join(c for k, c in enumerate(out) if k == 0 or out[k - 1] != c)


def name_keys(name: str) -> list[str]:
    """Return the coarse index keys of a name: surname skeletons (and the whole name's).

    Two names that `names_match` always share at least one key; names sharing a key are
    candidates that `names_match` then confirms or rejects.
    """
    parsed = parse_name(name)
    if not parsed.tokens:
        return []
    keys = {_skeleton(_name_units(form)) for form in parsed.surname_forms}
    keys.add(_skeleton(_name_units(parsed.tokens)))
    return sorted(k for k in keys if k)


def query_keys(name: str) -> list[str]:
    """Return the index keys to look up for a name typed as a query (`--author`)."""
    parsed = parse_name(name)
    if not parsed.tokens:
        return []
    if len(parsed.tokens) == 1:
        return (
            [_skeleton(_name_units(parsed.tokens))] if _skeleton(_name_units(parsed.tokens)) else []
        )
    return name_keys(name)


def group_names(names: Iterable[str]) -> list[list[str]]:
    """Group written names into people: each group's names all match its first name.

    Names are taken in the order given (put the most frequent first: it names the group).
    """
    groups: list[list[str]] = []
    by_key: dict[str, list[int]] = {}
    for name in names:
        placed = False
        for key in name_keys(name):
            for g in by_key.get(key, []):
                if (
                    len(parse_name(groups[g][0]).tokens) > 1
                    and len(parse_name(name).tokens) > 1
                    and names_match(groups[g][0], name)
                ):
                    groups[g].append(name)
                    placed = True
                    break
            if placed:
                break
        if not placed:
            groups.append([name])
            for key in name_keys(name):
                by_key.setdefault(key, []).append(len(groups) - 1)
    return groups


# --- index terms -------------------------------------------------------------------------

TERM_SEPARATOR = "|"


def author_terms(authors: Iterable[str]) -> list[str]:
    """Return the index terms of an article's authors: `KEY|name as written`, one per key.

    The key finds the candidates by prefix; the name after the separator lets the query side
    confirm each candidate with `names_match` without reading stored fields.
    """
    terms: list[str] = []
    for author in authors:
        written = " ".join(author.replace(",", " ").replace(TERM_SEPARATOR, " ").split())
        for key in name_keys(written):
            term = f"{key}{TERM_SEPARATOR}{written}"
            if term not in terms:
                terms.append(term)
    return terms


def matching_author_terms(name: str, candidates: Iterable[str]) -> list[str]:
    """Keep the index terms (`KEY|name`) whose name `names_match` the queried name."""
    out = []
    for term in candidates:
        _, _, written = term.partition(TERM_SEPARATOR)
        if written and names_match(name, written):
            out.append(term)
    return out
