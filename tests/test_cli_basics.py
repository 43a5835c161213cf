from __future__ import annotations

import subprocess
import sys

import pytest

from archive import __version__

pytestmark = pytest.mark.usefixtures("engine")  # both engines (conftest.py)


def test_version(cli_run):
    result = cli_run("--version")
    assert result.exit_code == 0, result.stderr
    assert __version__ in result.stdout


def test_unknown_command_is_usage_error(cli_run):
    result = cli_run("frobnicate")
    assert result.exit_code == 2
    assert not result.has_traceback
    assert "frobnicate" in result.stderr


def test_python_dash_m_runs():
    proc = subprocess.run(
        [sys.executable, "-m", "archive", "--version"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert __version__ in proc.stdout


def test_click_usage_errors_are_one_line(cli_run):
    result = cli_run("query", "--limit")
    assert result.exit_code == 2
    assert not result.has_traceback
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "--limit" in lines[0] and "archive query --help" in lines[0]


@pytest.mark.parametrize(
    ("args", "prefix"),
    [
        (("ingest", "--jobs", "many"), "archive: --jobs: "),
        (("query", "x", "--lang", "de"), "archive: --lang: "),
        (("query", "x", "--from", "2025-13-45"), "archive: --from: not a valid date"),
    ],
)
def test_bad_option_values_are_one_line_naming_the_option(cli_run, tmp_index, args, prefix):
    result = cli_run(*args, "--index", tmp_index)
    assert result.exit_code == 2
    assert not result.has_traceback
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(prefix), result.stderr


def test_cli_choices_are_the_library_ones_and_need_no_whoosh():
    # One list each, in models.py: the CLI offers what search/ and render.py accept, and
    # reading them does not import whoosh (`archive --help` stays fast).
    import click

    from archive import cli, models

    choices = {
        param.name: tuple(param.type.choices)
        for command in (cli.query_command, cli.export_command)
        for param in command.params
        if isinstance(param.type, click.Choice)
    }
    assert choices == {"lang": models.LANGUAGES, "sort": models.SORTS, "fmt": models.EXPORT_FORMATS}
    code = "import sys, archive.cli; print(sorted(m for m in sys.modules if m == 'whoosh'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
