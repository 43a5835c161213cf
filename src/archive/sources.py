"""Walk files, folders and dumps (zip, tar, WARC) and yield RawPage records.

Members are read in memory, never written to disk by name, so a
member called `../../etc/passwd` is only a label. Every read is capped at `max_size` + 1 bytes,
whatever sizes an archive declares, so compression bombs stay bounded. Folders are walked in
sorted order, symlinks followed once (a symlink loop is visited once, never forever); hidden
entries and obvious non-page files (images, css, js, fonts, media) are skipped in folders and
dumps, but a file given by name is always read.

Page data from a WARC response carries the HTTP Content-Type charset in
`RawPage.declared_charset` (None when the header names none, and for every other source).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
import stat as stat_mod
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from archive.models import Outcome, RawPage

DEFAULT_MAX_SIZE = 20 * 1024 * 1024

SKIP_EXTENSIONS = frozenset(
    """
    .jpg .jpeg .png .gif .webp .svg .svgz .ico .bmp .tif .tiff .avif .heic
    .css .js .mjs .map .json .xml .rss .atom .woff .woff2 .ttf .otf .eot
    .mp3 .mp4 .m4a .m4v .webm .ogg .ogv .wav .avi .mov .mkv .flv .swf
    .pdf .doc .docx .xls .xlsx .ppt .pptx .odt .exe .dll .so .bin .iso .dmg
    .rar .7z .bz2 .xz .zst .pyc .db .sqlite .lock .tmp .part
    .md .markdown .rst .csv .tsv .log .yml .yaml .ini .cfg .toml .py .sh
    """.split()
)

_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2")
_WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


class UnreadInput(Outcome):
    """A failed Outcome for an input that could not be read (missing, unreadable, damaged dump).

    Pages that were read but gave no article, and inputs over the size limit, are plain failed
    Outcomes: `--rebuild` switches to a new index only when no input was unread.
    """


def _unread(location: str, reason: str) -> UnreadInput:
    return UnreadInput(location, "failed", reason=reason)


@dataclass
class DumpEnd:
    """Marker yielded (with `markers=True`) after the last member of a dump was read."""

    source: str
    size: int
    mtime: float
    complete: bool  # False when the dump was damaged and reading stopped early


# known(source, size, mtime, is_dump): outcomes to report instead of reading the input (it is
# unchanged since the last ingest), or None to read it.
KnownCheck = Callable[[str, int, float, bool], "list[Outcome] | None"]


def dump_kind(path: str) -> str | None:
    """Return "zip", "tar", "warc" or "gzip" (one gzipped page) for a dump path, else None."""
    name = path.lower()
    if name.endswith(".zip"):
        return "zip"
    if name.endswith(_TAR_SUFFIXES):
        return "tar"
    if name.endswith(_WARC_SUFFIXES):
        return "warc"
    if name.endswith(".gz"):
        return "gzip"
    return None


def is_skipped_name(name: str) -> bool:
    """Tell whether a file or member name is obviously not a page (by extension) or hidden."""
    # Zips made on Windows may use backslashes: `..\\..\\x.html` is the page x.html.
    base = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    if not base or base.startswith("."):
        return True
    ext = os.path.splitext(base.lower())[1]
    return ext in SKIP_EXTENSIONS


def iter_pages(
    paths: Iterable[str],
    *,
    max_size: int = DEFAULT_MAX_SIZE,
    known: KnownCheck | None = None,
    markers: bool = False,
    exclude: Iterable[str] = (),
) -> Iterator[RawPage | Outcome | DumpEnd]:
    """Yield each page found under `paths`, or a failed Outcome for an input that cannot be read.

    Args:
        paths: files, folders and dumps.
        max_size: bytes above which a file or member is reported as failed, not read.
        known: called before an input is opened; a list it returns is yielded instead.
        markers: also yield a DumpEnd after each dump (ingest records finished dumps).
        exclude: folders never to walk into (the index folder itself).
    """
    seen_dirs: set[tuple[int, int]] = set()
    for folder in exclude:
        try:
            st = os.stat(folder)
        except OSError:
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
    for path in paths:
        path = os.fspath(path)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            yield _unread(path, "no such file or folder")
            continue
        except OSError as exc:
            yield _unread(path, f"cannot read: {exc.strerror}")
            continue
        if stat_mod.S_ISDIR(st.st_mode):
            yield from _walk(path, st, seen_dirs, max_size, known, markers)
        else:
            yield from _read_input(path, st, max_size, known, markers)


def _walk(
    folder: str,
    st: os.stat_result,
    seen: set[tuple[int, int]],
    max_size: int,
    known: KnownCheck | None,
    markers: bool,
) -> Iterator[RawPage | Outcome | DumpEnd]:
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return
    seen.add(key)
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield _unread(folder, f"cannot list folder: {exc.strerror}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            est = entry.stat()  # follows symlinks; loops end at the `seen` check
        except OSError as exc:
            yield _unread(entry.path, f"cannot read: {exc.strerror}")
            continue
        if stat_mod.S_ISDIR(est.st_mode):
            yield from _walk(entry.path, est, seen, max_size, known, markers)
        elif stat_mod.S_ISREG(est.st_mode):
            if dump_kind(entry.name) in ("zip", "tar", "warc") or not is_skipped_name(entry.name):
                yield from _read_input(entry.path, est, max_size, known, markers)


def _read_input(
    path: str, st: os.stat_result, max_size: int, known: KnownCheck | None, markers: bool
) -> Iterator[RawPage | Outcome | DumpEnd]:
    if not stat_mod.S_ISREG(st.st_mode):
        yield _unread(path, "not a regular file")
        return
    kind = dump_kind(path)
    is_dump = kind in ("zip", "tar", "warc")
    if known is not None:
        outcomes = known(path, st.st_size, st.st_mtime, is_dump)
        if outcomes is not None:
            yield from outcomes
            return
    if not is_dump:
        yield _read_file(path, st, max_size, gzipped=kind == "gzip")
        return
    reader = {"zip": _iter_zip, "tar": _iter_tar, "warc": _iter_warc}[kind or ""]
    complete = True
    for item in reader(path, max_size):
        if isinstance(item, Outcome) and item.location == path:
            complete = False  # the dump itself is damaged: stop, keep what was read
        yield item
    if markers:
        yield DumpEnd(path, st.st_size, st.st_mtime, complete)


def _too_big(location: str, size: int, max_size: int, *, at_least: bool = False) -> Outcome:
    """A failure for an input over the limit; `at_least` when reading stopped at the limit
    (a compressed member or a bomb: its real size is not known, only that it is larger)."""
    if at_least:
        reason = (
            f"larger than the size limit of {_mb(max_size)} (at least {_mb(size)}: reading "
            "stopped there; see --max-size)"
        )
    else:
        reason = f"larger than the size limit ({_mb(size)} > {_mb(max_size)}; see --max-size)"
    return Outcome(location, "failed", reason=reason)


def _mb(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _read_file(path: str, st: os.stat_result, max_size: int, gzipped: bool) -> RawPage | Outcome:
    if st.st_size > max_size:
        return _too_big(path, st.st_size, max_size)
    try:
        with open(path, "rb") as f:
            raw = f.read(max_size + 1)
    except OSError as exc:
        return _unread(path, f"cannot read: {exc.strerror}")
    if len(raw) > max_size:
        return _too_big(path, len(raw), max_size, at_least=True)
    data = raw
    if gzipped:
        try:
            data = _gunzip_capped(raw, max_size)
        except (OSError, EOFError, zlib.error) as exc:
            return _unread(path, f"damaged gzip file: {_short(exc)}")
        if len(data) > max_size:
            return _too_big(path, len(data), max_size, at_least=True)
    return RawPage(source=path, data=data, size=st.st_size, mtime=st.st_mtime)


def _gunzip_capped(raw: bytes, max_size: int) -> bytes:
    # Decompress at most max_size + 1 bytes: a bomb declares nothing we trust.
    return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, max_size + 1)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _iter_zip(path: str, max_size: int) -> Iterator[RawPage | Outcome]:
    try:
        zf = zipfile.ZipFile(path)
    except Exception as exc:  # zipfile raises many types on junk (NotImplementedError, ...)
        yield _unread(path, f"not a readable zip archive: {_short(exc)}")
        return
    with zf:
        overlap = _overlapping_entry(zf)
        if overlap is not None:
            yield _unread(
                path,
                f"zip entries overlap ({overlap} shares its data with another entry: "
                "a zip bomb); nothing was read from it",
            )
            return
        budget = _inflate_budget(path, max_size)
        for info in zf.infolist():
            if info.is_dir() or is_skipped_name(info.filename):
                continue
            location = f"{path}!{info.filename}"
            if info.file_size > max_size:
                yield _too_big(location, info.file_size, max_size)
                continue
            if info.compress_size and info.file_size > MAX_INFLATE_RATIO * info.compress_size:
                yield Outcome(
                    location,
                    "failed",
                    reason=f"compressed more than {MAX_INFLATE_RATIO}:1 "
                    f"({_mb(info.compress_size)} to {_mb(info.file_size)}): a zip bomb?",
                )
                continue
            budget -= min(info.file_size, max_size + 1)
            if budget < 0:
                yield _unread(path, _over_budget(path))
                return
            try:
                with zf.open(info) as member:
                    data = member.read(max_size + 1)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError) as exc:
                yield _unread(location, f"damaged zip member: {_short(exc)}")
                continue
            except Exception as exc:  # unsupported method/version, damaged header fields
                yield _unread(location, f"unsupported zip member: {_short(exc)}")
                continue
            if len(data) > max_size:
                yield _too_big(location, len(data), max_size, at_least=True)
                continue
            mtime = _zip_mtime(info)
            yield RawPage(path, data, member=info.filename, size=len(data), mtime=mtime)


# A deflate stream inflates at most ~1032:1; real HTML 5-20:1. Members declaring more, and
# dumps that would inflate to more than this times their own size (plus one member), are bombs.
MAX_INFLATE_RATIO = 200


def _inflate_budget(path: str, max_size: int) -> int:
    try:
        size = os.path.getsize(path)
    except OSError:
        size = 0
    return MAX_INFLATE_RATIO * size + max_size + 1


def _over_budget(path: str) -> str:
    return (
        f"would inflate to more than {MAX_INFLATE_RATIO} times its own size (a decompression "
        "bomb?); the rest of it was not read"
    )


def _overlapping_entry(zf: zipfile.ZipFile) -> str | None:
    """Return the name of an entry whose data overlaps another's, or None.

    A zip bomb lets hundreds of central-directory entries point into one deflate stream, so
    each of them inflates the whole stream again. An entry's data ends at least at its local
    header offset + 30 + its name + its compressed size (the local extra field only adds).
    """
    entries = sorted(zf.infolist(), key=lambda i: i.header_offset)
    limits = [i.header_offset for i in entries[1:]] + [getattr(zf, "start_dir", 1 << 62)]
    for info, limit in zip(entries, limits, strict=True):
        encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
        name_bytes = len(info.orig_filename.encode(encoding, "replace"))
        if info.header_offset + 30 + name_bytes + info.compress_size > limit:
            return info.filename
    return None


def _zip_mtime(info: zipfile.ZipInfo) -> float:
    try:
        return dt.datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError):
        return 0.0


def _iter_tar(path: str, max_size: int) -> Iterator[RawPage | Outcome]:
    try:
        # Stream mode: members are read in order, never by seeking or extracting to disk.
        tf = tarfile.open(path, mode="r|*")
    # A cut gzip header gives a TypeError from tarfile; CPython 3.10 an AttributeError (it
    # reads a damaged header's FEXTRA field before it sets `_Stream.exception`).
    except Exception as exc:
        if isinstance(exc, TypeError | AttributeError | IndexError):
            exc = tarfile.ReadError("cut or junk compressed header")
        yield _unread(path, f"not a readable tar archive: {_short(exc)}")
        return
    # Skipping a member of a compressed tar means inflating it: bound the work per dump.
    compressed = getattr(tf.fileobj, "comptype", "tar") != "tar"
    budget = _inflate_budget(path, max_size)
    try:
        with tf:
            for info in tf:
                if compressed and info.isreg():
                    budget -= info.size
                    if budget < 0:
                        yield _unread(path, f"{info.name}: {_over_budget(path)}")
                        return
                if not info.isreg() or is_skipped_name(info.name):
                    continue
                location = f"{path}!{info.name}"
                if info.size > max_size:
                    yield _too_big(location, info.size, max_size)
                    continue
                member = tf.extractfile(info)
                data = member.read(max_size + 1) if member else b""
                yield RawPage(path, data, member=info.name, size=len(data), mtime=float(info.mtime))
    except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError) as exc:
        yield _unread(path, f"damaged or truncated tar archive: {_short(exc)}")
    except Exception as exc:  # tarfile/lzma trip over some junk in other ways
        yield _unread(path, f"damaged or truncated tar archive ({type(exc).__name__})")


class _Captured(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextlib.contextmanager
def _library_output_captured(lines: list[str]) -> Iterator[None]:
    """Keep a library's prints and log lines off our terminal; collect them in `lines`.

    warcio writes raw record bytes and URIs (escape sequences included) to stderr and its
    logger. Used around library calls only, never around a `yield`: the CLI writes to stderr
    between items.
    """
    buffer = io.StringIO()
    logger = logging.getLogger("warcio")
    handler = _Captured(lines)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with contextlib.redirect_stderr(buffer), contextlib.redirect_stdout(buffer):
            yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
        lines.extend(line for line in buffer.getvalue().splitlines() if line.strip())


def _iter_warc(path: str, max_size: int) -> Iterator[RawPage | Outcome]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    seen: dict[str, int] = {}
    noise: list[str] = []
    try:
        with open(path, "rb") as f:
            if not _starts_like_warc(f.read(4096)):
                yield _unread(path, "not a WARC file (it does not start with a WARC or ARC record)")
                return
            f.seek(0)
            with _library_output_captured(noise):
                records = ArchiveIterator(f, arc2warc=True)
            count = 0
            while True:
                with _library_output_captured(noise):
                    item = _next_warc_page(records, path, max_size, seen)
                if item is None:
                    break
                count += 1
                if not isinstance(item, bool):
                    yield item
            damaged = _warc_damage(noise)
            if not damaged and _warc_end(records) < os.fstat(f.fileno()).st_size:
                damaged = "it ends inside a record (truncated)"
            if count == 0:
                yield _unread(path, "no WARC records found (not a WARC file, truncated or empty)")
            elif damaged:
                yield _unread(path, f"damaged WARC file: {damaged} (the records before were read)")
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError) as exc:
        yield _unread(path, f"damaged or truncated WARC file: {_short(exc)}")
    except Exception as exc:  # warcio trips over some junk (AttributeError on a cut header)
        yield _unread(path, f"damaged or truncated WARC file ({type(exc).__name__})")


def _starts_like_warc(head: bytes) -> bool:
    """Tell whether a file's first bytes (gzipped or not) open a WARC or an ARC record."""
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return False
    head = head.lstrip(b"\r\n")
    return head.startswith((b"WARC/", b"filedesc://"))


