"""`Runner`: the testkit's entry points with a test's defaults filled in."""

from __future__ import annotations

import functools
from typing import final

from sandbox.testkit.blueprint import run_blueprint
from sandbox.testkit.harness import DEFAULT_TIMEOUT
from sandbox.testkit.single import open_streamlet, run_streamlet

__all__ = ["Runner"]


@final
class Runner:
    """`run_streamlet`, `open_streamlet` and `run_blueprint` with default options.

    The pytest fixture `sandbox_runner` is one, with the timeout from the
    `sandbox_timeout` ini option or a `@pytest.mark.sandbox(timeout=...)` marker.
    Options given to a call win over the runner's.

    Args:
        timeout: real seconds each call (or probe step) may take.
    """

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self.run_streamlet = functools.partial(run_streamlet, timeout=timeout)
        self.open_streamlet = functools.partial(open_streamlet, timeout=timeout)
        self.run_blueprint = functools.partial(run_blueprint, timeout=timeout)

    def __repr__(self) -> str:
        return f"Runner(timeout={self.timeout:g})"
