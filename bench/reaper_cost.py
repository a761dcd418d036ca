"""What recording a tool's process group costs per `run_tool` call (see processes/reaper.py).

    .venv/bin/python bench/reaper_cost.py [runs]

Prints the median of `record` + `forget` alone (the whole added work), and the
median of `run_tool(["true"])` with the record and without it, side by side.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import anyio

from fixloop.processes import reaper, run


def record_and_forget(runs: int) -> float:
    child = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            reaper.forget(reaper.record(child.pid))
            times.append(time.perf_counter() - started)
        return statistics.median(times)
    finally:
        child.kill()
        child.wait()


async def tool_runs(runs: int) -> tuple[float, float]:
    real = reaper.record
    medians = {}
    samples: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(runs):  # interleaved, so that load on the machine hits both alike
        for mode in ("with", "without"):
            reaper.record = real if mode == "with" else (lambda pid: None)
            started = time.perf_counter()
            await run.run_tool(["true"])
            samples[mode].append(time.perf_counter() - started)
    reaper.record = real
    for mode, times in samples.items():
        medians[mode] = statistics.median(times)
    return medians["with"], medians["without"]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    alone = record_and_forget(runs * 4)
    with_, without = anyio.run(tool_runs, runs)
    print(f"pid {os.getpid()}, {runs} tool runs, {runs * 4} record+forget pairs")
    print(f"record + forget alone:          {alone * 1e6:8.1f} us (median)")
    print(f"run_tool(['true']) with record:    {with_ * 1e3:8.3f} ms (median)")
    print(f"run_tool(['true']) without record: {without * 1e3:8.3f} ms (median)")
    print(f"ratio with/without: {with_ / without:.3f}")


if __name__ == "__main__":
    main()
