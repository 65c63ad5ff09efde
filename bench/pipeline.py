"""Pipeline throughput, latency and memory of the sandbox runtime, against two baselines.

Runs the peer benchmark's workloads (see ../shared/bench/peers/README.md):

* W1 linear: source -> map -> filter (keep id % 3 != 0) -> sink (count, sum);
* W2 fan-out/fan-in: source -> map_a and map_b (every record to both) -> one
  topic -> sink (2N records);
* W3 slow consumer: source -> map -> sink doing ~1 us of work and awaiting
  `asyncio.sleep(0)` per record; its peak RSS growth shows backpressure,

each as a sandbox blueprint run with `run_async`, in two styles (function
streamlets; class streamlets with `async for` / `await send`), beside a plain
generator chain (`gen-chain`, the ceiling) and the naive one-task-per-stage
`asyncio.Queue(maxsize=1000)` pipeline (`asyncio-queue`, the baseline). Plus
ingress-to-egress latency at 1,000 records/s (3 s, both styles) and the peak
RSS of running the sensor-data example for 5 s.

Every measurement runs in its own process (`--child JOB`) and prints one JSON
line: seconds (verify + run, imports excluded), records/s (source records /
seconds), peak RSS (ru_maxrss, interpreter included) and growth (peak minus RSS
just before the run). Each child checks its checksum against an exact
reference, and for sandbox runs that the run completed with nothing
undelivered and the sink's inlet count agrees; a run that fails any check is
counted as bad and left out of the medians. The parent runs the matrix
rep-major (every job once, then again), then prints medians, spreads, ratios
to the baselines of the same invocation, and PASS/MISS per goal. The children
import a snapshot of sandbox/ taken when the parent starts (`--live` to
measure the working tree as it changes), so concurrent edits do not mix
versions; the output says which sources were measured.

Run from the project root:

    .venv/bin/python bench/pipeline.py                     # full: 5 reps, N = 1M (W3: 2M)
    .venv/bin/python bench/pipeline.py --scale 0.1 --reps 2  # quick
    .venv/bin/python bench/pipeline.py --only W1,latency --raw /tmp/runs.jsonl
    .venv/bin/python bench/pipeline.py --profile W1-class    # in-process (live tree), pyinstrument
    .venv/bin/python bench/pipeline.py --child W2-function --n 100000  # one measurement
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Final

import child
import report
import sources

SCRIPT: Final = Path(__file__).resolve()
BASE_N: Final = {"W1": 1_000_000, "W2": 1_000_000, "W3": 2_000_000}
CHILD_TIMEOUT: Final = 900.0

Run = dict[str, object]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--reps", type=int, default=5, help="repetitions of every job (default 5)")
    p.add_argument("--scale", type=float, default=1.0, help="multiply N (W1/W2 1M, W3 2M)")
    p.add_argument(
        "--only", default="", help="comma-separated job patterns, e.g. W1,latency-*,class"
    )
    p.add_argument("--raw", type=Path, help="also write every run as a JSON line to this file")
    p.add_argument("--rate", type=float, default=1000.0, help="latency: records/s (default 1000)")
    p.add_argument(
        "--latency-seconds", type=float, default=3.0, help="latency: run time (default 3)"
    )
    p.add_argument(
        "--sensor-seconds", type=float, default=5.0, help="sensor example run time (default 5)"
    )
    p.add_argument("--list", action="store_true", help="list the jobs and exit")
    p.add_argument(
        "--live", action="store_true", help="measure the live sandbox/ tree, not a snapshot"
    )
    p.add_argument(
        "--profile", metavar="JOB", help="run one W1/W2/W3 job in-process under pyinstrument"
    )
    p.add_argument("--child", metavar="JOB", help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--method", default="api", help=argparse.SUPPRESS)
    return p.parse_args(argv)


# --- the job matrix --------------------------------------------------------------


def all_jobs() -> list[str]:
    """Every job, in the order a repetition runs them."""
    jobs = [f"{w}-{e}" for w in BASE_N for e in child.ENGINES]
    return [*jobs, "latency-function", "latency-class", "sensor-rss"]


def selected(jobs: list[str], only: str) -> list[str]:
    """Jobs matching any pattern of `only` (glob, or substring without wildcards)."""
    patterns = [p.strip() for p in only.split(",") if p.strip()]
    if not patterns:
        return jobs

    def match(job: str, pattern: str) -> bool:
        if any(c in pattern for c in "*?["):
            return fnmatch.fnmatchcase(job, pattern)
        return pattern in job

    return [j for j in jobs if any(match(j, p) for p in patterns)]


def n_for(job: str, args: argparse.Namespace) -> int:
    """Records for `job`: N x scale for W1-W3, rate x seconds for latency."""
    workload, _ = child.split_job(job)
    if workload == "latency":
        return round(args.rate * args.latency_seconds)
    return max(1, round(BASE_N.get(workload, 0) * args.scale))


# --- parent ----------------------------------------------------------------------


def child_command(job: str, args: argparse.Namespace, method: str) -> list[str]:
    """The command line of one measurement process."""
    options = {
        "--child": job,
        "--n": n_for(job, args),
        "--rate": args.rate,
        "--sensor-seconds": args.sensor_seconds,
        "--method": method,
    }
    return [sys.executable, str(SCRIPT), *(s for o, v in options.items() for s in (o, str(v)))]


def run_child(
    job: str, rep: int, args: argparse.Namespace, method: str, env: dict[str, str]
) -> Run:
    """Run one measurement process; its JSON report, or a bad run saying what went wrong."""
    command = child_command(job, args, method)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=CHILD_TIMEOUT, check=False, env=env
        )
    except subprocess.TimeoutExpired:
        return {
            "job": job,
            "rep": rep,
            "ok": False,
            "error": f"timed out after {CHILD_TIMEOUT:g} s",
        }
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        error = f"exit {done.returncode}: {' '.join(command)}\n{done.stderr.strip()}"
        return {"job": job, "rep": rep, "ok": False, "error": error}
    run: Run = json.loads(lines[-1])
    run["rep"] = rep
    return run


def progress(run: Run, reps: int) -> str:
    """One line per finished run."""
    head = f"[rep {run['rep']}/{reps}] {run['job']:<20}"
    if "error" in run:
        return f"{head} ERROR {run['error']}"
    status = "ok" if run.get("ok") else "BAD"
    if "records_per_s" in run:
        rate = report.rate(float(run["records_per_s"]))  # type: ignore[arg-type]  # JSON number
        growth = run["peak_minus_before_mb"]
        return f"{head} {rate:>7} rec/s  growth {growth} MB  {run['checksum']}  {status}"
    if "p99_ms" in run:
        ms = f"p50 {run['p50_ms']}  p99 {run['p99_ms']}  max {run['max_ms']} ms"
        return f"{head} {ms}  {run.get('rate_achieved')} rec/s  {status}"
    return f"{head} peak RSS {run.get('peak_rss_mb')} MB ({run.get('method')})  {status}"


def sensor_method(jobs: list[str]) -> str:
    """ "cli" when `sandbox run` exists, else "api" (probed here, not in the measured child)."""
    if "sensor-rss" not in jobs:
        return "api"
    import sensor_rss  # only when the sensor job runs

    return "cli" if sensor_rss.cli_has_run() else "api"


def mixed_sources(runs: list[Run]) -> str | None:
    """A warning when the runs did not all measure the same sandbox/ sources."""
    seen: dict[str, list[str]] = {}
    for run in runs:
        seen.setdefault(str(run.get("sandbox_src")), []).append(f"{run['job']}#{run['rep']}")
    if len(seen) == 1:
        return None
    parts = [f"{fp}: {len(ids)} runs from {ids[0]}" for fp, ids in seen.items()]
    return "WARNING: the runs measured different sandbox/ sources; " + "; ".join(parts)


def header(args: argparse.Namespace, jobs: list[str]) -> str:
    """What ran, where."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"bench/pipeline.py: {len(jobs)} jobs x {args.reps} reps, scale {args.scale:g}, "
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}, "
        f"git HEAD {sources.git_head()}"
    )


