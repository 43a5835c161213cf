"""The hostile-input suite: what a hostile dump, a dirty crawl or a careless user does.

Every case is built in tmp_path at test time and run through the real CLI (`cli.run`, the same
error boundary as the console script). Each asserts the exit code, a one-line message without
a traceback, that nothing was written outside the index folder, and that nothing was lost from
an index that was populated before.
"""

from __future__ import annotations

import errno
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


# --- crashes: junk dumps and pages --------------------------------------------------------

GOOD = page_html(50, "water crisis")


@pytest.mark.parametrize(
    "junk",
    [b"\x1f\x8b\x08", b"\x1f\x8b\x08\x00\x00\x00\x00", b"\x1f\x8b", b"BZh9", b"\xfd7zXZ\x00"],
)
@pytest.mark.parametrize("command", ["ingest", "extract"])
def test_a_junk_tar_before_a_good_page_is_one_failure(cli_run, tmp_path, junk, command):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.tar").write_bytes(junk)
    (folder / "b.html").write_text(GOOD)
    args = ["--index", str(tmp_path / "ix"), "-j", "1"] if command == "ingest" else []
    result = cli_run(command, folder, *args)
    assert result.exit_code == 3 and not result.has_traceback, result.stderr
    failures = [line for line in result.stderr.splitlines() if line.startswith(str(folder))]
    assert len(failures) == 1 and "a.tar: " in failures[0] and "tar archive" in failures[0]
    if command == "ingest":
        assert len(doc_ids(str(tmp_path / "ix"))) == 1
    else:
        assert "water crisis" in result.stdout


@pytest.mark.parametrize("control", ["\x01", "\x0b", "\x1b", "\x00", "\x0c", "\x7f"])
def test_control_characters_after_a_tag_do_not_lose_the_page(cli_run, tmp_path, control):
    chrome = "".join(f"<{tag}>{control}menu</{tag}>" for tag in ("nav", "script", "aside"))
    page = GOOD.replace("<body>", f"<body>{chrome}").replace("<p>", f"<p>{control}", 1)
    path = tmp_path / "p.html"
    path.write_text(page, encoding="utf-8")
    result = cli_run("extract", path, "--json")
    assert result.exit_code == 0 and not result.has_traceback, result.stderr
    assert "water crisis" in json.loads(result.stdout)["title"]


@pytest.mark.parametrize(
    "label", ["base64", "hex", "zlib_codec", "rot13", "uu", "idna", "punycode", "utf-7", "utf-32"]
)
def test_a_non_text_codec_in_meta_charset_decodes_as_browsers_do(cli_run, tmp_path, label):
    path = tmp_path / "p.html"
    path.write_bytes(
        GOOD.replace("charset='utf-8'", f"charset='{label}'")
        .replace("</h1>", "</h1><p>Caf\u00e9 r\u00e9sum\u00e9 na\u00efve.</p>")
        .encode("cp1252")
    )
    other = tmp_path / "q.html"
    other.write_text(page_html(51))
    result = cli_run("extract", path, other, "--json")
    assert result.exit_code == 0 and not result.has_traceback, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["encoding"] == "windows-1252" and "Café résumé" in first["body"]
    assert "Report 51" in second["title"]


# --- dumps: libraries never write to our terminal; damage is a failure ---------------------


def write_warc(path: Path, pages: dict[str, str], *, gzip: bool = True) -> Path:
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=gzip)
        for uri, html in pages.items():
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            payload = io.BytesIO(html.encode("utf-8"))
            writer.write_record(
                writer.create_warc_record(uri, "response", payload=payload, http_headers=headers)
            )
    return path


def _clean_of_controls(text: str) -> bool:
    return not any(c in text for c in "\x1b\x07\u009b\u202e\u2066\u2069")


