"""Command-line interface: parse options, call the library, map errors, render.

This is the only module that imports click and the only place where exceptions become exit
codes. Heavy modules (whoosh, bs4, hazm) are imported inside the commands so that
`archive --help` stays fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Iterator
from enum import IntEnum
from typing import Any

import click

from archive import __version__
from archive.errors import ArchiveError, UsageError
from archive.models import EXPORT_FORMATS, LANGUAGES, SORTS, SearchFilters

DEFAULT_INDEX = "index"
DEFAULT_INPUT = "raw"
MAX_LISTED_FAILURES = 20  # failure lines on stderr; --report has every one
MIN_ID_PREFIX = 4  # shorter starts of an id match too many articles to be meant


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    PARTIAL = 3  # finished, but some inputs were skipped
    INTERRUPTED = 130


class DateBound(click.ParamType):
    """A --from/--to value: Gregorian or Solar Hijri year, month or day (see `dates`)."""

    name = "DATE"

    def __init__(self, end: bool) -> None:
        self.end = end

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        from archive.dates import parse_date_bound

        try:
            start, end = parse_date_bound(str(value))
        except UsageError as exc:
            self.fail(str(exc), param, ctx)
        return end if self.end else start


_INDEX_KEY = "archive.index_dir"


def _remember_index(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    # The error boundary names the index in its "damaged" message.
    ctx.find_root().meta[_INDEX_KEY] = value
    return value


def _index_option(func: Any) -> Any:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False),
        default=lambda: os.environ.get("ARCHIVE_INDEX", DEFAULT_INDEX),
        show_default="index/ or $ARCHIVE_INDEX",
        help="Index folder.",
        callback=_remember_index,
    )(func)


class _Failure(Exception):
    """An exception that is not an ArchiveError, caught inside click with the index it was on.

    Caught here because click itself turns EOFError (whoosh reading a truncated segment) into
    an "Aborted" Ctrl-C, after printing a blank line.
    """

    def __init__(self, original: BaseException, index_dir: str | None) -> None:
        super().__init__(str(original))
        self.original = original
        self.index_dir = index_dir


class _ArchiveGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ArchiveError, click.exceptions.ClickException, click.exceptions.Exit):
            raise
        except (click.exceptions.Abort, KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as exc:
            raise _Failure(exc, ctx.meta.get(_INDEX_KEY)) from exc


@click.group(cls=_ArchiveGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archive")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def cli(debug: bool) -> None:
    """Bilingual (English + Persian) article archive and search engine.

    \b
    Examples:
      archive ingest raw/
      archive query "nuclear talks" --from 2024 --lang en
      archive query "همکاری‌های اقتصادی" --from 1403-11 --to 1403-12
    """
    # --debug is read by run() from the arguments, before click parses them.


# Commands are filled in by their modules' owners; each keeps to its own section.

# === extract (owner: extraction) ===


def _format_extracted(article: Any) -> str:
    from archive.render import sanitize_terminal

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


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="PATH...")
@click.option("--json", "as_json", is_flag=True, help="Write JSON Lines, one article per line.")
@click.option(
    "--max-size",
    type=lambda value: _ByteSize().convert(value, None, None),
    metavar="SIZE",
    default="20MB",
    show_default=True,
    help="Skip (as failed) any file or dump member larger than this, as ingest does.",
)
def extract(paths: tuple[str, ...], as_json: bool, max_size: int) -> int:
    """Show what ingest would store for each page, without touching the index.

    PATH may be a page, a folder (searched recursively) or a zip/tar/WARC dump, read exactly as
    `archive ingest` reads them. Each page failing is reported as one `path: reason` line on
    stderr; the others are still shown.

    \b
    Examples:
      archive extract raw/ipis-en-sanctions.html
      archive extract raw/ --json | jq .title
    """
    from archive.errors import ExtractionError
    from archive.extract import extract_article
    from archive.models import Outcome, RawPage
    from archive.render import article_to_json, sanitize_terminal
    from archive.sources import iter_pages

    failed = 0
    for item in iter_pages(paths, max_size=max_size):
        if isinstance(item, Outcome):
            location, reason = item.location, item.reason or "failed"
        elif not isinstance(item, RawPage):
            continue
        else:
            location = item.location
            try:
                article = extract_article(item)
            except ExtractionError as exc:
                reason = str(exc)
            else:
                if as_json:
                    click.echo(article_to_json(article))
                else:
                    click.echo(_format_extracted(article))
                continue
        failed += 1
        if failed <= MAX_LISTED_FAILURES:
            click.echo(sanitize_terminal(f"{location}: {reason}", keep_newlines=False), err=True)
    if failed > MAX_LISTED_FAILURES:
        more = failed - MAX_LISTED_FAILURES
        click.echo(f"archive: … and {more:,} more failed input{'s' if more != 1 else ''}", err=True)
    return ExitCode.PARTIAL if failed else ExitCode.OK


# === ingest (owner: ingest) ===


class _PositiveInt(click.ParamType):
    """A count of at least 1 (bad values are one `archive: ...` line, exit 2)."""

    name = "N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number < 1:
            raise UsageError(f"--jobs: {value!r} is not a whole number of at least 1")
        return number


class _ByteSize(click.ParamType):
    """A size in bytes: 20MB, 500KB, 1.5GB or a plain number of bytes."""

    name = "SIZE"
    _UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import re

        if isinstance(value, int):
            return value
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*", str(value), re.I)
        size = int(float(match.group(1)) * self._UNITS[match.group(2).lower()]) if match else 0
        if size < 1:
            raise UsageError(f"--max-size: {value!r} is not a size like 20MB, 500KB or 1000000")
        return size


def _format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{seconds:02d}s"


class _IngestProgress:
    """The ingest status line on stderr (only on a terminal), redrawn at most 10 times a second."""

    def __init__(self, enabled: bool) -> None:
        import time

        self.enabled = enabled
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.done = 0
        self.failed = 0
        self.width = 0

    def update(self, status: str) -> None:
        import time

        self.done += 1
        self.failed += status == "failed"
        now = time.monotonic()
        if self.enabled and now - self.last_draw >= 0.1:
            self.last_draw = now
            rate = self.done / max(now - self.started, 1e-6)
            line = f"ingest: {self.done:,} pages · {rate:,.1f} pages/s · {self.failed:,} failed"
            click.echo("\r" + line.ljust(self.width), nl=False, err=True)
            self.width = len(line)

    def clear(self) -> None:
        if self.enabled and self.width:
            click.echo("\r" + " " * self.width + "\r", nl=False, err=True)
            self.width = 0


@cli.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@_index_option
@click.option(
    "--jobs",
    "-j",
    type=_PositiveInt(),
    default=None,
    help="Worker processes for parsing and analysis.  [default: the machine's cores]",
)
@click.option(
    "--rebuild",
    is_flag=True,
    help="Build a fresh index; the old one keeps serving queries until the new one is complete.",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --rebuild: switch to the new index even if some inputs could not be read or "
    "it has no articles (without it, the old index then stays).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write one JSON line per input: location, status (added, updated, unchanged, "
    "duplicate, failed), id, reason.",
)
@click.option(
    "--max-size",
    type=_ByteSize(),
    default="20MB",
    show_default=True,
    help="Skip (as failed) any file or dump member larger than this.",
)
@click.option(
    "--wait",
    "lock_wait",
    type=float,
    default=0.0,
    metavar="SECONDS",
    help="If another ingest is writing the index, wait up to this long for it.",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Also remove articles whose file or dump member under the PATHs given no longer "
    "exists (articles of other inputs are never touched).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress, summary or failure lines.")
def ingest(
    paths: tuple[str, ...],
    index_dir: str,
    jobs: int | None,
    rebuild: bool,
    force: bool,
    report_path: str | None,
    max_size: int,
    lock_wait: float,
    prune: bool,
    quiet: bool,
) -> ExitCode:
    """Add pages (HTML files, folders, zip/tar/WARC dumps) to the index.

    PATH is a file, a folder (searched recursively), a .zip, .tar, .tar.gz, .tgz or .tar.xz
    dump, or a .warc/.warc.gz crawl; the default is raw/. Unchanged inputs are skipped without
    being parsed, changed ones are updated in place, and an article reached through several
    inputs is stored once (reported as a duplicate). Ingest can be interrupted at any moment:
    the index keeps its last committed state and the next run completes the job.

    \b
    Examples:
      archive ingest
      archive ingest raw/ raw/dumps/ipis-khabar-2025-03.zip --index index/
      archive ingest --rebuild --report ingest.jsonl
      archive ingest raw/ --prune

    \b
    Exit codes:
      0  every input was ingested (or was unchanged or a duplicate)
      1  the run could not proceed (index unreadable or locked, disk full)
      2  usage error (bad option value)
      3  finished, but some inputs failed (listed on stderr and in --report)
      130  interrupted (Ctrl-C, SIGTERM); what was committed stays, run again to finish
    """
    import signal

    from archive.ingest import ingest as run_ingest
    from archive.render import json_line, sanitize_terminal

    if force and not rebuild:
        raise UsageError("--force goes with --rebuild (it lets a rebuild replace the old index)")
    inputs = list(paths) or [DEFAULT_INPUT]
    if not paths and not os.path.exists(DEFAULT_INPUT):
        raise UsageError(f"nothing to ingest: no PATH given and no {DEFAULT_INPUT}/ folder here")
    report_file = None
    if report_path:
        try:
            report_file = (
                sys.stdout if report_path == "-" else open(report_path, "w", encoding="utf-8")
            )
        except OSError as exc:
            raise UsageError(f"--report: cannot write {report_path}: {exc.strerror}") from None
    progress = _IngestProgress(enabled=not quiet and sys.stderr.isatty())

    def on_outcome(outcome: Any) -> None:
        progress.update(outcome.status)
        if report_file is not None:
            try:
                report_file.write(json_line(outcome.as_dict()) + "\n")
            except OSError as exc:
                message = f"cannot write the report {report_path}: {exc.strerror}"
                raise ArchiveError(message) from None

    def on_notice(message: str) -> None:
        if not quiet:
            progress.clear()
            click.echo(f"archive: {sanitize_terminal(message, keep_newlines=False)}", err=True)

    def on_sigterm(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = None
    try:
        previous = signal.signal(signal.SIGTERM, on_sigterm)
    except ValueError:  # not the main thread (tests): SIGTERM keeps its default
        pass
    try:
        result = run_ingest(
            inputs,
            index_dir,
            jobs=jobs,
            rebuild=rebuild,
            force=force,
            on_outcome=on_outcome,
            on_notice=on_notice,
            max_size=max_size,
            lock_wait=lock_wait,
            prune=prune,
        )
    finally:
        progress.clear()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if report_file is not None and report_file is not sys.stdout:
            report_file.close()
    counts = result.counts
    if not quiet:
        click.echo(
            f"added {counts['added']:,} · updated {counts['updated']:,} · "
            f"unchanged {counts['unchanged']:,} · duplicates {counts['duplicate']:,} · "
            f"failed {counts['failed']:,}"
            + "".join(f" · {k} {counts[k]:,}" for k in ("blocked", "pruned") if counts.get(k))
            + f" in {_format_duration(result.seconds)}",
            err=True,
        )
        for failure in result.failures[:MAX_LISTED_FAILURES]:
            location = sanitize_terminal(failure.location, keep_newlines=False)
            reason = sanitize_terminal(failure.reason or "failed", keep_newlines=False)
            click.echo(f"{location}: {reason}", err=True)
        more = len(result.failures) - MAX_LISTED_FAILURES
        if more > 0:
            where = "--report FILE lists all"
            if report_path:
                where = f"all are in {sanitize_terminal(report_path, keep_newlines=False)}"
            click.echo(f"archive: … and {more:,} more failed inputs ({where})", err=True)
    if result.held_back:
        click.echo(f"archive: {result.held_back}", err=True)
        return ExitCode.PARTIAL
    return ExitCode.PARTIAL if counts["failed"] else ExitCode.OK


# === query, show, stats, export (owner: query) ===

def _search_options(func: Any) -> Any:
    """The QUERY argument and the filters shared by `query` and `export`."""
    options = [
        click.argument("query_words", nargs=-1, metavar="[QUERY]"),
        click.option(
            "--author",
            "authors",
            multiple=True,
            metavar="NAME",
            help="Written by NAME, either script, surname alone is enough (repeat: any of them).",
        ),
        click.option(
            "--from",
            "date_from",
            type=DateBound(end=False),
            metavar="DATE",
            help="On or after DATE: 2025, 2025-02, 2025-02-01, or Solar Hijri 1403, 1403-11-12.",
        ),
        click.option(
            "--to",
            "date_to",
            type=DateBound(end=True),
            metavar="DATE",
            help="On or before DATE (a year or month includes all of it).",
        ),
        click.option("--lang", type=click.Choice(LANGUAGES), help="Only this language."),
        click.option(
            "--site",
            "sites",
            multiple=True,
            metavar="HOST",
            help="Only this site and its subdomains, e.g. tehrantimes.com (repeatable).",
        ),
        click.option(
            "--source",
            "sources",
            multiple=True,
            metavar="PATH",
            help="Only articles from this input: a file, a folder (all below it), a dump, or "
            "dump.zip!member (repeatable: any of them).",
        ),
        click.option(
            "--sort",
            type=click.Choice(SORTS),
            help="relevance (default with a QUERY), date (oldest first), -date (newest first;"
            " the default without QUERY). By date, every match is listed: add --all to keep"
            " only articles with every word.",
        ),
        click.option(
            "--all", "require_all", is_flag=True, help="Only articles matching every word."
        ),
        click.option(
            "--exact",
            is_flag=True,
            help="The words as typed: no glued Persian compound forms, no feedback terms.",
        ),
        click.option(
            "--feedback/--no-feedback",
            default=None,
            help="Rank with pseudo-relevance feedback (RM3 terms from the best hits).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _filters(options: dict[str, Any]) -> SearchFilters:
    """The SearchFilters of the options `_search_options` adds (their names are its fields)."""
    return SearchFilters(**options)


def _use_color(color: bool | None) -> bool:
    if color is not None:
        return color
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


@cli.command("query")
@_search_options
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Hits per page.",
)
@click.option(
    "--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page number."
)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one object per hit.")
@click.option(
    "--color/--no-color",
    default=None,
    help="Bold matched words (default: only on a terminal; else [brackets]).",
)
@click.option("--explain", is_flag=True, help="Show how the query was read (on stderr).")
@_index_option
def query_command(
    query_words: tuple[str, ...],
    limit: int,
    page: int,
    as_json: bool,
    color: bool | None,
    explain: bool,
    index_dir: str,
    **filters: Any,
) -> int:
    """Search the archive: ranked hits with snippets.

    QUERY uses the whoosh query language. Words are looked up in title, summary, body and
    author, after the same analysis as at ingest (ي/ی, ك/ک, ZWNJ, diacritics, Persian
    digits, stems), so Persian and English may be mixed freely. With several words,
    articles with any of them match, ranked by BM25 over the whole article; --all keeps
    only articles with every word. Persian words written apart also match glued
    (احمدی نژاد, احمدی‌نژاد); --feedback adds terms from the best hits (RM3) to rank
    them, --exact takes the words as typed. Without QUERY, the matching articles are
    listed newest first.

    \b
    Query syntax:
      nuclear talks             either word, both ranked higher
      "nuclear talks"           the phrase (also «...» and “...”)
      iran AND (oil OR gas)     boolean, grouped
      sanctions NOT russia      leave out articles with russia
      title:برجام               in the title only (title: summary: body: author:)
      author:khakpoor           by author name in the query
      source:raw/dumps/a.zip    from an input (file, folder, dump, dump.zip!member)
      negot*                    prefix: negotiate, negotiations...
      tehran~                   fuzzy: one edit away, same first letter (~2: two, the most)

    \b
    Examples:
      archive query "nuclear talks" --from 2024 --lang en
      archive query "همکاری‌های اقتصادی" --from 1403-11 --to 1403-12
      archive query --author khakpoor --sort -date
      archive query برجام --site ipis.example --json | jq .title
      archive query تحریم‌ها --explain
      archive query "water crisis" --feedback --explain

    \b
    Dates: 2025, 2025-02, 2025-02-01, or Solar Hijri (a year below 1700) 1403,
    1403-11, 1403-11-12, 1403/11/12, in ASCII or Persian digits; --from/--to are
    inclusive and a month or year covers all of its days.
    Output: a header with the count and time, then per hit its rank, title, authors,
    date (with the Solar Hijri date for Persian articles), site, id and a snippet with
    the matched words in bold on a terminal and [in brackets] otherwise. --json prints
    one object per hit: id, title, authors, date, date_jalali, lang, site, url, source,
    score, snippet, rank.
    """
    from archive import render
    from archive.search import search

    use_color = _use_color(color)
    with _time_budget(QUERY_SECONDS):
        result = search(
            index_dir, " ".join(query_words), _filters(filters), limit=limit, page=page
        )
    if explain:
        click.echo(f"query: {result.parsed or '(none: list by date)'}", err=True)
        click.echo(f"filter: {result.filters or '(none)'}", err=True)
        click.echo(f"sort: {result.sort}", err=True)
        if result.expansion:
            added = ", ".join(f"{term} {weight:.3f}" for term, weight in result.expansion)
            click.echo(f"feedback: {render.sanitize_terminal(added)}", err=True)
    if not result.hits:
        if result.total:
            click.echo(f"archive: no matches on page {page} ({result.total} in all)", err=True)
        elif result.has_no_words:
            click.echo("archive: no matches (the query has no searchable words)", err=True)
        else:
            click.echo("archive: no matches", err=True)
        return ExitCode.OK
    try:
        if as_json:
            for hit in result.hits:
                click.echo(render.hit_to_json(hit))
            return ExitCode.OK
        terminal = render.Terminal.detect(color=use_color)
        click.echo(render.format_header(result.total, result.elapsed, page=page, limit=limit))
        for hit in result.hits:
            click.echo("")
            click.echo(render.format_hit(hit, terminal=terminal), color=use_color)
    except BrokenPipeError:
        _reader_went_away()
    return ExitCode.OK


# A query that runs longer than this is stopped (exit 1). Fuzzy terms are bounded to 2 edits
# and 200 words per field, so none of the demo's or the bench's queries come near it.
QUERY_SECONDS = 10.0


@contextlib.contextmanager
def _time_budget(seconds: float) -> Iterator[None]:
    """Stop the work inside after `seconds` (CPU-bound whoosh loops have no deadline of their
    own): SIGALRM raises QueryTimeoutError, again every 0.5 s should anything swallow it."""
    import signal

    from archive.errors import QueryTimeoutError

    def expire(signum: int, frame: Any) -> None:
        raise QueryTimeoutError(
            f"the query was stopped after {seconds:g} s; it reaches too many words "
            "(use fewer wildcard or fuzzy terms, or add filters)"
        )

    try:
        previous = signal.signal(signal.SIGALRM, expire)
    except ValueError:  # not the main thread: no budget
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _reader_went_away() -> None:
    """`archive query ... | head`: the reader left; stop quietly with exit 0 (as `main` does)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout without a file descriptor
        pass


