"""How fast can W1 go with function streamlets' per-record calls, with no runtime at all?

The W1 goal compares function streamlets with a generator chain whose sink is
inline (`count += 1; total += r.value`) and whose filter is `f_keep` itself.
Function streamlets must call more Python per record: the filter is a
processor returning the record or None (`keep`), the sink is an egress
function. This script times, in one process and interleaved:

* `gen-chain`: the peers' generator chain (the goal's baseline);
* `gen-chain+calls`: the same chain calling `keep` and a sink function;
* `batch-floor`: hand-written batches of 512 through `map`/`filter` in C with
  those same calls, i.e. the sandbox's function fast path without channels,
  tasks or an event loop.

Run: `.venv/bin/python bench/function_floor.py [--n 1000000] [--reps 7]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import deque
from functools import partial
from itertools import islice
from operator import is_not

from records import Reading, f_keep, f_map, readings

_NOT_NONE = partial(is_not, None)


def keep(r: Reading) -> Reading | None:
    """W1's filter as a function streamlet writes it."""
    return r if f_keep(r) else None


class Sink:
    """W1's sink as an egress function."""

    def __init__(self) -> None:
        self.count, self.total = 0, 0.0

    def __call__(self, r: Reading) -> None:
        self.count += 1
        self.total += r.value


def gen_chain(n: int) -> int:
    count, total = 0, 0.0
    for r in (r for r in (f_map(r) for r in readings(n)) if f_keep(r)):
        count += 1
        total += r.value
    return count


def gen_chain_calls(n: int) -> int:
    sink = Sink()
    for r in (r for r in (keep(f_map(r)) for r in readings(n)) if r is not None):
        sink(r)
    return sink.count


def batch_floor(n: int) -> int:
    sink = Sink()
    source = readings(n)
    while batch := list(islice(source, 512)):
        mapped = list(filter(_NOT_NONE, map(f_map, batch)))
        kept = list(filter(_NOT_NONE, map(keep, mapped)))
        deque(map(sink, kept), maxlen=0)
    return sink.count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    jobs = {"gen-chain": gen_chain, "gen-chain+calls": gen_chain_calls, "batch-floor": batch_floor}
    rates: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(args.reps):
        for name, job in jobs.items():
            started = time.perf_counter()
            job(args.n)
            rates[name].append(args.n / (time.perf_counter() - started))
    base = statistics.median(rates["gen-chain"])
    for name, values in rates.items():
        rate = statistics.median(values)
        print(f"{name:16} {rate / 1e6:5.2f}M rec/s  {rate / base:4.2f}x gen-chain")


if __name__ == "__main__":
    main()
