"""The README's testing chapter shows the five tests of test_five.py verbatim."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sandbox.testkit import TestkitTimeoutError, open_streamlet

from . import test_five
from .streamlets import double

DOCS = Path(__file__).resolve().parents[2] / "README.md"
FIVE = Path(test_five.__file__)


def _blocks(language: str) -> list[str]:
    """The fenced code blocks of the docs in `language` ("" for plain ones)."""
    blocks: list[str] = []
    current: list[str] | None = None
    lang = ""
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if line.startswith("```") and current is None:
            current, lang = [], line[3:]
        elif line == "```" and current is not None:
            if lang == language:
                blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def _functions(source: str) -> dict[str, str]:
    tree = ast.parse(source)
    return {
        node.name: ast.get_source_segment(source, node) or ""
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_the_docs_show_the_tested_functions_verbatim() -> None:
    shown: dict[str, str] = {}
    for block in _blocks("python"):
        try:
            shown.update(_functions(block))
        except SyntaxError:  # an excerpt, not a module
            continue
    tested = _functions(FIVE.read_text(encoding="utf-8"))
    assert {name: shown.get(name) for name in tested} == tested


def test_the_five_tests_are_under_ten_lines() -> None:
    tested = _functions(FIVE.read_text(encoding="utf-8"))
    lengths = {
        name: len(text.splitlines()) for name, text in tested.items() if name.startswith("test_")
    }
    assert len(lengths) == 5
    assert max(lengths.values()) < 10, lengths


async def test_the_timeout_message_the_docs_show() -> None:
    [expected] = [b for b in _blocks("") if b.startswith("open_streamlet(double) timed out")]
    async with open_streamlet(double, demand={"out": 0}, timeout=0.05) as probe:
        await probe.send_many("in", [1, 2])
        with pytest.raises(TestkitTimeoutError) as caught:
            await probe.receive("out")
        probe.demand("out", None)
    assert str(caught.value) == expected.replace("after 2 s", "after 0.05 s")
