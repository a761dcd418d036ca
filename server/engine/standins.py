"""Stand-ins and side effects in undefined-name fixes of C, C++, JavaScript, TypeScript, Rust and Go.

An undefined name may be fixed by importing it (`#include`, `require`, `import`,
`use`), by correcting a typo, by another name in scope, or by a real definition.
`review` says why a candidate does something else instead: a declaration with no
value or a null/undefined/any one, a stub, a parameter, a lookup through a global
object, a different module or item under the name, a module that does not exist,
or a new call (a command run, a side-effect-only import) riding along with the fix.

Pure functions over tree-sitter parses; modules are looked up without running
anything (Node's builtin names, folders under node_modules, a small table of Rust
`std` items).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from fixloop.engine.syntax import all_nodes, node_text
from tree_sitter import Node

CC = frozenset({"c", "cpp"})
JS = frozenset({"javascript", "typescript"})
# go says `undefined: strings`, without quotes.
UNQUOTED = re.compile(r"\bundefined: ([A-Za-z_]\w*)")
NODE_BUILTINS = frozenset({
    "assert", "assert/strict", "async_hooks", "buffer", "child_process", "cluster", "console",
    "constants", "crypto", "dgram", "diagnostics_channel", "dns", "dns/promises", "domain", "events",
    "fs", "fs/promises", "http", "http2", "https", "inspector", "inspector/promises", "module", "net",
    "os", "path", "path/posix", "path/win32", "perf_hooks", "process", "punycode", "querystring",
    "readline", "readline/promises", "repl", "stream", "stream/consumers", "stream/promises",
    "stream/web", "string_decoder", "sys", "timers", "timers/promises", "tls", "trace_events", "tty",
    "url", "util", "util/types", "v8", "vm", "wasi", "worker_threads", "zlib", "test", "sqlite", "sea",
})
# Where Rust's standard library keeps the items a fix most often forgets to `use`.
RUST_STD = {
    "HashMap": ("std::collections::HashMap", "std::collections::hash_map::HashMap"),
    "HashSet": ("std::collections::HashSet", "std::collections::hash_set::HashSet"),
    "BTreeMap": ("std::collections::BTreeMap", "std::collections::btree_map::BTreeMap"),
    "BTreeSet": ("std::collections::BTreeSet", "std::collections::btree_set::BTreeSet"),
    "VecDeque": ("std::collections::VecDeque", "std::collections::vec_deque::VecDeque"),
    "BinaryHeap": ("std::collections::BinaryHeap", "std::collections::binary_heap::BinaryHeap"),
    "Rc": ("std::rc::Rc", "alloc::rc::Rc"), "Arc": ("std::sync::Arc", "alloc::sync::Arc"),
    "RefCell": ("std::cell::RefCell", "core::cell::RefCell"), "Cell": ("std::cell::Cell", "core::cell::Cell"),
    "Mutex": ("std::sync::Mutex",), "RwLock": ("std::sync::RwLock",),
    "File": ("std::fs::File",), "Path": ("std::path::Path",), "PathBuf": ("std::path::PathBuf",),
    "Duration": ("std::time::Duration", "core::time::Duration"), "Instant": ("std::time::Instant",),
    "Ordering": ("std::cmp::Ordering", "core::cmp::Ordering", "std::sync::atomic::Ordering"),
}
NULLS = {"null", "undefined", "nil", "NULL", "nullptr", "0", "None", "void 0"}
LITERAL_KINDS = {
    "number", "number_literal", "integer_literal", "float_literal", "int_literal", "string",
    "string_literal", "interpreted_string_literal", "raw_string_literal", "char_literal", "true",
    "false", "null", "undefined", "nil", "nullptr", "boolean_literal", "template_string",
}
GLOBAL_OBJECTS = ("globalThis", "window", "global", "self")
CALLS = {"call_expression", "new_expression"}
# Callees that run a command or code: never part of a definition's value.
RUNNERS = re.compile(r"\b(system|popen|_?exec\w*|spawn\w*|Command|eval|Function|fork|WinExec|ShellExecute\w*)\b")
BLANK = re.compile(r"[^A-Za-z]")


def unquoted_name(message: str) -> str | None:
    """The name a message says is undefined when it does not quote it (go's `undefined: x`)."""
    match = UNQUOTED.search(message)
    return match.group(1) if match else None


def review(original: str, candidate: str, name: str, language: str, root: Path | None) -> str | None:
    """Why the candidate's fix of the undefined `name` is a stand-in or brings more, or None."""
    before_nodes, after_nodes = all_nodes(original, language), all_nodes(candidate, language)
    if not after_nodes:
        return None
    before = Counter(_key(n) for n in before_nodes if n.is_named)
    for node in after_nodes:
        if not node.is_named or before[_key(node)] > 0:
            continue
        reason = _judge(node, name, language, root)
        if reason:
            return reason
    return _new_calls(before_nodes, after_nodes, name, language)


def _key(node: Node) -> tuple[str, str]:
    return node.type, " ".join(node_text(node).split())


def _name_of(node: Node | None) -> str:
    return node_text(node) if node is not None else ""


def _judge(node: Node, name: str, language: str, root: Path | None) -> str | None:
    if language in CC:
        return _c(node, name, language)
    if language in JS:
        return _js(node, name, root)
    if language == "rust":
        return _rust(node, name)
    if language == "go":
        return _go(node, name)
    return None


def _abbreviates(short: str, long: str) -> bool:
    """`cp` for child_process, `rfs` for readFileSync: the letters in order."""
    letters = iter(long.lower())
    return short.lower() == long.lower() or all(ch in letters for ch in short.lower())


def _stub_value(node: Node | None) -> bool:
    """A value that is no value: nothing, null/undefined/nil, a literal (what a stub returns)."""
    if node is None:
        return True
    text = " ".join(node_text(node).split())
    return text in NULLS or node.type in LITERAL_KINDS or text in ("{}", "[]")


def _no_value(node: Node | None) -> bool:
    """A declared value that is no value: nothing, null/undefined/nil, a zero or empty literal.

    A literal that says something (`1e-12`, `100`, `"config.json"`) defines a constant
    for real, as `EPSILON = 1e-12` does in Python.
    """
    if node is None or not _stub_value(node):
        return node is None
    text = " ".join(node_text(node).split())
    return node.type not in LITERAL_KINDS or _zero(text) or node.type in (
        "true", "false", "boolean_literal", "null", "undefined", "nil", "nullptr")


def _zero(text: str) -> bool:
    """`0`, `0.0`, `0ul`, `''`, `""`, `false`: the literal a stand-in is made of."""
    body = text.strip("'\"`")
    if not body or text in ("false", "False", "true", "True"):
        return True
    digits = body.lower().rstrip("ulfd")
    try:
        return float(digits) == 0.0
    except ValueError:
        return False


def _stub_body(body: Node | None) -> bool:
    """A body that does nothing but return nothing or a literal."""
    if body is None:
        return True
    for statement in body.named_children:
        if statement.type in ("comment", "line_comment", "block_comment", "statement_list"):
            if statement.type == "statement_list" and not _stub_body(statement):
                return False
            continue
        if statement.type in ("return_statement", "expression_statement") or statement.type in LITERAL_KINDS:
            values = [c for c in statement.named_children if c.type not in ("expression_list",)]
            values += [v for c in statement.named_children if c.type == "expression_list"
                       for v in c.named_children]
            if statement.type in LITERAL_KINDS or all(_stub_value(v) for v in values):
                continue
        return False
    return True


def _parameter(node: Node, name: str) -> str | None:
    return f"the candidate makes `{name}` a parameter instead of defining it"


# --- C and C++ ---

def _declared(node: Node) -> str:
    """The name a C declarator declares (`*p`, `a[3]`, `f(void)` -> p, a, f)."""
    while node is not None and node.type not in ("identifier", "field_identifier"):
        inner = node.child_by_field_name("declarator")
        if inner is None:
            return ""
        node = inner
    return _name_of(node)


def _c(node: Node, name: str, language: str) -> str | None:
    kind = node.type
    if kind in ("preproc_def", "preproc_function_def") and _name_of(node.child_by_field_name("name")) == name:
        value = node.child_by_field_name("value")
        if value is None or " ".join(node_text(value).split()).strip("()") in NULLS or (
            re.fullmatch(r"[-+]?[\w.'\"]*", node_text(value).strip()) and not re.search(
                r"[A-Za-z_]\w*\s*\(", node_text(value))
        ):
            return f"the candidate defines `{name}` as a macro of a constant instead of the real name"
    if kind == "declaration":
        words = {node_text(c) for c in node.children if c.type == "storage_class_specifier"}
        for declarator in node.children_by_field_name("declarator"):
            if _declared(declarator) != name:
                continue
            if "extern" in words:
                return f"the candidate declares `{name}` extern: a declaration that defines nothing"
            if declarator.type == "function_declarator":
                if (language == "c" or _prototype(declarator)) and not _defined_below(node, name):
                    return f"the candidate declares `{name}` without defining it"
                continue  # C++: `T x(args)` may construct; the compiler judges
            if declarator.type != "init_declarator" or _no_value(declarator.child_by_field_name("value")):
                return f"the candidate declares `{name}` with no real value: a stand-in"
    if kind == "function_definition" and _declared(node.child_by_field_name("declarator")) == name and (
        _stub_body(node.child_by_field_name("body"))
    ):
        return f"the candidate defines `{name}` as an empty stand-in function"
    if kind == "parameter_declaration" and _declared(node.child_by_field_name("declarator")) == name:
        return _parameter(node, name)
    return None


# --- JavaScript and TypeScript ---

def _module_exists(module: str, root: Path | None) -> bool:
    if module.startswith((".", "/")) or root is None:
        return True  # the workspace's own file, or nowhere to look: the tools judge
    bare = module.removeprefix("node:")
    if bare in NODE_BUILTINS or bare.split("/")[0] in NODE_BUILTINS:
        return True
    parts = bare.split("/")
    package = "/".join(parts[:2]) if bare.startswith("@") else parts[0]
    if (root / "node_modules" / package).is_dir() or (root / "node_modules" / "@types" / package).is_dir():
        return True
    try:
        manifest = json.loads((root / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    listed = {key for field in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
              for key in (manifest.get(field) or {})}
    return package in listed


def _module_reason(module: str, bound: str, name: str, root: Path | None) -> str | None:
    """Why importing `module` whole under `bound` (= `name`) is not the name's module."""
    if not _module_exists(module, root):
        return f"the candidate imports `{name}` from `{module}`, a module that does not exist"
    if module.startswith((".", "/")) or not BLANK.sub("", bound):
        return None
    base = module.removeprefix("node:").split("/")[-1] if not module.startswith("@") else module.split("/")[-1]
    if _abbreviates(bound, base) or _abbreviates(bound, module.replace("/", "")) or _abbreviates(base, bound):
        return None
    return f"the candidate binds `{name}` to the module `{module}`, which is not `{name}`"


def _string(node: Node | None) -> str | None:
    if node is None or node.type not in ("string", "template_string"):
        return None
    return node_text(node)[1:-1]


def _required(value: Node | None) -> str | None:
    """The module of `require('m')`, or None if `value` is no such call."""
    if value is None or value.type != "call_expression":
        return None
    function, arguments = value.child_by_field_name("function"), value.child_by_field_name("arguments")
    if _name_of(function) != "require" or arguments is None or arguments.named_child_count != 1:
        return None
    return _string(arguments.named_children[0])


def _renamed(imported: str, local: str, name: str, module: str) -> str | None:
    if local == name and imported not in (name, "default") and not _abbreviates(name, imported):
        return f"the candidate imports `{imported}` from `{module}` under the name `{name}`"
    return None


def _js(node: Node, name: str, root: Path | None) -> str | None:
    kind = node.type
    if kind == "variable_declarator":
        target, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        module = _required(value)
        if target is not None and target.type == "identifier" and node_text(target) == name:
            if module is not None:
                return _module_reason(module, name, name, root)
            if _no_value(value):
                return f"the candidate declares `{name}` with no real value: a stand-in"
            text = " ".join(node_text(value).split())
            if value.type in ("subscript_expression", "member_expression") and text.startswith(GLOBAL_OBJECTS):
                return f"the candidate looks `{name}` up through {text.split('[')[0].split('.')[0]} instead of importing it"
            if value.type == "object" and any(
                pair.type in ("pair", "method_definition") and (
                    pair.type == "method_definition" or (pair.child_by_field_name("value") is not None and
                    pair.child_by_field_name("value").type in ("arrow_function", "function_expression", "function")))
                for pair in value.named_children
            ):
                return f"the candidate defines `{name}` as a stub object instead of importing it"
            if value.type in ("arrow_function", "function_expression", "function") and _js_stub(value):
                return f"the candidate defines `{name}` as an empty stand-in function"
        if target is not None and target.type == "object_pattern" and module is not None:
            for item in target.named_children:
                if item.type == "shorthand_property_identifier_pattern" and node_text(item) == name:
                    return _module_reason(module, "", name, root) if not _module_exists(module, root) else None
                if item.type == "pair_pattern":
                    key, local = item.child_by_field_name("key"), item.child_by_field_name("value")
                    reason = _renamed(_name_of(key), _name_of(local), name, module)
                    if reason or (_name_of(local) == name and not _module_exists(module, root)):
                        return reason or _module_reason(module, "", name, root)
    if kind == "ambient_declaration" and re.search(rf"\b{re.escape(name)}\b", node_text(node)):
        return f"the candidate declares `{name}` (`declare`) instead of importing or defining it"
    if kind in ("function_declaration", "function") and _name_of(node.child_by_field_name("name")) == name and (
        _js_stub(node)
    ):
        return f"the candidate defines `{name}` as an empty stand-in function"
    if kind in ("required_parameter", "optional_parameter") and _name_of(
        node.child_by_field_name("pattern")
    ) == name:
        return _parameter(node, name)
    if kind == "assignment_pattern" and node.parent is not None and node.parent.type == "formal_parameters" and (
        _name_of(node.child_by_field_name("left")) == name
    ):
        return _parameter(node, name)
    if kind == "identifier" and node.parent is not None and node.parent.type == "formal_parameters" and (
        node_text(node) == name
    ):
        return _parameter(node, name)
    if kind == "import_statement":
        return _js_import(node, name, root)
    return None


def _js_stub(node: Node) -> bool:
    body = node.child_by_field_name("body")
    if body is not None and body.type != "statement_block":
        return _stub_value(body)  # `() => '{}'`
    return _stub_body(body)


def _js_import(node: Node, name: str, root: Path | None) -> str | None:
    module = _string(node.child_by_field_name("source")) or ""
    clause = next((c for c in node.named_children if c.type == "import_clause"), None)
    if clause is None:
        return f"the candidate adds a side-effect-only import (`{node_text(node).strip()}`) with the fix"
    binds = False
    for part in clause.named_children:
        if part.type == "identifier" and node_text(part) == name:  # import name from 'm'
            binds = True
            reason = _module_reason(module, name, name, root)
        elif part.type == "namespace_import":
            local = next((c for c in part.named_children if c.type == "identifier"), None)
            if _name_of(local) != name:
                continue
            binds = True
            reason = _module_reason(module, name, name, root)
        elif part.type == "named_imports":
            reason = None
            for spec in part.named_children:
                imported, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
                local = _name_of(alias) or _name_of(imported)
                if local == name:
                    binds = True
                    reason = reason or _renamed(_name_of(imported), local, name, module)
            if binds and reason is None and not _module_exists(module, root):
                reason = _module_reason(module, "", name, root)
        else:
            continue
        if reason:
            return reason
    return None


def _defined_below(node: Node, name: str) -> bool:
    """Whether the file defines the function `name` (a forward declaration is then a fix)."""
    root = node
    while root.parent is not None:
        root = root.parent
    stack = [root]
    while stack:
        current = stack.pop()
        if current.type == "function_definition":
            declarator = current.child_by_field_name("declarator")
            if declarator is not None and _declared(declarator) == name:
                return True
            continue
        stack.extend(current.named_children)
    return False


def _prototype(declarator: Node) -> bool:
    """A C++ function declarator that can only be a prototype: `f()`, `f(void)`, `f(int, char*)`."""
    params = declarator.child_by_field_name("parameters")
    if params is None:
        return False
    kinds = ("primitive_type", "sized_type_specifier")
    return all(p.type == "parameter_declaration" and (t := p.child_by_field_name("type")) is not None
               and t.type in kinds for p in params.named_children)


# --- Rust ---

def _rust(node: Node, name: str) -> str | None:
    kind = node.type
    if kind in ("struct_item", "enum_item", "mod_item", "type_item", "trait_item", "union_item",
                "function_item", "const_item", "static_item", "macro_definition") and (
        _name_of(node.child_by_field_name("name")) == name
    ):
        what = kind.split("_")[0]
        if name in RUST_STD:
            return (f"the candidate defines its own `{name}` ({what}) instead of using "
                    f"{RUST_STD[name][0]}")
        body = node.child_by_field_name("body")
        if kind in ("struct_item", "mod_item") and (body is None or body.named_child_count == 0):
            return f"the candidate defines `{name}` as an empty stand-in {what}"
        if kind == "function_item" and _rust_stub(body):
            return f"the candidate defines `{name}` as an empty stand-in function"
    if kind == "use_as_clause" and _name_of(node.child_by_field_name("alias")) == name:
        path = node_text(node.child_by_field_name("path"))
        item = path.split("::")[-1]
        if item != name and not _abbreviates(name, item):
            return f"the candidate imports `{path}` under the name `{name}`"
    if kind == "scoped_identifier" and node.parent is not None and node.parent.type in (
        "use_declaration", "use_list", "scoped_use_list"
    ) and _name_of(node.child_by_field_name("name")) == name and name in RUST_STD:
        path = " ".join(node_text(node).split()).replace(" ", "")
        if path.startswith(("std::", "core::", "alloc::")) and path not in RUST_STD[name]:
            return f"the candidate imports `{path}`, which is not where Rust keeps `{name}` ({RUST_STD[name][0]})"
    if kind == "parameter" and _name_of(node.child_by_field_name("pattern")) == name:
        return _parameter(node, name)
    return None


def _rust_stub(body: Node | None) -> bool:
    if body is None:
        return True
    children = [c for c in body.named_children if c.type not in ("line_comment", "block_comment")]
    return all(c.type in LITERAL_KINDS or (c.type == "expression_statement" and _stub_body(c)) for c in children)


# --- Go ---

def _go(node: Node, name: str) -> str | None:
    kind = node.type
    if kind == "import_spec":
        alias, path = node.child_by_field_name("name"), node_text(node.child_by_field_name("path")).strip('"`')
        if alias is not None and node_text(alias) in ("_", "."):
            return f"the candidate adds `{node_text(node)}`, an import for its side effects, with the fix"
        if alias is not None and node_text(alias) == name:
            package = path.split("/")[-1]
            if package != name and not _abbreviates(name, package):
                return f"the candidate imports the package `{path}` under the name `{name}`"
    if kind in ("var_spec", "const_spec"):
        names = [node_text(c) for c in node.children_by_field_name("name")]
        if name in names:
            value = node.child_by_field_name("value")
            values = value.named_children if value is not None else []
            if not values or any(_stub_value(v) or v.type == "composite_literal" or (
                v.type == "func_literal" and _stub_body(v.child_by_field_name("body"))) for v in values):
                return f"the candidate declares `{name}` as a stand-in variable instead of importing it"
    if kind == "short_var_declaration":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is not None and name in [node_text(c) for c in left.named_children] and right is not None and any(
            _stub_value(v) or v.type == "composite_literal" for v in right.named_children
        ):
            return f"the candidate declares `{name}` as a stand-in variable instead of importing it"
    if kind in ("parameter_declaration", "variadic_parameter_declaration") and name in [
        node_text(c) for c in node.children_by_field_name("name")
    ]:
        return _parameter(node, name)
    if kind == "function_declaration" and _name_of(node.child_by_field_name("name")) == name and (
        _stub_body(node.child_by_field_name("body"))
    ):
        return f"the candidate defines `{name}` as an empty stand-in function"
    if kind == "type_spec" and _name_of(node.child_by_field_name("name")) == name and re.fullmatch(
        r"struct\s*\{\s*\}", node_text(node.child_by_field_name("type")).strip()
    ):
        return f"the candidate defines `{name}` as an empty stand-in type"
    return None


# --- calls that come with the fix ---

def _callee(node: Node) -> str:
    function = node.child_by_field_name("function") or node.child_by_field_name("constructor")
    return "".join(node_text(function if function is not None else node).split())


def _arguments(node: Node) -> str:
    arguments = node.child_by_field_name("arguments")
    return "".join(node_text(arguments).split()) if arguments is not None else "()"


def _segments(callee: str) -> list[str]:
    return re.findall(r"[A-Za-z_]\w*", callee)


def _close(a: str, b: str) -> bool:
    """A typo's correction: same length within two, most letters shared in order."""
    from difflib import SequenceMatcher

    return abs(len(a) - len(b)) <= 2 and SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.7


def _call_key(node: Node) -> tuple[str, str]:
    return _callee(node), _arguments(node)


def _defines(node: Node, name: str) -> bool:
    """Whether `node` is inside the value of a declaration of `name` (`node *n = new node;`)."""
    child, parent = node, node.parent
    while parent is not None and not parent.type.endswith(("_statement", "block", "body")):
        value = (parent.child_by_field_name("value") or parent.child_by_field_name("right"))
        target = (parent.child_by_field_name("declarator") or parent.child_by_field_name("name")
                  or parent.child_by_field_name("pattern") or parent.child_by_field_name("left"))
        if value is not None and child == value and target is not None and (
            name in re.findall(r"[A-Za-z_]\w*", node_text(target))
        ):
            return True
        child, parent = parent, parent.parent
    return False


def _new_calls(before_nodes: list[Node], after_nodes: list[Node], name: str, language: str) -> str | None:
    """A call the fix adds that neither uses the name nor replaces a call of it."""
    old = Counter(_call_key(n) for n in before_nodes if n.type in CALLS)
    new_nodes = [n for n in after_nodes if n.type in CALLS]
    added = Counter(_call_key(n) for n in new_nodes) - old
    # a call of a function called as often as before only changed its arguments
    more = Counter(_callee(n) for n in new_nodes) - Counter(_callee(n) for n in before_nodes if n.type in CALLS)
    if not added or not more:
        return None
    gone = old - Counter(_call_key(n) for n in new_nodes)
    removed = [callee for callee, _ in gone if name in _segments(callee)]
    # the arguments of the calls of the name that went: a call with the same ones replaces it
    replaced = Counter(arguments for callee, arguments in gone.elements()
                       if name in _segments(callee) and arguments != "()")
    for node in new_nodes:
        key = _call_key(node)
        callee, arguments = key
        if added[key] <= 0 or more[callee] <= 0:
            continue
        added[key] -= 1
        more[callee] -= 1
        words = _segments(callee)
        if name in words:
            continue
        if language in JS and _required(node) is not None and node.parent is not None and (
            node.parent.type == "variable_declarator"
        ):
            continue  # `const x = require('m')`: the import itself (its module is judged above)
        if replaced[arguments] > 0:
            replaced[arguments] -= 1
            continue  # `isnumber(c)` -> `isdigit(c)`: another existing function in its place
        if words and any(
            (_segments(r) or [""])[-1] == words[-1] or any(_close(name, w) for w in words) for r in removed
        ):
            continue  # the call of the name, renamed or corrected
        if not RUNNERS.search(callee) and (language == "cpp" or _defines(node, name)):
            # C++ (DebugBench's real fixes bring other calls): only calls that run a command
            continue  # the value of a real definition of the name
        return (f"the candidate's fix of `{name}` brings a new call with it "
                f"(`{' '.join(node_text(node).split())[:60]}`)")
    return None
