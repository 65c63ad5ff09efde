"""A logging handler that keeps the latest lines for the live view.

While the view is on it replaces the terminal handler, so log lines appear
in the view's log pane instead of scrolling the screen. It also keeps each
streamlet's recent warnings and errors for the selection panel.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Final, final

__all__ = ["LogLine", "LogTail"]

_STREAMLET: Final = "sandbox.streamlet."


@final
class LogLine:
    """One formatted line and its level."""

    __slots__ = ("level", "text")

    def __init__(self, level: int, text: str) -> None:
        self.level = level
        self.text = text


@final
class LogTail(logging.Handler):
    """Keeps the last `size` lines, and the last `problems` warnings per streamlet.

    Args:
        size: how many lines the log pane can show at most.
        problems: how many warnings and errors to keep per streamlet.
    """

    def __init__(self, size: int = 200, problems: int = 5) -> None:
        super().__init__()
        self.lines: deque[LogLine] = deque(maxlen=size)
        self.problems: dict[str, deque[LogLine]] = {}
        self._keep = problems

    def emit(self, record: logging.LogRecord) -> None:
        """Format and keep the record (never raises: logging must not fail a run)."""
        try:
            text = self.format(record)
        except Exception:  # a bad format argument must not stop the run
            self.handleError(record)
            return
        for line in text.splitlines() or [""]:
            self.lines.append(LogLine(record.levelno, line))
        if record.levelno >= logging.WARNING and record.name.startswith(_STREAMLET):
            name = record.name.removeprefix(_STREAMLET)
            kept = self.problems.setdefault(name, deque(maxlen=self._keep))
            kept.append(LogLine(record.levelno, text.splitlines()[0] if text else ""))
