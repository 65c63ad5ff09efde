"""Options of a streamlet under test: backoff given as text, seconds or a Backoff."""

from __future__ import annotations

import pytest

from sandbox.blueprint.model import Backoff
from sandbox.testkit import TestkitError, run_streamlet
from sandbox.testkit.session import parse_backoff

from .streamlets import Parse

DEFAULT = Backoff(initial=1.0, maximum=2.0)


@pytest.mark.parametrize(
    ("given", "backoff"),
    [
        (None, DEFAULT),
        (Backoff(initial=3.0, maximum=4.0), Backoff(initial=3.0, maximum=4.0)),
        (2, Backoff(initial=2.0, maximum=2.0)),
        (0.5, Backoff(initial=0.5, maximum=0.5)),
        ("100ms..10s", Backoff(initial=0.1, maximum=10.0)),
        (" 1s .. 1 minute ", Backoff(initial=1.0, maximum=60.0)),
    ],
    ids=["default", "backoff", "int", "float", "range", "spaces"],
)
def test_parse_backoff(given: Backoff | str | float | None, backoff: Backoff) -> None:
    assert parse_backoff(given, DEFAULT) == backoff


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("fast", r"^backoff must look like '100ms\.\.10s' or be a number of seconds, got 'fast'$"),
        (
            "1x..2s",
            r"^backoff '1x\.\.2s': '1x' is not a duration such as '2s', '500ms' or '2 minutes'$",
        ),
    ],
    ids=["no-range", "bad-duration"],
)
def test_parse_backoff_rejects_other_text(given: str, message: str) -> None:
    with pytest.raises(TestkitError, match=message):
        parse_backoff(given, DEFAULT)


async def test_restarts_wait_out_the_backoff_on_the_fake_clock() -> None:
    immediate = await run_streamlet(
        Parse, inputs={"in": ["x"]}, restart="on-failure", max_restarts=1, raise_on_failure=False
    )
    delayed = await run_streamlet(
        Parse,
        inputs={"in": ["x"]},
        restart="on-failure",
        max_restarts=1,
        backoff=4,
        raise_on_failure=False,
    )
    assert (immediate.state, immediate.clock.now()) == ("failed", 0.0)  # no backoff by default
    [restart] = [e for e in delayed.events if e["event"] == "restarting"]
    assert 2.0 <= restart["delay"] <= 4.0  # type: ignore[operator]  # jittered: half to all
    assert delayed.clock.now() == pytest.approx(restart["delay"], abs=1e-3)
    assert delayed.statistics.restarts == 1
