"""The `sandbox` command: parse arguments, call the library, render the result."""

from __future__ import annotations

import functools
import importlib
import json
import logging
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import anyio
import msgspec
import typer
from rich.console import Console
from rich.markup import escape

from sandbox.blueprint.model import LogLevel
from sandbox.config import parse_duration
from sandbox.errors import BlueprintError, SandboxError
from sandbox.scaffold import Shape, scaffold_streamlet
from sandbox.streamlet import Streamlet, describe
from sandbox.verification import Application, Report, verify
from sandbox.verification.imports import import_path
from sandbox.view.describe import application_data, render_application, render_descriptor
from sandbox.view.graph import GraphFormat, render_graph
from sandbox.view.live import MAX_REFRESH
from sandbox.view.logtail import LogTail
from sandbox.view.report import ReportFormat, render_github, render_json, render_text
from sandbox.view.session import RunOptions, run_session
from sandbox.view.summary import final_report

__all__ = ["app", "main"]

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="sandbox",
    help="Build, verify, run and test streaming applications of typed streamlets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
new_app = typer.Typer(help="Create new project files.", no_args_is_help=True)
app.add_typer(new_app, name="new")

ConfigOption = Annotated[
    list[Path] | None,
    typer.Option("--config", help="TOML file of \\[streamlets.<name>.config] tables; repeatable."),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override one parameter: NAME.KEY=VALUE; repeatable."),
]


def _console(*, stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    # escaped: messages quote types such as list[int], which are not markup
    _console(stderr=True).print(f"[bold red]error:[/] {escape(message)}", markup=True)
    return typer.Exit(code)


def _friendly(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn the tool's own expected failures into one clear paragraph."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except SandboxError as exc:
            raise _fail(str(exc), 1) from None
        except OSError as exc:
            raise _fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), 1) from None

    return wrapper


class _LogFormatter(logging.Formatter):
    """`12:00:01 INFO  valid-log: message`: streamlet loggers by instance name."""

    def format(self, record: logging.LogRecord) -> str:
        name = record.name.removeprefix("sandbox.streamlet.")
        stamp = self.formatTime(record, "%H:%M:%S")
        text = f"{stamp} {record.levelname:<7} {name}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


@contextmanager
def _console_logging(level: str, handler: logging.Handler | None = None) -> Iterator[None]:
    """Log to stderr, or to `handler` (the live view's log pane) instead."""
    handler = handler or logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LogFormatter())
    root = logging.getLogger("sandbox")
    root.addHandler(handler)
    previous = root.level
    root.setLevel(level.upper())
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def _seconds(text: str | None, option: str) -> float | None:
    if text is None:
        return None
    try:
        return parse_duration(text).total_seconds()
    except ValueError as exc:
        raise _fail(f"{option}: {exc}") from None


