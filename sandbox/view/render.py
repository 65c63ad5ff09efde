"""Drawing a laid-out topology: streamlets as boxes, topics as labelled edges.

The same vocabulary serves the live view and `sandbox graph`: a box has a
title (name, `×N` replicas) and three lines; a topic sits on its edge with
its name above the line, a figure on the line and a third line below. What
the lines say comes from `BoxText` / `EdgeText`, built from a live snapshot
(`live_texts`) or from the blueprint alone (`static_texts`). Each text is a
list of choices, longest first: the first that fits the column is drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, NamedTuple

from sandbox.view.canvas import Canvas

if TYPE_CHECKING:
    from rich.text import Text

    from sandbox.view.layout import Layout, Link, Node

__all__ = ["BoxText", "EdgeText", "Topology", "column_widths", "draw", "fit"]

BOX_MIN: Final = 12
BOX_MAX: Final = 26
BOX_ROOMY: Final = 17  # boxes grow to this when the terminal has room
TOPIC_MIN: Final = 8
TOPIC_MAX: Final = 24
PASS_MIN: Final = 4  # a column crossed only by lines


class BoxText(NamedTuple):
    """What a streamlet box says; every field is a list of choices, longest first."""

    title: list[str]
    lines: list[list[str]]
    bottom: list[str]
    style: str = ""
    line_styles: tuple[str, ...] = ()
    heavy: bool = False
    suffix: str = ""  # kept when the title is cut (`×2` replicas)


class EdgeText(NamedTuple):
    """What a topic edge says, and the style of its lines (per consumer if given)."""

    name: list[str]
    middle: list[str]
    bottom: list[str]
    style: str = ""
    consumer_styles: dict[str, str] = {}  # noqa: RUF012  # NamedTuple default, never mutated
    arrows: dict[str, str] = {}  # noqa: RUF012  # consumer -> arrow head ("▶" by default)
    bottom_style: str = ""


class Topology(NamedTuple):
    """The drawn topology: its rows, and where each streamlet box is."""

    rows: list[Text]
    boxes: dict[str, tuple[int, int, int, int]]


def fit(choices: list[str], width: int) -> str:
    """The first choice that fits `width`, else the last one cut with an ellipsis."""
    for choice in choices:
        if len(choice) <= width:
            return choice
    if not choices or width <= 0:
        return ""
    return choices[-1][: width - 1] + "…"


def _extra_lanes(layout: Layout, column: int) -> int:
    """Cells a topic column needs beyond one lane on each side."""
    return layout.lanes.get((column, "in"), 1) + layout.lanes.get((column, "out"), 1) - 2


def _wanted(layout: Layout, boxes: dict[str, BoxText], edges: dict[str, EdgeText]) -> list[int]:
    wanted = []
    for c, (column, kind) in enumerate(zip(layout.columns, layout.kinds, strict=True)):
        real = [n for n in column if n.kind != "dummy"]
        if not real:
            wanted.append(PASS_MIN + (_extra_lanes(layout, c) if kind == "topic" else 0))
        elif kind == "streamlet":
            need = max(
                max(
                    len(boxes[n.name].title[0] + boxes[n.name].suffix) + 4,
                    len(boxes[n.name].bottom[0]) + 2 if boxes[n.name].bottom else 0,
                )
                for n in real
            )
            need = max(need, *(len(line[0]) + 4 for n in real for line in boxes[n.name].lines))
            wanted.append(min(max(need, BOX_MIN + 1), BOX_MAX))
        else:
            texts = [edges[n.name] for n in real]
            need = max(
                max(len(e.name[0]) + 2, len(e.middle[0]) + 6, len(e.bottom[0]) + 2) for e in texts
            )
            wanted.append(min(max(need, TOPIC_MIN + 2), TOPIC_MAX) + _extra_lanes(layout, c))
    return wanted


def _minimum(layout: Layout, topic: int, boxes: dict[str, BoxText] | None = None) -> list[int]:
    """Narrowest columns: with `boxes`, wide enough for every full title."""
    least = []
    for c, (column, kind) in enumerate(zip(layout.columns, layout.kinds, strict=True)):
        real = [n for n in column if n.kind != "dummy"]
        extra = _extra_lanes(layout, c) if kind == "topic" else 0
        if not real:
            least.append(PASS_MIN + extra)
        elif kind == "topic":
            least.append(topic + extra)
        elif boxes is None:
            least.append(BOX_MIN)
        else:
            titles = (len(boxes[n.name].title[-1] + boxes[n.name].suffix) + 2 for n in real)
            least.append(max(BOX_MIN, *titles))
    return least


def column_widths(
    layout: Layout, boxes: dict[str, BoxText], edges: dict[str, EdgeText], width: int
) -> list[int] | None:
    """Widths of the columns within `width`; None when even the narrowest do not fit."""
    widths = _wanted(layout, boxes, edges)
    if sum(_minimum(layout, TOPIC_MIN)) > width:
        return None
    # Boxes give way first, down to their full names; then to their minimum
    # (names cut), while topics keep room for their names; then topics.
    tiers = (
        _minimum(layout, TOPIC_MIN + 2, boxes),
        _minimum(layout, TOPIC_MIN + 2),
        _minimum(layout, TOPIC_MIN),
    )
    for least in tiers:
        while sum(widths) > width and any(w > m for w, m in zip(widths, least, strict=True)):
            i = max(range(len(widths)), key=lambda c: (widths[c] - least[c], c))
            widths[i] -= 1
    real = [any(n.kind != "dummy" for n in column) for column in layout.columns]
    topics = [c for c, kind in enumerate(layout.kinds) if kind == "topic" and real[c]]
    boxes_ = [c for c, kind in enumerate(layout.kinds) if kind == "streamlet" and real[c]]
    _grow(widths, topics, TOPIC_MAX, width)  # longer edges read better
    _grow(widths, boxes_, BOX_ROOMY, width)
    return widths


def _grow(widths: list[int], columns: list[int], limit: int, width: int) -> None:
    """Widen `columns` one cell at a time, up to `limit` each, while `width` allows."""
    while sum(widths) < width:
        grown = False
        for c in columns:
            if sum(widths) < width and widths[c] < limit:
                widths[c] += 1
                grown = True
        if not grown:
            return


def draw(
    layout: Layout, widths: list[int], boxes: dict[str, BoxText], edges: dict[str, EdgeText]
) -> Topology:
    """Draw every node and link on a canvas of the layout's size."""
    xs = [sum(widths[:c]) for c in range(len(widths))]
    canvas = Canvas(sum(widths), layout.height)
    where: dict[str, tuple[int, int, int, int]] = {}
    for link in layout.links:
        _link(canvas, link, xs, widths, layout, edges[link.topic])
    for column in layout.columns:
        for node in column:
            x, w = xs[node.column], widths[node.column]
            if node.kind == "streamlet":
                where[node.name] = (x, node.y, w, node.height)
                _box(canvas, node, x, w, boxes[node.name], layout)
            elif node.kind == "topic":
                _edge_label(canvas, node, x, w, edges[node.name], layout)
            elif layout.kinds[node.column] == "streamlet":
                canvas.hline(x, x + w - 1, node.y, _link_style(node, layout, edges))
            else:
                left, right = _ends(node, x, w, layout)
                canvas.hline(left, right, node.y, _link_style(node, layout, edges))
    return Topology(canvas.rows(), where)