def test_warcio_never_writes_to_our_terminal(cli_run, tmp_path: Path):
    uri = "https://example.com/a b" + HOSTILE
    warc = write_warc(tmp_path / "hostile.warc", {uri: page_html(1)}, gzip=False)
    # a short Content-Length: warcio would print the raw bytes after it
    data = warc.read_bytes()
    head, sep, rest = data.partition(b"Content-Length: ")
    number = rest.split(b"\r\n", 1)[0]
    warc.write_bytes(head + sep + str(int(number) - 120).encode() + rest[len(number) :])
    for command in (["extract", warc], ["ingest", warc, "--index", tmp_path / "ix", "-j", "1"]):
        result = cli_run(*command)
        assert not result.has_traceback, result.stderr
        assert "Replacing spaces" not in result.stderr and "WARNING" not in result.stderr
        assert "Remainder" not in result.stderr and "regional economy" not in result.stderr
        assert _clean_of_controls(result.stderr)
        assert result.exit_code == 3
        assert "Content-Length does not match" in result.stderr


@pytest.mark.parametrize("kind", ["cut gzip", "cut plain", "not gzip", "junk"])
def test_truncated_or_foreign_warc_is_a_failure_in_summary_and_report(cli_run, tmp_path, kind):
    pages = {f"https://example.com/{n}": page_html(n) for n in range(12)}
    warc = write_warc(tmp_path / "crawl.warc.gz", pages, gzip=kind != "cut plain")
    data = warc.read_bytes()
    warc.write_bytes(
        {
            "cut gzip": data[: len(data) * 2 // 3 + 7],
            "cut plain": data[: len(data) * 2 // 3 + 7],
            "not gzip": page_html(99).encode() * 3,
            "junk": bytes(range(256)) * 8,
        }[kind]
    )
    report = tmp_path / "run.jsonl"
    result = cli_run("ingest", warc, "--index", tmp_path / "ix", "--report", report, "-j", "1")
    assert result.exit_code == 3 and not result.has_traceback, result.stderr
    assert "failed 1 " in result.stderr
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    failed = [row for row in rows if row["status"] == "failed"]
    assert len(failed) == 1 and "WARC" in failed[0]["reason"]
    added = [row for row in rows if row["status"] == "added"]
    assert len(added) == (0 if kind in ("not gzip", "junk") else len(doc_ids(str(tmp_path / "ix"))))


def test_a_windows_path_member_is_read_not_skipped(cli_run, tmp_path: Path):
    import zipfile

    dump = tmp_path / "d.zip"
    with zipfile.ZipFile(dump, "w") as zf:
        zf.writestr("..\\..\\x.html", page_html(1))
        zf.writestr("/etc/passwd.html", page_html(2))
        zf.writestr("../../y.html", page_html(3))
    before = tree(tmp_path.parent, skip=tmp_path)
    report = tmp_path / "r.jsonl"
    result = cli_run("ingest", dump, "--index", tmp_path / "ix", "--report", report, "-j", "1")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert sorted(row["location"].split("!", 1)[1] for row in rows) == [
        "../../y.html", "..\\..\\x.html", "/etc/passwd.html"
    ]
    assert {row["status"] for row in rows} == {"added"}
    assert tree(tmp_path.parent, skip=tmp_path) == before


def test_many_failures_are_capped_on_stderr_and_all_in_the_report(cli_run, tmp_path: Path):
    import zipfile

    dump = tmp_path / "junk.zip"
    with zipfile.ZipFile(dump, "w") as zf:
        for n in range(60):
            zf.writestr(f"p{n}.html", b"\x00\x01\x02 junk")
    report = tmp_path / "r.jsonl"
    result = cli_run("ingest", dump, "--index", tmp_path / "ix", "--report", report, "-j", "1")
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert len(lines) == 1 + 20 + 1
    assert lines[-1] == f"archive: … and 40 more failed inputs (all are in {report})"
    assert len(report.read_text().splitlines()) == 60
    result = cli_run("extract", dump)
    assert result.exit_code == 3 and len(result.stderr.splitlines()) == 21
    assert "40 more failed inputs" in result.stderr


def test_a_bomb_says_at_least(cli_run, tmp_path: Path):
    import gzip

    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b"<p>" + b"a" * (3 * 1024 * 1024)))
    result = cli_run("extract", bomb, "--max-size", "1MB")
    assert result.exit_code == 3
    assert "at least 1.0 MB" in result.stderr and "1.0 MB > 1.0 MB" not in result.stderr


