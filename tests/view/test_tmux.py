"""The real CLI in a real terminal: tmux runs `sandbox run`, we read the screen and press keys.

Polling the pane is the one way to watch an external terminal: each wait has
a deadline and polls in small steps. The tmux server is private to the test
(its own socket, no user configuration).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(90),
    pytest.mark.skipif(
        shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)"
    ),
]

HERE: Final = Path(__file__).resolve().parent
SANDBOX: Final = Path(sys.executable).with_name("sandbox")
BLUEPRINT: Final = """
[blueprint]
name = "backpressure"

[streamlets]
source = { class = "pace:Source" }
relay  = "pace:relay"
sink   = { class = "pace:Slow", config = { delay = 0.002 } }

[topics.ticks]
producers = ["source.out"]
consumers = ["relay.in"]
capacity  = 64

[topics.relayed]
producers = ["relay.out"]
consumers = ["sink.in"]
capacity  = 64
"""
RATE: Final = re.compile(r"\d+(\.\d)?[kM]?/s")


class Pane:
    """A detached tmux session of a fixed size running one shell command."""

    def __init__(self, socket: str, config: Path, command: str, width: int, height: int) -> None:
        self.socket = socket
        # A fixed size from the start: no client is attached, so without "manual" tmux
        # would size the window to its default while the command starts.
        config.write_text("")
        self._tmux(
            "-f", str(config), "new-session", "-d", "-s", "view", "-x", str(width),
            "-y", str(height), command, ";", "set-option", "-g", "window-size", "manual", ";",
            "set-option", "-g", "remain-on-exit", "on",
        )  # fmt: skip

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            pytest.fail(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def text(self, *, history: bool = False) -> str:
        """What the pane shows now (with `history`, from the top of its scrollback)."""
        return self._tmux("capture-pane", "-p", "-t", "view", *(("-S", "-") if history else ()))

    def send(self, *keys: str) -> None:
        """Press keys (tmux key names: `Tab`, `Escape`, or characters)."""
        for key in keys:
            self._tmux("send-keys", "-t", "view", key)

    def wait_for(self, ready: Callable[[str], bool], what: str, seconds: float = 15) -> str:
        """Poll until `ready(text)`; fail with the last screen after `seconds`."""
        deadline = time.monotonic() + seconds
        text = self.text()
        while not ready(text):
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; the screen shows:\n{text}")
            time.sleep(0.05)
            text = self.text()
        return text

    def kill(self) -> None:
        """End the tmux server of this pane."""
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


@pytest.fixture
def run_in_tmux(tmp_path: Path) -> Iterator[Callable[[int, int], tuple[Pane, Path]]]:
    """Start `sandbox run` on the backpressure blueprint in a width x height terminal."""
    panes: list[Pane] = []
    blueprint = tmp_path / "backpressure.toml"
    blueprint.write_text(BLUEPRINT, encoding="utf-8")

    def start(width: int, height: int) -> tuple[Pane, Path]:
        rc = tmp_path / f"rc-{len(panes)}"
        run = (
            # COLUMNS/LINES (pytest exports them) would pin rich's idea of the terminal size.
            f"cd {shlex.quote(str(tmp_path))} && env -u COLUMNS -u LINES "
            f"PYTHONPATH={shlex.quote(str(HERE))} "
            f"{shlex.quote(str(SANDBOX))} run {blueprint.name} --run-dir run-{len(panes)}; "
            f"echo $? > {shlex.quote(str(rc))}"
        )
        socket = f"sandbox-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        pane = Pane(socket, tmp_path / "tmux.conf", f"sh -c {shlex.quote(run)}", width, height)
        panes.append(pane)
        return pane, rc

    yield start
    for pane in panes:
        pane.kill()


def _running(text: str) -> bool:
    """Every streamlet running with a rate, a full edge, and the keys on the last row.

    The last row matters: tmux may give the window its size a moment after the
    command starts, and the view follows on its next frame.
    """
    lines = text.splitlines()
    names = all(f" {name}" in text for name in ("source", "relay", "sink"))
    rates = RATE.search(text) is not None and "0/s ─" not in text  # edges have a rate too
    full = lines[-1].startswith("q quit") if lines else False
    return names and text.count("● running") >= 3 and "%!!" in text and rates and full


def test_view_shows_the_topology_answers_keys_and_q_drains_then_exits_0(
    run_in_tmux: Callable[[int, int], tuple[Pane, Path]],
) -> None:
    pane, rc = run_in_tmux(100, 30)

    screen = pane.wait_for(_running, "streamlets running with rates and a full edge")
    assert screen.splitlines()[0].startswith(" backpressure · running · ")
    for topic in ("ticks", "relayed"):
        assert topic in screen
    assert re.search(r"▮+ +\d+%!!", screen)  # a buffer's fill, marked when nearly full
    assert len(screen.splitlines()) == 30

    # A capture may catch a frame half drawn: wait for all of it, then assert.
    pane.send("2")
    screen = pane.wait_for(lambda t: " config (none)" in t, "relay's panel")
    assert "── relay · pace:relay · processor" in screen
    assert re.search(r" in  ← ticks · Tick · [\d,]+", screen)
    assert re.search(r" out → relayed · Tick · [\d,]+", screen)
    assert "┏" in screen  # the selected box, visible without colour

    pane.send("1")
    screen = pane.wait_for(lambda t: "limit = None, pause = 0.0" in t, "source's config")

    pane.send("t")
    sample = re.compile(r" Tick\(n=\d+, label='tick-\d+'\)")
    screen = pane.wait_for(lambda t: sample.search(t) is not None, "a sample of the tapped edge")
    assert "── tap ticks: source.out → relay.in · " in screen

    pane.send("Escape")
    pane.wait_for(lambda t: "── tap" not in t, "the tap closed")
    pane.send("q")
    screen = pane.wait_for(lambda t: rc.exists() and rc.read_text().strip() != "", "the exit")
    assert rc.read_text().strip() == "0"
    report = pane.text(history=True)
    assert "backpressure: stopped" in report
    assert "undelivered" not in report


def test_view_fits_80x24(run_in_tmux: Callable[[int, int], tuple[Pane, Path]]) -> None:
    pane, rc = run_in_tmux(80, 24)

    screen = pane.wait_for(_running, "the view at 80x24")

    lines = screen.splitlines()
    assert len(lines) <= 24
    assert max(len(line) for line in lines) <= 80
    assert "…" not in "\n".join(lines[3:12])
    pane.send("q")
    pane.wait_for(lambda t: rc.exists() and rc.read_text().strip() != "", "the exit")
    assert rc.read_text().strip() == "0"
