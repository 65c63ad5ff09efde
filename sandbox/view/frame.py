"""One screen of the live view, composed to fit exactly `width` x `height`.

Top to bottom: the header (application, state, elapsed, totals, run
directory), the topology (or, when it does not fit, a table), the open panel
(a selected streamlet, or a tapped edge), the latest log lines, and the keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, NamedTuple, final

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
    from collections.abc import Callable, Sequence

    from rich.console import Console, ConsoleOptions, RenderResult

    from sandbox.verification import Application
    from sandbox.view.layout import Layout
    from sandbox.view.logtail import LogLine
    from sandbox.view.snapshot import Snapshot

__all__ = ["Frame", "FrameInput", "TapView", "compose", "order_of", "topology_rows"]

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


def order_of(layout: Layout | None, application: Application) -> list[str]:
    """Streamlets in selection order: column by column, top to bottom."""
    if layout is not None:
        return layout.streamlets
    return list(application.blueprint.streamlets)


def topology_rows(frame: FrameInput, width: int, height: int) -> list[Text] | None:
    """The drawn topology if it fits `width` x `height`, else None."""
    if frame.layout is None:
        return None
    boxes, edges = live_texts(
        frame.snapshot, frame.application, order_of(frame.layout, frame.application), frame.selected
    )
    widths = column_widths(frame.layout, boxes, edges, width)
    if widths is None or frame.layout.height > height:
        return None
    return draw(frame.layout, widths, boxes, edges).rows


def compose(frame: FrameInput, width: int, height: int) -> list[Text]:
    """Exactly `height` rows of at most `width` cells."""
    rows = header_rows(frame.snapshot, frame.run_dir, width)
    body = height - len(rows) - 1
    graph = topology_rows(frame, width, body - _BELOW - 1)
    if graph is None:
        graph = table_rows(
            frame.snapshot,
            order_of(frame.layout, frame.application),
            frame.selected,
            width,
            body - _BELOW,
        )
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


@final
class Frame:
    """A renderable of exactly the console's size (the screen of `Live`, or a test's)."""

    def __init__(self, source: FrameInput | Callable[[], FrameInput]) -> None:
        self._source = source

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Compose the frame for the space there is."""
        frame = self._source() if callable(self._source) else self._source
        height = options.height or console.height
        yield Text("\n", end="").join(compose(frame, options.max_width, height))
