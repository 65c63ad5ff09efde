"""How a failed run is reported: `RunResult.failure` and `sandbox run`'s output."""

from __future__ import annotations

import re
from pathlib import Path

import anyio
from typer.testing import CliRunner

import sandbox
from sandbox.cli import app
from sandbox.runtime.api import run_async

from .apps import REF, Probe, write_blueprint

APPS = re.escape(str(Path(__file__).with_name("apps.py")))
FAILURE = (
    r"streamlet 'flaky' \(replica 0\) failed: RuntimeError: cannot handle record 2\n"
    r"Traceback \(most recent call last\):\n"
    rf'  File "{APPS}", line \d+, in run\n'
    r"    _explode\(item\)\n"
    rf'  File "{APPS}", line \d+, in _explode\n'
    r"    raise RuntimeError\(msg\)\n"
    r"RuntimeError: cannot handle record 2"
)


def _failing_app(directory: Path, probe: str) -> Path:
    return write_blueprint(
        directory,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{probe}", count = 5 }} }}
flaky = {{ class = "{REF}:Flaky", config = {{ probe = "{probe}", fail_on = [2] }} }}

[connections]
"source.out" = ["flaky.in"]
""",
    )


async def test_failure_text_names_the_streamlet_the_exception_and_the_user_frames(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    with anyio.fail_after(1):
        result = await run_async(_failing_app(tmp_path, probe[0]), run_dir=tmp_path / "run")

    assert re.fullmatch(FAILURE, str(result.failure))


def test_cli_run_prints_the_failure_and_exits_1(tmp_path: Path, probe: tuple[str, Probe]) -> None:
    app_file = _failing_app(tmp_path, probe[0])
    runner = CliRunner(env={"COLUMNS": "200", "FORCE_COLOR": None, "TTY_COMPATIBLE": None})

    result = runner.invoke(
        app, ["run", str(app_file), "--no-view", "--run-dir", str(tmp_path / "run")]
    )

    assert result.exit_code == 1, result.output
    assert re.search(r"^error: " + FAILURE + "$", result.stderr, flags=re.MULTILINE)
    assert "test-app: failed" in result.stdout
    assert result.output.count("Traceback") == 1  # the user's; none of the tool's own
    assert str(Path(sandbox.__file__).parent) not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