@cli.command("show")
@click.argument("doc_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="The record as one JSON object.")
@click.option("--color/--no-color", default=None, help="Bold title (default: only on a terminal).")
@click.option(
    "--pager/--no-pager",
    "use_pager",
    default=True,
    help="On a terminal, show the article through $PAGER (default `less -R`).",
)
@_index_option
def show_command(
    doc_id: str, as_json: bool, color: bool | None, use_pager: bool, index_dir: str
) -> int:
    """Print the whole record and text of one article.

    ID is the id shown by `archive query` (a unique start of it is enough). On a terminal
    the text is wrapped to its width and shown through your pager ($PAGER; `less -R` when
    it is unset, nothing when it is empty; --no-pager prints it straight).

    \b
    Examples:
      archive show 5177f27cc1de9f82
      archive show 5177f27c --no-pager
      archive show 5177f27c --json | jq .body
    """
    from archive import render
    from archive.search import find_document, open_searcher
    from archive.stored import fields_to_article

    with open_searcher(index_dir) as searcher:
        if len(doc_id.strip()) < MIN_ID_PREFIX:
            raise UsageError(
                f"an id needs at least {MIN_ID_PREFIX} characters (ids look like "
                "5177f27cc1de9f82; `archive query` shows them)"
            )
        stored = find_document(searcher, doc_id)
    if stored is None:
        raise ArchiveError(f"no article with id {doc_id!r} in {index_dir}")
    article = fields_to_article(stored)
    if as_json:
        click.echo(render.article_to_json(article))
    else:
        use_color = _use_color(color)
        terminal = render.Terminal.detect(color=use_color)
        text = render.format_article(article, terminal=terminal)
        if not (use_pager and terminal.is_tty and _page(text)):
            click.echo(text, color=use_color)
    return ExitCode.OK


def _page(text: str) -> bool:
    """Show `text` through the user's pager; False when there is none to run (then print)."""
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
    env.setdefault("LESS", "FRX")  # as git does: quit when it fits one screen, keep it shown
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


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="One JSON object (with --runs: one per run).")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many authors to list.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="PATH",
    help="Only articles from this input: a file, a folder, a dump or dump.zip!member.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="Only articles in this language (en, fa for Persian and Dari, ar for Arabic).",
)
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    is_flag=False,
    flag_value=10,
    default=None,
    metavar="[N]",
    help="Instead, the last N ingest and forget runs (default 10) from the index's log.",
)
@_index_option
def stats_command(
    as_json: bool,
    top: int,
    sources: tuple[str, ...],
    lang: str | None,
    runs: int | None,
    index_dir: str,
) -> int:
    """Describe the index: articles per language, year (both calendars) and site, top authors.

    \b
    Examples:
      archive stats
      archive stats --json | jq .years_jalali
      archive stats --source raw/dumps/ipis-khabar-2025-03.zip
      archive stats --lang ar
      archive stats --runs 5
    """
    from archive import render
    from archive.index import index_size, read_meta

    meta = read_meta(index_dir)
    if runs is not None:
        from archive.runlog import read_runs

        if sources or lang:
            raise UsageError(
                "--runs lists the runs of the whole index; leave out --source and --lang"
            )
        entries = read_runs(index_dir, last=runs)
        if as_json:
            for entry in entries:
                click.echo(render.record_to_json(entry))
        elif not entries:
            click.echo("archive: no runs logged in this index yet", err=True)
        else:
            click.echo(render.format_runs(entries, terminal=render.Terminal.detect()))
        return ExitCode.OK
    from archive.search import build_filter, collect_stats, open_searcher

    only = build_filter(SearchFilters(sources=sources, lang=lang)) if sources or lang else None
    with open_searcher(index_dir) as searcher:
        stats = collect_stats(searcher, top_authors=top, only=only)
    if lang:
        stats["lang"] = lang
    if sources:
        stats["sources"] = list(sources)
    elif not lang:
        stats["size_bytes"] = index_size(index_dir)
    stats["last_ingest"] = meta.get("last_ingest")
    stats["schema_version"] = meta.get("schema_version")
    if as_json:
        click.echo(render.json_line(stats))
    else:
        click.echo(render.format_stats(stats))
    return ExitCode.OK