@app.command("run")
@_friendly
def run_command(
    blueprint: Annotated[Path, typer.Argument(help="A blueprint file.")],
    config: ConfigOption = None,
    set_: SetOption = None,
    duration: Annotated[
        str | None, typer.Option(help="Stop gracefully after this long, e.g. 30s.")
    ] = None,
    view: Annotated[
        bool | None, typer.Option("--view/--no-view", help="Live view (default: on a terminal).")
    ] = None,
    log_level: Annotated[
        LogLevel, typer.Option(help="debug, info, warning, error or critical.")
    ] = "info",
    run_dir: Annotated[Path | None, typer.Option(help="Run directory.")] = None,
    metrics_json: Annotated[
        Path | None,
        typer.Option(help="Write the statistics here as JSON: every second, then the final ones."),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(help="Serve Prometheus metrics at http://HOST:PORT/metrics (0: any port)."),
    ] = None,
    metrics_host: Annotated[
        str, typer.Option(help="Address of the metrics endpoint.")
    ] = "127.0.0.1",
    drain_timeout: Annotated[
        str, typer.Option(help="How long a graceful stop may drain before cancelling.")
    ] = "10s",
    stall_timeout: Annotated[
        str,
        typer.Option(
            help="Flag a streamlet stalled after this long with records waiting and no "
            "progress (0: never)."
        ),
    ] = "10s",
    progress: Annotated[
        str, typer.Option(help="Interval of the one-line summary off a terminal.")
    ] = "5s",
    refresh: Annotated[
        float, typer.Option(min=0.5, max=MAX_REFRESH, help="Live view frames per second.")
    ] = 4.0,
) -> None:
    """Verify a blueprint, then run it in this process until it completes or is stopped.

    On a terminal a live view shows the topology with rates, buffer fill and
    states ([bold]q[/] stops, Tab selects a streamlet, [bold]t[/] taps an edge);
    elsewhere (or with --no-view) a summary line is printed every --progress.
    Ctrl-C (SIGINT) or SIGTERM stops gracefully: ingresses end, everything
    downstream drains, exit code 0. A second Ctrl-C cancels what is left.
    Exit code 1 if the blueprint has errors or a streamlet fails.

    Example: [bold]sandbox run blueprints/sensor-data.toml --duration 30s[/]
    """
    options = RunOptions(
        blueprint=str(blueprint),
        config=tuple(str(c) for c in config or ()),
        overrides=tuple(set_ or ()),
        duration=_seconds(duration, "--duration"),
        run_dir=str(run_dir) if run_dir is not None else None,
        drain_timeout=_seconds(drain_timeout, "--drain-timeout") or 0.0,
        stall_timeout=_seconds(stall_timeout, "--stall-timeout") or None,
        progress=_seconds(progress, "--progress") or 5.0,
        refresh=refresh,
        metrics_json=str(metrics_json) if metrics_json is not None else None,
        metrics_host=metrics_host,
        metrics_port=metrics_port,
    )
    console = _console(stderr=True)
    live = view if view is not None else sys.stdout.isatty()
    screen = Console(file=sys.stdout, highlight=False) if live else None
    logs = LogTail() if live else None
    try:
        with _console_logging(log_level, logs):
            session = functools.partial(run_session, options, console, view=screen, logs=logs)
            result = anyio.run(session)
    except BlueprintError as exc:  # found before anything started: the same report as verify
        render_text([Report(file=str(blueprint), diagnostics=exc.diagnostics)], console)
        raise typer.Exit(1) from None
    _console().print(final_report(result))
    if result.failure is not None:
        console.print(f"[bold red]error:[/] {result.failure}", markup=True, highlight=False)
    raise typer.Exit(0 if result.ok else 1)


@app.command("verify")
@_friendly
def verify_command(
    blueprints: Annotated[list[Path], typer.Argument(help="Blueprint files (.toml, .yaml).")],
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="text, json or github.")
    ] = "text",
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
    config: ConfigOption = None,
    set_: SetOption = None,
) -> None:
    """Check blueprints completely and report every problem at once.

    Exit code 0 when clean (warnings allowed unless --strict), 1 on problems,
    2 on a usage error.

    Example: [bold]sandbox verify blueprints/*.toml --format github[/]
    """
    reports = [verify(path, config_files=config or (), overrides=set_ or ()) for path in blueprints]
    if fmt == "json":
        sys.stdout.write(render_json(reports, strict=strict) + "\n")
    elif fmt == "github":
        text = render_github(reports)
        sys.stdout.write(text + "\n" if text else "")
    else:
        render_text(reports, _console(), strict=strict)
    failed = any(not r.ok or (strict and r.warnings) for r in reports)
    raise typer.Exit(1 if failed else 0)


def _verified(path: Path) -> tuple[Report, Application]:
    """The report and the application, or exit 1 when the file did not load at all."""
    report = verify(path)
    if report.application is None:
        render_text([report], _console(stderr=True))
        raise typer.Exit(1)
    return report, report.application


