"""One screen of the live view, composed to fit exactly `width` x `height`.

Top to bottom: the header (application, state, elapsed, totals, run
directory), the topology (or, when it does not fit, a table), the open panel
(a selected streamlet, or a tapped edge), the latest log lines, and the keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, NamedTuple

from rich.text import Text

from sandbox.view.panels import (
    details_rows,
    footer_row,
    header_rows,
    log_rows,
    row,
    table_rows,
    tap_rows,
)
from sandbox.view.render import column_widths, draw
from sandbox.view.texts import live_texts

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sandbox.verification import Application
    from sandbox.view.layout import Layout
    from sandbox.view.logtail import LogLine
    from sandbox.view.snapshot import Snapshot

__all__ = ["FrameInput", "TapView", "compose", "topology_rows"]

_BELOW: Final = 3  # rows kept under the topology for the log (or a panel)


class TapView(NamedTuple):
    """A tapped edge: its title and the records sampled so far."""

    title: str
    records: Sequence[object]
    seen: int


class FrameInput(NamedTuple):
    """Everything one frame shows."""

    snapshot: Snapshot
    application: Application
    layout: Layout | None
    run_dir: str
    selected: str | None = None
    replicas: Sequence[tuple[str, bool]] = ()
    problems: Sequence[LogLine] = ()
    tap: TapView | None = None
    logs: Sequence[LogLine] = ()


def order_of(frame: FrameInput) -> list[str]:
    """Streamlets in selection order: column by column, top to bottom."""
    if frame.layout is not None:
        return frame.layout.streamlets
    return list(frame.application.blueprint.streamlets)


def topology_rows(frame: FrameInput, width: int, height: int) -> list[Text] | None:
    """The drawn topology if it fits `width` x `height`, else None."""
    if frame.layout is None:
        return None
    boxes, edges = live_texts(frame.snapshot, frame.application, order_of(frame), frame.selected)
    widths = column_widths(frame.layout, boxes, edges, width - 1)
    if widths is None or frame.layout.height > height:
        return None
    return [row(" ").append_text(r) for r in draw(frame.layout, widths, boxes, edges).rows]


def compose(frame: FrameInput, width: int, height: int) -> list[Text]:
    """Exactly `height` rows of at most `width` cells."""
    rows = header_rows(frame.snapshot, frame.run_dir, width)
    body = height - len(rows) - 1
    graph = topology_rows(frame, width, body - _BELOW - 1)
    if graph is None:
        graph = table_rows(frame.snapshot, order_of(frame), frame.selected, width, body - _BELOW)
    rows += [row(""), *graph]
    room = height - len(rows) - 1
    if frame.tap is not None:
        panel = tap_rows(frame.tap.title, frame.tap.records, frame.tap.seen, width, room)
    elif frame.selected is not None:
        panel = details_rows(
            frame.application, frame.snapshot, frame.selected, frame.replicas, frame.problems,
            width, room,
        )  # fmt: skip
    else:
        panel = []
    if panel:
        rows += [row(""), *panel] if room - len(panel) > 0 else panel
    rows += log_rows(frame.logs, width, height - len(rows) - 1)
    rows = rows[: height - 1]
    rows += [row("")] * (height - 1 - len(rows))
    rows.append(footer_row(width))
    return rows
