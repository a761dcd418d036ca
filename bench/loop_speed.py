"""Loop speed: the engine's own cost per attempt, and the server's answers under load.

    .venv/bin/python bench/loop_speed.py [--docs 40] [--loops 100] [--burst 15]
        [--model-delay 0,5,2] [--compare REF] [--profile PART1.txt] [--spy PART2.raw]
        [--gc-log] [--debug-loop]

1. Engine overhead per attempt, with a zero-latency scripted model (the fake
   model server of fixloop.fakes, in a process of its own, over real loopback
   HTTP, streaming): `--docs` documents with one undefined name each, fixed by
   the full Engine (4 loops at a time, the default). The model's replies come
   in turn: an unusable reply, a suppression the anti-cheat policy refuses, a
   wrong import the verifiers fail, the right import. An attempt's engine
   overhead is its wall time minus the model call (HTTP and the ledger's
   reservation) minus the verifiers; fixloop's own CPU per attempt is the
   process's CPU time (the tools run in their own processes) over the
   attempts. `--profile` runs this part under pyinstrument (pip install
   pyinstrument) and writes the report.
2. The language server under load: `fixloop serve` driven by pygls' own LSP
   client. First idle (one document, no loop running), then with `--loops`
   loops in flight (10 files of 10 undefined names) and `--burst` seconds of
   edits: a didChange every 20 ms, round robin over the files, outside every
   window, each followed at once by a codeAction request on another file and
   then one more. One run per `--model-delay` value: the model never answers
   (0), or answers every request after that many seconds, give or take half
   (seeded), with a candidate that fails. codeAction latency idle and loaded
   side by side, the server's CPU and RSS. `--spy` samples the server with
   py-spy during the edits (pip install py-spy), `--gc-log` times its
   collector, `--debug-loop` lists callbacks that held its loop 20 ms or more.
   `--compare REF` runs part 2 twice per `--model-delay`, first with the
   server of git revision REF (its `server/` and `verifiers/` exported to a
   temporary directory put first on the server's PYTHONPATH), then with this
   tree's, and sets the figures side by side with their ratios.

The machine's load average is printed with the figures: the benchmark shares
its cores with whatever else runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import anyio  # noqa: E402
from lsprotocol import types as T  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

from fixloop.config import BudgetSettings, EditorSettings, ModelSettings, Settings  # noqa: E402
from fixloop.engine.scheduler import Engine, State  # noqa: E402
from fixloop.engine.toolbox import Toolbox  # noqa: E402
from fixloop.engine.results import Outcome, Snapshot  # noqa: E402



@contextlib.asynccontextmanager
async def model_server(replies: list[dict], default: dict):
    """The scripted model server (fixloop.fakes) in a process of its own (its threads would
    otherwise compete with what is measured); yields its OpenAI base URL."""
    script = Path(tempfile.mkdtemp(prefix="fixloop-bench-model-")) / "script.json"
    script.write_text(json.dumps({"replies": replies, "default": default}))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "fixloop.fakes", "--script", str(script), stdout=asyncio.subprocess.PIPE
    )
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        port = int(line.split()[1])
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        await process.wait()


def text(content: str, delay: float = 0.0) -> dict:
    return {"kind": "text", "content": content, "delay": delay}


def search_replace(search: str, replace: str) -> str:
    return f"<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# -- 1. engine overhead per attempt ---------------------------------------------------------


def doc_text(n: int) -> str:
    """One undefined name; the comment makes every window's text (and so the memory's key) unique."""
    return f'import sys\n\n# case {n}\ndef main():\n    print(sys.argv)\n    return pathlib.Path(".")\n'


class Quiet:
    """A listener that wakes a waiter on every change."""

    def __init__(self) -> None:
        self.event = anyio.Event()

    def publish(self, snapshot, findings) -> None:
        pass

    def changed(self) -> None:
        self.event.set()
        self.event = anyio.Event()

    def message(self, text: str) -> None:
        print(f"  (fixloop says: {text})", file=sys.stderr)

    def log(self, text: str) -> None:
        pass

    def loop_progress(self, update) -> None:
        pass


LINE = '    return pathlib.Path(".")'
# In turn: an unusable reply, a suppression, a wrong import the verifiers fail, the fix.
FOUR = [
    text("I would add an import."),
    text(search_replace(LINE, f"{LINE}  # noqa: F821")),
    text(search_replace("import sys", "import sys\nimport pathlb")),
    text(search_replace("import sys", "import sys\nimport pathlib")),
]


async def engine_overhead(docs: int) -> dict:
    root = Path(tempfile.mkdtemp(prefix="fixloop-bench-loop-"))
    os.environ.setdefault("FIXLOOP_STATE_DIR", str(root / "state"))
    async with model_server(FOUR * docs, FOUR[-1]) as base_url:
        settings = Settings(
            models={"fast": ModelSettings(base_url=base_url, model="bench")},
            budget=BudgetSettings(loops=4, attempts=8, parallel=1, seconds=120, usd_per_day=100),
            editor=EditorSettings(debounce=0.0),
        )
        toolbox = Toolbox()
        listener = Quiet()
        started, cpu = time.perf_counter(), time.process_time()
        async with anyio.create_task_group() as tg:
            engine = Engine(tg, listener, lambda _: settings, toolbox)
            uris = []
            for n in range(docs):
                path = root / f"doc_{n}.py"
                path.write_text(doc_text(n))
                engine.update(Snapshot(path.as_uri(), 1, doc_text(n), path, root), urgent=True)
                uris.append(path.as_uri())

            def tracked():
                return [t for uri in uris for t in engine.tracked(uri, 1).values()]

            with anyio.fail_after(600):
                while len(tracked()) < docs or any(
                    t.state in (State.QUEUED, State.RUNNING) for t in tracked()
                ):
                    await listener.event.wait()
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            results = [t.result for t in tracked()]
            tg.cancel_scope.cancel()
        await toolbox.aclose()
    attempts = [a for r in results for a in r.attempts]
    overhead = [a.seconds - a.model_seconds - a.verify_seconds - a.test_seconds for a in attempts]
    by_outcome = {}
    for outcome in Outcome:
        values = [
            a.seconds - a.model_seconds - a.verify_seconds for a in attempts if a.outcome is outcome
        ]
        if values:
            by_outcome[outcome.value] = values
    return {
        "fixed": sum(1 for r in results if r.fix is not None),
        "loops": len(results),
        "attempts": attempts,
        "overhead": overhead,
        "by_outcome": by_outcome,
        "loop_overhead": [r.seconds - sum(a.seconds for a in r.attempts) for r in results],
        "wall": wall,
        "cpu": cpu,
    }


def report_overhead(figures: dict) -> None:
    attempts = figures["attempts"]
    total = [a.seconds for a in attempts]
    model = [a.model_seconds for a in attempts]
    verify = [a.verify_seconds for a in attempts if a.verify_seconds]
    overhead = figures["overhead"]
    base = statistics.median(total)
    print(
        f"\n1. Engine overhead per attempt, zero-latency scripted model "
        f"({figures['loops']} loops, {figures['fixed']} fixed, {len(attempts)} attempts, "
        f"{figures['wall']:.2f} s wall)"
    )
    print(f"  {'':44} {'median':>11} {'p95':>11} {'of attempt':>11}")
    rows = [
        ("attempt, wall", total),
        ("model call (HTTP on loopback + ledger)", model),
        ("verifiers (python, ruff), when run", verify),
        ("engine overhead (the rest)", overhead),
    ]
    for label, values in rows:
        print(
            f"  {label:44} {ms(statistics.median(values))} {ms(p(values, 0.95))} "
            f"{statistics.median(values) / base:10.2f}x"
        )
    for outcome, values in figures["by_outcome"].items():
        print(f"    overhead when {outcome:34} {ms(statistics.median(values))}")
    print(
        f"  per loop, outside its attempts (workers, deadline): "
        f"{ms(statistics.median(figures['loop_overhead']))}"
    )
    print(
        f"  fixloop's own CPU (engine, HTTP client, ledger, in-process compile; not the tools): "
        f"{ms(figures['cpu'] / len(attempts))} per attempt"
    )


# -- 2. the language server under load ------------------------------------------------------


def file_text(index: int) -> str:
    """Ten undefined names in functions far apart, and a tail the edits go after."""
    body = "import sys\n"
    for k in range(10):
        body += f"\n\ndef f_{k}():\n    print(sys.argv)\n\n\n\n    return name_{index}_{k}\n"
    return body + "\n\ndef tail():\n    return 0\n\n\n# edits below\n"


def failing_replies(delay: float, count: int) -> tuple[list[dict], dict]:
    """Replies after `delay` seconds give or take half (seeded), so that a hundred loops do not
    answer in lockstep: every other one unusable, the rest a wrong import the verifiers fail."""
    rng = random.Random(5)
    replies = [
        text("Not sure.", delay * rng.uniform(0.5, 1.5))
        if n % 2
        else text(
            search_replace("import sys", f"import sys\nimport wrong_{n}"),
            delay * rng.uniform(0.5, 1.5),
        )
        for n in range(count)
    ]
    return replies, text("Not sure.", delay)


class Bench:
    """pygls' LanguageClient driving `fixloop serve`."""

    def __init__(self) -> None:
        self.client = LanguageClient("fixloop-bench", "1")
        self.status: dict = {}
        self.status_event = asyncio.Event()
        self.published: dict[str, T.PublishDiagnosticsParams] = {}
        self.publish_event = asyncio.Event()
        self.received: dict[str, int] = {}  # notifications from the server, by method
        handle = self.client.protocol.handle_message

        def count(message) -> None:
            method = getattr(message, "method", None)
            if method:
                self.received[method] = self.received.get(method, 0) + 1
            handle(message)

        self.client.protocol.handle_message = count

        @self.client.feature("fixloop/status")
        def status(params) -> None:
            self.status = params._asdict() if hasattr(params, "_asdict") else dict(params)
            self.status_event.set()

        @self.client.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: T.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = params
            self.publish_event.set()

        @self.client.feature(T.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def create(params) -> None:
            return None

        @self.client.feature(T.PROGRESS)
        def progress(params) -> None:
            pass

        for method in (T.WINDOW_LOG_MESSAGE, T.WINDOW_SHOW_MESSAGE):
            self.client.feature(method)(lambda params: None)

    async def wait(self, event_name: str, predicate, timeout: float = 120.0) -> None:
        event: asyncio.Event = getattr(self, event_name)
        async with asyncio.timeout(timeout):
            while not predicate():
                event.clear()
                await event.wait()

    def cpu(self) -> float:
        """CPU seconds the server has used (user and system)."""
        fields = Path(f"/proc/{self.client._server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss(self) -> tuple[int, int]:
        """(VmRSS, VmHWM) of the server in kB."""
        fields = {}
        for line in Path(f"/proc/{self.client._server.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])

    def open(self, path: Path, text: str) -> str:
        path.write_text(text)
        uri = path.as_uri()
        self.client.text_document_did_open(
            T.DidOpenTextDocumentParams(T.TextDocumentItem(uri, "python", 1, text))
        )
        return uri

    async def code_action(self, uri: str, diagnostic: T.Diagnostic) -> float:
        started = time.perf_counter()
        await self.client.text_document_code_action_async(
            T.CodeActionParams(
                text_document=T.TextDocumentIdentifier(uri),
                range=diagnostic.range,
                context=T.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
        return time.perf_counter() - started


# The server, with its collector's pauses (>= 5 ms) on stderr, and asyncio's slow-callback
# threshold at 20 ms (it logs them in debug mode only: PYTHONASYNCIODEBUG).
SLOW_CALLBACKS = """
import gc, sys, time
_gc = {}
def _timed(phase, info):
    if phase == "start":
        _gc["t"] = time.perf_counter()
    else:
        took = time.perf_counter() - _gc.get("t", time.perf_counter())
        if took > 0.005:
            generation, now = info["generation"], time.monotonic()
            print(f"gc generation {generation} took {took:.3f} seconds at {now:.3f}", file=sys.stderr)
gc.callbacks.append(_timed)
import asyncio.base_events as base
init = base.BaseEventLoop.__init__
def patched(self, *args, **kwargs):
    init(self, *args, **kwargs)
    self.slow_callback_duration = 0.02
base.BaseEventLoop.__init__ = patched
from fixloop.cli import main
raise SystemExit(main(["serve"]))
"""


def summarize_spy(path: Path, expected: int, top: int = 15) -> list[str]:
    """Per event loop's thread (the server's MainThread; the engine's own, where it has one):
    how busy it was, the functions most often on top of its stack (own time), and most often
    on it at all, from py-spy's raw (collapsed) output; `expected`: samples of the whole run
    (py-spy leaves out most samples of a thread waiting in a system call)."""
    threads: dict[str, tuple[dict[str, int], dict[str, int]]] = {}
    totals: dict[str, int] = {}
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not any("run_forever" in frame for frame in frames):
            continue  # not an event loop's thread
        name = next((f.split(": ", 1)[-1] for f in frames if f.startswith("thread (")), "?")
        if "select (selectors.py" in frames[-1]:
            continue  # idle
        own, anywhere = threads.setdefault(name, ({}, {}))
        totals[name] = totals.get(name, 0) + int(count)
        own[frames[-1]] = own.get(frames[-1], 0) + int(count)
        for frame in set(frames):
            anywhere[frame] = anywhere.get(frame, 0) + int(count)
    lines = []
    for name, (own, anywhere) in threads.items():
        total = totals[name]
        lines.append(
            f"  thread {name}: busy in {total} of {expected} samples "
            f"({100 * total / expected:.0f}%); own time:"
        )
        for frame, count in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
            lines.append(f"    {100 * count / total:5.1f}%  {frame}")
        lines.append("  on the stack:")
        for frame, count in sorted(anywhere.items(), key=lambda kv: -kv[1])[:top]:
            lines.append(f"    {100 * count / total:5.1f}%  {frame}")
    return lines


def export_revision(ref: str) -> tuple[str, str]:
    """fixloop as of git revision `ref`, laid out as an importable package in a temporary
    directory: (that directory, for PYTHONPATH; the commit it is)."""
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", ref],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    top = Path(tempfile.mkdtemp(prefix=f"fixloop-bench-{commit}-"))
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", commit, "server", "verifiers"],
        check=True, capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(top)], input=archive, check=True)
    (top / "server").rename(top / "fixloop")
    (top / "verifiers").rename(top / "fixloop" / "verifiers")
    where = subprocess.run(
        [sys.executable, "-c", "import fixloop; print(fixloop.__file__)"],
        env=dict(os.environ, PYTHONPATH=str(top)), check=True, capture_output=True, text=True,
    ).stdout.strip()
    if not where.startswith(str(top)):
        raise SystemExit(f"--compare: the exported tree is not the one imported ({where})")
    return str(top), commit


async def server_under_load(
    loops: int,
    burst: float,
    model_delay: float,
    spy: str | None = None,
    debug_loop: bool = False,
    gc_log: bool = False,
    pythonpath: str | None = None,
) -> dict:
    root = Path(tempfile.mkdtemp(prefix="fixloop-bench-lsp-"))
    files = max(1, loops // 10)
    figures: dict = {}
    if model_delay > 0:
        replies, default = failing_replies(model_delay, 20 * loops)
    else:
        replies, default = [], {"kind": "hang"}
    async with model_server(replies, default) as base_url:
        # The model goes in the user's config: a workspace file may not route a key (docs/trust.md).
        (root / "user").mkdir()
        (root / "user" / "config.toml").write_text(
            f"""\
[models.fast]
protocol = "openai"
base_url = "{base_url}"
model = "bench"

[budget]
usd_per_day = 1000.0
attempts = 1000
parallel = 1
loops = {loops}
seconds = 600

[editor]
debounce = 0.1
"""
        )
        bench = Bench()
        env = dict(os.environ, FIXLOOP_STATE_DIR=str(root / "state"),
                   FIXLOOP_CONFIG_DIR=str(root / "user"))
        if pythonpath:  # another revision's server (--compare)
            env["PYTHONPATH"] = pythonpath
        command = ["-m", "fixloop", "serve"]
        if debug_loop:  # asyncio's debug mode logs every callback that holds the loop >= 20 ms
            env["PYTHONASYNCIODEBUG"] = "1"
            command = ["-c", SLOW_CALLBACKS]
        elif gc_log:  # only the collector's pauses
            command = ["-c", SLOW_CALLBACKS]
        await bench.client.start_io(sys.executable, *command, env=env)
        stderr: list[str] = []

        async def drain() -> None:  # an unread pipe would block the server once it is full
            async for line in bench.client._server.stderr:
                stderr.append(line.decode("utf-8", "replace").rstrip())

        draining = asyncio.ensure_future(drain())
        figures["stderr"] = stderr
        try:
            caps = T.ClientCapabilities(window=T.WindowClientCapabilities(work_done_progress=True))
            await bench.client.initialize_async(
                T.InitializeParams(capabilities=caps, root_uri=root.as_uri())
            )
            bench.client.initialized(T.InitializedParams())

            # Idle: one document whose only finding is fixed by ruff's own fix.
            idle_uri = bench.open(root / "idle.py", "import os\nimport sys\n\nprint(sys.argv)\n")
            await bench.wait("publish_event", lambda: idle_uri in bench.published)
            await bench.wait("status_event", lambda: bench.status.get("fixes", 0) >= 1)
            (idle_diag,) = bench.published[idle_uri].diagnostics
            figures["idle"] = [await bench.code_action(idle_uri, idle_diag) for _ in range(300)]
            figures["rss_idle"] = bench.rss()

            texts = {}
            for index in range(files):
                uri = bench.open(root / f"load_{index}.py", file_text(index))
                texts[uri] = file_text(index)
            await bench.wait(
                "status_event", lambda: bench.status.get("running", 0) >= loops, timeout=300
            )
            figures["rss_loaded"] = bench.rss()
            diagnostics = {uri: bench.published[uri].diagnostics for uri in texts}
            uris = list(texts)
            versions = dict.fromkeys(uris, 1)
            spying = None
            if spy:
                spying = await asyncio.create_subprocess_exec(
                    str(Path(sys.executable).parent / "py-spy"),
                    "record",
                    "--pid",
                    str(bench.client._server.pid),
                    "--duration",
                    str(int(burst)),
                    "--rate",
                    "250",
                    "--format",
                    "raw",
                    "--nonblocking",
                    "--threads",
                    "--output",
                    spy,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                )
            loaded, after_change, running = [], [], []
            figures["burst_at"] = time.monotonic()
            cpu_at = bench.cpu()
            deadline = time.perf_counter() + burst
            n = 0
            while time.perf_counter() < deadline:
                edited = uris[n % len(uris)]
                other = uris[(n + 1) % len(uris)]
                versions[edited] += 1
                texts[edited] += f"# edit {n}\n"
                bench.client.text_document_did_change(
                    T.DidChangeTextDocumentParams(
                        text_document=T.VersionedTextDocumentIdentifier(
                            uri=edited, version=versions[edited]
                        ),
                        content_changes=[T.TextDocumentContentChangeWholeDocument(texts[edited])],
                    )
                )
                target = diagnostics[other][n % len(diagnostics[other])]
                after_change.append(await bench.code_action(other, target))
                loaded.append(await bench.code_action(other, target))
                running.append(bench.status.get("running", 0))
                n += 1
                await asyncio.sleep(0.02)
            figures["burst_end"] = time.monotonic()
            figures["cpu"] = (bench.cpu() - cpu_at) / (figures["burst_end"] - figures["burst_at"])
            if spying is not None:
                await spying.wait()
            figures["loaded"] = loaded
            figures["after_change"] = after_change
            figures["received"] = dict(bench.received)
            figures["edits"] = n
            figures["running"] = running
            figures["rss_end"] = bench.rss()
            with sqlite3.connect(root / "state" / "ledger.sqlite3") as db:
                figures["requests"] = db.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
            await bench.client.shutdown_async(None)
            bench.client.exit(None)
        finally:
            await bench.client.stop()
            draining.cancel()
    return figures


def scenario(delay: float) -> str:
    return "model never answers" if delay <= 0 else f"model answers in ~{delay:g} s"


def report_server(runs: list[tuple[float, str, dict]], loops: int, burst: float) -> None:
    """`runs`: (model delay, which server: "" for this tree or "before (REF)", figures)."""
    print(
        f"\n2. textDocument/codeAction answered by `fixloop serve` (pygls client over stdio); "
        f"{loops} loops in flight, then {burst:g} s of edits (one every 20 ms, each followed by "
        f"a codeAction on another file, then one more)"
    )
    width = 64 if any(variant for _, variant, _ in runs) else 52
    print(f"  {'':{width}} {'median':>11} {'p99':>11} {'max':>11} {'ratio':>6} {'n':>5}")
    first = {}
    for _, variant, figures in runs:
        first.setdefault(variant, figures)
    base = statistics.median(first[runs[0][1]]["idle"])
    rows = [
        (f"{variant or 'this tree'}: idle (one document, no loop)" if len(first) > 1
         else "idle (one document, no loop running)", figures["idle"])
        for variant, figures in first.items()
    ]
    for delay, variant, figures in runs:
        who = f"{variant or 'this tree'}: " if len(first) > 1 else ""
        rows.append((f"{who}{scenario(delay)}: right after a didChange", figures["after_change"]))
        rows.append((f"{who}{scenario(delay)}: the next one", figures["loaded"]))
    for label, values in rows:
        print(
            f"  {label:{width}} {ms(statistics.median(values))} {ms(p(values, 0.99))} "
            f"{ms(max(values))} {statistics.median(values) / base:5.2f}x {len(values):5}"
        )
    for delay, variant, figures in runs:
        running = figures["running"]
        rss, peak = figures["rss_end"]
        who = f"{variant or 'this tree'}, " if len(first) > 1 else ""
        print(
            f"  {who}{scenario(delay)}: {figures['edits']} edits, {figures['requests']} model "
            f"requests in all, loops running min {min(running)}; server CPU "
            f"{figures['cpu'] * 100:.0f}% of a core; RSS {figures['rss_idle'][0] / 1024:.0f} MB "
            f"idle, {figures['rss_loaded'][0] / 1024:.0f} MB with the loops, {rss / 1024:.0f} MB "
            f"after the edits (peak {peak / 1024:.0f} MB)"
        )
    received = ", ".join(f"{m} {n}" for m, n in sorted(runs[-1][2]["received"].items()))
    print(f"  messages from the server ({scenario(runs[-1][0])}): {received}")
    if len(first) > 1:
        report_comparison(runs)


def report_comparison(runs: list[tuple[float, str, dict]]) -> None:
    """This tree against the other revision, per scenario: medians and p99s, and their ratios."""
    before = {delay: figures for delay, variant, figures in runs if variant}
    after = {delay: figures for delay, variant, figures in runs if not variant}
    name = next(variant for _, variant, _ in runs if variant)
    print(f"\n  this tree against {name}, codeAction latency (ratio: this tree / {name}):")
    print(
        f"  {'':48} {'median':>19} {'ratio':>6} {'p99':>19} {'ratio':>6}"
    )
    rows = [("idle", "idle")]
    for delay in after:
        if delay in before:
            rows.append((f"{scenario(delay)}: right after a didChange", (delay, "after_change")))
            rows.append((f"{scenario(delay)}: the next one", (delay, "loaded")))
    for label, key in rows:
        if key == "idle":
            old, new = next(iter(before.values()))["idle"], next(iter(after.values()))["idle"]
        else:
            old, new = before[key[0]][key[1]], after[key[0]][key[1]]
        m0, m1 = statistics.median(old), statistics.median(new)
        p0, p1 = p(old, 0.99), p(new, 0.99)
        print(
            f"  {label:48} {m0 * 1000:7.2f} -> {m1 * 1000:5.2f} ms {m1 / m0:5.2f}x "
            f"{p0 * 1000:7.2f} -> {p1 * 1000:5.2f} ms {p1 / p0:5.2f}x"
        )


def report_diagnostics(server: dict, args) -> None:
    if args.debug_loop or args.gc_log:
        found = re.findall(
            r"gc generation (\d) took ([\d.]+) seconds at ([\d.]+)", "\n".join(server["stderr"])
        )
        during = [
            (g, t) for g, t, at in found if server["burst_at"] <= float(at) <= server["burst_end"]
        ]
        print(f"  collector pauses >= 5 ms: {len(found)} in all, {len(during)} during the edits")
        for gen in "012":
            took = [float(t) for g, t in during if g == gen]
            if took:
                print(
                    f"    generation {gen}: {len(took)}, longest {max(took) * 1000:.0f} ms, "
                    f"total {sum(took) * 1000:.0f} ms"
                )
    if args.debug_loop:
        slow = [
            line for line in server["stderr"] if " took " in line and "gc generation" not in line
        ]
        print(f"  callbacks that held the server's event loop >= 20 ms: {len(slow)}")
        for line in slow[:30]:
            name = re.search(r"name='([^']+)'", line)
            print(f"    {name.group(1) if name else line[:120]} {line[line.rindex(' took ') :]}")
    if args.spy:
        print(f"  py-spy profile of the server during the edits ({args.spy}):")
        print("\n".join(summarize_spy(Path(args.spy), int(args.burst) * 250)))


async def main_async(args) -> None:
    print(f"fixloop loop speed, {time.strftime('%Y-%m-%d %H:%M')}, {load()}")
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005, async_mode="disabled")  # the loop's thread as it is
        profiler.start()
        figures = await engine_overhead(args.docs)
        profiler.stop()
        Path(args.profile).write_text(profiler.output_text(unicode=True, show_all=False))
        print(f"  (profile of part 1 written to {args.profile})")
    else:
        figures = await engine_overhead(args.docs)
    report_overhead(figures)
    print(f"  ({load()})")
    if args.loops:
        variants: list[tuple[str, str | None]] = [("", None)]
        if args.compare:
            pythonpath, commit = export_revision(args.compare)
            variants.insert(0, (f"before ({args.compare} {commit})", pythonpath))
        runs = []
        for delay in args.model_delay:
            for variant, pythonpath in variants:  # the revisions in turn, per scenario
                spy = args.spy if not variant else None
                server = await server_under_load(
                    args.loops, args.burst, delay, spy, args.debug_loop, args.gc_log, pythonpath
                )
                runs.append((delay, variant, server))
                print(f"  ({variant or 'this tree'}, {scenario(delay)}: {load()})")
                if not variant:
                    report_diagnostics(server, args)
        report_server(runs, args.loops, args.burst)
        print(f"  ({load()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=40, help="loops in part 1")
    parser.add_argument(
        "--loops", type=int, default=100, help="loops in flight in part 2 (0: skip)"
    )
    parser.add_argument("--burst", type=float, default=15.0, help="seconds of edits in part 2")
    parser.add_argument(
        "--model-delay",
        type=lambda text: [float(x) for x in text.split(",")],
        default=[0.0, 5.0, 2.0],
        help="seconds per model reply, one run each (0: the model never answers); default 0,5,2",
    )
    parser.add_argument(
        "--compare",
        metavar="REF",
        help="part 2 also with the server of git revision REF (e.g. main), side by side",
    )
    parser.add_argument("--profile", help="write a pyinstrument profile of part 1 here")
    parser.add_argument("--spy", help="py-spy the server during the burst; raw stacks here")
    parser.add_argument(
        "--debug-loop", action="store_true", help="asyncio debug mode in the server: slow callbacks"
    )
    parser.add_argument(
        "--gc-log", action="store_true", help="the server's collector pauses during the burst"
    )
    args = parser.parse_args()
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
