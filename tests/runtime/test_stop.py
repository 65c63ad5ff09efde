"""A graceful stop by SIGINT drains everything an ingress sent, in a real `sandbox run`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from typing import TYPE_CHECKING

import anyio
import pytest
from anyio.streams.text import TextReceiveStream

from .apps import events, write_blueprint

if TYPE_CHECKING:
    from pathlib import Path

MODULE = '''
from __future__ import annotations

import anyio
import msgspec

from sandbox import Context, Inlet, Outlet, Streamlet, processor


class Tick(msgspec.Struct, frozen=True):
    n: int


class Ticks(Streamlet):
    """Sends ticks until stopping."""

    out = Outlet(Tick)

    async def run(self, ctx: Context[None]) -> None:
        n = 0
        while not ctx.stopping.is_set():
            await self.out.send(Tick(n))
            n += 1
            await anyio.sleep(0)


@processor
def double(tick: Tick) -> Tick:
    return Tick(tick.n * 2)


class Tally(Streamlet):
    """Checks the order and logs once it has seen 200 ticks."""

    inlet = Inlet(Tick, name="in")

    async def run(self, ctx: Context[None]) -> None:
        expected = 0
        async for tick in self.inlet:
            assert tick.n == expected, (tick, expected)
            expected += 2
            if expected == 400:
                ctx.logger.info("tallied 200 ticks")
            for _ in range(3):  # slower than the ticks: the buffers fill up
                await anyio.sleep(0)
'''


@pytest.mark.slow
@pytest.mark.timeout(30)
async def test_sigint_stops_gracefully_and_delivers_everything_sent(tmp_path: Path) -> None:
    module = f"stop_{uuid.uuid4().hex}"
    (tmp_path / f"{module}.py").write_text(MODULE, encoding="utf-8")
    app = write_blueprint(
        tmp_path,
        f"""
[streamlets]
ticks = "{module}:Ticks"
double = "{module}:double"
tally = "{module}:Tally"

[topics.ticks]
producers = ["ticks"]
consumers = ["double"]
capacity = 64

[topics.doubled]
producers = ["double"]
consumers = ["tally"]
capacity = 16
""",
    )
    run_dir, metrics = tmp_path / "run", tmp_path / "metrics.json"
    command = [
        sys.executable, "-m", "sandbox", "run", str(app), "--no-view",
        "--run-dir", str(run_dir), "--metrics-json", str(metrics),
    ]  # fmt: skip
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    stderr = ""
    with anyio.fail_after(25):
        async with await anyio.open_process(
            command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ) as process:
            assert process.stderr is not None
            assert process.stdout is not None
            lines = TextReceiveStream(process.stderr)
            async for chunk in lines:  # wait until records are flowing
                stderr += chunk
                if "tally: tallied 200 ticks" in stderr:
                    break
            process.send_signal(signal.SIGINT)
            async for chunk in lines:
                stderr += chunk
            stdout = "".join([chunk async for chunk in TextReceiveStream(process.stdout)])
            code = await process.wait()

    assert code == 0, stderr
    assert "test-app: stopped" in stdout
    assert "undelivered" not in stdout
    streamlets = json.loads(metrics.read_text(encoding="utf-8"))["streamlets"]
    sent = streamlets["ticks"]["records_out"]["out"]
    assert sent >= 200
    assert streamlets["double"]["records_in"]["in"] == sent
    assert streamlets["double"]["records_out"]["out"] == sent
    assert streamlets["tally"]["records_in"]["in"] == sent
    assert all(s["state"] == "completed" for s in streamlets.values())
    trail = events(run_dir)
    assert [e["event"] for e in trail][-1] == "stopped"
    assert trail[-1]["undelivered"] == 0
    assert "stopping" in [e["event"] for e in trail]
