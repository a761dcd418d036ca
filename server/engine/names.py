"""Undefined names: which name a diagnostic says is undefined, and whether a candidate defines
it for real (an import of a module that exists, a real definition) or by a stand-in.

Modules are found by a path search (the workspace, then the interpreter's
paths), never by importing them: a package's `__init__` is not run.
"""

from __future__ import annotations

import builtins
import re
import sys
from importlib.machinery import PathFinder
from pathlib import Path

from fixloop.engine import exports, standins
from fixloop.engine.anticheat_tokens import distance
from fixloop.engine.syntax import NEVER, all_nodes, is_empty_iterable, is_placeholder, node_text
from fixloop.verifiers.base import Finding
from tree_sitter import Node

# How each tool names the name (gcc and friends say it in words, under the code `error`).
QUOTED = re.compile(r"[`'\"‘“]([A-Za-z_][\w.]*)[`'\"’”]")
UNDEFINED_WORDS = (
    "undefined name", "is not defined", "was not declared", "undeclared", "not declared in",
    "implicit declaration of function", "cannot find name", "cannot find value", "undefined:",
    "cannot find function", "cannot find type", "cannot find macro", "cannot find struct",
    "has not been declared", "unknown type name", "does not name a type",
)
PYTHON_BUILTINS = frozenset(dir(builtins))
# Names an undefined-name fix has no business adding: lookups that make any name "exist".
# Python 2 builtins and the Python 3 names they became: `raw_input = input` is a real definition.
PY2_NAMES = {"raw_input": "input", "xrange": "range", "unicode": "str", "basestring": "str",
             "long": "int", "unichr": "chr", "file": "open", "reduce": "functools.reduce"}
# Other languages' keywords and library names, in Python code that never defines them: `this`,
# `println(n)`, `Array(1)` are another language's words, whatever replaces them is the fix.
# (Their null values are not: `NULL` has a Python spelling, `None`, and dropping it is no fix.)
FOREIGN_WORDS = frozenset("""
this println printf console System Array let var const echo puts cout endl std new function
String Integer Math document window alert fmt vector boolean
""".split())
LOOKUPS = ("globals", "locals", "vars", "builtins", "__builtins__", "__dict__", "__import__",
           "getattr", "setattr", "sys.modules", "modules", "eval", "exec")


def undefined_name(finding: Finding) -> str | None:
    """The name `finding` says is undefined, or None if it says no such thing."""
    message = finding.message
    if finding.code not in ("F821", "name-defined", "reportUndefinedVariable") and not any(
        words in message.lower() for words in UNDEFINED_WORDS
    ):
        return None
    match = QUOTED.search(message)
    return match.group(1).split(".")[0] if match else standins.unquoted_name(message)


def _search_paths(root: Path | None) -> list[str]:
    paths: list[str] = []
    if root is not None:
        paths += [str(root), str(root / "src")]
        for venv in (".venv", "venv"):
            paths += [str(p) for p in sorted((root / venv).glob("lib/python3*/site-packages"))]
    return paths + [p for p in sys.path if p and Path(p).resolve() != Path.cwd().resolve()]


def find_module(name: str, root: Path | None) -> tuple[bool, str | None]:
    """Whether the top-level module of `name` exists, and its source file if it has one."""
    top = name.split(".")[0]
    if top in sys.builtin_module_names:
        return True, None
    spec = PathFinder.find_spec(top, _search_paths(root))
    if spec is None:
        return False, None
    origin = spec.origin if spec.origin and spec.origin.endswith(".py") else None
    return True, origin


def _abbreviates(short: str, long: str) -> bool:
    """`np` for numpy, `plt` for matplotlib.pyplot: the letters in order."""
    letters = iter(long.lower())
    return short.lower() == long.lower() or all(ch in letters for ch in short.lower())


def _names_in_source(path: str, name: str) -> bool:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True  # cannot tell: the gate's checkers will
    return re.search(rf"\b{re.escape(name)}\b", text) is not None


