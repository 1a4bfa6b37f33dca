"""docs/compatibility.md stays honest: every item has one of its four statuses, and every test
and fixture it names exists (a renamed or deleted test fails here, not silently in the doc)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "compatibility.md").read_text(encoding="utf-8")
STATUSES = ("compatible", "extended", "deliberately different", "open")


def item_rows() -> list[tuple[str, str]]:
    rows = []
    for line in DOC.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) == 2 and cells != ["item", "status"] and not set(cells[0]) <= {"-"}:
            rows.append((cells[0], cells[1]))
    return rows


def test_every_item_has_one_of_the_four_statuses():
    rows = item_rows()
    assert len(rows) > 40
    assert [item for item, status in rows if not status.startswith(STATUSES)] == []


def test_every_test_and_fixture_the_page_names_exists():
    named = set(re.findall(r"`(tests/[^`\s]+)`", DOC))
    assert named
    assert sorted(path for path in named if not list(ROOT.glob(path))) == []  # a glob names at least one
    for short in set(re.findall(r"`(test_\w+\.py)`", DOC)):
        assert list(ROOT.glob(f"tests/**/{short}")), short


def test_every_conformance_module_is_on_the_page():
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests" / "conformance").glob("test_*.py")}
    assert sorted(m for m in modules if f"`{m}`" not in DOC) == []
