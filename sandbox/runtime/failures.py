"""What happens when user code raises: tracebacks, dead letters, backoff."""

from __future__ import annotations

import os
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Final, final

import anyio
import msgspec

from sandbox.records import DeadLetter

if TYPE_CHECKING:
    import random

    from sandbox.blueprint.model import Backoff

__all__ = ["Failure", "backoff_delay", "carry_traceback", "dead_letter", "user_traceback"]

_HIDDEN: Final = tuple(
    f"{directory}{os.sep}"  # the separator: `sandbox_apps/` is not under `sandbox`
    for directory in (
        *(Path(m.__file__).resolve().parent for m in (anyio, msgspec) if m.__file__ is not None),
        Path(__file__).resolve().parents[1],
        Path(traceback.__file__).resolve().parent / "asyncio",
    )
)


_CARRIED: Final = "sandbox_traceback"


def carry_traceback(exc: BaseException) -> None:
    """Attach the user traceback to `exc`, which crosses to another process without frames."""
    setattr(exc, _CARRIED, user_traceback(exc))


def user_traceback(exc: BaseException) -> str:
    """The traceback of `exc` with the runtime's own frames left out."""
    carried = getattr(exc, _CARRIED, None)
    if isinstance(carried, str):
        return carried
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not str(Path(frame.filename).resolve()).startswith(_HIDDEN)
    ]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)


@final
class Failure(msgspec.Struct, frozen=True, kw_only=True):
    """Why an application failed: the streamlet, the exception, the user's traceback."""

    streamlet: str
    replica: int
    error_type: str
    message: str
    traceback: str

    def __str__(self) -> str:
        return (
            f"streamlet '{self.streamlet}' (replica {self.replica}) failed: "
            f"{self.error_type}: {self.message}\n{self.traceback.rstrip()}"
        )


def failure(streamlet: str, replica: int, exc: BaseException) -> Failure:
    """Describe a failure of user code."""
    return Failure(
        streamlet=streamlet,
        replica=replica,
        error_type=type(exc).__qualname__,
        message=str(exc),
        traceback=user_traceback(exc),
    )


def dead_letter(streamlet: str, port: str, record: object, exc: BaseException) -> DeadLetter:
    """A DeadLetter for a record that `streamlet` failed on."""
    try:
        encoded = msgspec.msgpack.encode(record)
    except (TypeError, ValueError):
        encoded = repr(record).encode()
    return DeadLetter(
        streamlet=streamlet,
        port=port,
        record=encoded,
        error_type=type(exc).__qualname__,
        message=str(exc),
        traceback=user_traceback(exc),
        timestamp=time.time(),
    )


def backoff_delay(backoff: Backoff, attempt: int, rng: random.Random) -> float:
    """Exponential backoff with jitter: between half and all of initial * 2**attempt."""
    delay = min(backoff.maximum, backoff.initial * (2 ** min(attempt, 32)))
    return float(delay * (0.5 + rng.random() / 2))
