"""Verifier names as they appear in `[verifiers]`, and how to build them."""

from __future__ import annotations

from collections.abc import Callable

from fixloop.verifiers.base import Verifier
from fixloop.verifiers.python import PythonCompile
from fixloop.verifiers.ruff import Ruff

KNOWN: dict[str, Callable[[], Verifier]] = {
    "python": PythonCompile,
    "ruff": Ruff,
}


def make_verifiers(names: list[str] | tuple[str, ...]) -> tuple[Verifier, ...]:
    """Verifiers in gate order; names are validated by the config loader."""
    return tuple(KNOWN[name]() for name in names)
