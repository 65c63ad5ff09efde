"""The example blueprints verify clean; each broken one gives exactly its documented codes."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from sandbox import verify

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "blueprints").iterdir())
BROKEN = sorted((ROOT / "tests" / "broken").iterdir())
_EXPECT = re.compile(r"^# expect: (.*)$", re.MULTILINE)
_ITEM = re.compile(r"^([a-z-]+)(?:\*(\d+))?$")


def expected_codes(path: Path) -> Counter[str]:
    """The codes a `# expect: code, code*2` header lists, with their multiplicity."""
    items = [item.strip() for line in _EXPECT.findall(path.read_text()) for item in line.split(",")]
    assert items, f"{path.name} has no '# expect:' header"
    counts: Counter[str] = Counter()
    for item in items:
        match = _ITEM.match(item)
        assert match, f"{path.name}: cannot read {item!r} in the expect header"
        counts[match[1]] += int(match[2] or 1)
    return counts


def test_there_are_examples_in_both_formats() -> None:
    assert {p.suffix for p in EXAMPLES} >= {".toml", ".yaml"}
    assert {p.suffix for p in BROKEN} >= {".toml", ".yaml"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_blueprint_verifies_clean(path: Path) -> None:
    report = verify(path)
    assert report.diagnostics == ()
    assert report.application is not None
    assert set(report.application.instances) == set(report.application.blueprint.streamlets)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_blueprint_gives_exactly_its_documented_codes(path: Path) -> None:
    report = verify(path)
    assert Counter(d.code for d in report.diagnostics) == expected_codes(path)
