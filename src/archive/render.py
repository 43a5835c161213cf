"""Hits and records -> text / JSON Lines / CSV / BibTeX / RIS; terminal sanitising.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from archive.errors import UsageError
from archive.models import EXPORT_FORMATS, Article, Hit, IngestReport, Version

MAX_LISTED_FAILURES = 20  # failure lines on stderr; ingest's --report has every one

# Escape sequences first (so their parameter bytes go with them), then lone controls.
# OSC/DCS/SOS/PM/APC strings run to BEL or ST (ESC \ or 0x9C); an unterminated one runs to the end.
_ESCAPES = re.compile(
    r"""
      (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|$)   # OSC, DCS, SOS, PM, APC
    | (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?              # CSI ... final byte
    | \x1b [\x20-\x2f]* [\x30-\x7e]?                                      # other ESC sequences
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 except tab and newline, DEL, C1, and the bidi embedding/override/isolate controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_AND_LINES = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def sanitize_terminal(text: str, *, keep_newlines: bool = True) -> str:
    """Return `text` safe to print: ANSI escapes, C0/C1 controls and bidi overrides removed.

    Tabs and newlines stay unless `keep_newlines` is False (then each becomes a space, for
    one-line fields such as titles). ZWNJ (U+200C), ZWJ and the LRM/RLM marks stay: Persian
    words need them and they cannot reorder or hide text.
    """
    if not text:
        return ""
    text = _ESCAPES.sub("", text)
    if keep_newlines:
        return _CONTROLS.sub("", text)
    return _CONTROLS_AND_LINES.sub(_space_for_line_break, text)


# In JSON, characters a terminal or an editor acts on are written as \\u escapes, so that
# `cat report.jsonl` is safe and json.loads still gives the exact string back: C1 controls
# (U+009B is a one-byte CSI), DEL, the bidi embeddings/overrides/isolates and the line and
# paragraph separators. json.dumps already escapes C0 controls.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_line(data: Any) -> str:
    """Return `data` as one JSON line (UTF-8 kept) with no raw control or bidi character."""
    text = json.dumps(data, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _space_for_line_break(match: re.Match[str]) -> str:
    return " " if match.group() in "\t\n\r\x0b\x0c" else ""


# --- the terminal: width, bidi isolation ------------------------------------------------------


@dataclass(frozen=True)
class Terminal:
    """Where human output goes: its width (None: do not wrap), whether it is a terminal, colour.

    Lines are wrapped to `width`, and fields with right-to-left letters are wrapped in Unicode
    bidi isolates (FSI ... PDI) only when `is_tty`: pipes, files and JSON get the text as is.
    """

    width: int | None = None
    is_tty: bool = False
    color: bool = False

    @classmethod
    def detect(cls, stream: Any = None, *, color: bool | None = None) -> Terminal:
        """Describe `stream` (stdout by default): a terminal gets its width and colour."""
        stream = sys.stdout if stream is None else stream
        try:
            is_tty = bool(stream.isatty())
        except (AttributeError, ValueError):
            is_tty = False
        if color is None:
            color = is_tty and not os.environ.get("NO_COLOR")
        width = None
        if is_tty:
            import shutil  # here: it imports bz2 and lzma, which a pipe never needs

            width = shutil.get_terminal_size((80, 24)).columns
        return cls(width=max(width, 20) if width else None, is_tty=is_tty, color=color)


PLAIN = Terminal()
FSI = "\u2068"  # FIRST STRONG ISOLATE: the field takes the direction of its first letter
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def has_rtl(value: str) -> bool:
    """Tell whether `value` holds right-to-left letters (Persian, Arabic, Hebrew)."""
    return _RTL.search(value) is not None


def isolate(value: str, terminal: Terminal) -> str:
    """Wrap a field with right-to-left letters in FSI ... PDI on a terminal (else unchanged).

    Isolated, a Persian title followed by a Latin site name keeps the order of its runs in
    terminals that apply the bidi algorithm. The value must be sanitised already (the
    sanitiser removes any isolate the scraped text brought).
    """
    if terminal.is_tty and value and has_rtl(value):
        return f"{FSI}{value}{PDI}"
    return value


def display_width(value: str) -> int:
    """Return the columns `value` takes: marks and format characters none, wide letters two."""
    width = 0
    for char in value:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _fill(tokens: list[str], width: int | None, indent: int, first: int = 0) -> list[str]:
    """Greedy-fill rendered tokens into lines of at most `width` columns.

    `indent` columns start each line after the first; the first line has `first` columns
    already taken. A token wider than a line gets a line of its own.
    """
    if width is None:
        return [" ".join(tokens)]
    lines: list[list[str]] = [[]]
    used = first
    for token in tokens:
        size = display_width(_ANSI.sub("", token))
        if lines[-1] and used + 1 + size > width:
            lines.append([])
            used = indent
        if lines[-1]:
            used += 1
        lines[-1].append(token)
        used += size
    return [" ".join(line) for line in lines]


def _wrap_field(value: str, terminal: Terminal, indent: int, first: int, style: str = "") -> str:
    """Wrap one sanitised field to the terminal, each line isolated and styled."""
    lines = _fill(value.split(), terminal.width, indent, first)
    out = [_style(isolate(line, terminal), style, terminal.color) for line in lines]
    return ("\n" + " " * indent).join(out)


# --- hits (archive query) ---------------------------------------------------------------------

BOLD = "\x1b[1m"
DIM = "\x1b[2m"
RESET = "\x1b[0m"
HIGHLIGHT_OPEN = "["  # matched words when not on a terminal (or with --no-color)
HIGHLIGHT_CLOSE = "]"


def _line(value: Any) -> str:
    """One-line sanitised text of a scraped value."""
    return sanitize_terminal(str(value or ""), keep_newlines=False).strip()


def _style(value: str, code: str, color: bool) -> str:
    return f"{code}{value}{RESET}" if color and value else value


def format_header(
    total: int, elapsed: float, *, page: int = 1, limit: int = 10, feedback_added: int = 0
) -> str:
    """Return the line above the hits: total matches, page and time taken.

    `feedback_added`: how many of the matches hold none of the words typed, only terms that
    `--feedback` added; said apart so the count is not read as articles with the words.
    """
    noun = "match" if total == 1 else "matches"
    pages = max(1, -(-total // limit))
    where = f", page {page} of {pages}" if pages > 1 or page > 1 else ""
    added = f" ({feedback_added} only through feedback terms)" if feedback_added else ""
    return f"{total} {noun}{added}{where} in {elapsed:.3f} s"


def highlight_snippet(snippet: str, spans: list[tuple[int, int]], *, color: bool) -> str:
    """Return the snippet with matched words bold (color) or [bracketed], sanitised piecewise."""
    out: list[str] = []
    cursor = 0
    for start, end in sorted(spans):
        if start < cursor or end > len(snippet):
            continue
        out.append(_inline(snippet[cursor:start]))
        word = _inline(snippet[start:end])
        out.append(f"{BOLD}{word}{RESET}" if color else f"{HIGHLIGHT_OPEN}{word}{HIGHLIGHT_CLOSE}")
        cursor = end
    out.append(_inline(snippet[cursor:]))
    return "".join(out).strip()


def _inline(value: str) -> str:
    # Like _line but keeps edge spaces: pieces of one snippet are glued back together.
    return sanitize_terminal(value, keep_newlines=False)


def format_date(date: dt.date | None, date_jalali: str | None, lang: str) -> str:
    """Return "2025-02-01", with the Solar Hijri date for Persian articles: "... (1403-11-13)"."""
    if date is None:
        return "no date"
    shown = date.isoformat()
    if lang == "fa":
        jalali = date_jalali or _to_jalali(date)
        if jalali:
            shown += f" ({_line(jalali)})"
    return shown


def _to_jalali(date: dt.date) -> str | None:
    try:
        from archive.dates import to_jalali

        return to_jalali(date)
    except Exception:  # noqa: BLE001 - display only: a date we cannot convert is left out
        return None


def _snippet_tokens(snippet: str, spans: list[tuple[int, int]], *, color: bool) -> list[str]:
    """The words of a snippet, sanitised, matched parts bold (color) or [bracketed]."""
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for start, end in sorted(spans):
        if start < cursor or end > len(snippet):
            continue
        pieces.append((_inline(snippet[cursor:start]), False))
        pieces.append((_inline(snippet[start:end]), True))
        cursor = end
    pieces.append((_inline(snippet[cursor:]), False))
    text = "".join(piece for piece, _ in pieces)
    mask = [matched for piece, matched in pieces for _ in piece]
    tokens = []
    for word in re.finditer(r"\S+", text):
        out = []
        positions = range(word.start(), word.end())
        for matched, group in itertools.groupby(positions, key=lambda i: mask[i]):
            index = list(group)
            part = text[index[0] : index[-1] + 1]
            if matched:
                part = (
                    f"{BOLD}{part}{RESET}" if color else f"{HIGHLIGHT_OPEN}{part}{HIGHLIGHT_CLOSE}"
                )
            out.append(part)
        tokens.append("".join(out))
    return tokens


def format_hit(hit: Hit, *, color: bool = False, terminal: Terminal | None = None) -> str:
    """Return the human block for one hit: rank and title, a metadata line, the snippet.

    With a `terminal`, the title, metadata and snippet are wrapped to its width and fields with
    Persian letters are bidi-isolated (on a terminal only); its colour replaces `color`.
    """
    if terminal is not None and terminal.is_tty:
        return _format_hit_on(hit, terminal)
    if terminal is not None:
        color = terminal.color
    title = _line(hit.title) or "(no title)"
    head = f"{_rank_mark(hit)}{_style(title, BOLD, color)}"
    meta = _hit_meta(hit)
    lines = [head, "    " + _style(" · ".join(meta), DIM, color)]
    lines += ["    " + _style(line, DIM, color) for line in version_lines(_other_versions(hit))]
    if hit.snippet:
        lines.append("    " + highlight_snippet(hit.snippet, hit.highlights, color=color))
    return "\n".join(lines)


def _rank_mark(hit: Hit) -> str:
    """` 3. ` for a ranked hit; ` ↳  ` for a version `query --both` added after its hit."""
    return "  ↳ " if hit.version_of else f"{hit.rank:>2}. "


def _hit_meta(hit: Hit) -> list[str]:
    meta = []
    if hit.version_of:
        language = LANGUAGE_NAMES.get(hit.lang, hit.lang or "other-language")
        meta.append(f"{language} version of {_line(hit.version_of)}")
    meta.append(", ".join(_line(a) for a in hit.authors if _line(a)) or "no author")
    meta.append(format_date(hit.date, hit.date_jalali, hit.lang))
    if hit.site:
        meta.append(_line(hit.site))
    meta.append(f"id {_line(hit.id)}")
    return meta


def _other_versions(hit: Hit) -> list[Version]:
    """The versions to list under a hit: not the hit a `--both` version was added for."""
    return [v for v in hit.versions if v.id != hit.version_of]


def version_lines(versions: Iterable[Version]) -> list[str]:
    """Return `also in Persian: TITLE (id)` for each other-language version (sanitised)."""
    out = []
    for version in versions:
        language = LANGUAGE_NAMES.get(version.lang, _line(version.lang) or "another language")
        title = _line(version.title) or "(no title)"
        out.append(f"also in {language}: {title} ({_line(version.id)})")
    return out


def _format_hit_on(hit: Hit, terminal: Terminal) -> str:
    title = _line(hit.title) or "(no title)"
    rank = _rank_mark(hit)
    lines = [rank + _wrap_field(title, terminal, indent=4, first=len(rank), style=BOLD)]
    lines.append("    " + _join_fields(_hit_meta(hit), terminal, indent=4))
    for line in version_lines(_other_versions(hit)):
        wrapped = _wrap_field(line, terminal, indent=6, first=4, style=DIM)
        lines.append("    " + wrapped)
    if hit.snippet:
        tokens = _snippet_tokens(hit.snippet, hit.highlights, color=terminal.color)
        filled = _fill(tokens, terminal.width, indent=4, first=4)
        lines.append("    " + "\n    ".join(isolate(line, terminal) for line in filled))
    return "\n".join(lines)


def _join_fields(fields: list[str], terminal: Terminal, *, indent: int) -> str:
    """Join metadata fields with " · ", each isolated, wrapped between fields, dimmed."""
    shown = [isolate(field, terminal) for field in fields if field]
    lines: list[list[str]] = [[]]
    used = indent
    for field in shown:
        size = display_width(field)
        if lines[-1] and terminal.width and used + 3 + size > terminal.width:
            lines.append([])
            used = indent
        if lines[-1]:
            used += 3
        lines[-1].append(field)
        used += size
    out = [_style(" · ".join(line), DIM, terminal.color) for line in lines]
    return ("\n" + " " * indent).join(out)


def hit_to_json(hit: Hit) -> str:
    """Return one JSON Lines object for a hit (`Hit.as_dict`), strings sanitised."""
    return json_line(_clean(hit.as_dict()))


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return sanitize_terminal(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


# --- one article (archive show) ---------------------------------------------------------------


def format_article(
    article: Article,
    *,
    color: bool = False,
    terminal: Terminal | None = None,
    versions: Iterable[Version] = (),
) -> str:
    """Return the whole record and text of one article for a terminal.

    With a `terminal` that is one, lines are wrapped to its width and fields with Persian
    letters bidi-isolated; its colour replaces `color`. `versions`: its other-language
    versions, one `also in …` line each after the fields.
    """
    versions = list(versions)
    if terminal is not None and terminal.is_tty:
        return _format_article_on(article, terminal, versions)
    if terminal is not None:
        color = terminal.color
    lines = [_style(_line(article.title) or "(no title)", BOLD, color)]
    meta = [", ".join(_line(a) for a in article.authors) or "no author"]
    meta.append(format_date(article.date, article.date_jalali, article.lang))
    if article.site:
        meta.append(_line(article.site))
    lines.append(" · ".join(meta))
    fields = [
        ("id", article.id),
        ("lang", article.lang),
        ("url", article.url),
        ("source", article.source),
        ("encoding", article.encoding),
        ("tags", ", ".join(article.tags)),
        ("warnings", "; ".join(article.warnings)),
    ]
    for name, value in fields:
        if value:
            lines.append(_style(f"{name}: ", DIM, color) + _line(value))
    lines += version_lines(versions)
    if article.summary:
        lines += ["", _style("summary: ", DIM, color) + _line(article.summary)]
    body = sanitize_terminal(article.body or "").strip()
    lines += ["", body] if body else []
    return "\n".join(lines)


def _format_article_on(article: Article, terminal: Terminal, versions: list[Version]) -> str:
    lines = [_wrap_field(_line(article.title) or "(no title)", terminal, 0, 0, BOLD)]
    meta = [", ".join(_line(a) for a in article.authors) or "no author"]
    meta.append(format_date(article.date, article.date_jalali, article.lang))
    if article.site:
        meta.append(_line(article.site))
    lines.append(_join_fields(meta, terminal, indent=0))
    fields = [
        ("id", article.id),
        ("lang", article.lang),
        ("url", article.url),
        ("source", article.source),
        ("encoding", article.encoding),
        ("tags", ", ".join(article.tags)),
        ("warnings", "; ".join(article.warnings)),
    ]
    for name, value in fields:
        if value:
            label = f"{name}: "
            lines.append(
                _style(label, DIM, terminal.color)
                + _wrap_field(_line(value), terminal, indent=2, first=len(label))
            )
    for line in version_lines(versions):
        lines.append(_wrap_field(line, terminal, indent=2, first=0))
    if article.summary:
        label = "summary: "
        lines += [
            "",
            _style(label, DIM, terminal.color)
            + _wrap_field(_line(article.summary), terminal, indent=0, first=len(label)),
        ]
    body = sanitize_terminal(article.body or "").strip()
    for paragraph in re.split(r"\n\s*\n", body) if body else []:
        lines.append("")
        for text_line in paragraph.splitlines():
            lines.append(_wrap_field(text_line.strip(), terminal, indent=0, first=0))
    return "\n".join(lines)


def article_to_json(
    article: Article, *, score: float | None = None, versions: Iterable[Version] | None = None
) -> str:
    """Return one JSON object for a whole article (`Article.as_dict`), strings sanitised.

    `versions` (when given): its other-language versions, as `versions` [{id, lang, title, url}].
    """
    data = article.as_dict()
    if versions is not None:
        data["versions"] = [v.as_dict() for v in versions]
    if score is not None:
        data["score"] = round(score, 4)
    return json_line(_clean(data))


def format_explain(result: Any) -> list[str]:
    """Return the `--explain` lines of a query: how it was read, the filter, the sort, feedback."""
    lines = [
        f"query: {result.parsed or '(none: list by date)'}",
        f"filter: {result.filters or '(none)'}",
        f"sort: {result.sort}",
    ]
    if result.feedback_reason:
        lines.append(f"feedback: {result.feedback_reason}")
    if result.expansion:
        added = ", ".join(f"{term} {weight:.3f}" for term, weight in result.expansion)
        lines.append(f"feedback terms: {sanitize_terminal(added, keep_newlines=False)}")
    elif result.feedback:
        lines.append(
            "feedback terms: none added (feedback takes plain words and phrases ranked by "
            "relevance, with matches; not prefixes, wildcards, fuzzy terms or a date sort)"
        )
    return lines


def format_no_matches(result: Any, *, page: int = 1) -> str:
    """Return the stderr line of a query without hits on this page."""
    if result.total:
        return f"archive: no matches on page {page} ({result.total} in all)"
    if result.has_no_words:
        return "archive: no matches (the query has no searchable words)"
    return "archive: no matches"


# --- extract and ingest ---------------------------------------------------------------------


def format_extracted(article: Article) -> str:
    """Return what `archive extract` shows of one page: each field on a line, then the body."""

    def one(value: Any) -> str:
        return sanitize_terminal(str(value), keep_newlines=False)

    date = "-"
    if article.date:
        date = f"{article.date.isoformat()} (Solar Hijri {article.date_jalali})"
    rows = [
        ("source", article.source),
        ("title", article.title),
        ("authors", "; ".join(article.authors) or "-"),
        ("date", date),
        ("lang", article.lang),
        ("site", article.site or "-"),
        ("url", article.url or "-"),
        ("id", article.id),
        ("encoding", article.encoding or "-"),
        ("summary", article.summary or "-"),
        ("tags", ", ".join(article.tags) or "-"),
        ("warnings", "; ".join(article.warnings) or "-"),
    ]
    lines = [f"{name + ':':<10} {one(value)}" for name, value in rows]
    lines.append(f"body:      {len(article.body)} characters")
    body = sanitize_terminal(article.body).strip()
    lines += ["", body, ""] if body else [""]
    return "\n".join(lines)


def format_notice(message: str) -> str:
    """Return a notice of the library (it may quote a page or a path) as one `archive:` line."""
    return f"archive: {sanitize_terminal(message, keep_newlines=False)}"


def format_failure(location: str, reason: str | None) -> str:
    """Return the `path: reason` line of one input that failed (both sanitised)."""
    return sanitize_terminal(f"{location}: {reason or 'failed'}", keep_newlines=False)


def format_more_failed(more: int, *, where: str = "") -> str:
    """Return the line that stands for the failures not listed one by one (`where`: a hint
    on where the rest are listed, sanitised here)."""
    line = f"archive: … and {more:,} more failed input{'s' if more != 1 else ''}"
    return f"{line} ({sanitize_terminal(where, keep_newlines=False)})" if where else line


def format_duration(seconds: float) -> str:
    """Return a duration as 42s, 3m05s or 1h02m03s."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{seconds:02d}s"


def format_ingest_summary(result: IngestReport, *, report_path: str | None = None) -> list[str]:
    """Return the stderr lines after an ingest: the counts, then the first failures."""
    counts = result.counts
    lines = [
        f"added {counts['added']:,} · updated {counts['updated']:,} · "
        f"unchanged {counts['unchanged']:,} · duplicates {counts['duplicate']:,} · "
        f"failed {counts['failed']:,}"
        + "".join(f" · {k} {counts[k]:,}" for k in ("blocked", "pruned") if counts.get(k))
        + f" in {format_duration(result.seconds)}"
    ]
    for failure in result.failures[:MAX_LISTED_FAILURES]:
        lines.append(format_failure(failure.location, failure.reason))
    more = len(result.failures) - MAX_LISTED_FAILURES
    if more > 0:
        where = f"all are in {report_path}" if report_path else "--report FILE lists all"
        lines.append(format_more_failed(more, where=where))
    return lines


class IngestProgress:
    """The ingest status line on `stream` (stderr), redrawn at most 10 times a second.

    Drawn only when `enabled` (the CLI enables it on a terminal, without --quiet).
    """

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        import time

        self.stream = stream
        self.enabled = enabled
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.done = 0
        self.failed = 0
        self.width = 0

    def update(self, status: str) -> None:
        """Count one input's outcome (`status`, e.g. "added" or "failed") and redraw."""
        import time

        self.done += 1
        self.failed += status == "failed"
        now = time.monotonic()
        if self.enabled and now - self.last_draw >= 0.1:
            self.last_draw = now
            rate = self.done / max(now - self.started, 1e-6)
            line = f"ingest: {self.done:,} pages · {rate:,.1f} pages/s · {self.failed:,} failed"
            self._write("\r" + line.ljust(self.width))
            self.width = len(line)

    def clear(self) -> None:
        """Erase the status line (before another line is printed, and at the end)."""
        if self.enabled and self.width:
            self._write("\r" + " " * self.width + "\r")
            self.width = 0

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


# --- show -----------------------------------------------------------------------------------


def show_in_pager(text: str) -> bool:
    """Show `text` through the user's pager; False when there is none to run (then print it).

    The pager is $PAGER, `less -R` when it is unset, none when it is empty; `less` quits at
    once when the text fits one screen and leaves it shown (LESS=FRX, as git does).
    """
    import shlex
    import subprocess

    command = os.environ.get("PAGER")
    if command is None:
        command = "less -R"
    try:
        argv = shlex.split(command)
    except ValueError:
        return False
    if not argv:
        return False
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    try:
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    assert process.stdin is not None
    try:
        process.stdin.write((text + "\n").encode("utf-8", "replace"))
        process.stdin.close()
    except BrokenPipeError:  # the reader quit before the end
        pass
    except KeyboardInterrupt:
        pass
    while True:
        try:
            process.wait()
            break
        except KeyboardInterrupt:  # less handles Ctrl-C itself; wait for it to quit
            continue
    return True


# --- stats ------------------------------------------------------------------------------------


def format_stats(stats: dict[str, Any]) -> str:
    """Return the human report of `archive stats`."""
    lines = [f"articles: {stats.get('articles', 0)}"]
    if stats.get("lang"):
        lang = _line(str(stats["lang"]))
        lines.append(f"language: {LANGUAGE_NAMES.get(lang, lang)} ({lang})")
    if stats.get("sources"):
        lines.append(f"from: {', '.join(_line(s) for s in stats['sources'])}")
    elif not stats.get("lang"):
        lines.append(f"index size: {_human_size(stats.get('size_bytes'))}")
    if stats.get("engine") and stats["engine"] != "whoosh":
        lines.append(f"engine: {_line(str(stats['engine']))}")
    lines.append(f"last ingest: {stats.get('last_ingest') or 'never'}")

    def section(title: str, counts: Any) -> None:
        items = list(counts.items() if isinstance(counts, dict) else counts)
        if not items:
            return
        lines.append("")
        lines.append(f"{title}:")
        width = max(len(_line(k)) for k, _ in items)
        for key, count in items:
            lines.append(f"  {_line(key):<{width}}  {count:>7}")

    section("languages", stats.get("languages", {}))
    section("years (Gregorian)", stats.get("years", {}))
    section("years (Solar Hijri)", stats.get("years_jalali", {}))
    section("sites", stats.get("sites", {}))
    spellings = stats.get("author_spellings") or {}
    section(
        "top authors",
        {
            (f"{name} = {', '.join(spellings[name])}" if spellings.get(name) else name): count
            for name, count in (stats.get("authors") or {}).items()
        },
    )
    return "\n".join(lines)


def format_runs(runs: list[dict[str, Any]], *, terminal: Terminal = PLAIN) -> str:
    """Return the human list of logged runs (`archive stats --runs`), oldest first."""
    blocks = []
    for run in runs:
        seconds = run.get("seconds")
        took = f" in {seconds:.1f} s" if isinstance(seconds, int | float) else ""
        status = str(run.get("status") or "unfinished")
        if status == "unfinished":
            status = "unfinished (killed, or still running)"
        head = f"{_line(run.get('started'))}  {_line(run.get('command'))}  {status}{took}"
        options = run.get("options") or {}
        flags = " ".join(
            f"--{k}" if v is True else f"{k}={_line(_joined(v))}"
            for k, v in options.items()
            if v
        )
        lines = [head + (f"  {flags}" if flags else "")]
        counts = run.get("counts") or {}
        if counts:
            lines.append("  " + " · ".join(f"{_line(k)} {v:,}" for k, v in counts.items()))
        inputs = [_line(p) for p in run.get("inputs") or []]
        if inputs:
            more = run.get("inputs_total")
            extra = f" (+{more - len(inputs)} more)" if isinstance(more, int) else ""
            lines.append("  inputs: " + ", ".join(inputs) + extra)
        failures = run.get("failures") or []
        for failure in failures[:5]:
            where = _line(failure.get("location"))
            lines.append(f"  failed: {isolate(where, terminal)}: {_line(failure.get('reason'))}")
        total = run.get("failures_total")
        if isinstance(total, int) and total > min(len(failures), 5):
            lines.append(f"  ... {total - min(len(failures), 5):,} more failures")
        if run.get("note"):
            lines.append(f"  note: {_line(run.get('note'))}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _joined(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def format_forget_item(action: str, item: Any, *, terminal: Terminal = PLAIN) -> str:
    """Return one line of `archive forget`: action, id, title, and where it came from."""
    title = isolate(_line(getattr(item, "title", "")) or "(no title)", terminal)
    source = _line(getattr(item, "source", ""))
    line = f"{action} {_line(item.id)}  {title}"
    if source:
        line += f"  ({isolate(source, terminal)})"
    kept_by = getattr(item, "kept_by", None)
    if kept_by:
        line += f"  also in {isolate(_line(kept_by), terminal)}"
    when = getattr(item, "blocked_at", "")
    if when and action == "blocked":
        line += f"  since {_line(when)}"
    return line


def format_forget_plan(
    plan: Any, removed: str, kept: str, *, as_json: bool = False, terminal: Terminal = PLAIN
) -> list[str]:
    """Return the lines of a forget plan: each article removed, then each kept, with `action`.

    `removed`/`kept` name the action ("would remove", "removed", "blocked"...); with `as_json`
    each line is a JSON object with the action and the article's record.
    """
    lines = []
    for action, items in ((removed, plan.removed), (kept, plan.kept)):
        for item in items:
            if as_json:
                lines.append(record_to_json({"action": action, **item.as_dict()}))
            else:
                lines.append(format_forget_item(action, item, terminal=terminal))
    return lines


def record_to_json(record: dict[str, Any]) -> str:
    """Return one JSON Lines object, strings sanitised (log entries, forget lines)."""
    return json.dumps(_clean(record), ensure_ascii=False)


def _human_size(size: Any) -> str:
    if not isinstance(size, int | float):
        return "unknown"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


# --- export -----------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "title",
    "authors",
    "date",
    "date_jalali",
    "lang",
    "site",
    "url",
    "source",
    "summary",
    "tags",
    "score",
)
ABSTRACT_CHARS = 1000
LANGUAGE_NAMES = {"fa": "Persian", "en": "English", "ar": "Arabic"}


def export_records(records: Iterable[tuple[Article, float | None]], fmt: str, out: TextIO) -> int:
    """Write (article, score) records to `out` in `fmt`; return how many were written.

    Records stream: each is written as it comes. Every string is sanitised (control characters
    and bidi overrides are junk in a spreadsheet or a reference manager too); Persian stays UTF-8.
    """
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of: {', '.join(EXPORT_FORMATS)}")
    import csv  # here: a query never writes CSV

    count = 0
    writer = None
    keys: set[str] = set()
    for article, score in records:
        if fmt == "jsonl":
            out.write(article_to_json(article, score=score) + "\n")
        elif fmt == "csv":
            if writer is None:
                writer = csv.writer(out, lineterminator="\r\n")
                writer.writerow(CSV_COLUMNS)
            writer.writerow(_csv_row(article, score))
        elif fmt == "bibtex":
            out.write(("\n" if count else "") + format_bibtex(article, keys))
        else:
            out.write(format_ris(article))
        count += 1
    if fmt == "csv" and writer is None:
        csv.writer(out, lineterminator="\r\n").writerow(CSV_COLUMNS)
    return count


def _csv_row(article: Article, score: float | None) -> list[str]:
    values = {
        "id": article.id,
        "title": _line(article.title),
        "authors": "; ".join(_line(a) for a in article.authors),
        "date": article.date.isoformat() if article.date else "",
        "date_jalali": _line(article.date_jalali),
        "lang": article.lang,
        "site": _line(article.site),
        "url": _line(article.url),
        "source": _line(article.source),
        "summary": _line(article.summary),
        "tags": "; ".join(_line(t) for t in article.tags),
        "score": "" if score is None else f"{score:.4f}",
    }
    return [_csv_safe(values[column]) for column in CSV_COLUMNS]


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is a formula in spreadsheets: scraped text must not run.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _abstract(article: Article) -> str:
    text = _line(article.summary) or _line(article.body)
    if len(text) <= ABSTRACT_CHARS:
        return text
    cut = text.rfind(" ", 0, ABSTRACT_CHARS)
    return text[: cut if cut > ABSTRACT_CHARS // 2 else ABSTRACT_CHARS] + " …"


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}
_BIBTEX_SPECIAL_RE = re.compile(r"[\\{}$&%#_^~]")


def bibtex_escape(value: str) -> str:
    """Escape LaTeX specials so any scraped text is a valid, balanced BibTeX value."""
    return _BIBTEX_SPECIAL_RE.sub(lambda m: _BIBTEX_SPECIAL[m.group()], _line(value))


def bibtex_key(article: Article, used: set[str]) -> str:
    """Return a citation key unique within `used` (and add it): surname + year + title word."""
    surname = ""
    if article.authors:
        parts = _ascii_words(article.authors[0])
        surname = parts[-1] if parts else ""
    year = str(article.date.year) if article.date else ""
    word = next((w for w in _ascii_words(article.title) if len(w) > 3), "")
    base = surname + year + word
    if not (surname or word):
        # Persian author and title: no ASCII to build from; the article id keeps keys stable.
        id_words = _ascii_words(article.id)
        base = "archive" + year + ("".join(id_words)[:8] if id_words else "")
    key = base
    suffix = 0
    while key in used:
        suffix += 1
        key = base + (chr(ord("a") + suffix - 1) if suffix <= 26 else str(suffix))
    used.add(key)
    return key


def _ascii_words(value: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Za-z0-9]+", value or "")]


def format_bibtex(article: Article, used_keys: set[str]) -> str:
    """Return one BibTeX @article entry (key unique within `used_keys`)."""
    fields: list[tuple[str, str]] = [("title", "{" + bibtex_escape(article.title) + "}")]
    if article.authors:
        fields.append(("author", " and ".join(_bibtex_name(a) for a in article.authors)))
    if article.site:
        fields.append(("journal", bibtex_escape(article.site)))
    if article.date:
        fields.append(("year", str(article.date.year)))
        fields.append(("month", str(article.date.month)))
        fields.append(("date", article.date.isoformat()))
    if article.url:
        fields.append(("url", _bibtex_url(article.url)))
    if article.lang in LANGUAGE_NAMES:
        fields.append(("language", LANGUAGE_NAMES[article.lang].lower()))
        fields.append(("langid", LANGUAGE_NAMES[article.lang].lower()))
    abstract = _abstract(article)
    if abstract:
        fields.append(("abstract", bibtex_escape(abstract)))
    if article.date_jalali:
        fields.append(("note", "Solar Hijri date: " + bibtex_escape(article.date_jalali)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@article{{{bibtex_key(article, used_keys)},\n{body}\n}}\n"


def _bibtex_name(name: str) -> str:
    value = bibtex_escape(name)
    # A name in a script without letter case (Persian) or with a comma is kept whole in braces:
    # BibTeX's first/von/last split relies on case.
    if re.search(r"[A-Za-z]", value) and not re.search(r"[^\x00-\x7f]", value):
        return value.replace(" and ", " {and} ")
    return "{" + value + "}"


def _bibtex_url(url: str) -> str:
    clean = _line(url)
    return clean.replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C")


def format_ris(article: Article) -> str:
    """Return one RIS record (TY NEWS ... ER)."""
    lines = ["TY  - NEWS", f"TI  - {_line(article.title)}"]
    lines += [f"AU  - {_line(a)}" for a in article.authors if _line(a)]
    if article.date:
        lines.append(f"PY  - {article.date.year}")
        lines.append(f"DA  - {article.date:%Y/%m/%d}/")
    if article.site:
        lines.append(f"T2  - {_line(article.site)}")
    if article.url:
        lines.append(f"UR  - {_line(article.url)}")
    abstract = _abstract(article)
    if abstract:
        lines.append(f"AB  - {abstract}")
    if article.lang in LANGUAGE_NAMES:
        lines.append(f"LA  - {LANGUAGE_NAMES[article.lang]}")
    if article.date_jalali:
        lines.append(f"N1  - Solar Hijri date: {_line(article.date_jalali)}")
    lines.append(f"ID  - {_line(article.id)}")
    lines.append("ER  - ")
    return "\n".join(lines) + "\n\n"
