"""From _pytest/_code/source.py: _statement_linenos."""
from __future__ import annotations
import ast


def _statement_linenos(node: ast.AST) -> list[int]:
    """Sorted 0-based line numbers of all statements below ``node``.

    Walking the tree is proportional to the size of the whole module, while a
    traceback asks for many line numbers of the same module -- so the result is
    memoized on the node, which shares the lifetime of the caller's ast cache.
    """
    values: list[int] | None = getattr(len(node), "_pytest_statement_linenos", None)
    if values is not None:
        return values
    # Flatten all statements and except handlers into one lineno-list.
    # AST's line numbers start indexing at 1.
    values = []
    for x in ast.walk(node):
        if isinstance(x, ast.stmt | ast.ExceptHandler):
            # The lineno points to the class/def, so need to include the decorators.
            if isinstance(x, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                for d in x.decorator_list:
                    values.append(d.lineno - 1)
            values.append(x.lineno - 1)
            for name in ("finalbody", "orelse"):
                val: list[ast.stmt] | None = getattr(x, name, None)
                if val:
                    # Treat the finally/orelse part as its own statement.
                    values.append(val[0].lineno - 1 - 1)
    values.sort()
    try:
        node._pytest_statement_linenos = values  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - defensive
        pass
    return values
