"""Keys of the live view: selection, taps, quitting; its frames show what keys chose."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio
import pytest
from rich.console import Console

from sandbox.runtime.api import run_async
from sandbox.runtime.rundir import RunDirectory
from sandbox.runtime.scheduler import Runtime
from sandbox.transports.channels import Writer
from sandbox.view.frame import Frame
from sandbox.view.live import LiveView
from sandbox.view.logtail import LogTail

from .fakes import application
from .pace import REF, Tick

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

BLUEPRINT = f"""
[blueprint]
name = "pace"

[streamlets]
source = {{ class = "{REF}:Source" }}
relay = "{REF}:relay"
sink = {{ class = "{REF}:Slow", config = {{ delay = 0.0 }} }}

[connections]
"source.out" = ["relay.in"]
"relay.out" = ["sink.in"]
"""


@pytest.fixture
def blueprint(tmp_path: Path) -> Path:
    path = tmp_path / "pace.toml"
    path.write_text(BLUEPRINT, encoding="utf-8")
    return path


@pytest.fixture
def view(blueprint: Path, tmp_path: Path) -> Iterator[LiveView]:
    runtime = Runtime(application(blueprint), run_dir=RunDirectory(tmp_path / "run"))
    yield LiveView(runtime, Console(), LogTail())
    runtime.run_dir.close()


def test_tab_arrows_and_digits_select_streamlets_in_drawing_order(view: LiveView) -> None:
    assert view.order == ["source", "relay", "sink"]
    chosen = []
    for key in ["tab", "tab", "shift-tab", "3", "right", "left", "up", "down", "esc", "9"]:
        view.press(key)
        chosen.append(view.selected)
    assert chosen == [
        "source", "relay", "source", "sink", "source", "sink", "relay", "sink", None, None,
    ]  # fmt: skip


async def test_t_taps_the_selected_outlet_and_e_cycles_edges(view: LiveView) -> None:
    view.press("2")
    view.press("t")
    writer = view.runtime.slots["relay"][0].outlets["out"]
    assert isinstance(writer, Writer)
    await writer.send_many([Tick(n=i, label="x") for i in range(3)])
    await writer.flush()

    frame = view.frame()
    assert frame.tap is not None
    assert frame.tap.title == "relay.out: relay.out → sink.in"
    assert list(frame.tap.records) == [Tick(n=i, label="x") for i in range(3)]
    console = Console(record=True, width=80, height=24, color_system=None)
    console.print(Frame(frame))
    assert " Tick(n=2, label='x')" in console.export_text()

    view.press("e")
    frame = view.frame()
    assert frame.tap is not None
    assert frame.tap.title == "source.out: source.out → relay.in"
    view.press("esc")
    assert view.frame().tap is None
    assert view.selected == "relay"
    assert len(writer.routes) == 1  # untapped


async def test_t_on_an_egress_taps_what_feeds_it(view: LiveView) -> None:
    view.press("3")
    view.press("t")
    frame = view.frame()
    assert frame.tap is not None
    assert frame.tap.title == "relay.out: relay.out → sink.in"


async def test_q_stops_the_run_gracefully_as_sigint_does(blueprint: Path, tmp_path: Path) -> None:
    views: list[LiveView] = []

    def on_start(runtime: Runtime) -> None:
        views.append(LiveView(runtime, Console(), LogTail()))
        event = runtime.run_dir.event

        def watch(name: str, streamlet: str | None = None, **fields: object) -> None:
            event(name, streamlet, **fields)
            if name == "started":
                views[0].press("q")

        runtime.run_dir.event = watch  # type: ignore[method-assign, assignment]  # the test's hook

    with anyio.fail_after(2):
        result = await run_async(blueprint, run_dir=tmp_path / "run", on_start=on_start)

    assert views[0].quitting
    assert result.state == "stopped"
    assert result.undelivered == 0
    assert result.statistics.streamlets["sink"].records_in == {
        "in": result.statistics.streamlets["source"].records_out["out"]
    }
