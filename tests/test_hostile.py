"""The hostile-input suite: what a hostile dump, a dirty crawl or a careless user does.

Every case is built in tmp_path at test time and run through the real CLI (`cli.run`, the same
error boundary as the console script). Each asserts the exit code, a one-line message without
a traceback, that nothing was written outside the index folder, and that nothing was lost from
an index that was populated before.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from archive import index


def page_html(n: int, topic: str = "nuclear talks") -> str:
    paras = "".join(
        f"<p>Paragraph {j} of report number {n} on {topic}: the delegations met again and "
        "discussed sanctions, trade and the regional economy in some detail.</p>"
        for j in range(4)
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Report {n} on {topic}</title>"
        f'<link rel="canonical" href="https://example.com/news/{n}"></head>'
        f"<body><article><h1>Report {n} on {topic}</h1>{paras}</article></body></html>"
    )


def write_pages(folder: Path, numbers) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        (folder / f"p{n:03d}.html").write_text(page_html(n), encoding="utf-8")
    return folder


def doc_ids(index_dir: str) -> set[str]:
    with index.open_index(index_dir).searcher() as searcher:
        return {d["id"] for d in searcher.all_stored_fields()}


def tree(root: Path, skip: Path | None = None) -> dict[str, int]:
    """Every file under root (but `skip`) with its size: to see what a command wrote."""
    out = {}
    for folder, dirs, files in os.walk(root):
        if skip is not None and Path(folder).resolve() == skip.resolve():
            dirs[:] = []
            continue
        for name in files:
            path = Path(folder) / name
            out[str(path)] = path.lstat().st_size
    return out


def one_line(result) -> str:
    """The command's stderr, asserted to be a single `archive: ...` line without a traceback."""
    assert not result.has_traceback, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("archive: "), result.stderr
    return lines[0]


@pytest.fixture
def populated(cli_run, tmp_path: Path) -> tuple[str, set[str]]:
    """An index with 4 articles, and their ids."""
    ix = str(tmp_path / "index")
    result = cli_run("ingest", write_pages(tmp_path / "pages", range(4)), "--index", ix, "-j", "1")
    assert result.exit_code == 0, result.stderr
    ids = doc_ids(ix)
    assert len(ids) == 4
    return ix, ids


# --- data loss: no command empties a populated index --------------------------------------


@pytest.mark.parametrize("case", ["missing", "empty folder", "all junk", "missing beside good"])
def test_rebuild_from_unreadable_or_empty_inputs_keeps_the_old_index(
    cli_run, tmp_path: Path, populated, case
):
    ix, ids = populated
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "a.html").write_bytes(b"\x00\x01binary junk" * 20)
    (junk / "b.html").write_text("<html><body><nav>menu</nav></body></html>")
    good = write_pages(tmp_path / "good", range(10, 12))
    inputs = {
        "missing": [tmp_path / "dumps"],
        "empty folder": [tmp_path / "nothing"],
        "all junk": [junk],
        "missing beside good": [good, tmp_path / "dumps"],
    }[case]
    (tmp_path / "nothing").mkdir()
    before = tree(tmp_path, skip=Path(ix))
    generation = index.read_meta(ix)["generation"]
    result = cli_run("ingest", *inputs, "--rebuild", "--index", ix, "-j", "1")
    assert result.exit_code == 3, result.stderr
    assert not result.has_traceback
    last = result.stderr.splitlines()[-1]
    assert last.startswith("archive: rebuild not switched in") and "--force" in last
    assert "the old index (4 articles) still serves" in last
    assert index.read_meta(ix)["generation"] == generation
    assert doc_ids(ix) == ids
    assert tree(tmp_path, skip=Path(ix)) == before


