"""Terminal input decoded to key names; cbreak mode on a terminal, and its end."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import termios
from typing import TYPE_CHECKING

import pytest

from sandbox.view.keys import cbreak, decode, read_keys, terminal_fd

if TYPE_CHECKING:
    from collections.abc import Iterator


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


@pytest.fixture
def pty() -> Iterator[tuple[int, int]]:
    master, slave = os.openpty()
    yield master, slave
    os.close(slave)
    with contextlib.suppress(OSError):  # a test may have closed it
        os.close(master)


def test_stdin_is_read_for_keys_only_when_it_is_a_terminal(
    monkeypatch: pytest.MonkeyPatch, pty: tuple[int, int]
) -> None:
    _, slave = pty
    with open(slave, closefd=False) as terminal:
        monkeypatch.setattr(sys, "stdin", terminal)
        assert terminal_fd() == slave
        monkeypatch.setattr(sys, "stdin", io.StringIO("q"))
        assert terminal_fd() is None
        monkeypatch.setattr(sys, "stdin", None)
        assert terminal_fd() is None


def test_cbreak_reads_keys_one_by_one_and_restores_the_terminal(pty: tuple[int, int]) -> None:
    master, slave = pty
    before = termios.tcgetattr(slave)

    with cbreak(slave):
        during = termios.tcgetattr(slave)
        os.write(master, b"\x1b[Aq")
        keys = read_keys(slave)

    assert keys == ["up", "q"]
    assert before[3] & termios.ICANON
    assert not during[3] & (termios.ICANON | termios.ECHO)
    assert termios.tcgetattr(slave) == before


def test_a_terminal_that_goes_away_ends_the_keys_without_an_error(pty: tuple[int, int]) -> None:
    master, slave = pty
    with cbreak(slave):
        os.close(master)
        assert read_keys(slave) is None


def test_the_end_of_input_or_a_read_error_ends_the_keys() -> None:
    read, write = os.pipe()
    try:
        assert read_keys(write) is None  # not open for reading
        os.close(write)
        assert read_keys(read) is None
    finally:
        os.close(read)
