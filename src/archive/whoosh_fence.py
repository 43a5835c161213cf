"""Whoosh internals, fenced in one module.

What this package relies on beyond whoosh's public API lives here, so that a whoosh upgrade
has one place to check (tests/test_whoosh_fence.py pins the version and the attributes).
"""

from __future__ import annotations

import io
import pickle
from typing import Any


class _MemoryFile(io.RawIOBase):
    """A read-only file over a memoryview (an mmap'ed segment), without copying it."""

    def __init__(self, buf: Any) -> None:
        super().__init__()
        self._buf = buf if isinstance(buf, memoryview) else memoryview(buf)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        size = min(len(target), len(self._buf) - self._pos)
        if size <= 0:
            return 0
        target[:size] = self._buf[self._pos : self._pos + size]
        self._pos += size
        return size

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        data = bytes(self._buf[self._pos : end]) if end > self._pos else b""
        self._pos = max(self._pos, end)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        total = len(self._buf)
        limit = total if size is None or size < 0 else min(total, self._pos + size)
        end = self._pos
        while end < limit:
            chunk = bytes(self._buf[end : min(limit, end + 4096)])
            found = chunk.find(b"\n")
            if found >= 0:
                end += found + 1
                break
            end += len(chunk)
        data = bytes(self._buf[self._pos : end])
        self._pos = end
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: len(self._buf)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos


_ZERO_COPY = False


def _read_segments_without_copies() -> None:
    """Make whoosh read mmap'ed compound segments in place.

    whoosh's BufferFile wraps every file of a compound segment in `BytesIO(memoryview)`, which
    copies it: opening a 21,500-article index copied ~100 MB (postings, stored fields) and cost
    0.45 s of a cold `archive query`. A file object over the memoryview reads the same bytes.
    """
    global _ZERO_COPY
    if _ZERO_COPY:
        return
    from whoosh.filedb import structfile

    def init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = _MemoryFile(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def read_pickle(self: Any) -> Any:
        # pickle.load() on a Python-level file makes a call per opcode; the block headers
        # read for every posting block are small, so unpickle a short copied window instead.
        start = self.file.tell()
        for size in (512, len(self._buf) - start):
            window = io.BytesIO(bytes(self._buf[start : start + size]))
            try:
                value = pickle.load(window)
            except (EOFError, pickle.UnpicklingError):
                continue
            self.file.seek(start + window.tell())
            return value
        raise EOFError("truncated pickle in an index file")

    structfile.BufferFile.__init__ = init
    structfile.BufferFile.read_pickle = read_pickle
    _ZERO_COPY = True
