"""Normalisation and tokens (English, Persian, Arabic): the one analysis chain of index and query.

Must not import hazm at module level: the query path imports this module and must stay fast.
Everything here is pure Python and deterministic.

Choices (see tests/test_text.py for the equivalence table):
- One compiled regex tokenises the ORIGINAL text, so `Term.start/end` slice the original.
  Tatweel, harakat, ZWNJ, ZWJ, soft hyphen, bidi marks and other invisibles are part of a word
  (never split it) and are deleted from the term (never glue two words).
- Folding (`normalize` and every term): NFKD, then combining marks dropped (so آ أ إ ٱ -> ا,
  ؤ -> و, ئ -> ی, ۀ -> ه, é -> e), ي ى -> ی, ك -> ک, ة ە -> ه, ء dropped, Persian and
  Arabic-Indic digits -> ASCII, lowercase. آ is folded to ا deliberately: آمریکا/امریکا are both
  common and no frequent word pair is separated by the madda alone.
- Tokens are routed by script: Arabic-script tokens through the Persian chain, others through
  the English chain, so one field serves every language and queries use the same chain.
  Arabic pages take the Persian chain too (a query has no language, and so Arabic and Persian
  spellings of a word meet). No Arabic stopword list: Lucene's (Savoy's) would stop Persian
  content words once folded (علی = Ali, in 10% of Fars articles; الان, الی, بها), and a list
  applied to Arabic pages only would differ from the query's analysis (README, Languages).
- Stored text is never folded: `clean_display` keeps the page's letters; folding is done here,
  for terms, and by `normalize` for the duplicate hash and prefix/wildcard text.
  Positions count emitted terms only (stopwords leave no gap). Tokens over MAX_TOKEN_CHARS are
  junk and skipped. Query strings pass through `search.rewrite.expand_query_compounds` (which
  also does `join_detached_affixes`) before whoosh's parser splits them on spaces: compounds written
  apart/with ZWNJ/glued (احمدی نژاد, احمدی‌نژاد) then find each other; Fars MAP 0.792 -> 0.834.
- Persian: detached affixes written with a space are joined (می روند = می‌روند = میروند,
  کتاب ها = کتابها, خانه ای = خانه‌ای); hazm's stopword list (shipped in data/, pinned by a
  test) minus a few content words (نشست, رشد, سهم); stemmer (default "light": MAP 0.792 vs
  0.729 unstemmed, 0.759 hazm Stemmer, 0.771 hazm Lemmatizer on the 36 judged Fars queries of
  bench/relevance.py) strips plural, comparative, ات, indefinite and ezafe suffixes with length
  guards and word lists (ایران stays ایران); "light-adj" also strips adjectival ی (MAP 0.795,
  but رئیسی = رئیس, سلیمانی = سلیمان, نظامی = نظام, so not the default);
  "hazm-stemmer"/"hazm-lemmatizer" import hazm lazily (bench only).
- English: accents folded, possessive 's dropped, apostrophes removed, dotted acronyms joined
  (U.S. = US), a small stopword list, Snowball (Porter2) stemming via `snowballstemmer`.
  US vs us: an all-capitals token of 2-6 letters is an acronym: never stemmed (AIDS is not
  aid), and the stopwords that are also acronyms (US, IT, WHO) are kept, so "US" and "U.S."
  give the term "us" while the lowercase pronoun "us" is a stopword and gives nothing.
"""

from __future__ import annotations

import importlib.machinery
import os
import re
import sys
import threading
import types
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, NamedTuple


class Term(NamedTuple):
    text: str  # the index term
    pos: int  # token position (0-based, consecutive for phrase queries)
    start: int  # start char offset in the ORIGINAL text given to iter_terms
    end: int  # end char offset in the ORIGINAL text


PersianStemmer = Literal["none", "light", "light-adj", "hazm-stemmer", "hazm-lemmatizer"]
EnglishStemmer = Literal["none", "porter", "snowball"]


@dataclass(frozen=True)
class AnalysisOptions:
    """Switches of the analysis chain (for relevance runs; the index uses DEFAULT_OPTIONS)."""

    normalize: bool = True
    stopwords: bool = True
    persian_stemmer: PersianStemmer = "light"
    english_stemmer: EnglishStemmer = "snowball"


DEFAULT_OPTIONS = AnalysisOptions()
# A change to what iter_terms/iter_name_terms give for the same input changes index terms:
# bump archive.index.SCHEMA_VERSION with it, so that older indexes ask to be rebuilt.

# --- character classes -------------------------------------------------------------------

