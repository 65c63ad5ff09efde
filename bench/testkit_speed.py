"""What a simple streamlet test costs with the testkit, as pytest measures it.

Writes a test module of 200 parametrised tests (half a function processor,
half a class streamlet, each run with `run_streamlet` over two records) and a
baseline module of 200 empty async tests, runs pytest on each in a fresh
process several times, and reports the median per-test time from pytest's
own JUnit XML timings (setup + call + teardown of every test), with and
without the baseline's share (pytest and pytest-asyncio's own cost).

    .venv/bin/python bench/testkit_speed.py [--runs 5] [--tests 200] [--budget-ms 5]

Exits 1 when the median per-test time is over the budget.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

TESTS = """
import msgspec
import pytest

from sandbox import Context, Inlet, Outlet, Streamlet, processor
from sandbox.testkit import run_streamlet


class Word(msgspec.Struct, frozen=True):
    text: str


class Upper(Streamlet):
    inlet = Inlet(Word, name="in")
    out = Outlet(Word)

    async def run(self, ctx: Context[None]) -> None:
        async for word in self.inlet:
            await self.out.send(Word(word.text.upper()))


@processor
def double(x: int) -> int:
    return 2 * x


@pytest.mark.parametrize("n", range({half}))
async def test_function_streamlet(n: int) -> None:
    result = await run_streamlet(double, inputs={{"in": [n, n + 1]}})
    assert result["out"] == [2 * n, 2 * n + 2]


@pytest.mark.parametrize("n", range({half}))
async def test_class_streamlet(n: int) -> None:
    result = await run_streamlet(Upper, inputs={{"in": [Word(str(n)), Word("x")]}})
    assert result["out"] == [Word(str(n)), Word("X")]
"""

BASELINE = """
import pytest


@pytest.mark.parametrize("n", range({tests}))
async def test_nothing(n: int) -> None:
    assert n >= 0
"""


def _run(directory: Path, module: str) -> tuple[float, float, int]:
    """(sum of per-test times, session time, tests) from one pytest run."""
    report = directory / "report.xml"
    command = [
        sys.executable, "-m", "pytest", module, "-q", "-p", "no:cacheprovider",
        "-p", "asyncio", "--asyncio-mode=auto",
        "-o", "asyncio_default_fixture_loop_scope=function", f"--junitxml={report}",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=directory, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = f"pytest failed:\n{done.stdout}\n{done.stderr}"
        raise SystemExit(message)
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None  # pytest always writes one
    cases = suite.findall("testcase")
    return sum(float(c.get("time", "0")) for c in cases), float(suite.get("time", "0")), len(cases)


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--budget-ms", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="testkit-speed-") as tmp:
        directory = Path(tmp)
        (directory / "test_kit.py").write_text(
            textwrap.dedent(TESTS.format(half=args.tests // 2)), encoding="utf-8"
        )
        (directory / "test_base.py").write_text(
            textwrap.dedent(BASELINE.format(tests=args.tests)), encoding="utf-8"
        )
        kit, base, sessions = [], [], []
        for _ in range(args.runs):
            per_test, session, count = _run(directory, "test_kit.py")
            kit.append(per_test / count * 1000)
            sessions.append(session / count * 1000)
            per_test, _, count = _run(directory, "test_base.py")
            base.append(per_test / count * 1000)
    median, floor = statistics.median(kit), statistics.median(base)
    print(f"{args.tests} run_streamlet tests, median of {args.runs} pytest runs:")
    print(f"  {median:.2f} ms per test (pytest's per-test timings: setup + call + teardown)")
    print(
        f"  {statistics.median(sessions):.2f} ms per test of the whole session, collection included"
    )
    print(f"  {floor:.2f} ms per empty async test (pytest + pytest-asyncio alone)")
    print(f"  {median - floor:.2f} ms per test is the testkit's")
    print(f"  runs: {', '.join(f'{v:.2f}' for v in kit)} ms; budget {args.budget_ms:g} ms")
    return 0 if median <= args.budget_ms else 1


if __name__ == "__main__":
    raise SystemExit(main())
