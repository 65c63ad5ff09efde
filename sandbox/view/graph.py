"""The static topology: `sandbox graph` as text, Mermaid, Graphviz DOT or JSON."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING, Literal

from sandbox.errors import plural
from sandbox.schema import type_name
from sandbox.view.layout import layout
from sandbox.view.render import column_widths, draw
from sandbox.view.texts import static_texts

if TYPE_CHECKING:
    from sandbox.verification import Application, Connection, Edge, PortRef

__all__ = [
    "GraphFormat",
    "graph_data",
    "render_dot",
    "render_graph",
    "render_mermaid",
    "render_text",
]

GraphFormat = Literal["text", "mermaid", "dot", "json"]


def render_graph(application: Application, fmt: GraphFormat, *, width: int = 100) -> str:
    """Render the application's topology in `fmt` (`text` drawn within `width` columns)."""
    if fmt == "mermaid":
        return render_mermaid(application)
    if fmt == "dot":
        return render_dot(application)
    if fmt == "json":
        return json.dumps(graph_data(application), indent=2)
    return render_text(application, width=width)


def _class_name(application: Application, name: str) -> str:
    instance = application.instances.get(name)
    if instance is None:
        return "?"
    return instance.spec.ref.rpartition(":")[2]


def _node_label(application: Application, name: str) -> str:
    replicas = application.blueprint.streamlets[name].replicas
    suffix = f" ×{replicas}" if replicas > 1 else ""
    return f"{name}{suffix}"


def _port_label(application: Application, ref: PortRef) -> str:
    """`streamlet.port`, then the replica count when there are several."""
    replicas = application.blueprint.streamlets[ref.streamlet].replicas
    return f"{ref} ×{replicas}" if replicas > 1 else str(ref)


def _topic_schema(connection: Connection) -> str:
    return type_name(connection.schema) if connection.schema is not None else "?"


def _bad_edges(application: Application) -> dict[tuple[str, str], list[Edge]]:
    bad: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for edge in application.edges:
        if not edge.compatible:
            bad[(edge.topic, edge.consumer.streamlet)].append(edge)
    return bad


def drawing(application: Application, width: int) -> list[str] | None:
    """The topology drawn as the live view draws it; None if it does not fit `width`."""
    laid = layout(application)
    if laid is None:
        return None
    boxes, edges = static_texts(application)
    widths = column_widths(laid, boxes, edges, width)
    if widths is None:
        return None
    return [row.plain.rstrip() for row in draw(laid, widths, boxes, edges).rows]


def render_text(application: Application, *, width: int = 100) -> str:
    """The drawing (if it fits `width`), then per topic: producers ─▶ [topic] ─▶ consumers."""
    streamlets = application.blueprint.streamlets
    lines = [
        f"{application.name}: {plural(len(streamlets), 'streamlet')}, "
        f"{plural(len(application.connections), 'topic')}",
        "",
    ]
    drawn = drawing(application, width)
    if drawn:
        lines += [*drawn, ""]
    bad = _bad_edges(application)
    for name, connection in application.connections.items():
        producers = (
            ", ".join(_port_label(application, p) for p in connection.producers) or "(no producer)"
        )
        consumers = []
        for c in connection.consumers:
            mark = " ✗ incompatible" if bad.get((name, c.streamlet)) else ""
            consumers.append(f"{_port_label(application, c)}{mark}")
        target = ", ".join(consumers) or "(no consumer)"
        lines.append(f"  {producers} ─▶ [{name} · {_topic_schema(connection)}] ─▶ {target}")
    for edges in bad.values():
        for edge in edges:
            lines.append(
                f"  ✗ {edge.producer} ({edge.producer_schema}) cannot feed "
                f"{edge.consumer} ({edge.consumer_schema})"
            )
    return "\n".join(lines)


def _ids(application: Application) -> dict[str, str]:
    return {name: f"s{i}" for i, name in enumerate(application.blueprint.streamlets)}


def render_mermaid(application: Application) -> str:
    """A Mermaid flowchart, left to right; incompatible edges dashed and marked."""
    ids = _ids(application)
    lines = ["flowchart LR"]
    for name, node in ids.items():
        label = (
            f"{_node_label(application, name)}<br/><small>{_class_name(application, name)}</small>"
        )
        lines.append(f'  {node}["{label}"]')
    for edge in application.edges:
        label = f"{edge.topic}: {edge.producer_schema}"
        a, b = ids[edge.producer.streamlet], ids[edge.consumer.streamlet]
        if edge.compatible:
            lines.append(f'  {a} -- "{label}" --> {b}')
        else:
            lines.append(f'  {a} -. "{label} ✗ {edge.consumer_schema}" .-> {b}')
    bad = [i for i, e in enumerate(application.edges) if not e.compatible]
    if bad:
        lines.append(f"  linkStyle {','.join(map(str, bad))} stroke:#d00,stroke-width:2px")
    return "\n".join(lines)


def _dot_quote(*lines: str) -> str:
    """A DOT string of `lines`, escaped, joined by DOT's own line breaks."""
    escaped = (line.replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def render_dot(application: Application) -> str:
    """A Graphviz digraph, left to right; incompatible edges red and dashed."""
    lines = [
        f"digraph {_dot_quote(application.name)} {{",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for name in application.blueprint.streamlets:
        label = _dot_quote(_node_label(application, name), _class_name(application, name))
        lines.append(f"  {_dot_quote(name)} [label={label}];")
    for edge in application.edges:
        attrs = f"label={_dot_quote(edge.topic, edge.producer_schema)}"
        if not edge.compatible:
            attrs += f", color=red, style=dashed, xlabel={_dot_quote('✗ ' + edge.consumer_schema)}"
        lines.append(
            f"  {_dot_quote(edge.producer.streamlet)} -> {_dot_quote(edge.consumer.streamlet)} "
            f"[{attrs}];"
        )
    lines.append("}")
    return "\n".join(lines)


def graph_data(application: Application) -> dict[str, object]:
    """The topology as JSON-ready data."""
    streamlets = []
    for name, entry in application.blueprint.streamlets.items():
        instance = application.instances.get(name)
        ports = instance.spec.ports if instance else ()
        streamlets.append(
            {
                "name": name,
                "class": entry.class_ref,
                "shape": instance.spec.shape if instance else None,
                "replicas": entry.replicas,
                "inlets": [
                    {"name": p.name, "schema": type_name(p.schema)}
                    for p in ports
                    if p.direction == "inlet"
                ],
                "outlets": [
                    {"name": p.name, "schema": type_name(p.schema)}
                    for p in ports
                    if p.direction == "outlet"
                ],
            }
        )
    topics = [
        {
            "name": c.name,
            "schema": _topic_schema(c),
            "capacity": c.topic.capacity,
            "overflow": c.topic.overflow,
            "producers": [str(p) for p in c.producers],
            "consumers": [str(p) for p in c.consumers],
        }
        for c in application.connections.values()
    ]
    edges = [
        {
            "topic": e.topic,
            "from": str(e.producer),
            "to": str(e.consumer),
            "producer_schema": e.producer_schema,
            "consumer_schema": e.consumer_schema,
            "compatible": e.compatible,
        }
        for e in application.edges
    ]
    return {"name": application.name, "streamlets": streamlets, "topics": topics, "edges": edges}
