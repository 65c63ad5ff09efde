"""Function streamlets: `@processor`, `@ingress` and `@egress`.

Each decorator turns a plain (sync or async) function into a `Streamlet`
subclass typed from the function's annotations, with ports `in` and `out`.
The original function stays reachable as `.fn`. A parameter named `ctx`
receives the `Context`; `config=` gives the streamlet typed parameters.
"""

from __future__ import annotations

import collections.abc as cabc
import inspect
import types
import typing
from typing import Any, Final, Literal, final, overload

from sandbox.errors import StreamletDefinitionError
from sandbox.ports import Inlet, InletReader, Outlet, OutletWriter
from sandbox.streamlet import Context, Streamlet

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    import msgspec

__all__ = ["FunctionInfo", "FunctionStreamlet", "egress", "ingress", "processor"]

Kind = Literal["processor", "ingress", "egress"]

_MANY: Final = {
    cabc.Iterable,
    cabc.Iterator,
    cabc.Generator,
    cabc.Sequence,
    list,
    tuple,
    cabc.AsyncIterator,
    cabc.AsyncIterable,
    cabc.AsyncGenerator,
}


@final
class FunctionInfo:
    """How to call the function behind a function streamlet."""

    def __init__(self, kind: Kind, fn: Callable[..., Any], *, many: bool) -> None:
        self.kind = kind
        self.fn = fn
        self.many = many
        self.is_async = inspect.iscoroutinefunction(fn)
        self.is_async_gen = inspect.isasyncgenfunction(fn)
        self.takes_ctx = "ctx" in inspect.signature(fn).parameters

    def bind(self, ctx: Context[Any]) -> Callable[..., Any]:
        """The function with `ctx` filled in when it asks for it."""
        if not self.takes_ctx:
            return self.fn
        fn = self.fn
        if self.kind == "ingress":
            return lambda: fn(ctx=ctx)
        return lambda record: fn(record, ctx=ctx)


class FunctionStreamlet(Streamlet):
    """Base of the classes the decorators generate."""

    __sandbox_function__: typing.ClassVar[FunctionInfo]
    fn: typing.ClassVar[Callable[..., Any]]

    async def run(self, ctx: Context[Any]) -> None:
        """Call the function per record (the runtime may call it over batches)."""
        info = type(self).__sandbox_function__
        call = info.bind(ctx)
        ports = vars(self)
        if info.kind == "ingress":
            await _run_ingress(info, call, ports["outlet"], ctx)
        elif info.kind == "egress":
            await _run_egress(info, call, ports["inlet"])
        else:
            await _run_processor(info, call, ports["inlet"], ports["outlet"])


async def _run_ingress(
    info: FunctionInfo, call: Callable[..., Any], out: OutletWriter[Any], ctx: Context[Any]
) -> None:
    if info.is_async_gen:
        agen: AsyncIterator[Any] = call()
        try:
            async for record in agen:
                await out.send(record)
                if ctx.stopping.is_set():
                    break
        finally:
            await typing.cast("cabc.AsyncGenerator[Any, None]", agen).aclose()
        return
    for record in call():
        await out.send(record)
        if ctx.stopping.is_set():
            break


async def _run_egress(
    info: FunctionInfo, call: Callable[..., Any], inlet: InletReader[Any]
) -> None:
    async for record in inlet:
        result = call(record)
        if info.is_async:
            await result


async def _run_processor(
    info: FunctionInfo, call: Callable[..., Any], inlet: InletReader[Any], out: OutletWriter[Any]
) -> None:
    async for record in inlet:
        result = call(record)
        if info.is_async_gen:
            async for item in result:
                await out.send(item)
            continue
        if info.is_async:
            result = await result
        if info.many:
            await out.send_many(result)
        elif result is not None:
            await out.send(result)


