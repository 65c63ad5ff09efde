"""streamlet-sandbox: typed streaming stages, wired by a blueprint, run on one machine.

The public API lives here; import every name from `sandbox` itself.
"""

from __future__ import annotations

from sandbox.blueprint.load import load_blueprint
from sandbox.blueprint.model import Blueprint
from sandbox.clock import Clock, SystemClock
from sandbox.config import ByteSize
from sandbox.errors import (
    BlueprintError,
    Diagnostic,
    Location,
    SandboxError,
    StreamletDefinitionError,
)
from sandbox.functions import egress, ingress, processor
from sandbox.ports import (
    EndOfStream,
    Inlet,
    InletReader,
    Outlet,
    OutletWriter,
    PortNotBoundError,
)
from sandbox.records import DeadLetter
from sandbox.runtime.api import RunResult, run, run_async
from sandbox.runtime.failures import Failure
from sandbox.runtime.stats import Statistics, StreamletStatistics
from sandbox.streamlet import Context, Descriptor, Streamlet, describe
from sandbox.verification import Application, Report, verify

__all__ = [
    "Application",
    "Blueprint",
    "BlueprintError",
    "ByteSize",
    "Clock",
    "Context",
    "DeadLetter",
    "Descriptor",
    "Diagnostic",
    "EndOfStream",
    "Failure",
    "Inlet",
    "InletReader",
    "Location",
    "Outlet",
    "OutletWriter",
    "PortNotBoundError",
    "Report",
    "RunResult",
    "SandboxError",
    "Statistics",
    "Streamlet",
    "StreamletDefinitionError",
    "StreamletStatistics",
    "SystemClock",
    "describe",
    "egress",
    "ingress",
    "load_blueprint",
    "processor",
    "run",
    "run_async",
    "verify",
]
