"""The pytest plugin (entry point `pytest11`): fixtures and Struct-aware assertions.

Fixtures:
    fake_clock: a fresh `FakeClock()` per test (advanced by the test).
    sandbox_runner: a `Runner` whose calls use the configured timeout.

Configuration:
    ini option `sandbox_timeout` (seconds, default 2), or per test
    `@pytest.mark.sandbox(timeout=5)`.

Both fixtures are plain (synchronous) fixtures, so they work with
pytest-asyncio in auto and in strict mode alike. A failing `assert a == b` on
two Structs of one type lists the differing fields.
"""

from __future__ import annotations

import msgspec
import pytest

from sandbox.testkit.clock import FakeClock
from sandbox.testkit.diff import diff_records
from sandbox.testkit.harness import DEFAULT_TIMEOUT
from sandbox.testkit.runner import Runner

__all__ = ["fake_clock", "sandbox_runner"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the `sandbox_timeout` ini option."""
    parser.addini(
        "sandbox_timeout",
        "seconds each sandbox.testkit call may take (default 2)",
        default=str(DEFAULT_TIMEOUT),
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the `sandbox` marker."""
    config.addinivalue_line("markers", "sandbox(timeout=SECONDS): options of sandbox_runner")


@pytest.fixture
def fake_clock() -> FakeClock:
    """A FakeClock at t=0 that moves only when the test advances it."""
    return FakeClock()


@pytest.fixture
def sandbox_runner(request: pytest.FixtureRequest) -> Runner:
    """A Runner with the timeout of the ini option or the `sandbox` marker."""
    timeout = float(request.config.getini("sandbox_timeout"))
    marker = request.node.get_closest_marker("sandbox")
    if marker is not None:
        timeout = float(marker.kwargs.get("timeout", timeout))
    return Runner(timeout=timeout)


def pytest_assertrepr_compare(
    config: pytest.Config, op: str, left: object, right: object
) -> list[str] | None:
    """Explain `==` between two Structs of one type field by field."""
    if op != "==" or not isinstance(left, msgspec.Struct) or type(left) is not type(right):
        return None
    lines = diff_records(left, right, labels=("left", "right"))
    if not lines:
        return None
    return [
        f"{type(left).__name__}(...) == {type(right).__name__}(...)",
        "Differing fields:",
        *lines,
    ]