def run_reps(
    jobs: list[str], args: argparse.Namespace, method: str, src: sources.Sources
) -> list[Run]:
    """Every job once per repetition, rep-major, each in its own process."""
    runs: list[Run] = []
    for rep in range(1, args.reps + 1):
        for job in jobs:
            fingerprint = sources.fingerprint(src.root)
            run = run_child(job, rep, args, method, src.env)
            run["sandbox_src"] = fingerprint
            runs.append(run)
            print(progress(run, args.reps), flush=True)
    return runs


def run_matrix(args: argparse.Namespace) -> int:
    """Run every selected job `--reps` times, rep-major; print the tables."""
    jobs = selected(all_jobs(), args.only)
    if not jobs:
        print(f"no job matches --only {args.only!r}; jobs: {', '.join(all_jobs())}")
        return 2
    print(header(args, jobs), flush=True)
    method = sensor_method(jobs)
    started = time.perf_counter()
    with sources.snapshot(not args.live) as src:
        runs = run_reps(jobs, args, method, src)
        note = src.note()
    if args.raw:
        args.raw.write_text("".join(json.dumps(r) + "\n" for r in runs), encoding="utf-8")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    elapsed = time.perf_counter() - started
    print(f"\n{len(runs)} runs in {elapsed:.0f} s; load average after: {load}\n")
    print(report.render(runs, [w for w in BASE_N if any(j.startswith(w) for j in jobs)]))
    print(f"\n{note}")
    if warning := mixed_sources(runs):
        print(warning)
    if args.scale != 1:
        print(f"note: --scale {args.scale:g}: goals are stated for the full N (scale 1)")
    return 0 if all(r.get("ok") for r in runs) else 1


