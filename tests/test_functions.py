"""Function streamlets: @processor, @ingress and @egress, described and run on list ports."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import msgspec
import pytest
from fixtures.ports import ListInlet, ListOutlet, bind, context
from fixtures.streamlets import Count

from sandbox import Context, StreamletDefinitionError, describe, egress, ingress, processor
from sandbox.config import ConfigParam
from sandbox.functions import FunctionStreamlet


class Scale(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How much to multiply by."""

    factor: int = 2


@processor
def double(c: Count) -> Count:
    """Doubles a count."""
    return Count(n=c.n * 2)


@processor
def odd_only(c: Count) -> Count | None:
    return c if c.n % 2 else None


@processor
def twice(c: Count) -> list[Count]:
    return [c, c]


@processor
def spread(c: Count) -> Iterator[Count]:
    yield from (Count(n=i) for i in range(c.n))


@processor
async def async_double(c: Count) -> Count:
    return Count(n=c.n * 2)


@processor
async def async_spread(c: Count) -> AsyncIterator[Count]:
    for i in range(c.n):
        yield Count(n=i)


@processor(name="Scaled", config=Scale)
def scaled(c: Count, ctx: Context[Scale]) -> Count:
    return Count(n=c.n * ctx.config.factor)


@processor(config=Scale)
async def async_scaled(c: Count, ctx: Context[Scale]) -> Iterable[Count]:
    return [Count(n=c.n * ctx.config.factor)]


@ingress
def numbers() -> Iterator[Count]:
    for n in range(3):
        yield Count(n=n)


@ingress
async def async_numbers() -> AsyncIterator[Count]:
    for n in range(3):
        yield Count(n=n)


@ingress(config=Scale)
def endless(ctx: Context[Scale]) -> Iterator[Count]:
    n = 0
    while True:
        yield Count(n=n * ctx.config.factor)
        n += 1


@ingress
async def async_endless() -> AsyncIterator[Count]:
    n = 0
    while True:
        yield Count(n=n)
        n += 1


@ingress
def from_list() -> list[Count]:
    return [Count(n=7)]


SEEN: list[object] = []


@egress
def keep(c: Count) -> None:
    SEEN.append(c)


@egress
async def async_keep(c: Count, ctx: Context[None]) -> None:
    SEEN.append((ctx.name, c))


COUNTS = [Count(n=1), Count(n=2), Count(n=3)]


async def _process(cls: type, records: list[Any], config: object = None) -> list[Any]:
    out: ListOutlet[Any] = ListOutlet()
    await bind(cls(), inlet=ListInlet(records), outlet=out).run(context(config))
    return out.sent


# --- describing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "shape", "ports"),
    [
        pytest.param(double, "processor", [("in", "Count"), ("out", "Count")], id="processor"),
        pytest.param(odd_only, "processor", [("in", "Count"), ("out", "Count")], id="optional"),
        pytest.param(twice, "processor", [("in", "Count"), ("out", "Count")], id="list"),
        pytest.param(spread, "processor", [("in", "Count"), ("out", "Count")], id="generator"),
        pytest.param(
            async_spread, "processor", [("in", "Count"), ("out", "Count")], id="async-gen"
        ),
        pytest.param(numbers, "ingress", [("out", "Count")], id="ingress"),
        pytest.param(async_numbers, "ingress", [("out", "Count")], id="async-ingress"),
        pytest.param(from_list, "ingress", [("out", "Count")], id="ingress-list"),
        pytest.param(keep, "egress", [("in", "Count")], id="egress"),
        pytest.param(async_keep, "egress", [("in", "Count")], id="async-egress"),
    ],
)
def test_decorators_type_ports_in_and_out_from_annotations(
    cls: type, shape: str, ports: list[tuple[str, str]]
) -> None:
    descriptor = describe(cls)
    assert descriptor.shape == shape
    assert [(p.name, p.schema) for p in descriptor.ports] == ports


def test_a_function_streamlet_is_a_streamlet_class_keeping_the_function() -> None:
    assert issubclass(double, FunctionStreamlet)
    assert double.__name__ == "double"
    assert double.fn(Count(n=4)) == Count(n=8)
    descriptor = describe(double)
    assert (descriptor.name, descriptor.doc) == (f"{__name__}:double", "Doubles a count.")


def test_name_and_config_are_options() -> None:
    assert scaled.__name__ == "Scaled"
    assert describe(scaled).config == [
        ConfigParam(name="factor", type="an integer", required=False, default="2")
    ]
    assert describe(double).config == []


def test_a_processor_without_annotations_is_rejected_when_decorated() -> None:
    message = ".<locals>.untyped.in: annotate the record parameter 'c' with its schema"
    with pytest.raises(StreamletDefinitionError, match=f"{re.escape(message)}$"):

        @processor
        def untyped(c):  # type: ignore[no-untyped-def]  # the point of the test
            return c


def test_an_egress_needs_an_annotated_record_parameter() -> None:
    with pytest.raises(StreamletDefinitionError, match="exactly one record parameter"):

        @egress
        def nothing() -> None:
            pass


# --- running ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        pytest.param(double, [2, 4, 6], id="sync"),
        pytest.param(async_double, [2, 4, 6], id="async"),
        pytest.param(odd_only, [1, 3], id="none-drops"),
        pytest.param(twice, [1, 1, 2, 2, 3, 3], id="list-emits-each"),
        pytest.param(spread, [0, 0, 1, 0, 1, 2], id="generator-emits-each"),
        pytest.param(async_spread, [0, 0, 1, 0, 1, 2], id="async-generator-emits-each"),
    ],
)
async def test_processors_run_per_record(cls: type, expected: list[int]) -> None:
    assert [c.n for c in await _process(cls, COUNTS)] == expected


@pytest.mark.parametrize("cls", [scaled, async_scaled], ids=["sync", "async"])
async def test_processors_get_ctx_when_they_ask_for_it(cls: type) -> None:
    assert [c.n for c in await _process(cls, COUNTS, Scale(factor=10))] == [10, 20, 30]


@pytest.mark.parametrize("cls", [numbers, async_numbers], ids=["sync", "async"])
async def test_ingresses_send_what_they_generate(cls: type) -> None:
    out: ListOutlet[Count] = ListOutlet()
    await bind(cls(), outlet=out).run(context())
    assert out.sent == [Count(n=0), Count(n=1), Count(n=2)]


async def test_an_ingress_may_return_a_list() -> None:
    out: ListOutlet[Count] = ListOutlet()
    await bind(from_list(), outlet=out).run(context())
    assert out.sent == [Count(n=7)]


@pytest.mark.parametrize(
    ("cls", "config", "expected"),
    [
        pytest.param(endless, Scale(factor=3), [0, 3, 6], id="sync"),
        pytest.param(async_endless, None, [0, 1, 2], id="async"),
    ],
)
async def test_an_endless_ingress_ends_when_stopping_is_set(
    cls: type, config: object, expected: list[int]
) -> None:
    ctx = context(config)
    out: ListOutlet[Count] = ListOutlet(stop_after=3, stopping=ctx.stopping)
    await bind(cls(), outlet=out).run(ctx)
    assert [c.n for c in out.sent] == expected


async def test_egresses_see_every_record() -> None:
    SEEN.clear()
    await bind(keep(), inlet=ListInlet(COUNTS)).run(context())
    await bind(async_keep(), inlet=ListInlet(COUNTS[:1])).run(context(name="sink"))
    assert [*COUNTS, ("sink", Count(n=1))] == SEEN
