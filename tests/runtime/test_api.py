"""The entry points `run` and `run_async`: blocking runs, refused blueprints, signals."""

from __future__ import annotations

import os
import re
import signal
from typing import TYPE_CHECKING

import anyio
import pytest

from sandbox import BlueprintError, Context, Outlet, Streamlet, egress
from sandbox.runtime.api import run, run_async

from .apps import events, write_blueprint

if TYPE_CHECKING:
    from pathlib import Path


class Deaf(Streamlet):
    """An ingress that ignores the stop: it interrupts the run twice, the second time after it."""

    out = Outlet(int)

    async def run(self, ctx: Context[None]) -> None:
        await self.out.send(1)
        os.kill(os.getpid(), signal.SIGINT)
        await ctx.stopping.wait()
        os.kill(os.getpid(), signal.SIGINT)
        await anyio.sleep_forever()


@egress
def drain(n: int) -> None:
    """Takes each number."""


def test_run_blocks_until_the_application_completes(tmp_path: Path) -> None:
    app = write_blueprint(
        tmp_path,
        """
[streamlets]
source = "fixtures.streamlets:Source"
sink = "fixtures.streamlets:Sink"
[connections]
"source" = ["sink"]
""",
    )
    result = run(app, run_dir=tmp_path / "run")

    assert (result.state, result.ok, result.undelivered) == ("completed", True, 0)
    assert result.statistics.streamlets["sink"].records_in == {"in": 1}
    assert result.run_dir == str(tmp_path / "run")


async def test_a_blueprint_with_errors_starts_nothing(tmp_path: Path) -> None:
    app = write_blueprint(tmp_path, '[streamlets]\nsource = "fixtures.streamlets:Nowhere"\n')
    with pytest.raises(
        BlueprintError,
        match=(
            rf"^{re.escape(str(app))}:5:1 \[streamlet-not-found\] source: module"
            r" 'fixtures.streamlets' has no streamlet 'Nowhere'\n"
        ),
    ):
        await run_async(app, run_dir=tmp_path / "run")
    assert not (tmp_path / "run").exists()


async def test_a_second_interrupt_cancels_a_run_that_does_not_stop(tmp_path: Path) -> None:
    module = __name__
    app = write_blueprint(
        tmp_path,
        f"""
[streamlets]
deaf = "{module}:Deaf"
drain = "{module}:drain"
[connections]
"deaf" = ["drain"]
""",
    )
    with anyio.fail_after(2):
        result = await run_async(app, run_dir=tmp_path / "run", handle_signals=True)

    assert result.state == "cancelled"
    assert result.statistics.streamlets["drain"].records_in == {"in": 1}
    trail = [e["event"] for e in events(tmp_path / "run")]
    assert trail.index("stopping") < trail.index("cancelling")
    assert trail[-1] == "cancelled"
