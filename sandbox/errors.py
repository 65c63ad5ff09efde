"""Errors, diagnostics and the text of every message the product shows.

Message text lives here, not at raise sites: a call site names a message
template and passes the values; this module formats them. That keeps the
wording consistent and lets tests pin it.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Final, Literal, final

import msgspec

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

Severity = Literal["error", "warning"]

__all__ = [
    "CODES",
    "BlueprintError",
    "Diagnostic",
    "Location",
    "RecordSchemaError",
    "SandboxError",
    "Severity",
    "StreamletDefinitionError",
    "article",
    "diagnostic",
    "did_you_mean",
    "plural",
    "quote_list",
]


class SandboxError(Exception):
    """Base class of every error the sandbox raises on purpose."""


@final
class Location(msgspec.Struct, frozen=True, kw_only=True):
    """Where in a blueprint file something is.

    `line` and `column` are 1-based and None when the format gives no
    position; `path` is always set, as a JSONPath such as
    `$.topics.readings.producers[0]`.
    """

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str = "$"

    def __str__(self) -> str:
        where = self.file or "<blueprint>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
            return where
        return where if self.path in ("", "$") else f"{where} {self.path}"


@final
class Diagnostic(msgspec.Struct, frozen=True, kw_only=True):
    """One problem found in a blueprint or a streamlet definition."""

    code: str
    severity: Severity
    message: str
    hint: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str = "$"
    streamlet: str | None = None
    port: str | None = None

    @property
    def location(self) -> Location:
        """The location of the problem."""
        return Location(file=self.file, line=self.line, column=self.column, path=self.path)

    @property
    def subject(self) -> str | None:
        """`streamlet.port`, `streamlet` or None."""
        if self.streamlet is None:
            return None
        return self.streamlet if self.port is None else f"{self.streamlet}.{self.port}"

    def __str__(self) -> str:
        head = f"{self.location} [{self.code}]"
        if self.subject:
            head += f" {self.subject}"
        text = f"{head}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class BlueprintError(SandboxError):
    """A blueprint could not be loaded or did not verify; carries every problem."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        shown = errors or list(self.diagnostics)
        summary = "\n".join(str(d) for d in shown[:20])
        more = len(shown) - 20
        if more > 0:
            summary += f"\n... and {more} more"
        super().__init__(summary)


class RecordSchemaError(SandboxError, TypeError):
    """A streamlet sent a record that is not of its outlet's schema."""

    def __init__(self, where: str, record: object, schema: type) -> None:
        self.where = where
        found = type(record).__qualname__
        super().__init__(
            f"{where} sent a {found}, but its schema is {schema.__qualname__}: "
            f"send {schema.__qualname__} records, or declare the outlet as Outlet({found})"
        )


class StreamletDefinitionError(SandboxError, TypeError):
    """A streamlet class or function is not a valid streamlet."""

    def __init__(self, streamlet: str, message: str, *, port: str | None = None) -> None:
        self.streamlet = streamlet
        self.port = port
        self.reason = message
        where = streamlet if port is None else f"{streamlet}.{port}"
        super().__init__(f"{where}: {message}")


# --- problem codes -----------------------------------------------------------------

CODES: Final[dict[str, Severity]] = {
    "syntax-error": "error",
    "format-error": "error",
    "empty-blueprint": "error",
    "invalid-streamlet-name": "error",
    "duplicate-streamlet-name": "error",
    "invalid-class-reference": "error",
    "streamlet-not-found": "error",
    "not-a-streamlet": "error",
    "invalid-streamlet-definition": "error",
    "invalid-port-path": "error",
    "port-not-found": "error",
    "ambiguous-port": "error",
    "invalid-producer-port": "error",
    "invalid-consumer-port": "error",
    "port-bound-to-many-topics": "error",
    "invalid-topic-name": "error",
    "incompatible-schema": "error",
    "unconnected-inlet": "error",
    "unconnected-outlet": "error",
    "topic-without-producers": "warning",
    "topic-without-consumers": "warning",
    "unknown-config-key": "error",
    "invalid-config-value": "error",
    "missing-config-value": "error",
    "invalid-setting": "error",
    "cycle": "warning",
}

