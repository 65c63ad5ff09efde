"""Peak RSS of running the sensor-data example for a few seconds.

With a `sandbox run` command (the CLI), `sandbox run ... --no-view` runs as a
subprocess and its peak RSS is read from `RUSAGE_CHILDREN` (the measuring
process has no other children). Without one, `sandbox.runtime.api.run` runs
the blueprint in the measuring process, which reports its own peak; the
result says which (`method`).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Final

from records import peak_rss_mb

__all__ = ["BLUEPRINT", "cli_has_run", "measure"]

ROOT: Final = Path(__file__).resolve().parents[1]
BLUEPRINT: Final = ROOT / "blueprints" / "sensor-data.toml"
SANDBOX: Final = Path(sys.executable).parent / "sandbox"


def cli_has_run() -> bool:
    """Whether the installed CLI has a `run` command."""
    if not SANDBOX.exists():
        return False
    probe = subprocess.run([SANDBOX, "run", "--help"], capture_output=True, check=False, cwd=ROOT)
    return probe.returncode == 0


def _via_cli(duration: float, workdir: Path) -> dict[str, object]:
    command = [str(SANDBOX), "run", str(BLUEPRINT), "--duration", f"{duration:g}s", "--no-view"]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=workdir)
    return {
        "method": "cli",
        "command": " ".join(command),
        "returncode": done.returncode,
        "stderr_tail": done.stderr[-2000:] if done.returncode else "",
        "peak_rss_mb": round(peak_rss_mb(resource.RUSAGE_CHILDREN), 1),
        "ok": done.returncode == 0,
    }


def _via_api(duration: float, workdir: Path) -> dict[str, object]:
    from sandbox.runtime.api import run  # only this job pays for the runtime's imports

    result = run(BLUEPRINT, duration=duration, run_dir=workdir / "run")
    ingress = result.statistics.streamlets["ingress"]
    return {
        "method": "api",
        "command": f"sandbox.runtime.api.run({BLUEPRINT.relative_to(ROOT)}, duration={duration:g})",
        "state": result.state,
        "failure": str(result.failure) if result.failure else None,
        "ingress_sent": sum(ingress.records_out.values()),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "ok": result.ok,
    }


def measure(duration: float, workdir: Path, method: str) -> dict[str, object]:
    """Run the example for `duration` seconds with `method` ("cli" or "api"); peak RSS in MiB.

    The caller probes `cli_has_run()`: probing here would add a child to `RUSAGE_CHILDREN`.
    """
    started = time.perf_counter()
    report = _via_cli(duration, workdir) if method == "cli" else _via_api(duration, workdir)
    report["seconds"] = round(time.perf_counter() - started, 2)
    return report
