"""`sandbox new streamlet`: a streamlet module and its test, passing as generated."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, Literal, final

import msgspec

from sandbox.errors import SandboxError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["Scaffold", "Shape", "scaffold_streamlet"]

Shape = Literal["processor", "ingress", "egress"]
_NAME: Final = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")

_SCHEMAS: Final = '''

class {cls}Record(msgspec.Struct, frozen=True, kw_only=True):
    """A record {name} handles. Replace the fields with your own."""

    id: int
    text: str
'''

_BODIES: Final[dict[Shape, str]] = {
    "processor": '''

class {cls}(Streamlet):
    """Transforms each record. Describe what {name} does here."""

    inlet = Inlet({cls}Record, name="in")
    out = Outlet({cls}Record)

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """Parameters of {name}."""

        upper: bool = True

    async def run(self, ctx: Context[Config]) -> None:
        """Send each record on, its text upper-cased when `upper` is set."""
        async for record in self.inlet:
            text = record.text.upper() if ctx.config.upper else record.text
            await self.out.send(msgspec.structs.replace(record, text=text))
''',
    "ingress": '''

class {cls}(Streamlet):
    """Produces records. Describe where {name} gets them here."""

    out = Outlet({cls}Record)

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """Parameters of {name}."""

        count: int = 10

    async def run(self, ctx: Context[Config]) -> None:
        """Send `count` records, or fewer if the application stops first."""
        for i in range(ctx.config.count):
            if ctx.stopping.is_set():
                break
            await self.out.send({cls}Record(id=i, text=f"record {{i}}"))
''',
    "egress": '''

class {cls}(Streamlet):
    """Consumes records. Describe where {name} writes them here."""

    inlet = Inlet({cls}Record, name="in")

    async def run(self, ctx: Context[None]) -> None:
        """Log each record."""
        async for record in self.inlet:
            ctx.logger.info("%s", record)
''',
}

_IMPORTS: Final[dict[Shape, str]] = {
    "processor": "Context, Inlet, Outlet, Streamlet",
    "ingress": "Context, Outlet, Streamlet",
    "egress": "Context, Inlet, Streamlet",
}

_TEST: Final = '''"""Tests of {module}.{cls}, written with sandbox.testkit."""

from __future__ import annotations

import pytest

from sandbox.testkit import run_streamlet

from {module} import {cls}, {cls}Record


@pytest.mark.asyncio
async def test_{snake}_{behaviour}() -> None:
{body}
'''

_TEST_BODIES: Final[dict[Shape, tuple[str, str]]] = {
    "processor": (
        "upper_cases_the_text",
        """    result = await run_streamlet({cls}, inputs={{"in": [{cls}Record(id=1, text="a")]}})
    assert result["out"] == [{cls}Record(id=1, text="A")]""",
    ),
    "ingress": (
        "sends_count_records",
        """    result = await run_streamlet({cls}, config={{"count": 3}})
    assert [r.id for r in result.records("out", {cls}Record)] == [0, 1, 2]""",
    ),
    "egress": (
        "logs_each_record",
        """    result = await run_streamlet({cls}, inputs={{"in": [{cls}Record(id=1, text="a")]}})
    assert result.messages == ["{cls}Record(id=1, text='a')"]""",
    ),
}


@final
class Scaffold(msgspec.Struct, frozen=True, kw_only=True):
    """What `scaffold_streamlet` wrote."""

    files: list[str]
    blueprint_entry: str


def scaffold_streamlet(
    name: str, *, shape: Shape, directory: Path, tests: Path, force: bool = False
) -> Scaffold:
    """Write `<directory>/<name>.py` and `<tests>/test_<name>.py`.

    Raises:
        SandboxError: the name is not a DNS-1123 label, or a file exists and
            `force` is not set.
    """
    if not _NAME.match(name):
        msg = f"streamlet name {name!r} must be a DNS-1123 label such as 'enrich-orders'"
        raise SandboxError(msg)
    snake = name.replace("-", "_")
    cls = "".join(part.capitalize() for part in name.split("-"))
    module = ".".join((*directory.parts, snake)) if directory.parts else snake
    source = directory / f"{snake}.py"
    test = tests / f"test_{snake}.py"
    for path in (source, test):
        if path.exists() and not force:
            msg = f"{path} exists; pass --force to overwrite it"
            raise SandboxError(msg)
    header = (
        f'"""The {name} streamlet."""\n\nfrom __future__ import annotations\n\nimport msgspec\n\n'
    )
    header += f"from sandbox import {_IMPORTS[shape]}\n"
    fields = {"cls": cls, "name": name}
    body = header + _SCHEMAS.format(**fields) + _BODIES[shape].format(**fields)
    behaviour, test_lines = _TEST_BODIES[shape]
    test_body = _TEST.format(
        module=module, cls=cls, snake=snake, behaviour=behaviour, body=test_lines.format(cls=cls)
    )
    directory.mkdir(parents=True, exist_ok=True)
    tests.mkdir(parents=True, exist_ok=True)
    files = []
    package = directory / "__init__.py"
    if directory.parts and not package.exists():
        # A regular package: a namespace package named like an installed one
        # (this distribution ships `streamlets`) would be shadowed by it.
        package.write_text('"""Streamlets of this project."""\n', encoding="utf-8")
        files.append(str(package))
    source.write_text(body, encoding="utf-8")
    test.write_text(test_body, encoding="utf-8")
    entry = f'[streamlets]\n{name} = "{module}:{cls}"'
    return Scaffold(files=[*files, str(source), str(test)], blueprint_entry=entry)
