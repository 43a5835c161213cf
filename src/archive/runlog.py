"""The run log of an index (INDEX/ingest-log.jsonl): what each ingest and forget did.

A run appends a "start" line (time, command, inputs, options) before it changes anything and an
"end" line (time, status, counts, the first failures) when it stops, for whatever reason but
SIGKILL or a power cut: then the start line stays alone, and the run reads as unfinished. Lines
are appended (O_APPEND, fsynced) by the holder of the ingest lock; a line torn by a kill is
skipped when read. The log keeps the last MAX_RUNS runs: past twice that many, it is rewritten
atomically with the newest MAX_RUNS.

API: `start_run(index_dir, command, inputs, options) -> RunEntry`, `RunEntry.finish(...)`,
`read_runs(index_dir, last)`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Sequence
from typing import Any

from archive.safefs import check_no_link, fsync_dir, open_nofollow

LOG_FILE = "ingest-log.jsonl"
MAX_RUNS = 1000  # runs kept
MAX_FAILURES = 20  # failures kept per run (the count of all of them is kept too)
MAX_INPUTS = 50  # input paths kept per run
_MAX_READ = 32 * 1024 * 1024


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def log_path(index_dir: str) -> str:
    return os.path.join(index_dir, LOG_FILE)


class RunEntry:
    """One run being logged: `finish` writes its end line (once)."""

    def __init__(self, index_dir: str, run_id: str, started: float) -> None:
        self.index_dir = index_dir
        self.run_id = run_id
        self.started = started
        self.finished = False

    def finish(
        self,
        status: str,
        *,
        counts: dict[str, int] | None = None,
        failures: Sequence[Any] = (),
        note: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Write the end line: status (ok, partial, interrupted, error, ...), counts, failures.

        `failures` are Outcomes (or anything with location and reason); the first MAX_FAILURES
        are kept. Never raises: a log that cannot be written must not fail the run it records.
        """
        if self.finished:
            return
        self.finished = True
        import time

        kept = [
            {"location": str(f.location), "reason": str(f.reason or "failed")}
            for f in list(failures)[:MAX_FAILURES]
        ]
        line: dict[str, Any] = {
            "run": self.run_id,
            "event": "end",
            "ended": _now_iso(),
            "seconds": round(time.time() - self.started, 3),
            "status": status,
        }
        if counts is not None:
            line["counts"] = {k: v for k, v in counts.items() if v}
        if failures:
            line["failures"] = kept
            line["failures_total"] = len(failures)
        if note:
            line["note"] = note
        if details:
            line.update(details)
        _append(self.index_dir, line, quiet=True)


def start_run(
    index_dir: str, command: str, inputs: Iterable[str] = (), options: dict[str, Any] | None = None
) -> RunEntry:
    """Append the start line of a run and return its entry (call with the ingest lock held).

    Trims the log to the newest MAX_RUNS runs first when it holds more than twice that many.
    Never raises for the log itself (a full disk shows up in the run's own writes).
    """
    import time

    started = time.time()
    run_id = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime(started))}-{os.getpid()}"
    paths = [os.path.abspath(p) for p in inputs]
    line: dict[str, Any] = {
        "run": run_id,
        "event": "start",
        "command": command,
        "started": _now_iso(),
        "pid": os.getpid(),
        "inputs": paths[:MAX_INPUTS],
    }
    if len(paths) > MAX_INPUTS:
        line["inputs_total"] = len(paths)
    if options:
        line["options"] = options
    try:
        _trim(index_dir)
    except OSError:
        pass
    _append(index_dir, line, quiet=True)
    return RunEntry(index_dir, run_id, started)


def read_runs(index_dir: str, last: int | None = None) -> list[dict[str, Any]]:
    """Return the runs of the log, oldest first (the `last` newest when given).

    Each run is its start line merged with its end line; a run without an end line has
    status "unfinished" (killed, or still running).
    """
    runs: dict[str, dict[str, Any]] = {}
    for item in _read_lines(index_dir):
        run_id = item.get("run")
        if not isinstance(run_id, str):
            continue
        if item.get("event") == "start":
            entry = {k: v for k, v in item.items() if k != "event"}
            entry.setdefault("status", "unfinished")
            runs.pop(run_id, None)
            runs[run_id] = entry
        elif item.get("event") == "end" and run_id in runs:
            runs[run_id].update({k: v for k, v in item.items() if k != "event"})
    values = list(runs.values())
    return values[-last:] if last else values


def _read_lines(index_dir: str) -> list[dict[str, Any]]:
    path = log_path(index_dir)
    try:
        fd = open_nofollow(path, os.O_RDONLY)
    except FileNotFoundError:
        return []
    with os.fdopen(fd, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > _MAX_READ:
            f.seek(size - _MAX_READ)
            f.readline()  # a partial first line
        raw = f.read()
    items = []
    for line in raw.splitlines():
        try:
            item = json.loads(line.decode("utf-8"))
        except ValueError:
            continue  # a line torn by a kill
        if isinstance(item, dict):
            items.append(item)
    return items


def _append(index_dir: str, line: dict[str, Any], *, quiet: bool) -> None:
    path = log_path(index_dir)
    data = json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n"
    try:
        fd = open_nofollow(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data  # the last line was torn by a kill: start afresh
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        if not quiet:
            raise


def _trim(index_dir: str) -> None:
    items = _read_lines(index_dir)
    starts = [item["run"] for item in items if item.get("event") == "start" and "run" in item]
    if len(starts) <= 2 * MAX_RUNS:
        return
    keep = set(starts[-MAX_RUNS:])
    path = log_path(index_dir)
    check_no_link(path)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    fd = open_nofollow(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as f:
        for item in items:
            if item.get("run") in keep:
                f.write(json.dumps(item, ensure_ascii=False).encode("utf-8") + b"\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(index_dir)
