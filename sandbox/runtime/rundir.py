"""The run directory: log, `events.jsonl`, dead letters and final metrics."""

from __future__ import annotations

import datetime
import logging
import time
from pathlib import Path
from typing import IO, final

import msgspec

__all__ = ["RunDirectory", "event_entry"]

_encoder = msgspec.json.Encoder()


def event_entry(event: str, streamlet: str | None, fields: dict[str, object]) -> dict[str, object]:
    """One line of `events.jsonl`: {"time", "event", "streamlet", ...fields}."""
    entry: dict[str, object] = {"time": time.time(), "event": event}
    if streamlet is not None:
        entry["streamlet"] = streamlet
    entry.update(fields)
    return entry


@final
class RunDirectory:
    """Files of one run; every state change goes to `events.jsonl`."""

    def __init__(self, root: Path | None = None, *, base: Path = Path(".sandbox/runs")) -> None:
        if root is None:
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            root = base / stamp
        root.mkdir(parents=True, exist_ok=True)
        self.path = root
        self._events: IO[bytes] = (root / "events.jsonl").open("ab", buffering=0)
        self._dead: IO[bytes] | None = None
        self.log_handler = logging.FileHandler(root / "sandbox.log", encoding="utf-8")
        self.log_handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
        )
        self.events: list[dict[str, object]] = []

    def event(self, event: str, streamlet: str | None = None, **fields: object) -> None:
        """Append one event: {"time", "event", "streamlet", ...}."""
        entry = event_entry(event, streamlet, fields)
        self.events.append(entry)
        self._events.write(_encoder.encode(entry) + b"\n")

    def dead_letter(self, letter: msgspec.Struct) -> None:
        """Write an unconsumed dead letter to `dead-letters.jsonl`."""
        if self._dead is None:
            self._dead = (self.path / "dead-letters.jsonl").open("ab")
        self._dead.write(_encoder.encode(letter) + b"\n")
        self._dead.flush()

    def write_metrics(self, snapshot: msgspec.Struct, name: str = "metrics.json") -> Path:
        """Write a statistics snapshot as JSON."""
        path = self.path / name
        path.write_bytes(msgspec.json.format(_encoder.encode(snapshot), indent=2))
        return path

    def close(self) -> None:
        """Close the files."""
        self._events.close()
        if self._dead is not None:
            self._dead.close()
        self.log_handler.close()
