"""Issue 15 end to end: forget, --prune, the deny list, --source / source:, the run log.

Every test builds a real index in tmp_path from small real HTML pages through `archive ingest`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("engine")  # both engines (conftest.py)


def page_html(n: int, topic: str = "nuclear talks") -> str:
    paras = "".join(
        f"<p>Paragraph {j} of report number {n} on {topic}: the delegations met again and "
        f"discussed sanctions, trade and the regional economy in some detail.</p>"
        for j in range(4)
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Report {n} on {topic}</title>"
        f'<link rel="canonical" href="https://example.com/news/{n}"></head>'
        f"<body><article><h1>Report {n} on {topic}</h1>{paras}</article></body></html>"
    )


def write_pages(folder: Path, numbers, topic: str = "nuclear talks") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in numbers:
        path = folder / f"p{n:04d}.html"
        path.write_text(page_html(n, topic), encoding="utf-8")
        paths.append(path)
    return paths


def write_zip(path: Path, numbers, topic: str = "nuclear talks") -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for n in numbers:
            zf.writestr(f"m{n:04d}.html", page_html(n, topic))
    return path


@pytest.fixture
def arc(cli_run, tmp_index):
    """Run `archive ARGS --index tmp_index`, assert a clean exit (0 unless told), return it."""

    def _arc(*args, code: int = 0, input: str | None = None):
        result = cli_run(*args, "--index", tmp_index, input=input)
        assert result.exit_code == code, result.stderr
        assert not result.has_traceback, result.stderr
        return result

    return _arc


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def query_ids(arc, *args) -> list[str]:
    return sorted(hit["id"] for hit in jsonl(arc("query", *args, "--json").stdout))


def export_ids(arc, *args) -> list[str]:
    return sorted(rec["id"] for rec in jsonl(arc("export", *args).stdout))


def articles(arc, *args) -> int:
    return json.loads(arc("stats", "--json", *args).stdout)["articles"]


def id_of(arc, n: int) -> str:
    (hit,) = jsonl(arc("query", f'"report number {n}"', "--json").stdout)
    assert hit["title"] == f"Report {n} on nuclear talks"
    return hit["id"]


# --- (1) a forgotten article is gone everywhere ----------------------------------------------


def test_forgotten_article_is_gone_from_query_show_stats_export(arc, tmp_path):
    write_pages(tmp_path / "raw", range(3))
    arc("ingest", tmp_path / "raw")
    gone = id_of(arc, 1)
    every = query_ids(arc, "delegations")
    assert len(every) == 3 and gone in every
    assert articles(arc) == 3
    assert gone in export_ids(arc)
    arc("show", gone, "--json")

    result = arc("forget", gone)  # stdin is not a terminal: no question asked
    assert gone in result.stdout
    assert "removed 1 article" in result.stderr

    assert query_ids(arc, "delegations") == sorted(set(every) - {gone})
    assert gone not in export_ids(arc)
    assert len(export_ids(arc)) == 2
    assert articles(arc) == 2
    shown = arc("show", gone, code=1)
    assert gone in shown.stderr and shown.stdout == ""
    arc("forget", gone, code=1)  # not in the index any more: one clear line, exit 1


# --- (2) forget --source on a dump or a folder, --dry-run -------------------------------------


def test_forget_source_dump_removes_only_its_articles(arc, tmp_path):
    write_pages(tmp_path / "raw", range(3))
    dump = write_zip(tmp_path / "dump.zip", range(10, 14))
    arc("ingest", tmp_path / "raw", dump)
    assert articles(arc) == 7
    from_folder = export_ids(arc, "--source", tmp_path / "raw")
    assert len(from_folder) == 3

    dry = arc("forget", "--source", dump, "--dry-run")
    assert dry.stdout.count("would remove") == 4
    assert "would remove 4 articles" in dry.stderr
    assert articles(arc) == 7

    arc("forget", "--source", dump, "--yes")
    assert articles(arc) == 3
    assert export_ids(arc) == from_folder


def test_forget_source_folder_and_member(arc, tmp_path):
    write_pages(tmp_path / "raw" / "old", range(2))
    write_pages(tmp_path / "raw" / "new", range(5, 8))
    dump = write_zip(tmp_path / "d.zip", range(20, 23))
    arc("ingest", tmp_path / "raw", dump)
    assert articles(arc) == 8
    kept = export_ids(arc, "--source", tmp_path / "raw" / "new")
    assert len(kept) == 3

    arc("forget", "--source", tmp_path / "raw" / "old")
    assert articles(arc) == 6
    arc("forget", "--source", f"{dump}!m0021.html")
    assert articles(arc) == 5
    assert articles(arc, "--source", dump) == 2
    assert set(kept) <= set(export_ids(arc))
    # a folder that gave nothing is an error, and removes nothing
    arc("forget", "--source", tmp_path / "raw" / "nowhere", code=1)
    assert articles(arc) == 5


# --- (3) ingest --prune ------------------------------------------------------------------------


def test_prune_removes_only_vanished_files_of_the_given_inputs(arc, tmp_path):
    a = write_pages(tmp_path / "a", range(3))
    b = write_pages(tmp_path / "b", range(10, 13))
    arc("ingest", tmp_path / "a", tmp_path / "b")
    assert articles(arc) == 6
    a[0].unlink()
    b[0].unlink()  # b's file is gone too, but b is not given to the pruning ingest

    arc("ingest", tmp_path / "a", "--prune")
    assert articles(arc, "--source", tmp_path / "a") == 2
    assert articles(arc, "--source", tmp_path / "b") == 3
    assert articles(arc) == 5
    assert query_ids(arc, '"report number 0"') == []
    assert len(query_ids(arc, '"report number 10"')) == 1

    arc("ingest", tmp_path / "a")  # without --prune nothing goes
    assert articles(arc) == 5


def test_prune_of_a_dump_member(arc, tmp_path):
    dump = write_zip(tmp_path / "d.zip", range(4))
    write_pages(tmp_path / "other", range(30, 32))
    arc("ingest", dump, tmp_path / "other")
    write_zip(dump, range(1, 4))  # member m0000.html withdrawn
    arc("ingest", dump, "--prune")
    assert articles(arc, "--source", dump) == 3
    assert articles(arc) == 5


# --- (4) the deny list -------------------------------------------------------------------------


def test_blocked_article_stays_out_until_unblocked(arc, tmp_path):
    write_pages(tmp_path / "raw", range(3))
    arc("ingest", tmp_path / "raw")
    blocked = id_of(arc, 0)
    plain = id_of(arc, 1)
    arc("forget", blocked, "--block")
    arc("forget", plain)
    listed = jsonl(arc("forget", "--list", "--json").stdout)
    assert [entry["id"] for entry in listed] == [blocked]

    arc("ingest", tmp_path / "raw")
    ids = export_ids(arc)
    assert plain in ids  # forgotten without --block: read again, added again
    assert blocked not in ids
    assert articles(arc) == 2

    arc("ingest", tmp_path / "raw", "--rebuild")
    assert blocked not in export_ids(arc)

    arc("forget", "--unblock", blocked)
    assert jsonl(arc("forget", "--list", "--json").stdout) == []
    arc("ingest", tmp_path / "raw")
    assert blocked in export_ids(arc)
    assert articles(arc) == 3


# --- (5) --source and source: ------------------------------------------------------------------


def test_source_filter_on_query_export_stats(arc, tmp_path):
    write_pages(tmp_path / "raw" / "x", range(2))
    write_pages(tmp_path / "raw" / "xy", range(5, 8))  # a sibling that shares x's prefix
    dump = write_zip(tmp_path / "d.zip", range(10, 14))
    arc("ingest", tmp_path / "raw", dump)

    x = query_ids(arc, "delegations", "--source", tmp_path / "raw" / "x")
    assert len(x) == 2
    assert x == export_ids(arc, "--source", tmp_path / "raw" / "x")
    assert articles(arc, "--source", tmp_path / "raw" / "x") == 2
    assert articles(arc, "--source", tmp_path / "raw") == 5
    assert articles(arc, "--source", dump) == 4
    assert articles(arc, "--source", f"{dump}!m0012.html") == 1
    both = query_ids(arc, "delegations", "--source", tmp_path / "raw" / "x", "--source", dump)
    assert len(both) == 6

    in_dump = query_ids(arc, f'delegations AND source:"{dump}"')
    assert in_dump == export_ids(arc, "--source", dump)
    assert len(query_ids(arc, f'delegations NOT source:"{dump}"')) == 5
    one = export_ids(arc, f'source:"{dump}!m0012.html"')
    assert len(one) == 1 and one == query_ids(arc, '"report number 12"')
    assert export_ids(arc, "--source", tmp_path / "elsewhere") == []


# --- (6) the run log ---------------------------------------------------------------------------


def test_run_log_records_ingest_and_forget_runs(arc, tmp_path, tmp_index):
    write_pages(tmp_path / "raw", range(3))
    arc("ingest", tmp_path / "raw")
    arc("ingest", tmp_path / "raw")
    arc("forget", id_of(arc, 2))
    runs = jsonl(arc("stats", "--runs", "--json").stdout)
    assert [r["command"] for r in runs] == ["ingest", "ingest", "forget"]
    assert [r["status"] for r in runs] == ["ok", "ok", "ok"]
    assert runs[0]["counts"] == {"added": 3}
    assert runs[1]["counts"] == {"unchanged": 3}
    assert runs[0]["inputs"] == [str(tmp_path / "raw")]
    assert len(jsonl(arc("stats", "--runs", "2", "--json").stdout)) == 2

    human = arc("stats", "--runs").stdout
    assert human.count("ingest") >= 2 and "forget" in human
    assert "added 3" in human and "unchanged 3" in human


def test_sigkilled_ingest_leaves_an_unfinished_run(arc, tmp_path, tmp_index):
    write_pages(tmp_path / "raw", range(3))
    arc("ingest", tmp_path / "raw")
    write_pages(tmp_path / "big", range(100, 500))
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "archive", "ingest", str(tmp_path / "big"), "--index", tmp_index,
         "--jobs", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    log = Path(tmp_index) / "ingest-log.jsonl"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if log.read_text(encoding="utf-8").count('"start"') >= 2:
                break
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            time.sleep(0.02)
        else:
            pytest.fail("the ingest wrote no start line")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    runs = jsonl(arc("stats", "--runs", "--json").stdout)
    assert [r["status"] for r in runs] == ["ok", "unfinished"]
    assert runs[1]["inputs"] == [str(tmp_path / "big")]
    assert "unfinished" in arc("stats", "--runs").stdout
    arc("ingest", tmp_path / "raw")  # the log goes on after the killed run
    assert [r["status"] for r in jsonl(arc("stats", "--runs", "--json").stdout)] == [
        "ok", "unfinished", "ok",
    ]  # fmt: skip


def test_article_another_input_also_gives_is_kept(arc, tmp_path):
    write_pages(tmp_path / "a", range(2))
    write_pages(tmp_path / "b", range(1, 3))  # page 1 is in both folders
    arc("ingest", tmp_path / "a", tmp_path / "b")
    assert articles(arc) == 3
    shared = id_of(arc, 1)

    result = arc("forget", "--source", tmp_path / "a")
    assert "kept 1 article" in result.stderr
    assert sorted(export_ids(arc)) == sorted([shared, id_of(arc, 2)])
    (record,) = [r for r in jsonl(arc("export").stdout) if r["id"] == shared]
    assert record["source"].startswith(str(tmp_path / "b"))  # refiled under the input left
    assert articles(arc, "--source", tmp_path / "b") == 2

    (tmp_path / "b" / "p0001.html").unlink()
    arc("ingest", tmp_path / "a", tmp_path / "b", "--prune")
    assert id_of(arc, 1) == shared  # a/ still gives it, so b/ losing it prunes nothing
    assert articles(arc) == 3  # a/p0000 is read again: forgotten without --block
    assert articles(arc, "--source", tmp_path / "b") == 1
    assert articles(arc, "--source", tmp_path / "a") == 2  # the kept one refiled under a/
