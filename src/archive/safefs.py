"""Files of the index folder opened without following symbolic links, written durably.

Whoever can write into an index folder could plant `ingest.lock -> ~/.bashrc`: opening it
for writing would truncate the target. So every file the index writes or reads back (lock,
meta, manifest, whoosh segments) is opened with O_NOFOLLOW, and folders inside the index are
checked with lstat. The index folder itself may be a symbolic link (a user's choice, e.g. onto
another disk), but must be a folder, and ingest refuses one that every user may write to.
"""

from __future__ import annotations

import json
import os
import stat
from typing import Any

from archive.errors import ArchiveError


class UnsafePathError(ArchiveError):
    """A file or folder of the index is a symbolic link or not what it should be."""


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def open_nofollow(path: str, flags: int, mode: int = 0o644) -> int:
    """Return an fd for `path` opened with `flags`, refusing a symbolic link at `path`.

    Raises:
        UnsafePathError: `path` is a symbolic link (or not a regular file).
        OSError: any other failure (missing, permissions, disk full).
    """
    try:
        fd = os.open(path, flags | _NOFOLLOW | _CLOEXEC, mode)
    except OSError as exc:
        if os.path.islink(path):
            raise UnsafePathError(_link_message(path)) from None
        raise exc from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnsafePathError(f"{path} in the index is not a regular file; remove it")
    except BaseException:
        os.close(fd)
        raise
    return fd


def _link_message(path: str) -> str:
    return f"{path} is a symbolic link; the index never follows one (remove it and run again)"


def check_no_link(path: str, *, folder: bool = False) -> None:
    """Raise UnsafePathError when `path` exists and is a symbolic link (or not a folder)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        raise UnsafePathError(_link_message(path))
    if folder and not stat.S_ISDIR(st.st_mode):
        raise UnsafePathError(f"{path} in the index is not a folder; remove it")
    if not folder and not stat.S_ISREG(st.st_mode):
        raise UnsafePathError(f"{path} in the index is not a regular file; remove it")


def check_index_folder(index_dir: str) -> None:
    """Check that the index folder is a folder that not every user can write into."""
    try:
        st = os.stat(index_dir)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ArchiveError(f"cannot read the index folder {index_dir}: {exc.strerror}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafePathError(f"the index {index_dir} is not a folder")
    if st.st_mode & stat.S_IWOTH and not st.st_mode & stat.S_ISVTX:
        raise UnsafePathError(
            f"the index folder {index_dir} is writable by every user; "
            "refusing to write there (chmod o-w it)"
        )


def read_bytes(path: str, limit: int = 16 * 1024 * 1024) -> bytes:
    """Return the bytes of a regular file (at most `limit`), never through a symbolic link."""
    fd = open_nofollow(path, os.O_RDONLY)
    with os.fdopen(fd, "rb") as f:
        return f.read(limit)


def fsync_dir(path: str) -> None:
    """Flush a folder's entries (a rename or a new file) to the disk; best effort."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_json_atomic(path: str, data: dict[str, Any]) -> None:
    """Replace `path` by `data` as JSON: a fresh temporary file (no link followed), renamed."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.unlink(tmp)  # a leftover of a killed run, or something planted
    except FileNotFoundError:
        pass
    fd = open_nofollow(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(os.path.dirname(os.path.abspath(path)))