def test_held_back_rebuild_resumes_then_switches(cli_run, tmp_path: Path, populated):
    ix, ids = populated
    good = write_pages(tmp_path / "good", range(10, 13))
    result = cli_run("ingest", good, tmp_path / "later", "--rebuild", "--index", ix, "-j", "1")
    assert result.exit_code == 3 and doc_ids(ix) == ids
    write_pages(tmp_path / "later", range(20, 22))
    result = cli_run("ingest", good, tmp_path / "later", "--rebuild", "--index", ix, "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert "unchanged 3" in result.stderr  # the held-back generation was resumed, not redone
    new_ids = doc_ids(ix)
    assert len(new_ids) == 5 and not new_ids & ids
    assert "rebuilding" not in index.read_meta(ix)


def test_force_switches_a_rebuild_to_an_empty_index(cli_run, tmp_path: Path, populated):
    ix, _ = populated
    (tmp_path / "nothing").mkdir()
    result = cli_run("ingest", tmp_path / "nothing", "--rebuild", "--force", "--index", ix)
    assert result.exit_code == 0, result.stderr
    assert doc_ids(ix) == set()


def test_force_without_rebuild_is_a_usage_error(cli_run, tmp_path: Path, populated):
    ix, ids = populated
    result = cli_run("ingest", tmp_path / "pages", "--force", "--index", ix)
    assert result.exit_code == 2
    assert "--rebuild" in one_line(result)
    assert doc_ids(ix) == ids


def test_plain_ingest_of_missing_or_junk_inputs_loses_nothing(cli_run, tmp_path: Path, populated):
    ix, ids = populated
    (tmp_path / "junk.html").write_bytes(b"\xff\xfe\x00junk" * 10)
    result = cli_run("ingest", tmp_path / "nope", tmp_path / "junk.html", "--index", ix, "-j", "1")
    assert result.exit_code == 3 and not result.has_traceback
    assert doc_ids(ix) == ids


def test_rebuild_report_says_it_was_held_back(cli_run, tmp_path: Path, populated):
    ix, _ = populated
    report = tmp_path / "run.jsonl"
    result = cli_run(
        "ingest", tmp_path / "nope", "--rebuild", "--index", ix, "--report", report, "-q"
    )
    assert result.exit_code == 3
    assert one_line(result).startswith("archive: rebuild not switched in (1 input could not")
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert rows == [
        {"location": str(tmp_path / "nope"), "status": "failed", "id": None,
         "reason": "no such file or folder"}
    ]


# --- symbolic links planted in the index folder --------------------------------------------


def _gen(ix: str) -> Path:
    return Path(ix) / index.read_meta(ix)["generation"]


@pytest.mark.parametrize(
    "planted", ["ingest.lock", "archive-meta.json", "manifest", "manifest journal", "meta tmp"]
)
def test_symlinks_in_the_index_are_never_followed(cli_run, tmp_path: Path, populated, planted):
    ix, ids = populated
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    where = {
        "ingest.lock": Path(ix) / index.LOCK_FILE,
        "archive-meta.json": Path(ix) / index.META_FILE,
        "manifest": _gen(ix) / index.MANIFEST_FILE,
        "manifest journal": _gen(ix) / (index.MANIFEST_FILE + "-journal"),
        "meta tmp": Path(ix) / f"{index.META_FILE}.{os.getpid()}.tmp",
    }[planted]
    saved = where.read_bytes() if where.exists() else None
    if where.exists():
        where.unlink()
    where.symlink_to(victim)
    more = write_pages(tmp_path / "more", range(30, 32))
    result = cli_run("ingest", more, "--index", ix, "-j", "1")
    assert victim.read_text() == "precious\n"
    if planted == "meta tmp":  # replaced by a fresh file, never written through
        assert result.exit_code == 0, result.stderr
        assert not where.is_symlink() or not where.exists()
        return
    assert result.exit_code == 1
    line = one_line(result)
    assert "symbolic link" in line and where.name in line
    where.unlink()
    if saved is not None:
        where.write_bytes(saved)
    assert doc_ids(ix) == ids


def test_a_symlinked_generation_folder_is_refused(cli_run, tmp_path: Path, populated):
    ix, _ = populated
    gen = _gen(ix)
    elsewhere = tmp_path / "elsewhere"
    gen.rename(elsewhere)
    gen.symlink_to(elsewhere)
    result = cli_run("query", "nuclear", "--index", ix)
    assert result.exit_code == 1 and "symbolic link" in one_line(result)
    result = cli_run("ingest", tmp_path / "pages", "--index", ix)
    assert result.exit_code == 1 and "symbolic link" in one_line(result)


def test_a_world_writable_index_folder_is_refused_for_writing(cli_run, tmp_path, populated):
    ix, ids = populated
    os.chmod(ix, 0o777)
    try:
        result = cli_run("ingest", tmp_path / "pages", "--index", ix)
        assert result.exit_code == 1 and "writable by every user" in one_line(result)
    finally:
        os.chmod(ix, 0o755)
    assert doc_ids(ix) == ids


HOSTILE = "\x1b]0;pwned\x07\x1b[2J\u009b31m\u202egnp.exe\u2066x\u2069"


def test_lock_holder_text_is_sanitised(cli_run, tmp_path: Path, populated):
    import fcntl

    ix, _ = populated
    lock = Path(ix) / index.LOCK_FILE
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, json.dumps({"pid": HOSTILE, "host": HOSTILE, "started": 1}).encode())
        result = cli_run("ingest", tmp_path / "pages", "--index", ix)
    finally:
        os.close(fd)
    assert result.exit_code == 1
    line = one_line(result)
    assert "being written by another ingest" in line
    assert not any(c in line for c in "\x1b\x07\u009b\u202e\u2066\u2069")


# --- a damaged index: one line and the rebuild advice --------------------------------------


def _damage(ix: str, how: str) -> None:
    import random

    segment = next(_gen(ix).glob("*.seg"))
    data = bytearray(segment.read_bytes())
    if how == "truncated":
        del data[len(data) // 2 :]
    else:
        rng = random.Random(how)
        for _ in range(200):
            data[rng.randrange(len(data))] ^= 0xFF
    segment.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["truncated", "flipped-1", "flipped-2", "flipped-3"])
@pytest.mark.parametrize(
    "command", [["query", "report"], ["query", "delegations~2"], ["stats"], ["export"]]
)
def test_a_damaged_index_says_so_and_how_to_repair(cli_run, tmp_path, populated, how, command):
    ix, _ = populated
    _damage(ix, how)
    result = cli_run(*command, "--index", ix)
    if result.exit_code == 0 and how != "truncated":  # flips no read of this command met
        return
    assert result.exit_code == 1
    line = one_line(result)
    assert f"the index at {ix} is damaged" in line and "archive ingest --rebuild" in line


def test_damage_with_debug_shows_the_traceback(cli_run, tmp_path: Path, populated):
    ix, _ = populated
    _damage(ix, "truncated")
    result = cli_run("--debug", "query", "report", "--index", ix)
    assert result.exit_code == 1 and isinstance(result.exception, EOFError)


def test_rebuild_repairs_a_damaged_index(cli_run, tmp_path: Path, populated):
    ix, ids = populated
    _damage(ix, "truncated")
    result = cli_run("ingest", tmp_path / "pages", "--rebuild", "--index", ix, "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert doc_ids(ix) == ids