# --- JSON output: no raw control or bidi character, exact strings kept ---------------------

RAW_UNSAFE = "\u009b\u202e\u2066\u2069\x1b\x7f"


def hostile_page(n: int) -> str:
    evil = "\u009b31m\u202eevil\u2066\u2069"
    return (
        page_html(n)
        .replace("<title>", f"<title>{evil}")
        .replace("<h1>", f"<h1>{evil}")
        .replace("</h1>", f"</h1><p class='byline'>By Ann {evil}Lee</p>")
    )


def test_json_outputs_carry_no_raw_control_or_bidi_character(cli_run, tmp_path: Path):
    folder = tmp_path / ("in" + "\u202e" + "\u009b")
    folder.mkdir()
    for n in range(3):
        (folder / f"p{n}\u202e.html").write_text(hostile_page(n), encoding="utf-8")
    (folder / "bad\u009b\u202e.html").write_bytes(b"\x00junk")
    ix = tmp_path / "ix"
    report = tmp_path / "r.jsonl"
    result = cli_run("ingest", folder, "--index", ix, "--report", report, "-j", "1")
    assert result.exit_code == 3, result.stderr
    assert _clean_of_controls(result.stderr)
    outputs = {"report": report.read_text(encoding="utf-8")}
    for name, args in {
        "extract": ["extract", folder, "--json"],
        "query": ["query", "report", "--json", "--index", ix],
        "export": ["export", "--index", ix],
        "stats": ["stats", "--json", "--index", ix],
    }.items():
        result = cli_run(*args)
        assert not result.has_traceback and _clean_of_controls(result.stderr), result.stderr
        outputs[name] = result.stdout
    some_id = json.loads(outputs["query"].splitlines()[0])["id"]
    outputs["show"] = cli_run("show", some_id, "--json", "--index", ix).stdout
    for name, text in outputs.items():
        assert text.strip(), name
        assert not any(c in text for c in RAW_UNSAFE), name
        for line in text.splitlines():
            json.loads(line)
    # the report keeps the exact locations (escaped, not removed): they name real files
    locations = {json.loads(line)["location"] for line in outputs["report"].splitlines()}
    assert str(folder / "bad\u009b\u202e.html") in locations


# --- decompression bombs are refused early -----------------------------------------------


