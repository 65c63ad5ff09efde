"""The public API: one curated, sorted `sandbox.__all__`, and examples that use only it."""

from __future__ import annotations
import __future__

import ast
import types
from pathlib import Path

import pytest

import sandbox

ROOT = Path(__file__).resolve().parents[1]


def test_all_is_sorted_without_duplicates() -> None:
    assert sandbox.__all__ == sorted(set(sandbox.__all__))


def test_all_is_complete() -> None:
    public = {
        name
        for name, value in vars(sandbox).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        # `from __future__ import annotations` leaves a feature object behind
        and not isinstance(value, __future__._Feature)
    }
    assert public == set(sandbox.__all__)


@pytest.mark.parametrize("name", sandbox.__all__)
def test_every_public_name_imports_from_sandbox(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from sandbox import {name}", namespace)
    assert namespace[name] is getattr(sandbox, name)


def test_no_two_public_names_are_the_same_object() -> None:
    objects = [id(getattr(sandbox, name)) for name in sandbox.__all__]
    assert len(set(objects)) == len(objects)


@pytest.mark.parametrize("path", sorted((ROOT / "streamlets").glob("*.py")), ids=lambda p: p.name)
def test_example_streamlets_use_only_the_public_api(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    private = [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sandbox.")
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.startswith("sandbox.")
    ]
    assert private == []