# Invisible format characters: ZWSP, ZWNJ, ZWJ, LRM, RLM, bidi embeddings/overrides/isolates,
# word joiner and friends, BOM, soft hyphen, Arabic letter mark, Mongolian vowel separator.
_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u061c\u180e"
# Combining marks (Latin accents in decomposed text, Arabic harakat, tanwin, superscript alef,
# Quranic marks) and tatweel: inside a word, never a word of their own.
_MARKS = (
    "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u08ca-\u08ff\u0640"
)
_JOIN = _INVISIBLE + _MARKS
_DIGITS = "0-9\u06f0-\u06f9\u0660-\u0669"
_AR_LETTERS = (
    "\u0620-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff"
    "\u0750-\u077f\u08a0-\u08c9\ufb50-\ufbb1\ufbd3-\ufd3d\ufd50-\ufdc7\ufdf0-\ufdfb\ufe70-\ufefc"
)
_ARABIC_BLOCKS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
# A Latin (or any other non-Arabic) word character: \w minus Arabic script minus underscore.
_LA = rf"[^\W_{_ARABIC_BLOCKS}]"
_AR = f"[{_AR_LETTERS}{_DIGITS}]"
_D = f"[{_DIGITS}]"

_TOKEN_RE = re.compile(
    # a number with thousands separators and/or a decimal part: 1,000  3.5  ۳٫۵  ۱٬۰۰۰
    rf"(?P<num>{_D}+(?:[,\u066c]{_D}{{3}}(?!{_D}))*(?:[.\u066b]{_D}+)?)(?![^\W_])"
    # a dotted acronym: U.S.  U.S  e.g.
    rf"|(?P<acr>[A-Za-z](?:\.[A-Za-z])+\.?)(?![^\W_])"
    # an Arabic-script word (marks, tatweel and invisibles may sit inside it)
    rf"|(?P<ar>{_AR}+(?:[{_JOIN}]+{_AR}+)*)"
    # any other word; apostrophes inside (Iran's, O'Brien) and invisibles do not split it
    rf"|(?P<la>{_LA}+(?:(?:[{_JOIN}]+|['\u2018\u2019]){_LA}+)*)"
)
_GAP_RE = re.compile(rf"[\s{_JOIN}]+")