def test_overlapping_zip_entries_are_refused_before_inflating(cli_run, tmp_path: Path):
    import copy
    import time
    import zipfile

    dump = tmp_path / "overlap.zip"
    with zipfile.ZipFile(dump, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.html", "<p>" + "x" * (4 * 1024 * 1024))
        first = zf.filelist[0]
        for n in range(200):  # 200 central entries over the one deflate stream
            twin = copy.copy(first)
            twin.filename = twin.orig_filename = f"copy{n}.html"
            zf.filelist.append(twin)
    started = time.process_time()
    result = cli_run("extract", dump)
    assert time.process_time() - started < 2
    assert result.exit_code == 3 and not result.has_traceback
    assert "zip entries overlap" in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_zip_member_compressed_beyond_the_ratio_bound_is_refused(cli_run, tmp_path):
    import zipfile

    dump = tmp_path / "ratio.zip"
    with zipfile.ZipFile(dump, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.html", b"\0" * (16 * 1024 * 1024))
        zf.writestr("good.html", page_html(1))
    result = cli_run("extract", dump, "--max-size", "64MB", "--json")
    assert result.exit_code == 3
    assert "bomb.html: compressed more than 200:1" in result.stderr
    assert "Report 1" in result.stdout


def test_a_huge_member_in_a_small_tar_gz_stops_the_read_cheaply(cli_run, tmp_path: Path):
    import io
    import tarfile
    import time

    dump = tmp_path / "bomb.tar.gz"
    with tarfile.open(dump, "w:gz", compresslevel=1) as tf:
        good = page_html(1).encode()
        info = tarfile.TarInfo("good.html")
        info.size = len(good)
        tf.addfile(info, io.BytesIO(good))
        info = tarfile.TarInfo("huge.html")
        info.size = 48 * 1024 * 1024
        tf.addfile(info, io.BytesIO(bytes(info.size)))
    started = time.process_time()
    result = cli_run("extract", dump, "--json", "--max-size", "1MB")
    assert time.process_time() - started < 2
    assert result.exit_code == 3 and "Report 1" in result.stdout
    assert "huge.html: would inflate to more than 200 times its own size" in result.stderr


# --- queries: bounded fuzzy terms, known fields, a time budget ------------------------------


@pytest.fixture(scope="module")
def query_index(tmp_path_factory) -> str:
    """A small index shared by the query tests (read-only)."""
    from archive.ingest import ingest

    root = tmp_path_factory.mktemp("qi")
    pages = write_pages(root / "pages", range(8))
    (root / "pages" / "fa.html").write_text(
        "<html><head><meta charset='utf-8'><title>مذاکرات هسته‌ای در وین</title></head><body>"
        "<article><h1>مذاکرات هسته‌ای در وین</h1>"
        + "<p>هیئت‌های ایران و اروپا درباره تحریم‌ها و همکاری‌های اقتصادی گفت‌وگو کردند.</p>" * 5
        + "</article></body></html>",
        encoding="utf-8",
    )
    ix = str(root / "ix")
    ingest([str(pages)], ix, jobs=1)
    return ix


@pytest.mark.parametrize("query", ["negotiations~9", "report~3", "talks~5/1", "(oil OR report~4)"])
def test_fuzzy_terms_beyond_two_edits_are_a_usage_error(cli_run, query_index, query):
    result = cli_run("query", query, "--index", query_index)
    assert result.exit_code == 2
    assert "at most 2 edits" in one_line(result)


@pytest.mark.parametrize("query", ["reprot~2", "reporx~", "delegatoins~2 AND sanctions"])
def test_fuzzy_terms_within_the_bound_work(cli_run, query_index, query):
    result = cli_run("query", query, "--index", query_index, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip()


@pytest.mark.parametrize("query", ["nosuchfield:word", "talks AND titel:report", "x:y"])
def test_an_unknown_field_says_which_fields_exist(cli_run, query_index, query):
    result = cli_run("query", query, "--index", query_index)
    assert result.exit_code == 2
    line = one_line(result)
    assert "unknown field" in line and "title:" in line and "author:" in line


@pytest.mark.parametrize(
    "query", ["http://example.com/news report", '"ratio 3:1" report', "10:30 report", "by:ann"]
)
def test_colons_that_are_not_field_names_still_search(cli_run, query_index, query):
    result = cli_run("query", query, "--index", query_index)
    assert result.exit_code == 0, result.stderr


def test_a_query_past_its_time_budget_is_stopped_with_one_line(cli_run, query_index, monkeypatch):
    from archive import cli

    monkeypatch.setattr(cli, "QUERY_SECONDS", 1e-6)
    result = cli_run("query", "report*", "--index", query_index)
    assert result.exit_code == 1
    assert "the query was stopped after" in one_line(result)
    monkeypatch.undo()
    assert cli_run("query", "report*", "--index", query_index).exit_code == 0


# --- fuzzing: query strings and page bytes -------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

QUERY_ATOMS = st.sampled_from(
    [
        "report", "talks", "sanctions", "مذاکرات", "هسته‌ای", "کتاب", "\u200c", "ي", "ك",
        '"', "«", "»", "(", ")", "[", "]", "{", "}", ":", "*", "?", "~", "~2", "~9", "^2",
        " AND ", " OR ", " NOT ", " ANDNOT ", "title:", "author:", "body:", "site:", "lang:",
        "nosuchfield:", "-", "+", "/", "\\", "'", " ", "  ", "۲۰۲۳", "TO", "[a TO z]", "\x1b",
        "\u202e", "\u009b", "*:*", "a*", "*b", "?z", "r~1/2", "<", ">", "=", "!", "#",
    ]
)  # fmt: skip
QUERIES = st.lists(QUERY_ATOMS | st.text(max_size=4), max_size=10).map("".join)

# A bound stated for the suite: no query takes 5 s on this 9-article index (they take 0.01-0.1
# s); a query running away (fuzzy ~9 ran 95 s on the demo index) fails here, and the product's
# own budget (cli.QUERY_SECONDS) stops any query at 10 s.
QUERY_BOUND_SECONDS = 5.0


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=QUERIES)
def test_fuzz_query_strings_never_crash_or_run_away(cli_run, query_index, query):
    import time

    started = time.perf_counter()
    result = cli_run("query", query, "--index", query_index, "--json", "-n", "3")
    assert time.perf_counter() - started < QUERY_BOUND_SECONDS, query
    assert result.exit_code in (0, 2), (query, result.stderr)
    assert not result.has_traceback, result.stderr
    if result.exit_code == 2:
        one_line(result)
    assert _clean_of_controls(result.stderr)
    for line in result.stdout.splitlines():
        json.loads(line)


PAGE_PIECES = st.sampled_from(
    [
        "<html>", "<head>", "<meta charset='{}'>", "<title>", "</title>", "<body>", "<nav>",
        "<script>", "<aside>", "<article>", "<p>", "</p>", "<h1>", "<!--", "-->", "<![CDATA[",
        "<svg>", "&#0;", "&#x1b;", "&amp;", "&#xD800;", "&#1114112;", "\x00", "\x01", "\x0b",
        "\x0c", "\x1b[2J", "\x1b]0;x\x07", "\u009b", "\u202e", "\ufffe", "\ud800", "By ",
        "مذاکرات هسته‌ای ", "Report on talks ", "2025-02-01 ", "۱۴۰۳/۱۱/۱۲ ",
    ]
)  # fmt: skip
CHARSETS = st.sampled_from(
    ["utf-8", "utf-16", "utf-32", "utf-7", "base64", "rot13", "x-user-defined", "cp1256", "zz"]
)


@st.composite
def page_bytes(draw) -> bytes:
    if draw(st.booleans()):
        return draw(st.binary(max_size=3000))
    charset = draw(CHARSETS)
    pieces = draw(st.lists(PAGE_PIECES | st.text(max_size=8), max_size=40))
    text = "".join(p.format(charset) if "{}" in p else p for p in pieces)
    data = text.encode("utf-8", "surrogatepass")
    noise = draw(st.binary(max_size=30))
    at = draw(st.integers(min_value=0, max_value=len(data)))
    return data[:at] + noise + data[at:]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=page_bytes())
def test_fuzz_page_bytes_through_extract(cli_run, tmp_path, data):
    path = tmp_path / "page.html"
    path.write_bytes(data)
    result = cli_run("extract", path, "--json")
    assert result.exit_code in (0, 3), result.stderr
    assert not result.has_traceback, result.stderr
    assert _clean_of_controls(result.stderr)
    if result.exit_code == 3:
        assert len(result.stderr.splitlines()) == 1
    for line in result.stdout.splitlines():
        record = json.loads(line)
        assert not any(c in line for c in RAW_UNSAFE)
        assert isinstance(record["body"], str)


# --- messages: every --help example works on the demo corpus -------------------------------


def _help_examples() -> list[list[str]]:
    import shlex

    from archive.cli import cli

    examples = []
    for command in [cli, *cli.commands.values()]:
        doc = command.help or ""
        block = doc.split("Examples:", 1)[1] if "Examples:" in doc else ""
        for line in block.splitlines():
            line = line.strip()
            if not line.startswith("archive "):
                if line and not line.startswith("\b") and examples:
                    break
                continue
            line = line.split(" | ", 1)[0].split(" > ", 1)[0]
            examples.append(shlex.split(line)[1:])
    return examples


def test_every_help_example_works_on_the_demo_corpus(cli_run, tmp_path: Path, monkeypatch):
    import shutil

    shutil.copytree(Path(__file__).parent.parent / "raw", tmp_path / "raw")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARCHIVE_INDEX", raising=False)
    assert cli_run("ingest", "-j", "1", "-q").exit_code == 3  # raw/ holds deliberate junk
    examples = _help_examples()
    assert len(examples) >= 15
    for args in examples:
        if args[0] == "forget":  # destructive and order-dependent: its examples are not run here
            continue
        if args[0] == "ingest":
            args = [*args, "-j", "1"]
        result = cli_run(*args)
        assert not result.has_traceback, (args, result.stderr)
        expected = (0, 3) if args[0] in ("ingest", "extract") else (0,)
        assert result.exit_code in expected, (args, result.stderr)
        if args[0] in ("query", "show", "extract"):
            assert result.stdout.strip(), (args, result.stderr)
        if args[0] == "export":
            assert "exported 0 " not in result.stderr, args


# --- a full disk ---------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 2 MB tmpfs inside tmp_path (root only; skipped where mounting is not allowed)."""
    import subprocess

    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(folder: Path) -> None:
    try:
        with open(folder / "filler", "wb") as f:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
    except OSError as exc:  # full: the aim (even before the filler's first block)
        if exc.errno != errno.ENOSPC:
            raise


def test_disk_full_while_writing_the_manifest_says_free_space(cli_run, tmp_path, small_disk):
    from archive.errors import ArchiveError
    from archive.ingest import _guard_write
    from archive.manifest import PageRecord

    ix = str(small_disk / "ix")
    assert cli_run("ingest", write_pages(tmp_path / "p", range(3)), "--index", ix).exit_code == 0
    ids = doc_ids(ix)
    writer = index.IndexWriter(ix)
    try:
        _fill(small_disk)
        for n in range(2000):
            writer.record_page(PageRecord(f"/k{n}" * 20, "/s", 1, 0.0, f"h{n}", None, "failed"))
        with pytest.raises(ArchiveError) as caught:
            _guard_write(ix, writer.commit)
    finally:
        writer.close()
    message = str(caught.value)
    assert "disk full while writing the manifest" in message and "free space" in message
    assert "--rebuild" not in message
    (small_disk / "filler").unlink()
    assert doc_ids(ix) == ids
    result = cli_run("stats", "--index", ix)
    assert "articles: 3" in result.stdout and "index size: 0 B" not in result.stdout


def test_disk_full_during_ingest_is_one_line_and_keeps_the_index(cli_run, tmp_path, small_disk):
    ix = str(small_disk / "ix")
    assert cli_run("ingest", write_pages(tmp_path / "p", range(3)), "--index", ix).exit_code == 0
    ids = doc_ids(ix)
    _fill(small_disk)
    result = cli_run("ingest", write_pages(tmp_path / "more", range(10, 60)), "--index", ix)
    assert result.exit_code == 1
    assert "disk full" in one_line(result) and "free space" in one_line(result)
    (small_disk / "filler").unlink()
    assert doc_ids(ix) == ids


# --- the one error boundary ----------------------------------------------------------------


def test_any_exception_becomes_one_sanitised_line(cli_run, query_index, monkeypatch):
    import archive.search

    def broken(*args, **kwargs):  # stands for a bug we do not know of yet
        raise RuntimeError("boom \x1b]0;title\x07\x1b[2J\u202e")

    monkeypatch.setattr(archive.search, "search", broken)
    result = cli_run("query", "report", "--index", query_index)
    assert result.exit_code == 1
    line = one_line(result)
    assert "internal error (RuntimeError: boom" in line and "--debug" in line
    assert _clean_of_controls(line)
    result = cli_run("--debug", "query", "report", "--index", query_index)
    assert result.exit_code == 1 and isinstance(result.exception, RuntimeError)
