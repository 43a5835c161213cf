"""Command-line interface: parse options, call the library, map errors, render.

This is the only module that imports click and the only place where exceptions become exit
codes. Heavy modules (whoosh, bs4, hazm) are imported inside the commands so that
`archive --help` stays fast.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from enum import IntEnum
from typing import Any

import click

from archive import __version__
from archive.errors import ArchiveError, UsageError

DEFAULT_INDEX = "index"
DEFAULT_INPUT = "raw"


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


def _index_option(func: Any) -> Any:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False),
        default=lambda: os.environ.get("ARCHIVE_INDEX", DEFAULT_INDEX),
        show_default="index/ or $ARCHIVE_INDEX",
        help="Index folder.",
    )(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archive")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Bilingual (English + Persian) article archive and search engine.

    \b
    Examples:
      archive ingest raw/
      archive query "nuclear talks" --from 2024 --lang en
      archive query "همکاری‌های اقتصادی" --from 1403-11 --to 1403-12
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


# Commands are filled in by their modules' owners; each keeps to its own section.

# === extract (owner: extraction) ===

# === ingest (owner: ingest) ===

# === query, show, stats, export (owner: query) ===

# === end of commands ===


def run(args: list[str] | None = None) -> int:
    """Run the CLI on `args` and return the exit code; every error becomes one line on stderr.

    Commands return an ExitCode (or None for OK); this is the one place exceptions are mapped.
    """
    argv = sys.argv[1:] if args is None else list(args)
    debug = "--debug" in argv
    try:
        code = cli.main(args=argv, prog_name="archive", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("archive: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return ExitCode.USAGE if exc.exit_code == 2 else exc.exit_code
    except UsageError as exc:
        if debug:
            raise
        click.echo(f"archive: {exc}", err=True)
        return ExitCode.USAGE
    except ArchiveError as exc:
        if debug:
            raise
        click.echo(f"archive: {exc}", err=True)
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
