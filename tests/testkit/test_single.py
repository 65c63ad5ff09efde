"""run_streamlet's inputs: by inputs= or by keyword, not both for one inlet."""

from __future__ import annotations

import pytest

from sandbox.testkit import TestkitError, run_streamlet

from .streamlets import Merge


async def test_an_inlet_given_twice_is_refused() -> None:
    with pytest.raises(
        TestkitError, match=r"^inlet 'left' is given twice, in inputs= and as left=$"
    ):
        await run_streamlet(Merge, inputs={"left": [1]}, left=[2])


async def test_inputs_and_keywords_combine_for_different_inlets() -> None:
    result = await run_streamlet(Merge, inputs={"left": [1]}, right=[2])
    assert result["out"] == [1, -2]
