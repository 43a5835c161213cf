"""Shared fixtures: a real whoosh index folder in tmp_path and a CLI runner.

`cli_run(*args)` runs the real `archive.cli.run` (the same error boundary as the console
script) with stdout and stderr captured separately.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def has_traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.stdout + self.stderr


@pytest.fixture
def cli_run():
    from archive.cli import run

    def _run(
        *args: str, input: str | None = None, env: dict | None = None, terminal=None
    ) -> CliResult:
        runner = CliRunner()
        exception = None
        with runner.isolation(input=input, env=env) as (out, err, _):
            try:
                code = run([str(a) for a in args], terminal=terminal)
            except SystemExit as exc:  # pragma: no cover - run() should not exit
                code = int(exc.code or 0)
            except Exception as exc:  # an internal bug: keep it visible in the result
                exception = exc
                err.write(traceback.format_exc().encode())
                code = 1
            stdout = out.getvalue().decode("utf-8", "replace")
            stderr = err.getvalue().decode("utf-8", "replace")
        return CliResult(code, stdout, stderr, exception)

    return _run


@pytest.fixture
def tmp_index(tmp_path: Path) -> str:
    """Path of a not-yet-created index folder inside tmp_path."""
    return str(tmp_path / "index")


# --- both engines ------------------------------------------------------------------------
#
# A module with `pytestmark = pytest.mark.usefixtures("engine")` runs every test once per
# engine: new indexes (IndexWriter without engine=) take that engine, and fixtures that build
# an index take `engine` as an argument and pass it on.

ENGINE_NAMES = ("whoosh", "tantivy")


@pytest.fixture(scope="session", params=ENGINE_NAMES)
def engine(request) -> str:
    if request.param == "tantivy":
        import sys

        try:
            import tantivy  # noqa: F401
        except ImportError:
            if sys.version_info >= (3, 11):  # the dev extra installs it there: a broken setup
                raise
            pytest.skip("tantivy has no wheel for Python 3.10 (the dev extra leaves it out)")
    return request.param


@pytest.fixture(autouse=True)
def _engine_default(request, monkeypatch):
    if "engine" in request.fixturenames:
        from archive import engines

        monkeypatch.setattr(engines, "DEFAULT_ENGINE", request.getfixturevalue("engine"))
    yield
