"""The pytest plugin: fixtures, the timeout option, Struct diffs, both asyncio modes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

from sandbox.testkit import DEFAULT_TIMEOUT, FakeClock, Runner

from .streamlets import double

if TYPE_CHECKING:
    from pathlib import Path


def test_fake_clock_fixture_is_a_manual_clock_at_zero(fake_clock: FakeClock) -> None:
    assert (fake_clock.now(), fake_clock.autojump) == (0.0, False)


def test_runner_fixture_has_the_default_timeout(sandbox_runner: Runner) -> None:
    assert sandbox_runner.timeout == DEFAULT_TIMEOUT
    assert repr(sandbox_runner) == "Runner(timeout=2)"


@pytest.mark.sandbox(timeout=0.25)
def test_the_sandbox_marker_sets_the_timeout(sandbox_runner: Runner) -> None:
    assert sandbox_runner.timeout == 0.25


async def test_the_runner_runs_streamlets(sandbox_runner: Runner) -> None:
    result = await sandbox_runner.run_streamlet(double, inputs={"in": [1, 2]})
    assert result["out"] == [2, 4]
    async with sandbox_runner.open_streamlet(double) as probe:
        await probe.send("in", 3)
        await probe.expect("out", 6)


_USER_TESTS = """
import msgspec
import pytest

from sandbox import processor
from sandbox.testkit import FakeClock, Runner


class Point(msgspec.Struct, frozen=True):
    x: int
    y: int


@processor
def swap(p: Point) -> Point:
    return Point(p.y, p.x)


@pytest.mark.asyncio
async def test_runner_and_clock(sandbox_runner: Runner, fake_clock: FakeClock) -> None:
    points = {"in": [Point(1, 2)]}
    result = await sandbox_runner.run_streamlet(swap, clock=fake_clock, inputs=points)
    assert result["out"] == [Point(2, 1)]


@pytest.mark.asyncio
async def test_probe(sandbox_runner: Runner) -> None:
    async with sandbox_runner.open_streamlet(swap) as probe:
        await probe.send("in", Point(3, 4))
        await probe.expect("out", Point(4, 3))


def test_struct_diff() -> None:
    assert Point(1, 2) == Point(1, 3)
"""


@pytest.mark.slow
@pytest.mark.timeout(60)  # a fresh pytest process starts in one to three seconds
@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_plugin_works_in_both_asyncio_modes(tmp_path: Path, mode: str) -> None:
    (tmp_path / "test_user.py").write_text(textwrap.dedent(_USER_TESTS), encoding="utf-8")
    command = [
        sys.executable, "-m", "pytest", "-p", "asyncio", f"--asyncio-mode={mode}",
        "-o", "asyncio_default_fixture_loop_scope=function", "-p", "no:cacheprovider",
        "-W", "error", "-q", "test_user.py",
    ]  # fmt: skip
    run = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert "1 failed, 2 passed" in run.stdout, run.stdout + run.stderr
    assert "Differing fields:" in run.stdout
    assert "Point.y: left 2, right 3" in run.stdout
