"""The loop queue: capacity, priorities, re-prioritising and discarding."""

from __future__ import annotations

from fixloop.engine.slots import LoopQueue


def test_at_most_capacity_start_and_a_freed_slot_starts_the_next():
    queue: LoopQueue[str] = LoopQueue(2)
    for name in "abcd":
        queue.push(name, (1, 0))
    assert queue.take() == ["a", "b"]  # first come, first served among equals
    assert queue.take() == [] and len(queue) == 2
    queue.done()
    assert queue.take() == ["c"]
    assert queue.running == 2 and queue.waiting() == ["d"]


def test_a_better_priority_jumps_the_queue_and_the_old_entry_is_skipped():
    queue: LoopQueue[str] = LoopQueue(1)
    queue.push("running", (1, 0))
    assert queue.take() == ["running"]
    for name in ("x", "y", "z"):
        queue.push(name, (1, 0))
    assert queue.reprioritize("z", (0, -1))
    assert not queue.reprioritize("gone", (0, -1))
    assert queue.waiting() == ["z", "x", "y"]
    queue.done()
    assert queue.take() == ["z"]
    queue.done()
    assert queue.take() == ["x"]  # z's old entry is not started twice
    queue.done()
    assert queue.take() == ["y"] and len(queue) == 0


def test_discarded_items_never_start_and_the_heap_is_compacted():
    queue: LoopQueue[int] = LoopQueue(1)
    for number in range(1000):
        queue.push(number, (1, 0))
        queue.reprioritize(number, (0, -number))
        if number % 2:
            queue.discard(number)
    assert len(queue) == 500
    assert len(queue._heap) <= 4 * len(queue) + 64
    started = []
    while len(queue):
        started += queue.take()
        queue.done()
    assert started == sorted(range(0, 1000, 2), reverse=True)


def test_a_smaller_capacity_lets_the_running_finish_first():
    queue: LoopQueue[str] = LoopQueue(3)
    for name in "abcd":
        queue.push(name, (1, 0))
    assert queue.take() == ["a", "b", "c"]
    queue.capacity = 1
    queue.done()
    assert queue.take() == []
    queue.done()
    queue.done()
    assert queue.take() == ["d"]
