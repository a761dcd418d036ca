"""A long-lived mypy process: one `mypy.api.run` per request line.

This file is run as `python -c <its source>` with the interpreter whose mypy
is used (the project's or fixloop's), so it imports nothing from fixloop.
Starting Python and importing mypy costs most of a warm `mypy` run; a worker
pays that once. Protocol, one JSON object per line:

    worker -> {"ready": true, "version": "2.4.1", "python": "/path/python"}
           or {"error": "cannot import mypy: ..."} and exit 3
    client -> {"id": 7, "args": ["-O", "json", ...]}
    worker -> {"id": 7, "code": 1, "stdout": "...", "stderr": "..."}
"""

import gc
import json
import os
import sys
import traceback

# Garbage that mypy moves to the oldest generation (its gc.freeze() trick)
# piles up across runs: collect after answering, every few requests.
COLLECT_EVERY = 4


def main() -> int:
    # The answers get a private copy of stdout; anything a plugin prints goes to stderr.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    # `python -c` puts the working directory (the workspace) first on sys.path:
    # a project with its own `mypy` folder must not shadow the real one.
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]

    def answer(message: dict) -> None:
        answers.write(json.dumps(message) + "\n")
        answers.flush()

    try:
        from mypy import api
        from mypy.version import __version__
    except Exception as exc:
        answer({"error": f"cannot import mypy with {sys.executable}: {exc}"})
        return 3
    answer({"ready": True, "version": __version__, "python": sys.executable})
    served = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            stdout, stderr, code = api.run(list(request["args"]))
        except BaseException:  # mypy crashed outside its own handler: say so, keep serving
            stdout, stderr, code = "", traceback.format_exc(), 2
        answer({"id": request["id"], "code": code, "stdout": stdout, "stderr": stderr})
        served += 1
        if served % COLLECT_EVERY == 0:
            gc.collect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
