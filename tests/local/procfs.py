"""What the tests need to see of processes: children, listening ports, liveness (Linux /proc)."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import anyio

SERVE_MODULE = "fixloop.providers.local.serve"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    try:  # a zombie is dead for our purposes
        return "\nState:\tZ" not in status.read_text()
    except OSError:
        return False


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def model_children(pid: int) -> list[int]:
    """The local model processes started by process `pid`."""
    out = []
    for child in children(pid):
        try:
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if SERVE_MODULE.encode() in argv and alive(child):
            out.append(child)
    return out


def listening_port(pid: int) -> int | None:
    """The TCP port process `pid` listens on, from its socket inodes and /proc/net/tcp."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
            return int(fields[1].split(":")[1], 16)
    return None


def health(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
        return json.load(response)


async def wait_busy(parent: int, timeout: float) -> int:
    """The pid of `parent`'s model process, once it is generating (polled under a deadline)."""
    with anyio.fail_after(timeout):
        while True:
            for child in model_children(parent):
                port = listening_port(child)
                if port is not None:
                    try:
                        state = await anyio.to_thread.run_sync(health, port)
                    except OSError:
                        state = {}
                    if state.get("busy"):
                        return child
            await anyio.sleep(0.05)


async def wait_gone(pid: int, timeout: float) -> None:
    with anyio.fail_after(timeout):
        while alive(pid):
            await anyio.sleep(0.05)
