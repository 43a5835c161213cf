"""Terminal output (issue 15): wrapping to the width, bidi isolates only on a tty, the pager."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

from archive import render
from archive.index import upsert_articles
from archive.models import Article, Hit
from archive.render import FSI, PDI, Terminal

ANSI = re.compile(r"\x1b\[[0-9;]*m")
ISOLATES = re.compile("[\u2066-\u2069]")
FA_TITLE = "گفت‌وگوهای هسته‌ای در وین ادامه دارد"
FA_SNIPPET = (
    "هیئت‌های ایران و آژانس بین‌المللی انرژی اتمی روز دوشنبه در وین دیدار کردند و درباره "
    "تحریم‌ها، تجارت و اقتصاد منطقه گفت‌وگو کردند؛ این دور از مذاکرات تا پایان هفته ادامه دارد"
)
EN_SNIPPET = " ".join(f"word{i}" for i in range(60))


def fa_hit() -> Hit:
    return Hit(
        rank=1, id="fa00112233445566", title=FA_TITLE, score=1.0, lang="fa",
        source="raw/fa.html", site="ipis.ir", authors=["سارا خاکپور"],
        date=dt.date(2025, 1, 20), date_jalali="1403-11-01", snippet=FA_SNIPPET,
    )  # fmt: skip


def en_hit() -> Hit:
    return Hit(
        rank=2, id="en00112233445566", title="Talks " * 30, score=1.0, lang="en",
        source="raw/en.html", site="example.com", authors=["Sara Khakpoor"],
        date=dt.date(2025, 2, 1), snippet=EN_SNIPPET, highlights=[(0, 5)],
    )  # fmt: skip


def widths(text: str) -> list[int]:
    return [render.display_width(ANSI.sub("", line)) for line in text.splitlines()]


def words(text: str) -> list[str]:
    return [w.strip("[]") for w in ISOLATES.sub("", ANSI.sub("", text)).split() if w != "·"]


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_detect_reads_isatty_of_the_stream() -> None:
    assert Terminal.detect(FakeTty(), color=False).is_tty
    assert Terminal.detect(FakeTty(), color=False).width is not None
    piped = Terminal.detect(io.StringIO())
    assert (piped.is_tty, piped.width, piped.color) == (False, None, False)


@pytest.mark.parametrize("width", [40, 60, 100])
def test_hits_wrap_to_the_terminal_width(width: int) -> None:
    terminal = Terminal(width=width, is_tty=True, color=False)
    for hit in (en_hit(), fa_hit()):
        text = render.format_hit(hit, terminal=terminal)
        assert max(widths(text)) <= width, text
        assert len(text.splitlines()) > 3  # it did wrap
        # no word lost or split by the wrapping (a field break drops its " · ")
        assert words(text) == words(render.format_hit(hit))


def test_hits_are_not_wrapped_in_a_pipe() -> None:
    text = render.format_hit(en_hit(), terminal=Terminal(width=None, is_tty=False))
    assert len(text.splitlines()) == 3
    assert EN_SNIPPET.split()[-1] in text.splitlines()[2]


def test_bidi_isolates_only_on_a_terminal() -> None:
    tty = render.format_hit(fa_hit(), terminal=Terminal(width=60, is_tty=True))
    assert FSI in tty and PDI in tty
    assert tty.count(FSI) == tty.count(PDI)
    for line in tty.splitlines():  # each isolate is closed on its own line
        assert line.count(FSI) == line.count(PDI), line
    assert "ipis.ir" in tty and f"{FSI}ipis.ir" not in tty  # Latin fields left alone
    english = render.format_hit(en_hit(), terminal=Terminal(width=60, is_tty=True))
    assert not ISOLATES.search(english)
    for terminal in (Terminal(width=60, is_tty=False), Terminal(), None):
        assert not ISOLATES.search(render.format_hit(fa_hit(), terminal=terminal))
    assert not ISOLATES.search(render.hit_to_json(fa_hit()))


def test_article_wraps_and_isolates_on_a_terminal_only() -> None:
    article = Article(
        id="fa00112233445566", title=FA_TITLE, body=FA_SNIPPET + "\n\n" + EN_SNIPPET,
        lang="fa", source="raw/fa.html", site="ipis.ir", authors=["سارا خاکپور"],
    )  # fmt: skip
    tty = render.format_article(article, terminal=Terminal(width=40, is_tty=True))
    assert max(widths(tty)) <= 40
    assert FSI in tty
    plain = render.format_article(article, terminal=Terminal())
    assert not ISOLATES.search(plain)
    assert FA_SNIPPET in plain  # one unbroken line in a pipe
    assert not ISOLATES.search(render.article_to_json(article))


def test_scraped_isolates_do_not_unbalance_ours() -> None:
    hit = fa_hit()
    hit.title = f"{PDI}{PDI}{FA_TITLE}\u202e"
    tty = render.format_hit(hit, terminal=Terminal(width=60, is_tty=True))
    assert "\u202e" not in tty
    for line in tty.splitlines():
        assert line.count(FSI) == line.count(PDI), line


# --- through the CLI: a pipe gets no isolates; `show` uses $PAGER on a (pseudo) terminal -------


@pytest.fixture(scope="module")
def fa_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = str(tmp_path_factory.mktemp("term") / "index")
    article = Article(
        id="fa00112233445566", title=FA_TITLE, body=FA_SNIPPET, lang="fa",
        source="raw/fa.html", site="ipis.ir", authors=["سارا خاکپور"],
    )  # fmt: skip
    upsert_articles(folder, [article])
    return folder


def test_cli_pipe_and_json_have_no_isolates(cli_run, fa_index) -> None:
    for args in (["query", "وین"], ["query", "وین", "--json"], ["show", "fa0011223344"]):
        result = cli_run(*args, "--index", fa_index)
        assert result.exit_code == 0, result.stderr
        assert "ipis.ir" in result.stdout
        assert not ISOLATES.search(result.stdout), args
    hit = json.loads(cli_run("query", "وین", "--index", fa_index, "--json").stdout)
    assert hit["title"] == FA_TITLE


@pytest.mark.parametrize("command", [["query", "وین"], ["show", "fa0011223344", "--no-pager"]])
def test_cli_draws_for_the_terminal_it_is_given(cli_run, fa_index, command) -> None:
    narrow = Terminal(width=40, is_tty=True, color=False)
    result = cli_run(*command, "--index", fa_index, terminal=narrow)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(render.display_width(line) for line in lines) <= 40
    assert any(FSI in line and PDI in line for line in lines)  # the Persian title, isolated
    assert not ANSI.search(result.stdout)
    wide = cli_run(*command, "--index", fa_index, terminal=Terminal(width=200, is_tty=True))
    assert max(render.display_width(line) for line in wide.stdout.splitlines()) > 40


def _run_on_pty(args: list[str], env: dict[str, str]) -> str:
    """Run `python -m archive ARGS` with stdin/stdout on a pseudo terminal; return its output."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "archive", *args],
        stdin=follower, stdout=follower, stderr=subprocess.PIPE, env=env, close_fds=True,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 20)
        if not ready:
            proc.kill()
            pytest.fail("no output from the command on the pty")
        try:
            data = os.read(leader, 65536)
        except OSError:  # the follower side closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=20) == 0, proc.stderr.read().decode() if proc.stderr else ""
    return b"".join(chunks).decode("utf-8", "replace")


def test_show_goes_through_the_pager_on_a_terminal(fa_index, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    env = dict(os.environ, PAGER=f"tee {paged}", COLUMNS="40", LINES="24")
    out = _run_on_pty(["show", "fa0011223344", "--index", fa_index], env)
    text = paged.read_text(encoding="utf-8")
    assert FSI in text and "ipis.ir" in text  # the terminal form went to the pager
    assert max(widths(text)) <= 40
    assert "ipis.ir" in out

    paged.unlink()
    out = _run_on_pty(["show", "fa0011223344", "--no-pager", "--index", fa_index], env)
    assert not paged.exists()
    assert FSI in out and "ipis.ir" in out
