"""FakeClock: time moves only when advanced, sleepers wake in deadline order."""

from __future__ import annotations

import anyio
import pytest

from sandbox import Clock
from sandbox.testkit import FakeClock, wait_idle


async def _sleeper(
    clock: FakeClock, seconds: float, name: str, woke: list[tuple[str, float]]
) -> None:
    await clock.sleep(seconds)
    woke.append((name, clock.now()))


def test_fake_clock_is_a_clock() -> None:
    assert isinstance(FakeClock(), Clock)
    assert FakeClock(start=5).now() == 5.0


async def test_advance_wakes_sleepers_in_deadline_order_then_registration_order() -> None:
    clock, woke = FakeClock(), list[tuple[str, float]]()
    with anyio.fail_after(1):
        async with anyio.create_task_group() as tg:
            for name, seconds in (("c", 3), ("a", 1), ("b", 1), ("d", 10)):
                tg.start_soon(_sleeper, clock, seconds, name, woke)
            await wait_idle()
            await clock.advance(5)
            assert woke == [("a", 1.0), ("b", 1.0), ("c", 3.0)]
            assert clock.now() == 5.0
            await clock.advance(5)
    assert woke[-1] == ("d", 10.0)


async def test_advance_lets_woken_tasks_sleep_again_within_the_span() -> None:
    clock, ticks = FakeClock(), list[float]()

    async def tick() -> None:
        while True:
            await clock.sleep(1)
            ticks.append(clock.now())

    with anyio.fail_after(1):
        async with anyio.create_task_group() as tg:
            tg.start_soon(tick)
            await clock.advance(3.5)
            assert ticks == [1.0, 2.0, 3.0]
            tg.cancel_scope.cancel()


async def test_float_steps_add_up_to_the_deadline() -> None:
    clock, woke = FakeClock(), list[tuple[str, float]]()
    with anyio.fail_after(1):
        async with anyio.create_task_group() as tg:
            tg.start_soon(_sleeper, clock, 0.3, "x", woke)
            for _ in range(3):
                await clock.advance(0.1)
            assert [name for name, _ in woke] == ["x"]


async def test_cancelled_sleepers_are_forgotten() -> None:
    clock = FakeClock()
    with anyio.fail_after(1):
        async with anyio.create_task_group() as tg:
            tg.start_soon(clock.sleep, 5)
            await wait_idle()
            assert clock.next_deadline == 5.0
            tg.cancel_scope.cancel()
    assert clock.sleepers == []
    assert clock.next_deadline is None


async def test_zero_sleep_returns_at_once() -> None:
    clock = FakeClock()
    with anyio.fail_after(1):
        await clock.sleep(0)
        await clock.sleep(-1)
    assert clock.now() == 0.0


async def test_autojump_advances_when_every_task_is_idle() -> None:
    clock = FakeClock(autojump=True)
    with anyio.fail_after(1):
        await clock.sleep(3600)
        await clock.sleep(0.5)
    assert clock.now() == 3600.5


async def test_autojump_can_be_switched_on_while_tasks_sleep() -> None:
    clock, woke = FakeClock(), list[tuple[str, float]]()
    with anyio.fail_after(1):
        async with anyio.create_task_group() as tg:
            tg.start_soon(_sleeper, clock, 60, "late", woke)
            await wait_idle()
            clock.autojump = True
    assert woke == [("late", 60.0)]


async def test_run_until_idle_wakes_every_sleeper() -> None:
    clock, woke = FakeClock(), list[tuple[str, float]]()
    with anyio.fail_after(1):
        async with anyio.create_task_group() as tg:
            tg.start_soon(_sleeper, clock, 7, "a", woke)
            tg.start_soon(_sleeper, clock, 2, "b", woke)
            await clock.run_until_idle()
    assert woke == [("b", 2.0), ("a", 7.0)]


async def test_sleepers_name_their_tasks() -> None:
    clock = FakeClock()
    with anyio.fail_after(1):
        async with anyio.create_task_group() as tg:
            tg.start_soon(clock.sleep, 2, name="napper")
            await wait_idle()
            assert [(s.task, s.deadline) for s in clock.sleepers] == [("napper", 2.0)]
            assert "napper" in repr(clock.sleepers[0])
            assert repr(clock) == "FakeClock(now=0, sleepers=1)"
            tg.cancel_scope.cancel()


@pytest.mark.parametrize("seconds", [-1, float("nan")], ids=["negative", "nan"])
async def test_advance_rejects_going_back(seconds: float) -> None:
    with pytest.raises(ValueError, match=r"^FakeClock.advance\(\) takes a duration >= 0 seconds"):
        await FakeClock().advance(seconds)


async def test_advance_to_rejects_the_past() -> None:
    clock = FakeClock(start=10)
    with pytest.raises(ValueError, match=r"would move time back from 10.0$"):
        await clock.advance_to(5)
    await clock.advance_to(12)
    assert clock.now() == 12.0
