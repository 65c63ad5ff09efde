"""`python -m sandbox` is the `sandbox` command."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

import sandbox

# The file, not `-m`: pytest's import hook owns the package (it holds the plugin).
MAIN = Path(sandbox.__file__).with_name("__main__.py")


def test_python_m_sandbox_runs_the_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["sandbox", "--help"])
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(MAIN), run_name="__main__")
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert " Build, verify, run and test streaming applications of typed streamlets." in out
    for command in ["run", "verify", "graph", "describe", "new"]:
        assert f"│ {command} " in out
