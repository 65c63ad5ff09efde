"""Runtime kinds: where a function streamlet's code runs.

`async` calls it on the event loop; `thread` hands each batch to a worker
thread (for blocking libraries); `process` sends each batch, encoded as
msgpack, to a worker process (for CPU-bound code) and decodes the results.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Protocol, final

import anyio.to_thread
import msgspec

from sandbox.functions import FunctionInfo, FunctionStreamlet
from sandbox.runtime.failures import carry_traceback
from sandbox.streamlet import streamlet_spec

__all__ = ["AsyncExecutor", "Executor", "ProcessExecutor", "ThreadExecutor", "executor_for"]

Apply = Callable[[list[object]], list[object]]


class Executor(Protocol):
    """Applies a batch function somewhere."""

    async def map(self, apply: Apply, batch: list[object], info: FunctionInfo) -> list[object]:
        """`apply(batch)`, wherever this kind runs code."""
        ...

    def close(self) -> None:
        """Release workers."""
        ...


@final
class AsyncExecutor:
    """Runs on the event loop."""

    async def map(self, apply: Apply, batch: list[object], info: FunctionInfo) -> list[object]:
        """Call directly."""
        return apply(batch)

    def close(self) -> None:
        """Nothing to release."""


@final
class ThreadExecutor:
    """Runs each batch in a worker thread."""

    async def map(self, apply: Apply, batch: list[object], info: FunctionInfo) -> list[object]:
        """Call in anyio's worker thread pool."""
        return await anyio.to_thread.run_sync(apply, batch)

    def close(self) -> None:
        """anyio owns the thread pool."""


def _worker_apply(ref: str, payload: bytes) -> bytes:
    """In the worker process: decode a batch, apply the function, encode the results."""
    from sandbox.runtime.batches import batch_function

    module, _, qualname = ref.partition(":")
    cls: Any = importlib.import_module(module)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    spec = streamlet_spec(cls)
    info: FunctionInfo = cls.__sandbox_function__
    schema: Any = spec.inlets[0].schema
    batch = msgspec.msgpack.decode(payload, type=list[schema])
    try:
        out = batch_function(info, info.fn)(batch)
    except Exception as exc:
        carry_traceback(exc)  # the parent gets a pickled copy without frames
        raise
    return msgspec.msgpack.encode(out)


def _import_root(module_name: str) -> str | None:
    """The `sys.path` entry a module was imported from.

    Verification puts the blueprint's directory and the working directory on
    `sys.path` only while it imports, so a spawned worker would not find a
    module from there without being told.
    """
    file = getattr(sys.modules.get(module_name), "__file__", None)
    if file is None:
        return None
    path = Path(file).resolve()
    depth = module_name.count(".") + (path.stem == "__init__")
    return str(path.parents[depth])


def _add_to_path(entry: str | None) -> None:
    """In the worker process, before anything is imported."""
    if entry is not None and entry not in sys.path:
        sys.path.insert(0, entry)


@final
class ProcessExecutor:
    """Runs each batch in a worker process; records cross as msgpack."""

    def __init__(self, cls: type[FunctionStreamlet]) -> None:
        spec = streamlet_spec(cls)
        self._ref = spec.ref
        schema: Any = spec.outlets[0].schema if spec.outlets else object
        self._out_type = list[schema]
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=context, initializer=_add_to_path,
            initargs=(_import_root(cls.__module__),),
        )  # fmt: skip

    async def map(self, apply: Apply, batch: list[object], info: FunctionInfo) -> list[object]:
        """Encode, run in the worker, decode."""
        payload = msgspec.msgpack.encode(batch)
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(self._pool, _worker_apply, self._ref, payload)
        decoded: list[object] = msgspec.msgpack.decode(result, type=self._out_type)
        return decoded

    def close(self) -> None:
        """Stop the worker process."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def executor_for(kind: str, cls: type) -> Executor:
    """The executor of a runtime kind for a function streamlet class."""
    if kind == "thread":
        return ThreadExecutor()
    if kind == "process" and issubclass(cls, FunctionStreamlet):
        return ProcessExecutor(cls)
    return AsyncExecutor()
