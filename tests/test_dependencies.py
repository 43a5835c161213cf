"""Every declared runtime dependency is imported by the product (issue 13: no dead dependencies)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# distribution name -> the module it installs, where the two differ
_MODULES = {"whoosh-reloaded": "whoosh", "beautifulsoup4": "bs4"}


def _runtime_dependencies() -> list[str]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^dependencies\s*=\s*\[(.*?)^\]", text, re.S | re.M)
    assert block, "no [project] dependencies in pyproject.toml"
    names = re.findall(r'^\s*"([A-Za-z0-9_.\-]+)', block.group(1), re.M)
    assert names
    return names


@pytest.mark.parametrize("distribution", _runtime_dependencies())
def test_each_runtime_dependency_is_imported_by_the_product(distribution):
    module = _MODULES.get(distribution, distribution.replace("-", "_").lower())
    pattern = re.compile(rf"^\s*(?:import|from)\s+{re.escape(module)}\b", re.M)
    sources = (ROOT / "src" / "archive").rglob("*.py")
    assert any(pattern.search(path.read_text(encoding="utf-8")) for path in sources), (
        f"{distribution} is declared in pyproject.toml but src/archive never imports {module}"
    )
