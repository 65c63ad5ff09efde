"""What the live view costs the pipeline: W1 with the view on a pseudo-terminal vs --no-view.

Each run is the real CLI, `sandbox run <W1 blueprint> --view|--no-view`, in a
child process whose stdin, stdout and stderr are a pseudo-terminal of
`--size` (the parent drains it, as a terminal would). Both modes run under the
same pseudo-terminal, interleaved, alternating which goes first. Throughput is
records / the run's own elapsed time (from `--metrics-json`), so process
start-up and verification are left out.

    .venv/bin/python bench/view_overhead.py            # 1M records, 5 pairs, 100x30
    .venv/bin/python bench/view_overhead.py --n 200000 --reps 3 --size 80x24

Prints one line per run and the median ratio view / no-view (goal: >= 0.95).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SANDBOX = Path(sys.executable).with_name("sandbox")
sys.path.insert(0, str(BENCH))

from workloads import blueprint_toml  # noqa: E402  # bench/ is not a package


def _drain(fd: int, counted: list[int]) -> None:
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the child closed its side
            return
        if not data:
            return
        counted[0] += len(data)


def run_once(
    blueprint: Path, workdir: Path, *, view: bool, size: tuple[int, int], refresh: float
) -> dict[str, object]:
    """One CLI run in a pseudo-terminal; its throughput and what it wrote to the terminal."""
    metrics = workdir / "metrics.json"
    metrics.unlink(missing_ok=True)
    args = [
        str(SANDBOX), "run", str(blueprint), "--view" if view else "--no-view",
        "--metrics-json", str(metrics), "--run-dir", str(workdir / "run"),
        "--refresh", str(refresh),
    ]  # fmt: skip
    cols, rows = size
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env |= {"PYTHONPATH": str(BENCH), "TERM": "xterm-256color"}
    child = subprocess.Popen(
        args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=workdir, start_new_session=True
    )
    os.close(slave)
    written = [0]
    reader = threading.Thread(target=_drain, args=(master, written), daemon=True)
    reader.start()
    code = child.wait()
    reader.join(timeout=5)
    os.close(master)
    if code != 0:
        msg = f"sandbox run exited {code} ({'view' if view else 'no-view'})"
        raise SystemExit(msg)
    stats = json.loads(metrics.read_text())
    records = stats["streamlets"]["source"]["records_out"]["out"]
    return {
        "mode": "view" if view else "no-view",
        "records_per_s": records / stats["elapsed"],
        "elapsed": stats["elapsed"],
        "terminal_bytes": written[0],
    }


def main() -> None:
    """Interleaved pairs; per-run lines, then the median ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="records from the source")
    parser.add_argument("--reps", type=int, default=5, help="pairs of runs")
    parser.add_argument("--size", default="100x30", help="terminal COLSxROWS")
    parser.add_argument("--refresh", type=float, default=4.0, help="view frames per second")
    options = parser.parse_args()
    size = tuple(int(v) for v in options.size.split("x"))
    if len(size) != 2:
        msg = "--size is COLSxROWS, e.g. 100x30"
        raise SystemExit(msg)
    with tempfile.TemporaryDirectory(prefix="view-overhead-") as tmp:
        workdir = Path(tmp)
        blueprint = workdir / "w1.toml"
        blueprint.write_text(blueprint_toml("W1", "function", options.n), encoding="utf-8")
        rates: dict[str, list[float]] = {"view": [], "no-view": []}
        ratios = []
        for rep in range(options.reps):
            pair = {}
            for view in (rep % 2 == 0, rep % 2 == 1):
                result = run_once(
                    blueprint, workdir, view=view, size=(size[0], size[1]), refresh=options.refresh
                )
                pair[result["mode"]] = float(result["records_per_s"])  # type: ignore[arg-type]
                print(
                    f"rep {rep} {result['mode']:>7}: {result['records_per_s']:>12,.0f} records/s "
                    f"({result['elapsed']:.3f} s, {result['terminal_bytes']:,} terminal bytes)"
                )
            for mode, rate in pair.items():
                rates[mode].append(rate)
            ratios.append(pair["view"] / pair["no-view"])
        print(
            f"W1 function, n={options.n:,}, terminal {options.size}, {options.refresh:g} frames/s: "
            f"median view "
            f"{statistics.median(rates['view']):,.0f}/s, no-view "
            f"{statistics.median(rates['no-view']):,.0f}/s; median ratio view/no-view "
            f"{statistics.median(ratios):.3f} (pairs: {', '.join(f'{r:.3f}' for r in ratios)})"
        )


if __name__ == "__main__":
    main()