@cli.command("forget")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="PATH",
    help="Forget every article from this input: a file, a folder (all below it), a dump, or "
    "dump.zip!member (repeatable).",
)
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation on a terminal.")
@click.option(
    "--block",
    is_flag=True,
    help="Also put the articles on the index's deny list: later ingests leave them out.",
)
@click.option("--list", "list_blocked", is_flag=True, help="List the deny list and stop.")
@click.option(
    "--unblock", is_flag=True, help="Take the IDs off the deny list (the next ingest adds them)."
)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one object per article.")
@click.option(
    "--wait",
    "lock_wait",
    type=float,
    default=0.0,
    metavar="SECONDS",
    help="If an ingest is writing the index, wait up to this long for it.",
)
@_index_option
def forget_command(
    ids: tuple[str, ...],
    sources: tuple[str, ...],
    dry_run: bool,
    yes: bool,
    block: bool,
    list_blocked: bool,
    unblock: bool,
    as_json: bool,
    lock_wait: float,
    index_dir: str,
) -> int:
    """Remove articles from the index, by ID or by the input they came from.

    Prints what it removes and, on a terminal, asks first (--yes does not ask; nothing is
    asked when stdin is not a terminal). An article that another input also gave is kept
    when only some of its inputs are forgotten. A forgotten article comes back if a later
    ingest reads it again, unless it was forgotten with --block: the deny list (in the
    index folder, by article id and content hash) keeps it out until --unblock.

    \b
    Examples:
      archive forget 04c8113ead08d922
      archive forget --source raw/dumps/ipis-khabar-2025-03.zip --dry-run
      archive forget --source raw/junk/ --yes
      archive forget 04c8113ead08d922 --block
      archive forget --list
      archive forget --unblock 04c8113ead08d922

    \b
    Exit codes: 0 done (or nothing confirmed to do with --dry-run), 1 an ID or PATH not in
    the index, the index locked by an ingest, or the confirmation declined; 2 usage error.
    """
    import json

    from archive import curate
    from archive.render import Terminal, format_forget_item, record_to_json

    terminal = Terminal.detect()
    if list_blocked or unblock:
        if sources or dry_run or block or (list_blocked and (ids or unblock)):
            raise UsageError("--list and --unblock go alone (with IDs for --unblock)")
        if list_blocked:
            for entry in curate.list_blocked(index_dir):
                if as_json:
                    click.echo(record_to_json(entry.__dict__))
                else:
                    click.echo(format_forget_item("blocked", entry, terminal=terminal))
            return ExitCode.OK
        if not ids:
            raise UsageError("--unblock needs the IDs to take off the deny list")
        for entry in curate.unblock(index_dir, ids, lock_wait=lock_wait):
            if as_json:
                click.echo(json.dumps({"action": "unblocked", "id": entry.id}))
            else:
                click.echo(format_forget_item("unblocked", entry, terminal=terminal))
        return ExitCode.OK

    def show(plan: curate.ForgetPlan, removed: str, kept: str) -> None:
        for item in plan.removed:
            if as_json:
                click.echo(record_to_json({"action": removed, **item.as_dict()}))
            else:
                click.echo(format_forget_item(removed, item, terminal=terminal))
        for item in plan.kept:
            if as_json:
                click.echo(record_to_json({"action": kept, **item.as_dict()}))
            else:
                click.echo(format_forget_item(kept, item, terminal=terminal))

    def count(n: int) -> str:
        return f"{n:,} article{'s' if n != 1 else ''}"

    plan = curate.plan_forget(index_dir, ids, sources, block=block)
    for note in plan.notes:
        click.echo(f"archive: {note}", err=True)
    if dry_run:
        show(plan, "would remove", "would keep")
        click.echo(f"archive: would remove {count(len(plan.removed))} (dry run)", err=True)
        return ExitCode.OK
    if not yes and sys.stdin.isatty():
        show(plan, "will remove", "will keep")
        what = f"Remove {count(len(plan.removed))} from {index_dir}"
        if block:
            what += " and block them"
        if not click.confirm(what + "?", default=False, err=True):
            click.echo("archive: nothing removed", err=True)
            return ExitCode.ERROR
    done = curate.forget(index_dir, ids, sources, block=block, lock_wait=lock_wait)
    show(done, "blocked" if block else "removed", "kept")
    summary = f"archive: removed {count(len(done.removed))} from {index_dir}"
    if done.kept:
        summary += f"; kept {count(len(done.kept))} that other inputs also give"
    if done.blocked:
        summary += f"; {len(done.blocked):,} on the deny list"
    click.echo(summary, err=True)
    return ExitCode.OK


