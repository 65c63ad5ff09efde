"""Topology layout: columns by longest path, no overlaps, lanes that keep edges apart."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from sandbox.view.graph import drawing
from sandbox.view.lanes import gap_of
from sandbox.view.layout import Layout, layout

from .fakes import application
from .pace import REF

if TYPE_CHECKING:
    from pathlib import Path

LONG = f"""
[streamlets]
source = "{REF}:Source"
extra  = "{REF}:Source"
left   = "{REF}:relay"
right  = "{REF}:relay"
merge  = "{REF}:relay"
sink   = "{REF}:Slow"

[topics.ticks]
producers = ["source.out"]
consumers = ["left.in", "right.in"]

[topics.joined]
producers = ["left.out", "right.out"]
consumers = ["merge.in"]

[topics.out]
producers = ["merge.out", "extra.out"]
consumers = ["sink.in"]
"""


def _long(tmp_path: Path) -> Layout:
    path = tmp_path / "long.toml"
    path.write_text(LONG, encoding="utf-8")
    laid = layout(application(path))
    assert laid is not None
    return laid


def _columns(laid: Layout) -> list[list[str]]:
    return [[n.name or "·" for n in column] for column in laid.columns]


def test_streamlets_are_layered_by_longest_path_with_topics_between() -> None:
    laid = layout(application())
    assert laid is not None

    assert _columns(laid) == [
        ["ingress"], ["readings"], ["metrics"], ["metrics"], ["validation"],
        ["valid", "invalid"], ["valid-log", "bad-log"],
    ]  # fmt: skip
    assert laid.kinds == ["streamlet", "topic"] * 3 + ["streamlet"]
    assert laid.streamlets == ["ingress", "metrics", "validation", "valid-log", "bad-log"]


def test_a_chain_of_single_ports_is_one_straight_line() -> None:
    laid = layout(application())
    assert laid is not None

    chain = [link for link in laid.links if link.topic in ("readings", "metrics", "valid")]
    assert all(link.source_y() == link.target_y() for link in chain)


def test_nodes_of_a_column_never_overlap(tmp_path: Path) -> None:
    for laid in (layout(application()), _long(tmp_path)):
        assert laid is not None
        for column in laid.columns:
            spans = sorted((n.y, n.y + n.height) for n in column)
            assert all(a_end < b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))


def test_an_edge_skipping_columns_passes_through_them_in_its_own_lane(tmp_path: Path) -> None:
    laid = _long(tmp_path)

    dummies = [n.column for column in laid.columns for n in column if n.kind == "dummy"]
    assert dummies == [1, 2, 3, 4]  # extra (column 0) -> topic out (column 5)
    right_of_ticks = {link.lane for link in laid.links if gap_of(link, laid.kinds) == (1, "out")}
    assert right_of_ticks == {0, 1}  # ticks' fan-out and the passing line do not share


def test_graph_drawing_fits_the_width_or_is_none(tmp_path: Path) -> None:
    app = application()

    wide = drawing(app, 200)
    narrow = drawing(app, 60)

    assert wide is not None
    assert max(len(line) for line in wide) <= 200
    assert "┌ validation×2 ─┐" in "\n".join(wide)
    assert narrow is None
