"""Reading blueprint files: bytes -> document -> checked `Blueprint`.

`read_blueprint` never raises for bad input: every problem in the file comes
back as a `Diagnostic` with its line and column. `load_blueprint` raises
`BlueprintError` carrying them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Final

from sandbox.blueprint.check import TableChecker, describe_value
from sandbox.blueprint.model import Blueprint, Endpoint, StreamletEntry, Topic
from sandbox.blueprint.settings import streamlet_settings, topic_settings
from sandbox.blueprint.sourcemap import (
    PathKey,
    SourceMap,
    SourceSyntaxError,
    parse_toml,
    parse_yaml,
)
from sandbox.errors import BlueprintError, Diagnostic, Location, diagnostic

__all__ = [
    "MAX_BLUEPRINT_BYTES",
    "dns_label",
    "load_blueprint",
    "parse_blueprint",
    "read_blueprint",
    "read_text",
]

MAX_BLUEPRINT_BYTES: Final = 8 * 1024 * 1024
_FORMATS: Final = {".toml": "TOML", ".yaml": "YAML", ".yml": "YAML"}
_TOP_KEYS: Final = ("blueprint", "streamlets", "topics", "connections")
_DNS_LABEL: Final = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_TOPIC_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,248}$")


def load_blueprint(path: str | os.PathLike[str]) -> Blueprint:
    """Load a blueprint file and check its structure.

    Raises:
        BlueprintError: the file is missing, unreadable or malformed; carries
            every problem found.
    """
    blueprint, problems = read_blueprint(path)
    if blueprint is None or any(p.severity == "error" for p in problems):
        raise BlueprintError(problems)
    return blueprint


def read_blueprint(path: str | os.PathLike[str]) -> tuple[Blueprint | None, list[Diagnostic]]:
    """Load a blueprint file, returning it (None if unusable) and every problem."""
    file = os.fspath(path)
    text, fmt, problem = read_text(Path(file))
    if problem is not None:
        return None, [problem]
    return parse_blueprint(text, file=file, fmt=fmt)


def parse_blueprint(
    text: str, *, file: str | None = None, fmt: str = "TOML"
) -> tuple[Blueprint | None, list[Diagnostic]]:
    """Parse blueprint text in `fmt` ("TOML" or "YAML")."""
    try:
        parse = parse_toml if fmt == "TOML" else parse_yaml
        data, source, duplicates = parse(text, file)
    except SourceSyntaxError as exc:
        location = Location(file=file, line=exc.line, column=exc.column)
        return None, [diagnostic("syntax-error", location=location, format=fmt, detail=exc.detail)]
    checker = TableChecker(source)
    for dup in duplicates:
        location = Location(
            file=file, line=dup.line, column=dup.column, path=source.locate(dup.path).path
        )
        in_streamlet = len(dup.path) >= 2 and dup.path[0] == "streamlets"
        streamlet = str(dup.path[1]) if in_streamlet else None
        if in_streamlet and len(dup.path) == 2:
            checker.add(
                diagnostic(
                    "duplicate-streamlet-name",
                    location=location,
                    streamlet=streamlet,
                    name=dup.path[1],
                    first=dup.first_line,
                )
            )
        else:  # the first definition is kept: say so rather than drop the second silently
            checker.add(
                diagnostic(
                    "format-error/duplicate-key",
                    location=location,
                    streamlet=streamlet,
                    key=dup.path[-1],
                    first=dup.first_line,
                )
            )
    return _build(data, file, source, checker), checker.problems


def read_text(path: Path) -> tuple[str, str, Diagnostic | None]:
    def fail(variant: str, **values: Any) -> tuple[str, str, Diagnostic]:
        return "", "", diagnostic(variant, location=Location(file=str(path)), **values)

    if path.is_dir():
        return fail("format-error/not-a-file", found="a directory")
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        return fail("format-error/extension", suffix=path.suffix or "(none)")
    try:
        size = path.stat().st_size
        if size > MAX_BLUEPRINT_BYTES:
            return fail("format-error/too-large", size=size, limit=MAX_BLUEPRINT_BYTES)
        raw = path.read_bytes()
    except OSError as exc:
        return fail("format-error/unreadable", detail=exc.strerror or str(exc))
    if b"\x00" in raw:
        return fail("format-error/binary", detail="it contains NUL bytes")
    try:
        return raw.decode("utf-8-sig"), fmt, None
    except UnicodeDecodeError as exc:
        return fail("format-error/binary", detail=f"not UTF-8 at byte {exc.start}")


def _build(
    data: dict[str, object], file: str | None, source: SourceMap, checker: TableChecker
) -> Blueprint | None:
    checker.unknown_keys(data, _TOP_KEYS, (), "the blueprint")
    name = _app_name(data, file, checker)
    streamlets = _streamlets(data.get("streamlets"), checker)
    topics = _topics(data.get("topics"), checker)
    for topic in _connections(data.get("connections"), checker):
        if topic.name in topics:
            checker.setting(
                topic.path,
                "topic name",
                f"connection '{topic.name}'",
                "different from every topic in [topics]",
                f"'{topic.name}' again",
                "rename the topic in [topics], or drop the duplicate connection",
            )
        else:
            topics[topic.name] = topic
    if not streamlets and not checker.problems:
        checker.add(diagnostic("empty-blueprint", location=source.locate(("streamlets",))))
    return Blueprint(name=name, file=file, streamlets=streamlets, topics=topics, source=source)


def _app_name(data: dict[str, object], file: str | None, checker: TableChecker) -> str:
    header = checker.table(data.get("blueprint", {}), ("blueprint",)) or {}
    checker.unknown_keys(header, ("name", "description"), ("blueprint",), "[blueprint]")
    default = dns_label(Path(file).stem) if file else "blueprint"
    name = checker.string(header.get("name", default), ("blueprint", "name"))
    if name is None:
        return default
    if not _DNS_LABEL.match(name):
        checker.setting(
            ("blueprint", "name"),
            "name",
            "the blueprint",
            "a DNS-1123 label",
            repr(name),
            f"for example '{dns_label(name)}'",
        )
    return name


def dns_label(name: str) -> str:
    """The closest DNS-1123 label to `name`, for hints."""
    label = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:63].strip("-")
    return label or "app"


def _streamlets(value: object, checker: TableChecker) -> dict[str, StreamletEntry]:
    result: dict[str, StreamletEntry] = {}
    table = None if value is None else checker.table(value, ("streamlets",))
    if table is None:
        return result
    for name, value in table.items():
        path: PathKey = ("streamlets", name)
        if not _DNS_LABEL.match(name):
            checker.add(
                diagnostic(
                    "invalid-streamlet-name",
                    location=checker.locate(path),
                    streamlet=name,
                    name=name,
                    fixed=dns_label(name),
                )
            )
        entry = streamlet_settings(name, value, path, checker)
        if entry is not None:
            result[name] = entry
    return result


def _topics(value: object, checker: TableChecker) -> dict[str, Topic]:
    result: dict[str, Topic] = {}
    table = None if value is None else checker.table(value, ("topics",))
    if table is None:
        return result
    for name, value in table.items():
        path: PathKey = ("topics", name)
        _check_topic_name(name, path, checker)
        topic = topic_settings(name, value, path, checker)
        if topic is not None:
            result[name] = topic
    return result


def _check_topic_name(name: str, path: PathKey, checker: TableChecker) -> None:
    if not _TOPIC_NAME.match(name):
        checker.add(diagnostic("invalid-topic-name", location=checker.locate(path), name=name))


def _connections(value: object, checker: TableChecker) -> list[Topic]:
    table = None if value is None else checker.table(value, ("connections",))
    if table is None:
        return []
    topics = []
    for outlet, consumers in table.items():
        path: PathKey = ("connections", outlet)
        _check_topic_name(outlet, path, checker)
        if isinstance(consumers, str):
            consumers = [consumers]
        if not isinstance(consumers, list) or not all(isinstance(c, str) for c in consumers):
            checker.type_error(path, "a list of port paths", describe_value(consumers))
            continue
        topics.append(
            Topic(
                name=outlet,
                path=path,
                producers=(Endpoint(text=outlet, path=path),),
                consumers=tuple(Endpoint(text=c, path=(*path, i)) for i, c in enumerate(consumers)),
            )
        )
    return topics
