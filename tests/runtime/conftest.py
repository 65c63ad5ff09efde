"""Fixtures of the runtime tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .apps import PROBES, Probe, new_probe

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def probe() -> Iterator[tuple[str, Probe]]:
    """A fresh probe: (the name for the `probe` config key, the probe)."""
    name, probe = new_probe()
    yield name, probe
    del PROBES[name]
