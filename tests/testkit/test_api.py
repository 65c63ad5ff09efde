"""The public testkit API, and an example project that uses nothing else."""

from __future__ import annotations

import ast
import os
import tempfile
import types
from pathlib import Path

import pytest

import sandbox.testkit
from sandbox import Context, Inlet, Streamlet
from sandbox.testkit import run_streamlet

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").rglob("*.py"))


def test_all_is_complete_and_without_duplicates() -> None:
    public = {
        name
        for name, value in vars(sandbox.testkit).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"
    }
    assert public == set(sandbox.testkit.__all__)
    assert len(sandbox.testkit.__all__) == len(set(sandbox.testkit.__all__))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_example_project_uses_only_the_public_api(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = {
        node.module or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sandbox")
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.startswith("sandbox")
    }
    assert modules <= {"sandbox", "sandbox.testkit"}


class Keeper(Streamlet):
    """Writes each number to a file in its volume."""

    inlet = Inlet(int, name="in")

    async def run(self, ctx: Context[None]) -> None:
        async for n in self.inlet:
            (ctx.volume("data") / f"{n}.txt").write_text(str(n))


def _files(run: Path) -> dict[str, bool]:
    """What exists after the runs (sync: file checks do not belong on the event loop)."""
    return {
        "kept volume": (run / "volumes" / "keeper" / "data" / "2.txt").exists(),
        "kept events": (run / "events.jsonl").exists(),
        "kept metrics": (run / "metrics.json").exists(),
        "temporary volumes": any(Path(tempfile.gettempdir()).glob(f"sandbox-test-{os.getpid()}-*")),
    }


async def test_volumes_are_temporary_unless_a_run_dir_is_given(tmp_path: Path) -> None:
    await run_streamlet(Keeper, inputs={"in": [1]})
    kept = await run_streamlet(Keeper, inputs={"in": [2]}, run_dir=tmp_path / "run")
    assert _files(tmp_path / "run") == {
        "kept volume": True,
        "kept events": True,
        "kept metrics": True,
        "temporary volumes": False,
    }
    assert [e["event"] for e in kept.events][:1] == ["started"]
