"""`run_blueprint`: a whole application in-process, with finite inputs and collectors.

The blueprint is loaded and verified as `sandbox run` would; then chosen
ingresses are replaced by feeders with the same outlets (same names, schemas
and keys), chosen topics get an extra producer that sends the test's records,
chosen topics or ports get a collector, and faults go into chosen topics. The
real runtime runs the result.

End of the run: once every replaced ingress and fed topic has sent its
records, the streamlets that are still ingresses of the blueprint (not
replaced) are asked to stop through `ctx.stopping`, and the rest drains; with
`until="complete"` the test waits for every streamlet to return by itself.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from sandbox.blueprint.load import read_blueprint
from sandbox.blueprint.model import Blueprint, StreamletEntry
from sandbox.errors import BlueprintError, quote_list
from sandbox.testkit.build import Builder
from sandbox.testkit.clock import FakeClock
from sandbox.testkit.errors import TestkitError, unknown_name
from sandbox.testkit.harness import DEFAULT_TIMEOUT, Harness, LogCapture
from sandbox.testkit.results import BlueprintResult
from sandbox.testkit.session import parse_backoff
from sandbox.verification import verify

if TYPE_CHECKING:
    import os

    from sandbox.clock import Clock
    from sandbox.streamlet import Streamlet
    from sandbox.testkit.faults import Fault

__all__ = ["run_blueprint"]

Records = Iterable[object] | AsyncIterable[object]
_SETTINGS = {f.encode_name.replace("_", "-"): f for f in msgspec.structs.fields(StreamletEntry)}
_FED_OR_COLLECTED = ("unconnected-inlet", "unconnected-outlet")
_SETTABLE = ("replicas", "runtime", "restart", "max-restarts", "backoff", "on-error", "log-level")


def _load(blueprint: Blueprint | str | os.PathLike[str]) -> Blueprint:
    if isinstance(blueprint, Blueprint):
        return blueprint
    loaded, problems = read_blueprint(blueprint)
    if loaded is None or any(p.severity == "error" for p in problems):
        raise BlueprintError(problems)
    return loaded


def _entry(
    entry: StreamletEntry, values: Mapping[str, object], settings: Mapping[str, object]
) -> StreamletEntry:
    changes: dict[str, Any] = {}
    if values:
        changes["config"] = {**entry.config, **values}
    for given, value in settings.items():
        key = given.replace("_", "-")
        if key not in _SETTABLE:
            names = ", ".join(f"'{k}'" for k in _SETTABLE)
            msg = f"settings of '{entry.name}': unknown setting '{given}'; settable: {names}"
            raise TestkitError(msg)
        field = _SETTINGS[key]
        if key == "backoff":
            changes[field.name] = parse_backoff(value, entry.backoff)  # type: ignore[arg-type]  # checked by parse_backoff
        else:
            try:
                changes[field.name] = msgspec.convert(value, field.type)
            except msgspec.ValidationError as exc:
                choices = typing.get_args(field.type)
                expected = f"one of {quote_list(choices)}" if choices else str(exc)
                msg = f"settings of '{entry.name}': {key} must be {expected}, got {value!r}"
                raise TestkitError(msg) from exc
    return msgspec.structs.replace(entry, **changes) if changes else entry


async def run_blueprint(
    blueprint: Blueprint | str | os.PathLike[str],
    /,
    *,
    inputs: Mapping[str, Records] | None = None,
    replace: Mapping[str, Records | Mapping[str, Records]] | None = None,
    collect: Iterable[str] = (),
    config: Mapping[str, Mapping[str, object]] | None = None,
    config_files: Sequence[str | os.PathLike[str]] = (),
    overrides: Sequence[str] = (),
    settings: Mapping[str, Mapping[str, object]] | None = None,
    classes: Mapping[str, type[Streamlet]] | None = None,
    faults: Mapping[str, Fault] | None = None,
    until: Literal["inputs", "complete"] = "inputs",
    clock: Clock | None = None,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109  # bounds each wait, and says what waited
    raise_on_failure: bool = True,
    run_dir: str | os.PathLike[str] | None = None,
) -> BlueprintResult:
    """Run a whole blueprint in this process until its finite inputs are exhausted.

    Example:
        result = await run_blueprint(
            "blueprints/sensor-data.toml",
            replace={"ingress": readings},
            collect=["valid", "invalid"],
        )
        assert len(result["valid"]) == 3 * len(readings)

    Args:
        blueprint: a blueprint file or a loaded `Blueprint`.
        inputs: records per topic, sent by an extra producer of that topic.
        replace: records per ingress (or per outlet of it, as a mapping): the
            ingress is replaced by a feeder with the same outlets.
        collect: topics (every record on it) or port paths (`validation.invalid`:
            what that outlet sends, or what that inlet receives;
            `validation.dead-letters`) whose records the result holds.
        config: config values per streamlet, over the blueprint's.
        config_files: `--config` files, layered over that.
        overrides: `--set name.key=value` strings, layered last.
        settings: entry settings per streamlet: replicas, runtime, restart,
            max-restarts, backoff, on-error, log-level.
        classes: streamlet classes per instance name, used instead of the
            blueprint's (`fail_at(Validate, 3)`, a test double).
        faults: a fault (Drop, Duplicate, Delay) per topic.
        until: "inputs" (stop the remaining ingresses once every input is
            sent, then drain) or "complete" (wait for every streamlet to return).
        clock: the clock streamlets see; `FakeClock(autojump=True)` by default.
        timeout: real seconds the whole run may take.
        raise_on_failure: raise StreamletFailedError when a streamlet fails.
        run_dir: keep the run directory there (default: none on disk).

    Returns:
        the collected records per name, the unconsumed dead letters, logs and
        statistics.

    Raises:
        BlueprintError: the blueprint (with the changes) does not verify.
        UnknownNameError: a streamlet, topic or port named here does not exist.
        RecordTypeError: a record is not of the type its topic carries.
        StreamletFailedError: a streamlet failed (its exception is the cause).
        TestkitTimeoutError: the run did not end in time; says what was waiting.
    """
    loaded = _load(blueprint)
    entries = dict(loaded.streamlets)
    for name in {*(config or {}), *(settings or {}), *(classes or {})}:
        if name not in entries:
            hint = "in config=, settings= or classes="
            raise unknown_name(name, entries, kind="streamlet", hint=hint)
    for name, entry in entries.items():
        entries[name] = _entry(entry, (config or {}).get(name, {}), (settings or {}).get(name, {}))
    loaded = msgspec.structs.replace(loaded, streamlets=entries)
    report = verify(loaded, config_files=config_files, overrides=overrides, classes=classes)
    # Ports the test feeds or collects may be unconnected in the blueprint:
    # the second verification, of the built application, reports what is left.
    errors = [d for d in report.errors if d.code not in _FED_OR_COLLECTED]
    if errors or report.application is None:
        raise BlueprintError(errors or report.diagnostics)
    build = Builder(loaded, report.application, classes or {})
    for name, value in (replace or {}).items():
        build.replace(name, value)
    for topic, value in (inputs or {}).items():
        build.feed(topic, value)
    for name in collect:
        build.collect(name)
    build.collect_unconsumed_dead_letters()
    for topic, fault in (faults or {}).items():
        build.fault(topic, fault)
    application = build.plan.verify(config_files, overrides)
    harness = Harness(
        application, what=f"run_blueprint({loaded.file or loaded.name!r})",
        factories=build.plan.factories, roles=build.plan.roles,
        clock=clock if clock is not None else FakeClock(autojump=True), timeout=timeout,
        run_dir=Path(run_dir) if run_dir is not None else None,
    )  # fmt: skip
    if until == "inputs" and build.feeds:
        stopper = functools.partial(_stop_when_fed, harness, build)
        for feed in build.feeds:
            feed.on_finished = stopper
    logs = LogCapture(["sandbox.streamlet"])
    try:
        with logs.installed():
            await harness.run()
    finally:
        harness.close()
    error = next((f.error for f in build.feeds if f.error is not None), None)
    if error is not None:
        raise error
    if raise_on_failure:
        harness.raise_failure()
    letters = [letter for sink in build.dead_letters for letter in sink.records]
    outcome = harness.outcome(logs.records, letters)  # type: ignore[arg-type]  # DeadLetter collectors
    return BlueprintResult({key: sink.records for key, sink in build.sinks.items()}, outcome)


def _stop_when_fed(harness: Harness, build: Builder) -> None:
    if not all(feed.finished for feed in build.feeds):
        return
    runtime = harness.runtime
    for name in build.ingresses:
        if name in build.plan.factories:  # replaced
            continue
        if any(slot.state not in ("completed", "failed") for slot in runtime.slots[name]):
            runtime.stop()
            return
