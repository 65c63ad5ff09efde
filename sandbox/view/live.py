"""The live view of `sandbox run` on a terminal: a full-screen rich `Live`.

It renders on the event loop (no thread competes with the pipeline for the
GIL), at most ten times a second, from `Runtime.statistics()` snapshots.
Keys are read without a thread either: the loop wakes the reader when stdin
has input. `q` stops the run the way SIGINT does; the view ends when the
run ends (the caller cancels it) and gives the terminal back as it was.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Final, final

import anyio
from rich.live import Live

from sandbox.view.frame import Frame, FrameInput, TapView, order_of
from sandbox.view.keys import cbreak, read_keys
from sandbox.view.layout import layout
from sandbox.view.logtail import LogLine, LogTail
from sandbox.view.snapshot import PortRates, snapshot
from sandbox.view.tap import Tap

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import Console

    from sandbox.runtime.scheduler import Runtime
    from sandbox.verification import PortRef

__all__ = ["MAX_REFRESH", "LiveView", "PrintsToLog"]

MAX_REFRESH: Final = 10.0


@final
class PrintsToLog(io.TextIOBase):
    """A stdout/stderr stand-in while the view is on: printed lines go to the log pane."""

    def __init__(self, tail: LogTail, level: int) -> None:
        super().__init__()
        self._tail = tail
        self._level = level
        self._partial = ""

    def writable(self) -> bool:
        """Yes."""
        return True

    def write(self, text: str) -> int:
        """Keep complete lines; the rest waits for its newline."""
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            self._tail.lines.append(LogLine(self._level, line))
        return len(text)


@final
class LiveView:
    """Draws the running application and answers keys.

    Args:
        runtime: the running application.
        console: where to draw (the terminal).
        logs: the handler collecting log lines while the view is on.
        refresh_per_second: frames per second, at most `MAX_REFRESH`.
        keys_fd: the terminal to read keys from, or None for no keys.
    """

    def __init__(
        self,
        runtime: Runtime,
        console: Console,
        logs: LogTail,
        *,
        refresh_per_second: float = 4.0,
        keys_fd: int | None = None,
    ) -> None:
        self.runtime = runtime
        self.console = console
        self.logs = logs
        self.interval = 1.0 / min(max(refresh_per_second, 0.1), MAX_REFRESH)
        self.keys_fd = keys_fd
        self.layout = layout(runtime.application)
        self.selected: str | None = None
        self.quitting = False
        self._rates = PortRates()
        self._tap: Tap | None = None
        self._tap_edge: tuple[PortRef, str] | None = None
        self._wake = anyio.Event()
        self._actions: dict[str, Callable[[], None]] = {
            "q": self.quit, "Q": self.quit, "tab": self.next, "right": self.next,
            "down": self.next, "shift-tab": self.previous, "left": self.previous,
            "up": self.previous, "t": self.tap_selected, "e": self.next_edge, "esc": self.close,
        }  # fmt: skip

    # --- frames ----------------------------------------------------------------

    def frame(self) -> FrameInput:
        """What the next frame shows."""
        runtime = self.runtime
        snap = snapshot(
            runtime.statistics(), runtime.application, self._rates, stopping=runtime.stopping
        )
        selected = self.selected
        slots = runtime.slots.get(selected, []) if selected else []
        tap = None
        if self._tap is not None and self._tap_edge is not None:
            records = self._tap.sample()
            tap = TapView(self._edge_title(*self._tap_edge), records, self._tap.seen)
        return FrameInput(
            snapshot=snap,
            application=runtime.application,
            layout=self.layout,
            run_dir=str(runtime.run_dir.path),
            selected=selected,
            replicas=[(s.state, s.stalled) for s in slots],
            problems=list(self.logs.problems.get(selected, ())) if selected else (),
            tap=tap,
            logs=self.logs.lines,
        )

    def _edge_title(self, producer: PortRef, topic: str) -> str:
        connection = self.runtime.application.connections[topic]
        consumers = ", ".join(str(c) for c in connection.consumers) or "(no consumer)"
        return f"{topic}: {producer} → {consumers}"

    async def run(self) -> None:
        """Draw until cancelled; read keys meanwhile if there is a terminal."""
        live = Live(
            console=self.console, screen=True, auto_refresh=False, redirect_stdout=False,
            redirect_stderr=False,
        )  # fmt: skip
        screen = Frame(self.frame)
        try:
            with live:
                async with anyio.create_task_group() as tg:
                    if self.keys_fd is not None:
                        tg.start_soon(self._read_keys, self.keys_fd)
                    while True:
                        drawn = anyio.current_time()
                        live.update(screen, refresh=True)
                        with anyio.move_on_after(self.interval):
                            await self._wake.wait()
                        self._wake = anyio.Event()
                        # A key redraws at once, but never above MAX_REFRESH frames a second.
                        await anyio.sleep(max(0.0, drawn + 1 / MAX_REFRESH - anyio.current_time()))
        finally:
            self._untap()

    async def _read_keys(self, fd: int) -> None:
        with cbreak(fd):
            while True:
                await anyio.wait_readable(fd)
                keys = read_keys(fd)
                if keys is None:
                    return
                for key in keys:
                    self.press(key)

    # --- keys ------------------------------------------------------------------

    def press(self, key: str) -> None:
        """Act on one key, then redraw at once."""
        if key.isdigit() and key != "0":
            order = self.order
            index = int(key) - 1
            if index < len(order):
                self.selected = order[index]
        else:
            action = self._actions.get(key)
            if action is not None:
                action()
        self._wake.set()

    @property
    def order(self) -> list[str]:
        """Streamlets in selection order (digit 1 is the first)."""
        return order_of(self.layout, self.runtime.application)

    def quit(self) -> None:
        """Stop gracefully: ingresses end, the rest drains (as on SIGINT)."""
        self.quitting = True
        logging.getLogger("sandbox.view").info("q pressed: stopping, the rest drains")
        self.runtime.stop()

    def _step(self, delta: int) -> None:
        order = self.order
        if not order:
            return
        if self.selected not in order:
            self.selected = order[0] if delta > 0 else order[-1]
            return
        self.selected = order[(order.index(self.selected) + delta) % len(order)]

    def next(self) -> None:
        """Select the next streamlet."""
        self._step(1)

    def previous(self) -> None:
        """Select the previous streamlet."""
        self._step(-1)

    def close(self) -> None:
        """Esc: close the tap if one is open, else the selection."""
        if self._tap is not None:
            self._untap()
        else:
            self.selected = None

    def _edges(self) -> list[tuple[PortRef, str]]:
        """Every producer outlet with its topic, in topic order."""
        return [
            (p, name)
            for name, c in self.runtime.application.connections.items()
            for p in c.producers
        ]

    def tap_selected(self) -> None:
        """Tap the selected streamlet's outbound edge (its inbound one for an egress)."""
        edges = self._edges()
        if not edges:
            return
        name = self.selected
        chosen = next((e for e in edges if e[0].streamlet == name), None)
        if chosen is None and name is not None:
            feeding = {
                t for t, c in self.runtime.application.connections.items()
                if any(ref.streamlet == name for ref in c.consumers)
            }  # fmt: skip
            chosen = next((e for e in edges if e[1] in feeding), None)
        self._tap_on(chosen or edges[0])

    def next_edge(self) -> None:
        """Tap the next edge (the first if none is tapped)."""
        edges = self._edges()
        if not edges:
            return
        index = edges.index(self._tap_edge) + 1 if self._tap_edge in edges else 0
        self._tap_on(edges[index % len(edges)])

    def _tap_on(self, edge: tuple[PortRef, str]) -> None:
        self._untap()
        producer = edge[0]
        tap = Tap.attach(self.runtime.slots.get(producer.streamlet, []), producer.port)
        if tap is None:
            logging.getLogger("sandbox.view").warning("edge %s cannot be tapped", producer)
            return
        self._tap, self._tap_edge = tap, edge

    def _untap(self) -> None:
        if self._tap is not None:
            self._tap.close()
        self._tap, self._tap_edge = None, None
