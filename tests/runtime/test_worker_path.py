"""What a process worker is told about `sys.path`, and which executor each kind gets."""

from __future__ import annotations

import json
import json.decoder
import sys
from pathlib import Path

import pytest

from sandbox.runtime.kinds import (
    AsyncExecutor,
    ThreadExecutor,
    _add_to_path,
    _import_root,
    executor_for,
)

from .apps import Relay, double

STDLIB = str(Path(json.__file__).resolve().parents[1])


@pytest.mark.parametrize(
    ("module", "root"),
    [("json", STDLIB), ("json.decoder", STDLIB), ("sys", None), ("not.imported", None)],
    ids=["package", "submodule", "builtin", "not-imported"],
)
def test_import_root_is_the_path_entry_a_module_came_from(module: str, root: str | None) -> None:
    assert _import_root(module) == root


def test_a_worker_puts_the_root_first_on_its_path_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", ["/a", "/b"])

    _add_to_path("/c")
    _add_to_path("/c")
    _add_to_path("/b")
    _add_to_path(None)

    assert sys.path == ["/c", "/a", "/b"]


def test_process_kind_is_for_function_streamlets_only() -> None:
    assert isinstance(executor_for("thread", Relay), ThreadExecutor)
    assert isinstance(executor_for("process", Relay), AsyncExecutor)
    assert isinstance(executor_for("async", double), AsyncExecutor)
