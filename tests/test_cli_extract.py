"""`archive extract PATH... [--json]`: output, failures on stderr, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("engine")  # both engines (conftest.py)


PAGES = Path(__file__).parent / "fixtures" / "pages"


def test_human_output_shows_every_field(cli_run):
    result = cli_run("extract", PAGES / "en_seed_ipis.html")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    for label in (
        "title:",
        "authors:",
        "date:",
        "lang:",
        "site:",
        "url:",
        "id:",
        "source:",
        "encoding:",
        "summary:",
        "tags:",
        "warnings:",
        "body:",
    ):
        assert label in out
    assert "Oman and Iran widen maritime cooperation" in out
    assert "Behzad khakpoor" in out
    assert "2025-02-01 (Solar Hijri 1403-11-13)" in out
    assert "fifth of the world's oil" in out


def test_json_lines(cli_run, tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("fa_thinktank_hijri.html", "jsonld_news_heavy.html"):
        shutil.copy(PAGES / name, folder / name)
    result = cli_run("extract", folder, "--json")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["title"] for r in records] == [
        "نگاه به شرق و همکاری‌های اقتصادی",
        "Shipping insurers raise Gulf premiums",
    ]
    assert records[0]["date"] == "2025-01-31" and records[0]["date_jalali"] == "1403-11-12"
    assert records[1]["authors"] == ["Sara Ahmadi", "John O'Neill"]
    assert "نگاه" in result.stdout  # ensure_ascii=False


def test_failures_are_one_line_each_and_exit_3(cli_run, tmp_path):
    folder = tmp_path / "mixed"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(PAGES / "bom_utf8.html", folder / "good.html")
    shutil.copy(PAGES / "empty.html", folder / "sub" / "empty.html")
    shutil.copy(PAGES / "binary_junk.html", folder / "sub" / "junk.htm")
    (folder / "notes.md").write_text("not a page: skipped")
    result = cli_run("extract", folder, tmp_path / "missing.html", "--json")
    assert result.exit_code == 3
    assert not result.has_traceback
    assert len(result.stdout.splitlines()) == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 3
    assert any(line.endswith("empty.html: empty file") for line in errors)
    assert any("junk.htm: " in line and "not HTML" in line for line in errors)
    assert any("missing.html: no such file or folder" in line for line in errors)


def test_control_chars_and_bidi_overrides_never_reach_the_terminal(cli_run):
    result = cli_run("extract", PAGES / "hostile_strings.html")
    assert result.exit_code == 0, result.stderr
    for bad in ("\x1b", "\u202e", "\x07"):
        assert bad not in result.stdout
    assert "Evil" in result.stdout


def test_no_path_is_a_usage_error(cli_run):
    result = cli_run("extract")
    assert result.exit_code == 2
    assert not result.has_traceback


def test_help_has_an_example(cli_run):
    result = cli_run("extract", "--help")
    assert result.exit_code == 0
    assert "archive extract raw/" in result.stdout


def test_zip_dump_members_are_extracted_with_their_location(cli_run, tmp_path):
    import zipfile

    dump = tmp_path / "dump.zip"
    with zipfile.ZipFile(dump, "w") as archive:
        archive.writestr("site/a.html", (PAGES / "cp1256_undeclared.html").read_bytes())
        archive.writestr("site/b.html", (PAGES / "plain_text.html").read_bytes())
    result = cli_run("extract", dump, "--json")
    assert result.exit_code == 3
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["source"] for r in records] == [f"{dump}!site/a.html"]
    assert records[0]["title"] == "گزارش همكاري‌هاي منطقه‌اي"  # as the windows-1256 page writes it
    assert result.stderr.strip().startswith(f"{dump}!site/b.html: ")
