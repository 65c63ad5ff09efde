"""The README's tutorial, followed word for word in a fresh directory.

Files are the code blocks preceded by `<!-- file: PATH -->`; commands are the `$ sandbox ...`
lines of `console` blocks, each followed by the output the README shows. Blocks are replayed
in order, each command in-process through the CLI with the working directory at `tmp_path`.
"""

from __future__ import annotations

import re
import shlex
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from sandbox.cli import app

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TUTORIAL_MODULE = "shop"  # the tutorial's package; forgotten before and after each test

_BLOCK = re.compile(
    r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.M | re.S
)
# What differs between runs (or machines), replaced on both sides before comparing.
_VOLATILE = [
    (re.compile(r"\b[0-9a-f]{16}\b"), "<fingerprint>"),
    (re.compile(r"^\d+\.\ds, run directory \S+$", re.M), "<elapsed>, run directory <dir>"),
]


class Step:
    """A file to write, or a command with the output the README shows."""

    def __init__(self, *, file: str | None = None, command: str | None = None, text: str) -> None:
        self.file = file
        self.command = command
        self.text = text

    def __repr__(self) -> str:
        return f"Step({self.file or self.command!r})"


def tutorial_steps() -> list[Step]:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Five-minute tutorial")
    section = text[start : text.index("\n## ", start + 1)]
    steps = []
    for block in _BLOCK.finditer(section):
        if block["file"]:
            steps.append(Step(file=block["file"], text=block["body"]))
        elif block["lang"] == "console":
            steps.extend(_commands(block["body"]))
    return steps


def _commands(body: str) -> Iterator[Step]:
    command: str | None = None
    output: list[str] = []
    for line in [*body.splitlines(), "$ "]:
        if not line.startswith("$ "):
            output.append(line)
            continue
        if command is not None:
            yield Step(command=command, text="\n".join(output) + "\n")
        command, output = line[2:], []


def normalized(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def expected_exit_code(output: str) -> int:
    """1 when the shown output ends a verification as failed, else 0."""
    return 1 if re.search(r"^\S+: failed, \d+ errors?", output, re.M) else 0


@pytest.fixture
def fresh_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    for variable in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(variable, raising=False)
    _forget_tutorial_modules()
    yield tmp_path
    _forget_tutorial_modules()


def _forget_tutorial_modules() -> None:
    for name in list(sys.modules):
        if name == TUTORIAL_MODULE or name.startswith(f"{TUTORIAL_MODULE}."):
            del sys.modules[name]


def test_readme_starts_with_the_description_and_the_setup_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    description = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["description"]
    assert lines[0] == "# streamlet-sandbox"
    assert " ".join(lines[2:4]) == description
    commands = [line.split("#")[0].strip() for line in lines[5:8]]
    assert commands == ["```sh", "make run", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    targets = re.findall(r"^([a-z]+):", makefile, re.M)
    assert {"run", "test"} <= set(targets)


def test_readme_tutorial_has_files_and_commands() -> None:
    steps = tutorial_steps()
    files = [s.file for s in steps if s.file]
    commands = [s.command for s in steps if s.command]
    assert files == ["shop/streamlets.py", "shop.toml", "typo.toml"]
    assert all(c.startswith("sandbox ") for c in commands), commands
    assert {c.split()[1] for c in commands} >= {"describe", "verify", "graph", "run"}


@pytest.mark.slow
def test_readme_tutorial_outputs_are_real(fresh_directory: Path) -> None:
    runner = CliRunner()
    for step in tutorial_steps():
        if step.file is not None:
            path = fresh_directory / step.file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(step.text, encoding="utf-8")
            continue
        assert step.command is not None
        result = runner.invoke(app, shlex.split(step.command)[1:])
        # stdout only: warnings a slow machine may log during `run` go to stderr.
        assert normalized(result.stdout) == normalized(step.text), step.command
        assert result.exit_code == expected_exit_code(step.text), (step.command, result.output)
