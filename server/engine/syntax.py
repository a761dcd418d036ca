"""Syntax trees for the judge: what of a text runs as code, read from a tree-sitter parse.

Pure functions over one parse. The grammars are the official tree-sitter
wheels; a text in a language without one is read with the Python grammar's
rules switched off (`parse` returns None and callers fall back to lines).

    facts(text, "python").idents[line]   # identifiers and literals that run, per line
    facts(text, "python").statements     # statements that run and do something
"""

from __future__ import annotations

import functools
import importlib
import keyword
import re
from collections import Counter
from dataclasses import dataclass, field

from fixloop.text.lines import lines_of
from tree_sitter import Language, Node, Parser, Tree

GRAMMARS = {
    "python": ("tree_sitter_python", "language"),
    "c": ("tree_sitter_c", "language"),
    "cpp": ("tree_sitter_cpp", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "rust": ("tree_sitter_rust", "language"),
    "go": ("tree_sitter_go", "language"),
}
COMMENTS = {"comment", "line_comment", "block_comment"}
STRINGS = {
    "string", "string_literal", "raw_string_literal", "char_literal", "template_string",
    "interpreted_string_literal", "system_lib_string", "concatenated_string", "rune_literal",
}
# Code inside a string that still runs (f-string fields, template substitutions).
STRING_CODE = {"interpolation", "template_substitution"}
LITERALS = {
    "integer", "float", "number_literal", "number", "int_literal", "float_literal",
    "integer_literal", "true", "false", "none", "null", "nullptr", "nil", "undefined",
}
# Words that name nothing that runs: a dead branch's condition.
NEVER = {"False", "0", "None", "TYPE_CHECKING", "typing.TYPE_CHECKING", "false", "0L", "0u", '""', "''"}
# Rust attributes that compile the next item out.
CFG_NEVER = {"#[cfg(any())]", "#[cfg(all(any()))]", "#[cfg(FALSE)]", "#[cfg(false)]"}
EXITS = {"return_statement", "raise_statement", "continue_statement", "break_statement",
         "throw_statement", "goto_statement"}
NOT_STATEMENTS = {"compound_statement", "block", "declaration_list", "field_declaration_list",
                  "statement_block", "ERROR", "empty_statement"}
# Keywords a broken parse may show as identifiers (`return` swallowed by an unclosed call).
PY_KEYWORDS = frozenset(keyword.kwlist)
C_KEYWORDS = frozenset({
    "return", "if", "else", "for", "while", "do", "switch", "case", "break", "continue", "goto",
    "int", "char", "void", "long", "short", "unsigned", "signed", "float", "double", "auto",
    "struct", "union", "enum", "typedef", "static", "const", "sizeof", "new", "delete", "class",
    "public", "private", "protected", "template", "typename", "namespace", "using", "virtual",
    "fn", "let", "mut", "func", "var", "function",
})
PLACEHOLDERS = {"pass", "...", "return", "return None", "return;", "raise NotImplementedError",
                "raise NotImplementedError()", ";", "pass;"}


@functools.cache
def _parser(language: str) -> Parser | None:
    spec = GRAMMARS.get(language)
    if spec is None:
        return None
    try:
        module = importlib.import_module(spec[0])
    except ImportError:
        return None
    return Parser(Language(getattr(module, spec[1])()))


def parse(text: str, language: str | None) -> Tree | None:
    """The tree of `text` (error-tolerant), or None when fixloop has no grammar for it."""
    parser = _parser(language or "python")
    return parser.parse(text.encode("utf-8")) if parser is not None else None


def node_text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def is_statement(node: Node) -> bool:
    kind = node.type
    if kind in NOT_STATEMENTS:
        return False
    if node.parent is not None and node.parent.type == "condition_clause":
        return False  # C++'s `if (T x = ...)`, or `if (h && r = 1)` read as one: a condition
    return kind.endswith(("_statement", "_definition", "_declaration", "_item")) or kind in (
        "declaration", "preproc_include", "preproc_def", "preproc_function_def", "decorated_definition",
    )


def is_placeholder(node: Node) -> bool:
    """A statement that does nothing: `pass`, `...`, a bare `return`, a bare string."""
    if node.type == "expression_statement" and node.named_child_count == 1 and (
        node.named_children[0].type in STRINGS
    ):
        return True
    if node.end_byte - node.start_byte > 32:
        return False  # longer than any placeholder
    return " ".join(node_text(node).split()) in PLACEHOLDERS


def _condition(node: Node) -> str | None:
    cond = node.child_by_field_name("condition")
    if cond is None:
        return None
    text = node_text(cond).strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text


EMPTY_ITERABLES = ("()", "[]", "{}", '""', "''", "range(0)", "set()", "tuple()", "list()", "dict()")


def is_empty_iterable(node: Node) -> bool:
    """An iterable literal with nothing in it (`()`, `[]`, `{}`, `""`, `range(0)`)."""
    return "".join(node_text(node).split()) in EMPTY_ITERABLES


def dead_children(node: Node) -> list[Node]:
    """The children of `node` that never run (`if False:`, `#if 0`, `while 0`, code after a
    return, the body of a loop over nothing)."""
    kind = node.type
    if kind == "for_statement" and (items := node.child_by_field_name("right")) is not None and (
        is_empty_iterable(items)
    ):
        body = node.child_by_field_name("body")
        return [body] if body is not None else []
    if kind in ("if_statement", "if_expression", "while_statement", "while_expression", "preproc_if") and (
        _condition(node) in NEVER
    ):
        keep = {"else_clause", "elif_clause", "preproc_else", "preproc_elif", "preproc_elifdef"}
        return [
            child for index, child in enumerate(node.children)
            if child.is_named and child.type not in keep
            and node.field_name_for_child(index) not in ("condition", "alternative")
        ]
    if kind in ("block", "compound_statement", "statement_block", "statement_list", "source_file",
                "declaration_list"):
        dead: list[Node] = []
        exited = cfg_off = False
        for child in node.named_children:
            if child.type == "attribute_item":
                cfg_off = cfg_off or " ".join(node_text(child).split()) in CFG_NEVER
                continue
            if cfg_off and child.type not in COMMENTS:
                dead.append(child)  # Rust `#[cfg(any())]`: the item is compiled out
                cfg_off = False
            if exited and is_statement(child) and child.type not in ("function_definition",):
                dead.append(child)
            if child.type in EXITS:
                exited = True
        return dead
    return []


# Statements that import (a row inside one, even a continuation line, is an import's).
IMPORT_KINDS = frozenset({"import_statement", "import_from_statement", "future_import_statement"})


@dataclass(frozen=True, slots=True)
class Facts:
    """What of one text runs as code."""

    idents: dict[int, list[str]] = field(default_factory=dict)  # line -> live names and literals
    statements: int = 0  # live statements that do something
    kinds: dict[int, list[str]] = field(default_factory=dict)  # line -> statements starting there
    comment_lines: frozenset[int] = frozenset()  # lines holding only comments
    import_rows: frozenset[int] = frozenset()  # every line of an import (`from x import (\n a,\n)`)
    comments: tuple[str, ...] = ()
    # line -> the byte ranges [start, end) of its comments (end -1: to the end of the line)
    comment_spans: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    errors: tuple[tuple[int, int], ...] = ()  # lines of ERROR and MISSING nodes
    has_error: bool = False

    def names(self) -> Counter[str]:
        return Counter(name for names in self.idents.values() for name in names)

    def names_in(self, lines: range) -> Counter[str]:
        return Counter(name for line in lines for name in self.idents.get(line, ()))


@functools.lru_cache(maxsize=16)
def facts(text: str, language: str | None) -> Facts | None:
    """The live code of `text`, or None without a grammar (cached: a loop judges many
    candidates against one original)."""
    tree = parse(text, language)
    if tree is None:
        return None
    keywords = PY_KEYWORDS if (language or "python") == "python" else C_KEYWORDS
    idents: dict[int, list[str]] = {}
    kinds: dict[int, list[str]] = {}
    comments: list[str] = []
    comment_rows: set[int] = set()
    comment_spans: dict[int, list[tuple[int, int]]] = {}
    code_rows: set[int] = set()
    errors: list[tuple[int, int]] = []
    import_rows: set[int] = set()
    statements = 0
    stack: list[tuple[Node, bool, bool]] = [(tree.root_node, True, False)]
    while stack:
        node, live, in_string = stack.pop()
        kind = node.type
        if kind == "ERROR" or node.is_missing:
            errors.append((node.start_point[0], node.end_point[0]))
        if kind in COMMENTS:
            comments.append(node_text(node))
            (first, start), (last, end) = node.start_point, node.end_point
            for row in range(first, last + 1):
                comment_spans.setdefault(row, []).append(
                    (start if row == first else 0, end if row == last else -1))
            comment_rows.update(range(node.start_point[0], node.end_point[0] + 1))
            continue
        if in_string and kind not in STRING_CODE and node.child_count == 0:
            continue
        if kind in STRINGS and live and not in_string and _is_module_string(node):
            # `require('fs')`, `from 'fs'`: names the module as Python's `import fs` does
            code_rows.add(node.start_point[0])
            idents.setdefault(node.start_point[0], []).extend(MODULE_WORDS.findall(node_text(node)))
            continue
        if kind in STRINGS:
            code_rows.add(node.start_point[0])
            in_string = True
        elif kind in STRING_CODE:
            in_string = False
        if node.child_count == 0:
            code_rows.add(node.start_point[0])
            word = node_text(node)
            if word in keywords and kind.endswith("identifier"):
                continue
            if live and not in_string and (kind.endswith("identifier") or kind in LITERALS):
                if kind in ("integer", "number_literal") and word.isdigit():
                    word = str(int(word))  # `00` is `0`
                idents.setdefault(node.start_point[0], []).append(word)
            continue
        if live and is_statement(node) and not is_placeholder(node):
            statements += 1
            kinds.setdefault(node.start_point[0], []).append(
                "import_statement" if _is_require(node) else kind)
            if kind in IMPORT_KINDS:
                import_rows.update(range(node.start_point[0], node.end_point[0] + 1))
        dead = {child.id for child in dead_children(node)} if live else set()
        for child in reversed(node.children):
            stack.append((child, live and child.id not in dead, in_string))
    return Facts(
        idents=idents,
        statements=statements,
        kinds=kinds,
        comment_lines=frozenset(comment_rows - code_rows),
        import_rows=frozenset(import_rows),
        comments=tuple(comments),
        comment_spans={row: tuple(spans) for row, spans in comment_spans.items()},
        errors=tuple(errors),
        has_error=tree.root_node.has_error,
    )


MODULE_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _is_module_string(node: Node) -> bool:
    """The module of a JavaScript `require('m')` or `import ... from 'm'`."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "import_statement":
        return parent.child_by_field_name("source") == node
    call = parent.parent
    return (parent.type == "arguments" and parent.named_child_count == 1 and call is not None
            and call.type == "call_expression" and node_text(call.child_by_field_name("function")) == "require")


def _is_require(node: Node) -> bool:
    """`const fs = require('fs');`: an import in the clothes of a declaration."""
    if node.type not in ("lexical_declaration", "variable_declaration"):
        return False
    for declarator in node.named_children:
        value = declarator.child_by_field_name("value") if declarator.type == "variable_declarator" else None
        if value is None or value.type != "call_expression" or node_text(
            value.child_by_field_name("function")
        ) != "require":
            return False
    return node.named_child_count > 0


BLOCK_ENDINGS = ("_statement", "_definition", "_clause", "_specifier", "_item", "declaration")


def enclosing_block(text: str, language: str | None, line: int,
                    kinds: tuple[str, ...] = BLOCK_ENDINGS) -> tuple[int, int] | None:
    """Lines [start, end] of the innermost multi-line statement around `line` (not the module)
    whose kind ends with one of `kinds` (`("function_definition",)`: the enclosing function)."""
    tree = parse(text, language)
    if tree is None:
        return None
    lines = lines_of(text)  # LSP's line model: a U+2028 or form feed ends no line
    if not 0 <= line < len(lines):
        return None
    width = len(lines[line].encode("utf-8"))
    indent = len(lines[line]) - len(lines[line].lstrip())
    node: Node | None = tree.root_node.descendant_for_point_range((line, indent), (line, width))
    while node is not None and node.parent is not None:
        if (
            node.type != "ERROR"
            and node.type.endswith(kinds)
            and node.type not in NOT_STATEMENTS
            and node.end_point[0] > node.start_point[0]
        ):
            return node.start_point[0], node.end_point[0]
        node = node.parent
    return None


def all_nodes(text: str, language: str | None) -> list[Node]:
    """Every node of the tree, in document order (callers filter)."""
    tree = parse(text, language)
    if tree is None:
        return []
    out: list[Node] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out


def called_at(text: str, language: str | None, line: int, column: int) -> str | None:
    """The function called with the argument at (line, column), if any (`len` in `len(f)`)."""
    tree = parse(text, language)
    if tree is None:
        return None
    node: Node | None = tree.root_node.descendant_for_point_range((line, column), (line, column))
    while node is not None and node.parent is not None:
        parent = node.parent
        if parent.type in ("call", "call_expression"):
            if parent.child_by_field_name("arguments") != node:
                return None  # the flagged token is (in) the function, not an argument
            function = parent.child_by_field_name("function")
            return node_text(function) if function is not None else None
        node = parent
    return None


def wrapping_call(text: str, language: str | None, line: int, column: int) -> str | None:
    """The function of the nearest call whose arguments hold (line, column) (`str` in
    `str(raw_input(...))` for `raw_input`)."""
    tree = parse(text, language)
    if tree is None:
        return None
    node: Node | None = tree.root_node.descendant_for_point_range((line, column), (line, column))
    while node is not None and node.parent is not None:
        parent = node.parent
        if parent.type in ("call", "call_expression") and (
            parent.child_by_field_name("arguments") == node
        ):
            function = parent.child_by_field_name("function")
            return node_text(function) if function is not None else None
        node = parent
    return None
