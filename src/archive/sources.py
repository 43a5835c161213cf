"""Walk files, folders and dumps (zip, tar, WARC) and yield RawPage records.

Members are read in memory, never written to disk by name, so a
member called `../../etc/passwd` is only a label. Every read is capped at `max_size` + 1 bytes,
whatever sizes an archive declares, so compression bombs stay bounded. Folders are walked in
sorted order, symlinks followed once (a symlink loop is visited once, never forever); hidden
entries and obvious non-page files (images, css, js, fonts, media) are skipped in folders and
dumps, but a file given by name is always read.

Page data from a WARC response carries the HTTP Content-Type charset as the extra attribute
`declared_charset` of its RawPage (None when the header names none).
"""

from __future__ import annotations

import datetime as dt
import os
import stat as stat_mod
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

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
    base = name.rstrip("/").rsplit("/", 1)[-1]
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
            yield Outcome(path, "failed", reason="no such file or folder")
            continue
        except OSError as exc:
            yield Outcome(path, "failed", reason=f"cannot read: {exc.strerror}")
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
        yield Outcome(folder, "failed", reason=f"cannot list folder: {exc.strerror}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            est = entry.stat()  # follows symlinks; loops end at the `seen` check
        except OSError as exc:
            yield Outcome(entry.path, "failed", reason=f"cannot read: {exc.strerror}")
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
        yield Outcome(path, "failed", reason="not a regular file")
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


def _too_big(location: str, size: int, max_size: int) -> Outcome:
    return Outcome(
        location,
        "failed",
        reason=f"larger than the size limit ({_mb(size)} > {_mb(max_size)}; see --max-size)",
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _read_file(path: str, st: os.stat_result, max_size: int, gzipped: bool) -> RawPage | Outcome:
    if st.st_size > max_size:
        return _too_big(path, st.st_size, max_size)
    try:
        with open(path, "rb") as f:
            raw = f.read(max_size + 1)
    except OSError as exc:
        return Outcome(path, "failed", reason=f"cannot read: {exc.strerror}")
    if len(raw) > max_size:
        return _too_big(path, len(raw), max_size)
    data = raw
    if gzipped:
        try:
            data = _gunzip_capped(raw, max_size)
        except (OSError, EOFError, zlib.error) as exc:
            return Outcome(path, "failed", reason=f"damaged gzip file: {_short(exc)}")
        if len(data) > max_size:
            return _too_big(path, len(data), max_size)
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
        yield Outcome(path, "failed", reason=f"not a readable zip archive: {_short(exc)}")
        return
    with zf:
        for info in zf.infolist():
            if info.is_dir() or is_skipped_name(info.filename):
                continue
            location = f"{path}!{info.filename}"
            if info.file_size > max_size:
                yield _too_big(location, info.file_size, max_size)
                continue
            try:
                with zf.open(info) as member:
                    data = member.read(max_size + 1)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError) as exc:
                yield Outcome(location, "failed", reason=f"damaged zip member: {_short(exc)}")
                continue
            except Exception as exc:  # unsupported method/version, damaged header fields
                yield Outcome(location, "failed", reason=f"unsupported zip member: {_short(exc)}")
                continue
            if len(data) > max_size:
                yield _too_big(location, len(data), max_size)
                continue
            mtime = _zip_mtime(info)
            yield RawPage(path, data, member=info.filename, size=len(data), mtime=mtime)


def _zip_mtime(info: zipfile.ZipInfo) -> float:
    try:
        return dt.datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError):
        return 0.0


def _iter_tar(path: str, max_size: int) -> Iterator[RawPage | Outcome]:
    try:
        # Stream mode: members are read in order, never by seeking or extracting to disk.
        tf = tarfile.open(path, mode="r|*")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        yield Outcome(path, "failed", reason=f"not a readable tar archive: {_short(exc)}")
        return
    try:
        with tf:
            for info in tf:
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
        yield Outcome(path, "failed", reason=f"damaged or truncated tar archive: {_short(exc)}")
    except Exception as exc:  # tarfile/lzma trip over some junk in other ways
        yield Outcome(
            path, "failed", reason=f"damaged or truncated tar archive ({type(exc).__name__})"
        )


def _iter_warc(path: str, max_size: int) -> Iterator[RawPage | Outcome]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    seen: dict[str, int] = {}
    try:
        with open(path, "rb") as f:
            records = 0
            for record in ArchiveIterator(f, arc2warc=True):
                records += 1
                if record.rec_type not in ("response", "resource"):
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type == "response":
                    if record.http_headers is None:
                        continue
                    status = record.http_headers.get_statuscode() or ""
                    if not status.startswith("2"):
                        continue
                    ctype = record.http_headers.get_header("Content-Type") or ""
                else:
                    ctype = record.rec_headers.get_header("Content-Type") or ""
                if not _is_html_type(ctype, uri):
                    continue
                seen[uri] = seen.get(uri, 0) + 1
                member = uri if seen[uri] == 1 else f"{uri}#{seen[uri]}"
                location = f"{path}!{member}"
                try:
                    data = record.content_stream().read(max_size + 1)
                except (OSError, EOFError, zlib.error, ValueError) as exc:
                    yield Outcome(location, "failed", reason=f"damaged WARC record: {_short(exc)}")
                    continue
                if len(data) > max_size:
                    yield _too_big(location, len(data), max_size)
                    continue
                page = RawPage(
                    path,
                    data,
                    member=member,
                    url=uri or None,
                    size=len(data),
                    declared_charset=_charset_of(ctype),
                )
                yield page
        if records == 0:
            yield Outcome(path, "failed", reason="no WARC records found (truncated or empty)")
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError) as exc:
        yield Outcome(path, "failed", reason=f"damaged or truncated WARC file: {_short(exc)}")
    except Exception as exc:  # warcio trips over some junk (AttributeError on a cut header)
        yield Outcome(
            path, "failed", reason=f"damaged or truncated WARC file ({type(exc).__name__})"
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


__all__ = ["DEFAULT_MAX_SIZE", "DumpEnd", "dump_kind", "is_skipped_name", "iter_pages"]
