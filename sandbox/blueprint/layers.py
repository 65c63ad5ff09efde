"""Config layering: class defaults < blueprint < `--config FILE` < `--set`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from sandbox.blueprint.check import TableChecker
from sandbox.blueprint.load import read_text
from sandbox.blueprint.sourcemap import SourceSyntaxError, parse_toml, parse_yaml
from sandbox.errors import Diagnostic, Location, diagnostic, did_you_mean, quote_list

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sandbox.blueprint.model import Blueprint

__all__ = ["layer_config", "parse_override"]


def parse_override(text: str) -> tuple[str, str, str] | None:
    """Split `name.key=value` into its parts; None if it has another form."""
    target, sep, value = text.partition("=")
    name, dot, key = target.strip().partition(".")
    if not (sep and dot and name and key):
        return None
    return name, key.strip(), value


def layer_config(
    blueprint: Blueprint,
    config_files: Iterable[str | os.PathLike[str]] = (),
    overrides: Sequence[str] = (),
) -> tuple[Blueprint, list[Diagnostic]]:
    """Apply config files, then `--set name.key=value` overrides, in order.

    `--set` values are strings; they are converted to each parameter's type
    when the config is built. Returns the layered blueprint and any problem
    (unknown streamlets, unreadable files).
    """
    problems: list[Diagnostic] = []
    entries = dict(blueprint.streamlets)
    layers: list[tuple[str, str, object, Location]] = []
    for file in config_files:
        layers.extend(_file_layer(os.fspath(file), problems))
    for text in overrides:
        location = Location(file=f"--set {text}", path="")
        parsed = parse_override(text)
        if parsed is None:
            problems.append(
                diagnostic(
                    "invalid-setting",
                    location=location,
                    setting="--set",
                    where="the command line",
                    expected="NAME.KEY=VALUE",
                    found=repr(text),
                    hint="for example --set ingress.rate=100",
                )
            )
            continue
        layers.append((parsed[0], parsed[1], parsed[2], location))
    for name, key, value, location in layers:
        entry = entries.get(name)
        if entry is None:
            problems.append(
                diagnostic(
                    "unknown-config-key/streamlet",
                    location=location,
                    streamlet=name,
                    name=name,
                    suggestion=did_you_mean(name, entries),
                    choices=quote_list(entries, conjunction="and"),
                )
            )
            continue
        entries[name] = msgspec.structs.replace(
            entry,
            config={**entry.config, key: value},
            config_origin={**entry.config_origin, key: location},
        )
    return msgspec.structs.replace(blueprint, streamlets=entries), problems


def _file_layer(file: str, problems: list[Diagnostic]) -> list[tuple[str, str, object, Location]]:
    text, fmt, problem = read_text(Path(file))
    if problem is not None:
        problems.append(problem)
        return []
    try:
        parse = parse_toml if fmt == "TOML" else parse_yaml
        data, source, _ = parse(text, file)
    except SourceSyntaxError as exc:
        location = Location(file=file, line=exc.line, column=exc.column)
        problems.append(
            diagnostic("syntax-error", location=location, format=fmt, detail=exc.detail)
        )
        return []
    checker = TableChecker(source)
    checker.unknown_keys(data, ("streamlets",), (), "a config file")
    layer = []
    streamlets = checker.table(data.get("streamlets", {}), ("streamlets",)) or {}
    for name, entry in streamlets.items():
        table = checker.table(entry, ("streamlets", name)) or {}
        checker.unknown_keys(table, ("config",), ("streamlets", name), f"[streamlets.{name}]")
        config = checker.table(table.get("config", {}), ("streamlets", name, "config")) or {}
        for key, value in config.items():
            layer.append((name, key, value, source.locate(("streamlets", name, "config", key))))
    problems.extend(checker.problems)
    return layer
