"""Typed parameters: durations, sizes, building and describing a Config."""

from __future__ import annotations

import datetime
import re
from typing import Annotated

import msgspec
import pytest
from fixtures.streamlets import Relabel, Settings

from sandbox import ByteSize
from sandbox.config import ConfigProblem, build_config, config_params, parse_duration, parse_size

td = datetime.timedelta


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2s", td(seconds=2)),
        ("500ms", td(milliseconds=500)),
        ("2 minutes", td(minutes=2)),
        ("1h30m", td(hours=1, minutes=30)),
        ("1min 30s", td(seconds=90)),
        ("1.5s", td(seconds=1.5)),
        (".5s", td(seconds=0.5)),
        ("2S", td(seconds=2)),
        ("1 h", td(hours=1)),
        ("3d", td(days=3)),
        ("10us", td(microseconds=10)),
        ("10µs", td(microseconds=10)),
        ("1m", td(minutes=1)),
        ("0s", td(0)),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_parse_duration(text: str, expected: datetime.timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["10", "-1s", " ", "2s garbage", "2 parsecs", "s", "1s-"])
def test_parse_duration_rejects_what_is_not_a_duration(text: str) -> None:
    message = f"'{text}' is not a duration such as '2s', '500ms' or '2 minutes'"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_duration(text)


def test_parse_duration_rejects_an_empty_string() -> None:
    with pytest.raises(ValueError, match=r"^an empty string is not a duration$"):
        parse_duration("")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100", 100),
        ("0", 0),
        ("512k", 512 * 1024),
        ("512K", 512 * 1024),
        ("32M", 32 * 2**20),
        ("32Mi", 32 * 2**20),
        ("32MiB", 32 * 2**20),
        ("32MB", 32_000_000),
        ("32mb", 32_000_000),
        ("32 M", 32 * 2**20),
        ("1.5GiB", 3 * 2**29),
        ("1T", 2**40),
        ("1P", 2**50),
        ("10b", 10),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "M", "-1", "1e3", "32X", "thirty"])
def test_parse_size_rejects_what_is_not_a_size(text: str) -> None:
    message = f"'{text}' is not a memory size such as '32M', '512k' or '1.5GiB'"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_size(text)


# --- build_config --------------------------------------------------------------------------------


def test_build_config_converts_strings_and_keeps_defaults() -> None:
    config, problems = build_config(
        Settings, {"count": "3", "window": "250ms", "buffer": "1k", "verbose": "true"}
    )
    assert problems == []
    assert config == Settings(count=3, window=td(milliseconds=250), buffer=1024, verbose=True)


def test_build_config_accepts_typed_values() -> None:
    config, problems = build_config(Settings, {"count": 3, "rate": 2, "window": "PT1M"})
    assert problems == []
    assert config == Settings(count=3, rate=2.0, window=td(minutes=1))


def test_build_config_reports_every_problem_at_once() -> None:
    config, problems = build_config(
        Settings,
        {"rate": -1, "window": "soon", "buffer": "big", "mode": "medium", "colour": "red"},
    )
    assert config is None
    assert problems == [
        ConfigProblem(kind="unknown", key="colour"),
        ConfigProblem(kind="missing", key="count", expected="an integer"),
        ConfigProblem(
            kind="invalid", key="rate", detail="expected `float` > 0.0", expected="a number > 0"
        ),
        ConfigProblem(
            kind="invalid",
            key="window",
            detail="'soon' is not a duration such as '2s', '500ms' or '2 minutes'",
            expected="a duration such as '2s' or '500ms'",
        ),
        ConfigProblem(
            kind="invalid",
            key="buffer",
            detail="'big' is not a memory size such as '32M', '512k' or '1.5GiB'",
            expected="a memory size such as '32M'",
        ),
        ConfigProblem(
            kind="invalid",
            key="mode",
            detail="invalid enum value 'medium'",
            expected="Literal['fast', 'slow']",
        ),
    ]


def test_build_config_without_a_config_type_rejects_every_key() -> None:
    assert build_config(None, {}) == (None, [])
    assert build_config(None, {"a": 1, "b": 2}) == (
        None,
        [ConfigProblem(kind="unknown", key="a"), ConfigProblem(kind="unknown", key="b")],
    )


def test_build_config_reports_a_failing_cross_field_check_under_star() -> None:
    config, problems = build_config(Relabel.Config, {"low": 2, "high": 1})
    assert config is None
    assert problems == [ConfigProblem(kind="invalid", key="*", detail="low must not be above high")]


class Optional(msgspec.Struct, frozen=True, kw_only=True):
    limit: Annotated[int, msgspec.Meta(ge=0)] | None = None
    memory: ByteSize | None = None
    timeout: td | None = None
    ratio: Annotated[float, msgspec.Meta(ge=0, le=1)] = 0.5


def test_optional_sizes_and_durations_are_parsed_too() -> None:
    config, problems = build_config(Optional, {"memory": "2k", "timeout": "3s", "limit": "4"})
    assert problems == []
    assert config == Optional(memory=2048, timeout=td(seconds=3), limit=4)


def test_bounds_are_described_in_the_expected_value() -> None:
    _, problems = build_config(Optional, {"ratio": 2})
    assert problems == [
        ConfigProblem(
            kind="invalid",
            key="ratio",
            detail="expected `float` <= 1.0",
            expected="a number >= 0 and <= 1",
        )
    ]


def test_byte_size_rejects_negative_numbers() -> None:
    _, problems = build_config(Settings, {"count": 1, "buffer": -1})
    assert problems == [
        ConfigProblem(
            kind="invalid",
            key="buffer",
            detail="expected `int` >= 0",
            expected="a memory size such as '32M'",
        )
    ]


# --- config_params ---------------------------------------------------------------------------


def test_config_params_describe_types_and_defaults() -> None:
    assert [(p.name, p.type, p.required, p.default) for p in config_params(Optional)] == [
        ("limit", "int(ge=0) | None", False, "None"),
        ("memory", "int(ge=0) | None", False, "None"),
        ("timeout", "timedelta | None", False, "None"),
        ("ratio", "a number >= 0 and <= 1", False, "0.5"),
    ]
    assert config_params(None) == []


class Durations(msgspec.Struct, frozen=True, kw_only=True):
    short: td = td(milliseconds=250)
    zero: td = td(0)
    long: td = td(minutes=2)
    tags: list[str] = msgspec.field(default_factory=lambda: ["a"])


def test_config_params_show_durations_readably_and_call_default_factories() -> None:
    assert [p.default for p in config_params(Durations)] == ["250ms", "0s", "120s", "['a']"]
