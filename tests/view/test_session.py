"""`sandbox run`'s session: the metrics endpoint, the live view's log pane, refused runs."""

from __future__ import annotations

import io
import json
import logging
import socket
import sys
from typing import TYPE_CHECKING

import anyio
import pytest
from rich.console import Console
from typer.testing import CliRunner

from sandbox import egress
from sandbox.cli import app
from sandbox.view.logtail import LogTail
from sandbox.view.prometheus import MetricsPortError
from sandbox.view.session import RunOptions, run_session

from .pace import REF, Tick

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

BLUEPRINT = f"""
[blueprint]
name = "pace"

[streamlets]
source = {{ class = "{REF}:Source", config = {{ limit = 3 }} }}
sink = "{__name__}:chatty"

[connections]
"source.out" = ["sink.in"]
"""


@egress
def chatty(tick: Tick) -> None:
    """Prints each tick, as debugging code does."""
    sys.stdout.write(f"got {tick.label}\n")


@pytest.fixture
def blueprint(tmp_path: Path) -> Path:
    path = tmp_path / "pace.toml"
    path.write_text(BLUEPRINT, encoding="utf-8")
    return path


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def quiet() -> Console:
    return Console(file=io.StringIO(), width=80, color_system=None)


async def test_the_metrics_endpoint_is_announced_and_metrics_json_written_at_the_end(
    blueprint: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sandbox.run")
    metrics = tmp_path / "metrics.json"
    options = RunOptions(
        blueprint=str(blueprint),
        run_dir=str(tmp_path / "run"),
        metrics_json=str(metrics),
        metrics_port=0,
    )

    with anyio.fail_after(2):
        result = await run_session(options, quiet())

    [announced] = [r.getMessage() for r in caplog.records if r.name == "sandbox.run"]
    assert announced.startswith("metrics at http://127.0.0.1:")
    assert announced.endswith("/metrics")
    assert result.state == "completed"
    assert json.loads(metrics.read_text())["streamlets"]["sink"]["records_in"] == {"in": 3}


async def test_with_the_view_on_printed_lines_go_to_its_log_pane(
    blueprint: Path, tmp_path: Path
) -> None:
    logs = LogTail()
    screen = Console(file=io.StringIO(), width=80, height=24, force_terminal=True)
    options = RunOptions(blueprint=str(blueprint), run_dir=str(tmp_path / "run"))
    stdout = sys.stdout

    with anyio.fail_after(2):
        result = await run_session(options, quiet(), view=screen, logs=logs)

    assert result.state == "completed"
    assert [line.text for line in logs.lines] == ["got tick-0", "got tick-1", "got tick-2"]
    assert sys.stdout is stdout


async def test_a_metrics_port_in_use_fails_before_the_run(
    blueprint: Path, tmp_path: Path, busy_port: int
) -> None:
    options = RunOptions(
        blueprint=str(blueprint), run_dir=str(tmp_path / "run"), metrics_port=busy_port
    )
    with pytest.raises(MetricsPortError, match=r"^cannot serve metrics on 127\.0\.0\.1:\d+: "):
        await run_session(options, quiet())
    assert not (tmp_path / "run").exists()


def test_sandbox_run_reports_a_busy_metrics_port_as_an_error(
    blueprint: Path, tmp_path: Path, busy_port: int
) -> None:
    args = [
        "run", str(blueprint), "--no-view", "--run-dir", str(tmp_path / "run"),
        "--metrics-port", str(busy_port),
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)

    assert result.exit_code == 1, result.output
    assert result.output == (
        f"error: cannot serve metrics on 127.0.0.1:{busy_port}: Address already in use; "
        "pick another --metrics-port (0 takes any free port)\n"
    )


def test_sandbox_run_refuses_a_blueprint_with_errors(tmp_path: Path) -> None:
    path = tmp_path / "app.toml"
    path.write_text(BLUEPRINT.replace('"source.out" = ["sink.in"]', ""), encoding="utf-8")

    result = CliRunner().invoke(app, ["run", str(path), "--run-dir", str(tmp_path / "run")])

    assert result.exit_code == 1
    assert "[unconnected-outlet] source.out" in result.output
    assert not (tmp_path / "run").exists()
