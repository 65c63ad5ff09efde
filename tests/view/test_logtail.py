"""The log pane's handler: the latest lines, and each streamlet's recent problems."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sandbox.view.logtail import LogTail

if TYPE_CHECKING:
    import pytest


def record(name: str, level: int, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_the_latest_lines_are_kept_one_per_line_of_text() -> None:
    tail = LogTail(size=3)
    tail.emit(record("sandbox.run", logging.INFO, "one"))
    tail.emit(record("sandbox.run", logging.INFO, "two\nthree"))
    tail.emit(record("sandbox.run", logging.DEBUG, "four %d", 4))
    tail.emit(record("sandbox.run", logging.INFO, ""))

    assert [(line.level, line.text) for line in tail.lines] == [
        (logging.INFO, "three"),
        (logging.DEBUG, "four 4"),
        (logging.INFO, ""),
    ]


def test_warnings_and_errors_of_streamlets_are_kept_per_streamlet() -> None:
    tail = LogTail(problems=2)
    for n in range(3):
        tail.emit(record("sandbox.streamlet.valid-log", logging.WARNING, "late %d\ndetail", n))
    tail.emit(record("sandbox.streamlet.sink", logging.ERROR, "failed"))
    tail.emit(record("sandbox.streamlet.sink", logging.INFO, "fine"))
    tail.emit(record("sandbox.run", logging.ERROR, "not a streamlet"))

    assert {name: [(p.level, p.text) for p in kept] for name, kept in tail.problems.items()} == {
        "valid-log": [(logging.WARNING, "late 1"), (logging.WARNING, "late 2")],
        "sink": [(logging.ERROR, "failed")],
    }


def test_a_record_that_cannot_be_formatted_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(logging, "raiseExceptions", True)
    tail = LogTail()
    tail.emit(record("sandbox.streamlet.sink", logging.ERROR, "%d records", "many"))

    assert list(tail.lines) == []
    assert tail.problems == {}
    assert "--- Logging error ---" in capsys.readouterr().err
