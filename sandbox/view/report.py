"""Rendering verification reports as text, JSON or GitHub annotations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import msgspec
from rich.text import Text

from sandbox.errors import Diagnostic, plural

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console

    from sandbox.verification import Report

__all__ = ["ReportFormat", "render_github", "render_json", "render_text", "report_data"]

ReportFormat = Literal["text", "json", "github"]

_STYLE = {"error": "bold red", "warning": "yellow"}


def render_text(reports: Sequence[Report], console: Console, *, strict: bool = False) -> None:
    """Print reports grouped by file, then a one-line summary."""
    for report in reports:
        _render_one(report, console, strict=strict)
    if len(reports) > 1:
        errors = sum(len(r.errors) for r in reports)
        warnings = sum(len(r.warnings) for r in reports)
        console.print(
            f"{plural(len(reports), 'blueprint')}: {plural(errors, 'error')}, "
            f"{plural(warnings, 'warning')}"
        )


def _render_one(report: Report, console: Console, *, strict: bool) -> None:
    name = report.file or "<blueprint>"
    if not report.diagnostics:
        console.print(Text.assemble((f"{name}", "bold"), ": ", ("ok", "green"), ", no problems"))
        return
    for diag in report.diagnostics:
        console.print(_line(diag))
        if diag.hint:
            console.print(Text(f"  hint: {diag.hint}", style="dim"))
    failed = bool(report.errors) or (strict and bool(report.warnings))
    verdict = ("failed", "bold red") if failed else ("ok", "green")
    console.print(
        Text.assemble(
            (name, "bold"),
            ": ",
            verdict,
            f", {plural(len(report.errors), 'error')}, {plural(len(report.warnings), 'warning')}",
        )
    )


def _line(diag: Diagnostic) -> Text:
    text = Text()
    text.append(str(diag.location), style="bold")
    text.append(": ")
    text.append(diag.severity, style=_STYLE[diag.severity])
    text.append(f" [{diag.code}]", style="cyan")
    if diag.subject:
        text.append(f" {diag.subject}", style="bold")
    text.append(f": {diag.message}")
    return text


def report_data(report: Report, *, strict: bool = False) -> dict[str, object]:
    """The JSON contract of one report; with `strict`, warnings make it not ok."""
    return {
        "blueprint": report.file,
        "ok": report.ok and not (strict and report.warnings),
        "problems": [
            {
                "code": d.code,
                "severity": d.severity,
                "file": d.file,
                "line": d.line,
                "column": d.column,
                "path": d.path,
                "streamlet": d.streamlet,
                "port": d.port,
                "message": d.message,
                "hint": d.hint,
            }
            for d in report.diagnostics
        ],
    }


def render_json(reports: Sequence[Report], *, strict: bool = False) -> str:
    """One object for one file, a list for several."""
    data: object = [report_data(r, strict=strict) for r in reports]
    if len(reports) == 1:
        data = report_data(reports[0], strict=strict)
    return msgspec.json.format(msgspec.json.encode(data), indent=2).decode()


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render_github(reports: Sequence[Report]) -> str:
    """GitHub Actions workflow commands, one per problem."""
    lines = []
    for report in reports:
        for d in report.diagnostics:
            props = [f"file={_escape(d.file or report.file or '', prop=True)}"]
            if d.line is not None:
                props.append(f"line={d.line}")
            if d.column is not None:
                props.append(f"col={d.column}")
            props.append(f"title={_escape(d.code, prop=True)}")
            subject = f"{d.subject}: " if d.subject else ""
            message = f"{subject}{d.message}" + (f"\nhint: {d.hint}" if d.hint else "")
            lines.append(f"::{d.severity} {','.join(props)}::{_escape(message)}")
    return "\n".join(lines)
