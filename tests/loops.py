"""A fix loop on one broken file, its one finding found by the real python and ruff
verifiers, against the scripted model server: what the engine tests build their loops from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import anyio

from fixloop.config import ModelSettings
from fixloop.engine.findings import CheckResult, run_checks
from fixloop.engine.loop import FixLoop, LoopLimits
from fixloop.engine.results import Snapshot
from fixloop.providers import make_provider
from fixloop.verifiers.registry import make_verifiers

BROKEN = "import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path('.')\n"


@dataclass(frozen=True)
class Checked:
    """A broken app.py as the engine sees it before any loop: checked, one finding shown."""

    snapshot: Snapshot
    verifiers: tuple
    limiter: anyio.CapacityLimiter
    check: CheckResult

    @property
    def finding(self):
        (finding,) = self.check.shown
        return finding


async def checked(tmp_path: Path, text: str = BROKEN) -> Checked:
    """`text` written to app.py and checked with python and ruff."""
    path = tmp_path / "app.py"
    path.write_text(text)
    snapshot = Snapshot(path.as_uri(), 1, text, path, tmp_path)
    verifiers = make_verifiers(["python", "ruff"])
    limiter = anyio.CapacityLimiter(2)
    return Checked(snapshot, verifiers, limiter, await run_checks(snapshot, verifiers, limiter))


async def make_loop(
    tmp_path: Path,
    server,
    *,
    attempts: int = 4,
    parallel: int = 1,
    seconds: float = 20.0,
    text: str = BROKEN,
    meter: Callable[[ModelSettings], object] | None = None,
) -> FixLoop:
    """The loop for the one finding of `text` (`meter(model)` meters it when given)."""
    broken = await checked(tmp_path, text)
    model = ModelSettings(
        base_url=server.openai_base_url, model="scripted", usd_per_mtok_in=1.0, usd_per_mtok_out=2.0
    )
    extra = {} if meter is None else {"meter": meter(model)}
    return FixLoop(
        snapshot=broken.snapshot,
        finding=broken.finding,
        baseline=broken.check.findings,
        verifiers=broken.verifiers,
        provider=make_provider(model, env={}),
        model=model,
        tier="fast",
        limits=LoopLimits(attempts, parallel, seconds),
        verify_limiter=broken.limiter,
        **extra,
    )
