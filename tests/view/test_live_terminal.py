"""The live view on a terminal, in this process: frames drawn, keys read from a pty."""

from __future__ import annotations

import io
import logging
import os
from typing import TYPE_CHECKING

import anyio
import pytest
from rich.console import Console

from sandbox.runtime.rundir import RunDirectory
from sandbox.runtime.scheduler import Runtime
from sandbox.view.live import LiveView, PrintsToLog
from sandbox.view.logtail import LogTail

from .fakes import application
from .pace import REF

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

BLUEPRINT = f"""
[blueprint]
name = "pace"

[streamlets]
source = {{ class = "{REF}:Source" }}
sink = {{ class = "{REF}:Slow", config = {{ delay = 0.0 }} }}

[connections]
"source.out" = ["sink.in"]
"""
ALONE = f"""
[blueprint]
name = "alone"

[streamlets]
sink = {{ class = "{REF}:Slow" }}

[topics.ticks]
producers = []
consumers = ["sink.in"]
"""


class Screen(io.StringIO):
    """A terminal's output: what was written, and an event per write."""

    def __init__(self) -> None:
        super().__init__()
        self.written = anyio.Event()

    def write(self, text: str) -> int:
        self.written.set()
        return super().write(text)

    async def next_write(self) -> None:
        self.written = anyio.Event()
        await self.written.wait()


def runtime_of(tmp_path: Path, text: str) -> Runtime:
    path = tmp_path / "app.toml"
    path.write_text(text, encoding="utf-8")
    return Runtime(application(path), run_dir=RunDirectory(tmp_path / "run"))


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    runtime = runtime_of(tmp_path, BLUEPRINT)
    yield runtime
    runtime.run_dir.close()


@pytest.fixture
def pty() -> Iterator[tuple[int, int]]:
    master, slave = os.openpty()
    yield master, slave
    os.close(slave)


def test_printed_lines_go_to_the_log_pane_once_complete() -> None:
    tail = LogTail()
    out = PrintsToLog(tail, logging.WARNING)

    assert out.writable()
    assert out.write("one\ntw") == 6
    assert [line.text for line in tail.lines] == ["one"]
    print("o", file=out)

    assert [(line.level, line.text) for line in tail.lines] == [
        (logging.WARNING, "one"),
        (logging.WARNING, "two"),
    ]


async def test_the_view_draws_frames_and_answers_keys_from_the_terminal(
    runtime: Runtime, pty: tuple[int, int]
) -> None:
    master, slave = pty
    screen = Screen()
    console = Console(file=screen, width=80, height=24, force_terminal=True, color_system=None)
    view = LiveView(runtime, console, LogTail(), refresh_per_second=10, keys_fd=slave)

    with anyio.fail_after(2):
        async with anyio.create_task_group() as tg:
            tg.start_soon(view.run)
            await screen.next_write()  # the view is on
            os.write(master, b"2")
            while view.selected != "sink":
                await screen.next_write()  # a key redraws at once
            os.close(master)  # the terminal goes away: keys end, frames go on
            await screen.next_write()
            tg.cancel_scope.cancel()

    assert view.selected == "sink"
    assert "recent problems: none" in screen.getvalue()  # the panel of the selection


async def test_without_a_terminal_for_keys_the_view_only_draws(runtime: Runtime) -> None:
    screen = Screen()
    console = Console(file=screen, width=80, height=24, force_terminal=True, color_system=None)
    view = LiveView(runtime, console, LogTail(), keys_fd=None)

    with anyio.fail_after(2):
        async with anyio.create_task_group() as tg:
            tg.start_soon(view.run)
            await screen.next_write()
            tg.cancel_scope.cancel()

    assert "source" in screen.getvalue()
    assert "recent problems" not in screen.getvalue()


def test_keys_without_an_action_or_a_streamlet_change_nothing(runtime: Runtime) -> None:
    view = LiveView(runtime, Console(), LogTail())
    for key in ["x", "0", "9", "enter"]:
        view.press(key)
    assert (view.selected, view.quitting) == (None, False)


def test_without_edges_there_is_nothing_to_tap(tmp_path: Path) -> None:
    runtime = runtime_of(tmp_path, ALONE)
    view = LiveView(runtime, Console(), LogTail())
    view.press("1")
    view.press("t")
    view.press("e")
    frame = view.frame()
    runtime.run_dir.close()

    assert view.selected == "sink"
    assert frame.tap is None
