"""Finding streamlet classes: imports with the blueprint's directory on sys.path."""

from __future__ import annotations

import importlib
import inspect
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.blueprint.check import describe_value
from sandbox.errors import (
    Diagnostic,
    Location,
    StreamletDefinitionError,
    diagnostic,
    did_you_mean,
    quote_list,
)
from sandbox.streamlet import Streamlet, StreamletSpec, streamlet_spec

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import ModuleType

    from sandbox.blueprint.model import StreamletEntry

__all__ = ["check_class", "import_path", "resolve_class"]

_OWN_CODE = str(Path(__file__).resolve().parents[1])


@contextmanager
def import_path(blueprint_file: str | None) -> Iterator[None]:
    """Put the blueprint's directory and the current directory first on sys.path."""
    extra = [str(Path.cwd())]
    if blueprint_file is not None:
        extra.insert(0, str(Path(blueprint_file).resolve().parent))
    added = [p for p in extra if p not in sys.path]
    sys.path[:0] = added
    importlib.invalidate_caches()
    try:
        yield
    finally:
        for p in added:
            if p in sys.path:
                sys.path.remove(p)


def _cause(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"SyntaxError: {exc.msg} ({exc.filename}, line {exc.lineno})"
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not (filename.startswith(("<frozen", _OWN_CODE)) or filename == importlib.__file__):
            where = f" ({filename}, line {tb.tb_lineno})"
        tb = tb.tb_next
    return f"{type(exc).__name__}: {exc}{where}"


def _import(module: str) -> ModuleType | BaseException:
    try:
        return importlib.import_module(module)
    except (Exception, SystemExit) as exc:  # user code at import time: anything
        return exc


def _streamlets_in(module: ModuleType) -> list[str]:
    return sorted(
        name
        for name, value in vars(module).items()
        if inspect.isclass(value)
        and issubclass(value, Streamlet)
        and value.__module__ == module.__name__
    )


def resolve_class(entry: StreamletEntry, location: Location) -> StreamletSpec | Diagnostic:
    """Import the class of a streamlet entry and derive its spec, or say why not."""
    module_name, _, qualname = entry.class_ref.partition(":")
    module = _import(module_name)
    common: dict[str, Any] = {"location": location, "streamlet": entry.name}
    if isinstance(module, StreamletDefinitionError) and module.streamlet == qualname:
        # A decorator rejected this very function while its module was imported.
        return diagnostic(
            "invalid-streamlet-definition",
            ref=entry.class_ref,
            reason=module.reason,
            port=module.port,
            **common,
        )
    if isinstance(module, BaseException):
        return diagnostic(
            "streamlet-not-found/module",
            module=module_name,
            ref=entry.class_ref,
            cause=_cause(module),
            suggestion="",
            **common,
        )
    value: object = module
    for part in qualname.split("."):
        value = getattr(value, part, None)
    if value is None:
        choices = _streamlets_in(module)
        return diagnostic(
            "streamlet-not-found/attribute",
            module=module_name,
            name=qualname,
            suggestion=did_you_mean(qualname, choices),
            choices=quote_list(choices, conjunction="and"),
            **common,
        )
    return check_class(entry, value, location)


def check_class(
    entry: StreamletEntry, value: object, location: Location
) -> StreamletSpec | Diagnostic:
    """The spec of `value` if it is a valid streamlet class, else the problem."""
    common: dict[str, Any] = {"location": location, "streamlet": entry.name}
    if not (inspect.isclass(value) and issubclass(value, Streamlet)):
        found = f"the class {value.__name__}" if inspect.isclass(value) else describe_value(value)
        return diagnostic("not-a-streamlet", ref=entry.class_ref, found=found, **common)
    try:
        return streamlet_spec(value)
    except StreamletDefinitionError as exc:
        return diagnostic(
            "invalid-streamlet-definition",
            ref=entry.class_ref,
            reason=exc.reason,
            port=exc.port,
            **common,
        )