# Templates per message variant: "<code>" or "<code>/<variant>" -> (message, hint).
# Values are filled with str.format; a hint of "" means no hint.
_TEMPLATES: Final[dict[str, tuple[str, str]]] = {
    "syntax-error": (
        "the file is not valid {format}: {detail}",
        "fix the {format} syntax at this position",
    ),
    "format-error/not-a-file": (
        "expected a blueprint file, found {found}",
        "pass the path of a .toml, .yaml or .yml file",
    ),
    "format-error/unreadable": (
        "cannot read the file: {detail}",
        "check that the file exists and is readable",
    ),
    "format-error/extension": (
        "expected a file ending in .toml, .yaml or .yml, found '{suffix}'",
        "rename the file, or convert it to TOML or YAML",
    ),
    "format-error/too-large": (
        "the file is {size} bytes; blueprints are limited to {limit} bytes",
        "a blueprint names streamlets and topics; move data out of it",
    ),
    "format-error/binary": (
        "expected a text file, found binary data ({detail})",
        "pass the blueprint file, not a compiled or binary file",
    ),
    "format-error/type": (
        "expected {expected} at {path}, found {found}",
        "{hint}",
    ),
    "format-error/unknown-key": (
        "unknown key '{key}' in {where}",
        "{suggestion}valid keys are {choices}",
    ),
    "format-error/duplicate-key": (
        "key '{key}' is defined more than once (first at line {first}); the first one is used",
        "remove the duplicate, or give it another name",
    ),
    "format-error/missing-key": (
        "{where} is missing the required key '{key}'",
        "add {key} = ...",
    ),
    "empty-blueprint": (
        "the blueprint defines no streamlets",
        'add a [streamlets] table, e.g. ingress = "my_module:MyIngress"',
    ),
    "invalid-streamlet-name": (
        "streamlet name '{name}' is not a DNS-1123 label",
        "use lowercase letters, digits and '-', start and end with a letter or digit, "
        "at most 63 characters: e.g. '{fixed}'",
    ),
    "duplicate-streamlet-name": (
        "streamlet '{name}' is defined more than once (first at line {first})",
        "give each instance its own name",
    ),
    "invalid-class-reference": (
        "expected a class reference 'module:Class', found '{ref}'",
        "write the module path, a colon, then the class name, e.g. 'streamlets.common:Logger'",
    ),
    "streamlet-not-found/module": (
        "cannot import module '{module}' for '{ref}': {cause}",
        "{suggestion}check the module path; modules are imported with the blueprint's "
        "directory and the current directory on sys.path",
    ),
    "streamlet-not-found/attribute": (
        "module '{module}' has no streamlet '{name}'",
        "{suggestion}streamlets in that module: {choices}",
    ),
    "not-a-streamlet": (
        "'{ref}' is {found}, not a streamlet",
        "derive the class from sandbox.Streamlet, or decorate a function with "
        "@sandbox.processor, @sandbox.ingress or @sandbox.egress",
    ),
    "invalid-streamlet-definition": (
        "'{ref}' is not a valid streamlet: {reason}",
        "fix the streamlet class",
    ),
    "invalid-port-path": (
        "expected a port path 'streamlet.port' or 'streamlet', found '{path}'",
        "name a streamlet instance, optionally followed by '.' and a port name",
    ),
    "port-not-found/streamlet": (
        "no streamlet named '{name}'",
        "{suggestion}streamlets in this blueprint: {choices}",
    ),
    "port-not-found/port": (
        "streamlet '{name}' ({cls}) has no {direction} named '{port_name}'",
        "{suggestion}its {direction}s are {choices}",
    ),
    "port-not-found/none": (
        "streamlet '{name}' ({cls}) has no {direction}",
        "{a_shape} has no {direction}s; list it among the {other}",
    ),
    "ambiguous-port": (
        "streamlet '{name}' has several {direction}s, so the port cannot be left out",
        "write one of {choices}",
    ),
    "invalid-producer-port": (
        "'{path}' is an inlet, but producers must be outlets",
        "list it under consumers, or name one of the outlets: {choices}",
    ),
    "invalid-consumer-port": (
        "'{path}' is an outlet, but consumers must be inlets",
        "list it under producers, or name one of the inlets: {choices}",
    ),
    "port-bound-to-many-topics": (
        "port '{path}' is bound to topic '{topic}' and already to '{first}'",
        "a port belongs to one topic; to feed several consumers, list them all "
        "as consumers of '{first}'",
    ),
    "invalid-topic-name": (
        "topic name '{name}' is not valid",
        "use letters, digits, '-', '_' and '.', starting with a letter or digit, "
        "at most 249 characters",
    ),
    "incompatible-schema": (
        "{producer} emits {producer_type}, but {consumer} expects {consumer_type}: {detail}",
        "make the schemas agree, or add a converter streamlet between them",
    ),
    "unconnected-inlet": (
        "inlet '{path}' ({schema}) is not connected to any topic",
        "add it to the consumers of a topic that carries {schema}{suggestion}",
    ),
    "unconnected-outlet": (
        "outlet '{path}' ({schema}) is not connected to any topic",
        "add it to the producers of a topic{suggestion}",
    ),
    "topic-without-producers": (
        "topic '{topic}' has no producers, so its consumers will never receive a record",
        'add producers = ["streamlet.outlet"], or remove the topic',
    ),
    "topic-without-consumers": (
        "topic '{topic}' has no consumers, so what its producers send is discarded",
        'add consumers = ["streamlet.inlet"], or remove the topic',
    ),
    "unknown-config-key": (
        "{cls} has no config parameter '{key}'",
        "{suggestion}its parameters are {choices}",
    ),
    "unknown-config-key/none": (
        "{cls} takes no config, found '{key}'",
        "remove the config entry",
    ),
    "unknown-config-key/streamlet": (
        "config given for '{name}', which is not a streamlet in this blueprint",
        "{suggestion}streamlets in this blueprint: {choices}",
    ),
    "invalid-config-value": (
        "config '{key}' of {cls}: {detail}",
        "expected {expected}",
    ),
    "invalid-config-value/combination": (
        "config of {cls} is not valid: {detail}",
        "check how the values of its parameters fit together",
    ),
    "missing-config-value": (
        "{cls} requires config parameter '{key}' ({expected}), which is not set",
        "set it in the blueprint (config = {{ {key} = ... }}), "
        "a --config file, or --set {name}.{key}=VALUE",
    ),
    "invalid-setting": (
        "{setting} of {where} must be {expected}, found {found}",
        "{hint}",
    ),
    "invalid-setting/runtime-kind": (
        "runtime '{runtime}' of streamlet '{name}' cannot apply to {what}",
        "the thread and process kinds run the function of a @processor or @egress, batch by "
        "batch; in a class streamlet, await anyio.to_thread.run_sync(...) around blocking calls",
    ),
    "invalid-setting/reserved": (
        "{setting} of {where} has no effect in the sandbox",
        "it is reserved for the broker transport; the in-memory sandbox ignores it",
    ),
    "cycle": (
        "streamlets {names} form a cycle: bounded buffers in a cycle can deadlock",
        "make sure a streamlet in the cycle never blocks on a full buffer, or break the cycle",
    ),
}


