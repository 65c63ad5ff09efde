"""Runtime kinds: async, thread and process give the same results."""

from __future__ import annotations

import threading
import uuid
from typing import TYPE_CHECKING

import anyio
import pytest

from sandbox.runtime.api import run_async

from . import apps
from .apps import REF, write_blueprint

if TYPE_CHECKING:
    from pathlib import Path

    from sandbox.runtime.api import RunResult

    from .apps import Probe


async def _run(directory: Path, probe: str, processor: str, kind: str) -> RunResult:
    app = write_blueprint(
        directory,
        f"""
[streamlets]
source = {{ class = "{REF}:Source", config = {{ probe = "{probe}", count = 50 }} }}
work = {{ class = "{processor}", runtime = "{kind}" }}
sink = {{ class = "{REF}:collect", config = {{ probe = "{probe}" }} }}

[connections]
"source.out" = ["work.in"]
"work.out" = ["sink.in"]
""",
    )
    return await run_async(app, run_dir=directory / "run")


async def test_async_kind_runs_the_function_on_the_event_loop(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    apps.threads.clear()
    with anyio.fail_after(1):
        result = await _run(tmp_path, name, f"{REF}:double", "async")

    assert result.state == "completed"
    assert seen.seqs("sink") == [2 * n for n in range(50)]
    assert apps.threads == {threading.current_thread().name}


async def test_thread_kind_runs_the_function_in_a_worker_thread(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    apps.threads.clear()
    with anyio.fail_after(1):
        result = await _run(tmp_path, name, f"{REF}:double", "thread")

    assert result.state == "completed"
    assert seen.seqs("sink") == [2 * n for n in range(50)]
    assert apps.threads
    assert threading.current_thread().name not in apps.threads


async def test_function_returning_an_iterable_emits_each_item(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    name, seen = probe
    with anyio.fail_after(1):
        result = await _run(tmp_path, name, f"{REF}:burst", "async")

    assert seen.seqs("sink") == [n for n in range(50) for _ in range(n % 3)]
    assert result.statistics.streamlets["work"].records_out == {"out": 49}


PROCESS_MODULE = f"""
from __future__ import annotations

from {REF} import Item
from sandbox import processor


@processor
def square(item: Item) -> Item | None:
    if item.seq == 7:
        return None
    return Item(origin=item.origin, seq=item.seq * item.seq, key=item.key)


@processor
def explode(item: Item) -> Item:
    if item.seq == 3:
        raise ValueError(f"cannot square {{item.seq}}")
    return item
"""


@pytest.mark.slow
@pytest.mark.timeout(30)
async def test_process_kind_sends_records_to_a_worker_as_msgpack(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    # The module lives next to the blueprint only: the worker must be told where.
    module = f"kinds_{uuid.uuid4().hex}"
    (tmp_path / f"{module}.py").write_text(PROCESS_MODULE, encoding="utf-8")
    name, seen = probe
    with anyio.fail_after(20):
        result = await _run(tmp_path, name, f"{module}:square", "process")

    assert result.state == "completed", result.failure
    assert seen.seqs("sink") == [n * n for n in range(50) if n != 7]
    assert all(type(item) is apps.Item for _, item in seen.received["sink"])


@pytest.mark.slow
@pytest.mark.timeout(30)
async def test_process_kind_failure_shows_the_users_traceback_from_the_worker(
    tmp_path: Path, probe: tuple[str, Probe]
) -> None:
    module = f"kinds_{uuid.uuid4().hex}"
    path = tmp_path / f"{module}.py"
    path.write_text(PROCESS_MODULE, encoding="utf-8")
    name, _ = probe
    with anyio.fail_after(20):
        result = await _run(tmp_path, name, f"{module}:explode", "process")

    assert result.state == "failed"
    assert result.failure is not None
    assert (result.failure.streamlet, result.failure.error_type) == ("work", "ValueError")
    raising = '        raise ValueError(f"cannot square {item.seq}")'
    line = PROCESS_MODULE.splitlines().index(raising) + 1
    assert result.failure.traceback == (
        "Traceback (most recent call last):\n"
        f'  File "{path}", line {line}, in explode\n'
        '    raise ValueError(f"cannot square {item.seq}")\n'
        "ValueError: cannot square 3\n"
    )
