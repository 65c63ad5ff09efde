"""What boxes and edges say: from a live snapshot, or from the blueprint alone.

Everything reads without colour: states have a marker (`●`, `✓`, `✗`, ...),
a stalled streamlet says `!! stalled`, a buffer's fill is a bar and a
percentage, with `!!` once it is nearly full; colour only repeats it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sandbox.schema import type_name
from sandbox.view.render import BoxText, EdgeText
from sandbox.view.snapshot import fill_level
from sandbox.view.summary import format_rate

if TYPE_CHECKING:
    from sandbox.runtime.stats import StreamletStatistics
    from sandbox.verification import Application
    from sandbox.view.snapshot import Snapshot, TopicView

__all__ = [
    "MARKERS",
    "fill_bar",
    "fill_choices",
    "live_texts",
    "rate_choices",
    "state_style",
    "state_text",
    "static_texts",
]

MARKERS: Final = {
    "starting": "○", "running": "●", "restarting": "↻", "draining": "◐",
    "completed": "✓", "failed": "✗", "cancelled": "■",
}  # fmt: skip

_STATE_STYLES: Final = {
    "starting": "dim", "running": "green", "restarting": "yellow", "draining": "cyan",
    "completed": "blue", "failed": "bold red", "cancelled": "dim", "stalled": "bold red",
}  # fmt: skip

_SHORT: Final = {"completed": "done", "restarting": "restart", "cancelled": "cancel"}

FILL_STYLES: Final = {"low": "green", "high": "yellow", "full": "bold red"}


def state_text(s: StreamletStatistics) -> str:
    """`● running`, `✗ failed`, or `!! stalled` when the watchdog flagged it."""
    if s.stalled and s.state == "running":
        return "!! stalled"
    return f"{MARKERS.get(s.state, '?')} {s.state}"


def state_style(s: StreamletStatistics) -> str:
    """The colour of a streamlet's state."""
    return _STATE_STYLES["stalled" if s.stalled and s.state == "running" else s.state]


def rate_choices(rate: float) -> list[str]:
    """`12.3k/s`, then shorter forms."""
    long = format_rate(rate)
    short = long.replace(".0", "")
    if rate >= 1_000:
        short = f"{rate / 1_000_000:.0f}M/s" if rate >= 1_000_000 else f"{rate / 1_000:.0f}k/s"
    return list(dict.fromkeys([long, short, short.removesuffix("/s")]))


def fill_bar(fill: float, cells: int) -> str:
    """`▮▮▯▯`: filled cells for the fill, at least one once anything waits."""
    full = min(cells, round(fill * cells))
    if fill > 0 and full == 0:
        full = 1
    return "▮" * full + "▯" * (cells - full)


def fill_choices(fill: float) -> list[str]:
    """`▮▮▮▯▯▯ 45%`, with `!!` when nearly full, then shorter forms."""
    percent = min(round(fill * 100), 100)
    if fill > 0 and percent == 0:
        percent = 1
    mark = "!!" if fill_level(fill) == "full" else ""
    padded = [f"{fill_bar(fill, n)} {percent:>3}%{mark}" for n in (10, 8, 6, 4, 3)]
    tight = [f"{fill_bar(fill, n)} {percent}%{mark}" for n in (4, 3, 2)]
    return [*padded, *tight, f"{percent}%{mark}"]


def _box(s: StreamletStatistics, number: int | None, *, has_in: bool, has_out: bool) -> BoxText:
    name = s.name
    titles = [f"{number} {name}", name] if number is not None else [name]
    rate_in = rate_choices(s.rate_in) if has_in else ["-"]
    rate_out = rate_choices(s.rate_out) if has_out else ["-"]
    style = state_style(s)
    problems = "bold red" if s.errors else ("yellow" if s.restarts else "")
    return BoxText(
        title=titles,
        suffix=f"×{s.replicas}" if s.replicas > 1 else "",
        lines=[
            [state_text(s), f"{MARKERS.get(s.state, '?')} {_SHORT.get(s.state, s.state)}"],
            [f"in  {r}" for r in rate_in] + [f"in {rate_in[-1]}"],
            [f"out {r}" for r in rate_out] + [f"out {rate_out[-1]}"],
        ],
        bottom=[
            f"err {s.errors} rst {s.restarts}",
            f"err{s.errors} rst{s.restarts}",
            f"e{s.errors} r{s.restarts}",
        ],
        style=problems or ("" if s.state in ("running", "starting") else style),
        line_styles=(style,),
    )


def _edge(view: TopicView) -> EdgeText:
    level = fill_level(view.fill)
    return EdgeText(
        name=[view.name],
        middle=rate_choices(view.rate),
        bottom=fill_choices(view.fill),
        style=FILL_STYLES[level],
        consumer_styles={c: FILL_STYLES[fill_level(f)] for c, f in view.fills.items()},
    )


def live_texts(
    snapshot: Snapshot, application: Application, order: list[str], selected: str | None
) -> tuple[dict[str, BoxText], dict[str, EdgeText]]:
    """Boxes and edges from a live snapshot; `order` numbers the first nine boxes."""
    stats = snapshot.statistics.streamlets
    inlets = {c.streamlet for conn in application.connections.values() for c in conn.consumers}
    outlets = {p.streamlet for conn in application.connections.values() for p in conn.producers}
    boxes = {}
    for i, name in enumerate(order):
        s = stats.get(name)
        if s is None:
            continue
        box = _box(s, i + 1 if i < 9 else None, has_in=name in inlets, has_out=name in outlets)
        if name == selected:
            box = box._replace(heavy=True, style="bold cyan")
        boxes[name] = box
    edges = {name: _edge(view) for name, view in snapshot.topics.items()}
    return boxes, edges


def static_texts(application: Application) -> tuple[dict[str, BoxText], dict[str, EdgeText]]:
    """Boxes and edges from the blueprint: class, shape, runtime; schema and capacity."""
    boxes = {}
    for name, entry in application.blueprint.streamlets.items():
        instance = application.instances.get(name)
        cls = entry.class_ref.rpartition(":")[2]
        shape = instance.spec.shape if instance is not None else "?"
        runtime = "" if entry.runtime == "async" else f"{entry.runtime} runtime"
        boxes[name] = BoxText(
            title=[name],
            suffix=f"×{entry.replicas}" if entry.replicas > 1 else "",
            lines=[[cls], [shape], [runtime]],
            bottom=[f"restart {entry.restart}", entry.restart] if entry.restart != "never" else [],
        )
    edges = {}
    bad = {(e.topic, e.consumer.streamlet) for e in application.edges if not e.compatible}
    for name, connection in application.connections.items():
        schema = type_name(connection.schema) if connection.schema is not None else "?"
        topic = connection.topic
        bottom = f"cap {topic.capacity}"
        if topic.overflow != "block":
            bottom += f" {topic.overflow}"
        consumers = {c.streamlet for c in connection.consumers}
        edges[name] = EdgeText(
            name=[name],
            middle=[schema],
            bottom=[bottom, f"cap {topic.capacity}"],
            style="",
            consumer_styles={c: "bold red" for c in consumers if (name, c) in bad},
            arrows={c: "✗" for c in consumers if (name, c) in bad},
            bottom_style="dim",
        )
    return boxes, edges
