"""run_blueprint's blueprint argument and settings: loaded blueprints, unreadable files, backoff."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import pytest

from sandbox import BlueprintError
from sandbox.blueprint.load import read_blueprint
from sandbox.testkit import run_blueprint

if TYPE_CHECKING:
    from pathlib import Path

PARSE = """
[blueprint]
name = "parse"
[streamlets]
parse = "testkit.streamlets:Parse"
sink = "testkit.streamlets:Collect"
[connections]
"parse.out" = ["sink.in"]
"""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    path = tmp_path / "app.toml"
    path.write_text(textwrap.dedent(PARSE), encoding="utf-8")
    return path


async def test_a_loaded_blueprint_runs_as_its_file_does(app: Path) -> None:
    loaded, problems = read_blueprint(app)
    assert loaded is not None
    assert problems == []

    result = await run_blueprint(loaded, inputs={"parse.in": ["1", "2"]}, collect=["sink.in"])

    assert result["sink.in"] == [1, 2]


async def test_an_unreadable_file_raises_its_problem(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(
        BlueprintError,
        match=(
            rf"^{missing} \[format-error\]: cannot read the file: No such file or directory\n"
            r"  hint: check that the file exists and is readable$"
        ),
    ):
        await run_blueprint(missing)


async def test_a_backoff_setting_delays_restarts_on_the_fake_clock(app: Path) -> None:
    result = await run_blueprint(
        app,
        inputs={"parse.in": ["x"]},
        settings={"parse": {"restart": "on-failure", "max-restarts": 1, "backoff": "4s..4s"}},
        raise_on_failure=False,
    )
    [restart] = [e for e in result.events if e["event"] == "restarting"]
    assert 2.0 <= restart["delay"] <= 4.0  # type: ignore[operator]  # jittered: half to all
    assert result.clock.now() == pytest.approx(restart["delay"], abs=1e-3)
    assert (result.state, result.statistics.streamlets["parse"].restarts) == ("failed", 1)


async def test_the_run_stops_once_every_input_is_sent(tmp_path: Path) -> None:
    path = tmp_path / "merge.toml"
    path.write_text(
        textwrap.dedent("""
        [blueprint]
        name = "merge"
        [streamlets]
        merge = "testkit.streamlets:Merge"
        sink = "testkit.streamlets:Collect"
        [connections]
        "merge.out" = ["sink.in"]
        """),
        encoding="utf-8",
    )
    result = await run_blueprint(
        path, inputs={"merge.left": [1, 2], "merge.right": [3]}, collect=["merge.out"]
    )
    assert result["merge.out"] == [1, 2, -3]
    assert result.state == "completed"
