"""Where each streamlet and topic goes when the topology is drawn left to right.

Streamlets are layered by their longest path from an ingress; each topic
sits in the column between its last producer and its first consumer, so
columns alternate: streamlets, topics, streamlets, ... An edge that skips
columns passes through them as a *dummy* node (a straight line). Within a
column, nodes are ordered by the barycentre of their neighbours (fewer
crossings), then placed top to bottom so that a chain of single-port
streamlets is one straight line. Only rows are decided here; column widths
depend on the terminal and are the renderer's business.
"""

from __future__ import annotations

import statistics
from collections import deque
from typing import TYPE_CHECKING, Final, Literal, final

from sandbox.view.lanes import assign_lanes

if TYPE_CHECKING:
    from sandbox.verification import Application, PortRef

__all__ = ["ColumnKind", "Layout", "Link", "Node", "NodeKind", "layout"]

NodeKind = Literal["streamlet", "topic", "dummy"]
ColumnKind = Literal["streamlet", "topic"]

GAP: Final = 1  # blank rows between two nodes of a column
TOPIC_HEIGHT: Final = 3  # name, line with the rate, fill


@final
class Node:
    """A box (streamlet), an edge label (topic) or a pass-through line (dummy)."""

    __slots__ = ("column", "inlets", "key", "kind", "name", "outlets", "y")

    def __init__(self, key: str, kind: NodeKind, name: str, column: int) -> None:
        self.key = key
        self.kind: NodeKind = kind
        self.name = name
        self.column = column
        self.inlets: list[str] = []
        self.outlets: list[str] = []
        self.y = 0

    @property
    def content(self) -> int:
        """Rows inside a streamlet box: three, or one per port if it has more."""
        return max(3, len(self.inlets), len(self.outlets))

    @property
    def height(self) -> int:
        """Rows the node takes."""
        if self.kind == "streamlet":
            return self.content + 2
        return TOPIC_HEIGHT if self.kind == "topic" else 1

    def attach(self, port: str | None, side: Literal["in", "out"]) -> int:
        """The row (from the node's top) where a line to `port` meets the node."""
        if self.kind == "topic":
            return 1
        if self.kind == "dummy" or port is None:
            return 0
        ports = self.inlets if side == "in" else self.outlets
        content = self.content
        if len(ports) <= 1:
            return 1 + (content - 1) // 2
        index = ports.index(port)
        return 1 + round(index * (content - 1) / (len(ports) - 1))


@final
class Link:
    """A line between nodes of adjacent columns, part of one topic's edges.

    `consumer` names the consuming streamlet on the topic's consumer side (the
    line takes the colour of that consumer's buffer); None on the producer side.
    """

    __slots__ = ("consumer", "lane", "source", "source_port", "target", "target_port", "topic")

    def __init__(
        self,
        source: Node,
        target: Node,
        topic: str,
        *,
        source_port: str | None = None,
        target_port: str | None = None,
        consumer: str | None = None,
    ) -> None:
        self.source = source
        self.target = target
        self.topic = topic
        self.source_port = source_port
        self.target_port = target_port
        self.consumer = consumer
        self.lane = 0  # which lane of its gap it turns in (see `lanes`)

    def source_y(self) -> int:
        """The row where the line leaves its source."""
        return self.source.y + self.source.attach(self.source_port, "out")

    def target_y(self) -> int:
        """The row where the line reaches its target."""
        return self.target.y + self.target.attach(self.target_port, "in")


@final
class Layout:
    """Columns of nodes with rows assigned, and the links between them."""

    def __init__(self, columns: list[list[Node]], kinds: list[ColumnKind], links: list[Link]):
        self.columns = columns
        self.kinds = kinds
        self.links = links
        self.lanes = assign_lanes(links, kinds)
        self.nodes = {n.key: n for column in columns for n in column}
        self.height = max((n.y + n.height for n in self.nodes.values()), default=0)
        self.streamlets = [n.name for col in columns for n in col if n.kind == "streamlet"]


