"""The live view's text panels: header, footer, selection, tap, log and table.

Each function returns rows of `Text` that fit `width` (cut, never wrapped)
and at most `height` rows.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import msgspec
from rich.text import Text

from sandbox.schema import type_name
from sandbox.verification import DEAD_LETTERS
from sandbox.view.render import fit
from sandbox.view.snapshot import fill_level
from sandbox.view.texts import (
    FILL_STYLES,
    fill_choices,
    rate_choices,
    state_style,
    state_text,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sandbox.verification import Application
    from sandbox.view.logtail import LogLine
    from sandbox.view.snapshot import Snapshot

__all__ = [
    "KEYS",
    "count",
    "details_rows",
    "footer_row",
    "header_rows",
    "log_rows",
    "rule",
    "table_rows",
    "tap_rows",
]

KEYS = [
    "q quit · tab/arrows select · 1-9 pick · t tap edge · e next edge · esc close",
    "q quit · tab/←→ select · 1-9 · t tap · e edge · esc close",
    "q quit tab select t tap e edge esc",
]


def row(text: str, style: str = "") -> Text:
    """One row that never wraps."""
    return Text(text, style=style, no_wrap=True, overflow="crop", end="")


def rule(title: str, width: int, style: str = "bold") -> Text:
    """`── title ─────`: a section title across the width."""
    head = f"── {title} " if title else ""
    head = fit([head], width)
    return row(head + "─" * max(width - len(head), 0), style)


def count(n: int) -> str:
    """`12,345`, then `123k`, `4.5M` for large numbers."""
    if n >= 10_000_000:
        return f"{n / 1_000_000:.0f}M"
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    return f"{n / 1_000:.0f}k" if n >= 100_000 else f"{n:,}"


def header_rows(snapshot: Snapshot, run_dir: str, width: int) -> list[Text]:
    """Application, state, elapsed time, totals; then the run directory."""
    stats = snapshot.statistics
    state = "stopping: draining" if snapshot.stopping and stats.state == "running" else stats.state
    errors = sum(s.errors for s in stats.streamlets.values())
    stalled = sum(1 for s in stats.streamlets.values() if s.stalled)
    flag = f" · !! stalled {stalled}" if stalled else ""
    i, o, b = count(stats.records_in), count(stats.records_out), count(stats.buffered)
    app, t = stats.application, stats.elapsed
    first = fit(
        [
            f" {app} · {state} · {t:.1f}s · in {i} · out {o} · buffered {b} · errors {errors}"
            f"{flag} ",
            f" {app} · {state} · {t:.0f}s · in {i} · out {o} · buf {b} · err {errors}{flag}",
            f"{app} {state} {t:.0f}s in {i} out {o} err {errors}{flag.replace(' ·', '')}",
        ],
        width,
    )
    style = "bold red" if stalled or stats.state == "failed" else "bold"
    return [
        row(first.ljust(width), f"reverse {style}"),
        row(fit([f" run {run_dir}"], width), "dim"),
    ]


def footer_row(width: int) -> Text:
    """The keys."""
    return row(fit(KEYS, width), "dim")


def log_rows(lines: Sequence[LogLine], width: int, height: int) -> list[Text]:
    """A `log` rule and the latest lines that fit."""
    if height <= 0:
        return []
    shown = list(lines)[-(height - 1) :] if height > 1 else []
    rows = [rule("log", width, "dim")]
    for line in shown:
        style = "red" if line.level >= logging.ERROR else "yellow" if line.level >= 30 else ""
        rows.append(row(fit([line.text], width), style))
    return rows


def details_rows(
    application: Application,
    snapshot: Snapshot,
    name: str,
    replicas: Sequence[tuple[str, bool]],
    problems: Sequence[LogLine],
    width: int,
    height: int,
) -> list[Text]:
    """The selected streamlet: ports with topics and schemas, config, recent problems."""
    instance = application.instances[name]
    entry, spec = instance.entry, instance.spec
    s = snapshot.statistics.streamlets[name]
    rows = [rule(f"{name} · {entry.class_ref} · {spec.shape}", width, "bold cyan")]
    states = ", ".join(
        f"[{i}] {_replica(state, stalled)}" for i, (state, stalled) in enumerate(replicas)
    )
    rows.append(row(fit([f" {state_text(s)} · replicas {states}"], width), state_style(s)))
    rows.append(
        row(fit([f" runtime {entry.runtime} · restart {entry.restart} · on-error "
                 f"{entry.on_error} · errors {s.errors} · restarts {s.restarts}"], width))
    )  # fmt: skip
    topics = {
        (str(ref), direction): c.name
        for c in application.connections.values()
        for refs, direction in ((c.producers, "outlet"), (c.consumers, "inlet"))
        for ref in refs
    }
    ports = [(p.name, p.direction, type_name(p.schema)) for p in spec.ports]
    if (f"{name}.{DEAD_LETTERS}", "outlet") in topics:
        ports.append((DEAD_LETTERS, "outlet", "DeadLetter"))
    wide = max((len(p[0]) for p in ports), default=0)
    for port, direction, schema in ports:
        topic = topics.get((f"{name}.{port}", direction), "(not connected)")
        counts = s.records_in if direction == "inlet" else s.records_out
        arrow = "←" if direction == "inlet" else "→"
        rows.append(
            row(
                fit(
                    [f" {port:<{wide}} {arrow} {topic} · {schema} · {counts.get(port, 0):,}"], width
                )
            )
        )
    rows.append(row(fit([f" config {_config(instance.config, entry.config)}"], width), "dim"))
    rows.append(row(" recent problems" + (":" if problems else ": none"), "bold"))
    for line in list(problems)[-3:]:
        rows.append(row(fit([f"  {line.text}"], width), "red" if line.level >= 40 else "yellow"))
    return rows[:height]


def _replica(state: str, stalled: bool) -> str:
    return "!! stalled" if stalled and state == "running" else state


def _config(config: object, raw: dict[str, object]) -> str:
    values = msgspec.to_builtins(config) if isinstance(config, msgspec.Struct) else raw
    if not isinstance(values, dict) or not values:
        return "(none)"
    return ", ".join(f"{k} = {v!r}" for k, v in values.items())


def tap_rows(
    title: str, records: Sequence[object], seen: int, width: int, height: int
) -> list[Text]:
    """The records sampled on a tapped edge, newest last."""
    rows = [rule(f"tap {title} · {seen:,} seen", width, "bold magenta")]
    if not records:
        rows.append(row(" waiting for records…", "dim"))
    shown = list(records)[-max(height - 1, 0) :] if height > 1 else []
    for record in shown:
        rows.append(row(fit([f" {record!r}"], width)))
    return rows[:height]


def table_rows(
    snapshot: Snapshot, order: Sequence[str], selected: str | None, width: int, height: int
) -> list[Text]:
    """The fallback for graphs too large to draw: streamlets, then topics."""
    stats = snapshot.statistics.streamlets
    name_w = max(8, min(24, max((len(n) for n in order), default=8)))
    rows = [row(f" #  {'streamlet':<{name_w}} {'state':<12} {'×':>2} {'in/s':>8} {'out/s':>8} "
                f"{'err':>4} {'rst':>4}", "bold")]  # fmt: skip
    for i, name in enumerate(order):
        s = stats[name]
        mark = ">" if name == selected else " "
        number = str(i + 1) if i < 9 else ""
        line = (
            f"{mark}{number:>2} {fit([name], name_w):<{name_w}} {fit([state_text(s)], 12):<12} "
            f"{s.replicas:>2} {rate_choices(s.rate_in)[0]:>8} {rate_choices(s.rate_out)[0]:>8} "
            f"{s.errors:>4} {s.restarts:>4}"
        )
        rows.append(row(fit([line], width), "bold cyan" if mark == ">" else state_style(s)))
    topic_w = max(8, min(24, max((len(t) for t in snapshot.topics), default=8)))
    rows.append(row(f" {'topic':<{topic_w}} {'rate':>8}  {'fill':<14} {'buffered':>14}", "bold"))
    for name, view in snapshot.topics.items():
        level = fill_level(view.fill)
        line = (
            f" {fit([name], topic_w):<{topic_w}} {rate_choices(view.rate)[0]:>8}  "
            f"{fill_choices(view.fill)[2]:<14} {view.buffered:>6,}/{view.capacity:<7,}"
        )
        rows.append(row(fit([line], width), FILL_STYLES[level]))
    if len(rows) > height:
        hidden = len(rows) - height + 1
        rows = [*rows[: height - 1], row(f" … {hidden} more rows (enlarge the terminal)", "dim")]
    return rows
