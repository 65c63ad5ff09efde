"""The class form of streamlets: ports, shapes, specs, descriptors and the context."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import anyio
import msgspec
import pytest
from fixtures import streamlets as fx

from sandbox import (
    Context,
    Descriptor,
    Inlet,
    Outlet,
    Streamlet,
    StreamletDefinitionError,
    SystemClock,
    describe,
)
from sandbox.config import ConfigParam
from sandbox.streamlet import PortDescriptor, streamlet_spec

if TYPE_CHECKING:
    from pathlib import Path


class Renamed(Streamlet):
    """Ports whose attribute names differ from their port names."""

    inlet = Inlet(fx.Reading, name="in")
    output = Outlet(fx.Metric, name="metrics")

    async def run(self, ctx: Context[None]) -> None:
        pass


class Base(Streamlet):
    """A base class with ports."""

    inlet = Inlet(fx.Reading, name="in")
    out = Outlet(fx.Reading)

    async def run(self, ctx: Context[None]) -> None:
        pass


class Extended(Base):
    """Inherits `in` and `out`, adds `extra`."""

    extra = Outlet(fx.Metric)


class Narrowed(Base):
    """Hides the inherited outlet, so it is an egress."""

    out = None  # type: ignore[assignment]  # deliberately not a port


class Reversed(Base):
    """Declares a port again under the same attribute: the subclass's wins."""

    out = Outlet(fx.Metric)  # type: ignore[assignment]  # deliberately another schema


# --- ports as attributes ---------------------------------------------------------------------


def test_the_attribute_name_is_the_port_name_unless_name_is_given() -> None:
    spec = streamlet_spec(Renamed)
    assert [(p.name, p.attribute, p.direction) for p in spec.ports] == [
        ("in", "inlet", "inlet"),
        ("metrics", "output", "outlet"),
    ]


def test_ports_are_inherited_and_may_be_added_to() -> None:
    spec = streamlet_spec(Extended)
    assert [p.name for p in spec.ports] == ["in", "out", "extra"]
    assert spec.shape == "fan-out"


def test_a_subclass_can_hide_or_replace_an_inherited_port() -> None:
    assert [p.name for p in streamlet_spec(Narrowed).ports] == ["in"]
    assert streamlet_spec(Narrowed).shape == "egress"
    assert streamlet_spec(Reversed).outlets[0].schema is fx.Metric


def test_port_lookup_by_name_and_direction() -> None:
    spec = streamlet_spec(fx.Split)
    assert spec.port("low") is fx.Split.low
    assert spec.port("low", "outlet") is fx.Split.low
    assert spec.port("low", "inlet") is None
    assert spec.port("nosuch") is None
    assert spec.ports_of("inlet") == (fx.Split.inlet,)
    assert spec.ports_of("outlet") == (fx.Split.low, fx.Split.high)


def test_spec_is_derived_once_and_names_the_class() -> None:
    spec = streamlet_spec(fx.Double)
    assert streamlet_spec(fx.Double) is spec
    assert spec.ref == "fixtures.streamlets:Double"
    assert spec.config_type is fx.Double.Config
    assert streamlet_spec(fx.Source).config_type is None


def test_a_subclass_gets_its_own_spec() -> None:
    assert streamlet_spec(Base) is not streamlet_spec(Extended)
    assert streamlet_spec(Base).shape == "processor"


@pytest.mark.parametrize(
    ("cls", "shape"),
    [
        pytest.param(fx.Source, "ingress", id="ingress"),
        pytest.param(fx.Double, "processor", id="processor"),
        pytest.param(fx.Split, "fan-out", id="fan-out"),
        pytest.param(fx.Merge, "fan-in", id="fan-in"),
        pytest.param(fx.Sink, "egress", id="egress"),
    ],
)
def test_shape_follows_from_the_ports(cls: type[Streamlet], shape: str) -> None:
    assert describe(cls).shape == shape


