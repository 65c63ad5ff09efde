"""Lanes: the columns where lines turn, so that different edges never share one.

Lines turn only inside topic columns: in the *left gap* (between the
producers' column and the topic label) or the *right gap* (between the label
and the consumers' column). The lines of one topic on one side may share a
lane (they meet at the topic anyway); a line passing through (a dummy chain)
is on its own. Two groups whose vertical runs overlap get different lanes,
so a turn into one edge never looks like a branch of another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from sandbox.view.layout import ColumnKind, Link

__all__ = ["Gap", "assign_lanes", "gap_of"]

Gap = tuple[int, Literal["in", "out"]]  # (topic column, left "in" or right "out" gap)


def gap_of(link: Link, kinds: list[ColumnKind]) -> Gap:
    """The gap where `link` may turn."""
    column = link.source.column
    if kinds[column] == "streamlet":
        return (column + 1, "in")
    return (column, "out")


def _group(link: Link, side: str) -> str:
    if side == "in":
        return f"topic:{link.target.key}" if link.target.kind == "topic" else link.target.key
    return f"topic:{link.source.key}" if link.source.kind == "topic" else link.source.key


def assign_lanes(links: list[Link], kinds: list[ColumnKind]) -> dict[Gap, int]:
    """Set `link.lane` for every link; return how many lanes each gap needs (at least 1)."""
    runs: dict[Gap, dict[str, tuple[int, int]]] = {}
    members: dict[tuple[Gap, str], list[Link]] = {}
    for link in links:
        gap = gap_of(link, kinds)
        group = _group(link, gap[1])
        members.setdefault((gap, group), []).append(link)
        y0, y1 = link.source_y(), link.target_y()
        if y0 == y1:
            continue
        low, high = runs.setdefault(gap, {}).get(group, (min(y0, y1), max(y0, y1)))
        runs[gap][group] = (min(low, y0, y1), max(high, y0, y1))
    counts: dict[Gap, int] = {}
    for gap, groups in runs.items():
        taken: list[list[tuple[int, int]]] = []
        for group, (low, high) in sorted(groups.items(), key=lambda item: item[1]):
            lane = next(
                (i for i, used in enumerate(taken) if all(b < low or a > high for a, b in used)),
                len(taken),
            )
            if lane == len(taken):
                taken.append([])
            taken[lane].append((low, high))
            for link in members[(gap, group)]:
                link.lane = lane
        counts[gap] = max(len(taken), 1)
    return counts
