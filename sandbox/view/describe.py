"""`sandbox describe`: a streamlet class or a whole blueprint, as text or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from sandbox.errors import plural
from sandbox.streamlet import Descriptor, describe

if TYPE_CHECKING:
    from sandbox.verification import Application

__all__ = ["application_data", "descriptor_table", "render_application", "render_descriptor"]


def descriptor_table(descriptor: Descriptor, *, title: str | None = None) -> RenderableType:
    """A descriptor as rich renderables: header, ports, parameters."""
    header = Text.assemble((title or descriptor.name, "bold"), f"  ({descriptor.shape})")
    parts: list[RenderableType] = [header]
    if descriptor.doc:
        parts.append(Text(descriptor.doc.splitlines()[0], style="italic"))
    ports = Table(box=None, pad_edge=False, show_header=True, header_style="dim")
    for column in ("port", "direction", "schema", "fingerprint"):
        ports.add_column(column)
    for port in descriptor.ports:
        ports.add_row(port.name, port.direction, port.schema, port.fingerprint)
    parts.append(ports)
    if descriptor.config:
        params = Table(box=None, pad_edge=False, show_header=True, header_style="dim")
        for column in ("parameter", "type", "default"):
            params.add_column(column)
        for p in descriptor.config:
            params.add_row(p.name, p.type, "(required)" if p.required else str(p.default))
        parts.append(params)
    return Group(*parts)


def render_descriptor(descriptor: Descriptor, console: Console) -> None:
    """Print one streamlet class."""
    console.print(descriptor_table(descriptor))


def render_application(application: Application, console: Console) -> None:
    """Print every instance of a blueprint: class, settings, ports with topics."""
    console.print(
        Text.assemble(
            (application.name, "bold"),
            f"  {plural(len(application.blueprint.streamlets), 'streamlet')}, "
            f"{plural(len(application.connections), 'topic')}",
        )
    )
    topic_of = {
        str(ref): name
        for name, c in application.connections.items()
        for ref in (*c.producers, *c.consumers)
    }
    for name, instance in application.instances.items():
        entry = instance.entry
        console.print()
        console.print(
            descriptor_table(describe(instance.spec.cls), title=f"{name} = {entry.class_ref}")
        )
        settings = f"replicas {entry.replicas}, runtime {entry.runtime}, restart {entry.restart}"
        console.print(Text(f"  {settings}, on-error {entry.on_error}", style="dim"))
        for port in instance.spec.ports:
            topic = topic_of.get(f"{name}.{port.name}", "(not connected)")
            arrow = "←" if port.direction == "inlet" else "→"
            console.print(f"  {port.name} {arrow} {topic}")
        if entry.config:
            shown = ", ".join(f"{k} = {v!r}" for k, v in entry.config.items())
            console.print(f"  config: {shown}")


def application_data(application: Application) -> dict[str, object]:
    """Every instance with its descriptor, settings and config, as JSON-ready data."""
    streamlets = {}
    for name, instance in application.instances.items():
        entry = instance.entry
        streamlets[name] = {
            "class": entry.class_ref,
            "replicas": entry.replicas,
            "runtime": entry.runtime,
            "restart": entry.restart,
            "on_error": entry.on_error,
            "config": msgspec.to_builtins(instance.config) if instance.config else entry.config,
            "descriptor": msgspec.to_builtins(describe(instance.spec.cls)),
        }
    return {"name": application.name, "file": application.blueprint.file, "streamlets": streamlets}
