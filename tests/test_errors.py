"""Diagnostics, locations and the wording helpers every message uses."""

from __future__ import annotations

import pytest

from sandbox import BlueprintError, Diagnostic, Location, SandboxError
from sandbox.errors import CODES, article, diagnostic, did_you_mean, plural, quote_list


@pytest.mark.parametrize(
    ("choices", "conjunction", "expected"),
    [
        ([], "or", "none"),
        (["a"], "or", "'a'"),
        (["a", "b"], "or", "'a' or 'b'"),
        (["a", "b", "c"], "or", "'a', 'b', or 'c'"),
        (["a", "b", "c"], "and", "'a', 'b', and 'c'"),
    ],
)
def test_quote_list(choices: list[str], conjunction: str, expected: str) -> None:
    assert quote_list(choices, conjunction=conjunction) == expected


def test_did_you_mean_offers_the_closest_name_or_nothing() -> None:
    assert did_you_mean("sink", ["source", "sinks", "split"]) == "did you mean 'sinks'? "
    assert did_you_mean("xyz", ["source", "sink"]) == ""


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("ingress", "an ingress"),
        ("egress", "an egress"),
        ("processor", "a processor"),
        ("fan-in", "a fan-in"),
        ("integer", "an integer"),
        ("Object", "an Object"),
    ],
)
def test_article(word: str, expected: str) -> None:
    assert article(word) == expected


def test_plural() -> None:
    assert [plural(n, "topic") for n in (0, 1, 2)] == ["0 topics", "1 topic", "2 topics"]


@pytest.mark.parametrize(
    ("location", "text"),
    [
        (Location(file="a.toml", line=3, column=7, path="$.x"), "a.toml:3:7"),
        (Location(file="a.toml", line=3, path="$.x"), "a.toml:3"),
        (Location(file="a.toml", path="$.topics.t"), "a.toml $.topics.t"),
        (Location(file="a.toml"), "a.toml"),
        (Location(file="--set a.b=1", path=""), "--set a.b=1"),
        (Location(), "<blueprint>"),
    ],
)
def test_location_text(location: Location, text: str) -> None:
    assert str(location) == text


def test_diagnostic_text_names_place_code_subject_message_and_hint() -> None:
    d = diagnostic(
        "port-not-found/streamlet",
        location=Location(file="app.toml", line=4, column=2, path="$.topics.t.consumers[0]"),
        streamlet="snk",
        port="in",
        name="snk",
        suggestion="did you mean 'sink'? ",
        choices="'sink'",
    )
    assert d.subject == "snk.in"
    assert d.location == Location(file="app.toml", line=4, column=2, path="$.topics.t.consumers[0]")
    assert str(d) == (
        "app.toml:4:2 [port-not-found] snk.in: no streamlet named 'snk'\n"
        "  hint: did you mean 'sink'? streamlets in this blueprint: 'sink'"
    )


def test_diagnostic_without_subject_or_hint() -> None:
    d = Diagnostic(code="cycle", severity="warning", message="m", file="f.yaml")
    assert d.subject is None
    assert str(d) == "f.yaml [cycle]: m"
    assert Diagnostic(code="x", severity="error", message="m", streamlet="s").subject == "s"


def test_every_code_has_a_default_severity() -> None:
    warnings = {code for code, severity in CODES.items() if severity == "warning"}
    assert warnings == {"topic-without-producers", "topic-without-consumers", "cycle"}


def test_blueprint_error_shows_errors_first_and_at_most_twenty() -> None:
    errors = [Diagnostic(code="e", severity="error", message=f"m{i}") for i in range(25)]
    warning = Diagnostic(code="w", severity="warning", message="w")
    error = BlueprintError([warning, *errors])
    assert isinstance(error, SandboxError)
    assert error.diagnostics == (warning, *errors)
    lines = str(error).splitlines()
    assert lines[0] == "<blueprint> [e]: m0"
    assert len(lines) == 21
    assert lines[-1] == "... and 5 more"


def test_blueprint_error_with_only_warnings_shows_them() -> None:
    warning = Diagnostic(code="w", severity="warning", message="careful")
    assert str(BlueprintError([warning])) == "<blueprint> [w]: careful"