def _ends(node: Node, x: int, w: int, layout: Layout) -> tuple[int, int]:
    """Where a node of a topic column meets its lanes: left (in) and right (out)."""
    ins = [link.lane for link in layout.links if link.target is node]
    outs = [link.lane for link in layout.links if link.source is node]
    return (x + 1 + ins[0] if ins else x + 2), (x + w - 2 - outs[0] if outs else x + w - 3)


def _link_style(node: Node, layout: Layout, edges: dict[str, EdgeText]) -> str:
    for link in layout.links:
        if link.target is node:
            edge = edges[link.topic]
            return edge.consumer_styles.get(link.consumer or "", edge.style)
    return ""


def _link(
    canvas: Canvas,
    link: Link,
    xs: list[int],
    widths: list[int],
    layout: Layout,
    edge: EdgeText,
) -> None:
    k = link.source.column
    a, b = link.source, link.target
    style = edge.consumer_styles.get(link.consumer, edge.style) if link.consumer else edge.style
    y0, y1 = link.source_y(), link.target_y()
    if layout.kinds[k] == "streamlet":
        lane = xs[k + 1] + 1 + link.lane
        start = xs[k + 1] if a.kind == "streamlet" else xs[k] + widths[k] - 1
        canvas.path(start, y0, lane, y1, lane, style)
        return
    lane = xs[k] + widths[k] - 2 - link.lane
    if b.kind == "streamlet":
        head = xs[k] + widths[k] - 1
        canvas.path(lane, y0, lane, y1, head, style)
        canvas.put(head, y1, edge.arrows.get(link.consumer or "", "▶"), style)
    else:
        canvas.path(lane, y0, lane, y1, xs[k + 1], style)


