"""What `run_streamlet` and `run_blueprint` return."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, final

from sandbox.errors import did_you_mean, quote_list
from sandbox.testkit.errors import RecordTypeError, UnknownNameError, describe_record

if TYPE_CHECKING:
    import logging
    from collections.abc import Mapping

    from sandbox.clock import Clock
    from sandbox.records import DeadLetter
    from sandbox.runtime.failures import Failure
    from sandbox.runtime.stats import Statistics, StreamletStatistics
    from sandbox.streamlet import Streamlet

__all__ = ["BlueprintResult", "Outcome", "StreamletResult"]

T = TypeVar("T")


@final
class Outcome:
    """How a run ended, as the results report it."""

    def __init__(
        self,
        *,
        statistics: Statistics,
        state: str,
        failure: Failure | None,
        error: BaseException | None,
        undelivered: int,
        events: list[dict[str, object]],
        clock: Clock,
        logs: list[logging.LogRecord],
        dead_letters: list[DeadLetter],
    ) -> None:
        self.statistics = statistics
        self.state = state
        self.failure = failure
        self.error = error
        self.undelivered = undelivered
        self.events = events
        self.clock = clock
        self.logs = logs
        self.dead_letters = dead_letters


class _Result:
    """Records per name, dead letters, logs and how the run ended."""

    _kind = "name"

    def __init__(self, records: Mapping[str, list[object]], outcome: Outcome) -> None:
        self.outputs: dict[str, list[object]] = dict(records)
        self.dead_letters = outcome.dead_letters
        self.logs = outcome.logs
        self.application = outcome.statistics
        self.state = outcome.state
        self.failure = outcome.failure
        self.error = outcome.error
        self.events = outcome.events
        self.clock = outcome.clock

    def __getitem__(self, name: str) -> list[object]:
        """The records collected under `name`."""
        try:
            return self.outputs[name]
        except KeyError:
            names = list(self.outputs)
            message = (
                f"no records were collected under the {self._kind} '{name}'; "
                f"{did_you_mean(name, names)}collected: {quote_list(names, conjunction='and')}"
            )
            raise UnknownNameError(message) from None

    def __contains__(self, name: object) -> bool:
        return name in self.outputs

    def records(self, name: str, schema: type[T]) -> list[T]:
        """The records under `name`, checked to be `schema` instances (typed for mypy).

        Raises:
            RecordTypeError: a record is of another type.
        """
        records = self[name]
        for index, record in enumerate(records):
            if not isinstance(record, schema):
                message = (
                    f"record {index} of '{name}' is {describe_record(record)}, "
                    f"not {schema.__name__}"
                )
                raise RecordTypeError(message)
        return records  # type: ignore[return-value]  # each one checked above

    @property
    def messages(self) -> list[str]:
        """The captured log messages, formatted."""
        return [record.getMessage() for record in self.logs]

    @property
    def ok(self) -> bool:
        """True when the run completed or stopped gracefully."""
        return self.state in ("completed", "stopped")


@final
class StreamletResult(_Result):
    """What one streamlet did: records per outlet, dead letters, logs, statistics.

    `result["out"]` (or `result.outputs["out"]`) holds the records of outlet
    `out` in order; `result.records("out", Metric)` the same, typed.

    Attributes:
        name: the instance name the streamlet ran under.
        statistics: the streamlet's counters (records in and out per port,
            restarts, errors, skipped, dead letters).
        application: the statistics of the whole run (feeders and collectors too).
        dead_letters: the `DeadLetter`s it sent (with `on_error="dead-letter"`).
        logs: the log records of its `ctx.logger`.
        state: how the run ended: "completed", "stopped", "failed" or "cancelled".
        failure: why it failed, when it did (with `raise_on_failure=False`).
        error: the exception behind `failure`.
        instances: the streamlet objects, one per attempt (restarts make more).
        events: the run's audit trail (started, ready, restarting, completed...).
        clock: the clock it saw.
    """

    _kind = "outlet"

    def __init__(
        self,
        records: Mapping[str, list[object]],
        outcome: Outcome,
        *,
        name: str,
        statistics: StreamletStatistics,
        instances: list[Streamlet],
    ) -> None:
        super().__init__(records, outcome)
        self.name = name
        self.statistics = statistics
        self.instances = instances

    @property
    def instance(self) -> Streamlet:
        """The streamlet object of the last attempt."""
        return self.instances[-1]

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}: {len(v)}" for k, v in self.outputs.items())
        return f"StreamletResult({self.name!r}, {self.state}, {{{counts}}})"


@final
class BlueprintResult(_Result):
    """What a whole application did: the collected records, dead letters, statistics.

    `result["valid"]` holds the records collected from the topic (or port)
    named so in `collect=`.

    Attributes:
        application: the statistics of the run, per streamlet and topic.
        dead_letters: every `DeadLetter` no streamlet of the blueprint consumed.
        logs: the log records of every streamlet.
        state: "completed", "stopped" (inputs done, the rest was stopped),
            "failed" or "cancelled".
        undelivered: records left in buffers when the run ended.
    """

    _kind = "topic or port"

    def __init__(self, records: Mapping[str, list[object]], outcome: Outcome) -> None:
        super().__init__(records, outcome)
        self.undelivered = outcome.undelivered

    @property
    def statistics(self) -> Statistics:
        """The statistics of the run (the same as `application`)."""
        return self.application

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}: {len(v)}" for k, v in self.outputs.items())
        return f"BlueprintResult({self.application.application!r}, {self.state}, {{{counts}}})"
