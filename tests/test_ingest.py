"""archive ingest: idempotence, updates, duplicates, every input kind, failures, crash safety."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from archive import index
from archive.ingest import ingest

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


pytestmark = pytest.mark.usefixtures("engine")  # both engines (conftest.py)


def page_html(n: int, *, url: bool = True, topic: str = "nuclear talks", extra: str = "") -> str:
    """A small clean article page; distinct text per `n`."""
    canonical = f'<link rel="canonical" href="https://example.com/news/{n}">' if url else ""
    paras = "".join(
        f"<p>Paragraph {j} of report number {n} on {topic}: the delegations met again and "
        f"discussed sanctions, trade and the regional economy in some detail.</p>"
        for j in range(5)
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Report {n} on {topic}</title>"
        f"{canonical}</head><body><article><h1>Report {n} on {topic}</h1>{paras}{extra}"
        "</article></body></html>"
    )


def write_pages(folder: Path, numbers, **kw) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in numbers:
        path = folder / f"p{n:04d}.html"
        path.write_text(page_html(n, **kw), encoding="utf-8")
        paths.append(path)
    return paths


def stored_docs(index_dir: str) -> dict[str, dict]:
    with index.open_index(index_dir).searcher() as searcher:
        docs = {d["id"]: dict(d) for d in searcher.all_stored_fields()}
    for doc in docs.values():
        doc.pop("indexed_at", None)
    return docs


def statuses(report) -> dict[str, int]:
    return {k: v for k, v in report.counts.items() if v}


def test_ingest_twice_is_idempotent(tmp_path: Path, tmp_index: str):
    write_pages(tmp_path / "raw", range(12))
    first = ingest([str(tmp_path / "raw")], tmp_index, jobs=1)
    assert statuses(first) == {"added": 12}
    docs = stored_docs(tmp_index)
    outcomes = []
    second = ingest([str(tmp_path / "raw")], tmp_index, jobs=1, on_outcome=outcomes.append)
    assert statuses(second) == {"unchanged": 12}
    assert sorted(o.id for o in outcomes) == sorted(docs)
    assert stored_docs(tmp_index) == docs
    assert index.read_meta(tmp_index)["documents"] == 12


def test_touched_but_identical_file_is_unchanged_and_not_reparsed(tmp_path, tmp_index):
    paths = write_pages(tmp_path / "raw", range(3))
    ingest([str(tmp_path / "raw")], tmp_index, jobs=1)
    os.utime(paths[0], (time.time() + 100, time.time() + 100))
    report = ingest([str(tmp_path / "raw")], tmp_index, jobs=1)
    assert statuses(report) == {"unchanged": 3}


def test_changed_content_is_updated_in_place(tmp_path: Path, tmp_index: str):
    paths = write_pages(tmp_path / "raw", range(4))
    ingest([str(tmp_path / "raw")], tmp_index, jobs=1)
    ids_before = set(stored_docs(tmp_index))
    paths[1].write_text(page_html(1, topic="oil exports"), encoding="utf-8")
    outcomes = []
    report = ingest([str(tmp_path / "raw")], tmp_index, jobs=1, on_outcome=outcomes.append)
    assert statuses(report) == {"updated": 1, "unchanged": 3}
    docs = stored_docs(tmp_index)
    assert set(docs) == ids_before
    updated = next(o for o in outcomes if o.status == "updated")
    assert "oil exports" in docs[updated.id]["title"]


def test_changed_page_without_url_keeps_its_id(tmp_path: Path, tmp_index: str):
    (path,) = write_pages(tmp_path / "raw", [7], url=False)
    ingest([str(path)], tmp_index, jobs=1)
    (doc_id,) = stored_docs(tmp_index)
    path.write_text(page_html(7, url=False, topic="water crisis"), encoding="utf-8")
    report = ingest([str(path)], tmp_index, jobs=1)
    assert statuses(report) == {"updated": 1}
    docs = stored_docs(tmp_index)
    assert list(docs) == [doc_id] and "water crisis" in docs[doc_id]["body"]


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text.encode("utf-8"))
    return path


def _tar_gz(path: Path, members: dict[str, str]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for name, text in members.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def _warc_gz(path: Path, members: dict[str, str], charset: str = "utf-8") -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for uri, text in members.items():
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", f"text/html; charset={charset}")], protocol="HTTP/1.1"
            )
            # windows-1256 has only the Arabic forms of yeh and kaf, as old Iranian sites wrote
            payload = io.BytesIO(text.replace("ی", "ي").replace("ک", "ك").encode(charset))
            writer.write_record(
                writer.create_warc_record(uri, "response", payload=payload, http_headers=headers)
            )
    return path


def test_same_articles_in_two_dumps_are_stored_once(tmp_path: Path, tmp_index: str):
    members = {f"site/p{n}.html": page_html(n) for n in range(5)}
    zip_path = _zip(tmp_path / "a.zip", members)
    # the second dump has other bytes (another template) but the same canonical URLs
    other = {f"x/{n}.html": page_html(n, extra="<footer>mirror</footer>") for n in range(5)}
    tar_path = _tar_gz(tmp_path / "b.tar.gz", {**other, "x/new.html": page_html(99)})
    first = ingest([str(zip_path)], tmp_index, jobs=1)
    second = ingest([str(tar_path)], tmp_index, jobs=1)
    assert statuses(first) == {"added": 5}
    assert statuses(second) == {"duplicate": 5, "added": 1}
    assert len(stored_docs(tmp_index)) == 6


def test_same_text_without_urls_is_a_duplicate_and_exact_copies_are_not_parsed(tmp_path, tmp_index):
    raw = tmp_path / "raw"
    write_pages(raw / "a", range(3), url=False)
    write_pages(raw / "b", range(3), url=False)  # byte-identical copies
    (raw / "c").mkdir()
    (raw / "c" / "same-text.html").write_text(
        page_html(0, url=False).replace("<h1>", "<h1 class='x'>"), encoding="utf-8"
    )
    report = ingest([str(raw)], tmp_index, jobs=1)
    assert statuses(report) == {"added": 3, "duplicate": 4}
    assert len(stored_docs(tmp_index)) == 3


def test_every_input_kind_through_the_cli(cli_run, tmp_path: Path, tmp_index: str):
    write_pages(tmp_path / "folder", range(0, 3))
    _zip(tmp_path / "d.zip", {f"z/{n}.html": page_html(n) for n in range(3, 6)})
    _tar_gz(tmp_path / "d.tar.gz", {f"t/{n}.html": page_html(n) for n in range(6, 9)})
    # the WARC pages have no canonical: the record's target URI becomes their URL
    _warc_gz(
        tmp_path / "crawl.warc.gz",
        {f"https://warc.example.org/{n}": page_html(n, url=False) for n in range(9, 12)},
    )
    report = tmp_path / "report.jsonl"
    args = [tmp_path / "folder", tmp_path / "d.zip", tmp_path / "d.tar.gz"]
    result = cli_run(
        "ingest",
        *args,
        tmp_path / "crawl.warc.gz",
        "--index",
        tmp_index,
        "--report",
        report,
        "--jobs",
        "1",
    )
    assert result.exit_code == 0, result.stderr
    assert not result.has_traceback and result.stdout == ""
    assert "added 12 · updated 0 · unchanged 0 · duplicates 0 · failed 0 in" in result.stderr
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    assert [line["status"] for line in lines] == ["added"] * 12
    assert lines[3]["location"] == f"{tmp_path / 'd.zip'}!z/3.html"
    urls = {d["url"] for d in stored_docs(tmp_index).values()}
    assert "https://warc.example.org/10" in urls and "https://example.com/news/4" in urls
    again = cli_run("ingest", *args, tmp_path / "crawl.warc.gz", "--index", tmp_index)
    assert again.exit_code == 0 and "unchanged 12" in again.stderr


def test_warc_charset_from_http_header_reaches_the_text(tmp_path: Path, tmp_index: str):
    text = page_html(1, url=False, topic="گفتگوی هسته‌ای").replace("<meta charset='utf-8'>", "")
    warc = _warc_gz(tmp_path / "fa.warc.gz", {"https://fa.example.ir/1": text}, "windows-1256")
    report = ingest([str(warc)], tmp_index, jobs=1)
    assert statuses(report) == {"added": 1}
    (doc,) = stored_docs(tmp_index).values()
    assert "هسته" in doc["title"]


def test_junk_inputs_are_reported_and_exit_3(cli_run, tmp_path: Path, tmp_index: str):
    raw = tmp_path / "raw"
    write_pages(raw, range(2))
    (raw / "binary.html").write_bytes(os.urandom(4000))
    (raw / "empty.html").write_bytes(b"")
    (raw / "evil\x1b[31mname.html").write_bytes(b"\x00\x1b]0;pwned\x07" * 100)
    (raw / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    report = tmp_path / "r.jsonl"
    result = cli_run("ingest", raw, "--index", tmp_index, "--report", report, "--jobs", "1")
    assert result.exit_code == 3, result.stderr
    assert not result.has_traceback
    assert "added 2" in result.stderr and "failed 4" in result.stderr
    assert f"{raw / 'binary.html'}: " in result.stderr
    assert f"{raw / 'empty.html'}: " in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    failed = [json.loads(x) for x in report.read_text().splitlines() if '"failed"' in x]
    assert len(failed) == 4 and all(f["reason"] for f in failed)
    assert len(stored_docs(tmp_index)) == 2
    # failures stay failures on the next run, without being parsed again
    again = cli_run("ingest", raw, "--index", tmp_index, "--jobs", "1")
    assert again.exit_code == 3 and "unchanged 2" in again.stderr and "failed 4" in again.stderr


def test_size_limit_option(cli_run, tmp_path: Path, tmp_index: str):
    raw = tmp_path / "raw"
    write_pages(raw, [1])
    (raw / "huge.html").write_text(page_html(2, extra="<p>" + "word " * 40_000 + "</p>"))
    result = cli_run("ingest", raw, "--index", tmp_index, "--max-size", "100KB", "--jobs", "1")
    assert result.exit_code == 3
    assert "huge.html: larger than the size limit" in result.stderr
    bad = cli_run("ingest", raw, "--index", tmp_index, "--max-size", "lots")
    assert bad.exit_code == 2 and "--max-size" in bad.stderr and not bad.has_traceback


def test_traversal_members_write_nothing_outside(tmp_path: Path, tmp_index: str):
    work = tmp_path / "work"
    work.mkdir()
    _zip(work / "evil.zip", {"../../escaped-zip.html": page_html(1), "ok.html": page_html(2)})
    _tar_gz(work / "evil.tar.gz", {"../../escaped-tar.html": page_html(3)})
    before = sorted(p for p in tmp_path.rglob("*") if "index" not in p.parts)
    report = ingest([str(work)], tmp_index, jobs=1)
    assert statuses(report) == {"added": 3}
    after = sorted(p for p in tmp_path.rglob("*") if "index" not in p.parts)
    assert after == before
    assert not list(Path("/").glob("escaped-*.html")) and not list(tmp_path.glob("escaped-*"))


def test_changed_dump_forgets_members_it_lost(tmp_path: Path, tmp_index: str):
    dump = tmp_path / "d.zip"
    _zip(dump, {f"{n}.html": page_html(n) for n in range(3)})
    ingest([str(dump)], tmp_index, jobs=1)
    _zip(dump, {f"{n}.html": page_html(n) for n in range(2)})
    os.utime(dump, (time.time() + 50, time.time() + 50))
    assert statuses(ingest([str(dump)], tmp_index, jobs=1)) == {"unchanged": 2}
    assert statuses(ingest([str(dump)], tmp_index, jobs=1)) == {"unchanged": 2}


def test_parallel_workers_give_the_same_index(tmp_path: Path):
    write_pages(tmp_path / "raw", range(30))
    one = ingest([str(tmp_path / "raw")], str(tmp_path / "one"), jobs=1)
    committed = []

    def on_outcome(outcome):
        committed.append(index.read_meta(str(tmp_path / "two"))["documents"])

    two = ingest(
        [str(tmp_path / "raw")], str(tmp_path / "two"), jobs=2, batch_docs=7, on_outcome=on_outcome
    )
    assert statuses(one) == statuses(two) == {"added": 30}
    assert committed[-1] == 28  # batches of 7 were committed while workers still parsed
    assert stored_docs(str(tmp_path / "one")) == stored_docs(str(tmp_path / "two"))


def test_rebuild_keeps_old_index_serving_until_done(tmp_path: Path, tmp_index: str):
    write_pages(tmp_path / "old", range(3))
    write_pages(tmp_path / "new", range(10, 15))
    ingest([str(tmp_path / "old")], tmp_index, jobs=1)
    old_gen = index.read_meta(tmp_index)["generation"]
    seen_during = []

    def on_outcome(outcome):
        with index.open_index(tmp_index).searcher() as searcher:
            seen_during.append(searcher.doc_count())

    report = ingest(
        [str(tmp_path / "new")],
        tmp_index,
        jobs=1,
        rebuild=True,
        on_outcome=on_outcome,
        batch_docs=2,
    )
    assert statuses(report) == {"added": 5}
    assert seen_during == [3] * 5  # the old index served all along, batches committed or not
    meta = index.read_meta(tmp_index)
    assert meta["generation"] != old_gen and "rebuilding" not in meta
    assert not (Path(tmp_index) / old_gen).exists()
    assert len(stored_docs(tmp_index)) == 5


def test_incompatible_index_asks_for_rebuild_then_rebuild_works(cli_run, tmp_path, tmp_index):
    write_pages(tmp_path / "raw", range(2))
    assert cli_run("ingest", tmp_path / "raw", "--index", tmp_index, "-j", "1").exit_code == 0
    meta_path = Path(tmp_index) / index.META_FILE
    meta = json.loads(meta_path.read_text())
    meta["schema_version"] = 0
    meta_path.write_text(json.dumps(meta))
    result = cli_run("ingest", tmp_path / "raw", "--index", tmp_index, "-j", "1")
    assert result.exit_code == 1 and not result.has_traceback
    assert result.stderr.count("\n") == 1 and "--rebuild" in result.stderr
    result = cli_run("ingest", tmp_path / "raw", "--index", tmp_index, "-j", "1", "--rebuild")
    assert result.exit_code == 0, result.stderr
    assert index.read_meta(tmp_index)["schema_version"] == index.SCHEMA_VERSION
    assert len(stored_docs(tmp_index)) == 2


def test_second_ingest_exits_naming_the_holder(cli_run, tmp_path: Path, tmp_index: str):
    write_pages(tmp_path / "raw", range(2))
    holder = index.IndexWriter(tmp_index)
    try:
        result = cli_run("ingest", tmp_path / "raw", "--index", tmp_index, "-j", "1")
    finally:
        holder.close()
    assert result.exit_code == 1 and not result.has_traceback
    assert f"pid {os.getpid()}" in result.stderr and "started" in result.stderr


def test_stale_lock_is_recovered(cli_run, tmp_path: Path, tmp_index: str):
    write_pages(tmp_path / "raw", range(2))
    os.makedirs(tmp_index)
    dead = {"pid": 999_999_999, "host": "old-host", "started": "2024-01-01T00:00:00+00:00"}
    (Path(tmp_index) / index.LOCK_FILE).write_text(json.dumps(dead))
    result = cli_run("ingest", tmp_path / "raw", "--index", tmp_index, "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert "999999999" in result.stderr and "added 2" in result.stderr


_KILL_SCRIPT = """
import sys
from archive.ingest import ingest
ingest([sys.argv[1]], sys.argv[2], jobs=1, batch_docs=15, batch_seconds=0.2)
"""


def test_sigkill_mid_ingest_leaves_a_readable_index_and_next_run_completes(tmp_path, tmp_index):
    write_pages(tmp_path / "raw", range(400))
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_SCRIPT, str(tmp_path / "raw"), tmp_index],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    meta_path = Path(tmp_index) / index.META_FILE
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if meta_path.exists() and index.read_meta(tmp_index).get("documents", 0) >= 30:
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.02)
        else:
            pytest.fail("ingest made no progress")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # a query-like read sees the last committed state
    docs = stored_docs(tmp_index)
    assert 30 <= len(docs) < 400
    with index.open_index(tmp_index).searcher() as searcher:
        assert searcher.document(url="https://example.com/news/0") is not None
    report = ingest([str(tmp_path / "raw")], tmp_index, jobs=1)
    assert report.counts["failed"] == 0
    assert report.counts["added"] + report.counts["unchanged"] == 400
    assert report.counts["unchanged"] >= len(docs)
    assert len(stored_docs(tmp_index)) == 400
    assert statuses(ingest([str(tmp_path / "raw")], tmp_index, jobs=1)) == {"unchanged": 400}


def test_persian_fixture_pages(tmp_path: Path, tmp_index: str):
    report = ingest([str(FIXTURES)], tmp_index, jobs=1)
    assert report.counts["failed"] == 0, report.failures
    docs = stored_docs(tmp_index)
    assert any(d["lang"] == "fa" for d in docs.values())
    assert all(d["title"] for d in docs.values())


def test_index_folder_inside_the_input_is_not_ingested(tmp_path: Path):
    write_pages(tmp_path / "pages", range(2))
    index_dir = str(tmp_path / "index")
    assert statuses(ingest([str(tmp_path)], index_dir, jobs=1)) == {"added": 2}
    assert statuses(ingest([str(tmp_path)], index_dir, jobs=1)) == {"unchanged": 2}


def test_manifest_rows_lost_in_a_crash_are_repaired_from_the_index(tmp_path, tmp_index):
    # A run killed between the whoosh commit and the manifest commit leaves documents the
    # manifest does not know: the next run must see them as unchanged, not as duplicates.
    import sqlite3

    paths = write_pages(tmp_path / "raw", range(4))
    ingest([str(tmp_path / "raw")], tmp_index, jobs=1)
    docs = stored_docs(tmp_index)
    gen = Path(tmp_index) / index.read_meta(tmp_index)["generation"]
    with sqlite3.connect(gen / index.MANIFEST_FILE) as db:
        db.execute("DELETE FROM pages")
    assert statuses(ingest([str(tmp_path / "raw")], tmp_index, jobs=1)) == {"unchanged": 4}
    assert stored_docs(tmp_index) == docs
    paths[2].write_text(page_html(2, topic="rail link"), encoding="utf-8")
    assert statuses(ingest([str(tmp_path / "raw")], tmp_index, jobs=1)) == {
        "updated": 1,
        "unchanged": 3,
    }


def test_damaged_manifest_is_one_line_and_exit_1(cli_run, tmp_path: Path, tmp_index: str):
    write_pages(tmp_path / "raw", range(2))
    assert cli_run("ingest", tmp_path / "raw", "--index", tmp_index, "-j", "1").exit_code == 0
    gen = Path(tmp_index) / index.read_meta(tmp_index)["generation"]
    (gen / index.MANIFEST_FILE).write_bytes(b"garbage, not sqlite" * 100)
    result = cli_run("ingest", tmp_path / "raw", "--index", tmp_index, "-j", "1")
    assert result.exit_code == 1 and not result.has_traceback
    assert result.stderr.count("\n") == 1 and "--rebuild" in result.stderr
    assert cli_run("ingest", tmp_path / "raw", "--index", tmp_index, "--rebuild").exit_code == 0


def test_no_path_and_no_raw_folder_is_a_usage_error(cli_run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli_run("ingest", "--index", tmp_path / "ix")
    assert result.exit_code == 2 and not result.has_traceback
    assert "raw/" in result.stderr and result.stderr.count("\n") == 1


def test_help_documents_exit_codes(cli_run):
    result = cli_run("ingest", "--help")
    assert result.exit_code == 0
    for line in ("Examples:", "0  every input", "1  the run could not", "3  finished"):
        assert line in result.stdout


def test_same_text_in_arabic_and_persian_letters_is_one_article_stored_as_first_written(
    tmp_path, tmp_index
):
    # an old CMS writes همكاري‌هاي with Arabic ك ي; a mirror re-typed it with Persian letters
    arabic_letters = (
        "<!doctype html><html lang='fa'><head><meta charset='utf-8'>"
        "<title>همكاري‌هاي اقتصادي ايران و تركيه</title></head><body><article>"
        "<h1>همكاري‌هاي اقتصادي ايران و تركيه</h1>"
        + "<p>كارشناسان مي‌گويند همكاري‌هاي اقتصادي دو كشور در سال جديد گسترش مي‌يابد و"
        " حجم مبادلات تجاري به بيش از ده ميليارد دلار مي‌رسد.</p>" * 3
        + "</article></body></html>"
    )
    persian_letters = arabic_letters.replace("ي", "ی").replace("ك", "ک")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a-old-cms.html").write_text(arabic_letters, encoding="utf-8")
    (raw / "b-mirror.html").write_text(persian_letters, encoding="utf-8")
    first = ingest([str(raw)], tmp_index, jobs=1)
    assert statuses(first) == {"added": 1, "duplicate": 1}
    (doc,) = stored_docs(tmp_index).values()
    assert doc["title"] == "همكاري‌هاي اقتصادي ايران و تركيه" and doc["lang"] == "fa"
    assert "كارشناسان مي‌گويند" in doc["body"]
    again = ingest([str(raw)], tmp_index, jobs=1)
    assert statuses(again) == {"unchanged": 2}
    assert stored_docs(tmp_index) == {doc["id"]: doc}
