"""Tapping an edge: a sample of the records an outlet sends, while someone looks.

A tap adds one more route to the outlet's writers (every replica): a buffer
nobody consumes, which the view empties on each frame, keeping the newest
few records. The writers hand it the same batch lists they hand the real
consumers, once per batch; nothing is added to the per-record path, and
nothing at all while no tap is attached. The buffer is large enough never to
limit the writers' batch size and never blocks a producer.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Final, final

from sandbox.transports.buffer import Buffer
from sandbox.transports.channels import Route, Writer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sandbox.runtime.stats import Slot

__all__ = ["Tap"]

_ROOM: Final = 1 << 40  # never the smallest room of a writer's routes


@final
class Tap:
    """Samples what one outlet sends on all its replicas until `close`.

    Args:
        writers: the outlet's writer on each replica.
        keep: how many of the newest records `sample` returns.
    """

    def __init__(self, writers: Sequence[Writer[object]], *, keep: int = 8) -> None:
        self._writers = list(writers)
        self._buffer = Buffer(_ROOM, len(self._writers), "drop-oldest", "tap")
        self._route = Route([self._buffer], None)
        self._records: deque[object] = deque(maxlen=keep)
        self.seen = 0
        for writer in self._writers:
            # A new list, not an append: a flush suspended in its loop over the
            # old list finishes with it unchanged.
            writer.routes = [*writer.routes, self._route]

    @classmethod
    def attach(cls, slots: Sequence[Slot], port: str, *, keep: int = 8) -> Tap | None:
        """Tap outlet `port` of every replica; None when its transport cannot be tapped."""
        writers = [slot.outlets.get(port) for slot in slots]
        found = [w for w in writers if isinstance(w, Writer)]
        if not found or len(found) != len(writers):
            return None
        return cls(found, keep=keep)

    def sample(self) -> list[object]:
        """The newest records sent since the tap was attached, oldest first."""
        buffer = self._buffer
        tail: list[list[object]] = []
        wanted = self._records.maxlen or 0
        for batch in reversed(buffer.batches):
            tail.append(batch)
            wanted -= len(batch)
            if wanted <= 0:
                break
        self.seen += buffer.size
        for batch in reversed(tail):
            self._records.extend(batch[-(self._records.maxlen or 1) :])
        buffer.clear()
        return list(self._records)

    def close(self) -> None:
        """Detach from the writers; they no longer hand the tap anything."""
        for writer in self._writers:
            writer.routes = [r for r in writer.routes if r is not self._route]
        self._buffer.clear()