@app.command("graph")
@_friendly
def graph_command(
    blueprint: Annotated[Path, typer.Argument(help="A blueprint file.")],
    fmt: Annotated[
        GraphFormat, typer.Option("--format", "-f", help="text, mermaid, dot or json.")
    ] = "text",
) -> None:
    """Draw the topology: streamlets, and topics as edges labelled with their schema.

    Incompatible edges are marked. Exit code 1 if the blueprint has errors.

    Example: [bold]sandbox graph blueprints/sensor-data.toml --format mermaid[/]
    """
    report, application = _verified(blueprint)
    width = shutil.get_terminal_size().columns
    sys.stdout.write(render_graph(application, fmt, width=width) + "\n")
    if not report.ok:
        render_text([report], _console(stderr=True))
        raise typer.Exit(1)


@app.command("describe")
@_friendly
def describe_command(
    target: Annotated[str, typer.Argument(help="A blueprint file, or module:Class.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Describe a streamlet class (ports, schemas, parameters) or a whole blueprint.

    A blueprint with errors is described as far as it loaded, its problems
    follow on stderr, and the exit code is 1.

    Example: [bold]sandbox describe streamlets.sensors:Validate --format json[/]
    """
    if fmt not in ("text", "json"):
        raise _fail(f"--format must be 'text' or 'json', not {fmt!r}")
    path = Path(target)
    if path.suffix.lower() in (".toml", ".yaml", ".yml") or path.exists():
        report, application = _verified(path)
        if fmt == "json":
            sys.stdout.write(json.dumps(application_data(application), indent=2) + "\n")
        else:
            render_application(application, _console())
        if not report.ok:  # what could not be described, and why
            render_text([report], _console(stderr=True))
            raise typer.Exit(1)
        return
    cls = _load_class(target)
    descriptor = describe(cls)
    if fmt == "json":
        encoded = msgspec.json.format(msgspec.json.encode(descriptor), indent=2).decode()
        sys.stdout.write(encoded + "\n")
    else:
        render_descriptor(descriptor, _console())


def _load_class(ref: str) -> type[Streamlet]:
    module_name, colon, qualname = ref.partition(":")
    if not (colon and module_name and qualname):
        msg = f"expected a blueprint file or 'module:Class', found {ref!r}"
        raise _fail(msg)
    with import_path(None):
        try:
            value: object = importlib.import_module(module_name)
        except (Exception, SystemExit) as exc:  # user code at import time: anything
            msg = f"cannot import module {module_name!r}: {type(exc).__name__}: {exc}"
            raise _fail(msg, 1) from None
    for part in qualname.split("."):
        value = getattr(value, part, None)
    if not (isinstance(value, type) and issubclass(value, Streamlet)):
        raise _fail(f"{ref!r} is not a streamlet class", 1)
    return value


@new_app.command("streamlet")
@_friendly
def new_streamlet_command(
    name: Annotated[str, typer.Argument(help="Streamlet name, e.g. 'enrich-orders'.")],
    shape: Annotated[Shape, typer.Option(help="processor, ingress or egress.")] = "processor",
    directory: Annotated[Path, typer.Option("--dir", help="Where the module goes.")] = Path(
        "streamlets"
    ),
    tests: Annotated[Path, typer.Option(help="Where the test goes.")] = Path("tests"),
    force: Annotated[bool, typer.Option(help="Overwrite existing files.")] = False,
) -> None:
    """Scaffold a streamlet module, its test, and print its blueprint entry.

    Example: [bold]sandbox new streamlet enrich-orders --shape processor[/]
    """
    result = scaffold_streamlet(name, shape=shape, directory=directory, tests=tests, force=force)
    console = _console()
    for path in result.files:
        console.print(f"created {path}")
    console.print("\nAdd it to a blueprint:\n")
    console.print(result.blueprint_entry, markup=False)


def main() -> None:
    """Console entry point."""
    app()
