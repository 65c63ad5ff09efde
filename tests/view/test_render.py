"""The live view's frame fits the terminal and shows what the run is doing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from rich.console import Console

from sandbox.view.frame import Frame, FrameInput, TapView, compose
from sandbox.view.layout import layout
from sandbox.view.logtail import LogLine
from sandbox.view.summary import summary_line

from .fakes import application, frame_of
from .pace import REF, Tick

if TYPE_CHECKING:
    from pathlib import Path

    from sandbox.verification import Application

NAMES = ["ingress", "metrics", "validation×2", "valid-log", "bad-log"]
TOPICS = ["readings", "metrics", "valid", "invalid"]


def render(frame: FrameInput, width: int, height: int) -> str:
    console = Console(record=True, width=width, height=height, color_system=None)
    console.print(Frame(frame))
    return console.export_text()


@pytest.fixture(scope="module")
def sensor() -> Application:
    return application()


@pytest.mark.parametrize(("width", "height"), [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_frame_fits_and_shows_names_states_rates_and_edge_fill(
    sensor: Application, width: int, height: int
) -> None:
    frame = frame_of(sensor, rate=20.0, fills={"metrics": 0.45, "valid": 0.95})

    text = render(frame, width, height)

    lines = text.splitlines()
    assert len(lines) == height
    assert max(len(line) for line in lines) <= width
    graph = "\n".join(lines[3:16])
    assert "…" not in graph  # nothing cut
    for name in NAMES + TOPICS:
        assert name in graph
    assert graph.count("● running") == 5
    assert graph.count("20/s") >= 4  # on boxes and edges
    assert " 45%" in graph
    assert "100%!!" not in graph
    assert " 95%!!" in graph  # nearly full: marked without colour
    assert lines[0].startswith(" sensor-data · running · 2.0s · in ")
    assert lines[1] == " run .sandbox/runs/20260101-000000-000000"
    assert lines[-1].startswith("q quit")


def test_full_edges_are_red_and_others_green(sensor: Application) -> None:
    rows = compose(frame_of(sensor, fills={"valid": 0.95}), 80, 24)

    styles = {
        str(span.style)
        for row in rows
        for span in row.spans
        if "95%" in row.plain[span.start : span.end]
    }
    assert styles == {"bold red"}
    low = {str(s.style) for row in rows for s in row.spans if "0%" in row.plain[s.start : s.end]}
    assert "green" in low


def test_a_stalled_streamlet_says_so_in_its_box_and_the_header(sensor: Application) -> None:
    text = render(frame_of(sensor, stalled=frozenset({"valid-log"})), 80, 24)

    assert "!! stalled" in text
    assert "· !! stalled 1" in text.splitlines()[0]


def test_selection_shows_ports_schemas_config_and_a_heavy_box(sensor: Application) -> None:
    frame = frame_of(sensor)._replace(selected="validation", replicas=[("running", False)] * 2)

    text = render(frame, 80, 24)

    assert "┏validation×2┓" in text
    assert "── validation · streamlets.sensors:Validate · fan-out ──" in text
    assert " in      ← metrics · Metric · 40" in text
    assert " invalid → invalid · InvalidMetric · 40" in text
    assert " config min = 0.0, max = 1000.0" in text
    assert "replicas [0] running, [1] running" in text


def test_a_tap_shows_the_sampled_records(sensor: Application) -> None:
    records = [Tick(n=i, label=f"tick-{i}") for i in range(3)]
    frame = frame_of(sensor)._replace(tap=TapView("valid: validation.valid → x.in", records, 3))

    text = render(frame, 80, 24)

    assert "── tap valid: validation.valid → x.in · 3 seen ──" in text
    assert " Tick(n=2, label='tick-2')" in text


def test_log_lines_fill_the_rest_newest_last(sensor: Application) -> None:
    logs = [LogLine(20, f"line {i}") for i in range(100)]

    text = render(frame_of(sensor)._replace(logs=logs), 80, 24)

    lines = text.splitlines()
    assert lines[-2] == "line 99"
    assert "── log ──" in text


def _chain(tmp_path: Path, length: int) -> Application:
    names = [f"relay-{i}" for i in range(length)]
    lines = ["[blueprint]", 'name = "long"', "[streamlets]", f'source = "{REF}:Source"']
    lines += [f'{name} = "{REF}:relay"' for name in names]
    lines += [f'sink = "{REF}:Slow"', "[connections]"]
    ports = ["source.out", *(f"{n}.out" for n in names)]
    targets = [*(f"{n}.in" for n in names), "sink.in"]
    lines += [f'"{a}" = ["{b}"]' for a, b in zip(ports, targets, strict=True)]
    path = tmp_path / "long.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return application(path)


@pytest.mark.parametrize(("width", "height"), [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_a_graph_too_large_to_draw_falls_back_to_a_table(
    tmp_path: Path, width: int, height: int
) -> None:
    app = _chain(tmp_path, 12)

    text = render(frame_of(app), width, height)

    lines = text.splitlines()
    assert len(lines) == height
    assert "┌" not in text
    assert lines[3].split() == ["#", "streamlet", "state", "×", "in/s", "out/s", "err", "rst"]
    assert lines[4].split()[:4] == ["1", "source", "●", "running"]
    if height == 50:
        assert all(f"relay-{i}" in text for i in range(12))
        assert "source.out" in text
    else:
        assert "more rows (enlarge the terminal)" in text


def test_layout_is_none_for_a_cycle_and_the_table_takes_over(tmp_path: Path) -> None:
    path = tmp_path / "loop.toml"
    path.write_text(
        f'[streamlets]\na = "{REF}:relay"\nb = "{REF}:relay"\n'
        '[connections]\n"a.out" = ["b.in"]\n"b.out" = ["a.in"]\n',
        encoding="utf-8",
    )
    app = application(path)

    assert layout(app) is None
    assert "#  streamlet" in render(frame_of(app), 80, 24)


def test_the_summary_line_off_a_terminal_names_a_stalled_streamlet(sensor: Application) -> None:
    frame = frame_of(sensor, stalled=frozenset({"bad-log"}))

    line = summary_line(frame.snapshot.statistics)

    assert line.startswith("[   2.0s] sensor-data: in=")
    assert "bad-log 20/s !! stalled" in line
