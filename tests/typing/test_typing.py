"""Strict mypy accepts check_ports.py, so the public generics are what it pins."""

from __future__ import annotations

from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api", reason="mypy comes with the lint dependency group")

ROOT = Path(__file__).resolve().parents[2]
CHECKS = Path(__file__).with_name("check_ports.py")


@pytest.mark.slow
@pytest.mark.timeout(60)  # a few seconds with a cold cache, well under one with a warm one
def test_public_generics_type_check_as_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the project's cache and import paths, as `make typecheck` has
    # --strict even if the config relaxes: its unused-ignore warnings prove expected errors
    args = ["--config-file", str(ROOT / "pyproject.toml"), "--strict", str(CHECKS)]
    stdout, stderr, status = mypy_api.run(args)
    assert (stdout, stderr, status) == ("Success: no issues found in 1 source file\n", "", 0)