_WARC_TYPES = frozenset(
    "warcinfo response resource request metadata revisit conversion continuation".split()
)


def _drained(record: Any, location: str) -> Outcome | None:
    """Read the rest of a record (as warcio would); a failure when it has fewer bytes than
    its Content-Length says (the file was cut inside it)."""
    raw = record.raw_stream
    while raw.read(65536):
        pass
    if getattr(raw, "limit", 0) > 0:
        return _unread(location, "WARC record cut short (truncated file)")
    return None


def _warc_end(records: Iterator[Any]) -> int:
    """Return the file offset after the last whole record warcio read."""
    offset = getattr(records, "offset", None)
    return offset if isinstance(offset, int) else 1 << 62


def _warc_damage(noise: list[str]) -> str | None:
    """Say what warcio's own output reports as damage, or None (a fixed-up URI is not)."""
    text = " ".join(noise)
    if "Content-Length is invalid" in text:
        return "a record's Content-Length does not match its content"
    if "Error" in text or "error" in text:
        return "a compressed record is cut or corrupt"
    return None


def _next_warc_page(
    records: Iterator[Any], path: str, max_size: int, seen: dict[str, int]
) -> RawPage | Outcome | bool | None:
    """Read the next record: a page, a failed Outcome, True for a record skipped, None at end."""
    record = next(records, None)
    if record is None:
        return None
    if record.rec_type not in _WARC_TYPES or record.length is None:
        return _unread(path, "damaged WARC file: a record header is cut or damaged")
    if record.rec_type not in ("response", "resource"):
        return _drained(record, path) or True
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    if record.rec_type == "response":
        if record.http_headers is None:
            return _drained(record, path) or True
        status = record.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            return _drained(record, path) or True
        ctype = record.http_headers.get_header("Content-Type") or ""
    else:
        ctype = record.rec_headers.get_header("Content-Type") or ""
    if not _is_html_type(ctype, uri):
        return _drained(record, path) or True
    seen[uri] = seen.get(uri, 0) + 1
    member = uri if seen[uri] == 1 else f"{uri}#{seen[uri]}"
    location = f"{path}!{member}"
    try:
        data = record.content_stream().read(max_size + 1)
        if len(data) <= max_size:
            cut = _drained(record, location)
            if cut is not None:
                return cut
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        return _unread(location, f"damaged WARC record: {_short(exc)}")
    if len(data) > max_size:
        return _too_big(location, len(data), max_size, at_least=True)
    return RawPage(
        path,
        data,
        member=member,
        url=uri or None,
        size=len(data),
        declared_charset=_charset_of(ctype),
    )


def _is_html_type(ctype: str, uri: str) -> bool:
    media = ctype.split(";", 1)[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        return True
    if not media:  # no header: judge by the URI's extension, extraction decides the rest
        return not is_skipped_name(uri.split("?", 1)[0].split("#", 1)[0])
    return False


def _charset_of(ctype: str) -> str | None:
    for part in ctype.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


__all__ = [
    "DEFAULT_MAX_SIZE",
    "DumpEnd",
    "UnreadInput",
    "dump_kind",
    "is_skipped_name",
    "iter_pages",
]