@pytest.mark.parametrize(
    ("cls", "message"),
    [
        pytest.param(
            fx.BadPortName,
            "BadPortName.Out: port name 'Out' is not a lowercase identifier such as 'in' or "
            "'valid'",
            id="port-name",
        ),
        pytest.param(
            fx.DuplicatePorts,
            "DuplicatePorts.out: two ports are named 'out'; port names must be unique",
            id="duplicate-ports",
        ),
        pytest.param(
            fx.BadSchema,
            "BadSchema.out: the schema Opaque cannot be a record type: Opaque is a plain class "
            "msgspec cannot encode or decode; use a msgspec.Struct, a dataclass or a builtin type",
            id="schema",
        ),
        pytest.param(
            fx.BadConfig,
            "BadConfig: its Config must be a msgspec.Struct subclass, found <class 'dict'>",
            id="config-not-a-struct",
        ),
        pytest.param(
            fx.NoPorts, "NoPorts: it declares no ports (Inlet or Outlet attributes)", id="no-ports"
        ),
        pytest.param(fx.NoRun, "NoRun: it does not implement 'run'", id="no-run"),
        pytest.param(fx.SyncRun, "SyncRun: its run method must be 'async def'", id="sync-run"),
    ],
)
def test_invalid_definitions_raise_a_definition_error(cls: type[Streamlet], message: str) -> None:
    with pytest.raises(StreamletDefinitionError, match=f"^{re.escape(message)}$"):
        streamlet_spec(cls)


def test_definition_error_is_a_type_error_carrying_streamlet_and_port() -> None:
    with pytest.raises(TypeError) as raised:
        streamlet_spec(fx.BadPortName)
    error = raised.value
    assert isinstance(error, StreamletDefinitionError)
    assert (error.streamlet, error.port) == ("BadPortName", "Out")
    assert error.reason.startswith("port name 'Out'")


@pytest.mark.parametrize("name", ["in", "out", "valid", "dead_letters", "a1"])
def test_valid_port_names(name: str) -> None:
    class Ok(Streamlet):
        out = Outlet(fx.Reading, name=name)

        async def run(self, ctx: Context[None]) -> None:
            pass

    assert [p.name for p in streamlet_spec(Ok).ports] == [name]


@pytest.mark.parametrize("name", ["Out", "1st", "dead-letters", "for", "_x", "a b"])
def test_invalid_port_names(name: str) -> None:
    class Bad(Streamlet):
        out = Outlet(fx.Reading, name=name)

        async def run(self, ctx: Context[None]) -> None:
            pass

    with pytest.raises(StreamletDefinitionError, match="is not a lowercase identifier"):
        streamlet_spec(Bad)


# --- descriptor --------------------------------------------------------------------------------


def test_descriptor_of_a_processor() -> None:
    descriptor = describe(fx.Double)
    reading = describe(fx.Source).ports[0]
    assert descriptor == Descriptor(
        name="fixtures.streamlets:Double",
        doc="Doubles each reading (a processor).",
        shape="processor",
        ports=[
            PortDescriptor(
                name="in",
                direction="inlet",
                schema="Reading",
                fingerprint=reading.fingerprint,
                json_schema=reading.json_schema,
            ),
            reading,
        ],
        config=[ConfigParam(name="factor", type="a number", required=False, default="2.0")],
    )
    assert reading.json_schema["$ref"] == "#/$defs/Reading"
    assert re.fullmatch(r"[0-9a-f]{16}", reading.fingerprint)


def test_descriptor_lists_config_params_with_types_and_defaults() -> None:
    assert describe(fx.Configured).config == [
        ConfigParam(name="count", type="an integer", required=True),
        ConfigParam(name="rate", type="a number > 0", required=False, default="1.0"),
        ConfigParam(
            name="window",
            type="a duration such as '2s' or '500ms'",
            required=False,
            default="5s",
        ),
        ConfigParam(
            name="buffer", type="a memory size such as '32M'", required=False, default="1024"
        ),
        ConfigParam(name="mode", type="Literal['fast', 'slow']", required=False, default="'fast'"),
        ConfigParam(name="label", type="str", required=False, default="''"),
        ConfigParam(name="verbose", type="bool", required=False, default="False"),
    ]


