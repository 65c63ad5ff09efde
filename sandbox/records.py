"""Record types the sandbox itself emits."""

from __future__ import annotations

from typing import final

import msgspec

__all__ = ["DeadLetter"]


@final
class DeadLetter(msgspec.Struct, frozen=True, kw_only=True):
    """A record a streamlet failed on, sent to the topic `<name>.dead-letters`.

    `record` is the failed record encoded as msgpack, so a dead letter can
    carry any schema and be decoded by whoever consumes it.
    """

    streamlet: str
    port: str
    record: bytes
    error_type: str
    message: str
    traceback: str
    timestamp: float
