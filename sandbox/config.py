"""Typed streamlet parameters: parsing, validation and description.

A streamlet's parameters are the fields of its nested `Config` struct. Values
arrive from the blueprint, config files and `--set` (as strings); they are
checked field by field so every problem is reported at once.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Annotated, Final, Literal, final

import msgspec
from msgspec import inspect as mi

from sandbox.schema import type_name

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ByteSize",
    "ConfigParam",
    "ConfigProblem",
    "build_config",
    "config_params",
    "parse_duration",
    "parse_size",
]

ByteSize = Annotated[int, msgspec.Meta(ge=0, extra={"x-sandbox": "bytes"})]
"""A memory size in bytes; config values may be written "32M", "1.5GiB", "512k"."""

_DURATION_UNITS: Final[dict[str, float]] = {
    "us": 1e-6,
    "µs": 1e-6,
    "micro": 1e-6,
    "microsecond": 1e-6,
    "microseconds": 1e-6,
    "ms": 1e-3,
    "milli": 1e-3,
    "millis": 1e-3,
    "millisecond": 1e-3,
    "milliseconds": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": 60.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
}
_DURATION_PART: Final = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zµ]+)\s*", re.IGNORECASE)
_SIZE: Final = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*([kmgtp]?)(i?)(b?)\s*$", re.IGNORECASE)
_SIZE_POWERS: Final[dict[str, int]] = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}


def parse_duration(text: str) -> datetime.timedelta:
    """Parse "2s", "500ms", "2 minutes", "1h30m" or "1.5s".

    Raises:
        ValueError: the text is not a duration.
    """
    pos, total, parts = 0, 0.0, 0
    while pos < len(text):
        match = _DURATION_PART.match(text, pos)
        unit = match and _DURATION_UNITS.get(match.group(2).lower())
        if match is None or unit is None:
            msg = f"'{text}' is not a duration such as '2s', '500ms' or '2 minutes'"
            raise ValueError(msg)
        total += float(match.group(1)) * unit
        pos, parts = match.end(), parts + 1
    if parts == 0:
        msg = "an empty string is not a duration"
        raise ValueError(msg)
    return datetime.timedelta(seconds=total)


def parse_size(text: str) -> int:
    """Parse a memory size: "32M" (2**20 units), "1.5GiB", "512k", "100" bytes.

    Sizes follow the Kubernetes habit of binary units for single letters, so
    "32M" and "32Mi" are both 32 * 2**20 bytes; "32MB" is decimal.

    Raises:
        ValueError: the text is not a size.
    """
    match = _SIZE.match(text)
    if match is None:
        msg = f"'{text}' is not a memory size such as '32M', '512k' or '1.5GiB'"
        raise ValueError(msg)
    number, prefix, binary, byte = match.groups()
    power = _SIZE_POWERS[prefix.lower()]
    base = 1000 if (byte and not binary) else 1024
    return int(float(number) * base**power)


@final
class ConfigParam(msgspec.Struct, frozen=True, kw_only=True):
    """One parameter as `describe` shows it."""

    name: str
    type: str
    required: bool
    default: str | None = None
    doc: str | None = None


@final
class ConfigProblem(msgspec.Struct, frozen=True, kw_only=True):
    """A problem with one config value."""

    kind: Literal["unknown", "invalid", "missing"]
    key: str
    detail: str = ""
    expected: str = ""


def config_params(config_type: type[msgspec.Struct] | None) -> list[ConfigParam]:
    """Describe the parameters of a `Config` struct."""
    if config_type is None:
        return []
    params = []
    for field in msgspec.structs.fields(config_type):
        default = _default_of(field)
        params.append(
            ConfigParam(
                name=field.encode_name,
                type=_expected(field.type),
                required=field.required,
                default=None if default is msgspec.NODEFAULT else _show(default),
            )
        )
    return params


def build_config(
    config_type: type[msgspec.Struct] | None, values: Mapping[str, object]
) -> tuple[msgspec.Struct | None, list[ConfigProblem]]:
    """Validate `values` against `config_type` and build the config.

    Values may be typed (from TOML/YAML) or strings (from `--set`); strings
    are converted where the field's type allows. Returns the config (None when
    there are problems or no Config) and every problem found.
    """
    if config_type is None:
        return None, [ConfigProblem(kind="unknown", key=key) for key in values]
    fields = {f.encode_name: f for f in msgspec.structs.fields(config_type)}
    problems = [ConfigProblem(kind="unknown", key=key) for key in values if key not in fields]
    converted: dict[str, object] = {}
    for key, field in fields.items():
        if key not in values:
            if field.required:
                problems.append(
                    ConfigProblem(kind="missing", key=key, expected=_expected(field.type))
                )
            continue
        try:
            converted[key] = _convert(values[key], field.type)
        except (msgspec.ValidationError, ValueError) as exc:
            expected = _expected(field.type)
            detail = _detail(exc)
            if isinstance(values[key], str) and "got `str`" in detail:
                detail = f"{values[key]!r} is not {expected}"
            problems.append(
                ConfigProblem(kind="invalid", key=key, detail=detail, expected=expected)
            )
    if problems:
        return None, problems
    try:
        return msgspec.convert(converted, config_type, strict=False), []
    except (msgspec.ValidationError, ValueError, TypeError) as exc:
        # Raised by the struct's own __post_init__ checks, across fields.
        return None, [ConfigProblem(kind="invalid", key="*", detail=_detail(exc), expected="")]


def _convert(value: object, annotation: object) -> object:
    return msgspec.convert(_prepare(value, mi.type_info(annotation)), annotation, strict=False)


def _prepare(value: object, info: mi.Type) -> object:
    """Turn human-written durations and sizes into what msgspec decodes."""
    if not isinstance(value, str):
        return value
    if isinstance(info, mi.Metadata):
        if (info.extra or {}).get("x-sandbox") == "bytes":
            return parse_size(value)
        info = info.type
    if isinstance(info, mi.TimeDeltaType):
        return _duration_or_iso(value)
    if isinstance(info, mi.UnionType):
        for member in info.types:
            prepared = _prepare(value, member)
            if prepared is not value:
                return prepared
    return value


def _duration_or_iso(value: str) -> object:
    if value[:1] in {"P", "-"}:
        return value  # ISO 8601, which msgspec decodes itself
    return parse_duration(value)


def _default_of(field: msgspec.structs.FieldInfo) -> object:
    if field.default is not msgspec.NODEFAULT:
        return field.default
    if field.default_factory is not msgspec.NODEFAULT:
        return field.default_factory()
    return msgspec.NODEFAULT


def _show(value: object) -> str:
    if isinstance(value, datetime.timedelta):
        return _show_duration(value)
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _show_duration(value: datetime.timedelta) -> str:
    seconds = value.total_seconds()
    if seconds and seconds < 1:
        return f"{seconds * 1000:g}ms"
    return f"{seconds:g}s"


def _expected(annotation: object) -> str:
    info = mi.type_info(annotation)
    if isinstance(info, mi.Metadata) and (info.extra or {}).get("x-sandbox") == "bytes":
        return "a memory size such as '32M'"
    if isinstance(info, mi.TimeDeltaType):
        return "a duration such as '2s' or '500ms'"
    if isinstance(info, mi.IntType | mi.FloatType):
        base = "an integer" if isinstance(info, mi.IntType) else "a number"
        return f"{base} {_bounds(info)}".strip()
    return type_name(annotation)


def _bounds(info: mi.IntType | mi.FloatType) -> str:
    parts = [
        f"{op} {value}"
        for op, value in ((">", info.gt), (">=", info.ge), ("<", info.lt), ("<=", info.le))
        if value is not None
    ]
    return " and ".join(parts)


def _detail(exc: Exception) -> str:
    text = str(exc)
    return text[:1].lower() + text[1:] if text else type(exc).__name__
