"""Per-record `on-error`: fail, skip and dead-letter, for functions and opted-in classes."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import anyio
import msgspec
import pytest

from sandbox import DeadLetter
from sandbox.runtime.api import run_async

from .apps import REF, Item, write_blueprint

if TYPE_CHECKING:
    from pathlib import Path

    from .apps import Probe

# Each raises ValueError("record <seq> is bad") on the items with seq % 5 == 3.
HANDLERS = [
    pytest.param("picky", id="sync-function"),
    pytest.param("picky_async", id="async-function"),
    pytest.param("Careful", id="class-with-ctx-handling"),
]
GOOD = [0, 1, 2, 4, 5, 6, 7, 9]


def _app(directory: Path, probe: str, handler: str, on_error: str, extra: str = "") -> Path:
    return write_blueprint(
        directory,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{probe}", count = 10 }} }}
check = {{ class = "{REF}:{handler}", on-error = "{on_error}"{", config = { probe = '%s' }" % probe if handler == "Careful" else ""} }}
sink = {{ class = "{REF}:Sink", config = {{ probe = "{probe}" }} }}
{extra}
[connections]
"source.out" = ["check.in"]
"check.out" = ["sink.in"]
""",  # noqa: E501, UP031
    )


@pytest.mark.parametrize("handler", HANDLERS)
async def test_on_error_fail_fails_the_application(
    handler: str, tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, _ = probe
    app = _app(tmp_path, name, handler, "fail")
    with anyio.fail_after(1):
        result = await run_async(app, run_dir=tmp_path / "run")

    assert result.state == "failed"
    assert result.failure is not None
    assert result.failure.streamlet == "check"
    assert (result.failure.error_type, result.failure.message) == ("ValueError", "record 3 is bad")
    assert ", in _check\n" in result.failure.traceback
    assert not (tmp_path / "run" / "dead-letters.jsonl").exists()


@pytest.mark.parametrize("handler", HANDLERS)
async def test_on_error_skip_counts_logs_and_drops_the_failed_records(
    handler: str, tmp_path: Path, probe: tuple[str, Probe], caplog: pytest.LogCaptureFixture
) -> None:
    name, seen = probe
    app = _app(tmp_path, name, handler, "skip")
    with anyio.fail_after(1):
        result = await run_async(app, run_dir=tmp_path / "run")

    assert result.state == "completed"
    assert seen.seqs("sink") == GOOD
    check = result.statistics.streamlets["check"]
    assert (check.errors, check.skipped, check.dead_letters, check.restarts) == (2, 2, 0, 0)
    assert check.records_in == {"in": 10}
    assert check.records_out == {"out": 8}
    skipped = [
        r.getMessage()
        for r in caplog.records
        if r.name == "sandbox.streamlet.check" and r.levelno == logging.WARNING
    ]
    assert skipped == [
        "skipped a record: ValueError: record 3 is bad",
        "skipped a record: ValueError: record 8 is bad",
    ]
    assert not (tmp_path / "run" / "dead-letters.jsonl").exists()


def _assert_letters(letters: list[DeadLetter]) -> None:
    assert [msgspec.msgpack.decode(d.record, type=Item) for d in letters] == [
        Item(origin="source.out", seq=3),
        Item(origin="source.out", seq=8),
    ]
    for letter, seq in zip(letters, [3, 8], strict=True):
        assert (letter.streamlet, letter.port) == ("check", "in")
        assert (letter.error_type, letter.message) == ("ValueError", f"record {seq} is bad")
        assert ", in _check\n" in letter.traceback
        assert letter.traceback.endswith(f"ValueError: record {seq} is bad\n")
        assert letter.timestamp > 0


@pytest.mark.parametrize("handler", HANDLERS)
async def test_unconsumed_dead_letters_are_written_to_the_run_directory(
    handler: str, tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    app = _app(tmp_path, name, handler, "dead-letter")
    with anyio.fail_after(1):
        result = await run_async(app, run_dir=tmp_path / "run")

    assert result.state == "completed"
    assert seen.seqs("sink") == GOOD
    check = result.statistics.streamlets["check"]
    assert (check.errors, check.skipped, check.dead_letters) == (2, 0, 2)
    lines = (tmp_path / "run" / "dead-letters.jsonl").read_bytes().splitlines()
    _assert_letters([msgspec.json.decode(line, type=DeadLetter) for line in lines])


@pytest.mark.parametrize("handler", HANDLERS)
async def test_dead_letters_topic_delivers_them_to_its_consumer(
    handler: str, tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    letters = f"""letters = {{ class = "{REF}:LetterSink", config = {{ probe = "{name}" }} }}

[topics."check.dead-letters"]
consumers = ["letters.in"]
"""
    app = _app(tmp_path, name, handler, "dead-letter", extra=letters)
    with anyio.fail_after(1):
        result = await run_async(app, run_dir=tmp_path / "run")

    assert result.state == "completed"
    assert seen.seqs("sink") == GOOD
    _assert_letters(seen.letters)
    check = result.statistics.streamlets["check"]
    assert check.dead_letters == 2
    assert check.records_out == {"out": 8, "dead-letters": 2}
    assert result.statistics.streamlets["letters"].records_in == {"in": 2}
    assert not (tmp_path / "run" / "dead-letters.jsonl").exists()
