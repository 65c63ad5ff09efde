"""The peer benchmark's record, stage functions and checksum, copied for bench/pipeline.py.

A copy of `../shared/bench/peers/common.py` (struct flavour only), so the
sandbox runs do exactly the per-record work the peer engines did: one
`Reading` per source record, one Python function call per stage.

Values are multiples of 1/4 and the maps multiply by 1.5 / 0.5, so every
mapped value is an exact binary fraction: the float sum is exact and
independent of the order in which W2's merge interleaves the branches.
"""

from __future__ import annotations

import os
import resource
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "SENSORS",
    "Reading",
    "burn",
    "checksum",
    "expected_checksum",
    "f_a",
    "f_b",
    "f_keep",
    "f_map",
    "peak_rss_mb",
    "readings",
    "rss_now_mb",
]

SENSORS = tuple(f"sensor-{i:02d}" for i in range(16))


class Reading(msgspec.Struct, gc=False):
    """The record; `gc=False`: atomic fields only, it cannot form cycles."""

    id: int
    sensor: str
    value: float


def readings(n: int) -> Iterator[Reading]:
    """The source: `n` readings, built lazily."""
    for i in range(n):
        yield Reading(i, SENSORS[i & 15], (i % 1000) * 0.25)


def f_map(r: Reading) -> Reading:
    """W1/W3 map: an affine "Fahrenheit-like" map into a new record."""
    return Reading(r.id, r.sensor, r.value * 1.5 + 32.0)


def f_keep(r: Reading) -> bool:
    """W1 filter predicate."""
    return r.id % 3 != 0


def f_a(r: Reading) -> Reading:
    """W2 branch A."""
    return Reading(r.id, r.sensor, r.value * 1.5 + 32.0)


def f_b(r: Reading) -> Reading:
    """W2 branch B."""
    return Reading(r.id, r.sensor, r.value * 0.5 - 10.0)


def burn(r: Reading) -> int:
    """W3's slow-consumer CPU work (~1 us): a few LCG steps seeded by the id."""
    h = r.id
    for _ in range(8):
        h = (h * 1103515245 + 12345) & 0x7FFFFFFF
    return h


def checksum(count: int, total: float) -> str:
    """The checksum every engine prints."""
    return f"count={count};sum={total:.3f}"


def expected_checksum(workload: str, n: int) -> str:
    """The reference checksum, in exact integer arithmetic (units of 1/8)."""
    count = 0
    total8 = 0
    for i in range(n):
        k = i % 1000
        if workload == "W1":
            if i % 3:
                count += 1
                total8 += 3 * k + 256  # (k/4 * 1.5 + 32) * 8
        elif workload == "W2":
            count += 2
            total8 += (3 * k + 256) + (k - 80)  # branch B: (k/4 * 0.5 - 10) * 8
        elif workload == "W3":
            count += 1
            total8 += 3 * k + 256
        else:
            msg = f"unknown workload {workload!r}"
            raise ValueError(msg)
    return checksum(count, total8 / 8.0)


def rss_now_mb() -> float:
    """The resident set size now, in MiB."""
    with open("/proc/self/statm") as fh:
        resident_pages = int(fh.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """The peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(who).ru_maxrss / 1024.0