@cli.command("export")
@_search_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="jsonl",
    show_default=True,
    help="jsonl (whole records), csv, bibtex or ris.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to FILE instead of stdout.",
)
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(min=1),
    default=None,
    help="At most N records (default: every match).",
)
@_index_option
def export_command(
    query_words: tuple[str, ...],
    fmt: str,
    output: str | None,
    limit: int | None,
    index_dir: str,
    **filters: Any,
) -> int:
    """Export matching records for spreadsheets and reference managers.

    Takes the same QUERY and filters as `archive query`; without them, every article.
    BibTeX and RIS import into Zotero, JabRef and EndNote; Persian stays UTF-8.

    \b
    Examples:
      archive export --author khakpoor --format bibtex -o khakpoor.bib
      archive export "نفت" --from 1403 --format ris -o oil-1403.ris
      archive export --lang en --format csv > english.csv
    """
    from archive import render
    from archive.search import iter_matches, open_searcher, plan_search
    from archive.stored import fields_to_article

    with open_searcher(index_dir) as searcher:
        plan = plan_search(
            searcher.schema, " ".join(query_words), _filters(filters), searcher.reader()
        )
        records = (
            (fields_to_article(stored), score)
            for score, stored in iter_matches(searcher, plan, limit=limit)
        )
        if output is None:
            try:
                count = render.export_records(records, fmt, sys.stdout)
                sys.stdout.flush()
            except BrokenPipeError:
                _reader_went_away()
                return ExitCode.OK
        else:
            try:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    count = render.export_records(records, fmt, out)
            except OSError as exc:
                raise ArchiveError(f"cannot write {output}: {exc.strerror}") from None
    where = f" to {output}" if output else ""
    click.echo(f"archive: exported {count} article{'s' if count != 1 else ''}{where}", err=True)
    return ExitCode.OK


