"""Verification: find every problem of a blueprint before anything runs."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from sandbox.blueprint.layers import layer_config
from sandbox.blueprint.load import read_blueprint
from sandbox.blueprint.model import Blueprint, StreamletEntry
from sandbox.config import ConfigProblem, build_config, config_params
from sandbox.errors import Diagnostic, diagnostic, did_you_mean, quote_list
from sandbox.functions import FunctionStreamlet
from sandbox.verification.application import (
    Application,
    Connection,
    Edge,
    Instance,
    PortRef,
    Report,
)
from sandbox.verification.imports import check_class, import_path, resolve_class
from sandbox.verification.wiring import DEAD_LETTERS, Wiring

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from sandbox.streamlet import Streamlet, StreamletSpec

__all__ = [
    "DEAD_LETTERS",
    "Application",
    "Connection",
    "Edge",
    "Instance",
    "PortRef",
    "Report",
    "verify",
]


def verify(
    blueprint: Blueprint | str | os.PathLike[str],
    *,
    config_files: Iterable[str | os.PathLike[str]] = (),
    overrides: Sequence[str] = (),
    classes: Mapping[str, type[Streamlet]] | None = None,
) -> Report:
    """Check a blueprint completely and report every problem at once.

    Args:
        blueprint: a path to a blueprint file, or a loaded `Blueprint`.
        config_files: `--config` files, applied in order over the blueprint.
        overrides: `--set name.key=value` strings, applied last.
        classes: streamlet classes by instance name, used instead of
            importing their class references (the testkit builds
            applications around classes it is given).
    """
    problems: list[Diagnostic] = []
    if not isinstance(blueprint, Blueprint):
        loaded, problems = read_blueprint(blueprint)
        if loaded is None:
            return Report(file=os.fspath(blueprint), diagnostics=tuple(problems))
        blueprint = loaded
    blueprint, layer_problems = layer_config(blueprint, config_files, overrides)
    problems += layer_problems
    with import_path(blueprint.file):
        instances = _instances(blueprint, problems, classes or {})
    connections, edges = _wire(blueprint, instances, problems)
    application = Application(
        blueprint=blueprint, instances=instances, connections=connections, edges=edges
    )
    return Report(
        file=blueprint.file, diagnostics=tuple(_sorted(problems)), application=application
    )


def _instances(
    blueprint: Blueprint, problems: list[Diagnostic], classes: Mapping[str, type[Streamlet]]
) -> dict[str, Instance]:
    instances: dict[str, Instance] = {}
    reported = {d.streamlet for d in problems if d.code == "invalid-class-reference"}
    for name, entry in blueprint.streamlets.items():
        if name in reported:
            continue
        class_path = (*entry.path, "class")
        if blueprint.source.position(class_path) is None:
            class_path = entry.path  # written as name = "module:Class"
        given = classes.get(name)
        location = blueprint.locate(class_path)
        spec = (
            resolve_class(entry, location) if given is None else check_class(entry, given, location)
        )
        if isinstance(spec, Diagnostic):
            problems.append(spec)
            continue
        kind_problem = _runtime_kind_problem(entry, spec, blueprint)
        if kind_problem is not None:
            problems.append(kind_problem)
        config, config_problems = build_config(spec.config_type, entry.config)
        for p in config_problems:
            problems.append(_config_problem(p, Instance(entry=entry, spec=spec), blueprint))
        instances[name] = Instance(entry=entry, spec=spec, config=config)
    return instances


def _runtime_kind_problem(
    entry: StreamletEntry, spec: StreamletSpec, blueprint: Blueprint
) -> Diagnostic | None:
    """thread and process run a function streamlet's function; nothing else can move."""
    cls = spec.cls
    if entry.runtime == "async":
        return None
    if issubclass(cls, FunctionStreamlet) and cls.__sandbox_function__.kind != "ingress":
        return None
    what = "an ingress function" if issubclass(cls, FunctionStreamlet) else "a class streamlet"
    return diagnostic(
        "invalid-setting/runtime-kind",
        location=blueprint.locate((*entry.path, "runtime")),
        streamlet=entry.name,
        runtime=entry.runtime,
        name=entry.name,
        what=what,
    )


def _config_problem(problem: ConfigProblem, instance: Instance, blueprint: Blueprint) -> Diagnostic:
    entry = instance.entry
    location = entry.config_origin.get(problem.key) or blueprint.locate((*entry.path, "config"))
    cls = instance.spec.ref
    common: dict[str, Any] = {
        "location": location,
        "streamlet": entry.name,
        "cls": cls,
        "key": problem.key,
    }
    if problem.kind == "missing":
        return diagnostic(
            "missing-config-value", expected=problem.expected, name=entry.name, **common
        )
    if problem.kind == "invalid" and problem.key == "*":  # the Config's own cross-field check
        return diagnostic("invalid-config-value/combination", detail=problem.detail, **common)
    if problem.kind == "invalid":
        return diagnostic(
            "invalid-config-value",
            detail=problem.detail,
            expected=problem.expected or "valid values",
            **common,
        )
    if instance.spec.config_type is None:
        return diagnostic("unknown-config-key/none", **common)
    names = [p.name for p in config_params(instance.spec.config_type)]
    return diagnostic(
        "unknown-config-key",
        suggestion=did_you_mean(problem.key, names),
        choices=quote_list(names, conjunction="and"),
        **common,
    )


def _wire(
    blueprint: Blueprint, instances: dict[str, Instance], problems: list[Diagnostic]
) -> tuple[dict[str, Connection], tuple[Edge, ...]]:
    wiring = Wiring(blueprint, instances)
    connections, edges = wiring.resolve()
    problems.extend(wiring.problems)
    return connections, edges


def _sorted(problems: list[Diagnostic]) -> list[Diagnostic]:
    def key(d: Diagnostic) -> tuple[str, int, int]:
        return (d.file or "", d.line or 0, d.column or 0)

    return sorted(problems, key=key)
