"""`python -m fixloop.fakes --script replies.json`: the scripted model server from a shell,
for editor end-to-end tests and the speed benchmark (prints `PORT <n>` once ready)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from fixloop.fakes.replies import load_script
from fixloop.fakes.server import ScriptedModelServer


def main(argv: list[str] | None = None) -> int:
    """Serve a script file until SIGTERM or SIGINT, printing `PORT <n>` once ready."""
    parser = argparse.ArgumentParser(description="A scripted OpenAI/Anthropic model server.")
    parser.add_argument("--script", type=Path, required=True, help="JSON file of replies")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    args = parser.parse_args(argv)
    try:
        replies, default = load_script(json.loads(args.script.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        parser.error(f"{args.script}: {exc}")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with ScriptedModelServer(args.port, default=default) as srv:
        srv.script(*replies)
        print(f"PORT {srv.port}", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
