"""`sandbox run` off a terminal: summary lines, metrics JSON, option errors."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from sandbox.cli import app

from .pace import REF

if TYPE_CHECKING:
    from pathlib import Path

BLUEPRINT = f"""
[blueprint]
name = "pace"

[streamlets]
source = {{ class = "{REF}:Source", config = {{ limit = 50 }} }}
sink = {{ class = "{REF}:Slow", config = {{ delay = 0.0 }} }}

[connections]
"source.out" = ["sink.in"]
"""


@pytest.fixture
def blueprint(tmp_path: Path) -> Path:
    path = tmp_path / "pace.toml"
    path.write_text(BLUEPRINT, encoding="utf-8")
    return path


def test_off_a_terminal_run_prints_no_view_and_writes_metrics_json(
    blueprint: Path, tmp_path: Path
) -> None:
    metrics = tmp_path / "metrics.json"

    result = CliRunner().invoke(
        app,
        ["run", str(blueprint), "--run-dir", str(tmp_path / "run"), "--metrics-json", str(metrics)],
    )

    assert result.exit_code == 0, result.output
    assert "pace: completed" in result.output
    assert "q quit" not in result.output
    data = json.loads(metrics.read_text())
    assert data["application"] == "pace"
    assert data["streamlets"]["sink"]["records_in"] == {"in": 50}
    assert not list(tmp_path.glob(".metrics.json.partial"))


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--stall-timeout", "soon", "--stall-timeout: "),
        ("--refresh", "20", "Invalid value for '--refresh'"),
    ],
    ids=["stall-timeout", "refresh"],
)
def test_bad_view_options_are_usage_errors(
    blueprint: Path, option: str, value: str, message: str
) -> None:
    result = CliRunner().invoke(app, ["run", str(blueprint), option, value])

    assert result.exit_code == 2
    assert message in result.output
