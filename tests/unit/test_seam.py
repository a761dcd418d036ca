"""The seam between the language server and the engine (fixloop.engine.seam): frozen values
only, and the language server reaching the engine through it alone."""

from __future__ import annotations

import ast
import dataclasses
import typing
from pathlib import Path

import pytest

import fixloop.lsp
from fixloop.engine import seam

LSP = Path(fixloop.lsp.__file__).parent
# What lsp/ may import of the engine: the seam, and the engine's side of it (to make it).
ALLOWED = {"fixloop.engine.seam", "fixloop.engine.service"}


def engine_imports(path: Path) -> set[str]:
    """The modules of fixloop.engine a file imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("fixloop.engine")}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("fixloop.engine"):
                found.add(node.module)
            elif node.module == "fixloop" and any(a.name == "engine" for a in node.names):
                found.add("fixloop.engine")
    return found


@pytest.mark.parametrize("path", sorted(LSP.glob("*.py")), ids=lambda p: p.name)
def test_the_language_server_touches_the_engine_only_through_the_seam(path):
    assert engine_imports(path) <= ALLOWED


def test_every_command_event_and_answer_is_a_frozen_dataclass():
    for union in (seam.Command, seam.Event, seam.Answer):
        for kind in typing.get_args(union):
            if kind is bool or kind is type(None):
                continue
            assert dataclasses.is_dataclass(kind), kind
            assert kind.__dataclass_params__.frozen, kind


def test_the_seam_names_everything_it_offers():
    defined = {
        name
        for name, value in vars(seam).items()
        if getattr(value, "__module__", None) == seam.__name__ and isinstance(value, type)
    }
    unions = {"Command", "Event", "Answer"}
    assert defined | unions <= set(seam.__all__)
    assert all(hasattr(seam, name) for name in seam.__all__)