def _hints(fn: Callable[..., object]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:  # NameError, TypeError...: any failure to resolve
        reason = f"its annotations cannot be resolved: {exc}"
        raise StreamletDefinitionError(fn.__qualname__, reason) from exc


def _record_param(fn: Callable[..., object], hints: dict[str, Any]) -> object:
    params = [p for p in inspect.signature(fn).parameters.values() if p.name != "ctx"]
    if len(params) != 1:
        reason = "it must take exactly one record parameter (and optionally 'ctx')"
        raise StreamletDefinitionError(fn.__qualname__, reason)
    if params[0].name not in hints:
        reason = f"annotate the record parameter '{params[0].name}' with its schema"
        raise StreamletDefinitionError(fn.__qualname__, reason, port="in")
    return hints[params[0].name]


def _output(fn: Callable[..., object], hints: dict[str, Any], *, many: bool) -> tuple[object, bool]:
    """The outlet schema from the return annotation, and whether it emits many."""
    if "return" not in hints:
        reason = "annotate its return type with the record schema it emits"
        raise StreamletDefinitionError(fn.__qualname__, reason, port="out")
    tp = hints["return"]
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0], False
    if typing.get_origin(tp) in _MANY and args:
        return args[0], True
    if many:
        reason = f"it must be annotated as a generator of records, found {tp!r}"
        raise StreamletDefinitionError(fn.__qualname__, reason, port="out")
    return tp, False


def _make(
    fn: Callable[..., object], kind: Kind, *, name: str | None, config: type[msgspec.Struct] | None
) -> type:
    hints = _hints(fn)
    attrs: dict[str, object] = {
        "__module__": fn.__module__,
        "__qualname__": fn.__qualname__,
        "__doc__": fn.__doc__,
        "Config": config,
        "fn": staticmethod(fn),
    }
    many = False
    if kind != "ingress":
        attrs["inlet"] = Inlet(_record_param(fn, hints), name="in")  # type: ignore[arg-type]  # a schema object
    if kind != "egress":
        is_gen = inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn)
        schema, many = _output(fn, hints, many=kind == "ingress" or is_gen)
        attrs["outlet"] = Outlet(schema, name="out")  # type: ignore[arg-type]  # a schema object
    attrs["__sandbox_function__"] = FunctionInfo(kind, fn, many=many)
    return type(name or fn.__name__, (FunctionStreamlet,), attrs)


def _decorate(
    kind: Kind,
    fn: Callable[..., object] | None,
    name: str | None,
    config: type[msgspec.Struct] | None,
) -> object:
    if fn is None:
        return lambda f: _make(f, kind, name=name, config=config)
    return _make(fn, kind, name=name, config=config)


@overload
def processor(fn: Callable[..., object], /) -> type[FunctionStreamlet]: ...
@overload
def processor(
    *, name: str | None = None, config: type[msgspec.Struct] | None = None
) -> Callable[[Callable[..., object]], type[FunctionStreamlet]]: ...
def processor(
    fn: Callable[..., object] | None = None,
    /,
    *,
    name: str | None = None,
    config: type[msgspec.Struct] | None = None,
) -> object:
    """Make a processor from `def f(x: A) -> B`.

    Returning None drops the record; a function annotated to return an
    iterable (or a generator) emits each item.
    """
    return _decorate("processor", fn, name, config)


@overload
def ingress(fn: Callable[..., object], /) -> type[FunctionStreamlet]: ...
@overload
def ingress(
    *, name: str | None = None, config: type[msgspec.Struct] | None = None
) -> Callable[[Callable[..., object]], type[FunctionStreamlet]]: ...
def ingress(
    fn: Callable[..., object] | None = None,
    /,
    *,
    name: str | None = None,
    config: type[msgspec.Struct] | None = None,
) -> object:
    """Make an ingress from a sync or async generator of records."""
    return _decorate("ingress", fn, name, config)


@overload
def egress(fn: Callable[..., object], /) -> type[FunctionStreamlet]: ...
@overload
def egress(
    *, name: str | None = None, config: type[msgspec.Struct] | None = None
) -> Callable[[Callable[..., object]], type[FunctionStreamlet]]: ...
def egress(
    fn: Callable[..., object] | None = None,
    /,
    *,
    name: str | None = None,
    config: type[msgspec.Struct] | None = None,
) -> object:
    """Make an egress from `def f(x: A) -> None`."""
    return _decorate("egress", fn, name, config)