_WARNING_VARIANTS: Final = frozenset({"invalid-setting/reserved"})


def diagnostic(
    variant: str,
    *,
    location: Location,
    streamlet: str | None = None,
    port: str | None = None,
    severity: Severity | None = None,
    **values: object,
) -> Diagnostic:
    """Build a Diagnostic from a message template.

    Args:
        variant: `code` or `code/variant`, a key of the template table.
        location: where the problem is.
        streamlet: the streamlet instance concerned, if any.
        port: the port concerned, if any.
        severity: override of the code's default severity.
        **values: the fields the templates use.
    """
    code = variant.partition("/")[0]
    message, hint = _TEMPLATES[variant]
    if severity is None and variant in _WARNING_VARIANTS:
        severity = "warning"
    filled_hint = hint.format(**values) if hint else ""
    return Diagnostic(
        code=code,
        severity=severity or CODES[code],
        message=message.format(**values),
        hint=filled_hint or None,
        file=location.file,
        line=location.line,
        column=location.column,
        path=location.path,
        streamlet=streamlet,
        port=port,
    )


def quote_list(choices: Iterable[str], *, conjunction: str = "or") -> str:
    """Quote names as "'a', 'b', or 'c'" ("none" when empty)."""
    items = [f"'{c}'" for c in choices]
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} {conjunction} {items[1]}"
    return ", ".join(items[:-1]) + f", {conjunction} {items[-1]}"


def article(word: str) -> str:
    """The word with "a" or "an" before it: "an ingress", "a processor"."""
    return f"{'an' if word[:1].lower() in set('aeiou') else 'a'} {word}"


def plural(count: int, word: str) -> str:
    """The count and the noun, plural unless 1: "1 topic", "2 topics"."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return "did you mean 'x'? " for the closest choice, or ""."""
    matches = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'? " if matches else ""
