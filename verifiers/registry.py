"""Verifier names as they appear in `[verifiers]`, and how to build them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from fixloop.verifiers.base import Verifier, VerifierError
from fixloop.verifiers.cache import CachedVerifier
from fixloop.verifiers.cargo import Cargo, find_cargo
from fixloop.verifiers.eslint import INSTALL_HINT as ESLINT_HINT
from fixloop.verifiers.eslint import Eslint
from fixloop.verifiers.gcc import make_gcc, make_gxx
from fixloop.verifiers.go import Go, find_go
from fixloop.verifiers.locate import find_node_tool
from fixloop.verifiers.mypy import Mypy
from fixloop.verifiers.pyright import Pyright, find_pyright
from fixloop.verifiers.python import PythonCompile
from fixloop.verifiers.ruff import Ruff
from fixloop.verifiers.tsc import INSTALL_HINT as TSC_HINT
from fixloop.verifiers.tsc import Tsc

KNOWN: dict[str, Callable[..., Verifier]] = {
    "python": PythonCompile,
    "ruff": Ruff,
    "mypy": Mypy,
    "pyright": Pyright,
    "gcc": make_gcc,
    "g++": make_gxx,
    "tsc": Tsc,
    "eslint": Eslint,
    "cargo": Cargo,
    "go": Go,
}
# Tools that run outside the process: their verdicts are worth remembering by content.
CACHED = {"ruff", "mypy", "pyright", "gcc", "g++", "tsc", "eslint", "cargo", "go"}


def make_verifier(name: str, timeout: float | None = None) -> Verifier:
    """One verifier by name (validated by the config loader); `timeout` overrides the
    tool's own limit on one run (the in-process compile has none)."""
    factory = KNOWN[name]
    verifier = factory(timeout=timeout) if timeout is not None and name in CACHED else factory()
    return CachedVerifier(verifier) if name in CACHED else verifier


def make_verifiers(names: list[str] | tuple[str, ...]) -> tuple[Verifier, ...]:
    """Verifiers in gate order; each call builds new ones (close them with `aclose_verifier`)."""
    return tuple(make_verifier(name) for name in names)


async def aclose_verifier(verifier: Verifier) -> None:
    """Stop what a verifier keeps running (workers, language servers), if anything."""
    close = getattr(verifier, "aclose", None)
    if close is not None:
        await close()


def available(name: str, root: Path) -> bool:
    """Whether a verifier can run for this workspace without asking the user to install anything."""
    if name not in KNOWN:
        return False
    if name in ("gcc", "g++"):
        return shutil.which(name) is not None
    try:
        if name == "pyright":
            find_pyright(root)
        elif name in ("tsc", "eslint"):
            # The workspace's own copy counts: this is asked before trust is known.
            hint = TSC_HINT if name == "tsc" else ESLINT_HINT
            find_node_tool(name, root / "_", root, True, hint)
        elif name == "cargo":
            find_cargo()
        elif name == "go":
            find_go()
    except VerifierError:
        return False
    return True