# === end of commands ===


def run(args: list[str] | None = None) -> int:
    """Run the CLI on `args` and return the exit code; every error becomes one line on stderr.

    Commands return an ExitCode (or None for OK); this is the one place exceptions are mapped.
    """
    argv = sys.argv[1:] if args is None else list(args)
    debug = "--debug" in argv
    try:
        return _run(argv, debug)
    except _Failure as exc:
        if debug:
            raise exc.original from None
        _error_line(_describe_failure(exc.original, exc.index_dir))
        return ExitCode.ERROR
    except Exception as exc:  # the last net: whatever escaped, one line
        if debug:
            raise
        _error_line(_describe_failure(exc, None))
        return ExitCode.ERROR


def _error_line(message: str) -> None:
    """Print `archive: message` on stderr as one line, sanitised (it may quote a page or a lock)."""
    from archive.render import sanitize_terminal

    click.echo(f"archive: {sanitize_terminal(message, keep_newlines=False).strip()}", err=True)


def _describe_failure(exc: BaseException, index_dir: str | None) -> str:
    """One sentence for an exception that is not an ArchiveError."""
    import errno
    import sqlite3

    what = type(exc).__name__
    if what == "error":  # struct.error, zlib.error
        what = f"{type(exc).__module__}.error"
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    what_detail = f"{what}: {detail}" if detail else what
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "disk full; free some space and run the command again"
    if index_dir is not None and (_raised_in_whoosh(exc) or isinstance(exc, sqlite3.DatabaseError)):
        return (
            f"the index at {index_dir} is damaged ({what_detail}); "
            "run `archive ingest --rebuild`"
        )
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot use{where}: {exc.strerror or what_detail}"
    if isinstance(exc, MemoryError):
        return "out of memory"
    return f"internal error ({what_detail}); run with --debug for the traceback"