@pytest.mark.parametrize(
    ("cls", "ports"),
    [
        pytest.param(fx.Source, [("out", "outlet", "Reading")], id="ingress"),
        pytest.param(
            fx.Split,
            [
                ("in", "inlet", "Reading"),
                ("low", "outlet", "Reading"),
                ("high", "outlet", "Reading"),
            ],
            id="fan-out",
        ),
        pytest.param(
            fx.Merge,
            [
                ("left", "inlet", "Reading"),
                ("right", "inlet", "Reading"),
                ("out", "outlet", "Reading"),
            ],
            id="fan-in",
        ),
        pytest.param(fx.AnySink, [("in", "inlet", "Any")], id="egress-any"),
        pytest.param(fx.WrapSink, [("in", "inlet", "WrappedMetric")], id="egress"),
    ],
)
def test_descriptor_ports_name_their_schema(cls: type[Streamlet], ports: list[object]) -> None:
    assert [(p.name, p.direction, p.schema) for p in describe(cls).ports] == ports


def test_descriptor_of_an_instance_is_that_of_its_class() -> None:
    assert describe(fx.Double()) == describe(fx.Double)


def test_descriptor_encodes_as_json() -> None:
    data = msgspec.json.decode(msgspec.json.encode(describe(fx.Sink)))
    assert list(data) == ["name", "doc", "shape", "ports", "config"]
    assert list(data["ports"][0]) == ["name", "direction", "schema", "fingerprint", "json_schema"]


class SameShape(msgspec.Struct, frozen=True, kw_only=True):
    """Another name and doc, the same wire structure as Reading."""

    device: str
    value: float


class OtherShape(msgspec.Struct, frozen=True, kw_only=True):
    device: str
    value: int


def test_fingerprints_are_stable_and_ignore_names_and_docs() -> None:
    def fingerprint(schema: type[object]) -> str:
        class One(Streamlet):
            out = Outlet(schema)

            async def run(self, ctx: Context[None]) -> None:
                pass

        return describe(One).ports[0].fingerprint

    reading = fingerprint(fx.Reading)
    assert fingerprint(fx.Reading) == reading
    assert describe(fx.Source).ports[0].fingerprint == reading
    assert fingerprint(SameShape) == reading
    assert fingerprint(OtherShape) != reading
    assert fingerprint(fx.Metric) != reading


# --- unbound ports and the context ----------------------------------------------------------


def test_ports_on_the_class_are_declarations() -> None:
    assert isinstance(fx.Double.inlet, Inlet)
    assert isinstance(fx.Double.out, Outlet)
    assert repr(fx.Double.inlet) == "Inlet(Reading, name='in')"


@pytest.mark.parametrize(
    ("attribute", "port"),
    [pytest.param("inlet", "in", id="inlet"), pytest.param("out", "out", id="outlet")],
)
def test_an_unbound_port_raises_a_helpful_error(attribute: str, port: str) -> None:
    from sandbox import PortNotBoundError

    message = (
        f"Double.{port} is not bound: ports work only while the streamlet runs in a runtime; "
        "test it with sandbox.testkit.run_streamlet"
    )
    with pytest.raises(PortNotBoundError, match=f"^{re.escape(message)}$"):
        getattr(fx.Double(), attribute)


def test_a_bound_port_is_the_instance_attribute() -> None:
    streamlet = fx.Double()
    sentinel: Any = object()
    vars(streamlet)["out"] = sentinel
    assert streamlet.out is sentinel


async def test_streamlet_base_run_says_what_to_implement() -> None:
    with pytest.raises(
        NotImplementedError, match=r"^Streamlet must implement 'async def run\(self, ctx\)'$"
    ):
        await Streamlet().run(_context())


def _context(**options: Any) -> Context[Any]:
    return Context(
        config=None, name="validation", clock=SystemClock(), stopping=anyio.Event(), **options
    )


def test_context_defaults() -> None:
    ctx = _context()
    assert (ctx.name, ctx.replica, ctx.replicas, ctx.config) == ("validation", 0, 1, None)
    assert ctx.logger is logging.getLogger("sandbox.streamlet.validation")
    assert not ctx.stopping.is_set()


def test_context_volume_is_a_directory_per_instance(tmp_path: Path) -> None:
    ctx = _context(volumes=tmp_path, replica=1, replicas=2)
    path = ctx.volume("state")
    assert path == tmp_path / "validation" / "state"
    assert path.is_dir()
    assert ctx.volume("state") == path
    assert (ctx.replica, ctx.replicas) == (1, 2)