def _ranks(names: list[str], application: Application) -> dict[str, int] | None:
    """Longest path from an ingress per streamlet; None if the graph has a cycle."""
    successors: dict[str, set[str]] = {name: set() for name in names}
    for connection in application.connections.values():
        for p in connection.producers:
            for c in connection.consumers:
                if p.streamlet in successors and c.streamlet in successors:
                    successors[p.streamlet].add(c.streamlet)
    indegree = dict.fromkeys(names, 0)
    for targets in successors.values():
        for target in targets:
            indegree[target] += 1
    rank = dict.fromkeys(names, 0)
    queue = deque(name for name in names if indegree[name] == 0)
    done = 0
    while queue:
        name = queue.popleft()
        done += 1
        for target in successors[name]:
            rank[target] = max(rank[target], rank[name] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                queue.append(target)
    return rank if done == len(names) else None


class _Builder:
    def __init__(self, application: Application, ranks: dict[str, int]) -> None:
        self.application = application
        self.nodes: list[Node] = []
        self.links: list[Link] = []
        self.streamlets: dict[str, Node] = {}
        for name, rank in ranks.items():
            self.streamlets[name] = self._node(f"s:{name}", "streamlet", name, 2 * rank)

    def _node(self, key: str, kind: NodeKind, name: str, column: int) -> Node:
        node = Node(key, kind, name, column)
        self.nodes.append(node)
        return node

    def _chain(self, source: Node, target: Node, topic: str, **ports: str | None) -> None:
        """Links from `source` to `target`, through a dummy in every column between."""
        previous, source_port = source, ports.get("source_port")
        for column in range(source.column + 1, target.column):
            dummy = self._node(f"d:{topic}:{source.key}:{target.key}:{column}", "dummy", "", column)
            self.links.append(
                Link(
                    previous, dummy, topic, source_port=source_port, consumer=ports.get("consumer")
                )
            )
            previous, source_port = dummy, None
        self.links.append(
            Link(
                previous,
                target,
                topic,
                source_port=source_port,
                target_port=ports.get("target_port"),
                consumer=ports.get("consumer"),
            )
        )

    def topics(self) -> None:
        for name, connection in self.application.connections.items():
            producers = [p for p in connection.producers if p.streamlet in self.streamlets]
            consumers = [c for c in connection.consumers if c.streamlet in self.streamlets]
            if producers:
                column = max(self.streamlets[p.streamlet].column for p in producers) + 1
            elif consumers:
                column = min(self.streamlets[c.streamlet].column for c in consumers) - 1
            else:
                continue
            topic = self._node(f"t:{name}", "topic", name, column)
            for p in producers:
                _add_port(self.streamlets[p.streamlet].outlets, p)
                self._chain(self.streamlets[p.streamlet], topic, name, source_port=p.port)
            for c in consumers:
                _add_port(self.streamlets[c.streamlet].inlets, c)
                self._chain(
                    topic, self.streamlets[c.streamlet], name, target_port=c.port,
                    consumer=c.streamlet,
                )  # fmt: skip


def _add_port(ports: list[str], ref: PortRef) -> None:
    if ref.port not in ports:
        ports.append(ref.port)


def layout(application: Application) -> Layout | None:
    """Lay the application out in columns; None when its topics form a cycle."""
    names = list(application.blueprint.streamlets)
    ranks = _ranks(names, application)
    if ranks is None:
        return None
    builder = _Builder(application, ranks)
    builder.topics()
    shift = -min((n.column for n in builder.nodes), default=0)
    for node in builder.nodes:
        node.column += shift
    width = max((n.column for n in builder.nodes), default=-1) + 1
    columns: list[list[Node]] = [[] for _ in range(width)]
    for node in builder.nodes:
        columns[node.column].append(node)
    kinds: list[ColumnKind] = [
        "streamlet" if (c - shift) % 2 == 0 else "topic" for c in range(width)
    ]
    _order(columns, builder.links)
    _order_ports(columns, builder.links)
    _place(columns, builder.links)
    return Layout(columns, kinds, builder.links)


def _order(columns: list[list[Node]], links: list[Link]) -> None:
    """A few barycentre sweeps, left to right then right to left."""
    before: dict[str, list[Node]] = {}
    after: dict[str, list[Node]] = {}
    for link in links:
        before.setdefault(link.target.key, []).append(link.source)
        after.setdefault(link.source.key, []).append(link.target)
    for column in columns:
        for position, node in enumerate(column):
            node.y = position  # positions during ordering; rows come later
    for _ in range(4):
        for c in range(1, len(columns)):
            _sort_column(columns[c], before)
        for c in range(len(columns) - 2, -1, -1):
            _sort_column(columns[c], after)


def _sort_column(column: list[Node], neighbours: dict[str, list[Node]]) -> None:
    index = {node.key: i for i, node in enumerate(column)}

    def key(node: Node) -> tuple[float, int]:
        near = neighbours.get(node.key)
        own = index[node.key]
        if not near:
            return (own, own)
        return (statistics.fmean(_position(n) for n in near), own)

    column.sort(key=key)
    for position, node in enumerate(column):
        node.y = position


def _position(node: Node) -> float:
    return node.y


def _order_ports(columns: list[list[Node]], links: list[Link]) -> None:
    """Ports of a box in the order of what they connect to, so lines do not cross."""
    out_at: dict[tuple[str, str], int] = {}
    in_at: dict[tuple[str, str], int] = {}
    for link in links:
        if link.source_port is not None:
            key = (link.source.key, link.source_port)
            out_at[key] = min(out_at.get(key, link.target.y), link.target.y)
        if link.target_port is not None:
            key = (link.target.key, link.target_port)
            in_at[key] = min(in_at.get(key, link.source.y), link.source.y)
    for column in columns:
        for node in column:
            name = node.key
            node.outlets.sort(key=lambda port: out_at.get((name, port), 0))
            node.inlets.sort(key=lambda port: in_at.get((name, port), 0))


def _place(columns: list[list[Node]], links: list[Link]) -> None:
    """Rows: aligned with what feeds a node, then moved down towards what it feeds."""
    incoming: dict[str, list[Link]] = {}
    outgoing: dict[str, list[Link]] = {}
    for link in links:
        incoming.setdefault(link.target.key, []).append(link)
        outgoing.setdefault(link.source.key, []).append(link)
    for column in columns:
        floor: int | None = None
        for node in column:
            feeds = incoming.get(node.key, [])
            wanted = [link.source_y() - node.attach(link.target_port, "in") for link in feeds]
            y = round(statistics.median(wanted)) if wanted else (floor or 0)
            node.y = y if floor is None else max(y, floor)
            floor = node.y + node.height + GAP
    for column in reversed(columns):
        for i in range(len(column) - 1, -1, -1):
            node = column[i]
            feeds = incoming.get(node.key, [])
            if any(link.source_y() == link.target_y() for link in feeds):
                continue  # straight from what feeds it: keep
            targets = outgoing.get(node.key, [])
            wanted = [link.target_y() - node.attach(link.source_port, "out") for link in targets]
            if not wanted:
                continue
            limit = column[i + 1].y - GAP - node.height if i + 1 < len(column) else None
            y = round(statistics.median(wanted))
            if y > node.y:
                node.y = y if limit is None else max(node.y, min(y, limit))
    top = min((n.y for column in columns for n in column), default=0)
    for column in columns:
        for node in column:
            node.y -= top