def _raised_in_whoosh(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename.replace(os.sep, "/")
        if "/whoosh/" in filename:
            return True
        tb = tb.tb_next
    return False


def _run(argv: list[str], debug: bool) -> int:
    try:
        code = cli.main(args=argv, prog_name="archive", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("archive: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.MissingParameter as exc:
        command = next((arg for arg in argv if arg in cli.commands), None)
        where = f"archive {command}" if command else "archive"
        name = (exc.param.human_readable_name if exc.param else "").rstrip(".") or "an argument"
        _error_line(f"missing {name} (see '{where} --help' for examples)")
        return ExitCode.USAGE
    except click.BadParameter as exc:
        # A bad option value, said as `archive: --from: not a valid date ...`.
        opts = getattr(exc.param, "opts", None)
        where = f"{opts[0]}: " if opts else ""
        _error_line(f"{where}{exc.message}")
        return ExitCode.USAGE
    except click.UsageError as exc:
        command = next((arg for arg in argv if arg in cli.commands), None)
        where = f"archive {command}" if command else "archive"
        _error_line(f"{exc.format_message()} (see '{where} --help')")
        return ExitCode.USAGE
    except click.ClickException as exc:
        _error_line(exc.format_message())
        return ExitCode.USAGE if exc.exit_code == 2 else exc.exit_code
    except UsageError as exc:
        if debug:
            raise
        _error_line(str(exc))
        return ExitCode.USAGE
    except ArchiveError as exc:
        if debug:
            raise
        _error_line(str(exc))
        return ExitCode.ERROR
    return int(code) if isinstance(code, int) else ExitCode.OK


def main() -> None:
    """Console-script entry point."""
    try:
        code = run()
        sys.stdout.flush()
    except BrokenPipeError:
        # `archive query ... | head`: the reader went away; stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = ExitCode.OK
    sys.exit(code)