def _build_fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for lo, hi in (
        (0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
        (0xFE20, 0xFE2F), (0x0610, 0x061A), (0x064B, 0x065F), (0x06D6, 0x06ED),
        (0x08CA, 0x08FF),
    ):  # fmt: skip
        for cp in range(lo, hi + 1):
            if unicodedata.category(chr(cp)) in ("Mn", "Me"):
                table[cp] = None
    # superscript alef, tatweel, lone hamza, small high waw/yeh (Lm, not marks)
    for ch in "\u0670\u0640\u0621\u06e5\u06e6":
        table[ord(ch)] = None
    for lo, hi in ((0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069)):
        for cp in range(lo, hi + 1):
            table[cp] = None
    for ch in "\ufeff\u00ad\u061c\u180e":
        table[ord(ch)] = None
    # transliteration marks for hamza and ayn (Khāmeneʾī, Shiʿa), modifier apostrophes
    for ch in "\u02bb\u02bd\u02be\u02bf":
        table[ord(ch)] = None
    table[0x02BC] = "'"
    letters = {
        "\u064a": "\u06cc",  # ARABIC YEH -> FARSI YEH
        "\u0649": "\u06cc",  # ALEF MAKSURA
        "\u06cd": "\u06cc",
        "\u06d0": "\u06cc",
        "\u06d2": "\u06cc",  # YEH BARREE (Urdu)
        "\u0643": "\u06a9",  # ARABIC KAF -> KEHEH
        "\u06aa": "\u06a9",
        "\u0629": "\u0647",  # TEH MARBUTA
        "\u06d5": "\u0647",  # AE (what ۀ decomposes to)
        "\u06c1": "\u0647",  # HEH GOAL (what ۂ decomposes to)
        "\u06be": "\u0647",
        "\u0671": "\u0627",  # ALEF WASLA
        "\u0672": "\u0627",
        "\u0673": "\u0627",
        "\u0675": "\u0627",
        "\u066b": ".",  # Arabic decimal separator
    }
    for src, dst in letters.items():
        table[ord(src)] = dst
    for i in range(10):
        table[0x06F0 + i] = str(i)
        table[0x0660 + i] = str(i)
    return table


_FOLD_TABLE = _build_fold_table()
_ZWNJ = "\u200c"


def _fold(token: str) -> str:
    """Fold letters, marks, digits and case (no stemming)."""
    if token.isascii():
        return token.lower()
    return unicodedata.normalize("NFKD", token.lower()).translate(_FOLD_TABLE).lower()


_WS_RE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Return the canonical matching form of `text` (letters unified, marks dropped, digits ASCII).

    Also lowercases, folds accents, deletes ZWNJ and other invisibles and collapses whitespace.
    No stemming, no stopwords: use it for prefix/wildcard query text and for duplicate hashes.
    """
    folded = _fold(text)
    # NFKD can emit text whose lowercase decomposes again (rare compatibility characters).
    folded = _fold(folded)
    return _WS_RE.sub(" ", folded).strip()


def normalize_each(chars: list[str]) -> list[str]:
    """Return `normalize(c)` of each single character, folding them as one text (a fresh
    query's snippets fold ~1,800 characters: a third of the time). Equal because folding
    maps each character on its own (NFKD decomposes, never composes; NUL stays NUL)."""
    folded = _fold(_fold("\0".join(chars))).split("\0")
    if len(folded) != len(chars):  # a character that folds to NUL: one by one
        return [normalize(c) for c in chars]
    return [_WS_RE.sub(" ", f).strip() for f in folded]


# --- stopwords --------------------------------------------------------------------------


def read_data(name: str) -> str:
    """Return the text of the package's data file `name` (src/archive/data/).

    Through the package's loader, as `importlib.resources` reads it, without importing
    that (pathlib, zipfile: ~10 ms of every fresh `archive query`).
    """
    path = os.path.join(os.path.dirname(__file__), "data", name)
    return __spec__.loader.get_data(path).decode("utf-8")  # type: ignore[union-attr]


def _load_word_list(name: str, *, folded: bool = False) -> frozenset[str]:
    """The words of a data file, one a line, `#` lines left out; `folded`: the file is
    written folded already (a test checks it), so it is not folded again."""
    lines = (w.strip() for w in read_data(name).splitlines() if not w.startswith("#"))
    return frozenset(w for w in (lines if folded else map(_fold, lines)) if w)


# hazm's list also stops content words that news readers search for (نشست = meeting,
# رشد = growth, سهم = share, عالی as in شورای عالی): those stay searchable.
_SEARCHABLE = frozenset(
    "نشست رشد خطر سهم اجرا تغییر عالی پخش دهه متر جدید بزرگ کوچک اثر افراد تهیه بروز".split()
)
PERSIAN_STOPWORDS = _load_word_list("persian_stopwords.txt") - _SEARCHABLE
# Detached affixes: a Persian token equal to one of these, separated from its neighbour only by
# spaces or invisibles, is glued to it (after folding, so ZWNJ forms agree).
_PREFIXES = frozenset({"می", "نمی"})
_SUFFIXES = frozenset(
    {"ها", "های", "هایی", "هایم", "هایت", "هایش", "هایمان", "هایتان", "هایشان", "تر", "ترین"}
)
_SUFFIXES_AFTER_HEH = frozenset({"ای", "ی", "ام", "ات", "اش", "اند", "ایم", "اید"})
# Derivational prefixes that Persian orthography attaches to their word (بی‌کار, ناامن, کم‌آبی,
# پرجمعیت, غیرنفتی) and that text often detaches with a space instead of ZWNJ, as it does the
# affixes above: in the Fars judged collection the same compounds appear apart 342 times and
# attached 419. Alone, each is a stopword (نا aside) or another word, so an apart-written
# compound would index only its second half, which means something else (نفتی, "oil", for
# غیرنفتی, "non-oil"; آبی, "blue", for کم‌آبی, "water shortage"). Joined to the next token when
# that is a content word (not a stopword: غیر از, "except", stays apart), in text and queries
# alike. Closed on purpose: not هم, با, در, بر (mostly "also", "with", "in", "on" when written
# apart: درآمد is not در آمد).
COMPOUND_PREFIXES = frozenset({"بی", "نا", "کم", "پر", "غیر"})
# Lone affixes that could not be joined carry no meaning of their own.
# (تر alone is the word "wet".)
_LONE_AFFIXES = (_PREFIXES | _SUFFIXES | _SUFFIXES_AFTER_HEH) - {"تر"}

# Lucene/whoosh-style English list plus a few pronouns and auxiliaries; small on purpose
# ("may" stays searchable: May is a month).
ENGLISH_STOPWORDS = frozenset(
    """a an and are as at be been but by can for from had has have he her his i if in into is it
    its no not of on or our she such that the their them then there these they this those to
    us was we were when which who will with would yet you your""".split()
)
# Stopwords that are also common acronyms when written in capitals.
_ACRONYM_STOPWORDS = frozenset({"us", "it", "who"})

# --- stemmers ---------------------------------------------------------------------------

_PLURAL_SUFFIXES = ("هایشان", "هایتان", "هایمان", "هایش", "هایت", "هایم", "هایی", "های", "ها")
_PLURAL_SUFFIX_SET = frozenset(_PLURAL_SUFFIXES)
_NOT_PLURAL = frozenset({"تنها", "انتها", "بها", "رها", "سها", "اینها", "انها", "کوها"})
# Words that end in تر but are no comparative (loanwords, broken plurals), folded.
_NOT_COMPARATIVE = frozenset(
    """دختر دفتر دکتر بستر کبوتر انگشتر چتر متر تیاتر دفاتر کاراکتر فیلتر پوستر کامپیوتر
    اکتر استر اختر شتر تیتر لیتر اتر کاتر ساتر هلیکوپتر پارامتر اسکوتر مستر کنتر سنتر
    کلاستر کانتر اوستر چستر منچستر""".split()
)
# Words that end in ات but are no plural in ات, folded: Arabic singulars, and European loans
# in -at (diplomat is not diplom, watt, -ate salts).
_NOT_AT_PLURAL = frozenset(
    """امارات ملاقات مساوات زکات صلوات دیپلمات دموکرات تکنوکرات بوروکرات اریستوکرات
    کیلووات کیلوات مگاوات گیگاوات سولفات نیترات فسفات کربنات بیکربنات دیکربنات گلوتامات
    کربوهیدرات هیدرات کراوات اکروبات""".split()
)
# Five-letter words in ات whose word in ه is another word: services are no crew (خدمه),
# blessings no pond (برکه), consequences no national (تبعه), fisheries, sayyids (ساده,
# "simple"), motions (سکنه, "inhabitants").
_NOT_AT_PLURAL_OF_HEH = frozenset("خدمات برکات تبعات شیلات سادات سکنات".split())


# Without ZWNJ, "Xهای" is either X+های (کشورهای) or Xه+ای (هسته‌ای): the list decides.
# Written folded (its header says so): folding its 3,000 words took ~25 ms of every import.
_HEH_WORDS = _load_word_list("persian_heh_words.txt", folded=True)


def _stem_persian_light(word: str) -> str:
    """Strip plural, comparative and indefinite suffixes with length guards (ایران stays).

    Works on the ZWNJ-free form, so کتاب‌ها, کتابها and کتاب ها stem alike; the price is that
    ambiguous forms are read one way (نامهای is نامه+ای, never نام+های).
    Never strips ان or a plain ی (ایران, تهران, رئیسی, نظامی keep their form).
    """
    if word.endswith(("ای", "اش", "ام")) and word[:-2] in _HEH_WORDS:
        return word[:-2]  # هسته‌ای, منطقه‌ای, نامه‌ای, خانه‌اش, نامه‌ام
    if word.endswith("های") and word[:-3] + "ه" in _HEH_WORDS:
        return word[:-3] + "ه"  # هسته ای written without ZWNJ or space
    for suffix in _PLURAL_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2 and word not in _NOT_PLURAL:
            # a plural of a plural in ات (انتخابات‌های) stems as that plural does
            return _stem_at_plural(word[: -len(suffix)])
    for suffix in ("ترین", "تر"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if word not in _NOT_COMPARATIVE and not word.endswith("متر"):
                return word[: -len(suffix)]
            return word
    if word.endswith("هی") and len(word) >= 5:
        return word[:-1]  # ezafe/indefinite yeh after heh: خانه‌ی, گروهی
    if word.endswith(("ای", "وی")) and len(word) >= 4:
        return word[:-1]  # ezafe yeh after a vowel: شورای, اعضای, نیروی, دانشجوی
    return _stem_at_plural(word)


def _stem_at_plural(word: str) -> str:
    """Strip the Arabic plural ات (انتخابات, اطلاعات, اقدامات); a noun in ه takes ات in place of
    its ه (مسابقه/مسابقات, مطالعه/مطالعات, مطالبه/مطالبات, حمله/حملات), so its plural stems to
    it, not to a stem that is no word or another word (مسابق, مطالب = "contents").

    Six letters or more for a plain ات (ثبات, نجات, اوقات keep theirs); five for a noun in ه
    of the word list, but for the few of `_NOT_AT_PLURAL_OF_HEH`.
    """
    if not word.endswith("ات") or word.endswith("یات") or word in _NOT_AT_PLURAL:
        return word
    if len(word) >= 5 and word[:-2] + "ه" in _HEH_WORDS and word not in _NOT_AT_PLURAL_OF_HEH:
        return word[:-2] + "ه"
    if len(word) >= 6:
        return word[:-2]
    return word


def _stem_persian_light_adj(word: str) -> str:
    """`light`, then the adjectival/indefinite ی and یی too (ایرانی -> ایران, رئیسی -> رئیس)."""
    stem = _stem_persian_light(word)
    if stem != word or len(word) < 5:
        return stem
    if word.endswith("یی"):
        return word[:-2]  # امریکایی -> امریکا
    if word.endswith("ی") and not word.endswith("هی"):
        return word[:-1]
    return word


@lru_cache(maxsize=4)
def _hazm_stemmer(kind: str) -> Callable[[str], str]:
    import hazm  # noqa: PLC0415  (bench only: about 1.7 s)

    if kind == "hazm-stemmer":
        return hazm.Stemmer().stem  # type: ignore[no-any-return]
    lemmatizer = hazm.Lemmatizer()
    return lambda w: lemmatizer.lemmatize(w).split("#")[0].replace(_ZWNJ, "")


def _persian_stem_function(kind: str) -> Callable[[str], str]:
    if kind == "none":
        return lambda w: w
    if kind == "light":
        return _stem_persian_light
    if kind == "light-adj":
        return _stem_persian_light_adj
    if kind in ("hazm-stemmer", "hazm-lemmatizer"):
        return _hazm_stemmer(kind)
    raise ValueError(f"unknown Persian stemmer {kind!r}")


_ENGLISH_STEMMERS = ("porter", "snowball")  # both from the snowballstemmer package
_SNOWBALL_LOCK = threading.Lock()


def _english_stem_function(kind: str) -> Callable[[str], str]:
    if kind == "none":
        return lambda w: w
    if kind in _ENGLISH_STEMMERS:
        return _snowball_stemmer(kind).stemWord  # type: ignore[no-any-return]
    raise ValueError(f"unknown English stemmer {kind!r}")


def _snowball_stemmer(kind: str) -> Any:
    """One stemmer of the snowballstemmer package, without importing the package itself.

    Its `__init__` imports the stemmers of all 36 languages (~17 ms of a fresh `archive
    query` with an English word; the English one alone costs ~3 ms): while its one module is
    imported, a stand-in package (the real one's path, no code) sits in `sys.modules`. The
    class is what `snowballstemmer.stemmer("english")` instantiates when PyStemmer (the C
    version) is not installed; with it, the package would prefer that one, we do not.
    """
    with _SNOWBALL_LOCK:
        placed = None
        if "snowballstemmer" not in sys.modules:
            spec = importlib.machinery.PathFinder.find_spec("snowballstemmer")
            if spec is None or not spec.submodule_search_locations:
                raise ImportError("snowballstemmer is not installed")
            placed = types.ModuleType("snowballstemmer", "a stand-in (archive.text)")
            placed.__path__ = list(spec.submodule_search_locations)
            sys.modules["snowballstemmer"] = placed
        try:
            if kind == "porter":
                from snowballstemmer.porter_stemmer import PorterStemmer as stemmer
            else:
                from snowballstemmer.english_stemmer import EnglishStemmer as stemmer
        finally:
            if placed is not None and sys.modules.get("snowballstemmer") is placed:
                del sys.modules["snowballstemmer"]
    return stemmer()


# --- per-token chains (memoised per options) --------------------------------------------

_CACHE_LIMIT = 100_000  # entries per memo; about 14 MB each when full
# Longer "words" are binary junk, base64 or run-together garbage: not indexed, never joined.
MAX_TOKEN_CHARS = 128


class _Chain:
    """Memoised per-token work for one AnalysisOptions value."""

    def __init__(self, options: AnalysisOptions) -> None:
        self.options = options
        self.fa_stem = _persian_stem_function(options.persian_stemmer)
        if options.english_stemmer not in ("none", *_ENGLISH_STEMMERS):
            raise ValueError(f"unknown English stemmer {options.english_stemmer!r}")
        # loaded with the first English word: a Persian query never imports snowballstemmer
        self.en_stem: Callable[[str], str] = self._first_en_stem
        self.fa_cache: dict[str, str | None] = {}
        self.en_cache: dict[str, str | None] = {}

    def _first_en_stem(self, word: str) -> str:
        self.en_stem = _english_stem_function(self.options.english_stemmer)
        return self.en_stem(word)

    def persian(self, folded: str) -> str | None:
        """Term for a folded (and affix-joined) Persian token, or None when it is stopped."""
        cache = self.fa_cache
        if folded in cache:
            return cache[folded]
        opts = self.options
        term: str | None = folded
        if not folded or (opts.stopwords and folded in PERSIAN_STOPWORDS):
            term = None
        elif folded in _LONE_AFFIXES and opts.normalize:
            term = None
        elif not folded.isdigit() and not folded.isascii():
            term = self.fa_stem(folded) or folded
            if opts.stopwords and term in PERSIAN_STOPWORDS:
                term = None
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        cache[folded] = term
        return term

    def english(self, raw: str) -> str | None:
        """Term for a raw Latin-script token, or None when it is stopped."""
        cache = self.en_cache
        if raw in cache:
            return cache[raw]
        term = self._english(raw)
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        cache[raw] = term
        return term

    def _english(self, raw: str) -> str | None:
        opts = self.options
        if not opts.normalize:
            return raw.lower() or None
        letters = raw.translate(_APOSTROPHES)
        acronym = len(letters) >= 2 and letters.isupper() and len(letters) <= 6
        word = _fold(raw)
        if word.endswith(_POSSESSIVE):
            word = word[:-2]
        word = word.translate(_APOSTROPHES)
        if not word:
            return None
        if opts.stopwords and word in ENGLISH_STOPWORDS:
            if not (acronym and word in _ACRONYM_STOPWORDS):
                return None
        if acronym or word.isdigit():
            return word
        return self.en_stem(word) or word


_POSSESSIVE = ("'s", "\u2018s", "\u2019s")
_APOSTROPHES = str.maketrans({"'": None, "\u2018": None, "\u2019": None, ".": None})


@lru_cache(maxsize=16)
def _chain(options: AnalysisOptions) -> _Chain:
    return _Chain(options)


_FOLD_CACHE: dict[str, str] = {}


def _fold_cached(token: str) -> str:
    folded = _FOLD_CACHE.get(token)
    if folded is None:
        folded = _fold(token)
        if len(_FOLD_CACHE) > _CACHE_LIMIT:
            _FOLD_CACHE.clear()
        _FOLD_CACHE[token] = folded
    return folded


class _Token(NamedTuple):
    kind: str  # "fa", "en" or "num"
    text: str  # raw for "en", folded for "fa" and "num"
    start: int
    end: int


def _scan(text: str, normalize_letters: bool, join_affixes: bool) -> Iterator[_Token]:
    """Tokenise the original text; fold Persian tokens and join detached affixes."""
    pending: _Token | None = None
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        start, end = m.span()
        if end - start > MAX_TOKEN_CHARS:
            continue
        raw = m.group()
        if kind == "ar":
            folded = _fold_cached(raw) if normalize_letters else raw.lower()
            tok = _Token("fa", folded, start, end)
        elif kind == "num":
            folded = _fold_cached(raw).replace(",", "").replace("\u066c", "")
            tok = _Token("num", folded, start, end)
        else:
            tok = _Token("en", raw, start, end)
        if pending is not None:
            if (
                join_affixes
                and tok.end - pending.start <= MAX_TOKEN_CHARS
                and tok.kind == "fa"
                and pending.kind == "fa"
                and _GAP_RE.fullmatch(text, pending.end, tok.start)
                and (
                    pending.text in _PREFIXES
                    or tok.text in _SUFFIXES
                    or (pending.text.endswith("ه") and tok.text in _SUFFIXES_AFTER_HEH)
                    or (
                        pending.text in COMPOUND_PREFIXES
                        and tok.text not in PERSIAN_STOPWORDS
                        and tok.text not in _LONE_AFFIXES
                        and tok.text not in COMPOUND_PREFIXES
                    )
                )
            ):
                joined = pending.text + tok.text
                pending = _Token("fa", joined, pending.start, tok.end)
                continue
            yield pending
        pending = tok
    if pending is not None:
        yield pending


def iter_terms(text: str, options: AnalysisOptions = DEFAULT_OPTIONS) -> Iterator[Term]:
    """Yield the index terms of `text`, routing each token by script (Persian or English chain).

    Positions count emitted terms only (stopwords leave no gap), identically for index and query.
    """
    chain = _chain(options)
    pos = 0
    for tok in _scan(text, options.normalize, options.normalize):
        if tok.kind == "fa":
            term = chain.persian(tok.text)
        elif tok.kind == "num":
            term = tok.text
        else:
            term = chain.english(tok.text)
        if term:
            yield Term(term, pos, tok.start, tok.end)
            pos += 1


def iter_name_terms(text: str) -> Iterator[Term]:
    """Yield terms for a person name: same letter folding, lowercase, no stopwords, no stemming."""
    pos = 0
    for tok in _scan(text, True, True):
        term = tok.text if tok.kind != "en" else _fold_name_en(tok.text)
        if term:
            yield Term(term, pos, tok.start, tok.end)
            pos += 1


def _fold_name_en(raw: str) -> str:
    word = _fold_cached(raw)
    if word.endswith(_POSSESSIVE):
        word = word[:-2]
    return word.translate(_APOSTROPHES)


def iter_detached_affixes(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, joined) for each Persian word written with a detached affix.

    `joined` is text[start:end] with the gaps replaced by ZWNJ (کتاب ها -> کتاب‌ها): the form
    the analysis chain reads as one word.
    """
    for tok in _scan(text, True, True):
        if tok.kind != "fa":
            continue
        piece = text[tok.start : tok.end]
        joined = _GAP_RE.sub(_ZWNJ, piece)
        if joined != piece:
            yield tok.start, tok.end, joined


_PERSIAN_WORD_RE = re.compile(f"[{_AR_LETTERS}{_DIGITS}{_JOIN}]+")


def is_persian_word(word: str) -> bool:
    """True for a word of Persian letters and digits only (ZWNJ and marks inside allowed)."""
    return bool(_PERSIAN_WORD_RE.fullmatch(word)) and bool(_AR_LETTER_RE.search(word))


def is_plural_suffix(part: str) -> bool:
    """True for a plural suffix, with or without its possessive (ها, های, هایشان)."""
    return _fold(part) in _PLURAL_SUFFIX_SET


def is_lone_affix(part: str) -> bool:
    """True for a Persian affix that is not a word of its own (ها, می, ای) or a single letter."""
    folded = _fold(part)
    return folded in _LONE_AFFIXES or len(folded) < 2


# --- display and language --------------------------------------------------------------

# Stored text keeps the page's own letters (an Arabic page's ي ك ى ة, an old Persian CMS's ي ك):
# display cleaning drops only controls, bidi embeddings/overrides, BOM, soft hyphen and
# Mongolian vowel separator, and collapses whitespace. Letter folding is the index's job.
_DISPLAY_TABLE: dict[int, str | None] = {}
for _cp in list(range(0x00, 0x20)) + [0x7F] + list(range(0x80, 0xA0)):
    _DISPLAY_TABLE[_cp] = None
for _cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0xFEFF, 0x00AD, 0x180E):
    _DISPLAY_TABLE[_cp] = None
_DISPLAY_WS_RE = re.compile(r"[\s\u00a0\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_PARA_RE = re.compile(r"\n[ \t\r\f\v\u00a0]*\n\s*")


def clean_display(text: str, keep_paragraphs: bool = False) -> str:
    """Return `text` fit to store and show: letters as written, whitespace collapsed; ZWNJ kept.

    Control characters, bidi embeddings/overrides, BOM and soft hyphens are dropped; letters
    (Arabic ي/ك as much as Persian ی/ک) and digits stay as written. With `keep_paragraphs`,
    blank-line-separated paragraphs are kept as "\\n\\n".
    """
    if keep_paragraphs:
        paragraphs = (clean_display(p) for p in _PARA_RE.split(text))
        return "\n\n".join(p for p in paragraphs if p)
    text = _DISPLAY_WS_RE.sub(" ", text)
    return _DISPLAY_WS_RE.sub(" ", text.translate(_DISPLAY_TABLE)).strip()


# Arabic yeh and alef maksura as Persian yeh, Arabic kaf as Persian keheh
_SAME_LETTER_TABLE: dict[int, str | None] = {0x064A: "\u06cc", 0x0649: "\u06cc", 0x0643: "\u06a9"}


def same_letters_key(value: str) -> str:
    """Return a key under which Arabic and Persian spellings of one string are equal.

    Arabic ي ى / ك and Persian ی / ک agree, case is folded; nothing else changes. For
    comparisons inside extraction (duplicate bylines and tags, signature lines): what is stored
    keeps the page's letters.
    """
    return value.translate(_SAME_LETTER_TABLE).casefold()


_AR_LETTER_RE = re.compile(f"[{_AR_LETTERS}]")
_DETECT_LIMIT = 200_000

# --- Persian or Arabic ----------------------------------------------------------------------
# Both are written in Arabic script, and old Persian CMSs write Arabic ي/ك, so letters alone
# cannot tell them apart. Function words can: each list holds frequent words of one language
# that the other does not write (after ي ى -> ی, ك -> ک and marks dropped; hamza kept, so the
# Arabic أن/إلى differ from the Persian آن). Left out on purpose: words both write (و من ما),
# Arabic words that are Persian content words (على = Ali, عليه = against, كل, بين, خلال, كرد)
# and Persian words that are common Arabic (به = with it, هم = they, اما, يا).
_FA_WORDS = frozenset(
    """که از را این است در با برای تا شد شده شود یک آن خود ها های نیز بود باید کند کنند
    می نمی هستند دارد گفت اند بر""".split()
)
_AR_WORDS = frozenset(
    """فی إلی الی التی الذی الذین هذا هذه ذلک تلک عن مع أن إن أنه أنها کان کانت قد لم لن
    حیث منذ أو ثم إذا قال وقال وفی هو هی کما لقد وقد فیما إلا عند""".split()
)
_DETECT_CHARS = 20_000
# Arabic ي ى ك as Persian ی ک; tatweel and harakat dropped (hamza kept: أن is not آن)
_DETECT_FOLD: dict[int, str | None] = dict(_SAME_LETTER_TABLE)
_DETECT_FOLD.update(dict.fromkeys(range(0x064B, 0x0653)))
_DETECT_FOLD[0x0640] = None


class _DetectPatterns(NamedTuple):
    latin_letter: re.Pattern[str]
    # When function words do not decide (a title, a date line): letters Persian writes and
    # Arabic does not (پ چ ژ گ, and ZWNJ inside a word) against teh marbuta ة, alef maksura ى
    # and the article ال starting a word, which Persian writes in Arabic loans and names only.
    fa_only: re.Pattern[str]
    ar_only: re.Pattern[str]
    word: re.Pattern[str]


@lru_cache(maxsize=1)
def _detect_patterns() -> _DetectPatterns:
    """Compiled when extraction first detects a language (~0.6 ms a query would pay)."""
    return _DetectPatterns(
        latin_letter=re.compile(r"[A-Za-z\u00c0-\u024f]"),
        fa_only=re.compile("[\u067e\u0686\u0698\u06af]|(?<=\\w)\u200c(?=\\w)"),
        ar_only=re.compile("[\u0629\u0649]|(?<![\\w\u200c])\u0627\u0644\\w"),
        word=re.compile(f"[{_AR_LETTERS}{_MARKS}\u200c]+"),
    )


def detect_lang(text: str) -> str:
    """Return "fa", "ar" or "en" for a text, judged from its letters and function words.

    Latin letters against Arabic-script letters give "en" (ties, including a text with no
    letters, too). An Arabic-script text is "ar" when Arabic function words outnumber Persian
    ones (في التي الذي هذا against که از را این است می); when they tie (a title, a date
    line), it is "ar" when ة, ى and words starting with ال outnumber the marks of Persian
    (پ چ ژ گ, ZWNJ inside a word). Otherwise "fa". Dari is "fa"; Urdu and Pashto (no
    language of their own here) come out "fa" too.
    """
    sample = text[:_DETECT_LIMIT]
    arabic = len(_AR_LETTER_RE.findall(sample))
    latin = len(_detect_patterns().latin_letter.findall(sample))
    if arabic <= latin:
        return "en"
    return _persian_or_arabic(sample)


def _persian_or_arabic(sample: str) -> str:
    # the first _DETECT_CHARS characters (about 3,000 words) decide; counted at C speed
    head = sample[:_DETECT_CHARS]
    patterns = _detect_patterns()
    fa_hits = ar_hits = 0
    for raw, count in Counter(patterns.word.findall(head)).items():
        word = raw.translate(_DETECT_FOLD)  # once per distinct word: translate is slow
        if word in _FA_WORDS or word.startswith(("می\u200c", "نمی\u200c")):
            fa_hits += count  # می‌گوید, نمی‌شود: the Persian verb prefix with ZWNJ
        elif word in _AR_WORDS:
            ar_hits += count
    if fa_hits != ar_hits:
        return "ar" if ar_hits > fa_hits else "fa"
    arabic_marks = len(patterns.ar_only.findall(head))
    return "ar" if arabic_marks > len(patterns.fa_only.findall(head)) else "fa"
