"""What a Python module defines at its top level, read from its source without running it.

The judge asks this when a candidate fixes an undefined name by something else than
the module that has it: a literal in place of `math.pi` or of the workspace's
`settings.DEBUG`, a line deleted around `isclose(a, b)` or the workspace's
`validate(x)`. Nothing is imported or executed:

- the standard library is read from typeshed's stubs (`typeshed/stdlib/*.pyi`, shipped
  inside mypy's wheel, a dependency of fixloop); without them, from the interpreter's
  own `.py` sources (modules written in C then export nothing that can be seen);
- the workspace's modules are its `.py` files (the root and `src/`, not recursively),
  read the same way.

A top-level name is one bound by an assignment, a `def`, a `class` or a re-export
(`from .path import sep as sep`), also under `if sys.version_info ...` and `try`.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from fixloop.engine.syntax import node_text, parse

# Compound statements whose blocks a stub puts top-level definitions in.
BRANCHES = {"if_statement", "elif_clause", "else_clause", "try_statement", "except_clause",
            "finally_clause", "block"}
# Workspace files read at most (a huge root is not scanned).
MAX_FILES = 200
MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Exports:
    """A module's top-level names: constants (assignments) and the rest (defs, classes,
    re-exports); `numbers` are the constants a stub annotates as a number (`pi: Final[float]`)."""

    constants: frozenset[str]
    others: frozenset[str]
    numbers: frozenset[str] = frozenset()
    stars: tuple[str, ...] = ()  # modules it re-exports whole (`from posixpath import *`)

    @property
    def names(self) -> frozenset[str]:
        return self.constants | self.others


EMPTY = Exports(frozenset(), frozenset())
# A stub's annotation of a numeric constant.
NUMERIC = re.compile(r"(Final\[)?(int|float|complex)\]?|Final")


def top_level(text: str) -> Exports:
    """The public top-level names a Python source or stub defines."""
    tree = parse(text, "python")
    if tree is None:
        return EMPTY
    constants: set[str] = set()
    others: set[str] = set()
    numbers: set[str] = set()
    stars: list[str] = []
    stack = list(reversed(tree.root_node.named_children))
    while stack:
        node = stack.pop()
        if node.type in BRANCHES:
            stack.extend(reversed(node.named_children))
            continue
        if node.type == "decorated_definition":
            node = node.child_by_field_name("definition") or node
        if node.type in ("function_definition", "class_definition"):
            name = node.child_by_field_name("name")
            if name is not None:
                others.add(node_text(name))
        elif node.type == "expression_statement":
            for child in node.named_children:
                left = child.child_by_field_name("left") if child.type == "assignment" else None
                if left is not None and left.type == "identifier":
                    constants.add(node_text(left))
                    kind = child.child_by_field_name("type")
                    if kind is not None and NUMERIC.fullmatch(node_text(kind)):
                        numbers.add(node_text(left))
        elif node.type == "import_from_statement":
            module = node.child_by_field_name("module_name")
            if module is not None and any(c.type == "wildcard_import" for c in node.named_children):
                stars.append(node_text(module))
            for child in node.named_children:
                if child.type == "aliased_import":
                    alias = child.child_by_field_name("alias")
                    if alias is not None:
                        others.add(node_text(alias))
    return Exports(_public(constants), _public(others - constants), _public(numbers), tuple(stars))


def _public(names: set[str]) -> frozenset[str]:
    return frozenset(n for n in names if not n.startswith("_"))


@functools.lru_cache(maxsize=1)
def typeshed_stdlib() -> Path | None:
    """typeshed's stdlib stubs inside mypy's wheel, found without importing mypy (None if absent)."""
    try:
        spec = importlib.util.find_spec("mypy")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    stubs = Path(spec.origin).parent / "typeshed" / "stdlib"
    return stubs if (stubs / "VERSIONS").is_file() else None


@functools.lru_cache(maxsize=1)
def _stdlib_files() -> dict[str, Path]:
    """Each public top-level stdlib module and the file that says what it has."""
    stubs = typeshed_stdlib()
    if stubs is not None:
        base, suffix = stubs, ".pyi"
    else:
        base, suffix = Path(sysconfig.get_paths()["stdlib"]), ".py"
    out: dict[str, Path] = {}
    try:
        entries = sorted(base.iterdir())
    except OSError:
        return out
    for entry in entries:
        name = entry.name.removesuffix(suffix)
        if name.startswith(("_", ".")) or not name.isidentifier() or name in ("this", "antigravity"):
            continue
        if entry.is_file() and entry.suffix == suffix:
            out[name] = entry
        elif entry.is_dir() and (entry / f"__init__{suffix}").is_file():
            out[name] = entry / f"__init__{suffix}"
    return out


def _read(path: Path) -> Exports:
    try:
        if path.stat().st_size > MAX_BYTES:
            return EMPTY
        return top_level(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return EMPTY


@functools.lru_cache(maxsize=1)
def _stdlib_index() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """name -> the public stdlib modules that define it at top level, and the same for the
    numeric constants alone (read once per process: about half a second for typeshed's stubs)."""
    names: dict[str, list[str]] = {}
    numbers: dict[str, list[str]] = {}
    for module, path in _stdlib_files().items():
        found = _read(path)
        for name in found.names:
            names.setdefault(name, []).append(module)
        for name in found.numbers:
            numbers.setdefault(name, []).append(module)
    return ({n: tuple(m) for n, m in names.items()}, {n: tuple(m) for n, m in numbers.items()})


def stdlib_modules_with(name: str, numbers_only: bool = False) -> tuple[str, ...]:
    """The public stdlib modules that define `name` at top level (as a numeric constant if
    asked: `pi`, `inf`, `maxsize`; not `stack` or `cache`, a function and a dict)."""
    names, numbers = _stdlib_index()
    return (numbers if numbers_only else names).get(name, ())


def stdlib_submodule_exports(name: str) -> frozenset[str]:
    """The top-level names of the stdlib submodules called `name` (`os.path` for `path`)."""
    base = typeshed_stdlib()
    if base is None:
        return frozenset()
    out: set[str] = set()
    for package in _stdlib_files().values():
        if package.name != "__init__.pyi":
            continue
        for stub in (package.parent / f"{name}.pyi", package.parent / name / "__init__.pyi"):
            if stub.is_file():
                out |= _with_stars(stub)
    return frozenset(out)


def _with_stars(path: Path, depth: int = 2) -> frozenset[str]:
    """A stub's names and those of the stdlib modules it re-exports whole (`os.path`:
    `from posixpath import *`)."""
    found = _read_cached(str(path), _mtime(path))
    names = set(found.names)
    files = _stdlib_files()
    for module in found.stars if depth > 0 else ():
        if module in files:
            names |= _with_stars(files[module], depth - 1)
    return frozenset(names)


def module_exports(module: str, source: str | None) -> frozenset[str]:
    """The top-level names of the module `module` (its stub, else its source file if any)."""
    path = _stdlib_files().get(module)
    if path is None and source is not None:
        path = Path(source)
    return _with_stars(path) if path is not None else frozenset()


def _workspace_files(root: Path, folders: tuple[str, ...], suffixes) -> list[Path]:
    """The files of `folders` under `root` ("" is the root itself) whose suffix is one of
    `suffixes`, each folder in name order, at most MAX_FILES in all."""
    out: list[Path] = []
    for folder in folders:
        base = root / folder if folder else root
        try:
            files = sorted(p for p in base.iterdir() if p.suffix in suffixes and p.is_file())
        except OSError:
            continue
        out.extend(files[: MAX_FILES - len(out)])
        if len(out) >= MAX_FILES:
            break
    return out


def workspace_modules_with(name: str, root: Path | None, skip: Path | None = None) -> tuple[str, ...]:
    """The workspace's modules (`.py` files in the root and `src/`) that define `name`."""
    if root is None:
        return ()
    return tuple(
        path.stem for path in _workspace_files(root, ("", "src"), {".py"})
        if not path.name.startswith(".")  # not a module name (a glob of `*.py` never saw it)
        and not (skip is not None and path.resolve() == skip.resolve())
        and name in _read_cached(str(path), _mtime(path)).names
    )


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


@functools.lru_cache(maxsize=512)
def _read_cached(path: str, mtime: float) -> Exports:
    return _read(Path(path))


# C and C++ files of the workspace whose declarations a fix of an undefined name may include.
C_SUFFIXES = {".h": "c", ".hh": "cpp", ".hpp": "cpp", ".hxx": "cpp", ".c": "c", ".cc": "cpp",
              ".cpp": "cpp", ".cxx": "cpp"}
C_FOLDERS = ("", "include", "src", "inc")


def c_workspace_declaring(name: str, root: Path | None) -> tuple[str, ...]:
    """The workspace's C and C++ files (the root, include/, inc/, src/) that declare or define
    `name` (a function, a variable, a macro or a type), read with tree-sitter."""
    if root is None:
        return ()
    return tuple(
        str(path.relative_to(root)) for path in _workspace_files(root, C_FOLDERS, C_SUFFIXES)
        if name in _c_declared(str(path), _mtime(path))
    )


@functools.lru_cache(maxsize=512)
def _c_declared(path: str, mtime: float) -> frozenset[str]:
    """The names a C or C++ file declares: declarators' names, macros, types (not its calls)."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_BYTES:
            return frozenset()
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    tree = parse(text, C_SUFFIXES[file.suffix] if file.suffix != ".h" else "cpp")
    if tree is None:
        return frozenset()
    out: set[str] = set()
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in ("parameter_list", "compound_statement"):
            continue  # parameters and locals are no declarations of the file
        if node.type in ("function_declarator", "init_declarator", "declaration", "field_declaration",
                         "array_declarator", "pointer_declarator", "reference_declarator"):
            inner = node.child_by_field_name("declarator")
            if inner is not None and inner.type in ("identifier", "field_identifier"):
                out.add(node_text(inner))
        elif node.type in ("preproc_def", "preproc_function_def", "struct_specifier",
                           "class_specifier", "enum_specifier", "type_definition", "enumerator"):
            named = node.child_by_field_name("name") or node.child_by_field_name("declarator")
            if named is not None:
                out.add(node_text(named))
        stack.extend(node.named_children)
    return frozenset(out)
