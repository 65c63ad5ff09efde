"""Compact numbers and cut texts of the view: rates, counts, labels that must fit."""

from __future__ import annotations

import pytest

from sandbox.view.panels import count
from sandbox.view.render import fit
from sandbox.view.summary import format_rate


@pytest.mark.parametrize(
    ("rate", "text"),
    [(0.4, "0/s"), (950, "950/s"), (12_345, "12.3k/s"), (1_250_000, "1.2M/s")],
    ids=["zero", "units", "thousands", "millions"],
)
def test_format_rate(rate: float, text: str) -> None:
    assert format_rate(rate) == text


@pytest.mark.parametrize(
    ("n", "text"),
    [(12_345, "12,345"), (123_456, "123k"), (4_500_000, "4.5M"), (12_000_000, "12M")],
    ids=["commas", "thousands", "millions", "tens-of-millions"],
)
def test_count(n: int, text: str) -> None:
    assert count(n) == text


@pytest.mark.parametrize(
    ("choices", "width", "text"),
    [
        (["validation", "valid"], 10, "validation"),
        (["validation", "valid"], 6, "valid"),
        (["validation", "valid"], 4, "val…"),
        ([], 4, ""),
        (["valid"], 0, ""),
    ],
    ids=["first-fits", "second-fits", "cut", "no-choice", "no-room"],
)
def test_fit_takes_the_first_choice_that_fits_else_cuts_the_last(
    choices: list[str], width: int, text: str
) -> None:
    assert fit(choices, width) == text
