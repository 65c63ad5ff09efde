"""Keys from a terminal: cbreak mode for the view's lifetime, bytes decoded to key names.

Cbreak (not raw) mode: keys arrive one by one without echo, while Ctrl-C
still raises SIGINT, which stops the run gracefully as everywhere else.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["cbreak", "decode", "read_keys", "terminal_fd"]

_SEQUENCES: Final = {
    "\x1b[A": "up", "\x1b[B": "down", "\x1b[C": "right", "\x1b[D": "left",
    "\x1bOA": "up", "\x1bOB": "down", "\x1bOC": "right", "\x1bOD": "left",
    "\x1b[Z": "shift-tab",
}  # fmt: skip
_NAMES: Final = {"\t": "tab", "\r": "enter", "\n": "enter", "\x1b": "esc", " ": "space"}


def decode(data: str) -> list[str]:
    """Key names in `data`: letters and digits as themselves, else "tab", "left", "esc", ...

    A lone ESC is the Escape key; ESC followed by `[` or `O` starts an
    arrow-key sequence; unknown sequences are skipped.
    """
    keys = []
    i = 0
    while i < len(data):
        if data[i] == "\x1b" and i + 1 < len(data) and data[i + 1] in "[O":
            end = i + 2
            while end < len(data) and not (data[end].isalpha() or data[end] == "~"):
                end += 1
            sequence = data[i : end + 1]
            if sequence in _SEQUENCES:
                keys.append(_SEQUENCES[sequence])
            i = end + 1
            continue
        char = data[i]
        keys.append(_NAMES.get(char, char))
        i += 1
    return keys


def terminal_fd() -> int | None:
    """The file descriptor of stdin if it is a terminal that can do cbreak, else None."""
    try:
        import termios  # noqa: F401  # POSIX only: no keys elsewhere
    except ImportError:
        return None
    stream = sys.stdin
    if stream is None or not stream.isatty():
        return None
    return stream.fileno()


@contextlib.contextmanager
def cbreak(fd: int) -> Iterator[None]:
    """Put the terminal in cbreak mode; restore its settings on exit, whatever happens."""
    import termios  # POSIX only, checked by terminal_fd
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd, termios.TCSANOW)
        yield
    finally:
        with contextlib.suppress(termios.error):  # the terminal went away: nothing to restore
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def read_keys(fd: int) -> list[str] | None:
    """Read what is there (the caller waited until `fd` is readable) and decode it.

    Returns None at the end of input (the terminal went away): stop reading.
    """
    try:
        data = os.read(fd, 256)
    except OSError:
        return None
    return decode(data.decode("utf-8", errors="replace")) if data else None
