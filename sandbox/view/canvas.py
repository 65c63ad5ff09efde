"""A character grid for drawing boxes and lines, turned into rich `Text` rows.

Lines are kept as direction bits per cell, so where two lines meet the
right junction (`┬`, `┤`, `┼`, ...) appears whatever the drawing order.
Text and box borders are plain characters and win over lines.
"""

from __future__ import annotations

from typing import Final, final

from rich.text import Text

__all__ = ["Canvas", "E", "N", "S", "W"]

N: Final = 1
E: Final = 2
S: Final = 4
W: Final = 8

_JOINS: Final = {
    0: " ", N: "│", S: "│", N | S: "│", E: "─", W: "─", E | W: "─",
    E | S: "┌", W | S: "┐", N | E: "└", N | W: "┘",
    N | S | E: "├", N | S | W: "┤", E | W | S: "┬", E | W | N: "┴", N | E | S | W: "┼",
}  # fmt: skip


@final
class Canvas:
    """`width` x `height` cells; each has a character or line bits, and a style."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self._chars: list[list[str | None]] = [[None] * width for _ in range(height)]
        self._bits: list[list[int]] = [[0] * width for _ in range(height)]
        self._styles: list[list[str]] = [[""] * width for _ in range(height)]

    def _inside(self, x: int, y: int) -> bool:
        return 0 <= x < self.width and 0 <= y < self.height

    def free(self, x: int, y: int) -> bool:
        """True when nothing is drawn at (x, y)."""
        return self._inside(x, y) and self._chars[y][x] is None and not self._bits[y][x]

    def put(self, x: int, y: int, char: str, style: str = "") -> None:
        """Set one character."""
        if self._inside(x, y):
            self._chars[y][x] = char
            self._styles[y][x] = style

    def text(self, x: int, y: int, text: str, style: str = "") -> None:
        """Write `text` from (x, y) rightwards (cut at the edge)."""
        for i, char in enumerate(text):
            self.put(x + i, y, char, style)

    def hline(self, x0: int, x1: int, y: int, style: str = "") -> None:
        """A horizontal line between the cells x0 and x1 (inclusive; none if equal)."""
        a, b = min(x0, x1), max(x0, x1)
        if a == b:
            return
        for x in range(a, b + 1):
            self._line(x, y, (E if x < b else 0) | (W if x > a else 0), style)

    def vline(self, x: int, y0: int, y1: int, style: str = "") -> None:
        """A vertical line between the cells y0 and y1 (inclusive; none if equal)."""
        a, b = min(y0, y1), max(y0, y1)
        if a == b:
            return
        for y in range(a, b + 1):
            self._line(x, y, (S if y < b else 0) | (N if y > a else 0), style)

    def _line(self, x: int, y: int, bits: int, style: str) -> None:
        if self._inside(x, y):
            self._bits[y][x] |= bits
            if style or not self._styles[y][x]:
                self._styles[y][x] = style

    def path(self, x0: int, y0: int, lane: int, y1: int, x1: int, style: str = "") -> None:
        """From (x0, y0) right to column `lane`, along it to row y1, then to (x1, y1)."""
        if y0 == y1:
            self.hline(x0, x1, y0, style)
            return
        self.hline(x0, lane, y0, style)
        self.vline(lane, y0, y1, style)
        self.hline(lane, x1, y1, style)

    def box(
        self, x: int, y: int, width: int, height: int, style: str = "", *, heavy: bool = False
    ) -> None:
        """A box border; `heavy` draws it with heavy lines (selection, without colour)."""
        tl, tr, bl, br, h, v = "┏┓┗┛━┃" if heavy else "┌┐└┘─│"
        right, bottom = x + width - 1, y + height - 1
        self.put(x, y, tl, style)
        self.put(right, y, tr, style)
        self.put(x, bottom, bl, style)
        self.put(right, bottom, br, style)
        for i in range(x + 1, right):
            self.put(i, y, h, style)
            self.put(i, bottom, h, style)
        for j in range(y + 1, bottom):
            self.put(x, j, v, style)
            self.put(right, j, v, style)
            for i in range(x + 1, right):
                self.put(i, j, " ")

    def rows(self) -> list[Text]:
        """One `Text` per row, styles merged into runs, trailing blanks dropped."""
        rows = []
        for chars, bits, styles in zip(self._chars, self._bits, self._styles, strict=True):
            text = Text(no_wrap=True, overflow="crop", end="")
            run: list[str] = []
            run_style = ""
            for char, bit, style in zip(chars, bits, styles, strict=True):
                glyph = char if char is not None else _JOINS[bit]
                if style != run_style and run:
                    text.append("".join(run), run_style or None)
                    run = []
                run_style = style
                run.append(glyph)
            if run:
                text.append("".join(run), run_style or None)
            text.rstrip()
            rows.append(text)
        return rows