# --- child and profile -------------------------------------------------------------


def run_child_mode(args: argparse.Namespace) -> int:
    """Measure one job in this process and print its JSON line."""
    result = child.measure(
        args.child,
        n=args.n or n_for(args.child, args),
        rate=args.rate,
        duration=args.sensor_seconds,
        method=args.method,
    )
    print(json.dumps(result), flush=True)
    return 0


def run_profile(args: argparse.Namespace) -> int:
    """Run one throughput job in this process under pyinstrument and print where time went."""
    try:
        from pyinstrument import Profiler  # optional: only this mode needs it
    except ImportError as exc:
        msg = "--profile needs pyinstrument: .venv/bin/pip install pyinstrument"
        raise ImportError(msg) from exc
    job = args.profile.replace("/", "-")
    n = args.n or n_for(job, args)
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        timed = child.prepare_throughput(job, n, Path(tmp))
        profiler = Profiler()
        profiler.start()
        count, total, _ = timed()
        profiler.stop()
    seconds = profiler.last_session.duration if profiler.last_session else float("nan")
    print(f"{job}: N={n:,}, {seconds:.3f} s under the profiler, count={count} sum={total:.3f}")
    print("(pyinstrument hooks every call: compare shares, not absolute times)\n")
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    print("Top frames by self time:")
    flat = profiler.output_text(unicode=True, color=False, flat=True, flat_time="self")
    # Drop the banner, and the "[self]" pseudo-frames: the flat view lumps them together
    # across files, and each function's own line already shows its self time.
    body = flat.split("Profile at", 1)[-1].splitlines()[2:]
    print("\n".join([line for line in body if line.strip() and "[self]" not in line][:30]))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Dispatch on the mode."""
    args = parse_args(argv)
    jobs = all_jobs()
    for given, allowed in ((args.child, jobs), (args.profile, jobs[:-3])):
        if given and given.replace("/", "-") not in allowed:
            print(f"unknown job {given!r}; choose from: {', '.join(allowed)}")
            return 2
    if args.child:
        return run_child_mode(args)
    if args.profile:
        return run_profile(args)
    if args.list:
        print("\n".join(all_jobs()))
        return 0
    return run_matrix(args)


if __name__ == "__main__":
    sys.exit(main())
