"""sources.iter_pages: folders, zip, tar, WARC, gzip pages; limits and hostile archives."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from archive.models import Outcome, RawPage
from archive.sources import DumpEnd, dump_kind, is_skipped_name, iter_pages

HTML = b"<html><head><title>T</title></head><body><p>hello</p></body></html>"


def _pages(items):
    return [i for i in items if isinstance(i, RawPage)]


def _failed(items):
    return [i for i in items if isinstance(i, Outcome) and i.status == "failed"]


def test_folder_walk_is_sorted_recursive_and_skips_non_pages(tmp_path: Path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.html").write_bytes(HTML)
    (tmp_path / "a.htm").write_bytes(HTML)
    (tmp_path / "noext").write_bytes(HTML)
    (tmp_path / "style.css").write_bytes(b"body{}")
    (tmp_path / "logo.PNG").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.html").write_bytes(HTML)
    (tmp_path / "junk.html").write_bytes(b"\x00\x01\x02" * 50)  # extraction must judge this one
    items = list(iter_pages([str(tmp_path)]))
    names = [os.path.relpath(p.source, tmp_path) for p in _pages(items)]
    assert names == ["a.htm", "b/2.html", "junk.html", "noext"]
    assert not _failed(items)
    page = _pages(items)[0]
    assert page.data == HTML and page.size == len(HTML) and page.mtime


def test_file_given_by_name_is_read_whatever_its_extension(tmp_path: Path):
    path = tmp_path / "page.json"
    path.write_bytes(HTML)
    assert [p.data for p in _pages(iter_pages([str(path)]))] == [HTML]


def test_missing_path_is_a_failed_outcome_and_the_walk_goes_on(tmp_path: Path):
    (tmp_path / "ok.html").write_bytes(HTML)
    items = list(iter_pages([str(tmp_path / "nope"), str(tmp_path / "ok.html")]))
    assert [f.reason for f in _failed(items)] == ["no such file or folder"]
    assert len(_pages(items)) == 1


def test_symlink_loop_does_not_hang(tmp_path: Path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "p.html").write_bytes(HTML)
    (sub / "loop").symlink_to(tmp_path, target_is_directory=True)
    (sub / "self").symlink_to(sub, target_is_directory=True)
    pages = _pages(iter_pages([str(tmp_path)]))
    assert len(pages) == 1


def test_file_above_size_limit_is_failed_with_reason(tmp_path: Path):
    path = tmp_path / "big.html"
    path.write_bytes(b"<p>" + b"x" * 5000)
    items = list(iter_pages([str(path)], max_size=1000))
    assert not _pages(items)
    assert "size limit" in _failed(items)[0].reason


def test_zip_members_are_read_in_memory_and_traversal_names_stay_labels(tmp_path: Path):
    dump = tmp_path / "d" / "dump.zip"
    dump.parent.mkdir()
    with zipfile.ZipFile(dump, "w") as zf:
        zf.writestr("a/one.html", HTML)
        zf.writestr("../../evil.html", HTML)
        zf.writestr("/abs/root.html", HTML)
        zf.writestr("img/x.jpg", b"jpeg")
        zf.writestr("dir/", b"")
    before = set(tmp_path.rglob("*"))
    items = list(iter_pages([str(dump)], markers=True))
    pages = _pages(items)
    assert [p.member for p in pages] == ["a/one.html", "../../evil.html", "/abs/root.html"]
    assert pages[1].location == f"{dump}!../../evil.html"
    assert all(p.data == HTML for p in pages)
    assert set(tmp_path.rglob("*")) == before  # nothing written anywhere
    assert not (tmp_path / "evil.html").exists()
    assert isinstance(items[-1], DumpEnd) and items[-1].complete


def test_zip_bomb_member_is_bounded(tmp_path: Path):
    dump = tmp_path / "bomb.zip"
    with zipfile.ZipFile(dump, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.html", b"<p>" + b"\0" * (8 * 1024 * 1024))
        zf.writestr("ok.html", HTML)
    assert dump.stat().st_size < 100_000
    items = list(iter_pages([str(dump)], max_size=1024 * 1024))
    assert [p.member for p in _pages(items)] == ["ok.html"]
    assert "size limit" in _failed(items)[0].reason


def test_gzipped_page_bomb_is_bounded(tmp_path: Path):
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(b"<p>" + b"\0" * (4 * 1024 * 1024)))
    items = list(iter_pages([str(path)], max_size=100_000))
    assert not _pages(items) and "size limit" in _failed(items)[0].reason
    small = tmp_path / "small.html.gz"
    small.write_bytes(gzip.compress(HTML))
    assert _pages(iter_pages([str(small)]))[0].data == HTML


def test_not_a_zip_is_failed(tmp_path: Path):
    path = tmp_path / "fake.zip"
    path.write_bytes(b"this is no zip")
    items = list(iter_pages([str(path)], markers=True))
    assert "zip" in _failed(items)[0].reason
    assert isinstance(items[-1], DumpEnd) and not items[-1].complete


def _tar_bytes(members: list[tuple[str, bytes]], mode: str = "w:gz") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            tf.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("link.html")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tf.addfile(link)
    return buf.getvalue()


@pytest.mark.parametrize("suffix,mode", [(".tar.gz", "w:gz"), (".tar", "w"), (".tar.xz", "w:xz")])
def test_tar_members_skip_links_and_keep_traversal_names_as_labels(tmp_path, suffix, mode):
    dump = tmp_path / f"dump{suffix}"
    dump.write_bytes(_tar_bytes([("x/1.html", HTML), ("../../../evil.html", HTML)], mode))
    pages = _pages(iter_pages([str(dump)]))
    assert [p.member for p in pages] == ["x/1.html", "../../../evil.html"]
    assert not (tmp_path.parent / "evil.html").exists()


def test_truncated_tar_gz_keeps_pages_read_and_reports_the_dump(tmp_path: Path):
    members = [(f"p{i}.html", HTML + os.urandom(3000)) for i in range(20)]
    raw = _tar_bytes(members)
    dump = tmp_path / "cut.tar.gz"
    dump.write_bytes(raw[: len(raw) // 2])
    items = list(iter_pages([str(dump)], markers=True))
    assert 0 < len(_pages(items)) < 20
    assert _failed(items)[0].location == str(dump)
    assert not items[-1].complete


def _warc(path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=str(path).endswith(".gz"))

        def response(uri: str, status: str, ctype: str, body: bytes) -> None:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(rec)

        req = writer.create_warc_record(
            "https://e.com/a",
            "request",
            payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders("GET /a HTTP/1.1", [], is_http_request=True),
        )
        writer.write_record(req)
        response("https://e.com/a", "200 OK", "text/html; charset=windows-1256", HTML)
        response("https://e.com/logo.png", "200 OK", "image/png", b"\x89PNG")
        response("https://e.com/gone", "404 Not Found", "text/html", HTML)
        response("https://e.com/b", "200 OK", "application/xhtml+xml", HTML)


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_takes_html_responses_with_target_uri_and_charset(tmp_path: Path, name: str):
    path = tmp_path / name
    _warc(path)
    items = list(iter_pages([str(path)], markers=True))
    pages = _pages(items)
    assert [p.url for p in pages] == ["https://e.com/a", "https://e.com/b"]
    assert [p.member for p in pages] == ["https://e.com/a", "https://e.com/b"]
    assert pages[0].declared_charset == "windows-1256"
    assert pages[1].declared_charset is None
    assert all(p.data == HTML for p in pages)
    assert not _failed(items) and items[-1].complete


def test_known_callback_skips_reading(tmp_path: Path):
    (tmp_path / "a.html").write_bytes(HTML)
    (tmp_path / "b.html").write_bytes(HTML)
    seen = []

    def known(source, size, mtime, is_dump):
        seen.append((os.path.basename(source), size, is_dump))
        if source.endswith("a.html"):
            return [Outcome(source, "unchanged")]
        return None

    items = list(iter_pages([str(tmp_path)], known=known))
    assert seen == [("a.html", len(HTML), False), ("b.html", len(HTML), False)]
    assert [type(i).__name__ for i in items] == ["Outcome", "RawPage"]


def test_dump_kind_and_skipped_names():
    assert dump_kind("x.TAR.GZ") == "tar" and dump_kind("x.tgz") == "tar"
    assert dump_kind("c.warc.gz") == "warc" and dump_kind("p.html.gz") == "gzip"
    assert dump_kind("a.zip") == "zip" and dump_kind("a.html") is None
    assert is_skipped_name("a/b/c.js") and is_skipped_name(".git") and not is_skipped_name("x")


def test_truncated_or_junk_warc_is_a_failed_dump_not_a_crash(tmp_path: Path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for i in range(5):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        payload = io.BytesIO(HTML * 25)
        writer.write_record(
            writer.create_warc_record(
                f"https://x.org/{i}", "response", payload=payload, http_headers=headers
            )
        )
    data = buf.getvalue()
    junk = tmp_path / "junk.warc"
    junk.write_bytes(b"\x00garbage" * 100)
    for percent in range(5, 100, 3):
        path = tmp_path / f"cut{percent}.warc.gz"
        path.write_bytes(data[: len(data) * percent // 100])
        items = list(iter_pages([str(path)], markers=True))
        assert all(isinstance(i, (RawPage, Outcome, DumpEnd)) for i in items)
        assert _pages(items) or _failed(items)  # a WARC that gave nothing says so
    assert _failed(iter_pages([str(junk)]))[0].location == str(junk)


@pytest.mark.parametrize("suffix", [".zip", ".tar.gz"])
def test_corrupted_dumps_never_raise(tmp_path: Path, suffix: str):
    import random

    rng = random.Random(7)
    members = [(f"p{i}.html", HTML * 20) for i in range(4)]
    if suffix == ".zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members:
                zf.writestr(name, data)
        original = buf.getvalue()
    else:
        original = _tar_bytes(members)
    path = tmp_path / f"dump{suffix}"
    for _ in range(200):
        data = bytearray(original)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            data = data[: rng.randrange(len(data))]
        path.write_bytes(bytes(data))
        items = list(iter_pages([str(path)], markers=True))
        assert isinstance(items[-1], DumpEnd)