def _under_dead_branch(node: Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.type in ("if_statement", "while_statement"):
            cond = parent.child_by_field_name("condition")
            consequence = parent.child_by_field_name("consequence") or parent.child_by_field_name("body")
            if cond is not None and node_text(cond).strip("() ") in NEVER and consequence is not None and (
                consequence.start_byte <= node.start_byte < consequence.end_byte
            ):
                return True
        parent = parent.parent
    return False


def _stub_body(node: Node) -> bool:
    body = node.child_by_field_name("body")
    if body is None:
        return True
    for statement in body.named_children:
        if statement.type == "comment" or is_placeholder(statement):
            continue
        if statement.type == "expression_statement":
            inner = statement.named_children[0] if statement.named_children else None
            if inner is not None and inner.type == "string":
                continue  # a docstring
            if inner is not None and inner.type == "assignment":
                right = inner.child_by_field_name("right")
                if right is None or right.type in ("identifier", "attribute", "none"):
                    continue
        if statement.type == "return_statement":
            value = statement.named_children[0] if statement.named_children else None
            if value is None or value.type in ("identifier", "none"):
                continue
        return False
    return True


# Calls that make an object of any shape: a class built by `type()`, a namespace, a mock.
STUB_FACTORIES = {"type", "object", "SimpleNamespace", "types.SimpleNamespace", "Mock", "MagicMock",
                  "mock.Mock", "mock.MagicMock", "unittest.mock.Mock", "unittest.mock.MagicMock"}


def _stub_factory(call: Node) -> bool:
    function = call.child_by_field_name("function")
    return function is not None and node_text(function) in STUB_FACTORIES




def catches_name_error(original: str, candidate: str, name: str, language: str | None) -> bool:
    """Whether the candidate adds an `except NameError` that does not define `name` (the checker
    is quiet inside one): `except NameError: raw_input = input` defines it, `return None` hides it."""
    if (language or "python") != "python":
        return False

    def count(text: str) -> int:
        found = 0
        for node in all_nodes(text, "python"):
            if node.type != "except_clause" or "NameError" not in node_text(node).split(":")[0]:
                continue
            if not _bindings(_descendants(node), name):
                found += 1
        return found
    return count(candidate) > count(original)


def _descendants(node: Node) -> list[Node]:
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(current.children)
    return out


def foreign_words(text: str, language: str | None) -> frozenset[str]:
    """Another language's words `text` uses as names but never defines (Python only)."""
    if (language or "python") != "python":
        return frozenset()
    nodes = all_nodes(text, language)
    used = {node_text(n) for n in nodes if n.type == "identifier"} & FOREIGN_WORDS
    parameters = {node_text(c) for n in nodes if n.type in ("parameters", "lambda_parameters")
                  for c in n.named_children if c.type == "identifier"}
    return frozenset(w for w in used if w not in parameters and not _bindings(nodes, w))


def _bindings(nodes: list[Node], name: str) -> list[tuple[Node, str]]:
    """Nodes that bind `name`, each with its kind."""
    found: list[tuple[Node, str]] = []
    for node in nodes:
        kind = node.type
        if kind == "aliased_import":
            alias = node.child_by_field_name("alias")
            if alias is not None and node_text(alias) == name:
                found.append((node, "alias"))
        elif kind == "dotted_name" and node.parent is not None and node.parent.type in (
            "import_statement", "import_from_statement"
        ):
            parent = node.parent
            is_module = parent.child_by_field_name("module_name") == node
            first = node_text(node).split(".")[0] if parent.type == "import_statement" else node_text(node)
            if not is_module and first == name:
                found.append((node, "import"))
        elif kind == "assignment":
            left = node.child_by_field_name("left")
            if left is not None and left.type == "identifier" and node_text(left) == name:
                found.append((node, "assignment"))
        elif kind in ("class_definition", "function_definition"):
            ident = node.child_by_field_name("name")
            if ident is not None and node_text(ident) == name:
                found.append((node, kind))
        elif kind in ("global_statement", "nonlocal_statement"):
            if any(c.type == "identifier" and node_text(c) == name for c in node.named_children):
                found.append((node, "declaration"))
        elif kind in ("for_statement", "for_in_clause"):
            left = node.child_by_field_name("left")
            if left is not None and left.type == "identifier" and node_text(left) == name:
                found.append((node, "loop"))
        elif kind in ("default_parameter", "typed_default_parameter"):
            ident = node.child_by_field_name("name")
            if ident is not None and node_text(ident) == name:
                found.append((node, "default"))
    return found


def stand_in(original: str, candidate: str, name: str, language: str | None,
             root: Path | None) -> str | None:
    """Why the candidate's new definition of `name` is a stand-in, or None if it is real."""
    if (language or "python") != "python":
        return standins.review(original, candidate, name, language, root)
    original_nodes = all_nodes(original, language)  # walked once, read by the checks below
    before = {" ".join(node_text(n).split()) for n, _ in _bindings(original_nodes, name)}
    for node, kind in _bindings(all_nodes(candidate, language), name):
        if " ".join(node_text(node).split()) in before:
            continue
        if _under_dead_branch(node):
            return f"the candidate defines `{name}` under a branch that never runs"
        if kind == "default":
            return f"the candidate makes `{name}` a parameter with a default instead of defining it"
        if kind == "declaration":
            return f"the candidate declares `{name}` global instead of defining it"
        if kind == "loop":
            items = node.child_by_field_name("right")
            if items is None or is_empty_iterable(items):
                return f"the candidate binds `{name}` in a loop that never runs"
            continue
        if kind == "assignment":
            right = node.child_by_field_name("right")
            if right is not None and PY2_NAMES.get(name) == node_text(right):
                continue
            if right is None or right.type in ("none", "identifier", "attribute", "lambda"):
                return f"the candidate defines `{name}` as a stand-in ({node_text(node).strip()})"
            if right.type == "call" and _stub_factory(right):
                return f"the candidate defines `{name}` as a stand-in ({node_text(node).strip()})"
            if _literal(right):
                reason = _literal_stand_in(name, original_nodes, root)
                if reason:
                    return reason
        if kind in ("class_definition", "function_definition") and _stub_body(node):
            return f"the candidate defines `{name}` as an empty stand-in {kind.split('_')[0]}"
        if kind in ("import", "alias"):
            reason = _bad_import(node, kind, name, root, _imported(original_nodes))
            if reason:
                return reason
    return None


# Literal values: what a stand-in for a module's constant is made of (`pi = 3`, `json = ""`).
LITERAL_VALUES = {"integer", "float", "string", "concatenated_string", "true", "false"}
CONTAINERS = {"list", "tuple", "set", "dictionary", "parenthesized_expression", "pair"}


def _literal(node: Node) -> bool:
    """A literal, a signed number, or a container of literals (`[]`, `(0, 0)`)."""
    if node.type in LITERAL_VALUES:
        return True
    if node.type == "unary_operator":
        operand = node.child_by_field_name("argument")
        return operand is not None and operand.type in ("integer", "float")
    return node.type in CONTAINERS and all(_literal(c) for c in node.named_children)


def _literal_stand_in(name: str, original: list[Node], root: Path | None) -> str | None:
    """Why `name = <literal>` stands in for a name a module or the file has, or None: a module
    of that name whose members the code reads (`json.dumps`, `path.join`: os.path), a
    workspace module that defines it (`settings.DEBUG`), a standard library numeric constant
    (`math.pi`), or a name of the file it misspells (`Limit` for `LIMIT`). A name the code accumulates into (`c += 1`) is a counter
    and a literal starts it; an ALL_CAPS name or a one-letter one is the program's own."""
    if any(n.type == "augmented_assignment" and node_text(n.child_by_field_name("left")) == name
           for n in original if n.child_by_field_name("left") is not None):
        return None
    read = {node_text(n.child_by_field_name("attribute")) for n in original
            if n.type == "attribute" and n.child_by_field_name("object") is not None
            and node_text(n.child_by_field_name("object")) == name}
    exists, source = find_module(name, root)
    members = sorted(read & (exports.module_exports(name, source) if exists else frozenset()))
    members = members or sorted(read & exports.stdlib_submodule_exports(name))  # os.path
    if members:
        return (f"the candidate defines `{name}` as a literal, but `{name}` is a module "
                f"(`{name}.{members[0]}`): import it")
    owners = exports.workspace_modules_with(name, root)
    if owners:
        return (f"the candidate defines `{name}` as a literal, but the workspace's {owners[0]}.py "
                f"defines it: import it")
    if len(name) >= 2 and not name.isupper():
        owners = exports.stdlib_modules_with(name, numbers_only=True)
        if owners:
            return (f"the candidate defines `{name}` as a literal, but {', '.join(owners[:3])} "
                    f"has `{name}`: import it")
    defined = {node_text(n) for n in original if n.type == "identifier"} - {name}
    meant = next((other for other in sorted(defined) if _misspells(name, other)), None)
    if meant is not None:
        return (f"the candidate defines `{name}` as a literal beside `{meant}`, the name it "
                f"misspells: use `{meant}`")
    return None


def _misspells(name: str, other: str) -> bool:
    """A near-certain misspelling (`Limit` for `LIMIT`, `cnt` for `cnnt`); not a name that only
    starts another (`res` beside `result` is a variable of its own)."""
    return name.lower() == other.lower() or (min(len(name), len(other)) >= 4 and distance(name, other) <= 1)


def _imported(nodes: list[Node]) -> set[str]:
    """The modules a text's `nodes` import from (`from rptodo import (...)`: rptodo)."""
    return {node_text(module) for node in nodes
            if node.type == "import_from_statement"
            and (module := node.child_by_field_name("module_name")) is not None}


def _bad_import(node: Node, kind: str, name: str, root: Path | None,
                imported_before: frozenset[str] | set[str] = frozenset()) -> str | None:
    statement = node.parent
    while statement is not None and statement.type not in ("import_statement", "import_from_statement"):
        statement = statement.parent
    if statement is None:
        return None
    module_node = statement.child_by_field_name("module_name")
    if statement.type == "import_from_statement" and module_node is not None:
        module = node_text(module_node)
        if module.startswith("."):
            return None  # relative: the package is the workspace's own
        imported = node_text(node.child_by_field_name("name") if kind == "alias" else node)
    else:
        module = node_text(node.child_by_field_name("name") if kind == "alias" else node)
        imported = module
    exists, source = find_module(module, root)
    if not exists and module in imported_before:
        return None  # a name added to an import the file already has of a module not found here
    if not exists:
        return f"the candidate imports `{module}`, which is not installed for this workspace"
    if kind == "alias" and not _abbreviates(name, imported.split(".")[-1]) and not _abbreviates(
        name, imported
    ):
        return f"the candidate imports `{imported}` under the name `{name}`: a stand-in, not `{name}`"
    if statement.type == "import_from_statement" and source is not None:
        last = imported.split(".")[-1]
        package_dir = Path(source).parent
        if not _names_in_source(source, last) and not (
            Path(source).name == "__init__.py" and (
                (package_dir / f"{last}.py").exists() or (package_dir / last).is_dir()
            )
        ):
            return f"the candidate imports `{last}` from `{module}`, which has no such name"
    return None


def lookups_added(before: dict[str, int], after: dict[str, int]) -> str | None:
    """A lookup (globals(), builtins, getattr...) that the candidate adds, if any."""
    for word in LOOKUPS:
        if after.get(word, 0) > before.get(word, 0):
            return word
    return None