def _box(canvas: Canvas, node: Node, x: int, w: int, text: BoxText, layout: Layout) -> None:
    canvas.box(x, node.y, w, node.height, text.style, heavy=text.heavy)
    inner = w - 2
    title = _title(text, inner)
    canvas.text(x + 1, node.y, title, f"bold {text.style}".strip())
    for i, line in enumerate(text.lines[: node.content]):
        style = text.line_styles[i] if i < len(text.line_styles) else ""
        shown = fit([c for choice in line for c in (f" {choice}", choice)], inner)
        canvas.text(x + 1, node.y + 1 + i, shown, style)
    bottom = fit([c for choice in text.bottom if choice for c in (f" {choice} ", choice)], inner)
    canvas.text(x + 1, node.y + node.height - 1, bottom, text.style)
    linked = {link.source_port for link in layout.links if link.source is node}
    for port in node.outlets:
        if port in linked:
            glyph = "┣" if text.heavy else "├"
            canvas.put(x + w - 1, node.y + node.attach(port, "out"), glyph, text.style)


def _title(text: BoxText, inner: int) -> str:
    suffix = text.suffix
    choices = [c for t in text.title for c in (f" {t}{suffix} ", f"{t}{suffix}")]
    for choice in choices:
        if len(choice) <= inner:
            return choice
    return fit([text.title[-1]], inner - len(suffix)) + suffix if suffix else fit(choices, inner)


def _edge_label(canvas: Canvas, node: Node, x: int, w: int, edge: EdgeText, layout: Layout) -> None:
    line_y = node.y + 1
    start, end = _ends(node, x, w, layout)
    canvas.hline(start, end, line_y, edge.style)
    inner_left = x + 1 + layout.lanes.get((node.column, "in"), 1)
    inner_right = x + w - 2 - layout.lanes.get((node.column, "out"), 1)
    middle = fit([f" {m} " for m in edge.middle] + edge.middle, inner_right - inner_left + 1)
    _centred(canvas, inner_left, inner_right, line_y, middle, edge.style)
    for y, choices, style in (
        (node.y, edge.name, f"bold {edge.style}".strip()),
        (node.y + 2, edge.bottom, edge.bottom_style or edge.style),
    ):
        left, right = inner_left, inner_right
        while left > x + 1 and canvas.free(left - 1, y):  # over lanes no line uses here
            left -= 1
        while right < x + w - 2 and canvas.free(right + 1, y):
            right += 1
        _centred(canvas, left, right, y, fit(choices, right - left + 1), style)


def _centred(canvas: Canvas, left: int, right: int, y: int, text: str, style: str) -> None:
    room = right - left + 1
    if room <= 0 or not text:
        return
    canvas.text(left + max(room - len(text), 0) // 2, y, text[:room], style)
