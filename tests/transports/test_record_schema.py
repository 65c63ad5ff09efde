"""A record of the wrong type is refused at the outlet, naming the streamlet and port."""

from __future__ import annotations

import msgspec
import pytest

from sandbox import Context, Inlet, Outlet, Streamlet
from sandbox.errors import RecordSchemaError
from sandbox.testkit import StreamletFailedError, run_streamlet
from sandbox.transports.buffer import Buffer
from sandbox.transports.channels import Route, Writer


class Item(msgspec.Struct, frozen=True):
    n: int


MESSAGE = (
    r"^outlet 'out' of 'maker' sent a dict, but its schema is Item: "
    r"send Item records, or declare the outlet as Outlet\(dict\)$"
)


def writer() -> tuple[Writer[object], Buffer]:
    buffer = Buffer(capacity=8, writers=1)
    label = "outlet 'out' of 'maker'"
    return Writer([Route([buffer], None)], schema=Item, label=label), buffer


async def test_send_refuses_a_first_record_of_another_type_and_keeps_nothing() -> None:
    out, buffer = writer()
    with pytest.raises(RecordSchemaError, match=MESSAGE):
        await out.send({"n": 1})
    assert out.pending == 0
    await out.send(Item(1))
    await out.flush()
    assert buffer.take() == [Item(1)]


async def test_send_many_checks_the_first_record_it_is_given() -> None:
    out, buffer = writer()
    with pytest.raises(RecordSchemaError, match=MESSAGE):
        await out.send_many([{"n": 1}, Item(2)])
    assert out.pending == 0
    await out.send_many([Item(1), Item(2)])
    await out.flush()
    assert buffer.take() == [Item(1), Item(2)]


class SendsDicts(Streamlet):
    inlet = Inlet(Item, name="in")
    out = Outlet(Item)

    async def run(self, ctx: Context[None]) -> None:
        async for item in self.inlet:
            await self.out.send({"n": item.n})  # type: ignore[arg-type]  # the mistake under test


async def test_a_streamlet_sending_the_wrong_type_fails_with_the_port_named() -> None:
    with pytest.raises(StreamletFailedError) as failed:
        await run_streamlet(SendsDicts, name="maker", inputs={"in": [Item(1)]})
    assert isinstance(failed.value.__cause__, RecordSchemaError)
    assert str(failed.value.__cause__).startswith("outlet 'out' of 'maker' sent a dict")
