"""General-purpose streamlets."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from sandbox import Context, Inlet, Streamlet


class Logger(Streamlet):
    """Logs every n-th record it receives (any schema) through `ctx.logger`."""

    # Any: a logger accepts records of every schema, so one class serves many topics.
    inlet = Inlet(Any, name="in")

    class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
        """Parameters of the logger."""

        level: Literal["debug", "info", "warning", "error"] = "info"
        every: Annotated[int, msgspec.Meta(ge=1)] = 1
        prefix: str = ""

    async def run(self, ctx: Context[Config]) -> None:
        """Log records until the inlet ends; report how many were seen."""
        cfg = ctx.config
        log = getattr(ctx.logger, cfg.level)
        seen = 0
        async for record in self.inlet:
            seen += 1
            if seen % cfg.every == 0:
                log("%s%s", cfg.prefix, record)
        ctx.logger.info("%d records received", seen)
