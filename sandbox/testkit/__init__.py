"""Test streamlets and whole blueprints in-process, on the real runtime.

    result = await run_streamlet(Upper, text=["a", "b"])
    assert result["out"] == ["A", "B"]

`run_streamlet` runs one streamlet over finite inputs; `open_streamlet` drives
one through a probe (send, receive, expect, demand, wait_blocked);
`run_blueprint` runs a whole application with ingresses replaced and topics
collected. `FakeClock` drives `ctx.clock`; `fail_at` and the faults `Drop`,
`Duplicate` and `Delay` inject failures. The pytest plugin adds the fixtures
`fake_clock` and `sandbox_runner`.
"""

from __future__ import annotations

from sandbox.testkit.blueprint import run_blueprint
from sandbox.testkit.clock import FakeClock, Sleeper, wait_idle
from sandbox.testkit.diff import diff_records
from sandbox.testkit.errors import (
    PortClosedError,
    RecordTypeError,
    StreamEndedError,
    StreamletFailedError,
    TestkitError,
    TestkitTimeoutError,
    UnknownNameError,
    UnknownPortError,
)
from sandbox.testkit.faults import Delay, Drop, Duplicate, Fault
from sandbox.testkit.harness import DEFAULT_TIMEOUT
from sandbox.testkit.inject import InjectedFailure, fail_at
from sandbox.testkit.probe import StreamletProbe
from sandbox.testkit.results import BlueprintResult, StreamletResult
from sandbox.testkit.runner import Runner
from sandbox.testkit.single import open_streamlet, run_streamlet

__all__ = [
    "DEFAULT_TIMEOUT",
    "BlueprintResult",
    "Delay",
    "Drop",
    "Duplicate",
    "FakeClock",
    "Fault",
    "InjectedFailure",
    "PortClosedError",
    "RecordTypeError",
    "Runner",
    "Sleeper",
    "StreamEndedError",
    "StreamletFailedError",
    "StreamletProbe",
    "StreamletResult",
    "TestkitError",
    "TestkitTimeoutError",
    "UnknownNameError",
    "UnknownPortError",
    "diff_records",
    "fail_at",
    "open_streamlet",
    "run_blueprint",
    "run_streamlet",
    "wait_idle",
]
