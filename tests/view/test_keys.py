"""Terminal input decoded to key names."""

from __future__ import annotations

import pytest

from sandbox.view.keys import decode


@pytest.mark.parametrize(
    ("data", "keys"),
    [
        ("q", ["q"]),
        ("\t", ["tab"]),
        ("\x1b", ["esc"]),
        ("\x1b[C\x1b[D", ["right", "left"]),
        ("\x1bOA", ["up"]),
        ("\x1b[Z", ["shift-tab"]),
        ("3t", ["3", "t"]),
        ("\x1b[15~e", ["e"]),  # F5 is skipped
    ],
    ids=["letter", "tab", "escape", "arrows", "ss3-arrow", "shift-tab", "two", "unknown"],
)
def test_decode_names_keys(data: str, keys: list[str]) -> None:
    assert decode(data) == keys
